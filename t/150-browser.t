# Issue 5: the web pages in a real browser. Runs t/browser/run.mjs (Node,
# playwright-core from npm, Debian's Chromium headless) which starts the
# system as scripts/run does on its own port (TEST_NGINX_PORT + 200) and
# data directory, walks the pages as a student, a teacher and the school
# admin, and writes the screenshots to docs/screenshots/. Each of its
# steps is one test here. Skips only when node or chromium is missing.
use strict;
use warnings;
use Test::More;

my $root = $ENV{TEST_NGINX_ROOT} || '.';
my $chromium = $ENV{CHROMIUM} || '/usr/bin/chromium';

sub in_path {
    my ($cmd) = @_;
    for my $d (split /:/, $ENV{PATH} || '') {
        return "$d/$cmd" if -x "$d/$cmd";
    }
    return undef;
}

my $node = in_path('node');
plan skip_all => 'node is not installed (Debian: apt-get install nodejs npm)' unless $node;
plan skip_all => "chromium is not installed at $chromium (Debian: apt-get install chromium)" unless -x $chromium;

$ENV{TEST_NGINX_PORT} ||= 1984;
open(my $run, '-|', $node, "$root/t/browser/run.mjs") or die "node: $!";
my ($planned, $seen, $diag) = (undef, 0, '');
while (my $line = <$run>) {
    chomp $line;
    if ($line =~ /^1\.\.(\d+)$/) {
        $planned = $1;
    } elsif ($line =~ /^ok \d+ - (.*)$/) {
        $seen++;
        pass($1);
    } elsif ($line =~ /^not ok \d+ - (.*)$/) {
        $seen++;
        fail($1);
    } elsif ($line =~ /^# ?(.*)$/) {
        diag($1);
    } else {
        diag($line);
    }
}
close($run);
my $status = $? >> 8;

ok(defined $planned, 'the browser run printed its plan');
is($seen, $planned // -1, 'every step of the browser run reported');
is($status, 0, 'the browser run exited cleanly');
done_testing();
