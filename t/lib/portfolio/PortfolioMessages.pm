package PortfolioMessages;

# The messages people see, read from the C sources (t/052, t/104): each
# error call's message and, on request, each reason a message is made of.
# "In words for people" is Chinese with no English sentence (two English
# words in a row, the printf directives aside).

use strict;
use warnings;

# in_words($msg) -> whether a message is in words for people.
sub in_words {
    my ($msg) = @_;
    (my $words = $msg) =~ s/%[-+ #0]*[*\d]*(?:\.\*|\.\d+)?(?:ll|l|z|u|L)?[a-zA-Z]/9/g;
    return $msg =~ /\p{Han}/ && $words !~ /\b[A-Za-z]+[ ,;:]+[A-Za-z]+\b/;
}

# messages($file, %o) -> ({line, code, msg}, ...): every call of
# ngx_http_pf_error(), ngx_http_pf_busy() (code "busy"),
# ngx_http_pf_send_error() and pf_host->error() in the file, its message
# the string literals after the code; a message matching $o{passthrough}
# (default "%s" or "%V": it only passes another through, checked where
# that one is written) is left out.  With $o{why}, also each "why",
# "*why" or "why->len" assignment's literals (code "why"), words such as
# "\"name\"" aside.
sub messages {
    my ($file, %o) = @_;
    my $pass = $o{passthrough} // qr/^%[sV]$/;
    open my $fh, '<:encoding(UTF-8)', $file or die "PortfolioMessages: $file: $!\n";
    my $src = do { local $/; <$fh> };
    my $line = sub { 1 + (() = substr($src, 0, $_[0]) =~ /\n/g) };
    my @out;
    while ($src =~ /\b(ngx_http_pf_error|ngx_http_pf_busy|ngx_http_pf_send_error|pf_host->error)\s*\(/g) {
        my ($fun, $at) = ($1, pos $src);
        next if $src =~ /\G[^;{]*\)\s*\{/;                # a definition
        my @lits = _args($src, $at) =~ /"((?:[^"\\]|\\.)*)"/g;
        my $code = $fun eq 'ngx_http_pf_busy' ? 'busy' : shift @lits;
        next if !@lits || join('', @lits) =~ $pass;
        push @out, { line => $line->($at), code => $code, msg => join('', @lits) };
    }
    return @out unless $o{why};
    while ($src =~ /(?:\*why|\bwhy->len|\bwhy)\s*=\s*([^;]*);/g) {
        my ($stmt, $at) = ($1, $-[0]);
        my @lits = grep { !/^(?:\\"[a-z_]+\\"|[a-z_]+)$/ } $stmt =~ /"((?:[^"\\]|\\.)*)"/g;
        next unless @lits;
        push @out, { line => $line->($at), code => 'why', msg => join('', @lits) };
    }
    return @out;
}

# The arguments of the call whose "(" ends at $at, up to its ")".
sub _args {
    my ($src, $at) = @_;
    my ($depth, $i) = (1, $at);
    while ($depth && $i < length $src) {
        my $c = substr($src, $i, 1);
        if ($c eq '"') {
            $i++;
            $i += substr($src, $i, 1) eq '\\' ? 2 : 1 while substr($src, $i, 1) ne '"';
        } elsif ($c eq '(') {
            $depth++;
        } elsif ($c eq ')') {
            $depth--;
        }
        $i++;
    }
    return substr($src, $at, $i - $at - 1);
}

1;
