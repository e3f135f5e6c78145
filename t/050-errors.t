# Issue 2 item 3: every error is JSON, {"error":{"code":"...","message":"..."}}
# with Content-Type application/json and the right status: 400, 401, 403,
# 404, 405, 409, 413, 415, 422, 429 and 503 (with Retry-After).
# Issue 2 item 5: state-changing requests from another site are refused
# (403 cross_site_request); same-origin and non-browser clients are not.
#
# Multi-step flows run in `--- init` (PortfolioTest + Test::More); every
# block still ends with a plain request of its own.

use Test::Nginx::Socket 'no_plan';
use PortfolioTest;

no_shuffle();
# the usual configuration (no plugin unless a block lists some)
PortfolioTest::block_defaults();
run_tests();

# The init sections check each error answer with
# PortfolioTest::is_exact_error: the status, a body that is
# {"error":{"code","message"}} and nothing else, the content type.

__DATA__

=== TEST 1: issue 2 item 3 400 for bodies that are not valid JSON
--- config eval
PortfolioTest::api_config('portfolio_json_max_depth 3;')
--- more_headers
Content-Type: application/json
--- request eval
[
# not JSON
"POST /api/session
{username: \"zlsh100000001\", password: \"admin-pass-1\"}",
# truncated
"POST /api/session
{\"username\":\"zlsh100000001\",\"password\":",
# invalid UTF-8 byte in a string
"POST /api/session
{\"username\":\"zlsh\xff100000001\",\"password\":\"admin-pass-1\"}",
# overlong UTF-8 form of '/'
"POST /api/session
{\"username\":\"zlsh\xc0\xaf100000001\",\"password\":\"admin-pass-1\"}",
# a UTF-16 surrogate written as UTF-8 bytes
"POST /api/session
{\"username\":\"zlsh\xed\xa0\x80\",\"password\":\"admin-pass-1\"}",
# NUL inside a string
"POST /api/session
{\"username\":\"zlsh100000001\\u0000\",\"password\":\"admin-pass-1\"}",
# 4 levels with portfolio_json_max_depth 3
"POST /api/session
{\"username\":\"zlsh100000001\",\"password\":\"admin-pass-1\",\"x\":{\"y\":[{}]}}",
# duplicate keys: which one wins differs between readers
"POST /api/session
{\"username\":\"zlsh108234567\",\"username\":\"zlsh100000001\",\"password\":\"admin-pass-1\"}",
# trailing garbage
"POST /api/session
{\"username\":\"zlsh100000001\",\"password\":\"admin-pass-1\"} {}",
]
--- error_code eval
[400, 400, 400, 400, 400, 400, 400, 400, 400]
--- response_headers
Content-Type: application/json; charset=utf-8
!Set-Cookie
--- response_body_like eval
[
'^\{"error":\{"code":"bad_json","message":"送出的資料不是正確的 JSON[^"]*"\}\}$',
'^\{"error":\{"code":"bad_json","message":"送出的資料不是正確的 JSON[^"]*"\}\}$',
'^\{"error":\{"code":"bad_json","message":"送出的資料不是正確的 JSON（[^"]*UTF-?8[^"]*"\}\}$',
'^\{"error":\{"code":"bad_json","message":"送出的資料不是正確的 JSON（[^"]*UTF-?8[^"]*"\}\}$',
'^\{"error":\{"code":"bad_json","message":"送出的資料不是正確的 JSON（[^"]*UTF-?8[^"]*"\}\}$',
'^\{"error":\{"code":"bad_json","message":"送出的資料不是正確的 JSON[^"]*"\}\}$',
'^\{"error":\{"code":"bad_json","message":"送出的資料不是正確的 JSON（層次太深：最多 3 層），請檢查後重新送出"\}\}$',
'^\{"error":\{"code":"bad_json","message":"送出的資料不是正確的 JSON（同一個物件裡有重複的欄位名稱），請檢查後重新送出"\}\}$',
'^\{"error":\{"code":"bad_json","message":"送出的資料不是正確的 JSON[^"]*"\}\}$',
]
--- no_error_log
[error]



=== TEST 2: issue 2 item 3 400 boundaries: exactly portfolio_json_max_depth parses; a POST needs a body
--- config eval
PortfolioTest::api_config('portfolio_json_max_depth 3;')
--- more_headers eval
[
"Content-Type: application/json",
"Content-Type: application/json
Content-Length: 0",
]
--- request eval
[
# 3 levels: parsed, then the credentials are checked
"POST /api/session
{\"username\":\"zlsh100000001\",\"password\":\"admin-pass-1\",\"x\":{\"y\":[]}}",
"POST /api/session
",
]
--- error_code eval
[200, 400]
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body_like eval
[
'^\{"user":\{"id":"zlsh100000001",',
'^\{"error":\{"code":"bad_(?:request|json)","message":"[^"]+"\}\}$',
]
--- no_error_log
[error]



=== TEST 3: issue 2 item 3 401 without a session
--- http_config eval
PortfolioTest::http_config(plugins => ['school'])
--- request eval
["GET /api/me", "GET /api/schools/zlsh", "DELETE /api/session"]
--- error_code eval
[401, 401, 401]
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body chomp
{"error":{"code":"unauthenticated","message":"請先登入"}}
--- no_error_log
[error]



=== TEST 4: issue 2 item 3 403 for roles, scope and cross-site requests
--- http_config eval
PortfolioTest::http_config(plugins => ['school'])
--- init
my $student = PortfolioTest::login('zlsh108234567', 'student-pass-1');
PortfolioTest::is_exact_error(PortfolioTest::http(GET => '/api/schools/zlsh/settings', cookie => $student),
                              403, 'forbidden', 'a student reads school settings');
PortfolioTest::is_exact_error(PortfolioTest::http(GET => '/api/schools/tpsh', cookie => $student),
                              403, 'out_of_scope', 'a student reads another school');
is(PortfolioTest::http(GET => '/api/schools/zlsh', cookie => $student)->{status}, 200,
   'but may read the own school');
my $admin = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
is(PortfolioTest::http(GET => '/api/schools/zlsh/settings', cookie => $admin)->{status}, 200,
   'the school admin reads the settings');
--- more_headers
Content-Type: application/json
Origin: http://evil.example
--- request
POST /api/session
{"username":"zlsh100000001","password":"admin-pass-1"}
--- error_code: 403
--- response_headers
Content-Type: application/json; charset=utf-8
!Set-Cookie
--- response_body_like chomp
^\{"error":\{"code":"cross_site_request","message":"[^"]+"\}\}$
--- no_error_log
[error]



=== TEST 5: issue 2 item 3 404 for unknown routes, whatever the method or body
--- more_headers
Content-Type: application/json
--- request eval
[
"GET /api/nope",
"GET /api/",
"GET /api/health/more",
"GET /api/schools/zlsh",
"POST /api/nope
{\"a\":1}",
"POST /api/nope
{broken",
]
--- error_code eval
[404, 404, 404, 404, 404, 404]
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body chomp
{"error":{"code":"not_found","message":"伺服器沒有這項功能（沒有這個網址）；請確認網址，或請系統管理者載入提供它的外掛"}}
--- no_error_log
[error]



=== TEST 6: issue 2 item 3 405 for a known path with another method
--- more_headers
Content-Type: application/json
--- request eval
[
"PUT /api/health
{}",
"POST /api/health
{}",
"DELETE /api/me",
"GET /api/session",
"PATCH /api/password
{}",
]
--- error_code eval
[405, 405, 405, 405, 405]
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body eval
[
'{"error":{"code":"method_not_allowed","message":"這個網址不接受 PUT 操作"}}',
'{"error":{"code":"method_not_allowed","message":"這個網址不接受 POST 操作"}}',
'{"error":{"code":"method_not_allowed","message":"這個網址不接受 DELETE 操作"}}',
'{"error":{"code":"method_not_allowed","message":"這個網址不接受 GET 操作"}}',
'{"error":{"code":"method_not_allowed","message":"這個網址不接受 PATCH 操作"}}',
]
--- no_error_log
[error]



=== TEST 7: issue 2 item 3 409 when a plugin finds a conflict
--- http_config eval
PortfolioTest::http_config(plugins => ['testkit'])
--- init
my $c = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $r = PortfolioTest::http(POST => '/api/testkit/items', cookie => $c, body => { id => 'dup' });
is($r->{status}, 201, 'the first item');
is($r->{headers}{'content-type'}, 'application/json; charset=utf-8', '201 is JSON too');
$r = PortfolioTest::http(POST => '/api/testkit/items', cookie => $c, body => { id => 'dup' });
PortfolioTest::is_exact_error($r, 409, 'conflict', 'the same item again');
like($r->{body}, qr/item dup exists/, 'the message names the item');
$r = PortfolioTest::http(POST => '/api/testkit/items', cookie => $c, body => { id => 'other' });
is($r->{status}, 201, 'another item still works');
--- request
GET /api/health
--- response_body_like chomp
^\{"status":"ok",
--- no_error_log
[error]



=== TEST 8: issue 2 item 3 413 for a body above portfolio_json_max_size (by length, or once read when chunked)
--- config eval
PortfolioTest::api_config('portfolio_json_max_size 64;')
--- more_headers
Content-Type: application/json
--- request eval
[
# 64 bytes: allowed (then the password is wrong)
"POST /api/session
{\"username\":\"zlsh100000001\",\"password\":\"admin-pass-wrong-xxxxx\"}",
# 65 bytes
"POST /api/session
{\"username\":\"zlsh100000001\",\"password\":\"admin-pass-wrong-xxxxxx\"}",
# far above
"POST /api/session
{\"username\":\"zlsh100000001\",\"password\":\"" . ("x" x 5000) . "\"}",
]
--- error_code eval
[401, 413, 413]
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body eval
[
'{"error":{"code":"invalid_credentials","message":"帳號或密碼錯誤，請再確認一次"}}',
'{"error":{"code":"body_too_large","message":"送出的資料太大：上限 64 位元組"}}',
'{"error":{"code":"body_too_large","message":"送出的資料太大：上限 64 位元組"}}',
]
--- no_error_log
[error]



=== TEST 9: issue 2 item 3 413 for a chunked body above portfolio_json_max_size
--- config eval
PortfolioTest::api_config('portfolio_json_max_size 64;')
--- raw_request eval
"POST /api/session HTTP/1.1\r
Host: localhost\r
Connection: close\r
Content-Type: application/json\r
Transfer-Encoding: chunked\r
\r
41\r
{\"username\":\"zlsh100000001\",\"password\":\"admin-pass-wrong-xxxxxx\"}\r
0\r
\r
"
--- error_code: 413
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body chomp
{"error":{"code":"body_too_large","message":"送出的資料太大：上限 64 位元組"}}
--- no_error_log
[error]



=== TEST 10: issue 2 item 3 413 comes from Content-Length, before the body is sent
--- config eval
PortfolioTest::api_config('portfolio_json_max_size 64;')
--- raw_request eval
"POST /api/session HTTP/1.1\r
Host: localhost\r
Connection: close\r
Content-Type: application/json\r
Content-Length: 100000\r
\r
{\"username\":"
--- timeout: 3
--- error_code: 413
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body chomp
{"error":{"code":"body_too_large","message":"送出的資料太大：上限 64 位元組"}}
--- no_error_log
[error]


=== TEST 11: issue 2 item 3 415 for bodies that are not application/json (forms, text)
--- more_headers eval
[
"Content-Type: text/plain",
"Content-Type: application/x-www-form-urlencoded",
"Content-Type: multipart/form-data; boundary=xyz",
"X-No-Content-Type: 1",
"Content-Type: application/jsonp",
"Content-Type: text/plain; charset=utf-8",
"Content-Type: application/json; charset=utf-8",
"Content-Type: Application/JSON",
]
--- request eval
[
("POST /api/session
{\"username\":\"zlsh100000001\",\"password\":\"admin-pass-1\"}") x 8
]
--- error_code eval
[415, 415, 415, 415, 415, 415, 200, 200]
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body_like eval
[
('^\{"error":\{"code":"unsupported_media_type","message":"資料格式不符：請以 application/json 送出"\}\}$') x 6,
('^\{"user":\{"id":"zlsh100000001",') x 2
]
--- no_error_log
[error]



=== TEST 12: issue 2 item 3 422 for JSON of the wrong shape
--- http_config eval
PortfolioTest::http_config(plugins => ['testkit'])
--- init
my $c = PortfolioTest::login('zlsh108234567', 'student-pass-1');
PortfolioTest::is_exact_error(PortfolioTest::http(POST => '/api/testkit/slow', cookie => $c, body => { ms => -1 }),
                              422, 'invalid_field', 'a plugin refuses a field');
PortfolioTest::is_exact_error(PortfolioTest::http(POST => '/api/testkit/items', cookie => $c, body => [1]),
                              422, 'invalid_field', 'an array instead of an object');
PortfolioTest::is_exact_error(PortfolioTest::http(POST => '/api/password', cookie => $c,
                                                  body => { current => 'student-pass-1', new => 'short' }),
                              422, 'weak_password', 'a weak new password');
--- more_headers
Content-Type: application/json
--- request
POST /api/session
{"username":["zlsh100000001"],"password":"admin-pass-1"}
--- error_code: 422
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body chomp
{"error":{"code":"invalid_field","message":"欄位 \"username\" 必須是文字"}}
--- no_error_log
[error]



=== TEST 13: issue 2 item 3 429 with Retry-After after too many wrong passwords
--- http_config eval
PortfolioTest::http_config(extra => 'portfolio_login_free_failures 1;')
--- more_headers
Content-Type: application/json
--- request eval
[
"POST /api/session
{\"username\":\"zlsh100000001\",\"password\":\"wrong\"}",
"POST /api/session
{\"username\":\"zlsh100000001\",\"password\":\"admin-pass-1\"}",
]
--- error_code eval
[401, 429]
--- response_headers eval
[
"Content-Type: application/json; charset=utf-8
!Retry-After",
"Content-Type: application/json; charset=utf-8
Retry-After: 1
!Set-Cookie",
]
--- response_body_like eval
[
'^\{"error":\{"code":"invalid_credentials","message":"[^"]+"\}\}$',
'^\{"error":\{"code":"too_many_attempts","message":"[^"]+"\}\}$',
]
--- no_error_log
[error]



=== TEST 14: issue 2 item 3 503 with Retry-After when the write queue is full
--- http_config eval
PortfolioTest::http_config(plugins => ['testkit_quiet'], extra => 'portfolio_write_queue 1;')
--- init
my ($w, $gate, $pending, $c) = PortfolioTest::gated_writes(2);

# One gated write holds the writer, one waits (the queue holds one):
# every further write is refused at once, each with its Retry-After,
# while the first is still held.
for my $n (1 .. 4) {
    my $r = PortfolioTest::http(POST => '/api/testkit/items', cookie => $c,
                                body => { id => "burst-$n" });
    PortfolioTest::is_exact_error($r, 503, 'busy', "refused write $n");
    like($r->{headers}{'retry-after'} // '', qr/^[1-9]\d*$/, 'with Retry-After');
}
is($gate->()->{entered}, 1, '... while the first was still held');
is($pending->(), 2, 'the waiting write kept its place');
ok($gate->(2), 'the two let through');
is_deeply([ map { PortfolioTest::collect($_)->[0]{status} } @$w ], [200, 200],
          'the held and the waiting write succeeded');
my $r = PortfolioTest::http(POST => '/api/testkit/items', cookie => $c,
                            body => { id => 'burst-1' });
is($r->{status}, 201, 'the refused writes wrote nothing; once the queue drained, a write is accepted');
--- request
GET /api/health
--- response_body_like chomp
"pending_writes":0,
--- no_error_log
[error]



=== TEST 15: issue 2 item 5 cross-site state changes are refused; same-origin and non-browser ones are not
--- more_headers eval
[
"Content-Type: application/json
Origin: http://evil.example",
"Content-Type: application/json
Sec-Fetch-Site: cross-site",
"Content-Type: application/json
Sec-Fetch-Site: same-site",
"Content-Type: application/json
Origin: null",
"Content-Type: application/json
Host: localhost:$ENV{TEST_NGINX_SERVER_PORT}
Origin: http://localhost:9",
"Content-Type: application/json
Host: localhost
Origin: http://localhost.evil.example",
"Content-Type: application/json
origin: http://evil.example",
"Content-Type: application/json
Host: localhost:$ENV{TEST_NGINX_SERVER_PORT}
Sec-Fetch-Site: cross-site
Origin: http://localhost:$ENV{TEST_NGINX_SERVER_PORT}",
# allowed: same origin, with and without a port
"Content-Type: application/json
Host: localhost:$ENV{TEST_NGINX_SERVER_PORT}
Origin: http://localhost:$ENV{TEST_NGINX_SERVER_PORT}",
"Content-Type: application/json
Host: localhost
Origin: http://localhost",
"Content-Type: application/json
Host: localhost:$ENV{TEST_NGINX_SERVER_PORT}
Sec-Fetch-Site: same-origin
Origin: http://localhost:$ENV{TEST_NGINX_SERVER_PORT}",
"Content-Type: application/json
Sec-Fetch-Site: none",
# allowed: no Origin, no Sec-Fetch-Site (curl, scripts)
"Content-Type: application/json",
]
--- request eval
[
("POST /api/session
{\"username\":\"zlsh100000001\",\"password\":\"admin-pass-1\"}") x 13
]
--- error_code eval
[403, 403, 403, 403, 403, 403, 403, 403, 200, 200, 200, 200, 200]
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body_like eval
[
('^\{"error":\{"code":"cross_site_request","message":"[^"]+"\}\}$') x 8,
('^\{"user":\{"id":"zlsh100000001",') x 5
]
--- no_error_log
[error]



=== TEST 16: issue 2 item 5 a cross-site request cannot sign out, change a password or write; reads still work
--- http_config eval
PortfolioTest::http_config(plugins => ['testkit'])
--- init
my $c = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my %evil = (Origin => 'http://evil.example');

PortfolioTest::is_exact_error(PortfolioTest::http(DELETE => '/api/session', cookie => $c, headers => \%evil),
                              403, 'cross_site_request', 'cross-site sign-out');
PortfolioTest::is_exact_error(PortfolioTest::http(POST => '/api/password', cookie => $c, headers => \%evil,
                                                  body => { current => 'student-pass-1', new => 'Evil-choice-99' }),
                              403, 'cross_site_request', 'cross-site password change');
PortfolioTest::is_exact_error(PortfolioTest::http(POST => '/api/testkit/items', cookie => $c,
                                                  headers => { 'Sec-Fetch-Site' => 'cross-site' },
                                                  body => { id => 'planted' }),
                              403, 'cross_site_request', 'cross-site plugin write');

my $r = PortfolioTest::http(GET => '/api/me', cookie => $c, headers => \%evil);
is($r->{status}, 200, 'a cross-site read is answered (the browser keeps it from the page)');
is($r->{json}{user}{id}, 'zlsh108234567', 'the session is still there');
$r = PortfolioTest::http(POST => '/api/testkit/items', cookie => $c, body => { id => 'planted' });
is($r->{status}, 201, 'the refused item was never stored');
$r = PortfolioTest::http(POST => '/api/session',
                         body => { username => 'zlsh108234567', password => 'student-pass-1' });
is($r->{status}, 200, 'the password is unchanged');
--- more_headers
Content-Type: application/json
Sec-Fetch-Site: cross-site
--- request
DELETE /api/session
--- error_code: 401
--- response_body chomp
{"error":{"code":"unauthenticated","message":"請先登入"}}
--- no_error_log
[error]
