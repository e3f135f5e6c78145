package PortfolioHTTP;

# A deliberately small HTTP/1.x client for the test runner.
#
# Why not LWP?  The tests need byte-exact control over what goes on the wire
# (raw requests, pipelining, odd headers, chunked bodies written by hand) and
# they must see nginx's answer exactly as sent, including malformed ones.
# LWP normalises too much of both, so this module speaks to the socket
# itself and parses the response bytes by hand.

use strict;
use warnings;

use IO::Socket::INET ();
use IO::Select ();
use Time::HiRes qw(time);
use Errno qw(EINTR EAGAIN EWOULDBLOCK);

our @EXPORT_OK = qw(exchange parse_responses parse_one_response header_value);
use Exporter 'import';

# exchange(%args) - connect, send every chunk of `data`, read until the peer
# closes, until `expect` complete responses were parsed, or until the
# deadline.  Returns a hashref:
#   { responses => [ ... ], raw => $bytes, error => $msg_or_undef }
# `heads` is an arrayref of booleans (one per expected response): true when
# that response answers a HEAD request and so carries no body.
sub exchange {
    my %args = @_;
    my $host    = $args{host}    // '127.0.0.1';
    my $port    = $args{port}    // 1984;
    my $timeout = $args{timeout} // 3;
    my $data    = $args{data};
    my $expect  = $args{expect}  // 1;
    my $heads   = $args{heads}   // [];

    my $deadline = time + $timeout;
    my %out = (responses => [], raw => '', error => undef);

    my $sock = IO::Socket::INET->new(
        PeerAddr => $host,
        PeerPort => $port,
        Proto    => 'tcp',
        Timeout  => $timeout,
    );
    if (!$sock) {
        $out{error} = "cannot connect to $host:$port: $!";
        return \%out;
    }
    binmode $sock;
    $sock->autoflush(1);

    # Write everything first.  Requests are small, so a blocking write with
    # the connect timeout is enough; a server that stops reading mid-request
    # shows up as a write error, which we report instead of dying.
    my @chunks = ref $data eq 'ARRAY' ? @$data : ($data);
    {
        local $SIG{PIPE} = 'IGNORE';
        for my $chunk (@chunks) {
            next unless defined $chunk && length $chunk;
            my $off = 0;
            while ($off < length $chunk) {
                my $n = syswrite($sock, $chunk, length($chunk) - $off, $off);
                if (!defined $n) {
                    next if $! == EINTR;
                    $out{error} = "write failed: $!";
                    last;
                }
                $off += $n;
            }
            last if $out{error};
        }
    }

    # Read until EOF, or until we hold as many complete responses as were
    # asked for (so a server that ignores "Connection: close" does not make
    # every test wait for the full timeout), or until the deadline.
    my $sel = IO::Select->new($sock);
    my $buf = '';
    my $eof = 0;
    while (1) {
        my $left = $deadline - time;
        if ($left <= 0) {
            $out{error} //= "timed out after ${timeout}s waiting for the response";
            last;
        }
        my @ready = $sel->can_read($left);
        next if !@ready && $! == EINTR;
        if (!@ready) {
            $out{error} //= "timed out after ${timeout}s waiting for the response";
            last;
        }
        my $n = sysread($sock, $buf, 65536, length $buf);
        if (!defined $n) {
            next if $! == EINTR || $! == EAGAIN || $! == EWOULDBLOCK;
            # A reset after the full response arrived is not an error worth
            # reporting (nginx may reset when it discards an unread body).
            $out{error} //= "read failed: $!" unless length $buf;
            $eof = 1;
            last;
        }
        if ($n == 0) { $eof = 1; last; }
        my ($resps) = parse_responses($buf, $heads, 0);
        last if @$resps >= $expect;
    }
    close $sock;

    $out{raw} = $buf;
    my ($resps) = parse_responses($buf, $heads, $eof || defined $out{error});
    $out{responses} = $resps;
    return \%out;
}

# parse_responses($bytes, \@heads, $at_eof) - split a byte stream into
# consecutive responses.  With $at_eof true, a trailing response without a
# length delimiter takes the rest of the stream (HTTP/1.0 style), and a
# truncated one is returned as far as it got, flagged `incomplete`.
sub parse_responses {
    my ($buf, $heads, $at_eof) = @_;
    $heads ||= [];
    my @resps;
    my $pos = 0;
    while ($pos < length $buf) {
        my $is_head = $heads->[scalar @resps];
        my ($resp, $used) = parse_one_response(substr($buf, $pos), $is_head, $at_eof);
        last unless $resp;
        # Interim answers (100 Continue, 103 Early Hints) precede the real
        # response to the same request: skip them.
        my $st = $resp->{status} // 0;
        if ($st >= 100 && $st < 200 && $st != 101 && $used) {
            $pos += $used;
            next;
        }
        push @resps, $resp;
        last if !$used;    # consumed "the rest": nothing more can follow
        $pos += $used;
    }
    return (\@resps, $pos);
}

