package PortfolioTest;

# Helpers for the project's `--- init` sections (and any other Perl in the
# tests) that need to talk to the nginx under test directly: create fixtures
# through the API, log in and keep the session cookie, and so on.
#
#     --- init
#     my $cookie = PortfolioTest::login('alice', 'secret');
#     my $r = PortfolioTest::http(POST => '/api/items',
#                                 body => { title => 'x' }, cookie => $cookie);
#     die "setup failed: $r->{status}" unless $r->{status} == 201;
#
# It talks to 127.0.0.1 on $ENV{TEST_NGINX_SERVER_PORT} (1984 by default),
# the same server Test::Nginx::Socket started for the current block.

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

1;
