# Issue 4 item 1, SPEC A2: sign-on through the city's LDAP directory.
#
# A real slapd (t/lib/portfolio/Slapd.pm) runs for the whole file, started
# here before run_tests with the data of t/data/ldap/people.ldif, on
# 127.0.0.1 at TEST_NGINX_PORT + 389; a second one with TLS (a test CA made
# with openssl) at + 390 (StartTLS) and + 636 (ldaps).  Blocks that stop or
# pause the directory start or resume it again before they end.
#
# Accounts (t/data/ldap/school.json): school zlsh allows both methods (the
# default), dirs only the directory (login_methods "directory", with a
# break-glass admin), locs only local passwords.  zlsh111122222 and
# dirs108000001, locs108000001 are bound to the directory accounts chen,
# wang and lin by the bootstrap file; others bind through POST /me/directory.
#
# Covered: good and bad directory passwords, empty password (never reaches
# the directory: counted in slapd's log), unknown and unbound accounts,
# binding (and 409, unbinding), login_methods local/directory/both and
# break-glass, the failure counter with directory failures, directory down
# (503 at once) and slow (503 within the operation timeout) while other
# requests and the break-glass sign-in are unaffected, hostile account names
# (no injection in the DN template or the search filter; odd legitimate
# names work), search-then-bind with a service account, several URLs,
# StartTLS and ldaps with certificate checking, health, configuration
# errors.  The escaping functions have their own unit test
# (t/131-ldap-escape-unit.t).

use Test::Nginx::Socket 'no_plan';
use PortfolioTest;
use Slapd;
use Time::HiRes ();

my $root = $ENV{TEST_NGINX_ROOT} || '.';
my $port = $ENV{TEST_NGINX_PORT} || $ENV{TEST_NGINX_SERVER_PORT} || 1984;

$ENV{TEST_NGINX_LDAP_PORT}     = $port + 389;
$ENV{TEST_NGINX_LDAP_TLS_PORT} = $port + 390;
$ENV{TEST_NGINX_LDAPS_PORT}    = $port + 636;
$ENV{TEST_NGINX_LDAP_DEAD_PORT} = $port + 391;     # nothing listens there

our $LDAP = Slapd->new(port => $ENV{TEST_NGINX_LDAP_PORT},
                       ldif => "$root/t/data/ldap/people.ldif",
                       conf => "$root/t/data/ldap/slapd.conf.in")->start;
our $TLS = Slapd->new(port => $ENV{TEST_NGINX_LDAP_TLS_PORT},
                      ldaps_port => $ENV{TEST_NGINX_LDAPS_PORT}, tls => 1,
                      ldif => "$root/t/data/ldap/people.ldif",
                      conf => "$root/t/data/ldap/slapd.conf.in")->start;
$ENV{TEST_NGINX_LDAP_CA}       = $TLS->ca_file;
$ENV{TEST_NGINX_LDAP_OTHER_CA} = $TLS->other_ca_file;

# every block loads the module and serves the API under /api/; the usual
# http_config here bootstraps the accounts of t/data/ldap/school.json, and
# a block adds its directory's directives (a configuration error's block
# has only the data directory and those)
PortfolioTest::block_defaults(bootstrap => '$TEST_NGINX_ROOT/t/data/ldap/school.json');

no_shuffle();
run_tests();

# --- helpers for the init sections (the shared ones, try_login and
# --- is_error, are PortfolioTest's)

sub main::bind_r {
    my ($cookie, $uid, $pass) = @_;
    return PortfolioTest::http(POST => '/api/me/directory', cookie => $cookie,
                               body => { username => $uid, password => $pass });
}

# A sign-in that must work: returns the cookie.
sub main::signs_in {
    my ($user, $pass, $id, $what) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $r = PortfolioTest::try_login($user, $pass);
    Test::More::is($r->{status}, 200, "$what: 200")
        or Test::More::diag($r->{body});
    Test::More::is($r->{json} && $r->{json}{user}{id}, $id, "$what: signed in as $id");
    return PortfolioTest::cookie_from($r);
}

# The block's error.log so far matches $re (for what happens in `init`;
# the error_log section sees only the block's own request).
sub main::log_like {
    my ($re, $what) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    open my $fh, '<', "$ENV{TEST_NGINX_SERVER_ROOT}/logs/error.log"
        or die "cannot read error.log: $!\n";
    my $log = do { local $/; <$fh> };
    Test::More::like($log, $re, "error.log: $what");
}

# Runs $code with the directory stopped (or paused), then starts (resumes)
# it again whatever happened.
sub main::with_directory {
    my ($state, $code) = @_;
    $state eq 'down' ? $main::LDAP->stop : $main::LDAP->pause;
    my $ok = eval { $code->(); 1 };
    my $err = $@;
    $state eq 'down' ? $main::LDAP->start : $main::LDAP->resume;
    die $err unless $ok;
}

__DATA__

=== TEST 1: SPEC A2 health shows the directory as configured, without contacting it
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_ldap_url ldap://127.0.0.1:$TEST_NGINX_LDAP_PORT/;
portfolio_ldap_bind_dn "uid=%s,ou=people,dc=tp,dc=edu,dc=tw";
--- init
my $before = $main::LDAP->log;
my $r = PortfolioTest::http(GET => '/api/health');
is($r->{status}, 200, 'health');
is($main::LDAP->log, $before, 'health did not contact the directory');
--- request
GET /api/health
--- response_body_like chomp
"directory":\{"configured":true\}
--- no_error_log
[error]



=== TEST 2: SPEC A2 without portfolio_ldap_url health says not configured and binding is 404
--- init
my $r = PortfolioTest::http(GET => '/api/health');
like($r->{body}, qr/"directory":\{"configured":false\}/, 'health: not configured');

# a bound account still signs in locally; "chen" is no account name here
main::signs_in('dirs100000001', 'glass-pass-1', 'dirs100000001', 'break-glass admin');
my $c = main::signs_in('zlsh108234567', 'student-pass-1', 'zlsh108234567', 'local student');
$r = PortfolioTest::try_login('chen', 'chen-dir-pass');
PortfolioTest::is_error($r, 401, 'invalid_credentials', 'a directory name without a directory');