# parse_one_response($bytes, $is_head, $at_eof) - returns ($resp, $used) for
# a complete response, or () when more bytes are needed.  $used == 0 means
# the response body ran to the end of the stream.
sub parse_one_response {
    my ($buf, $is_head, $at_eof) = @_;

    # Headers end at the first empty line.  Accept bare LF too, since tests
    # sometimes talk to deliberately sloppy backends.
    my $hend;
    my $sep_len;
    if ($buf =~ /\r?\n\r?\n/) {
        $hend    = $-[0];
        $sep_len = $+[0] - $-[0];
    }
    if (!defined $hend) {
        return () unless $at_eof && length $buf;
        # Truncated before the end of the headers.
        my $r = _parse_head($buf);
        $r->{body} = '';
        $r->{incomplete} = 1;
        return ($r, 0);
    }

    my $resp = _parse_head(substr($buf, 0, $hend));
    my $body_start = $hend + $sep_len;
    my $rest = substr($buf, $body_start);
    my $code = $resp->{status} // 0;

    # Responses that never have a body, whatever their headers say.
    if ($is_head || $code == 204 || $code == 304 || ($code >= 100 && $code < 200)) {
        $resp->{body} = '';
        return ($resp, $body_start);
    }

    my $te = lc(header_value($resp, 'Transfer-Encoding') // '');
    if ($te =~ /\bchunked\b/) {
        my ($body, $used, $complete) = _dechunk($rest);
        if (!$complete) {
            return () unless $at_eof;
            $resp->{body} = $body;
            $resp->{incomplete} = 1;
            return ($resp, 0);
        }
        $resp->{body} = $body;
        $resp->{chunked} = 1;
        return ($resp, $body_start + $used);
    }

    my $cl = header_value($resp, 'Content-Length');
    if (defined $cl && $cl =~ /^\s*(\d+)\s*$/) {
        my $len = $1;
        if (length($rest) < $len) {
            return () unless $at_eof;
            $resp->{body} = $rest;
            $resp->{incomplete} = 1;
            return ($resp, 0);
        }
        $resp->{body} = substr($rest, 0, $len);
        return ($resp, $body_start + $len);
    }

    # No framing: the body is delimited by connection close.
    return () unless $at_eof;
    $resp->{body} = $rest;
    return ($resp, 0);
}

# Decode a chunked body.  Returns ($body, $bytes_used, $complete).
sub _dechunk {
    my ($data) = @_;
    my $body = '';
    my $pos = 0;
    while (1) {
        my $eol = index($data, "\n", $pos);
        return ($body, $pos, 0) if $eol < 0;
        my $line = substr($data, $pos, $eol - $pos);
        $line =~ s/\r$//;
        $line =~ s/;.*//;          # chunk extensions are ignored
        $line =~ s/^\s+|\s+$//g;
        return ($body, $pos, 0) unless $line =~ /^[0-9a-fA-F]+$/;
        my $size = hex $line;
        $pos = $eol + 1;
        if ($size == 0) {
            # Skip optional trailer headers up to the final empty line.
            while (1) {
                my $e = index($data, "\n", $pos);
                return ($body, $pos, 0) if $e < 0;
                my $t = substr($data, $pos, $e - $pos);
                $pos = $e + 1;
                last if $t =~ /^\r?$/;
            }
            return ($body, $pos, 1);
        }
        return ($body, $pos, 0) if length($data) < $pos + $size;
        $body .= substr($data, $pos, $size);
        $pos += $size;
        # CRLF after the chunk data.
        if (substr($data, $pos, 2) eq "\r\n") { $pos += 2 }
        elsif (substr($data, $pos, 1) eq "\n") { $pos += 1 }
        elsif (length($data) <= $pos + 1) { return ($body, $pos, 0) }
    }
}

sub _parse_head {
    my ($head) = @_;
    my @lines = split /\r?\n/, $head;
    my $status_line = shift(@lines) // '';
    my %r = (status_line => $status_line, headers => [], status => undef);
    if ($status_line =~ m{^HTTP/(\d+\.\d+)\s+(\d{3})(?:\s+(.*))?$}) {
        $r{protocol} = "HTTP/$1";
        $r{status}   = $2 + 0;
        $r{message}  = $3 // '';
    }
    for my $l (@lines) {
        if ($l =~ /^[ \t]/ && @{ $r{headers} }) {
            # Obsolete line folding: continue the previous header.
            (my $cont = $l) =~ s/^\s+//;
            $r{headers}[-1][1] .= " $cont";
            next;
        }
        my ($k, $v) = split /:[ \t]*/, $l, 2;
        next unless defined $k && length $k;
        $v //= '';
        $v =~ s/\s+$//;
        push @{ $r{headers} }, [$k, $v];
    }
    return \%r;
}

# header_value($resp, $name) - case-insensitive lookup; several fields of
# the same name are joined with ", " (as HTTP::Headers does), undef if none.
sub header_value {
    my ($resp, $name) = @_;
    my @v = header_values($resp, $name);
    return @v ? join(', ', @v) : undef;
}

sub header_values {
    my ($resp, $name) = @_;
    return () unless $resp && $resp->{headers};
    my $lc = lc $name;
    return map { $_->[1] } grep { lc($_->[0]) eq $lc } @{ $resp->{headers} };
}

1;

__END__

=head1 NAME

PortfolioHTTP - minimal raw-socket HTTP client used by Test::Nginx::Socket
and PortfolioTest

=head1 FUNCTIONS

=over

=item exchange(host => ..., port => ..., data => $bytes | \@chunks, expect => N, heads => \@bools, timeout => S)

Sends the bytes, reads the answer, returns
C<< { responses => [...], raw => $bytes, error => $msg } >>.
Each response is C<< { status, status_line, message, protocol, headers => [[name, value], ...], body } >>
with chunked bodies already decoded.

=item header_value($resp, $name), header_values($resp, $name)

Case-insensitive header lookup.

=back

=cut
