package PortfolioTest;

# What the test files share, so that each states only what it is about:
#
# - the usual configuration of a block (the module, the data directory,
#   password cost 10, the bootstrap file t/data/school.json, the plugins,
#   the API location), made by plugin_lines(), main_config(), http_config()
#   and api_config(), and installed as a file's block defaults by
#   block_defaults();
# - helpers for the `--- init` sections (multi-step flows) that talk to the
#   nginx under test directly: create fixtures through the API, log in and
#   keep the session cookie, check error answers, and so on.
#
#     use Test::Nginx::Socket 'no_plan';
#     use PortfolioTest;
#     PortfolioTest::block_defaults(plugins => [qw(school testkit)]);
#     run_tests();
#     __DATA__
#     === TEST 1: a block with the usual configuration states none of it
#     --- init
#     my $cookie = PortfolioTest::login('alice', 'secret');
#     my $r = PortfolioTest::http(POST => '/api/items',
#                                 body => { title => 'x' }, cookie => $cookie);
#     die "setup failed: $r->{status}" unless $r->{status} == 201;
#     --- request
#     GET /api/health
#
#     === TEST 2: the usual configuration and a directive more
#     --- http_config eval
#     PortfolioTest::http_config(extra => 'portfolio_session_idle 1s;')
#
# It talks to 127.0.0.1 on $ENV{TEST_NGINX_SERVER_PORT} (1984 by default),
# the same server Test::Nginx::Socket started for the current block.
#
# `init` code is evaluated in package main by t/lib's runner and in
# Test::Nginx::Util (under `use strict`) by openresty's: it calls these
# helpers by their full names, PortfolioTest::...

use strict;
use warnings;

use JSON::PP ();
use PortfolioHTTP ();

our $Timeout = 5;

my $JSON = JSON::PP->new->utf8->canonical->allow_nonref;

sub port { $ENV{TEST_NGINX_SERVER_PORT} || $ENV{TEST_NGINX_PORT} || 1984 }