$r = PortfolioTest::http(GET => '/api/me/directory', cookie => $c);
is($r->{status}, 200, 'GET /me/directory');
is_deeply($r->{json}, { configured => JSON::PP::false(), directory => undef,
                        methods => ['local'] }, 'GET /me/directory: nothing configured');
$r = main::bind_r($c, 'lee', 'lee-dir-pass');
PortfolioTest::is_error($r, 404, 'directory_not_configured', 'binding without a directory');
--- request
GET /api/health
--- response_body_like chomp
"directory":\{"configured":false\}
--- no_error_log
[error]



=== TEST 3: SPEC A2 an account bound in the bootstrap file signs in with the directory password, by either name
--- http_config eval
PortfolioTest::http_config(extra => <<'_EOC_')
portfolio_ldap_url ldap://127.0.0.1:$TEST_NGINX_LDAP_PORT/;
portfolio_ldap_bind_dn "uid=%s,ou=people,dc=tp,dc=edu,dc=tw";
_EOC_
--- init
my $binds = $main::LDAP->binds(qr/^uid=chen,/);

# zlsh111122222 (initial password 122222, not yet changed) is bound to chen
my $c = main::signs_in('chen', 'chen-dir-pass', 'zlsh111122222', 'directory name and password');
is($main::LDAP->binds(qr/^uid=chen,/), $binds + 1, 'one bind as uid=chen reached the directory');

my $r = PortfolioTest::http(GET => '/api/me', cookie => $c);
is($r->{status}, 200, 'the session works');
is($r->{json}{must_change_password}, JSON::PP::false(),
   'a directory sign-in needs no local password change');

main::signs_in('CHEN', 'chen-dir-pass', 'zlsh111122222', 'the directory name in capitals');
main::signs_in('zlsh111122222', 'chen-dir-pass', 'zlsh111122222',
               'the local account name with the directory password');

# the unchanged initial password was retired by the directory sign-in
$r = PortfolioTest::try_login('zlsh111122222', '122222');
PortfolioTest::is_error($r, 401, 'invalid_credentials', 'the retired initial password');

# so unbinding would leave no way in
$r = PortfolioTest::http(DELETE => '/api/me/directory', cookie => $c);
PortfolioTest::is_error($r, 403, 'directory_required', 'unbinding an account without a local password');

$r = PortfolioTest::try_login('chen', 'wrong-password');
PortfolioTest::is_error($r, 401, 'invalid_credentials', 'a wrong directory password');
ok(!@{ $r->{set_cookie} }, 'no cookie for a wrong directory password');

$r = PortfolioTest::try_login('zlsh111122222', 'wrong-password');
PortfolioTest::is_error($r, 401, 'invalid_credentials', 'local name, wrong password (local and directory)');

# unknown to the directory, and known to it but bound to no local account
$binds = $main::LDAP->binds;
$r = PortfolioTest::try_login('nobody', 'whatever-1');
PortfolioTest::is_error($r, 401, 'invalid_credentials', 'an unknown account name');
$r = PortfolioTest::try_login('lee', 'lee-dir-pass');
PortfolioTest::is_error($r, 401, 'invalid_credentials', 'a directory account bound to no local account');
is($main::LDAP->binds, $binds, 'neither reached the directory');

# a local account without a binding never asks the directory
$r = PortfolioTest::try_login('zlsh108234567', 'lee-dir-pass');
PortfolioTest::is_error($r, 401, 'invalid_credentials', 'an unbound local account');
main::signs_in('zlsh108234567', 'student-pass-1', 'zlsh108234567', 'local password as before');
is($main::LDAP->binds, $binds, 'unbound accounts never reach the directory');
--- request
POST /api/session
{"username":"chen","password":"not-chens-password"}
--- more_headers
Content-Type: application/json
--- error_code: 401
--- response_body chomp
{"error":{"code":"invalid_credentials","message":"帳號或密碼錯誤，請再確認一次"}}
--- error_log
portfolio ldap: bind as "uid=chen,ou=people,dc=tp,dc=edu,dc=tw" failed: Invalid credentials (49)
--- no_error_log
[error]



=== TEST 4: SPEC A2 an empty password never reaches the directory
--- http_config eval
PortfolioTest::http_config(extra => <<'_EOC_')
portfolio_ldap_url ldap://127.0.0.1:$TEST_NGINX_LDAP_PORT/;
portfolio_ldap_bind_dn "uid=%s,ou=people,dc=tp,dc=edu,dc=tw";
_EOC_
--- init
my $binds = $main::LDAP->binds;

for my $name ('chen', 'zlsh111122222', 'wang', 'dirs108000001') {
    my $r = PortfolioTest::try_login($name, '');
    PortfolioTest::is_error($r, 401, 'invalid_credentials', "\"$name\" with an empty password");
}

my $c = main::signs_in('zlsh108234567', 'student-pass-1', 'zlsh108234567', 'student');
my $r = main::bind_r($c, 'lee', '');
PortfolioTest::is_error($r, 422, 'invalid_field', 'binding with an empty password');
$r = main::bind_r($c, '', 'lee-dir-pass');
PortfolioTest::is_error($r, 422, 'invalid_field', 'binding with an empty account name');
$r = main::bind_r($c, "lee\n", 'lee-dir-pass');
PortfolioTest::is_error($r, 422, 'invalid_field', 'an account name with a control character');

is($main::LDAP->binds, $binds, 'no bind reached the directory');
--- request
POST /api/session
{"username":"chen","password":""}
--- more_headers
Content-Type: application/json
--- error_code: 401
--- response_body chomp
{"error":{"code":"invalid_credentials","message":"帳號或密碼錯誤，請再確認一次"}}
--- no_error_log
[error]



