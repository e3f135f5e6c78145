# Issue 3: the README's walk-through works as written against scripts/run.
# Issue 16 item 18: so does its "try it" block; every step of both prints
# the API's answer; and the walk-through runs twice, starting over between
# the runs as the README says (stop scripts/run, remove its data, start
# it again).  Extracts the blocks between their <!-- --> markers, starts
# the system exactly as scripts/run does (own port and data directory),
# and runs them with bash.
use strict;
use warnings;
use Test::More;
use File::Path qw(remove_tree);
use File::Temp qw(tempdir);
use POSIX ();

my $root = $ENV{TEST_NGINX_ROOT} || '.';
my $port = ($ENV{TEST_NGINX_PORT} || 1984) + 100;
my $api = "http://127.0.0.1:$port/api";

open(my $fh, '<', "$root/README.md") or die "README.md: $!";
my $readme = do { local $/; <$fh> };
my ($walk) = $readme =~ /<!-- walkthrough -->\s*```sh\n(.*?)```/s;
my ($try) = $readme =~ /<!-- try-it -->\s*```sh\n(.*?)```/s;
ok($walk, 'the README has a walk-through block');
ok($try, 'the README has a "try it" block');
like($readme, qr/start\s+over:\s+stop\s+`scripts\/run`\s+\(Ctrl-C\),\s+remove\s+its\s+data\s+\(`rm\s+-rf\s+var\/`\)/,
     'the README says how to start over');

# Every curl prints its answer: it ends in "; echo" or is read by $(...).
for my $block (['walk-through', $walk // ''], ['try it', $try // '']) {
    my @silent;
    my $text = $block->[1] =~ s/\\\n\s*/ /gr;
    for my $line (split /\n/, $text) {
        next unless $line =~ /\bcurl\b/;
        next if $line =~ /\$\(curl/;
        push @silent, $line unless $line =~ /;\s*echo\s*$/;
    }
    is_deeply(\@silent, [], "every step of the $block->[0] prints its answer");
}

my $prefix = tempdir(CLEANUP => 1);
chmod 0755, $prefix;
my $pid;

# scripts/run, as the README says to run it; true once the demo term is in
sub start {
    unlink "$prefix/run.log";
    $pid = fork();
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
    for (1 .. 600) {
        if (open(my $l, '<', "$prefix/run.log")) {
            local $/;
            my $log = <$l>;
            return 1 if $log =~ /Demo school zlsh/;
        }
        select(undef, undef, undef, 0.1);
    }
    diag(`cat $prefix/run.log`);
    return 0;
}

# Ctrl-C's end of scripts/run: the whole process group, and wait for it
sub stop {
    kill('INT', -$pid);
    waitpid($pid, 0);
}

sub run_block {
    my ($block) = @_;
    chdir $root;
    open(my $sh, '-|', 'bash', '-c', "API=$api\n" . $block) or die "bash: $!";
    my $out = do { local $/; <$sh> };
    close($sh);
    return $out;
}

sub walkthrough_ok {
    my ($run) = @_;
    my $out = run_block($walk);
    like($out, qr/"kind":"enrollments","term":"115-1","rows":12/, "$run: S1: the term is imported");
    like($out, qr/"windows":\{"upload"/, "$run: AD3: the windows are opened (the answer printed)");
    like($out, qr/"must_change_password":true/, "$run: A1: the first sign-in must change the password");
    like($out, qr/\{"changed":true\}/, "$run: A1: the password is changed");
    like($out, qr/"code":"PHY-1151-101","name":"物理"/, "$run: P2: course records");
    like($out, qr/"document":\{"sha256":"[0-9a-f]{64}"/, "$run: P4: the PDF is stored by its SHA-256");
    like($out, qr/"status":"pending"/, "$run: P4: sent for certification");
    like($out, qr/\{"pending":1/, "$run: T1: the teacher sees one waiting");
    like($out, qr/"published":\["[0-9A-Z]{26}"\]/, "$run: P5: passed and published");
    like($out, qr/"status":"passed".*"selected":true/s, "$run: P6: the student selected it");
    like($out, qr/\(1\/3\)/, "$run: P6: the counter reads (1/3)");
    unlike($out, qr/"error"/, "$run: no step answered an error") or diag($out);
}

ok(start(), 'scripts/run started the system with the demo school');

my $out = run_block($try // '');
like($out, qr/"must_change_password":true/, 'try it: the student signs in with the initial password');
like($out, qr/\{"changed":true\}/, 'try it: and changes it');
like($out, qr/"id":"zlsh108234567"/, 'try it: /me answers who it is');
unlike($out, qr/"error"/, 'try it: no step answered an error') or diag($out);

walkthrough_ok('first run');

# start over, as the README says: stop, remove the data, start again
stop();
remove_tree($prefix, { keep_root => 1 });    # rm -rf var/
ok(start(), 'after starting over, scripts/run starts again with the demo school');
walkthrough_ok('second run');

stop();
done_testing();
