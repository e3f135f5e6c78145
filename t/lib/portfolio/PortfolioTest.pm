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
use Test::Nginx::HTTP ();

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

    my $x = Test::Nginx::HTTP::exchange(
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

1;