=== TEST 5: SPEC A2 a local account binds to its directory identity, then signs in with either; 409 for a taken one; unbinding
--- http_config eval
PortfolioTest::http_config(extra => <<'_EOC_')
portfolio_ldap_url ldap://127.0.0.1:$TEST_NGINX_LDAP_PORT/;
portfolio_ldap_bind_dn "uid=%s,ou=people,dc=tp,dc=edu,dc=tw";
_EOC_
--- init
my $c = main::signs_in('zlsh108234567', 'student-pass-1', 'zlsh108234567', 'student, locally');

my $r = PortfolioTest::http(GET => '/api/me/directory', cookie => $c);
is_deeply($r->{json}, { configured => JSON::PP::true(), directory => undef,
                        methods => ['local', 'directory'] }, 'not bound yet');

$r = main::bind_r($c, 'lee', 'wrong-password');
PortfolioTest::is_error($r, 403, 'invalid_credentials', 'binding with a wrong directory password');
$r = main::bind_r($c, 'nobody', 'lee-dir-pass');
PortfolioTest::is_error($r, 403, 'invalid_credentials', 'binding to an unknown directory account');
$r = main::bind_r($c, 'nopass', 'anything-1');
PortfolioTest::is_error($r, 403, 'invalid_credentials', 'binding to an entry without a password');

$r = main::bind_r($c, 'lee', 'lee-dir-pass');
is($r->{status}, 200, 'POST /me/directory with the right password');
is($r->{body}, '{"directory":"lee"}', 'the answer names the binding');

$r = PortfolioTest::http(GET => '/api/me/directory', cookie => $c);
is($r->{json}{directory}, 'lee', 'GET /me/directory shows it');

# either name, either password
main::signs_in('lee', 'lee-dir-pass', 'zlsh108234567', 'directory name and password');
main::signs_in('Lee', 'lee-dir-pass', 'zlsh108234567', 'directory name, other case');
main::signs_in('zlsh108234567', 'lee-dir-pass', 'zlsh108234567', 'local name, directory password');
main::signs_in('zlsh108234567', 'student-pass-1', 'zlsh108234567', 'local name, local password');
$r = PortfolioTest::try_login('lee', 'student-pass-1');
PortfolioTest::is_error($r, 401, 'invalid_credentials', 'directory name with the local password');

# the same directory account cannot be bound to a second local account
my $t = main::signs_in('zlsh122233333', 'teacher-pass-2', 'zlsh122233333', 'teacher');
my $binds = $main::LDAP->binds;
$r = main::bind_r($t, 'lee', 'lee-dir-pass');
PortfolioTest::is_error($r, 409, 'conflict', 'a directory account bound to another account');
$r = main::bind_r($t, 'LEE', 'lee-dir-pass');
PortfolioTest::is_error($r, 409, 'conflict', 'the same, in capitals');
is($main::LDAP->binds, $binds, '409 without asking the directory');

# binding again to the same one is fine; binding another replaces it
$r = main::bind_r($c, 'lee', 'lee-dir-pass');
is($r->{status}, 200, 'binding the same account again');

# unbinding
$r = PortfolioTest::http(DELETE => '/api/me/directory', cookie => $c);
is($r->{status}, 200, 'DELETE /me/directory');
is($r->{body}, '{"directory":null}', 'unbound');
$r = PortfolioTest::http(DELETE => '/api/me/directory', cookie => $c);
PortfolioTest::is_error($r, 404, 'not_found', 'unbinding twice');
$r = PortfolioTest::try_login('lee', 'lee-dir-pass');
PortfolioTest::is_error($r, 401, 'invalid_credentials', 'the directory name after unbinding');
$r = PortfolioTest::try_login('zlsh108234567', 'lee-dir-pass');
PortfolioTest::is_error($r, 401, 'invalid_credentials', 'the directory password after unbinding');

# now the teacher may bind it
$r = main::bind_r($t, 'lee', 'lee-dir-pass');
is($r->{status}, 200, 'the freed directory account binds to the teacher');
main::signs_in('lee', 'lee-dir-pass', 'zlsh122233333', 'and signs in as the teacher');

# the student binds another one, replacing nothing of the teacher's
$r = main::bind_r($c, 'wang', 'wang-dir-pass');
PortfolioTest::is_error($r, 409, 'conflict', 'wang is bound (bootstrap) to dirs108000001');
--- request
GET /api/me/directory
--- error_code: 401
--- no_error_log
[error]



=== TEST 6: SPEC A2 login_methods: directory-only, local-only and both; break-glass
--- http_config eval
PortfolioTest::http_config(extra => <<'_EOC_')
portfolio_ldap_url ldap://127.0.0.1:$TEST_NGINX_LDAP_PORT/;
portfolio_ldap_bind_dn "uid=%s,ou=people,dc=tp,dc=edu,dc=tw";
_EOC_
--- init
# dirs: login_methods "directory"
my $r = PortfolioTest::try_login('dirs108000001', 'dirs-local-1');
PortfolioTest::is_error($r, 401, 'invalid_credentials', 'directory school: the local password');
my $c = main::signs_in('wang', 'wang-dir-pass', 'dirs108000001', 'directory school: directory name');
main::signs_in('dirs108000001', 'wang-dir-pass', 'dirs108000001',
               'directory school: local name, directory password');
$r = PortfolioTest::try_login('dirs108000002', 'dirs-local-2');
PortfolioTest::is_error($r, 401, 'invalid_credentials', 'directory school: an unbound account');
my $g = main::signs_in('dirs100000001', 'glass-pass-1', 'dirs100000001',
                       'directory school: the break-glass admin, locally');

$r = PortfolioTest::http(GET => '/api/me/directory', cookie => $c);
is_deeply($r->{json}{methods}, ['directory'], 'directory school: methods');
$r = PortfolioTest::http(DELETE => '/api/me/directory', cookie => $c);
PortfolioTest::is_error($r, 403, 'directory_required', 'directory school: unbinding refused');
main::signs_in('wang', 'wang-dir-pass', 'dirs108000001', 'directory school: still bound');
$r = PortfolioTest::http(GET => '/api/me/directory', cookie => $g);
is_deeply($r->{json}{methods}, ['local', 'directory'], 'break-glass: methods');

