package Test::Nginx::Socket;

# Our own implementation of the data-driven test format of Test::Nginx::Socket
# (which Debian does not package and CPAN is out of reach), so that `.t` files
# written for the real module run unchanged:
#
#     use Test::Nginx::Socket;            # or: use Test::Nginx::Socket 'no_plan';
#     repeat_each(2);
#     plan tests => repeat_each() * 2 * blocks();
#     run_tests();
#     __DATA__
#     === TEST 1: hello
#     --- config
#         location = /t { return 200 "hi\n"; }
#     --- request
#     GET /t
#     --- response_body
#     hi
#
# Like the original it is a Test::Base subclass: Test::Base parses __DATA__
# into blocks and sections and applies section filters (eval, chomp, ...)
# when blocks() is called, i.e. for all blocks before the first one runs.
# The section semantics implemented here are documented at the end of the
# file.

use strict;
use warnings;

# `use base` (not `use Test::Base -Base`) keeps Spiffy's source filter out of
# this file, while Test::Base's import() -- inherited -- still does the usual
# work in the test file: plan arguments, strict/warnings, and exporting both
# Test::Base's functions and our @EXPORT through Spiffy.
use base 'Test::Base';

use Test::More ();
use Time::HiRes qw(sleep time);
use List::Util qw(shuffle);

use Test::Nginx::Util ();
use PortfolioHTTP ();

our $VERSION = '0.01';

our @EXPORT = qw(
    run_tests run_test repeat_each
    master_on master_off master_process_enabled workers worker_connections
    no_shuffle no_long_string log_level no_root_location
    env_to_nginx add_block_preprocessor config_preamble
    server_port port server_name server_root html_dir servroot
    timeout_default error_log_data access_log_data is_str bail_out
);

# Aliases into the settings kept by Test::Nginx::Util.
*RepeatEach = \$Test::Nginx::Util::RepeatEach;
our $RepeatEach;

# ---------------------------------------------------------------------------
# Functions for the test file
# ---------------------------------------------------------------------------

sub repeat_each {
    $Test::Nginx::Util::RepeatEach = shift if @_;
    return $Test::Nginx::Util::RepeatEach;
}

sub master_on  { $Test::Nginx::Util::MasterOn = 1 }
sub master_off { $Test::Nginx::Util::MasterOn = 0 }

sub master_process_enabled {
    $Test::Nginx::Util::MasterOn = shift ? 1 : 0 if @_;
    return $Test::Nginx::Util::MasterOn;
}

sub workers {
    $Test::Nginx::Util::Workers = shift if @_;
    return $Test::Nginx::Util::Workers;
}

sub worker_connections {
    $Test::Nginx::Util::WorkerConnections = shift if @_;
    return $Test::Nginx::Util::WorkerConnections;
}

sub no_shuffle       { $Test::Nginx::Util::NoShuffle = 1 }
sub no_long_string   { $Test::Nginx::Util::NoLongString = 1 }
sub no_root_location { $Test::Nginx::Util::NoRootLocation = 1 }

sub log_level {
    $Test::Nginx::Util::LogLevel = shift if @_;
    return $Test::Nginx::Util::LogLevel;
}

# env_to_nginx("FOO", "BAR=baz"): `env` directives, so the variables survive
# nginx's environment scrubbing and reach the workers.
sub env_to_nginx { push @Test::Nginx::Util::EnvToNginx, @_ }

# add_block_preprocessor(sub { my $block = shift; ... }): called for every
# block, after its filters ran and before it runs; typically used to supply
# default sections with $block->set_value(name => value).
sub add_block_preprocessor { push @Test::Nginx::Util::BlockPreprocessors, @_ }

# Text inserted in the server {} block ahead of every block's `config`.
sub config_preamble {
    $Test::Nginx::Util::ConfigPreamble = shift if @_;
    return $Test::Nginx::Util::ConfigPreamble;
}

sub timeout_default {
    $Test::Nginx::Util::Timeout = shift if @_;
    return $Test::Nginx::Util::Timeout;
}

sub server_port { $Test::Nginx::Util::ServerPort }
sub port        { $Test::Nginx::Util::ServerPort }
sub server_root { $Test::Nginx::Util::ServRoot }
sub servroot    { $Test::Nginx::Util::ServRoot }
sub html_dir    { $Test::Nginx::Util::HtmlDir }

