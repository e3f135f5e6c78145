# Issue 2 item 5, SPEC A1: sign-in, sessions and sign-out.
#
# Sign-in answers the user with roles and school and sets an HttpOnly,
# SameSite=Lax session cookie (also usable as "Authorization: Bearer");
# sign-out ends the session; wrong, unknown and empty credentials all get
# the same 401; an account with an initial password (SPEC A1) must change
# it before anything else; sessions end when idle or too old; only a hash
# of the token is stored; repeated wrong passwords are slowed down.
#
# Multi-step flows run in `--- init` (PortfolioTest + Test::More); every
# block still ends with a plain request of its own.

use Test::Nginx::Socket 'no_plan';
use PortfolioTest;
use Digest::SHA ();
use Time::HiRes ();
use JSON::PP ();

no_shuffle();
# the usual configuration (no plugin unless a block lists some)
PortfolioTest::block_defaults();
run_tests();

# --- helpers for the init sections (called as main::..., so they work
# --- whichever package the runner evaluates `init` in); the shared ones
# --- are in PortfolioTest: try_login, and is_json_error for an error
# --- answer (status, code, a message, the JSON content type)

# The token inside a "name=value" cookie.
sub main::token {
    my ($cookie) = @_;
    my (undef, $v) = split /=/, $cookie, 2;
    return $v;
}

# Runs `mdb_dump @args` on the block's store; returns the whole output.
sub main::mdb_dump {
    my (@args) = @_;
    my $file = "$ENV{TEST_NGINX_SERVER_ROOT}/html/data/portfolio.mdb";
    open my $fh, '-|', 'mdb_dump', '-n', @args, $file
        or die "cannot run mdb_dump: $!\n";
    my $out = do { local $/; <$fh> };
    close $fh or die "mdb_dump @args $file failed: $? $!\n";
    return $out;
}

__DATA__

