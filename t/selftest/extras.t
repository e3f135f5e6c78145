# Less common parts of the runner: 'no_plan' import, log_level(),
# env_to_nginx(), no_root_location(), add_block_preprocessor(), the exported
# path/port functions, more_headers/response_body as per-request arrays,
# user_files eval, shutdown_error_log, and filters_delay() letting `eval`
# sections see what an earlier block's init did.

use Test::Nginx::Socket 'no_plan';
use PortfolioTest;

log_level('info');
env_to_nginx('PORTFOLIO_SELFTEST=1');
no_root_location();
no_shuffle();
filters_delay();

# Every block without a config gets this one.
add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value(config => <<'END') unless defined $block->config;
    location = /hdr { return 200 "x=$http_x_value\n"; }
END
});

our $Token;

is(server_port(), $ENV{TEST_NGINX_SERVER_PORT}, 'server_port() matches the env');
is(html_dir(), server_root() . '/html', 'html_dir() is under server_root()');
is($Test::Nginx::Socket::RepeatEach, 1, '$Test::Nginx::Socket::RepeatEach works');

run_tests();

__DATA__

=== TEST 1: generated config: log level, env, no root location
--- init
open my $fh, '<', "$ENV{TEST_NGINX_SERVER_ROOT}/conf/nginx.conf" or die $!;
my $conf = do { local $/; <$fh> };
die "log level\n"        unless $conf =~ m{error_log \S+/logs/error\.log info;};
die "env_to_nginx\n"     unless $conf =~ /^env PORTFOLIO_SELFTEST=1;$/m;
die "root location\n"    if $conf =~ /location \/ \{/;
die "preprocessor\n"     unless $conf =~ m{location = /hdr};
$Token = PortfolioTest::http(GET => '/hdr', headers => { 'X-Value' => 'tok42' })->{body};
chomp $Token;
--- request
GET /hdr
--- response_body
x=
--- no_error_log
[debug]



=== TEST 2: eval sections run after the previous block (filters_delay)
--- more_headers eval
"X-Value: $main::Token"
--- request
GET /hdr
--- response_body
x=x=tok42



=== TEST 3: per-request more_headers and response_body arrays
--- request eval
["GET /hdr", "GET /hdr"]
--- more_headers eval
["X-Value: one", "X-Value: two"]
--- response_body eval
["x=one\n", "x=two\n"]



=== TEST 4: user_files eval, served by a location of the block's own
--- config
    location / { root $TEST_NGINX_HTML_DIR; }
--- user_files eval
[["a.txt", "A\n"], ["deep/b.txt", "B\n"]]
--- request eval
["GET /a.txt", "GET /deep/b.txt"]
--- response_body eval
["A\n", "B\n"]



=== TEST 5: shutdown_error_log sees what nginx logs while stopping
--- request
GET /hdr
--- shutdown_error_log
shutting down
--- response_body
x=
