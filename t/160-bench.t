# Issue 6: scripts/seed and scripts/bench work end to end, run once on the
# small data set (1,000 students) with one second per workload, so that
# they cannot rot unnoticed.  Benchmarks are not tests: nothing here looks
# at a rate or a latency.  What is checked is that the seed holds what the
# plugins would have written, that every workload of the table ran and was
# answered as the bench expects (wrk counts any other status), and that a
# run leaves the data set as seeded.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use Digest::SHA;

my $root = $ENV{TEST_NGINX_ROOT} || '.';
my $port = $ENV{TEST_NGINX_SERVER_PORT} || $ENV{TEST_NGINX_PORT} || 1984;
my $dir  = tempdir('pf-bench-t.XXXXXX', TMPDIR => 1, CLEANUP => 1);

sub entries {
    my ($db) = @_;
    my $out = `mdb_stat -n -s $db $dir/seed.mdb 2>&1`;
    return $out =~ /Entries: (\d+)/ ? $1 : -1;
}

sub digest { Digest::SHA->new(256)->addfile($_[0])->hexdigest }

# --- the seed -------------------------------------------------------------

my $seed = `PF_SEED_PORT=@{[$port + 480]} bash $root/scripts/seed --small $dir 2>&1`;
is($?, 0, 'scripts/seed --small succeeds') or diag($seed);
like($seed, qr/^\s+seed total\s+[\d.]+ s$/m, 'the seed reports the time it took');
like($seed, qr/^\s+database: \d+ MB used by LMDB/m,
     'the seed reports the database size');

my %info = map { /^(\w+)=(.*)$/ ? ($1, $2) : () }
           split /\n/, (do { local (@ARGV, $/) = "$dir/seed.txt"; <> } // '');
is($info{students}, 1000, 'seed.txt: 1,000 students');
is($info{outcomes}, 20000, 'seed.txt: 20 outcomes each');
ok(-s "$dir/seed.mdb", 'the database as seeded is kept for the bench');

# per student and term, by the course's place k mod 10 (benchkit.c):
# 0-1 passed and selected, 2-3 passed, 4 failed, 5-7 pending, 8-9 drafts
is(entries('outcomes'), 20000, 'outcomes: one per course taken');
is(entries('outcome_ids'), 20000, 'outcome_ids: every outcome');
is(entries('cert_queue'), 6000, 'cert_queue: the pending 30 %');
is(entries('selections'), 4000, "selections (the school's index): 20 %");
is(entries('selected'), 5000,
   "selected (the student's index): the same 4,000 and every student's mark");
cmp_ok(entries('audit'), '>=', 62000,
       'audit: created, submitted, decided, published, selected');

# --- the bench ------------------------------------------------------------

my $before = digest("$dir/seed.mdb");
my $bench = `BENCH_SECONDS=1 BENCH_PORT=@{[$port + 490]} bash $root/scripts/bench $dir $dir 2>&1`;
is($?, 0, 'scripts/bench succeeds') or diag($bench);
unlike($bench, qr/wrk failed|bad status|socket errors/,
       'every request of every workload was answered as expected')
    or diag($bench);

my @rows = (
    'nginx `return 200`', 'nginx static file', 'GET /api/me',
    'GET /api/outcomes (20 outcomes)',
    'selection tick/untick, group commit on',
    'selection tick/untick, group commit off',
    'certification decision, group commit on',
    'certification decision, group commit off',
    'PUT document 1 MB', 'nginx dav PUT 1 MB', 'PUT document 4 MB',
    'nginx dav PUT 4 MB', 'POST /api/session', 'GET /api/outcomes paced at',
    'the same while sign-ins run at 100/s',
    'small data set: nginx `return 200`', 'small data set: GET /api/me',
    'small data set: GET /api/outcomes',
);

for my $label (@rows) {
    my ($line) = $bench =~ /^(\| \Q$label\E.*)$/m;
    ok(defined $line, "the table has a row for $label") or next;
    my @cell = map { s/^\s+|\s+$//gr } split /\|/, $line;
    # | label | req/s | p50 | p99 | µs CPU/req | ratio | vs |
    my $rps = $cell[2] // '';
    $rps =~ tr/,//d;
    ok($rps =~ /^\d+$/ && $rps > 0, "$label: requests were served ($cell[2])");
    like($cell[3] // '', qr/^\d+\.\d{3}$/, "$label: p50 latency");
    like($cell[4] // '', qr/^\d+\.\d{3}$/, "$label: p99 latency");
    unlike($cell[7] // '', qr/errors\)/, "$label: no errors");
}

# the ratios the targets are stated in
for my $r (['GET /api/me', 'return 200'],
           ['selection tick/untick, group commit on', 'group commit off'],
           ['certification decision, group commit on', 'group commit off'],
           ['PUT document 1 MB', 'nginx PUT 1 MB'],
           ['small data set: GET /api/me', 'return 200; city cost ÷ small cost: [\d.]+ .*; by CPU per request \d'],
           ['small data set: GET /api/outcomes', 'return 200; city cost ÷ small cost: [\d.]+ .*; by CPU per request \d'])
{
    like($bench, qr/^\| \Q$r->[0]\E[^\n]*\| \d+\.\d\d \| $r->[1]/m,
         "$r->[0]: a ratio to $r->[1]");
}
like($bench, qr/sign-ins: \d+(\.\d+)?\/s, their p99 \d/,
     'the sign-ins beside the paced reads ran at their rate');
like($bench, qr/^Worker memory, both workers.* at the end \d+\/\d+\.$/m,
     'worker memory');
like($bench, qr/^Disk, while the durable writes ran .*ticks: \d+ KB/m,
     'disk writes per durable write');
like($bench, qr/^Database: city \d+ MB used by LMDB .*1000 students, 20000 outcomes\); small \d+ MB\.$/m,
     'database sizes');

# every run starts from the data set as seeded and leaves it so
is(digest("$dir/seed.mdb"), $before, 'the seeded database is left as it was');
like($bench, qr/uploads undone: \d+ drafts reset, \d+ stored files deleted/,
     'the uploads were undone');

done_testing();
