# master_on() and workers() are file-wide settings, hence this separate file.
# The init code checks the process tree nginx really has.

use Test::Nginx::Socket;

master_on();
workers(2);
repeat_each(2);
no_shuffle();    # TEST 2 checks what TEST 1 left

plan tests => repeat_each() * 2 * blocks();

run_tests();

__DATA__

=== TEST 1: a master process with two workers
--- config
    location = /pid { return 200 "$pid\n"; }
--- init
my $root = $ENV{TEST_NGINX_SERVER_ROOT};
open my $fh, '<', "$root/logs/nginx.pid" or die "no pid file: $!\n";
chomp(my $master = <$fh>);
close $fh;

open my $conf, '<', "$root/conf/nginx.conf" or die "no nginx.conf: $!\n";
my $text = do { local $/; <$conf> };
die "master_process is not on\n"   unless $text =~ /^master_process on;$/m;
die "worker_processes is not 2\n" unless $text =~ /^worker_processes\s+2;$/m;

# Workers are forked just after the master writes its pid file.
my @workers;
for (1 .. 200) {
    @workers = grep {
        open my $st, '<', "/proc/$_/stat" or next;
        my $s = <$st>;
        $s =~ /^\d+ \(.*\) \S (\d+)/ && $1 == $master;
    } grep { /^\d+$/ } do { opendir my $d, '/proc'; readdir $d };
    last if @workers == 2;
    select undef, undef, undef, 0.01;
}
die "expected 2 workers under master $master, found @workers\n"
    unless @workers == 2;
$main::workers = join ',', sort @workers;
--- request
GET /pid
--- response_body_like: ^\d+$



=== TEST 2: the workers of TEST 1 are gone once its nginx stopped
--- config
    location = /pid { return 200 "$pid\n"; }
--- init
for my $pid (split /,/, $main::workers // die "TEST 1 did not run\n") {
    next unless -e "/proc/$pid/stat";
    open my $st, '<', "/proc/$pid/stat" or next;
    die "worker $pid of TEST 1 still running\n" unless <$st> =~ /^\d+ \(.*\) Z/;
}
--- request
GET /pid
--- response_body_like: ^\d+$