=== TEST 1: SPEC A1 sign-in answers the user with roles and school and a session cookie
--- more_headers
Content-Type: application/json
--- request
POST /api/session
{"username":"zlsh100000001","password":"admin-pass-1"}
--- response_headers_like
Set-Cookie: pf_session=[A-Za-z0-9_-]{43}; Path=/; Max-Age=43200; HttpOnly; SameSite=Lax
Content-Type: application/json(; charset=utf-8)?
Cache-Control: no-store
--- response_body_like chomp
^\{"user":\{"id":"zlsh100000001","name":"[^"]+","school":"zlsh","roles":\["teacher","school_admin"\]\},"must_change_password":false\}$
--- no_error_log
[error]



=== TEST 2: issue 2 item 5 the session works as a cookie and as a bearer token
--- init
my $cookie = PortfolioTest::login('zlsh108234567', 'student-pass-1');
like($cookie, qr/^pf_session=[A-Za-z0-9_-]{43}$/, 'cookie name and token');

my $r = PortfolioTest::http(GET => '/api/me', cookie => $cookie);
is($r->{status}, 200, 'GET /api/me with the cookie');
is($r->{json}{user}{id}, 'zlsh108234567', '/me: id');
is($r->{json}{user}{school}, 'zlsh', '/me: school');
is_deeply($r->{json}{user}{roles}, ['student'], '/me: roles');
is($r->{json}{must_change_password}, JSON::PP::false(), '/me: no change needed');
my $s = $r->{json}{session} || {};
like($s->{created_ms} // '', qr/^\d{13}$/, '/me: session created_ms');
ok(($s->{expires_ms} // 0) > ($s->{created_ms} // 0), '/me: expires after created');

# a cookie among others, as browsers send them
$r = PortfolioTest::http(GET => '/api/me', cookie => "a=b; $cookie; c=d");
is($r->{status}, 200, 'the cookie among other cookies');

my $token = main::token($cookie);
$r = PortfolioTest::http(GET => '/api/me',
                         headers => { Authorization => "Bearer $token" });
is($r->{status}, 200, 'GET /api/me with Authorization: Bearer');
is($r->{json}{user}{id}, 'zlsh108234567', 'bearer: same user');

$r = PortfolioTest::http(GET => '/api/me',
                         headers => { Authorization => 'Bearer ' . ('A' x 43) });
PortfolioTest::is_json_error($r, 401, 'unauthenticated', 'an unknown bearer token');

$r = PortfolioTest::http(GET => '/api/me', cookie => 'pf_session=' . ('A' x 43));
PortfolioTest::is_json_error($r, 401, 'unauthenticated', 'an unknown cookie');

# the token is the whole secret: a changed character is another token
(my $other = $token) =~ s/^(.)/$1 eq 'x' ? 'y' : 'x'/e;
$r = PortfolioTest::http(GET => '/api/me', cookie => "pf_session=$other");
PortfolioTest::is_json_error($r, 401, 'unauthenticated', 'a token one character off');
--- request
GET /api/me
--- error_code: 401
--- response_body chomp
{"error":{"code":"unauthenticated","message":"請先登入"}}
--- response_headers_like
Content-Type: application/json(; charset=utf-8)?
--- no_error_log
[error]



=== TEST 3: issue 2 item 5 sign-out clears the cookie and ends that session only
--- init
my $c1 = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $c2 = PortfolioTest::login('zlsh108234567', 'student-pass-1');
isnt($c1, $c2, 'two sign-ins, two tokens');

my $r = PortfolioTest::http(DELETE => '/api/session', cookie => $c1);
is($r->{status}, 200, 'DELETE /api/session');
is($r->{body}, '{"signed_out":true}', 'sign-out body');
is(scalar @{ $r->{set_cookie} }, 1, 'one Set-Cookie');
is($r->{set_cookie}[0], 'pf_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax',
   'the cookie is cleared');

$r = PortfolioTest::http(GET => '/api/me', cookie => $c1);
PortfolioTest::is_json_error($r, 401, 'unauthenticated', 'the old cookie after sign-out');

$r = PortfolioTest::http(GET => '/api/me',
                         headers => { Authorization => 'Bearer ' . main::token($c1) });
PortfolioTest::is_json_error($r, 401, 'unauthenticated', 'the old token as bearer after sign-out');

$r = PortfolioTest::http(DELETE => '/api/session', cookie => $c1);
PortfolioTest::is_json_error($r, 401, 'unauthenticated', 'signing out twice');

$r = PortfolioTest::http(GET => '/api/me', cookie => $c2);
is($r->{status}, 200, 'the other session of the same user still works');

# sign-out through the bearer token
$r = PortfolioTest::http(DELETE => '/api/session',
                         headers => { Authorization => 'Bearer ' . main::token($c2) });
is($r->{status}, 200, 'sign-out with a bearer token');
$r = PortfolioTest::http(GET => '/api/me', cookie => $c2);
PortfolioTest::is_json_error($r, 401, 'unauthenticated', 'that session is gone too');
--- request
DELETE /api/session
--- error_code: 401
--- response_body chomp
{"error":{"code":"unauthenticated","message":"請先登入"}}
--- response_headers
!Set-Cookie
--- no_error_log
[error]



=== TEST 4: SPEC A1 a wrong password is 401 invalid_credentials, no cookie
--- more_headers
Content-Type: application/json
--- request
POST /api/session
{"username":"zlsh100000001","password":"admin-pass-2"}
--- error_code: 401
--- response_headers
!Set-Cookie
--- response_headers_like
Content-Type: application/json(; charset=utf-8)?
--- response_body chomp
{"error":{"code":"invalid_credentials","message":"帳號或密碼錯誤，請再確認一次"}}
--- no_error_log
[error]



=== TEST 5: SPEC A1 an unknown account gets the same 401 as a wrong password
--- more_headers
Content-Type: application/json
--- request
POST /api/session
{"username":"zlsh999999999","password":"admin-pass-1"}
--- error_code: 401
--- response_headers
!Set-Cookie
--- response_body chomp
{"error":{"code":"invalid_credentials","message":"帳號或密碼錯誤，請再確認一次"}}
--- no_error_log
[error]



=== TEST 6: SPEC A1 an empty password (or account name) is 401, never a sign-in
--- more_headers
Content-Type: application/json
--- request eval
[
"POST /api/session
{\"username\":\"zlsh100000001\",\"password\":\"\"}",
"POST /api/session
{\"username\":\"\",\"password\":\"admin-pass-1\"}",
]
--- error_code eval
[401, 401]
--- response_headers
!Set-Cookie
--- response_body eval
[
'{"error":{"code":"invalid_credentials","message":"帳號或密碼錯誤，請再確認一次"}}',
'{"error":{"code":"invalid_credentials","message":"帳號或密碼錯誤，請再確認一次"}}',
]
--- no_error_log
[error]



=== TEST 7: SPEC A1 missing or mistyped fields are 422
--- more_headers
Content-Type: application/json
--- request eval
[
"POST /api/session
{\"username\":\"zlsh100000001\"}",
"POST /api/session
{\"password\":\"admin-pass-1\"}",
"POST /api/session
{}",
"POST /api/session
{\"username\":\"zlsh100000001\",\"password\":12345678}",
"POST /api/session
[\"zlsh100000001\",\"admin-pass-1\"]",
]
--- error_code eval
[422, 422, 422, 422, 422]
--- response_body_like eval
[
'^\{"error":\{"code":"invalid_field","message":"欄位 \\\\"password\\\\" 必須是文字"\}\}$',
'^\{"error":\{"code":"invalid_field","message":"欄位 \\\\"username\\\\" 必須是文字"\}\}$',
'^\{"error":\{"code":"invalid_field","message":"欄位 \\\\"username\\\\" 必須是文字"\}\}$',
'^\{"error":\{"code":"invalid_field","message":"欄位 \\\\"password\\\\" 必須是文字"\}\}$',
'^\{"error":\{"code":"invalid_body","message":"請送出帳號與密碼：\{.+\}"\}\}$',
]
--- response_headers
!Set-Cookie
--- no_error_log
[error]



=== TEST 8: SPEC A1 an initial password must be changed first; then the session works everywhere
--- http_config eval
PortfolioTest::http_config(plugins => [qw(school testkit)])
--- init
# zlsh108234568: student number account, initial password = last 6 of the
# national ID B234567891
my $r = PortfolioTest::try_login('zlsh108234568', '567891');
is($r->{status}, 200, 'sign-in with the initial password');
is($r->{json}{must_change_password}, JSON::PP::true(), 'must_change_password is true');
my $cookie = PortfolioTest::cookie_from($r);
ok(defined $cookie, 'a session cookie even so');

$r = PortfolioTest::http(GET => '/api/schools/zlsh', cookie => $cookie);
PortfolioTest::is_json_error($r, 403, 'password_change_required', 'a plugin read before the change');
$r = PortfolioTest::http(GET => '/api/testkit/stats', cookie => $cookie);
PortfolioTest::is_json_error($r, 403, 'password_change_required', 'another plugin read before the change');
$r = PortfolioTest::http(POST => '/api/testkit/items', cookie => $cookie,
                         body => { id => 'before-change' });
PortfolioTest::is_json_error($r, 403, 'password_change_required', 'a plugin write before the change');

$r = PortfolioTest::http(GET => '/api/me', cookie => $cookie);
is($r->{status}, 200, 'GET /api/me is allowed');
is($r->{json}{must_change_password}, JSON::PP::true(), '/me says a change is needed');

$r = PortfolioTest::http(POST => '/api/password', cookie => $cookie,
                         body => { current => '567891', new => 'Blue-river-2024' });
is($r->{status}, 200, 'POST /api/password');
is($r->{body}, '{"changed":true}', 'password change body');

# the same session, now everywhere
$r = PortfolioTest::http(GET => '/api/schools/zlsh', cookie => $cookie);
is($r->{status}, 200, 'the plugin read works after the change, same session');
$r = PortfolioTest::http(POST => '/api/testkit/items', cookie => $cookie,
                         body => { id => 'after-change' });
is($r->{status}, 201, 'the plugin write works after the change');
$r = PortfolioTest::http(GET => '/api/me', cookie => $cookie);
is($r->{json}{must_change_password}, JSON::PP::false(), '/me: no change needed any more');

$r = PortfolioTest::try_login('zlsh108234568', '567891');
PortfolioTest::is_json_error($r, 401, 'invalid_credentials', 'the old password no longer signs in');
$r = PortfolioTest::try_login('zlsh108234568', 'Blue-river-2024');
is($r->{status}, 200, 'the new password signs in');
is($r->{json}{must_change_password}, JSON::PP::false(), 'and needs no change');

# sign-out is allowed before the change too (zlsh111122222: teacher,
# initial password = last 6 of A111122222)
my $t = PortfolioTest::login('zlsh111122222', '122222');
$r = PortfolioTest::http(GET => '/api/schools/zlsh', cookie => $t);
PortfolioTest::is_json_error($r, 403, 'password_change_required', 'the teacher before the change');
$r = PortfolioTest::http(DELETE => '/api/session', cookie => $t);
is($r->{status}, 200, 'DELETE /api/session is allowed before the change');
$r = PortfolioTest::http(GET => '/api/me', cookie => $t);
PortfolioTest::is_json_error($r, 401, 'unauthenticated', 'and it signed out');
--- more_headers
Content-Type: application/json
--- request
POST /api/session
{"username":"zlsh108234568","password":"567891"}
--- error_code: 401
--- response_body chomp
{"error":{"code":"invalid_credentials","message":"帳號或密碼錯誤，請再確認一次"}}
--- no_error_log
[error]



=== TEST 9: SPEC A1 password change refusals: wrong current, too short, unchanged, the account name
--- http_config eval
PortfolioTest::http_config(plugins => ['school'])
--- init
my $t = PortfolioTest::login('zlsh111122222', '122222');
my $pw = sub {
    PortfolioTest::http(POST => '/api/password', cookie => $t, body => $_[0]);
};

PortfolioTest::is_json_error($pw->({ current => '000000', new => 'Green-hill-77' }),
                             403, 'wrong_password', 'a wrong current password');
PortfolioTest::is_json_error($pw->({ current => '122222', new => 'short7!' }),
                             422, 'weak_password', '7 characters');
# 7 characters in 21 bytes: characters count, not bytes
PortfolioTest::is_json_error($pw->({ current => '122222', new => "\x{5bc6}\x{78bc}\x{5bc6}\x{78bc}\x{5bc6}\x{78bc}\x{5bc6}" }),
                             422, 'weak_password', '7 Chinese characters');
PortfolioTest::is_json_error($pw->({ current => '122222', new => 'x-zlsh111122222-x' }),
                             422, 'weak_password', 'containing the account name');
PortfolioTest::is_json_error($pw->({ current => '122222', new => 'ZLSH111122222!!' }),
                             422, 'weak_password', 'containing the account name in capitals');
PortfolioTest::is_json_error($pw->({ current => '122222' }),
                             422, 'invalid_field', 'no new password');
PortfolioTest::is_json_error($pw->({ new => 'Green-hill-77' }),
                             422, 'invalid_field', 'no current password');

# none of that changed anything
my $r = PortfolioTest::http(GET => '/api/schools/zlsh', cookie => $t);
PortfolioTest::is_json_error($r, 403, 'password_change_required', 'still must change');
$r = PortfolioTest::try_login('zlsh111122222', 'Green-hill-77');
PortfolioTest::is_json_error($r, 401, 'invalid_credentials', 'the refused passwords do not sign in');
$r = PortfolioTest::try_login('zlsh111122222', '122222');
is($r->{status}, 200, 'the initial password still signs in');

# the same as the current one (needs a current password of 8 or more)
my $c = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');
$r = PortfolioTest::http(POST => '/api/password', cookie => $c,
                         body => { current => 'teacher-pass-2', new => 'teacher-pass-2' });
PortfolioTest::is_json_error($r, 422, 'weak_password', 'the same as the current one');
$r = PortfolioTest::try_login('zlsh122233333', 'teacher-pass-2');
is($r->{status}, 200, 'which is still the password');

# 8 characters is enough (and 8 Chinese characters too)
$r = $pw->({ current => '122222', new => "\x{5bc6}\x{78bc}\x{5bc6}\x{78bc}\x{5bc6}\x{78bc}\x{5bc6}\x{78bc}" });
is($r->{status}, 200, '8 characters are accepted');
$r = PortfolioTest::try_login('zlsh111122222', "\x{5bc6}\x{78bc}\x{5bc6}\x{78bc}\x{5bc6}\x{78bc}\x{5bc6}\x{78bc}");
is($r->{status}, 200, 'and sign in');
--- more_headers
Content-Type: application/json
--- request
POST /api/password
{"current":"122222","new":"Green-hill-77"}
--- error_code: 401
--- response_body chomp
{"error":{"code":"unauthenticated","message":"請先登入"}}
--- no_error_log
[error]



=== TEST 10: issue 2 item 5 a session unused for portfolio_session_idle ends (use keeps it alive)
--- http_config eval
PortfolioTest::http_config(extra => 'portfolio_session_idle 2s;')
--- init
my $cookie = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $me = sub { PortfolioTest::http(GET => '/api/me', cookie => $cookie) };

is($me->()->{status}, 200, 'at once');
# each use moves the idle deadline: 2.4 s after sign-in it still works
Time::HiRes::sleep(1.2);
is($me->()->{status}, 200, 'after 1.2 s');
Time::HiRes::sleep(1.2);
is($me->()->{status}, 200, 'after 2.4 s (used 1.2 s ago)');

Time::HiRes::sleep(3);
PortfolioTest::is_json_error($me->(), 401, 'session_expired', '3 s without use');
PortfolioTest::is_json_error($me->(), 401, 'session_expired', 'and stays expired');

# a new sign-in works again
my $again = PortfolioTest::login('zlsh108234567', 'student-pass-1');
is(PortfolioTest::http(GET => '/api/me', cookie => $again)->{status}, 200,
   'a new session');
--- request
GET /api/me
--- error_code: 401
--- response_body chomp
{"error":{"code":"unauthenticated","message":"請先登入"}}
--- no_error_log
[error]



=== TEST 11: issue 2 item 5 a session ends after portfolio_session_lifetime however much it is used
--- http_config eval
PortfolioTest::http_config(extra => 'portfolio_session_lifetime 3s;')
--- init
my $t0 = Time::HiRes::time();
my $r = PortfolioTest::try_login('zlsh108234567', 'student-pass-1');
is($r->{status}, 200, 'sign-in');
like($r->{set_cookie}[0] // '', qr/; Max-Age=3;/, 'the cookie lives as long as the session');
my $cookie = PortfolioTest::cookie_from($r);
my $me = sub { PortfolioTest::http(GET => '/api/me', cookie => $cookie) };

for my $at (0, 1, 2) {
    Time::HiRes::sleep($t0 + $at - Time::HiRes::time()) if Time::HiRes::time() < $t0 + $at;
    is($me->()->{status}, 200, "used at ${at} s");
}

Time::HiRes::sleep($t0 + 4 - Time::HiRes::time()) if Time::HiRes::time() < $t0 + 4;
PortfolioTest::is_json_error($me->(), 401, 'session_expired', 'at 4 s, used every second');
--- request
GET /api/me
--- error_code: 401
--- no_error_log
[error]



=== TEST 12: issue 2 item 5 only the SHA-256 of a session token is stored
--- init
my $cookie = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $token = main::token($cookie);
my $hash = Digest::SHA::sha256_hex($token);

my $sessions = main::mdb_dump('-s', 'sessions');
like($sessions, qr/^ \Q$hash\E$/m, 'the sessions database has the SHA-256 as a key');
is(scalar(() = $sessions =~ /^ [0-9a-f]+$/mg), 2, 'one session: one key, one value');
# the value names the user (hex of "zlsh108234567")
like($sessions, qr/\Q${\ unpack('H*', '"zlsh108234567"') }\E/, 'the session names its user');

# not even a part of it (16 of its 43 characters)
my $part = substr($token, 0, 16);
my $all = main::mdb_dump('-a');
unlike($all, qr/\Q${\ unpack('H*', $part) }\E/, 'the token is nowhere in the store (hex)');
my $printable = main::mdb_dump('-a', '-p');
unlike($printable, qr/\Q$part\E/, 'the token is nowhere in the store (printable)');

# and the stored hash is not a token: it signs nobody in
my $r = PortfolioTest::http(GET => '/api/me', cookie => "pf_session=$hash");
PortfolioTest::is_json_error($r, 401, 'unauthenticated', 'the stored hash as a cookie');

# sign-out removes the record
PortfolioTest::http(DELETE => '/api/session', cookie => $cookie);
unlike(main::mdb_dump('-s', 'sessions'), qr/\Q$hash\E/, 'signed out: the record is gone');
--- request
GET /api/health
--- response_body_like chomp
"status":"ok"
--- no_error_log
[error]



=== TEST 13: issue 2 item 5 after portfolio_login_free_failures wrong passwords, sign-in waits (429)
--- http_config eval
PortfolioTest::http_config(extra => 'portfolio_login_free_failures 2;')
--- init
my $u = 'zlsh108234567';
PortfolioTest::is_json_error(PortfolioTest::try_login($u, 'wrong-1'), 401, 'invalid_credentials', 'wrong try 1');
PortfolioTest::is_json_error(PortfolioTest::try_login($u, 'wrong-2'), 401, 'invalid_credentials', 'wrong try 2');

# two free failures used up: the next try must wait 1 s, even with the
# right password
my $r = PortfolioTest::try_login($u, 'student-pass-1');
PortfolioTest::is_json_error($r, 429, 'too_many_attempts', 'the right password right after');
is($r->{headers}{'retry-after'}, '1', 'Retry-After: 1');
is(scalar @{ $r->{set_cookie} }, 0, 'no cookie');

# per account: another account is not slowed down
is(PortfolioTest::try_login('zlsh108234569', 'student-pass-3')->{status}, 200,
   'another account signs in meanwhile');

Time::HiRes::sleep($r->{headers}{'retry-after'} + 0.2);
$r = PortfolioTest::try_login($u, 'student-pass-1');
is($r->{status}, 200, 'the right password after Retry-After');

# that reset the counter: two free failures again, then a wait
PortfolioTest::is_json_error(PortfolioTest::try_login($u, 'wrong-3'), 401, 'invalid_credentials', 'wrong try after the reset 1');
PortfolioTest::is_json_error(PortfolioTest::try_login($u, 'wrong-4'), 401, 'invalid_credentials', 'wrong try after the reset 2');
PortfolioTest::is_json_error(PortfolioTest::try_login($u, 'wrong-5'), 429, 'too_many_attempts', 'third try after the reset');

# the delay grows: after one more failure it is 2 s
Time::HiRes::sleep(1.2);
PortfolioTest::is_json_error(PortfolioTest::try_login($u, 'wrong-6'), 401, 'invalid_credentials', 'wrong try after the wait');
$r = PortfolioTest::try_login($u, 'student-pass-1');
PortfolioTest::is_json_error($r, 429, 'too_many_attempts', 'then 429 again');
is($r->{headers}{'retry-after'}, '2', 'with Retry-After: 2');
--- more_headers
Content-Type: application/json
--- request
POST /api/session
{"username":"zlsh108234567","password":"student-pass-1"}
--- error_code: 429
--- response_headers
Retry-After: 2
--- response_body_like chomp
^\{"error":\{"code":"too_many_attempts","message":"[^"]+"\}\}$
--- no_error_log
[error]



=== TEST 14: issue 2 item 5 wrong passwords sent in parallel all count (no burst gets past the delay)
--- http_config eval
PortfolioTest::http_config(extra => 'portfolio_login_free_failures 2;')
--- init
# Eight wrong guesses at once: only the first two (in the order the writer
# records them) are free, the rest must wait -- as if they had come one
# after another.  (Before the fix all eight were checked and counted as one.)
my @guesses = map { "guess-$_" } 1 .. 8;
my $res = PortfolioTest::parallel([ map {
    { method => 'POST', path => '/api/session',
      body => { username => 'zlsh108234567', password => $_ } }
} @guesses ]);
my %n;
$n{ $_->{status} // 'none' }++ for @$res;
is($n{401} // 0, 2, 'two answered 401 (the free failures)');
is($n{429} // 0, 6, 'the other six answered 429');
ok(!grep({ ($_->{status} // '') eq '429' && !$_->{headers}{'retry-after'} } @$res),
   'each 429 has Retry-After');

# and the right password right after the burst waits too
my $r = PortfolioTest::try_login('zlsh108234567', 'student-pass-1');
PortfolioTest::is_json_error($r, 429, 'too_many_attempts', 'the right password after the burst');
--- more_headers
Content-Type: application/json
--- request
POST /api/session
{"username":"zlsh108234567","password":"student-pass-1"}
--- error_code: 429
--- response_headers_like
Retry-After: \d+
--- no_error_log
[error]



=== TEST 15: issue 2 item 5 a new password ends the account's other sessions; the one that changed it goes on
--- http_config eval
PortfolioTest::http_config(plugins => ['school'])
--- init
# three sessions of one student (say a phone, a lab PC, a stolen cookie)
my $a = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $b = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $c = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $other = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');
for ([$a, 'a'], [$b, 'b'], [$c, 'c'], [$other, 'another account']) {
    my $r = PortfolioTest::http(GET => '/api/me', cookie => $_->[0]);
    is($r->{status}, 200, "session $_->[1] works before the change");
}

# a refused change ends nothing
my $r = PortfolioTest::http(POST => '/api/password', cookie => $a,
                            body => { current => 'not-it', new => 'Green-hill-2025' });
PortfolioTest::is_json_error($r, 403, 'wrong_password', 'a wrong current password');
$r = PortfolioTest::http(GET => '/api/me', cookie => $b);
is($r->{status}, 200, 'session b still works after the refused change');

$r = PortfolioTest::http(POST => '/api/password', cookie => $a,
                         body => { current => 'student-pass-1', new => 'Green-hill-2025' });
is($r->{status}, 200, 'the change with session a');

$r = PortfolioTest::http(GET => '/api/me', cookie => $a);
is($r->{status}, 200, 'session a, which changed it, goes on');
is($r->{json}{user}{id}, 'zlsh108234567', 'as the same user');
$r = PortfolioTest::http(GET => '/api/schools/zlsh', cookie => $a);
is($r->{status}, 200, 'session a reads a plugin route too');
for ([$b, 'b'], [$c, 'c']) {
    $r = PortfolioTest::http(GET => '/api/me', cookie => $_->[0]);
    PortfolioTest::is_json_error($r, 401, 'session_expired', "session $_->[1] ended with the old password");
}
$r = PortfolioTest::http(GET => '/api/me',
                         headers => { Authorization => 'Bearer ' . main::token($b) });
PortfolioTest::is_json_error($r, 401, 'session_expired', 'session b as a bearer token too');
$r = PortfolioTest::http(GET => '/api/me', cookie => $other);
is($r->{status}, 200, "another account's session is untouched");

# a sign-in with the new password right after is a new, working session
my $d = PortfolioTest::login('zlsh108234567', 'Green-hill-2025');
$r = PortfolioTest::http(GET => '/api/me', cookie => $d);
is($r->{status}, 200, 'a new session with the new password works');
$r = PortfolioTest::http(GET => '/api/me', cookie => $a);
is($r->{status}, 200, 'and session a still does');
--- more_headers
Content-Type: application/json
--- request
GET /api/me
--- error_code: 401
--- response_body chomp
{"error":{"code":"unauthenticated","message":"請先登入"}}
--- no_error_log
[error]
