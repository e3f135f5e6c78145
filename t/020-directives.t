# Every directive of the portfolio module (issue 2): a good value starts the
# server and, where it can be seen from outside, has its effect; a bad value
# stops nginx at start with an error naming the problem.
#
# Directive -> blocks with a good value / blocks with a bad value:
#   portfolio_data_dir             all / 35 (twice), 36 (empty)
#   portfolio_map_size             1, 6 / 21 (below 1m), 22 (not a size)
#   portfolio_plugin               1, 7 / 37 (more in t/030-plugins.t)
#   portfolio_writer_pool          1, 8 / 38 (no such thread_pool)
#   portfolio_task_pool            1, 8 / 39 (no such thread_pool)
#   portfolio_group_commit         1, 7 / 40
#   portfolio_write_queue          1, 15 / 27 (0)
#   portfolio_batch_size           1, 16, 17 / 28 (0)
#   portfolio_password_cost        all, 9 / 23 (9), 24 (23)
#   portfolio_login_free_failures  1, 10, 11 / 30 (0)
#   portfolio_login_max_delay      1, 12 / 41
#   portfolio_session_idle         1, 13 / 31 (not a time), 42 (0)
#   portfolio_session_lifetime     1, 2, 3, 14 / 43 (0), 44 (not a time)
#   portfolio_cookie_name          1, 2, 3 / 29 (bad char), 45 (too long)
#   portfolio_bootstrap            1, 2, 19, 20 / 34 (missing), 46 (not JSON),
#                                  47 (bad user), 51 (not an object), 52
#   portfolio_api                  all, 18 / 32 (regex location without a prefix),
#   portfolio_api_prefix           53, 54 (exact and regex locations) / 32,
#                                  33 (no data dir), 48 (not on/off)
#   portfolio_json_max_size        1, 4 / 49 (0), 50 (not a size)
#   portfolio_json_max_depth       1, 5 / 25 (0), 26 (300)

use Test::Nginx::Socket 'no_plan';

use Time::HiRes ();
use PortfolioTest ();

no_shuffle();
# a block without a section of its own has the usual one: the module, the
# data directory, password cost 10, t/data/school.json, no plugin, the API
# at /api/ (a bad value's block gives its whole http_config and an empty
# config: nothing there but what it tests)
PortfolioTest::block_defaults();
run_tests();

__DATA__

