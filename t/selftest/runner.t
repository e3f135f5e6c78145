# Self-test of our Test::Nginx::Socket work-alike (t/lib/Test/Nginx/), using
# only stock nginx features, so that a broken runner is told apart from a
# broken module.  Failure detection is covered by detects_failures.t;
# master_on()/workers() by master.t (they are file-wide settings).

use Test::Nginx::Socket;
use PortfolioTest;

repeat_each(2);
no_shuffle();    # TEST 12 relies on a global that TEST 11's init sets

# Every check below runs once per repetition; see the per-block counts.
plan tests => repeat_each() * 54;

run_tests();

__DATA__

=== TEST 1: simple request, exact response body
--- config
    location = /hi {
        return 200 "hi\n";
    }
--- request
GET /hi
--- response_body
hi



=== TEST 2: response_body_like is unanchored and spans lines
--- config
    location = /t {
        return 200 "first line\nsecond line 42\n";
    }
--- request
GET /t
--- response_body_like: line \d+



=== TEST 3: response headers (present, absent, empty), _like, chomp
--- config
    location = /h {
        add_header X-Foo bar;
        add_header X-Multi "a b";
        return 200 "x";
    }
--- request
GET /h
--- response_headers
X-Foo: bar
X-Multi: a b
!X-Absent
X-Also-Absent:
Content-Type: text/plain
--- response_headers_like
Server: nginx(/[\d.]+)?
Content-Length: \d+
--- response_body chomp
x



=== TEST 4: request eval array, error_code eval array, per-request bodies
--- config
    location = /ok { return 200 "ok\n"; }
    location = /gone { return 410; }
--- request eval
["GET /ok", "GET /gone", "GET /nowhere"]
--- error_code eval
[200, 410, 404]
--- response_body_like eval
["^ok\$", "410 Gone", "404 Not Found"]



=== TEST 5: more_headers, and $TEST_NGINX_ variables in every section
--- config
    location = /echo {
        return 200 "foo=$http_x_foo bar=$http_x_bar port=$TEST_NGINX_SERVER_PORT\n";
    }
--- more_headers
X-Foo: hello
X-Bar: $TEST_NGINX_SERVER_PORT
--- request
GET /echo
--- response_body
foo=hello bar=$TEST_NGINX_SERVER_PORT port=$TEST_NGINX_SERVER_PORT



=== TEST 6: request body gets Content-Length (trimmed, as in Test::Nginx)
--- config
    location = /len {
        return 200 "len=$content_length type=$http_content_type method=$request_method\n";
    }
--- more_headers
Content-Type: application/json
--- request
POST /len
{"a":1}
--- response_body
len=7 type=application/json method=POST



=== TEST 7: error_log and no_error_log with plain strings
--- request
GET /no-such-file.html
--- error_code: 404
--- error_log
no-such-file.html" failed (2: No such file or directory)
--- no_error_log
[alert]
[crit]



=== TEST 8: error_log eval with a regex and a string, no_error_log eval
--- config
    location = /t { return 200 "t\n"; }
--- request
GET /t?arg=xyz
--- error_log eval
[qr/http request line: "GET \/t\?arg=xyz HTTP\/1\.1"/, "http finalize request"]
--- no_error_log eval
qr/\[error\]/



=== TEST 9: must_die with an unknown directive
--- config
    this_is_not_a_directive on;
--- must_die
--- error_log
unknown directive "this_is_not_a_directive"



=== TEST 10: user_files are written under html/ and served
--- user_files
>>> index.html
<h1>hello</h1>
>>> sub/dir/data.txt
some data
--- request eval
["GET /", "GET /sub/dir/data.txt"]
--- response_body eval
["<h1>hello</h1>\n", "some data\n"]



=== TEST 11: init uses PortfolioTest against this block's nginx, sets a global
--- config
    location = /api/session {
        add_header Set-Cookie "sid=s3cr3t; Path=/; HttpOnly";
        add_header Set-Cookie "other=1; Path=/";
        return 200 '{"ok":true,"len":"$content_length","type":"$http_content_type"}';
    }
    location = /whoami {
        return 200 "sid=$cookie_sid\n";
    }
--- init
my $r = PortfolioTest::http(GET => '/whoami', cookie => 'sid=abc');
die "status $r->{status}\n" unless $r->{status} == 200;
die "body $r->{body}\n" unless $r->{body} eq "sid=abc\n";
die "headers not lower-cased\n" unless $r->{headers}{'content-type'} eq 'text/plain';

my $c = PortfolioTest::login('alice', 'pw');
die "login cookie $c\n" unless $c eq 'sid=s3cr3t';

my $j = PortfolioTest::http(POST => '/api/session',
                            body => { username => 'alice', password => 'pw' });
die "json not decoded: $j->{body}\n" unless $j->{json} && $j->{json}{ok};
die "json body not sent\n"
    unless $j->{json}{len} == length('{"password":"pw","username":"alice"}')
        && $j->{json}{type} eq 'application/json';
die "set_cookie list\n" unless @{ $j->{set_cookie} } == 2
                            && $j->{headers}{'set-cookie'} =~ /^sid=/;
die "cookie_from\n" unless PortfolioTest::cookie_from($j) eq 'sid=s3cr3t';

$main::session_cookie = $c;
--- request
GET /whoami
--- more_headers
Cookie: sid=from-request
--- response_body
sid=from-request



=== TEST 12: a later block sees the global an earlier init set
--- config
    location = /whoami { return 200 "sid=$cookie_sid\n"; }
--- init
die "global from TEST 11 missing\n"
    unless ($main::session_cookie // '') eq 'sid=s3cr3t';
my $r = PortfolioTest::http(GET => '/whoami', cookie => $main::session_cookie);
die "cookie not sent: $r->{body}\n" unless $r->{body} eq "sid=s3cr3t\n";
--- request
GET /whoami
--- response_body
sid=



=== TEST 13: chunked responses are decoded
--- config
    location = /chunked {
        sub_filter_types text/plain;
        sub_filter 'world' 'there';
        return 200 "hello world\n";
    }
--- request
GET /chunked
--- response_headers
Transfer-Encoding: chunked
!Content-Length
--- response_body
hello there



=== TEST 14: pipelined requests share one connection
--- config
    location = /a { return 200 "a $connection\n"; }
    location = /b { return 201 "b $connection\n"; }
--- pipelined_requests eval
["GET /a", "GET /b"]
--- error_code eval
[200, 201]
--- response_body_like eval
['^a (\d+)$', '^b (\d+)$']



=== TEST 15: raw_request is sent as is
--- config
    location = /raw { return 200 "raw $request_method $server_protocol\n"; }
--- raw_request eval
"GET /raw HTTP/1.0\r\nHost: localhost\r\n\r\n"
--- response_body
raw GET HTTP/1.0



=== TEST 16: HEAD responses have no body
--- config
    location = /h { return 200 "body\n"; }
--- request
HEAD /h
--- response_headers
Content-Length: 5
--- response_body chomp
