# SPEC AD4: file verification.  POST /api/schools/{school}/files/verify
# re-hashes every file the school stored and reports the ones missing or
# changed on disk; school admins and city admins only, own school.
#
# Files are stored through the student plugin (courses, enrollments and
# the upload window seeded with testkit), then damaged on disk by hand.

use Test::Nginx::Socket 'no_plan';
use PortfolioTest;
use PortfolioWorld;     # main::blob_path
use Digest::SHA ();
use JSON::PP ();
use Time::HiRes ();

no_shuffle();
# the usual configuration with student and testkit, and bodies up to 11 MB
PortfolioTest::block_defaults(plugins => [qw(student testkit)],
                              api => ['client_max_body_size 11m;']);
run_tests();


# A draft outcome of the student with one document; returns its SHA-256.
sub main::stored_file {
    my ($student, $bytes) = @_;
    my $r = PortfolioTest::api(POST => '/outcomes', $student,
                               body => { term => '113-1', code => 'CS101', description => 'report' });
    die "create: $r->{status} $r->{body}\n" unless $r->{status} == 201 || $r->{status} == 200;
    my $id = $r->{json}{outcome}{id};
    $r = PortfolioTest::api(PUT => "/outcomes/$id/document", $student, body => $bytes,
                            headers => { 'Content-Type' => 'application/pdf' });
    die "upload: $r->{status} $r->{body}\n" unless $r->{status} == 200;
    return Digest::SHA::sha256_hex($bytes);
}

__DATA__

=== TEST 1: AD4 verification finds nothing wrong, then a changed and a missing file
--- init
my $admin = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
my $st = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $now = int(Time::HiRes::time() * 1000);
PortfolioTest::seed($admin, 'settings', 'school/zlsh/window/113-1/upload',
                    { from => $now - 60_000, to => $now + 3_600_000 });
PortfolioTest::seed($admin, 'sis_courses', "zlsh\x{1f}113-1\x{1f}CS101",
                    { school => 'zlsh', term => '113-1', code => 'CS101', name => 'CS',
                      subject => 'CS', credits => 2, teacher => 'zlsh122233333',
                      co_teachers => [], kind => 'normal' });
PortfolioTest::seed($admin, 'sis_enrollments', "zlsh108234567\x{1f}113-1\x{1f}CS101",
                    { student => 'zlsh108234567', term => '113-1', code => 'CS101',
                      grade => undef, kind => 'normal' });

my @sha = map { main::stored_file($st, "%PDF-1.4\nfile $_\n%%EOF\n") } 1 .. 3;

my $r = PortfolioTest::api(POST => '/schools/zlsh/files/verify', $admin, body => {});
is($r->{status}, 200, 'verify: 200');
is_deeply($r->{json}, { checked => 3, ok => 3, problems => [] },
          'three files checked, all match their names');

# one file changed on disk, one removed
open(my $fh, '>>', main::blob_path($sha[0])) or die $!;
print $fh "tampered";
close $fh;
unlink(main::blob_path($sha[1])) or die $!;

$r = PortfolioTest::api(POST => '/schools/zlsh/files/verify', $admin, body => {});
is($r->{status}, 200, 'verify again: 200');
is($r->{json}{checked}, 3, 'still three checked');
is($r->{json}{ok}, 1, 'one still matches');
my %p = map { $_->{sha256} => $_->{problem} } @{ $r->{json}{problems} };
is_deeply(\%p, { $sha[0] => 'changed', $sha[1] => 'missing' },
          'the changed and the missing file are named');

open(my $log, '<', "$ENV{TEST_NGINX_SERVER_ROOT}/logs/error.log") or die $!;
my $text = do { local $/; <$log> };
like($text, qr/\[crit\].*stored file $sha[0] is changed/, 'the changed file is logged at crit');
like($text, qr/\[crit\].*stored file $sha[1] is missing/, 'the missing file is logged at crit');

# the other school has stored nothing: nothing to check, nothing reported
my $city = PortfolioTest::login('cityadmin', 'city-pass-1');
$r = PortfolioTest::api(POST => '/schools/tpsh/files/verify', $city, body => {});
is_deeply($r->{json}, { checked => 0, ok => 0, problems => [] },
          'city admin: another school has no files');
$r = PortfolioTest::api(POST => '/schools/zlsh/files/verify', $city, body => {});
is($r->{json}{ok}, 1, 'city admin may verify any school');

# who may not
$r = PortfolioTest::api(POST => '/schools/zlsh/files/verify', $st, body => {});
is($r->{status}, 403, 'a student may not verify');
my $other = PortfolioTest::login('tpsh109000001', 'other-pass-1');
$r = PortfolioTest::api(POST => '/schools/zlsh/files/verify', $other, body => {});
is($r->{status}, 403, "another school's admin may not");
is($r->{json}{error}{code}, 'out_of_scope', '... out_of_scope');
--- request
POST /api/schools/zlsh/files/verify
{}
--- more_headers
Content-Type: application/json
--- error_code: 401
