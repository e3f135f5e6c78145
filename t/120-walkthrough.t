# Issue 3: the README's walk-through works as written against scripts/run.
# Extracts the block between <!-- walkthrough --> markers, starts the
# system exactly as scripts/run does (own port and data directory), runs
# the block with bash, and checks the outcome went from import to
# selection.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use POSIX ();

my $root = $ENV{TEST_NGINX_ROOT} || '.';
my $port = ($ENV{TEST_NGINX_PORT} || 1984) + 100;
my $api = "http://127.0.0.1:$port/api";

open(my $fh, '<', "$root/README.md") or die "README.md: $!";
my $readme = do { local $/; <$fh> };
my ($block) = $readme =~ /<!-- walkthrough -->\s*```sh\n(.*?)```/s;
ok($block, 'the README has a walk-through block');

my $prefix = tempdir(CLEANUP => 1);
chmod 0755, $prefix;
my $pid = fork();
die "fork: $!" unless defined $pid;
if ($pid == 0) {
    POSIX::setsid();
    $ENV{PORT} = $port;
    $ENV{PF_PREFIX} = $prefix;
    open(STDOUT, '>', "$prefix/run.log");
    open(STDERR, '>&', \*STDOUT);
    exec("$root/scripts/run") or POSIX::_exit(127);
}

# scripts/run prints the accounts once the demo term is imported
my $ready = 0;
for (1 .. 600) {
    if (open(my $l, '<', "$prefix/run.log")) {
        local $/;
        my $log = <$l>;
        if ($log =~ /Demo school zlsh/) { $ready = 1; last }
    }
    select(undef, undef, undef, 0.1);
}
ok($ready, 'scripts/run started the system with the demo school')
    or diag(`cat $prefix/run.log`);

my $out = '';
if ($ready) {
    chdir $root;
    open(my $sh, '-|', 'bash', '-c', "API=$api\n" . $block) or die "bash: $!";
    $out = do { local $/; <$sh> };
    close($sh);
}

like($out, qr/"kind":"enrollments","term":"115-1","rows":12/, 'S1: the term is imported');
like($out, qr/"must_change_password":true/, 'A1: the first sign-in must change the password');
like($out, qr/\{"changed":true\}/, 'A1: the password is changed');
like($out, qr/"code":"PHY-1151-101","name":"物理"/, 'P2: course records');
like($out, qr/"document":\{"sha256":"[0-9a-f]{64}"/, 'P4: the PDF is stored by its SHA-256');
like($out, qr/"status":"pending"/, 'P4: sent for certification');
like($out, qr/\{"pending":1/, 'T1: the teacher sees one waiting');
like($out, qr/"published":\["[0-9A-Z]{26}"\]/, 'P5: passed and published');
like($out, qr/"status":"passed".*"selected":true/s, 'P6: the student selected it');
like($out, qr/\(1\/3\)/, 'P6: the counter reads (1/3)');
unlike($out, qr/"error"/, 'no step answered an error') or diag($out);

kill('QUIT', -$pid);
waitpid($pid, 0);
done_testing();
