# Issue 16 item 7, the rules part: every message a person sees from the
# student, certification and selection plugins, the sis plugin's reading
# routes (sis_read.c), the outcome helpers (pf_outcome.c), the core's
# settings routes and checks (_settings*.c), the session cache and the
# temporary account's refusals is in Traditional Chinese, with no English
# sentence (two English words in a row, the printf directives aside).
# Reads the sources: each error call's message (ngx_http_pf_error(),
# pf_host->error()) and each reason a message is made of ("why" and
# "*why" assignments, the settings checks' ngx_slprintf() into why); a
# message that only passes another through ("%s", "%V") is checked where
# that one is written.  (t/052 does the same for the core's other files
# and the school, accounts and admin plugins.)
use strict;
use warnings;
use utf8;
use Test::More;

binmode(Test::More->builder->$_, ':encoding(UTF-8)')
    for qw(output failure_output todo_output);

my $root = $ENV{TEST_NGINX_ROOT} || '.';
my @files = (
    glob("$root/plugins/{student,certification,selection}/*.c"),
    "$root/plugins/sis/sis_read.c", "$root/plugins/common/pf_outcome.c",
    glob("$root/ngx_portfolio_module/ngx_http_portfolio_settings*.c"),
    "$root/ngx_portfolio_module/ngx_http_portfolio_session_cache.c",
);

# The arguments of the call whose "(" ends at $at, up to its ")".
sub args {
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

sub check {
    my ($where, $what, $msg) = @_;
    (my $words = $msg) =~ s/%[-+ #0]*[*\d]*(?:\.\*|\.\d+)?(?:ll|l|z|u|L)?[a-zA-Z]/9/g;
    ok($msg =~ /\p{Han}/ && $words !~ /\b[A-Za-z]+[ ,;:]+[A-Za-z]+\b/,
       "$where $what: \"$msg\" is in words for people");
}

my $calls = 0;
for my $file (@files) {
    open my $fh, '<:encoding(UTF-8)', $file or die "$file: $!";
    my $src = do { local $/; <$fh> };
    (my $name = $file) =~ s{.*/}{};
    my $line = sub { 1 + (() = substr($src, 0, $_[0]) =~ /\n/g) };

    # the error calls: the code, then the message
    while ($src =~ /\b(ngx_http_pf_error|pf_host->error)\s*\(/g) {
        my $at = pos $src;
        next if $src =~ /\G[^;{]*\)\s*\{/;                # a definition
        my @lits = args($src, $at) =~ /"((?:[^"\\]|\\.)*)"/g;
        my $code = shift @lits;
        next if !@lits || join('', @lits) =~ /^%[sV]$/ || join('', @lits) eq '%.*s';
        $calls++;
        check("$name:" . $line->($at), $code, join('', @lits));
    }

    # the reasons messages are made of
    while ($src =~ /(?:\*why|\bwhy->len|\bwhy)\s*=\s*([^;]*);/g) {
        my ($stmt, $at) = ($1, $-[0]);
        my @lits = grep { !/^(?:\\"[a-z_]+\\"|[a-z_]+)$/ } $stmt =~ /"((?:[^"\\]|\\.)*)"/g;
        next unless @lits;
        $calls++;
        check("$name:" . $line->($at), 'why', join('', @lits));
    }
}
cmp_ok($calls, '>', 100, "every file was read ($calls messages)");

done_testing();