# http($method, $path, %opts) -> {status, headers, set_cookie, body, json}
#
# opts:
#   body    => string (sent as is) or hash/array ref (sent as JSON with
#              Content-Type: application/json)
#   headers => { Name => value, ... }  (override the defaults)
#   cookie  => "name=value[; ...]"     (sent as the Cookie header)
#   timeout => seconds (default 5)
#
# In the result, `headers` has lower-cased names; repeated headers are joined
# with ", " except set-cookie, which holds the first Set-Cookie value (the
# joined form would be unparseable).  All Set-Cookie values are in
# `set_cookie` (array ref), and `headers_all` maps each lower-cased name to
# an array ref of every value.  `json` is the decoded body when it parses as
# JSON, else undef.  `status` is undef when no response arrived, and `error`
# then says why.
sub http {
    my ($method, $path, %opts) = @_;
    $method = uc $method;
    $path = "/$path" unless $path =~ m{^/};

    my $body = $opts{body};
    my %hdr = (Host => 'localhost', Connection => 'close');
    if (ref $body) {
        $body = $JSON->encode($body);
        $hdr{'Content-Type'} = 'application/json';
    }
    if (defined $body) {
        $hdr{'Content-Length'} = length $body;
    } elsif ($method =~ /^(?:POST|PUT|PATCH)$/) {
        # nginx answers 411 to a body-less POST without a length.
        $hdr{'Content-Length'} = 0;
    }
    $hdr{Cookie} = $opts{cookie} if defined $opts{cookie};
    if (my $extra = $opts{headers}) {
        # Case-insensitive override of the defaults above.
        for my $k (keys %$extra) {
            delete $hdr{$_} for grep { lc $_ eq lc $k } keys %hdr;
            $hdr{$k} = $extra->{$k};
        }
    }

    my $raw = "$method $path HTTP/1.1\r\n"
            . join('', map { "$_: $hdr{$_}\r\n" } sort keys %hdr)
            . "\r\n" . ($body // '');

    my $x = PortfolioHTTP::exchange(
        port    => port(),
        data    => $raw,
        expect  => 1,
        heads   => [ $method eq 'HEAD' ? 1 : 0 ],
        timeout => $opts{timeout} // $Timeout,
    );
    my $res = $x->{responses}[0];

    my (%headers, %all);
    for my $h (@{ $res ? $res->{headers} : [] }) {
        push @{ $all{lc $h->[0]} }, $h->[1];
    }
    for my $k (keys %all) {
        $headers{$k} = $k eq 'set-cookie' ? $all{$k}[0] : join(', ', @{ $all{$k} });
    }

    my $rbody = $res ? $res->{body} : undef;
    my $json;
    if (defined $rbody && $rbody =~ /^\s*[\[{"\d\-tfn]/) {
        $json = eval { $JSON->decode($rbody) };
    }

    return {
        status      => $res ? $res->{status} : undef,
        headers     => \%headers,
        headers_all => \%all,
        set_cookie  => $all{'set-cookie'} || [],
        body        => $rbody,
        json        => $json,
        error       => $x->{error},
    };
}

# cookie_from($resp) -> "name=value" of the response's first Set-Cookie, or
# undef when there is none.
sub cookie_from {
    my ($resp) = @_;
    my $sc = $resp && $resp->{set_cookie} && $resp->{set_cookie}[0];
    return undef unless defined $sc;
    my ($pair) = split /;/, $sc, 2;
    $pair =~ s/^\s+|\s+$//g;
    return $pair;
}

# login($user, $pass) -> "name=value" session cookie from POST /api/session.
# Dies (with the status and body) when no cookie comes back, so that a
# failing login in `init` fails the block with a readable reason.
sub login {
    my ($user, $pass) = @_;
    my $r = http(POST => '/api/session',
                 body => { username => $user, password => $pass });
    my $cookie = cookie_from($r);
    return $cookie if defined $cookie;
    die sprintf("PortfolioTest::login(%s): no Set-Cookie (status %s%s): %s\n",
                $user, $r->{status} // 'none',
                $r->{error} ? ", $r->{error}" : '', $r->{body} // '');
}


# api($method, $path, $cookie, %opts) -> http()'s answer for /api$path.
# %opts as http()'s (body, headers, timeout).  30 s by default, not 5:
# imports and uploads of several megabytes take longer on a busy machine,
# and the bound only ends a broken run.
sub api {
    my ($method, $path, $cookie, %opts) = @_;
    return http($method => "/api$path", cookie => $cookie, timeout => 30,
                %opts);
}

# try_login($user, $pass) -> the answer to POST /api/session, whatever it
# is (login() is for sign-ins that must work).
sub try_login {
    my ($user, $pass) = @_;
    return http(POST => '/api/session',
                body => { username => $user, password => $pass });
}

# now_ms() -> the time in milliseconds, as the API's times are.
sub now_ms {
    require Time::HiRes;
    return int(Time::HiRes::time() * 1000);
}

# seed($cookie, $db, $key, $value): writes one record as is through
# testkit's seed route (t/plugins/testkit.c); a ref $value is stored as
# its JSON text.  Dies unless the write answered 200.
sub seed {
    my ($cookie, $db, $key, $value) = @_;
    # characters, not bytes: the request body is encoded once, by http()
    $value = JSON::PP->new->canonical->encode($value) if ref $value;
    my $r = api(POST => '/testkit/seed', $cookie,
                body => { db => $db, key => $key, value => $value });
    die "seed $db/$key: " . ($r->{status} // 'none') . ' '
        . ($r->{body} // '') . "\n"
        unless ($r->{status} // 0) == 200;
    return;
}

# The error answers, {"error":{"code":"...","message":"..."}}, checked
# three ways; each test file keeps the one it always used.

# is_error($r, $status, $code, $what): two tests, the status and the
# error code (the body, when it is no error object, shows in the failure).
sub is_error {
    my ($r, $status, $code, $what) = @_;
    require Test::More;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    Test::More::is($r->{status}, $status, "$what: status $status")
        or Test::More::diag($r->{body});
    Test::More::is(_error_code($r), $code, "$what: error code $code");
}

# is_json_error($r, $status, $code, $what): is_error()'s two tests, and
# that there is a message and the answer is JSON (four tests).
sub is_json_error {
    my ($r, $status, $code, $what) = @_;
    require Test::More;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    is_error($r, $status, $code, $what);
    my $error = _error_object($r) || {};
    Test::More::like($error->{message} // '', qr/\S/,
                     "$what: error message present");
    Test::More::like($r->{headers}{'content-type'} // '',
                     qr{^application/json\b}, "$what: JSON content type");
}

# is_exact_error($r, $status, $code, $what): three tests, the status, a
# body that is the error object and nothing else, and the exact content
# type.
sub is_exact_error {
    my ($r, $status, $code, $what) = @_;
    require Test::More;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    Test::More::is($r->{status}, $status, "$what: status $status");
    Test::More::like($r->{body} // '',
                     qr/^\{"error":\{"code":"\Q$code\E","message":"(?:[^"\\]|\\.)+"\}\}$/,
                     "$what: error body with code $code");
    Test::More::is($r->{headers}{'content-type'} // '',
                   'application/json; charset=utf-8', "$what: JSON content type");
}

# The answer's {"error":{...}} object, or undef when it has none.
sub _error_object {
    my ($r) = @_;
    return ref $r->{json} eq 'HASH' && ref $r->{json}{error} eq 'HASH'
        ? $r->{json}{error} : undef;
}

# The answer's error code, or what the body was instead.
sub _error_code {
    my ($r) = @_;
    my $error = _error_object($r);
    return $error ? $error->{code} : "(body: " . ($r->{body} // '') . ")";
}

# log_clean(): one test, that nothing went wrong inside nginx during the
# init flow (a block's no_error_log looks only at its final request): no
# line of the block's error.log so far is an error.
sub log_clean {
    require Test::More;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my @bad = grep { /\[(?:error|crit|alert|emerg)\]/ } split /\n/, error_log();
    Test::More::is_deeply(\@bad, [], 'no [error], [crit] or [alert] in error.log');
}

# error_log() -> the block's error.log so far, the file itself, not the
# runners' error_log_data(): openresty's reads on from where the previous
# block's checks stopped.
sub error_log {
    my $file = "$ENV{TEST_NGINX_SERVER_ROOT}/logs/error.log";
    open my $fh, '<', $file or die "PortfolioTest::error_log: $file: $!\n";
    my $log = do { local $/; <$fh> };
    close $fh;
    return $log;
}


# parallel(\@reqs) -> [{status, headers, body, json, t}, ...]
#
# For what only shows with requests in flight together (the writer's queue,
# batching, rollback inside a shared commit).  Each request is a hash ref
# {method, path, body, cookie, delay}: it goes out on a connection of its
# own, `delay` seconds after the previous one, without waiting for answers;
# then all answers are read at once.  `body` is sent like http()'s.  `t` is
# the time in seconds from the first send until that answer was complete;
# `status` is undef when none came within `timeout` (default 15 s) seconds.
sub parallel {
    my ($reqs, %opts) = @_;
    return collect(send_all($reqs), %opts);
}

# wait_until($cond, $timeout) -> true once $cond->() is true (polled every
# 10 ms), false if it is not within $timeout seconds (default 15).  Tests
# wait for a state, never for a time: the bound only ends a broken run.
sub wait_until {
    my ($cond, $timeout) = @_;
    require Time::HiRes;
    my $deadline = Time::HiRes::time() + ($timeout // 15);
    until ($cond->()) {
        return 0 if Time::HiRes::time() > $deadline;
        Time::HiRes::sleep(0.01);
    }
    return 1;
}

# send_all(\@reqs) -> the first half of parallel(): the requests sent, their
# answers not read yet; collect() reads them.  Between the two a test can
# look at the server while the requests are in flight.
sub send_all {
    my ($reqs) = @_;
    require IO::Socket::INET;
    require Time::HiRes;

    my @socks;
    my $t0 = Time::HiRes::time();

    for my $q (@$reqs) {
        Time::HiRes::sleep($q->{delay}) if $q->{delay};
        my $method = uc $q->{method};
        my $body = ref $q->{body} ? $JSON->encode($q->{body}) : $q->{body};
        my $raw = "$method $q->{path} HTTP/1.1\r\n"
                . "Host: localhost\r\nConnection: close\r\n"
                . (defined $q->{cookie} ? "Cookie: $q->{cookie}\r\n" : '')
                . (ref $q->{body} ? "Content-Type: application/json\r\n" : '')
                . (defined $body || $method =~ /^(?:POST|PUT|PATCH)$/
                   ? "Content-Length: " . length($body // '') . "\r\n" : '')
                . "\r\n" . ($body // '');
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                      PeerPort => port(), Proto => 'tcp')
            or die "PortfolioTest::send_all: cannot connect: $!\n";
        binmode $s;
        syswrite($s, $raw) == length $raw
            or die "PortfolioTest::send_all: short write: $!\n";
        push @socks, $s;
    }

    return { socks => \@socks, t0 => $t0 };
}

# collect($sent, %opts) -> the answers to send_all()'s requests, in order,
# as parallel() gives them.
sub collect {
    my ($sent, %opts) = @_;
    require IO::Select;
    require Time::HiRes;

    my (@res, %buf, %idx);
    my @socks = @{ $sent->{socks} };
    my $t0 = $sent->{t0};

    for my $i (0 .. $#socks) {
        $idx{"$socks[$i]"} = $i;
        $buf{"$socks[$i]"} = '';
        $res[$i] = { status => undef, t => undef };
    }

    my $sel = IO::Select->new(@socks);
    my $deadline = $t0 + ($opts{timeout} // 15);
    while ($sel->count && Time::HiRes::time() < $deadline) {
        for my $s ($sel->can_read(0.01)) {
            my $n = sysread($s, my $chunk, 65536);
            if ($n) {
                $buf{"$s"} .= $chunk;
                next;
            }
            # Connection: close -- the answer is complete at EOF
            my $raw = $buf{"$s"};
            my ($head, $b) = split /\r\n\r\n/, $raw, 2;
            my ($status) = ($head // '') =~ m{^HTTP/1\.\d (\d{3})};
            my %h;
            for my $l (split /\r\n/, $head // '') {
                $h{lc $1} //= $2 if $l =~ /^([^:]+):\s*(.*)$/;
            }
            my $json;
            $json = eval { $JSON->decode($b) } if defined $b && length $b;
            $res[$idx{"$s"}] = { status => $status, headers => \%h,
                                 body => $b, json => $json,
                                 t => Time::HiRes::time() - $t0 };
            $sel->remove($s);
            close $s;
        }
    }
    close $_ for $sel->handles;
    return \@res;
}

# gated_writes($n) -> (\@sent, $gate, $pending, $cookie): $n (default 3)
# writes through testkit's gate (t/plugins/testkit.c), each sent once the
# one before is in the writer (the 1st in its handler, the others
# waiting): their order is the server's state, not a sleep.  Load
# testkit_quiet.so, which has no scheduled job to join the queue it
# counts.  \@sent holds the send_all()s; $gate->() is {entered, open},
# $gate->(N) opens the gate up to the Nth and says whether it did;
# $pending->() is /api/health's pending_writes (waiting and in the running
# batch).  Signs in as the school's first student.
sub gated_writes {
    my $count = shift // 3;
    require Test::More;
    my $c = login('zlsh108234567', 'student-pass-1');
    my $gate = sub {
        my $j = http(GET => '/api/testkit/gate'
                     . (@_ ? "?open=$_[0]" : ''), cookie => $c)->{json};
        return @_ ? ($j && $j->{open} == $_[0]) : $j;
    };
    my $pending = sub { http(GET => '/api/health')->{json}{storage}{pending_writes} };
    my $write = { method => 'POST', path => '/api/testkit/gated', cookie => $c, body => {} };
    my @w = (send_all([$write]));
    Test::More::ok(wait_until(sub { $gate->()->{entered} == 1 }),
                   'gated write 1 holds the writer');
    push @w, enqueue($pending, ($write) x ($count - 1));
    return (\@w, $gate, $pending, $c);
}

# enqueue($pending, @reqs) -> the send_all()s of @reqs (send_all's request
# hashes), each sent once the one before waits for the writer: while
# gated_writes() holds it, $pending->() grows by one with each.
sub enqueue {
    my ($pending, @reqs) = @_;
    require Test::More;
    my @sent;
    for my $q (@reqs) {
        my $n = $pending->();
        push @sent, send_all([$q]);
        Test::More::ok(wait_until(sub { $pending->() == $n + 1 }),
                       "$q->{method} $q->{path} waits for the writer");
    }
    return @sent;
}

# --- The usual configuration ------------------------------------------------
#
# Text for a block's main_config, http_config and config sections.  Like a
# hand-written section it names $TEST_NGINX_BUILD, $TEST_NGINX_ROOT and
# $TEST_NGINX_SERVER_ROOT, which the runner replaces from the environment.
# In a block, call them from an `eval` section (single quotes around
# directives, so that Perl leaves the $TEST_NGINX_ names alone):
#
#     --- main_config eval
#     PortfolioTest::main_config('thread_pool pfw threads=1;')
#     --- http_config eval
#     PortfolioTest::http_config(plugins => ['testkit'],
#                                extra => 'portfolio_group_commit off;')
#     --- config eval
#     PortfolioTest::api_config('portfolio_json_max_size 64;')

# The test-only plugins (t/plugins/*.c, which scripts/test builds into
# $TEST_NGINX_BUILD/t-plugins/), by the name a test lists them under, and
# the name each calls itself, which its portfolio_plugin line must give:
# testkit_quiet is testkit.c without the scheduled job, so it is testkit.
# Every other name is a shipped plugin, $TEST_NGINX_BUILD/plugins/NAME.so.
# garbage.so is no shared object at all (scripts/test writes it).
my %TEST_PLUGIN = (
    testkit       => 'testkit',
    testkit_quiet => 'testkit',
    abi2          => 'abi2',
    badroute      => 'badroute',
    noentry       => 'noentry',
    refuses       => 'refuses',
    refuses_why   => 'refuses_why',
    garbage       => 'garbage',
    keeper        => 'keeper',
    borrower      => 'borrower',
    old10         => 'old10',
    old11         => 'old11',
    badceiling    => 'badceiling',
);

# What a plugin's line carries after its path: the test kit seeds and
# reads every database ("*"), which the core allows only with
# "all_databases" (README: portfolio_plugin).
my %GRANT = (testkit => ' all_databases', testkit_quiet => ' all_databases');

# The plugins a plugin reads or writes the databases of (plugins/README.md
# "Who owns which database"): the core refuses it without them, so a list
# that names it gets them too, after the names it gives.
my %NEEDS = (
    student       => [qw(sis certification)],
    certification => [qw(sis student)],
    selection     => [qw(student)],
    admin         => [qw(student)],
);

# abi() -> "1.5": the ABI version portfolio_plugin.h declares, which the
# module names in its refusals (so a version bump changes no test).
sub abi {
    my $h = "$ENV{TEST_NGINX_ROOT}/ngx_portfolio_module/portfolio_plugin.h";
    open my $fh, '<', $h or die "PortfolioTest::abi: $h: $!\n";
    my $text = do { local $/; <$fh> };
    my ($major) = $text =~ /#define PF_ABI_MAJOR\s+(\d+)/;
    my ($minor) = $text =~ /#define PF_ABI_MINOR\s+(\d+)/;
    return "$major.$minor";
}

# standalone(%o) -> a directory ($o{dir}, or a new temporary one)
# holding nginx.conf for a server of its own, outside Test::Nginx: the
# module, logs and temp paths in the directory, portfolio_data_dir
# $dir/data, then $o{http} (lines; $TEST_NGINX_BUILD replaced as a
# Test::Nginx runner would, so plugin_lines() serve) and a server on
# 127.0.0.1:$o{port} (1 by default: for "nginx -t") with the API; $o{main}
# adds lines to the main section.  For the tests of what an operator runs
# (t/016, t/031, t/101); run_nginx() runs the binary on it.
sub standalone {
    my (%o) = @_;
    require File::Temp;
    my $build = $ENV{TEST_NGINX_BUILD} or die "PortfolioTest::standalone: TEST_NGINX_BUILD not set\n";
    my $dir = $o{dir} // File::Temp::tempdir(CLEANUP => 1);
    my $port = $o{port} // 1;
    my $main = _lines($o{main} // ());
    my $http = _lines($o{http} // ()) =~ s/\$TEST_NGINX_BUILD\b/$build/gr =~ s/^(?=.)/    /mgr;
    mkdir "$dir/logs";
    open(my $fh, '>', "$dir/nginx.conf") or die "PortfolioTest::standalone: $dir/nginx.conf: $!\n";
    print $fh <<"CONF";
load_module $build/ngx_http_portfolio_module.so;
error_log $dir/logs/error.log;
pid $dir/logs/nginx.pid;
${main}events {}
http {
    access_log off;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    portfolio_data_dir $dir/data;
${http}    server { listen 127.0.0.1:$port; location /api/ { portfolio_api on; } }
}
CONF
    close $fh;
    return $dir;
}

# run_nginx($dir, @args) -> ($exit_code, $output): the binary on a
# standalone() directory ("-t", "-s stop", or nothing to start it).
sub run_nginx {
    my ($dir, @args) = @_;
    my $nginx = $ENV{TEST_NGINX_BINARY} || 'nginx';
    my $out = `$nginx -p $dir -c $dir/nginx.conf @args 2>&1`;
    return ($? >> 8, $out);
}

# Every shipped plugin, for blocks about all of them (t/036).
use constant SHIPPED => [qw(school sis student certification selection admin
                            accounts)];

# What a block has unless it says otherwise: the values block_defaults()
# starts from.
my %USUAL = (
    plugins       => [],
    password_cost => 10,
    bootstrap     => '$TEST_NGINX_ROOT/t/data/school.json',
    api           => [],
);

# The current test file's usual configuration (block_defaults() sets it).
my %File = %USUAL;
my $Defaults_set;

# plugin_lines(@names) -> one "portfolio_plugin NAME PATH;" line for each
# name, in order, then one for each plugin they need (%NEEDS) that they do
# not name.  The only place that knows where plugins are and how they are
# listed (only t/030's load failures that list a plugin wrongly on purpose
# write their lines themselves).
sub plugin_lines {
    my (@names) = @_;
    my %listed = map { $_ => 1 } @names;
    for (my $i = 0; $i < @names; $i++) {
        push @names, grep { !$listed{$_}++ } @{ $NEEDS{$names[$i]} || [] };
    }
    my $text = '';
    for my $name (@names) {
        my $grant = $GRANT{$name} // '';
        if (exists $TEST_PLUGIN{$name}) {
            $text .= "portfolio_plugin $TEST_PLUGIN{$name} "
                   . "\$TEST_NGINX_BUILD/t-plugins/$name.so$grant;\n";
        } else {
            $text .= "portfolio_plugin $name \$TEST_NGINX_BUILD/plugins/$name.so$grant;\n";
        }
    }
    return $text;
}

# main_config(@lines) -> the main section: the module, then @lines.
sub main_config {
    my (@lines) = @_;
    return "load_module \$TEST_NGINX_BUILD/ngx_http_portfolio_module.so;\n"
         . _lines(@lines);
}

# http_config(%opts) -> the http section: the data directory, the password
# cost, the bootstrap file, the plugins, then the extra lines.  Options,
# each the current file's (block_defaults()) or the usual one when not
# given:
#   plugins       => [names]  as plugin_lines() takes them (usual: none)
#   password_cost => N        (usual: 10); undef: no such line
#   bootstrap     => path     (usual: $TEST_NGINX_ROOT/t/data/school.json);
#                             undef: no such line
#   bare          => 1        neither of the two lines above, unless given
#   extra         => line(s)  a string or an array ref of strings, after
#                             the plugins (plugin_lines() text is fine too)
sub http_config {
    my (%opts) = @_;
    _check_options('http_config', \%opts, qw(plugins password_cost bootstrap bare extra));
    my %c = (%File, _unbare(%opts));
    my $text = "portfolio_data_dir \$TEST_NGINX_SERVER_ROOT/html/data;\n";
    $text .= "portfolio_password_cost $c{password_cost};\n"
        if defined $c{password_cost};
    $text .= "portfolio_bootstrap $c{bootstrap};\n" if defined $c{bootstrap};
    $text .= plugin_lines(@{ $c{plugins} });
    return $text . _lines($c{extra});
}

# api_config(@lines) -> the config section: the API location, with the
# current file's lines inside it (block_defaults()'s api), then @lines.
sub api_config {
    my (@lines) = @_;
    my $inside = _lines(@{ $File{api} }, @lines);
    $inside =~ s/^(?=.)/    /mg;
    return "location /api/ {\n    portfolio_api on;\n${inside}}\n";
}

# block_defaults(%opts): makes the usual configuration the current test
# file's, with http_config()'s options (plugins, password_cost, bootstrap,
# bare) and api => [lines inside the API location], and gives it to every
# block without a main_config, http_config or config section of its own.
# A block that wants none of a section says so with an empty one.  Call it
# once, before run_tests().
sub block_defaults {
    my (%opts) = @_;
    die "PortfolioTest::block_defaults: called twice\n" if $Defaults_set++;
    # no extra: a block's http_config(extra => ...) would replace it
    _check_options('block_defaults', \%opts, qw(plugins password_cost bootstrap bare api));
    %File = (%USUAL, _unbare(%opts));
    my $preprocessor = sub {
        my ($block) = @_;
        $block->set_value(main_config => main_config())
            unless defined $block->main_config;
        $block->set_value(http_config => http_config())
            unless defined $block->http_config;
        $block->set_value(config => api_config())
            unless defined $block->config;
    };
    # the & form skips the prototype (&) openresty's version declares,
    # which takes only a literal sub { ... }
    &Test::Nginx::Socket::add_block_preprocessor($preprocessor);
    _test_functions_for_init();
    return;
}

# The Test::More functions the init sections call by their short names.
my @INIT_FUNCTIONS = qw(ok is isnt like unlike is_deeply cmp_ok pass fail
                        diag note);

# `init` code calls is(), like(), ok() ... as the test file would.  t/lib's
# runner evaluates it in package main, where Test::Base exported them;
# openresty's evaluates it in package Test::Nginx::Util, which has none of
# them (and bails out on the first call): give that package the same
# functions, where it does not have its own.
sub _test_functions_for_init {
    require Test::More;
    no strict 'refs';
    for my $name (@INIT_FUNCTIONS) {
        next if defined &{"Test::Nginx::Util::$name"};
        *{"Test::Nginx::Util::$name"} = \&{"Test::More::$name"};
    }
    return;
}

# Dies on an option $what does not take (a misspelt one would be ignored).
sub _check_options {
    my ($what, $opts, @known) = @_;
    my %known = map { $_ => 1 } @known;
    my @bad = grep { !$known{$_} } sort keys %$opts;
    die "PortfolioTest::$what: unknown option(s) @bad\n" if @bad;
    return;
}

# The options with bare => 1 turned into the two lines it leaves out.
sub _unbare {
    my (%opts) = @_;
    if (delete $opts{bare}) {
        $opts{$_} = undef for grep { !exists $opts{$_} } qw(password_cost bootstrap);
    }
    return %opts;
}

# Strings and array refs of strings -> their lines, each ending in "\n".
sub _lines {
    my $text = '';
    for my $item (@_) {
        next unless defined $item;
        for my $s (ref $item eq 'ARRAY' ? @$item : $item) {
            $text .= $s =~ /\n\z/ ? $s : "$s\n";
        }
    }
    return $text;
}

# --- Imports (plugin sis): what t/070-t/075 share ---------------------------

# import_data($file) -> the bytes of t/data/import/$file, or of the
# repository's $file when it names a directory (html/import-templates/...).
sub import_data {
    my ($file) = @_;
    my $path = "$ENV{TEST_NGINX_ROOT}/" . ($file =~ m{/} ? $file : "t/data/import/$file");
    open my $fh, '<:raw', $path or die "PortfolioTest::import_data: $path: $!\n";
    local $/;
    return scalar <$fh>;
}

# import_post($cookie, $path, $body) -> api()'s answer to POST $path (under
# /api): $body a hash or array ref (sent as JSON), the name of a file of
# t/data/import (*.json sent as JSON, any other as text/csv), or CSV text
# (characters sent as UTF-8, bytes as they are).
sub import_post {
    my ($cookie, $path, $body) = @_;
    return api(POST => $path, $cookie, body => $body) if ref $body;
    my $type = 'text/csv';
    if ($body =~ /^[\w-]+\.(\w+)$/
        && -f "$ENV{TEST_NGINX_ROOT}/t/data/import/$body")
    {
        $type = 'application/json' if $1 eq 'json';
        $body = import_data($body);
    } elsif (utf8::is_utf8($body)) {
        require Encode;
        $body = Encode::encode('UTF-8', $body);
    }
    return api(POST => $path, $cookie, body => $body,
               headers => { 'Content-Type' => $type });
}

# ok200($r, $what) -> $r->{json}; dies with the answer unless it is a 200.
sub ok200 {
    my ($r, $what) = @_;
    die "$what: " . ($r->{status} // 'none') . ' ' . ($r->{body} // '') . "\n"
        unless ($r->{status} // 0) == 200;
    return $r->{json};
}

# error_cells($r, @keys) -> [[row, field], ...] of an invalid_rows answer,
# in order (@keys: other members of each error instead, e.g. row, field,
# column).
sub error_cells {
    my ($r, @keys) = @_;
    @keys = qw(row field) unless @keys;
    return [ map { my $e = $_; [ map { $e->{$_} } @keys ] }
             @{ $r->{json}{error}{errors} || [] } ];
}

# mdb_dump($db) -> `mdb_dump -n -p -s DB` of the block's store;
# mdb_dumps(@dbs) -> each of them after a "== DB" line.
sub mdb_dump {
    my ($db) = @_;
    my $file = "$ENV{TEST_NGINX_SERVER_ROOT}/html/data/portfolio.mdb";
    open my $fh, '-|', 'mdb_dump', '-n', '-p', '-s', $db, $file
        or die "PortfolioTest::mdb_dump: cannot run mdb_dump: $!\n";
    my $out = do { local $/; <$fh> };
    close $fh or die "PortfolioTest::mdb_dump: mdb_dump -s $db failed: $?\n";
    return $out;
}

sub mdb_dumps {
    return join '', map { "== $_\n" . mdb_dump($_) } @_;
}

1;