=== TEST 1: every directive with a good value: the server starts and serves
--- main_config eval
PortfolioTest::main_config(<<'_EOC_')
thread_pool pf_writer threads=1;
thread_pool pf_tasks threads=2;
_EOC_
--- http_config eval
# every directive, in the order of the table above
PortfolioTest::http_config(bare => 1, extra => [
    'portfolio_map_size 64m;',
    PortfolioTest::plugin_lines('school'),
    'portfolio_writer_pool pf_writer;',
    'portfolio_task_pool pf_tasks;',
    'portfolio_group_commit on;',
    'portfolio_write_queue 100;',
    'portfolio_batch_size 16;',
    'portfolio_password_cost 10;',
    'portfolio_login_free_failures 3;',
    'portfolio_login_max_delay 60s;',
    'portfolio_session_idle 10m;',
    'portfolio_session_lifetime 1h;',
    'portfolio_cookie_name all_sid;',
    'portfolio_bootstrap $TEST_NGINX_ROOT/t/data/school.json;',
    'portfolio_json_max_size 8k;',
    'portfolio_json_max_depth 8;',
])
--- init
my $c = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
like($c, qr/^all_sid=\S+$/, 'TEST 1: login sets the configured cookie');
my $r = PortfolioTest::http(GET => '/api/me', cookie => $c);
is($r->{status}, 200, 'TEST 1: /api/me with that cookie');
is($r->{json} && $r->{json}{user}{id}, 'zlsh100000001', 'TEST 1: /api/me user');
--- request
GET /api/health
--- response_body_like chomp
^\{"status":"ok",.*"plugins":\[\{"name":"school",.*"storage":\{"ok":true,"used_bytes":\d+,"map_bytes":67108864,.*"group_commit":true\}
--- no_error_log
[error]
[emerg]



=== TEST 2: portfolio_cookie_name and portfolio_session_lifetime shape the login cookie
--- http_config eval
PortfolioTest::http_config(extra => <<'_EOC_')
portfolio_cookie_name my.sid-2;
portfolio_session_lifetime 1h;
_EOC_
--- init
# the session is read from the configured name, not the default one
my $c = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
my ($token) = $c =~ /^my\.sid-2=(.+)$/;
ok(defined $token, "TEST 2: cookie is named my.sid-2 ($c)");
my $r = PortfolioTest::http(GET => '/api/me', cookie => "my.sid-2=$token");
is($r->{status}, 200, 'TEST 2: the configured name authenticates');
$r = PortfolioTest::http(GET => '/api/me', cookie => "pf_session=$token");
is($r->{status}, 401, 'TEST 2: the default name does not');
--- request
POST /api/session
{"username":"zlsh100000001","password":"admin-pass-1"}
--- more_headers
Content-Type: application/json
--- response_headers_like
Set-Cookie: my\.sid-2=[A-Za-z0-9_-]+; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax
--- response_body_like chomp
"id":"zlsh100000001"
--- no_error_log
[error]



=== TEST 3: defaults: cookie pf_session, lifetime 12 h (Max-Age=43200)
--- request
POST /api/session
{"username":"zlsh100000001","password":"admin-pass-1"}
--- more_headers
Content-Type: application/json
--- response_headers_like
Set-Cookie: pf_session=[A-Za-z0-9_-]+; Path=/; Max-Age=43200; HttpOnly; SameSite=Lax
--- no_error_log
[error]



=== TEST 4: portfolio_json_max_size: at the limit passes, one byte over is 413 (http level, and a location's own value)
--- http_config eval
PortfolioTest::http_config(bootstrap => undef, extra => 'portfolio_json_max_size 100;')
--- config
location /api/ {
    portfolio_api on;
}
location /api2/ {
    portfolio_api on;
    portfolio_json_max_size 200;
}
--- more_headers
Content-Type: application/json
--- request eval
# {"username":"nobody","password":""} is 35 bytes
[
"POST /api/session\n" . '{"username":"nobody","password":"' . ('x' x 65) . '"}',
"POST /api/session\n" . '{"username":"nobody","password":"' . ('x' x 66) . '"}',
"POST /api2/session\n" . '{"username":"nobody","password":"' . ('x' x 165) . '"}',
"POST /api2/session\n" . '{"username":"nobody","password":"' . ('x' x 166) . '"}',
]
--- error_code eval
[401, 413, 401, 413]
--- response_body_like eval
[
'^\{"error":\{"code":"invalid_credentials"',
'^\{"error":\{"code":"body_too_large","message":"送出的資料太大：上限 100 位元組"\}\}$',
'^\{"error":\{"code":"invalid_credentials"',
'^\{"error":\{"code":"body_too_large","message":"送出的資料太大：上限 200 位元組"\}\}$',
]



=== TEST 5: portfolio_json_max_depth: 2 levels pass, 3 are bad_json; default 32 elsewhere
--- http_config eval
PortfolioTest::http_config(bootstrap => undef)
--- config
location /api/ {
    portfolio_api on;
    portfolio_json_max_depth 2;
}
location /deflt/ {
    portfolio_api on;
}
--- more_headers
Content-Type: application/json
--- request eval
[
"POST /api/session\n" . '{"username":{"a":1}}',
"POST /api/session\n" . '{"username":{"a":[1]}}',
"POST /deflt/session\n" . '{"a":' x 31 . '[1]' . '}' x 31,
"POST /deflt/session\n" . '{"a":' x 32 . '[1]' . '}' x 32,
]
--- error_code eval
[422, 400, 422, 400]
--- response_body_like eval
[
'"code":"invalid_field"',
'^\{"error":\{"code":"bad_json",',
'"code":"invalid_body"|"code":"invalid_field"',
'^\{"error":\{"code":"bad_json",',
]



=== TEST 6: portfolio_map_size shows in /api/health map_bytes
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_map_size 3m;
--- request
GET /api/health
--- response_body_like chomp
"map_bytes":3145728,
--- no_error_log
[error]



=== TEST 7: portfolio_group_commit off: health says so, and writes still commit
--- http_config eval
PortfolioTest::http_config(plugins => ['testkit'], extra => 'portfolio_group_commit off;')
--- init
my $c = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
my $r = PortfolioTest::http(POST => '/api/testkit/items', cookie => $c,
                            body => { id => 'gc-off' });
is($r->{status}, 201, 'TEST 7: write without group commit');
$r = PortfolioTest::http(POST => '/api/testkit/items', cookie => $c,
                         body => { id => 'gc-off' });
is($r->{status}, 409, 'TEST 7: ... and it was committed');
--- request
GET /api/health
--- response_body_like chomp
"group_commit":false\}
--- no_error_log
[error]



=== TEST 8: portfolio_writer_pool / portfolio_task_pool name declared thread pools: sign-in (task pool) and writes (writer pool) work
--- main_config eval
PortfolioTest::main_config(<<'_EOC_')
thread_pool pfw threads=1;
thread_pool pft threads=1;
_EOC_
--- http_config eval
PortfolioTest::http_config(plugins => ['testkit'], extra => <<'_EOC_')
portfolio_writer_pool pfw;
portfolio_task_pool pft;
_EOC_
--- init
my $c = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $r = PortfolioTest::http(POST => '/api/testkit/items', cookie => $c,
                            body => { id => 'pools' });
is($r->{status}, 201, 'TEST 8: a write through the named writer pool');
--- request
POST /api/session
{"username":"zlsh108234567","password":"student-pass-1"}
--- more_headers
Content-Type: application/json
--- response_body_like chomp
"id":"zlsh108234567"
--- no_error_log
[error]



=== TEST 9: portfolio_password_cost is the scrypt cost of stored hashes (ln=11)
--- http_config eval
PortfolioTest::http_config(password_cost => 11)
--- init
my $db = "$ENV{TEST_NGINX_SERVER_ROOT}/html/data/portfolio.mdb";
my $dump = `mdb_dump -n -p -s users '$db' 2>&1`;
my @costs = $dump =~ /\$scrypt\$ln=(\d+),/g;
is(scalar(@costs), 8, 'TEST 9: eight bootstrap hashes') or diag($dump);
is_deeply([ grep { $_ ne '11' } @costs ], [], 'TEST 9: every hash has ln=11');
--- request
POST /api/session
{"username":"zlsh108234567","password":"student-pass-1"}
--- more_headers
Content-Type: application/json
--- response_body_like chomp
"id":"zlsh108234567"



=== TEST 10: portfolio_login_free_failures 1: one wrong password, then even the right one waits (429); default 5 would not
--- http_config eval
PortfolioTest::http_config(extra => 'portfolio_login_free_failures 1;')
--- init
my $r = PortfolioTest::http(POST => '/api/session',
    body => { username => 'zlsh108234567', password => 'wrong-pass' });
is($r->{status}, 401, 'TEST 10: wrong password');
--- request
POST /api/session
{"username":"zlsh108234567","password":"student-pass-1"}
--- more_headers
Content-Type: application/json
--- error_code: 429
--- response_headers
Retry-After: 1
--- response_body_like chomp
^\{"error":\{"code":"too_many_attempts",



=== TEST 11: default portfolio_login_free_failures (5): four wrong passwords still let the right one in
--- init
for my $i (1 .. 4) {
    my $r = PortfolioTest::http(POST => '/api/session',
        body => { username => 'zlsh108234567', password => "wrong-$i" });
    is($r->{status}, 401, "TEST 11: wrong password $i");
}
--- request
POST /api/session
{"username":"zlsh108234567","password":"student-pass-1"}
--- more_headers
Content-Type: application/json
--- response_body_like chomp
"id":"zlsh108234567"



=== TEST 12: portfolio_login_max_delay 1s caps the growing delay (2 s after two failures) at 1 s
--- http_config eval
PortfolioTest::http_config(extra => <<'_EOC_')
portfolio_login_free_failures 1;
portfolio_login_max_delay 1s;
_EOC_
--- init
my $r = PortfolioTest::http(POST => '/api/session',
    body => { username => 'zlsh108234567', password => 'wrong-1' });
is($r->{status}, 401, 'TEST 12: first failure');
Time::HiRes::sleep(1.2);
$r = PortfolioTest::http(POST => '/api/session',
    body => { username => 'zlsh108234567', password => 'wrong-2' });
is($r->{status}, 401, 'TEST 12: second failure, after the first delay');
--- request
POST /api/session
{"username":"zlsh108234567","password":"student-pass-1"}
--- more_headers
Content-Type: application/json
--- error_code: 429
--- response_headers
Retry-After: 1



=== TEST 13: portfolio_session_idle 1s: an unused session expires after 1 s
--- http_config eval
PortfolioTest::http_config(extra => 'portfolio_session_idle 1s;')
--- init
my $c = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $r = PortfolioTest::http(GET => '/api/me', cookie => $c);
is($r->{status}, 200, 'TEST 13: fresh session works');
my $j = $r->{json};
ok($j && $j->{session}{expires_ms} - $j->{session}{created_ms} <= 1100,
   'TEST 13: expires_ms is within 1 s of use');
Time::HiRes::sleep(2.2);
$r = PortfolioTest::http(GET => '/api/me', cookie => $c);
is($r->{status}, 401, 'TEST 13: idle session refused');
is($r->{json} && $r->{json}{error}{code}, 'session_expired',
   'TEST 13: ... as session_expired');
--- request
GET /api/me
--- error_code: 401
--- response_body_like chomp
"code":"unauthenticated"



=== TEST 14: portfolio_session_lifetime 2s: a session ends after 2 s even when used
--- http_config eval
PortfolioTest::http_config(extra => 'portfolio_session_lifetime 2s;')
--- init
my $r = PortfolioTest::http(POST => '/api/session',
    body => { username => 'zlsh108234567', password => 'student-pass-1' });
like($r->{headers}{'set-cookie'} // '', qr/; Max-Age=2;/, 'TEST 14: Max-Age=2');
my $c = PortfolioTest::cookie_from($r);
for (1 .. 5) {
    Time::HiRes::sleep(0.5);
    PortfolioTest::http(GET => '/api/me', cookie => $c);
}
$r = PortfolioTest::http(GET => '/api/me', cookie => $c);
is($r->{status}, 401, 'TEST 14: session over its lifetime refused');
is($r->{json} && $r->{json}{error}{code}, 'session_expired',
   'TEST 14: ... as session_expired');
--- request
GET /api/health



=== TEST 15: portfolio_write_queue 1: with one write running and one waiting, a third is refused 503 busy
--- http_config eval
PortfolioTest::http_config(plugins => ['testkit_quiet'], extra => 'portfolio_write_queue 1;')
--- init
my ($w, $gate, $pending, $c) = PortfolioTest::gated_writes(2);
# refused while the 1st still holds the writer: at once, not after it
my $r = PortfolioTest::http(POST => '/api/testkit/gated', cookie => $c, body => {});
is($r->{status}, 503, 'TEST 15: the third refused');
is($r->{json} && $r->{json}{error}{code}, 'busy', 'TEST 15: busy');
is($gate->()->{entered}, 1, 'TEST 15: ... while the 1st was still running');
ok($gate->(2), 'TEST 15: the two let through');
is_deeply([ map { PortfolioTest::collect($_)->[0]{status} } @$w ], [200, 200],
          'TEST 15: running, waiting: both written');
--- request
GET /api/health
--- response_body_like chomp
"pending_writes":0,



=== TEST 16: portfolio_batch_size 1: waiting writes commit one by one
--- http_config eval
PortfolioTest::http_config(plugins => ['testkit_quiet'], extra => 'portfolio_batch_size 1;')
--- init
# ordered by testkit's gate, not by sleeps: see t/plugins/testkit.c
my ($w, $gate, $pending) = PortfolioTest::gated_writes();
ok($gate->(1), 'TEST 16: the 1st let through');
is(PortfolioTest::collect($w->[0])->[0]{status}, 200, 'TEST 16: the 1st written');
ok(PortfolioTest::wait_until(sub { $gate->()->{entered} == 2 }), 'TEST 16: the 2nd runs');
ok($gate->(2), 'TEST 16: the 2nd let through');
# the 3rd is still at the gate: had it shared the 2nd's commit, the 2nd
# could not be answered yet
is(PortfolioTest::collect($w->[1])->[0]{status}, 200,
   'TEST 16: the 2nd answered while the 3rd had not run');
ok(PortfolioTest::wait_until(sub { $gate->()->{entered} == 3 }), 'TEST 16: the 3rd runs');
is($pending->(), 1, 'TEST 16: ... in a batch of its own');
ok($gate->(3), 'TEST 16: the 3rd let through');
is(PortfolioTest::collect($w->[2])->[0]{status}, 200, 'TEST 16: the 3rd written');
--- request
GET /api/health



=== TEST 17: default portfolio_batch_size: writes that waited together commit (and answer) together
--- http_config eval
PortfolioTest::http_config(plugins => ['testkit_quiet'])
--- init
my ($w, $gate, $pending) = PortfolioTest::gated_writes();
ok($gate->(1), 'TEST 17: the 1st let through');
is(PortfolioTest::collect($w->[0])->[0]{status}, 200, 'TEST 17: the 1st written');
ok(PortfolioTest::wait_until(sub { $gate->()->{entered} == 2 }), 'TEST 17: the 2nd runs');
ok($gate->(2), 'TEST 17: the 2nd let through');
ok(PortfolioTest::wait_until(sub { $gate->()->{entered} == 3 }), 'TEST 17: the 3rd runs');
is($pending->(), 2, 'TEST 17: ... in the 2nd one\'s batch');
ok($gate->(3), 'TEST 17: the 3rd let through');
is_deeply([ map { PortfolioTest::collect($_)->[0]{status} } @$w[1, 2] ], [200, 200],
          'TEST 17: both written');
--- request
GET /api/health



=== TEST 18: portfolio_api off leaves a location to nginx (no JSON API there)
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
--- config
location /api/ {
    portfolio_api on;
}
location /plain/ {
    portfolio_api off;
}
--- request eval
["GET /plain/health", "GET /api/health"]
--- error_code eval
[404, 200]
--- response_body_like eval
['<html>', '^\{"status":"ok"']



=== TEST 19: portfolio_bootstrap applied: schools and accounts from the file exist
--- init
open my $fh, "<", "$ENV{TEST_NGINX_SERVER_ROOT}/logs/error.log" or die "error.log: $!";
my $log = do { local $/; <$fh> };
like($log, qr/\[notice\].*portfolio_bootstrap: 8 account\(s\) created/,
     "TEST 19: the bootstrap created 8 accounts at start");
--- request
POST /api/session
{"username":"tpsh109000001","password":"other-pass-1"}
--- more_headers
Content-Type: application/json
--- response_body_like chomp
^\{"user":\{"id":"tpsh109000001","name":"外校人","school":"tpsh","roles":\["student","school_admin"\]\},"must_change_password":false\}$
--- no_error_log
[error]



=== TEST 20: without portfolio_bootstrap there are no accounts
--- http_config eval
PortfolioTest::http_config(bootstrap => undef)
--- request
POST /api/session
{"username":"tpsh109000001","password":"other-pass-1"}
--- more_headers
Content-Type: application/json
--- error_code: 401



=== TEST 21: bad portfolio_map_size: below 1m
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_map_size 1023k;
--- config
--- must_die
--- error_log
"portfolio_map_size" directive must be at least 1m



=== TEST 22: bad portfolio_map_size: not a size
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_map_size lots;
--- config
--- must_die
--- error_log
"portfolio_map_size" directive invalid value



=== TEST 23: bad portfolio_password_cost: 9 (below 10)
--- http_config eval
PortfolioTest::http_config(password_cost => 9, bootstrap => undef)
--- config
--- must_die
--- error_log
value must be between 10 and 22



=== TEST 24: bad portfolio_password_cost: 23 (above 22)
--- http_config eval
PortfolioTest::http_config(password_cost => 23, bootstrap => undef)
--- config
--- must_die
--- error_log
value must be between 10 and 22



=== TEST 25: bad portfolio_json_max_depth: 0
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
--- config eval
PortfolioTest::api_config('portfolio_json_max_depth 0;')
--- must_die
--- error_log
value must be between 1 and 256



=== TEST 26: bad portfolio_json_max_depth: 300
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_json_max_depth 300;
--- config
--- must_die
--- error_log
value must be between 1 and 256



=== TEST 27: bad portfolio_write_queue: 0
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_write_queue 0;
--- config
--- must_die
--- error_log
value must be between 1 and 1048576



=== TEST 28: bad portfolio_batch_size: 0
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_batch_size 0;
--- config
--- must_die
--- error_log
value must be between 1 and 65536



=== TEST 29: bad portfolio_cookie_name: a character a cookie name cannot hold
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_cookie_name "pf=sid";
--- config
--- must_die
--- error_log
"portfolio_cookie_name" directive may contain only letters, digits, "_", "-" and "."



=== TEST 30: bad portfolio_login_free_failures: 0
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_login_free_failures 0;
--- config
--- must_die
--- error_log
value must be between 1 and 1000



=== TEST 31: bad portfolio_session_idle: not a time
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_session_idle 30x;
--- config
--- must_die
--- error_log
"portfolio_session_idle" directive invalid value



=== TEST 32: bad portfolio_api: in a regex location without portfolio_api_prefix
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
--- config
location ~ ^/api/ {
    portfolio_api on;
}
--- must_die
--- error_log
"portfolio_api" in a regex location needs "portfolio_api_prefix"



=== TEST 33: bad portfolio_api: on without portfolio_data_dir
--- http_config
--- must_die
--- error_log
"portfolio_api" is on but "portfolio_data_dir" is not set



=== TEST 34: bad portfolio_bootstrap: the file does not exist
--- http_config eval
PortfolioTest::http_config(bootstrap => '$TEST_NGINX_SERVER_ROOT/html/no-such-file.json')
--- must_die
--- error_log eval
qr{\[emerg\].*open\(\) ".*/html/no-such-file\.json" failed \(2: No such file or directory\)}



=== TEST 35: bad portfolio_data_dir: given twice
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data2;
--- config
--- must_die
--- error_log
"portfolio_data_dir" directive is duplicate



=== TEST 36: bad portfolio_data_dir: empty
--- http_config
portfolio_data_dir "";
--- config
--- must_die
--- error_log
"portfolio_data_dir" directive must not be empty



=== TEST 37: bad portfolio_plugin: missing the path
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_plugin school;
--- config
--- must_die
--- error_log
invalid number of arguments in "portfolio_plugin" directive



=== TEST 38: bad portfolio_writer_pool: no such thread_pool
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_writer_pool nosuchpool;
--- config
--- must_die
--- error_log
unknown thread pool "nosuchpool"



=== TEST 39: bad portfolio_task_pool: no such thread_pool
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_task_pool hashers;
--- config
--- must_die
--- error_log
unknown thread pool "hashers"



=== TEST 40: bad portfolio_group_commit: not on/off
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_group_commit sometimes;
--- config
--- must_die
--- error_log
invalid value "sometimes" in "portfolio_group_commit" directive, it must be "on" or "off"



=== TEST 41: bad portfolio_login_max_delay: not a time
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_login_max_delay forever;
--- config
--- must_die
--- error_log
"portfolio_login_max_delay" directive invalid value



=== TEST 42: bad portfolio_session_idle: zero
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_session_idle 0;
--- config
--- must_die
--- error_log
portfolio_session_idle and portfolio_session_lifetime must be positive



=== TEST 43: bad portfolio_session_lifetime: zero
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_session_lifetime 0s;
--- config
--- must_die
--- error_log
portfolio_session_idle and portfolio_session_lifetime must be positive



=== TEST 44: bad portfolio_session_lifetime: not a time
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_session_lifetime 12hours;
--- config
--- must_die
--- error_log
"portfolio_session_lifetime" directive invalid value



=== TEST 45: bad portfolio_cookie_name: longer than 64 characters
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_cookie_name aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;
--- config
--- must_die
--- error_log
"portfolio_cookie_name" directive must be 1 to 64 characters



=== TEST 46: bad portfolio_bootstrap: not JSON
--- http_config eval
PortfolioTest::http_config(bootstrap => '$TEST_NGINX_SERVER_ROOT/html/boot.json')
--- user_files
>>> boot.json
{"schools": [ {"domain": "zlsh", }
--- must_die
--- error_log eval
qr{\[emerg\].*portfolio_bootstrap ".*/html/boot\.json": invalid JSON: }



=== TEST 47: bad portfolio_bootstrap: a user without roles stops the start
--- http_config eval
PortfolioTest::http_config(bootstrap => '$TEST_NGINX_SERVER_ROOT/html/boot.json')
--- user_files
>>> boot.json
{"users": [ {"id": "zlsh1", "school": "zlsh", "password": "x"} ]}
--- must_die
--- error_log
portfolio_bootstrap: every user needs "school", "roles" and an "id"
not applied



=== TEST 48: bad portfolio_api: not on/off
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
--- config
location /api/ {
    portfolio_api yes;
}
--- must_die
--- error_log
invalid value "yes" in "portfolio_api" directive, it must be "on" or "off"



=== TEST 49: bad portfolio_json_max_size: zero
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
--- config eval
PortfolioTest::api_config('portfolio_json_max_size 0;')
--- must_die
--- error_log
portfolio_json_max_size must not be zero



=== TEST 50: bad portfolio_json_max_size: not a size
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_json_max_size big;
--- config
--- must_die
--- error_log
"portfolio_json_max_size" directive invalid value



=== TEST 51: bad portfolio_bootstrap: JSON, but not an object
--- http_config eval
PortfolioTest::http_config(password_cost => undef, bootstrap => '$TEST_NGINX_SERVER_ROOT/html/boot.json')
--- user_files
>>> boot.json
[{"domain": "zlsh"}]
--- must_die
--- error_log eval
qr{\[emerg\].*portfolio_bootstrap ".*/html/boot\.json": not a JSON object}



=== TEST 52: bad portfolio_bootstrap: given twice
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_bootstrap $TEST_NGINX_ROOT/t/data/school.json;
portfolio_bootstrap $TEST_NGINX_ROOT/t/data/school.json;
--- config
--- must_die
--- error_log
"portfolio_bootstrap" directive is duplicate




=== TEST 53: good portfolio_api_prefix: an exact location for sign-ins (own limits) beside the API
--- config
location = /api/session {
    portfolio_api on;
    portfolio_api_prefix /api;
    add_header X-Sign-In-Location yes;
}
location /api/ {
    portfolio_api on;
}
--- request
POST /api/session
{"username":"zlsh108234567","password":"student-pass-1"}
--- more_headers
Content-Type: application/json
--- response_headers
X-Sign-In-Location: yes
--- response_body_like chomp
^\{"user":\{"id":"zlsh108234567"
--- error_code: 200



=== TEST 54: good portfolio_api_prefix: a regex location routes under the prefix
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
--- config
location ~ ^/(api|portfolio-api)/ {
    portfolio_api on;
    portfolio_api_prefix /portfolio-api;
}
--- request eval
["GET /portfolio-api/health", "GET /api/health"]
--- error_code eval
[200, 404]