# locs: login_methods "local"
my $binds = $main::LDAP->binds;
my $l = main::signs_in('locs108000001', 'locs-local-1', 'locs108000001', 'local school: local password');
$r = PortfolioTest::try_login('lin', 'lin-dir-pass');
PortfolioTest::is_error($r, 401, 'invalid_credentials', 'local school: directory name');
$r = PortfolioTest::try_login('locs108000001', 'lin-dir-pass');
PortfolioTest::is_error($r, 401, 'invalid_credentials', 'local school: directory password');
is($main::LDAP->binds, $binds, 'local school: the directory is never asked');
$r = PortfolioTest::http(GET => '/api/me/directory', cookie => $l);
is_deeply($r->{json}, { configured => JSON::PP::true(), directory => 'lin',
                        methods => ['local'] }, 'local school: methods');
$r = main::bind_r($l, 'lin', 'lin-dir-pass');
PortfolioTest::is_error($r, 403, 'directory_not_allowed', 'local school: binding refused');

# zlsh: no setting, so both
main::signs_in('chen', 'chen-dir-pass', 'zlsh111122222', 'default school: directory');
main::signs_in('zlsh100000001', 'admin-pass-1', 'zlsh100000001', 'default school: local');
--- request
POST /api/session
{"username":"dirs108000001","password":"dirs-local-1"}
--- more_headers
Content-Type: application/json
--- error_code: 401
--- response_body chomp
{"error":{"code":"invalid_credentials","message":"帳號或密碼錯誤，請再確認一次"}}
--- no_error_log
[error]



=== TEST 7: issue 4 item 4 wrong directory passwords count toward the per-account failure delay, under either name
--- http_config eval
PortfolioTest::http_config(extra => <<'_EOC_')
portfolio_login_free_failures 2;
portfolio_ldap_url ldap://127.0.0.1:$TEST_NGINX_LDAP_PORT/;
portfolio_ldap_bind_dn "uid=%s,ou=people,dc=tp,dc=edu,dc=tw";
_EOC_
--- init
my $r = PortfolioTest::try_login('wang', 'wrong-1');
PortfolioTest::is_error($r, 401, 'invalid_credentials', 'first wrong directory password');
$r = PortfolioTest::try_login('dirs108000001', 'wrong-2');
PortfolioTest::is_error($r, 401, 'invalid_credentials', 'second, under the local name');