sub server_name {
    $Test::Nginx::Util::ServerName = shift if @_;
    return $Test::Nginx::Util::ServerName;
}

sub bail_out { Test::Nginx::Util::bail_out(@_) }

# Whole current error.log / access.log as an array ref of lines.
sub error_log_data  { Test::Nginx::Util::error_log_lines(0) }
sub access_log_data {
    open my $fh, '<', $Test::Nginx::Util::AccLogFile or return [];
    my @l = <$fh>;
    close $fh;
    chomp @l;
    return \@l;
}

# is_str($got, $expected, $name): string equality with a readable failure
# report -- Test::LongString's by default (shows where the strings differ),
# a line diff from Test::Base after no_long_string().
sub is_str {
    my ($got, $expected, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    if ($Test::Nginx::Util::NoLongString || !eval { require Test::LongString; 1 }) {
        return Test::Base::is($got, $expected, $name);
    }
    return Test::LongString::is_string($got, $expected, $name);
}

# ---------------------------------------------------------------------------
# run_tests
# ---------------------------------------------------------------------------

my $Started;    # whether run_tests() started anything we must stop at exit

sub run_tests {
    # Test::More needs a plan; a file that declared none gets no_plan, as
    # with the real module.
    Test::More::plan('no_plan') unless Test::More->builder->has_plan;

    $Started = 1;
    # An nginx left running by an aborted earlier run would hold the port.
    Test::Nginx::Util::stop_nginx();

    my @blocks = Test::Base::blocks();
    @blocks = shuffle @blocks unless $Test::Nginx::Util::NoShuffle;

    for my $block (@blocks) {
        # Under filters_delay() Test::Base leaves filtering to us; doing it
        # here, block by block, lets `eval` sections see globals that earlier
        # blocks' `init` code set.
        $block->run_filters unless $block->is_filtered;
        for my $pre (@Test::Nginx::Util::BlockPreprocessors) {
            my $ret = $pre->($block);
            $block = $ret if ref $ret && eval { $ret->isa('Test::Base::Block') };
        }
        run_test($block);
    }

    Test::Nginx::Util::stop_nginx();
}

END {
    # Never leave an nginx running behind us, even if the test file died.
    Test::Nginx::Util::stop_nginx() if $Started;
}

# Run one block: fresh server root and config, start nginx, run `init`,
# then send the request(s) repeat_each() times and check each response.
sub run_test {
    my ($block) = @_;
    my $name = $block->name;

    Test::Nginx::Util::stop_nginx();
    Test::Nginx::Util::setup_server_root();
    Test::Nginx::Util::write_user_files($block);
    Test::Nginx::Util::write_config($block);

    if (defined $block->must_die) {
        run_must_die($block);
        return;
    }

    my ($ok, $why) = Test::Nginx::Util::start_nginx();
    if (!$ok) {
        # Do not add a test of our own: the block's checks fail on their own
        # (connection refused), so the plan's count stays right.
        Test::More::diag("$name - nginx failed to start:\n$why");
    }

    my $init = $block->init;
    if ($ok && defined $init && $init =~ /\S/) {
        my $code = Test::Nginx::Util::expand_env($init, 'init');
        my $ok_init = eval "package main; no strict 'vars';\n"
                         . "#line 1 \"init section of '$name'\"\n$code\n; 1";
        if (!$ok_init) {
            my $err = $@ || 'unknown error';
            Test::More::fail("$name - init code ran");
            Test::More::diag("init died: $err");
        }
    }

    my $reqs = build_requests($block);
    my $repeat = $Test::Nginx::Util::RepeatEach;
    for my $i (0 .. $repeat - 1) {
        # Tests may change served files; each round gets them back.
        Test::Nginx::Util::write_user_files($block) if $i > 0;
        my $log_start = Test::Nginx::Util::error_log_size();

        my $responses = send_requests($block, $reqs);

        for my $j (0 .. $#$responses) {
            my $tag = _tag($repeat, $i, scalar(@$responses), $j);
            check_response($block, $responses->[$j], $j, $tag);
        }

        if (defined(my $wait = $block->wait)) {
            sleep _seconds($wait);
        }
        my $tag = $repeat > 1 ? " (repeated req $i)" : '';
        check_error_log($block, $log_start, $tag, 'error_log', 'no_error_log');
    }

    if (defined $block->shutdown_error_log || defined $block->no_shutdown_error_log) {
        my $log_start = Test::Nginx::Util::error_log_size();
        Test::Nginx::Util::stop_nginx();
        check_error_log($block, $log_start, ' (shutdown)',
                        'shutdown_error_log', 'no_shutdown_error_log');
    }
}

sub _tag {
    my ($repeat, $i, $nreq, $j) = @_;
    my @p;
    push @p, "repeated req $i" if $repeat > 1;
    push @p, "req $j" if $nreq > 1;
    return @p ? ' (' . join(', ', @p) . ')' : '';
}

# "3", "1.5", "500ms", "2s" -> seconds
sub _seconds {
    my ($v) = @_;
    $v =~ s/^\s+|\s+$//g;
    return $1 / 1000 if $v =~ /^([\d.]+)\s*ms$/;
    return $1 if $v =~ /^([\d.]+)\s*s?$/;
    Test::Nginx::Util::bail_out("bad time value '$v'");
}

# must_die: nginx must refuse to start.  No request is sent; error_log and
# no_error_log are matched against nginx's stderr plus error.log.
sub run_must_die {
    my ($block) = @_;
    my $name = $block->name;
    my $repeat = $Test::Nginx::Util::RepeatEach;
    for my $i (0 .. $repeat - 1) {
        if ($i > 0) {
            Test::Nginx::Util::setup_server_root();
            Test::Nginx::Util::write_user_files($block);
            Test::Nginx::Util::write_config($block);
        }
        my ($ok, $why) = Test::Nginx::Util::start_nginx();
        my $tag = $repeat > 1 ? " (repeated req $i)" : '';
        if ($ok) {
            Test::More::fail("$name - die as expected$tag");
            Test::More::diag("nginx started although the block has must_die");
        } else {
            Test::More::pass("$name - die as expected$tag");
        }
        my @lines = (split(/\n/, Test::Nginx::Util::start_stderr()),
                     @{ Test::Nginx::Util::error_log_lines(0) });
        check_error_log($block, undef, $tag, 'error_log', 'no_error_log', \@lines);
        Test::Nginx::Util::stop_nginx() if $ok;
    }
}

# ---------------------------------------------------------------------------
# Requests
#
# Note: section accessors of Test::Base blocks return a *list* (empty when
# the block lacks the section), so they are always called in scalar context
# when passed as arguments -- otherwise a missing section shifts the
# remaining arguments.
# ---------------------------------------------------------------------------

# Turn the block's request sections into a list of "connections", each an
# array of raw requests to send on it (more than one only when pipelined).
# Each request is { bytes, head => bool }.
sub build_requests {
    my ($block) = @_;
    my $name = $block->name;
    my $expand = \&Test::Nginx::Util::expand_env_deep;

    if (defined $block->raw_request) {
        my $raw = $expand->(scalar($block->raw_request), 'raw_request');
        $raw = join '', @$raw if ref $raw eq 'ARRAY';
        my $head = $raw =~ /^\s*HEAD\s/ ? 1 : 0;
        return [ [ { bytes => $raw, head => $head } ] ];
    }

    my $more = $expand->(scalar($block->more_headers), 'more_headers');

    if (defined $block->pipelined_requests) {
        my $list = $expand->(scalar($block->pipelined_requests), 'pipelined_requests');
        Test::Nginx::Util::bail_out("$name - pipelined_requests must be an array (use eval)")
            unless ref $list eq 'ARRAY';
        my @conn;
        for my $k (0 .. $#$list) {
            my $last = $k == $#$list;
            my $mh = ref $more eq 'ARRAY' ? $more->[$k] : $more;
            push @conn, build_http_request($list->[$k], $mh,
                                           $last ? 'close' : 'keep-alive', $name);
        }
        return [ \@conn ];
    }

    my $req = $expand->(scalar($block->request), 'request');
    Test::Nginx::Util::bail_out("$name - no request, raw_request or pipelined_requests section")
        unless defined $req;
    my @list = ref $req eq 'ARRAY' ? @$req : ($req);
    my @conns;
    for my $k (0 .. $#list) {
        my $mh = ref $more eq 'ARRAY' ? $more->[$k] : $more;
        push @conns, [ build_http_request($list[$k], $mh, 'close', $name) ];
    }
    return \@conns;
}

# "METHOD /uri [HTTP/1.x]\nbody..." + more_headers text -> raw request.
sub build_http_request {
    my ($text, $more_headers, $conn, $name) = @_;
    $text = '' unless defined $text;
    # Leading comment lines and blank lines are not part of the request.
    $text =~ s/\A(?:[ \t]*(?:#[^\n]*)?\n)+//;
    my ($line, $body) = split /\n/, $text, 2;
    $line //= '';
    $body //= '';
    $line =~ s/^\s+|\s+$//g;
    Test::Nginx::Util::bail_out("$name - empty request line") unless length $line;

    my @tok = split /\s+/, $line;
    my $method = shift @tok;
    my $version = @tok > 1 && $tok[-1] =~ m{^HTTP/\d} ? pop @tok
                : @tok == 1 && $tok[0] =~ m{^HTTP/\d}  ? pop @tok
                :                                        'HTTP/1.1';
    my $uri = @tok ? join(' ', @tok) : '/';

    my (@headers, %has);
    for my $h (split /\n+/, $more_headers // '') {
        next if $h =~ /^\s*(?:#|$)/;
        $h =~ s/^\s+|\s+$//g;
        my ($k, $v) = split /:\s*/, $h, 2;
        $v //= '';
        $has{lc $k} = $v;
        push @headers, "$k: $v";
    }

    my $chunked = ($has{'transfer-encoding'} // '') =~ /chunked/i;
    # As in Test::Nginx: surrounding whitespace (the section's final newline
    # included) is not part of the body and Content-Length is added for a
    # non-empty body -- unless the test frames the body itself (chunked, or
    # its own Content-Length), in which case the bytes are sent untouched.
    $body =~ s/^\s+|\s+$//g
        unless $chunked || exists $has{'content-length'};

    my @std;
    push @std, "Host: localhost"   unless exists $has{host};
    push @std, "Connection: $conn" unless exists $has{connection};
    my @len;
    push @len, "Content-Length: " . length($body)
        if length $body && !$chunked && !exists $has{'content-length'};

    my $bytes = "$method $uri $version\r\n"
              . join('', map { "$_\r\n" } @std, @headers, @len)
              . "\r\n" . $body;
    return { bytes => $bytes, head => uc($method) eq 'HEAD' ? 1 : 0 };
}

# Send every connection's requests; returns one response (hashref, or undef
# when none could be read) per request, in order.
sub send_requests {
    my ($block, $conns) = @_;
    my $name = $block->name;
    my $timeout = defined $block->timeout ? _seconds(scalar $block->timeout)
                                          : $Test::Nginx::Util::Timeout;
    my @out;
    for my $conn (@$conns) {
        my $res = PortfolioHTTP::exchange(
            port    => $Test::Nginx::Util::ServerPort,
            data    => [ map { $_->{bytes} } @$conn ],
            expect  => scalar(@$conn),
            heads   => [ map { $_->{head} } @$conn ],
            timeout => $timeout,
        );
        Test::More::diag("$name - $res->{error}") if $res->{error};
        for my $k (0 .. $#$conn) {
            push @out, $res->{responses}[$k];
        }
    }
    return \@out;
}

# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------

# For sections that may hold one value for all requests or an array with one
# value per request.
sub _pick {
    my ($v, $j) = @_;
    return ref $v eq 'ARRAY' ? $v->[$j] : $v;
}

sub check_response {
    my ($block, $res, $j, $tag) = @_;
    my $name = $block->name;
    my $expand = \&Test::Nginx::Util::expand_env_deep;

    # --- error_code (200 when absent, as in Test::Nginx)
    my $code = defined $block->error_code ? _pick(scalar($block->error_code), $j) : 200;
    $code = '' unless defined $code;
    $code =~ s/^\s+|\s+$//g;
    my $got = $res && defined $res->{status} ? $res->{status} : '';
    Test::More::is($got, $code, "$name - status code ok$tag");

    # --- response_headers: "Name: value" exact, "!Name" absent,
    #     "Name:" empty (absent counts as empty)
    if (defined $block->response_headers) {
        my $spec = _pick($expand->(scalar($block->response_headers), 'response_headers'), $j);
        for my $h (_header_lines($spec)) {
            if ($h =~ /^!\s*(.+?)\s*$/) {
                my $k = $1;
                my $v = PortfolioHTTP::header_value($res, $k);
                Test::More::ok(!defined $v, "$name - header $k ok$tag")
                    or Test::More::diag("header $k should be absent but is '$v'");
                next;
            }
            my ($k, $want) = split /\s*:\s*/, $h, 2;
            $want //= '';
            my $v = PortfolioHTTP::header_value($res, $k);
            Test::More::is($v // '', $want, "$name - header $k ok$tag");
        }
    }

    # --- response_headers_like: "Name: regex", anchored at both ends
    if (defined $block->response_headers_like) {
        my $spec = _pick($expand->(scalar($block->response_headers_like), 'response_headers_like'), $j);
        for my $h (_header_lines($spec)) {
            my ($k, $re) = split /\s*:\s*/, $h, 2;
            $re //= '';
            my $v = PortfolioHTTP::header_value($res, $k);
            Test::More::like($v // '', qr/^(?:$re)$/, "$name - header $k like ok$tag");
        }
    }

    my $body = $res ? $res->{body} : '';
    $body = '' unless defined $body;

    # --- response_body: exact match
    if (defined $block->response_body) {
        my $want = _pick($expand->(scalar($block->response_body), 'response_body'), $j);
        $want = '' unless defined $want;
        is_str($body, $want, "$name - response_body - response is expected$tag");
    }

    # --- response_body_like / _unlike: unanchored, /s, as in Test::Nginx
    for my $sec (qw(response_body_like response_body_unlike)) {
        next unless defined $block->$sec;
        my $pat = _pick($expand->(scalar($block->$sec), $sec), $j);
        $pat = '' unless defined $pat;
        my $re = ref $pat eq 'Regexp' ? $pat : qr/$pat/s;
        my $summary = _summary($body);
        if ($sec eq 'response_body_like') {
            Test::More::like($body, $re, "$name - response_body_like - response is expected ($summary)$tag");
        } else {
            Test::More::unlike($body, $re, "$name - response_body_unlike - response is expected ($summary)$tag");
        }
    }
}

sub _header_lines {
    my ($spec) = @_;
    return () unless defined $spec;
    return grep { /\S/ && !/^\s*#/ } map { s/^\s+|\s+$//gr } split /\n/, $spec;
}

# A short, one-line version of a body for test names.
sub _summary {
    my ($s) = @_;
    $s =~ s/\s+/ /g;
    $s =~ s/^\s+|\s+$//g;
    $s = substr($s, 0, 40) . '...' if length $s > 43;
    return $s;
}

# Normalise an error_log-style section to a list of patterns: a plain
# section is one substring per line; `eval` may give a qr// or an array of
# strings and qr//s.
sub _patterns {
    my ($v) = @_;
    return () unless defined $v;
    return grep { defined } @$v if ref $v eq 'ARRAY';
    return ($v) if ref $v eq 'Regexp';
    return grep { /\S/ } split /\n+/, $v;
}

sub _matches {
    my ($line, $pat) = @_;
    return ref $pat eq 'Regexp' ? $line =~ $pat : index($line, $pat) >= 0;
}

# Check `$want_sec` patterns (must each match some line) and `$none_sec`
# patterns (must match no line) against the error log written since
# $offset, or against @$lines when given (must_die).
sub check_error_log {
    my ($block, $offset, $tag, $want_sec, $none_sec, $lines) = @_;
    my $name = $block->name;
    my $expand = \&Test::Nginx::Util::expand_env_deep;
    my @want = _patterns($expand->(scalar($block->$want_sec), $want_sec));
    my @none = _patterns($expand->(scalar($block->$none_sec), $none_sec));

    my $read = sub {
        $lines ? $lines : Test::Nginx::Util::error_log_lines($offset);
    };

    my $log = $read->();
    if (@want && !$lines) {
        # nginx writes some lines (e.g. at connection close) just after the
        # client sees the response: give missing ones a moment to appear.
        my $deadline = time + 1;
        while (time < $deadline) {
            my @missing = grep { my $p = $_; !grep { _matches($_, $p) } @$log } @want;
            last unless @missing;
            sleep 0.02;
            $log = $read->();
        }
    } elsif (@none && !$lines) {
        sleep 0.05;    # same reason: let late lines land before we look
        $log = $read->();
    }

    for my $pat (@want) {
        my $found = grep { _matches($_, $pat) } @$log;
        Test::More::ok($found, "$name - pattern \"$pat\" matches a line in error.log$tag");
    }
    for my $pat (@none) {
        my @hits = grep { _matches($_, $pat) } @$log;
        Test::More::ok(!@hits, "$name - pattern \"$pat\" should not match any line in error.log$tag")
            or Test::More::diag("matching line: $hits[0]");
    }

    # Severe messages nobody asked about are worth a look even when every
    # check passes (Test::Nginx warns the same way).
    unless ($lines) {
        for my $l (@$log) {
            next unless $l =~ /\[(?:emerg|alert|crit)\]/;
            next if grep { _matches($l, $_) } @want, @none;
            Test::More::diag("$name - unexpected in error.log: $l");
        }
    }
}

1;

__END__

=head1 NAME

Test::Nginx::Socket - this project's compatible re-implementation of the
data-driven nginx test scaffold

=head1 SECTIONS

Config: C<main_config>, C<event_config>, C<http_config>, C<config>,
C<server_name>, C<workers>, C<master_process>, C<log_level>, C<user_files>
(C<< >>> name [mtime] >> parts, or with C<eval> an array of
C<[name, content, mtime]>).

Requests: C<request> (string, or with C<eval> an array of requests, each on
a fresh connection), C<pipelined_requests> (array, one connection),
C<raw_request> (sent as is), C<more_headers> (string or per-request array),
C<timeout>, C<init> (Perl run once after nginx started, before the
requests), C<wait> (pause before reading error.log).

Checks (one test each): status code (C<error_code>, 200 by default),
C<response_headers>, C<response_headers_like>, C<response_body>,
C<response_body_like>, C<response_body_unlike>, C<error_log>,
C<no_error_log>, C<must_die>, C<shutdown_error_log>,
C<no_shutdown_error_log>. Test::Base handles C<ONLY>, C<SKIP>, C<LAST>.

C<$TEST_NGINX_*> in any of these is replaced from the environment, with
C<TEST_NGINX_SERVER_PORT>, C<TEST_NGINX_SERVER_ROOT> and
C<TEST_NGINX_HTML_DIR> always defined.

=head1 FUNCTIONS

C<run_tests>, C<repeat_each>, C<master_on>, C<master_off>, C<workers>,
C<worker_connections>, C<no_shuffle> (blocks are shuffled by default, as in
Test::Nginx; also C<TEST_NGINX_NO_SHUFFLE=1>), C<no_long_string>,
C<log_level>, C<no_root_location>, C<env_to_nginx>,
C<add_block_preprocessor>, C<config_preamble>, C<server_port>/C<port>,
C<server_root>, C<html_dir>, C<server_name>, C<error_log_data>,
C<access_log_data>, C<is_str>, C<bail_out>, plus Test::Base's (C<plan>,
C<blocks>, C<filters_delay>, ...).  C<filters_delay()> makes the runner
filter each block just before it runs, so C<eval> sections can use globals
set by an earlier block's C<init>.

=head1 ENVIRONMENT

C<TEST_NGINX_BINARY> (default: C<nginx> on PATH, then /usr/sbin/nginx),
C<TEST_NGINX_PORT> or C<TEST_NGINX_SERVER_PORT> (default 1984),
C<TEST_NGINX_SERVROOT> (default t/servroot), C<TEST_NGINX_LOG_LEVEL>,
C<TEST_NGINX_TIMEOUT>, C<TEST_NGINX_NO_SHUFFLE>.

=cut
