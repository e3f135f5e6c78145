# SPEC C1 (issue 16 item 1): the bootstrap file's schools follow the rules
# the API's do.  "nginx -t" refuses a file with two schools of one domain
# or one national school code, naming both and the value; nginx refuses
# to start (the master applies the file) when a school of the file takes
# the code of a school already stored, whoever stored it, and stores
# nothing of that file.  Runs the real binary, as an operator would.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use PortfolioTest ();

my $build = $ENV{TEST_NGINX_BUILD} or plan skip_all => 'TEST_NGINX_BUILD not set (run scripts/test)';
my $port = PortfolioTest::port();

# A prefix with a configuration that bootstraps from boot.json into
# $dir/data (kept across runs: the store is what a second start finds).
sub prefix {
    my $dir = tempdir(CLEANUP => 1);
    return PortfolioTest::standalone(
        dir  => $dir, port => $port,
        main => ['master_process off;', 'daemon on;'],
        http => ['portfolio_password_cost 10;', "portfolio_bootstrap $dir/boot.json;",
                 PortfolioTest::plugin_lines('school')]);
}

sub boot {
    my ($dir, @schools) = @_;
    open(my $fh, '>', "$dir/boot.json") or die $!;
    print $fh '{"schools": [', join(', ', @schools), ']}';
    close $fh;
}


# start, read the schools through the API, stop
sub started_schools {
    my ($dir) = @_;
    my ($rc, $out) = PortfolioTest::run_nginx($dir);
    return "did not start: $out" if $rc;
    PortfolioTest::wait_until(sub { defined PortfolioTest::http(GET => '/api/health')->{status} }, 10);
    my $c = PortfolioTest::login('cityadmin', 'city-pass-1');
    my $r = PortfolioTest::api(GET => '/city/schools', $c);
    PortfolioTest::run_nginx($dir, '-s stop');
    PortfolioTest::wait_until(sub { !defined PortfolioTest::http(GET => '/api/health')->{status} }, 10);
    return join ',', map { "$_->{domain}:" . ($_->{code} // '') } @{ $r->{json}{schools} || [] };
}

my $city = '{"domain": "city", "name": "教育局"}';

# --- nginx -t: the file's own schools ------------------------------------

my $dir = prefix();
boot($dir, '{"domain": "zlsh", "name": "中崙高中", "code": "313302"}',
           '{"domain": "cksh", "name": "成功高中", "code": "313302"}');
my ($rc, $out) = PortfolioTest::run_nginx($dir, '-t');
isnt($rc, 0, 'two schools with one code: nginx -t fails');
like($out, qr/portfolio_bootstrap ".*boot\.json": schools 0 and 1 have the same code "313302"/,
     '... naming both and the code');

boot($dir, '{"domain": "zlsh", "name": "中崙高中", "code": "313302"}',
           '{"domain": "zlsh", "name": "另一所", "code": "313301"}');
($rc, $out) = PortfolioTest::run_nginx($dir, '-t');
isnt($rc, 0, 'two schools with one domain: nginx -t fails');
like($out, qr/schools 0 and 1 have the same domain "zlsh"/, '... naming both and the domain');

boot($dir, '{"domain": "zlsh", "name": "中崙高中", "code": "313302"}',
           '{"domain": "cksh", "name": "成功高中", "code": "313301"}',
           '{"domain": "tpsh", "name": "沒有代碼的學校"}',
           '{"domain": "jjsh", "name": "也沒有代碼"}');
($rc, $out) = PortfolioTest::run_nginx($dir, '-t');
is($rc, 0, 'distinct domains and codes (two schools without one): nginx -t passes') or diag($out);

# --- start: a school of the file takes a stored school's code -------------

$dir = prefix();
open(my $fh, '>', "$dir/boot.json") or die $!;
print $fh '{"schools": [{"domain": "zlsh", "name": "中崙高中", "code": "313302"}],
  "users": [{"id": "cityadmin", "school": "city", "roles": ["city_admin"],
             "name": "教育局", "password": "city-pass-1", "must_change": false}]}';
close $fh;
is(started_schools($dir), 'zlsh:313302', 'the first start stores zlsh with its code');

# the file later gains a school with zlsh's code (a copy-paste mistake)
open($fh, '>', "$dir/boot.json") or die $!;
print $fh '{"schools": [{"domain": "cksh", "name": "成功高中", "code": "313302"},
                        {"domain": "jjsh", "name": "建國高中", "code": "313303"}]}';
close $fh;
($rc, $out) = PortfolioTest::run_nginx($dir, '-t');
is($rc, 0, 'nginx -t cannot know the store: it passes') or diag($out);
($rc, $out) = PortfolioTest::run_nginx($dir);
isnt($rc, 0, 'the start with a school taking a stored school\'s code fails');
like($out, qr/portfolio_bootstrap: school "cksh" has the national code "313302" of school "zlsh"/,
     '... naming the school, the code and the school that has it');
like($out, qr/portfolio_bootstrap ".*boot\.json" not applied/, '... and that the file was not applied');

# nothing of that file was stored: with a good file again, no cksh, no jjsh
open($fh, '>', "$dir/boot.json") or die $!;
print $fh '{"schools": []}';
close $fh;
is(started_schools($dir), 'zlsh:313302', 'nothing of the refused file was stored');

done_testing();