my $binds = $main::LDAP->binds;
$r = PortfolioTest::try_login('wang', 'wang-dir-pass');
PortfolioTest::is_error($r, 429, 'too_many_attempts', 'third try, even the right password, waits');
like($r->{headers}{'retry-after'} // '', qr/^[12]$/, 'Retry-After');
$r = PortfolioTest::try_login('dirs108000001', 'wang-dir-pass');
PortfolioTest::is_error($r, 429, 'too_many_attempts', 'the local name shares the counter');
is($main::LDAP->binds, $binds, 'waiting tries do not reach the directory');

# another account is not affected
main::signs_in('chen', 'chen-dir-pass', 'zlsh111122222', 'another account');

Time::HiRes::sleep(1.1);
main::signs_in('wang', 'wang-dir-pass', 'dirs108000001', 'after the wait');
$r = PortfolioTest::try_login('wang', 'wrong-3');
PortfolioTest::is_error($r, 401, 'invalid_credentials', 'the success reset the counter');

# binding counts on the signed-in account
my $c = main::signs_in('zlsh108234567', 'student-pass-1', 'zlsh108234567', 'student');
main::bind_r($c, 'lee', 'wrong-a');
main::bind_r($c, 'lee', 'wrong-b');
$r = main::bind_r($c, 'lee', 'lee-dir-pass');
PortfolioTest::is_error($r, 429, 'too_many_attempts', 'binding after two wrong directory passwords');
--- request
POST /api/session
{"username":"zlsh108234567","password":"student-pass-1"}
--- more_headers
Content-Type: application/json
--- error_code: 429
--- response_headers
Retry-After: 1
--- no_error_log
[error]



=== TEST 8: SPEC A2 directory down: 503 directory_unavailable at once; local and break-glass sign-in and other requests work
--- http_config eval
PortfolioTest::http_config(extra => <<'_EOC_')
portfolio_login_free_failures 2;
portfolio_ldap_url ldap://127.0.0.1:$TEST_NGINX_LDAP_PORT/;
portfolio_ldap_bind_dn "uid=%s,ou=people,dc=tp,dc=edu,dc=tw";
_EOC_
--- init
my $c = main::signs_in('zlsh108234567', 'student-pass-1', 'zlsh108234567', 'student, before');

main::with_directory(down => sub {
    for my $i (1 .. 3) {
        my $t0 = Time::HiRes::time();
        my $r = PortfolioTest::try_login('wang', 'wang-dir-pass');
        my $dt = Time::HiRes::time() - $t0;
        PortfolioTest::is_error($r, 503, 'directory_unavailable', "directory down ($i)");
        like($r->{json}{error}{message} // '', qr/\x{55ae}\x{4e00}\x{8eab}\x{5206}\x{9a57}\x{8b49}/,   # 單一身分驗證
             "($i) the message says why: the directory");
        like($r->{headers}{'retry-after'} // '', qr/^\d+$/, "($i) Retry-After");
        ok($dt < 1, "($i) answered at once (${dt}s)");
    }
    # not counted: three 503s and no delay
    my $r = PortfolioTest::try_login('zlsh111122222', 'wrong-password');
    PortfolioTest::is_error($r, 503, 'directory_unavailable', 'a bound account with a wrong local password');

    main::signs_in('dirs100000001', 'glass-pass-1', 'dirs100000001', 'break-glass admin');
    main::signs_in('zlsh108234567', 'student-pass-1', 'zlsh108234567', 'local account');
    main::signs_in('zlsh111122222', '122222', 'zlsh111122222',
                   'a bound account with its right local password');
    $r = PortfolioTest::http(GET => '/api/me', cookie => $c);
    is($r->{status}, 200, 'a session keeps working');
    $r = PortfolioTest::http(GET => '/api/health');
    is($r->{status}, 200, 'health is 200');
    $r = main::bind_r($c, 'lee', 'lee-dir-pass');
    PortfolioTest::is_error($r, 503, 'directory_unavailable', 'binding while the directory is down');
});

main::log_like(qr/\[error\] .*portfolio ldap: bind as "uid=wang,ou=people,dc=tp,dc=edu,dc=tw" failed: Can't contact LDAP server \(-1\)/,
               'the library error, with its text');

# back up: the same sign-in works, nothing was counted
main::signs_in('wang', 'wang-dir-pass', 'dirs108000001', 'directory back');
--- request
GET /api/health
--- response_body_like chomp
"directory":\{"configured":true\}



=== TEST 9: SPEC A2 directory slow (SIGSTOP): 503 within portfolio_ldap_op_timeout; other requests answer meanwhile
--- http_config eval
PortfolioTest::http_config(extra => <<'_EOC_')
portfolio_ldap_url ldap://127.0.0.1:$TEST_NGINX_LDAP_PORT/;
portfolio_ldap_bind_dn "uid=%s,ou=people,dc=tp,dc=edu,dc=tw";
portfolio_ldap_timeout 500ms;
portfolio_ldap_op_timeout 1s;
_EOC_
--- init
my $c = main::signs_in('zlsh108234567', 'student-pass-1', 'zlsh108234567', 'student, before');

main::with_directory(paused => sub {
    my $res = PortfolioTest::parallel([
        { method => 'POST', path => '/api/session',
          body => { username => 'wang', password => 'wang-dir-pass' } },
        { method => 'POST', path => '/api/session', delay => 0.1,
          body => { username => 'chen', password => 'chen-dir-pass' } },
        { method => 'GET', path => '/api/health', delay => 0.1 },
        { method => 'GET', path => '/api/me', cookie => $c },
        { method => 'POST', path => '/api/session',
          body => { username => 'dirs100000001', password => 'glass-pass-1' } },
        { method => 'POST', path => '/api/session',
          body => { username => 'zlsh100000001', password => 'admin-pass-1' } },
    ], timeout => 10);
    my ($slow1, $slow2, @others) = @$res;

    for my $s ([$slow1, 'wang'], [$slow2, 'chen']) {
        my ($r, $who) = @$s;
        is($r->{status}, 503, "$who: 503 while the directory hangs");
        is($r->{json} && $r->{json}{error}{code}, 'directory_unavailable', "$who: directory_unavailable");
        ok(defined $r->{t} && $r->{t} >= 0.9 && $r->{t} < 2.5,
           "$who: answered after the 1 s operation timeout (" . ($r->{t} // 'none') . " s)");
    }
    my @names = ('health', '/api/me', 'break-glass sign-in', 'local sign-in');
    for my $i (0 .. $#others) {
        my $r = $others[$i];
        is($r->{status}, 200, "$names[$i] meanwhile: 200");
        ok(defined $r->{t} && $r->{t} < 0.8,
           "$names[$i] answered before the directory timed out (" . ($r->{t} // 'none') . " s)");
    }
});

main::log_like(qr/\[error\] .*portfolio ldap: bind as "uid=wang,ou=people,dc=tp,dc=edu,dc=tw" failed: Timed out \(-5\)/,
               'the timeout, logged');

main::signs_in('wang', 'wang-dir-pass', 'dirs108000001', 'directory resumed');
--- request
GET /api/health
--- no_error_log
[error]



=== TEST 10: SPEC A2 hostile account names in the DN template: escaped (RFC 4514), no injection; odd real names bind
--- http_config eval
PortfolioTest::http_config(extra => <<'_EOC_')
portfolio_login_free_failures 100;
portfolio_ldap_url ldap://127.0.0.1:$TEST_NGINX_LDAP_PORT/;
portfolio_ldap_bind_dn "uid=%s,ou=people,dc=tp,dc=edu,dc=tw";
_EOC_
--- init
my $c = main::signs_in('zlsh122233333', 'teacher-pass-2', 'zlsh122233333', 'teacher');

# would bind to uid=admin,ou=x,... if "," were not escaped
my $r = main::bind_r($c, 'admin,ou=x', 'x-admin-pass');
PortfolioTest::is_error($r, 403, 'invalid_credentials', '"admin,ou=x" does not reach another branch');
is($main::LDAP->binds(qr/^uid=admin,ou=x,/), 0, 'no bind as uid=admin,ou=x');
ok($main::LDAP->binds(qr/^uid=admin\\(?:,|2C)ou\\?(?:=|3D)x,ou=people,/i),
   'the DN had the comma escaped');

for my $h (['*', 'lee-dir-pass'], ['*)(uid=*', 'lee-dir-pass'], [' x ', 'lee-dir-pass'],
           ['lee,ou=people', 'lee-dir-pass'], ['lee+cn=x', 'lee-dir-pass'],
           ['lee"', 'lee-dir-pass'], ['<lee>', 'lee-dir-pass'], ['lee;', 'lee-dir-pass'],
           ['lee=', 'lee-dir-pass'], ['#lee', 'lee-dir-pass']) {
    my ($name, $pw) = @$h;
    $r = main::bind_r($c, $name, $pw);
    PortfolioTest::is_error($r, 403, 'invalid_credentials', "hostile name \"$name\"");
}
is(PortfolioTest::http(GET => '/api/me/directory', cookie => $c)->{json}{directory},
   undef, 'nothing was bound');

# odd but real directory accounts bind when escaped correctly
for my $o (['a,b', 'comma-pass'], ['#x', 'hash-pass'], ['a\\b', 'backslash-pass']) {
    my ($name, $pw) = @$o;
    $r = main::bind_r($c, $name, $pw);
    is($r->{status}, 200, "the real account \"$name\" binds") or diag($r->{body});
    main::signs_in($name, $pw, 'zlsh122233333', "and \"$name\" signs in");
}
--- request
POST /api/session
{"username":"*","password":"lee-dir-pass"}
--- more_headers
Content-Type: application/json
--- error_code: 401
--- response_body chomp
{"error":{"code":"invalid_credentials","message":"帳號或密碼錯誤，請再確認一次"}}
--- no_error_log
[error]



=== TEST 11: SPEC A2 search-then-bind with a service account; hostile names in the filter are escaped (RFC 4515)
--- http_config eval
PortfolioTest::http_config(extra => <<'_EOC_')
portfolio_login_free_failures 100;
portfolio_ldap_url ldap://127.0.0.1:$TEST_NGINX_LDAP_PORT/;
portfolio_ldap_search "ou=people,dc=tp,dc=edu,dc=tw" "(&(objectClass=inetOrgPerson)(uid=%s))";
portfolio_ldap_service_dn "cn=portfolio,ou=services,dc=tp,dc=edu,dc=tw";
portfolio_ldap_service_password service-secret;
_EOC_
--- init
my $svc = $main::LDAP->binds(qr/^cn=portfolio,/);
main::signs_in('wang', 'wang-dir-pass', 'dirs108000001', 'search, then bind');
ok($main::LDAP->binds(qr/^cn=portfolio,/) > $svc, 'the service account searched');
my $r = PortfolioTest::try_login('wang', 'wrong-password');
PortfolioTest::is_error($r, 401, 'invalid_credentials', 'a wrong directory password');

my $c = main::signs_in('zlsh122233333', 'teacher-pass-2', 'zlsh122233333', 'teacher');
my $found = $main::LDAP->binds(qr/^uid=(?:st\*r|lee),/);

# an unescaped "st*" or "lee*" would find st*r or lee (and "le\65e" lee)
for my $h (['st*', 'star-pass'], ['lee*', 'lee-dir-pass'], ['*', 'lee-dir-pass'],
           ['*)(uid=*', 'lee-dir-pass'], ['lee)(objectClass=*', 'lee-dir-pass'],
           ['le\\65e', 'lee-dir-pass'], ["lee\x{00}", 'lee-dir-pass']) {
    my ($name, $pw) = @$h;
    $r = main::bind_r($c, $name, $pw);
    ok($r->{status} == 403 || $r->{status} == 422 || $r->{status} == 400,
       "hostile filter value \"$name\": refused ($r->{status})")
        or diag($r->{body});
}
is($main::LDAP->binds(qr/^uid=(?:st\*r|lee),/), $found, 'no bind as st*r or lee');
is(PortfolioTest::http(GET => '/api/me/directory', cookie => $c)->{json}{directory},
   undef, 'nothing was bound');

# two entries with uid=twin: ambiguous, refused
$r = main::bind_r($c, 'twin', 'twin-pass');
PortfolioTest::is_error($r, 403, 'invalid_credentials', 'an ambiguous account name');
main::log_like(qr/\[warn\] .*portfolio ldap: search "\(&\(objectClass=inetOrgPerson\)\(uid=twin\)\)" finds more than one entry/,
               'the ambiguity, logged');

# the real account "st*r" is found exactly
$r = main::bind_r($c, 'st*r', 'star-pass');
is($r->{status}, 200, 'the real account "st*r" binds') or diag($r->{body});
main::signs_in('st*r', 'star-pass', 'zlsh122233333', '"st*r" signs in');
--- request
POST /api/session
{"username":"wang","password":"not-wangs"}
--- more_headers
Content-Type: application/json
--- error_code: 401
--- no_error_log
[error]



=== TEST 12: SPEC A2 search-then-bind: a refused service account is 503, logged, never a 401
--- http_config eval
PortfolioTest::http_config(extra => <<'_EOC_')
portfolio_ldap_url ldap://127.0.0.1:$TEST_NGINX_LDAP_PORT/;
portfolio_ldap_search "ou=people,dc=tp,dc=edu,dc=tw" "(uid=%s)";
portfolio_ldap_service_dn "cn=portfolio,ou=services,dc=tp,dc=edu,dc=tw";
portfolio_ldap_service_password not-the-service-secret;
_EOC_
--- request
POST /api/session
{"username":"wang","password":"wang-dir-pass"}
--- more_headers
Content-Type: application/json
--- error_code: 503
--- response_headers
Retry-After: 10
--- response_body_like chomp
^\{"error":\{"code":"directory_unavailable","message":"[^"]+"\}\}$
--- error_log
portfolio ldap: bind as the service account "cn=portfolio,ou=services,dc=tp,dc=edu,dc=tw" failed: Invalid credentials (49)



=== TEST 13: SPEC A2 search-then-bind with the directory slow: one operation timeout for the whole attempt
--- http_config eval
PortfolioTest::http_config(extra => <<'_EOC_')
portfolio_ldap_url ldap://127.0.0.1:$TEST_NGINX_LDAP_PORT/;
portfolio_ldap_search "ou=people,dc=tp,dc=edu,dc=tw" "(uid=%s)";
portfolio_ldap_service_dn "cn=portfolio,ou=services,dc=tp,dc=edu,dc=tw";
portfolio_ldap_service_password service-secret;
portfolio_ldap_op_timeout 800ms;
_EOC_
--- init
main::with_directory(paused => sub {
    my $t0 = Time::HiRes::time();
    my $r = PortfolioTest::try_login('wang', 'wang-dir-pass');
    my $dt = Time::HiRes::time() - $t0;
    PortfolioTest::is_error($r, 503, 'directory_unavailable', 'slow directory, search mode');
    ok($dt >= 0.7 && $dt < 1.6, "answered after about 800 ms (${dt}s)");
});
main::log_like(qr/\[error\] .*portfolio ldap: bind as the service account .* failed: Timed out \(-5\)/,
               'the timeout, logged');
main::signs_in('wang', 'wang-dir-pass', 'dirs108000001', 'directory resumed');
--- request
GET /api/health
--- no_error_log
[error]



=== TEST 14: SPEC A2 several URLs are tried in order: a dead first one falls through to the next
--- http_config eval
PortfolioTest::http_config(extra => <<'_EOC_')
portfolio_ldap_url ldap://127.0.0.1:$TEST_NGINX_LDAP_DEAD_PORT/ ldap://127.0.0.1:$TEST_NGINX_LDAP_PORT/;
portfolio_ldap_bind_dn "uid=%s,ou=people,dc=tp,dc=edu,dc=tw";
_EOC_
--- request
POST /api/session
{"username":"wang","password":"wang-dir-pass"}
--- more_headers
Content-Type: application/json
--- response_body_like chomp
^\{"user":\{"id":"dirs108000001",.*\}$
--- no_error_log
[error]



=== TEST 15: SPEC A2 StartTLS to a directory without TLS fails cleanly: 503 and the library's error logged
--- http_config eval
PortfolioTest::http_config(extra => <<'_EOC_')
portfolio_ldap_url ldap://127.0.0.1:$TEST_NGINX_LDAP_PORT/;
portfolio_ldap_bind_dn "uid=%s,ou=people,dc=tp,dc=edu,dc=tw";
portfolio_ldap_starttls on;
portfolio_ldap_ca_file $TEST_NGINX_LDAP_CA;
_EOC_
--- init
main::signs_in('dirs100000001', 'glass-pass-1', 'dirs100000001', 'break-glass admin still signs in');
--- request
POST /api/session
{"username":"wang","password":"wang-dir-pass"}
--- more_headers
Content-Type: application/json
--- error_code: 503
--- response_body_like chomp
"code":"directory_unavailable"
--- error_log eval
qr/portfolio ldap: StartTLS with "ldap:\/\/127\.0\.0\.1:\d+\/" failed: /



=== TEST 16: SPEC A2 StartTLS with certificate checking against the directory's CA signs in
--- http_config eval
PortfolioTest::http_config(extra => <<'_EOC_')
portfolio_ldap_url ldap://127.0.0.1:$TEST_NGINX_LDAP_TLS_PORT/;
portfolio_ldap_bind_dn "uid=%s,ou=people,dc=tp,dc=edu,dc=tw";
portfolio_ldap_starttls on;
portfolio_ldap_ca_file $TEST_NGINX_LDAP_CA;
_EOC_
--- init
my $before = () = $main::TLS->log =~ /STARTTLS/g;
main::signs_in('wang', 'wang-dir-pass', 'dirs108000001', 'StartTLS, right CA');
my $after = () = $main::TLS->log =~ /STARTTLS/g;
is($after, $before + 1, 'the directory saw a StartTLS');
like($main::TLS->log, qr/TLS established/, 'TLS was established');
--- request
POST /api/session
{"username":"wang","password":"wrong-password"}
--- more_headers
Content-Type: application/json
--- error_code: 401
--- no_error_log
[error]



=== TEST 17: SPEC A2 StartTLS refuses a certificate its CA file does not vouch for: 503, logged
--- http_config eval
PortfolioTest::http_config(extra => <<'_EOC_')
portfolio_ldap_url ldap://127.0.0.1:$TEST_NGINX_LDAP_TLS_PORT/;
portfolio_ldap_bind_dn "uid=%s,ou=people,dc=tp,dc=edu,dc=tw";
portfolio_ldap_starttls on;
portfolio_ldap_ca_file $TEST_NGINX_LDAP_OTHER_CA;
_EOC_
--- init
my $binds = $main::TLS->binds;
my $r = PortfolioTest::try_login('wang', 'wang-dir-pass');
PortfolioTest::is_error($r, 503, 'directory_unavailable', 'an unknown certificate authority');
is($main::TLS->binds, $binds, 'the password was never sent');
--- request
POST /api/session
{"username":"wang","password":"wang-dir-pass"}
--- more_headers
Content-Type: application/json
--- error_code: 503
--- error_log eval
qr/\[error\] .*portfolio ldap: StartTLS with .* failed: Connect error \(-11\): TLS handshake failed: is the server certificate signed by portfolio_ldap_ca_file/



=== TEST 18: SPEC A2 ldaps:// with certificate checking: the right CA signs in, another CA is refused
--- http_config eval
PortfolioTest::http_config(extra => <<'_EOC_')
portfolio_ldap_url ldaps://127.0.0.1:$TEST_NGINX_LDAPS_PORT/;
portfolio_ldap_bind_dn "uid=%s,ou=people,dc=tp,dc=edu,dc=tw";
portfolio_ldap_ca_file $TEST_NGINX_LDAP_CA;
_EOC_
--- request
POST /api/session
{"username":"wang","password":"wang-dir-pass"}
--- more_headers
Content-Type: application/json
--- response_body_like chomp
^\{"user":\{"id":"dirs108000001",.*\}$
--- no_error_log
[error]



=== TEST 19: SPEC A2 ldaps:// with a CA that did not sign the certificate: 503, logged
--- http_config eval
PortfolioTest::http_config(extra => <<'_EOC_')
portfolio_ldap_url ldaps://127.0.0.1:$TEST_NGINX_LDAPS_PORT/;
portfolio_ldap_bind_dn "uid=%s,ou=people,dc=tp,dc=edu,dc=tw";
portfolio_ldap_ca_file $TEST_NGINX_LDAP_OTHER_CA;
_EOC_
--- request
POST /api/session
{"username":"wang","password":"wang-dir-pass"}
--- more_headers
Content-Type: application/json
--- error_code: 503
--- error_log eval
qr/\[error\] .*portfolio ldap: bind as "uid=wang,ou=people,dc=tp,dc=edu,dc=tw" failed: Can't contact LDAP server \(-1\): TLS handshake failed/



=== TEST 20: config: a DN template and a search together
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_ldap_url ldap://127.0.0.1:389/;
portfolio_ldap_bind_dn "uid=%s,ou=people,dc=tp,dc=edu,dc=tw";
portfolio_ldap_search "ou=people,dc=tp,dc=edu,dc=tw" "(uid=%s)";
portfolio_ldap_service_dn "cn=portfolio,ou=services,dc=tp,dc=edu,dc=tw";
portfolio_ldap_service_password x;
--- must_die
--- error_log
needs exactly one of "portfolio_ldap_bind_dn"



=== TEST 21: config: a URL and neither a DN template nor a search
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_ldap_url ldap://127.0.0.1:389/;
--- must_die
--- error_log
needs exactly one of "portfolio_ldap_bind_dn"



=== TEST 22: config: a search without the service account
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_ldap_url ldap://127.0.0.1:389/;
portfolio_ldap_search "ou=people,dc=tp,dc=edu,dc=tw" "(uid=%s)";
--- must_die
--- error_log
"portfolio_ldap_search" needs "portfolio_ldap_service_dn" and "portfolio_ldap_service_password"



=== TEST 23: config: a service account with a DN template
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_ldap_url ldap://127.0.0.1:389/;
portfolio_ldap_bind_dn "uid=%s,ou=people,dc=tp,dc=edu,dc=tw";
portfolio_ldap_service_dn "cn=portfolio,ou=services,dc=tp,dc=edu,dc=tw";
--- must_die
--- error_log
go with "portfolio_ldap_search", not with "portfolio_ldap_bind_dn"



=== TEST 24: config: StartTLS with an ldaps:// URL
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_ldap_url ldaps://127.0.0.1:636/;
portfolio_ldap_bind_dn "uid=%s,ou=people,dc=tp,dc=edu,dc=tw";
portfolio_ldap_starttls on;
--- must_die
--- error_log
"portfolio_ldap_starttls on" cannot be used with ldaps:// URLs



=== TEST 25: config: not an LDAP URL
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_ldap_url http://127.0.0.1:389/;
portfolio_ldap_bind_dn "uid=%s,ou=people,dc=tp,dc=edu,dc=tw";
--- must_die
--- error_log
"http://127.0.0.1:389/" is not an LDAP URL



=== TEST 26: config: ldapi:// is refused too
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_ldap_url ldapi:///;
portfolio_ldap_bind_dn "uid=%s,ou=people,dc=tp,dc=edu,dc=tw";
--- must_die
--- error_log
only ldap:// and ldaps:// URLs



=== TEST 27: config: a DN template without %s
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_ldap_url ldap://127.0.0.1:389/;
portfolio_ldap_bind_dn "uid=lee,ou=people,dc=tp,dc=edu,dc=tw";
--- must_die
--- error_log
must contain "%s" (the account name) exactly once



=== TEST 28: config: a DN template with another % conversion
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_ldap_url ldap://127.0.0.1:389/;
portfolio_ldap_bind_dn "uid=%s,ou=%d,dc=tw";
--- must_die
--- error_log
may contain "%s" (the account name) and "%%" only



=== TEST 29: config: a search filter not in parentheses
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_ldap_url ldap://127.0.0.1:389/;
portfolio_ldap_search "ou=people,dc=tp,dc=edu,dc=tw" "uid=%s";
portfolio_ldap_service_dn "cn=portfolio,ou=services,dc=tp,dc=edu,dc=tw";
portfolio_ldap_service_password x;
--- must_die
--- error_log
needs a filter in parentheses



=== TEST 30: config: directory settings without portfolio_ldap_url
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_ldap_bind_dn "uid=%s,ou=people,dc=tp,dc=edu,dc=tw";
--- must_die
--- error_log
portfolio_ldap_* directives need "portfolio_ldap_url"



=== TEST 31: config: a CA file that cannot be read
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_ldap_url ldaps://127.0.0.1:636/;
portfolio_ldap_bind_dn "uid=%s,ou=people,dc=tp,dc=edu,dc=tw";
portfolio_ldap_ca_file /nonexistent/ca.pem;
--- must_die
--- error_log
portfolio_ldap_ca_file "/nonexistent/ca.pem" cannot be read



=== TEST 32: config: a zero timeout
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_ldap_url ldap://127.0.0.1:389/;
portfolio_ldap_bind_dn "uid=%s,ou=people,dc=tp,dc=edu,dc=tw";
portfolio_ldap_op_timeout 0;
--- must_die
--- error_log
portfolio_ldap_timeout and portfolio_ldap_op_timeout must not be zero



=== TEST 33: config: portfolio_ldap_pool must name a thread_pool
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_ldap_url ldap://127.0.0.1:389/;
portfolio_ldap_bind_dn "uid=%s,ou=people,dc=tp,dc=edu,dc=tw";
portfolio_ldap_pool pf_nosuch;
--- must_die
--- error_log
unknown thread pool "pf_nosuch"



=== TEST 34: SPEC A2 a pool of its own for directory binds: every directive with a good value
--- main_config eval
PortfolioTest::main_config(<<'_EOC_')
thread_pool pf_tasks threads=2;
thread_pool pf_ldap threads=2;
_EOC_
--- http_config eval
PortfolioTest::http_config(extra => <<'_EOC_')
portfolio_task_pool pf_tasks;
portfolio_ldap_pool pf_ldap;
portfolio_ldap_url ldap://127.0.0.1:$TEST_NGINX_LDAP_TLS_PORT/;
portfolio_ldap_search "ou=people,dc=tp,dc=edu,dc=tw" "(&(objectClass=inetOrgPerson)(uid=%s))";
portfolio_ldap_service_dn "cn=portfolio,ou=services,dc=tp,dc=edu,dc=tw";
portfolio_ldap_service_password service-secret;
portfolio_ldap_starttls on;
portfolio_ldap_ca_file $TEST_NGINX_LDAP_CA;
portfolio_ldap_timeout 2s;
portfolio_ldap_op_timeout 4s;
_EOC_
--- init
main::signs_in('zlsh100000001', 'admin-pass-1', 'zlsh100000001', 'local, in the task pool');
--- request
POST /api/session
{"username":"wang","password":"wang-dir-pass"}
--- more_headers
Content-Type: application/json
--- response_body_like chomp
^\{"user":\{"id":"dirs108000001",.*\}$
--- no_error_log
[error]
