# portfolio_bootstrap is applied again by the master at every reload (issue
# 2; README "Bootstrap file": "create at start when missing (never
# overwrites)").  What the file lists must not undo changes made since
# through the API.  Needs a master process: the reload is a HUP.
use Test::Nginx::Socket 'no_plan';

use PortfolioTest ();

master_on();
workers(1);
no_shuffle();
# the usual configuration with the school plugin and the student plugin
# (which declares quota_student_mb), bootstrapped from the block's own file
PortfolioTest::block_defaults(plugins => [qw(school student)],
                              bootstrap => '$TEST_NGINX_SERVER_ROOT/html/boot.json');
run_tests();

__DATA__

=== TEST 1: a reload re-applies the bootstrap without overwriting a changed setting, school or account
--- user_files
>>> boot.json
{
  "schools": [ { "domain": "zlsh", "name": "Zhonglun" } ],
  "users": [
    { "id": "zlsh100000001", "school": "zlsh", "roles": ["school_admin"],
      "name": "Admin", "password": "admin-pass-1", "must_change": false }
  ],
  "settings": { "school/zlsh/quota_student_mb": "250" }
}
--- init
my $quota = sub {
    my $r = PortfolioTest::http(GET => '/api/schools/zlsh/settings', cookie => $_[0]);
    my ($s) = grep { $_->{name} eq 'quota_student_mb' }
                   @{ $r->{json} ? $r->{json}{settings} : [] };
    return $s ? $s->{value} : "status $r->{status}";
};
my $worker = sub {
    my $r = PortfolioTest::http(GET => '/api/health');
    return $r->{json} ? $r->{json}{worker_pid} : 0;
};

my $c = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
is($quota->($c), '250', 'TEST 1: the bootstrap setting applies');
my $r = PortfolioTest::http(PUT => '/api/schools/zlsh/settings/quota_student_mb',
                            cookie => $c, body => { value => '300' });
is($r->{status}, 200, 'TEST 1: the admin changes it');
$r = PortfolioTest::http(POST => '/api/password', cookie => $c,
                         body => { current => 'admin-pass-1', new => 'a new secret 9' });
is($r->{status}, 200, 'TEST 1: and the password');

# reload: the master applies the bootstrap file again, new workers start
my $old = $worker->();
open my $fh, '<', "$ENV{TEST_NGINX_SERVER_ROOT}/logs/nginx.pid" or die "pid: $!";
chomp(my $master = <$fh>);
kill 'HUP', $master or die "HUP $master: $!";
# the master signals the old worker some 100 ms after starting the new
# one, and meanwhile both accept: wait for the old one to be gone (a new
# worker answering once is not enough)
PortfolioTest::wait_until(sub { !kill(0, $old) }, 10);
isnt($worker->(), $old, 'TEST 1: a new worker serves after the reload');

is($quota->($c), '300', 'TEST 1: the changed setting survived the reload');
$r = PortfolioTest::http(GET => '/api/schools/zlsh', cookie => $c);
is($r->{json} && $r->{json}{school}{name}, 'Zhonglun', 'TEST 1: the school is still there');
$r = PortfolioTest::http(POST => '/api/session',
                         body => { username => 'zlsh100000001', password => 'a new secret 9' });
is($r->{status}, 200, 'TEST 1: the changed password survived the reload');
--- request
GET /api/health
--- response_body_like chomp
^\{"status":"ok"
