# Issue 2 item 7: the module works with several worker processes (one
# LMDB environment shared by all, one writer per worker) and survives a
# reload (HUP): sessions and data stay, new workers take over.
#
# Multi-step flows run in `--- init` (PortfolioTest + Test::More); every
# block still ends with a plain request of its own.

use Test::Nginx::Socket 'no_plan';
use PortfolioTest;
use IO::Socket::INET ();
use JSON::PP ();

master_on();
workers(2);
no_shuffle();
# the usual configuration with testkit
PortfolioTest::block_defaults(plugins => ['testkit']);
run_tests();

# --- helpers for the init sections (called as main::..., so they work
# --- whichever package the runner evaluates `init` in)

sub main::master_pid {
    my $file = "$ENV{TEST_NGINX_SERVER_ROOT}/logs/nginx.pid";
    open my $fh, '<', $file or die "no pid file $file: $!\n";
    my $pid = <$fh>;
    close $fh;
    $pid =~ /^\s*(\d+)\s*$/ or die "bad pid file $file\n";
    return $1;
}

# The live worker processes of the master (not old ones shutting down).
sub main::workers_of {
    my ($master) = @_;
    my @w;
    opendir my $d, '/proc' or die "no /proc: $!\n";
    for my $pid (grep { /^\d+$/ } readdir $d) {
        open my $st, '<', "/proc/$pid/stat" or next;
        my $stat = <$st> // '';
        close $st;
        next unless $stat =~ /^\d+ \(.*\) (\S) (\d+)/s && $2 == $master && $1 ne 'Z';
        open my $cl, '<', "/proc/$pid/cmdline" or next;
        my $cmd = do { local $/; <$cl> } // '';
        close $cl;
        push @w, $pid if $cmd =~ /worker process\0*$/;
    }
    closedir $d;
    return sort { $a <=> $b } @w;
}

sub main::alive {
    my ($pid) = @_;
    open my $st, '<', "/proc/$pid/stat" or return 0;
    my $stat = <$st> // '';
    return $stat !~ /^\d+ \(.*\) Z/s;
}

# Sends the requests on ONE keep-alive connection (so one worker answers
# them all) and returns their answers: { status, headers, body, json }.
# Each request is [METHOD, PATH, BODY (ref: JSON), COOKIE].
sub main::one_connection {
    my (@reqs) = @_;
    my $port = $ENV{TEST_NGINX_SERVER_PORT} || $ENV{TEST_NGINX_PORT} || 1984;
    my $json = JSON::PP->new->utf8->canonical;
    my $raw = '';
    for my $i (0 .. $#reqs) {
        my ($method, $path, $body, $cookie) = @{ $reqs[$i] };
        $body = defined $body ? $json->encode($body) : undef;
        $raw .= "$method $path HTTP/1.1\r\nHost: localhost\r\n"
              . 'Connection: ' . ($i == $#reqs ? 'close' : 'keep-alive') . "\r\n"
              . ($cookie ? "Cookie: $cookie\r\n" : '')
              . (defined $body ? "Content-Type: application/json\r\n"
                                 . 'Content-Length: ' . length($body) . "\r\n"
                               : '')
              . "\r\n" . ($body // '');
    }
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                  Proto => 'tcp', Timeout => 5)
        or die "cannot connect to $port: $!\n";
    binmode $s;
    print {$s} $raw;
    my $in = do { local $/; <$s> } // '';
    close $s;
    my @out;
    while ($in =~ s/\A(HTTP\/1\.\d (\d{3})[^\r\n]*\r\n(.*?)\r\n\r\n)//s) {
        my ($status, $head) = ($2, $3);
        my %h;
        for (split /\r\n/, $head) { $h{lc $1} = $2 if /^([^:]+):\s*(.*)$/ }
        my $len = $h{'content-length'} // 0;
        my $body = substr($in, 0, $len, '');
        push @out, { status => $status, headers => \%h, body => $body,
                     json => eval { $json->decode($body) } };
    }
    return @out;
}

# A keep-alive connection of our own: the worker that accepted it answers
# every request sent on it.
sub main::conn_open {
    my $port = $ENV{TEST_NGINX_SERVER_PORT} || $ENV{TEST_NGINX_PORT} || 1984;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                  Proto => 'tcp', Timeout => 5)
        or die "cannot connect to $port: $!\n";
    binmode $s;
    return $s;
}

# One request on such a connection: { status, json }.
sub main::conn_ask {
    my ($s, $method, $path, $body, $cookie) = @_;
    my $json = JSON::PP->new->utf8->canonical;
    $body = defined $body ? $json->encode($body) : undef;
    print {$s} "$method $path HTTP/1.1\r\nHost: localhost\r\n"
             . ($cookie ? "Cookie: $cookie\r\n" : '')
             . (defined $body ? "Content-Type: application/json\r\n"
                                . 'Content-Length: ' . length($body) . "\r\n" : '')
             . "\r\n" . ($body // '');
    my $head = '';
    while ($head !~ /\r\n\r\n\z/) {
        sysread($s, my $c, 1) or die "connection closed after: $head\n";
        $head .= $c;
    }
    my ($status) = $head =~ /\AHTTP\/1\.\d (\d{3})/ or die "bad answer: $head\n";
    my ($len) = $head =~ /^Content-Length:\s*(\d+)/mi;
    my $in = '';
    while (length($in) < ($len // 0)) {
        sysread($s, $in, $len - length($in), length($in)) or die "short body\n";
    }
    return { status => $status, json => eval { $json->decode($in) } };
}

__DATA__

=== TEST 1: issue 2 item 7 sign-ins and writes with two workers: both answer, nothing is lost
--- init
my $master = main::master_pid();
my @workers;
PortfolioTest::wait_until(sub { (@workers = main::workers_of($master)) == 2 }, 3);
is(scalar @workers, 2, 'two workers run');
my %is_worker = map { $_ => 1 } @workers;

# sign-ins through either worker; each session works in the other too
my @cookies = map { PortfolioTest::login('zlsh108234567', 'student-pass-1') } 1 .. 4;
push @cookies, PortfolioTest::login('zlsh108234569', 'student-pass-3');

# Each write goes on one connection with a health request, so we know
# which worker did it.  Keep going until both workers wrote (at least 20
# writes, at most 200); the kernel picks the worker for each connection.
my (%wrote, %read_by, @items, $bad);
my $i = 0;
while ($i < 200 && ($i < 20 || keys(%wrote) < 2)) {
    $i++;
    my $c = $cookies[$i % @cookies];
    my ($h, $w, $me) = main::one_connection(
        [ GET  => '/api/health' ],
        [ POST => '/api/testkit/items', { id => "item-$i" }, $c ],
        [ GET  => '/api/me', undef, $c ],
    );
    my $pid = $h && $h->{json} ? $h->{json}{worker_pid} : 'none';
    $bad++ unless $is_worker{$pid};
    if ($w && $w->{status} eq '201') {
        $wrote{$pid}++;
        push @items, "item-$i";
    } else {
        Test::More::diag("write item-$i: " . ($w ? "$w->{status} $w->{body}" : 'no answer'));
    }
    $read_by{$pid}++ if $me && $me->{status} eq '200';
}
ok(!$bad, 'every answer came from one of the two workers');
is(scalar @items, $i, "all $i writes answered 201");
is(scalar keys %wrote, 2, 'both workers wrote (' . join(', ', map { "$_: $wrote{$_}" } sort keys %wrote) . ')');
is(scalar keys %read_by, 2, 'sessions signed in anywhere work in both workers');

# every write landed: each item exists (409 on a second create), whichever
# worker is asked
my $missing = 0;
for my $id (@items) {
    my $r = PortfolioTest::http(POST => '/api/testkit/items', cookie => $cookies[0],
                                body => { id => $id });
    $missing++ unless $r->{status} eq '409';
}
is($missing, 0, 'each created item is there afterwards');

# and each write's event hook ran exactly once
my $stats = PortfolioTest::http(GET => '/api/testkit/stats', cookie => $cookies[0]);
is($stats->{json}{counters}{hook}, scalar @items, 'one hook run per created item');
--- request
GET /api/health
--- response_body_like chomp
^\{"status":"ok",.*"worker_pid":\d+\}$
--- no_error_log
[error]



=== TEST 2: issue 2 item 7 a reload (HUP) keeps sessions, data and changed passwords
--- init
my $master = main::master_pid();
my @old;
PortfolioTest::wait_until(sub { (@old = main::workers_of($master)) == 2 }, 3);
is(scalar @old, 2, 'two workers before the reload');

my $c = PortfolioTest::login('zlsh108234567', 'student-pass-1');
for my $id (map { "before-$_" } 1 .. 5) {
    my $r = PortfolioTest::http(POST => '/api/testkit/items', cookie => $c, body => { id => $id });
    is($r->{status}, 201, "created $id");
}
# an initial password changed before the reload (SPEC A1): the bootstrap
# runs again at reload and must not put the old one back
my $t = PortfolioTest::login('zlsh108234568', '567891');
is(PortfolioTest::http(POST => '/api/password', cookie => $t,
                       body => { current => '567891', new => 'Reload-proof-1' })->{status},
   200, 'password changed before the reload');

ok(kill('HUP', $master), "HUP sent to the master $master");

# wait for the new generation: two workers, none of the old ones alive
my @new;
my %old = map { $_ => 1 } @old;
PortfolioTest::wait_until(sub {
    @new = main::workers_of($master);
    @new == 2 && !grep({ $old{$_} } @new) && !grep({ main::alive($_) } @old);
}, 15);
is(scalar @new, 2, 'two workers after the reload');
ok(!grep({ $old{$_} } @new), "new worker pids (@old -> @new)");
ok(!grep({ main::alive($_) } @old), 'the old workers are gone');
is(main::master_pid(), $master, 'the same master');

my %new = map { $_ => 1 } @new;
my $h = PortfolioTest::http(GET => '/api/health');
ok($new{ $h->{json}{worker_pid} // 0 }, 'health is answered by a new worker');

# the session from before the reload still works, in the new workers
my $r = PortfolioTest::http(GET => '/api/me', cookie => $c);
is($r->{status}, 200, 'the session survived the reload');
is($r->{json}{user}{id}, 'zlsh108234567', 'same user');
is(PortfolioTest::http(GET => '/api/me', cookie => $t)->{status}, 200,
   'the other session too');

# the data is intact: every item is still there
for my $id (map { "before-$_" } 1 .. 5) {
    $r = PortfolioTest::http(POST => '/api/testkit/items', cookie => $c, body => { id => $id });
    is($r->{status}, 409, "$id is still there");
}
$r = PortfolioTest::http(POST => '/api/testkit/items', cookie => $c, body => { id => 'after-1' });
is($r->{status}, 201, 'a new write after the reload');

# the changed password stayed changed
$r = PortfolioTest::http(POST => '/api/session',
                         body => { username => 'zlsh108234568', password => '567891' });
is($r->{status}, 401, 'the initial password was not put back');
$r = PortfolioTest::http(POST => '/api/session',
                         body => { username => 'zlsh108234568', password => 'Reload-proof-1' });
is($r->{status}, 200, 'the changed password signs in');
is($r->{json}{must_change_password}, JSON::PP::false(), 'and needs no change');
--- request
GET /api/health
--- response_body_like chomp
^\{"status":"ok",
--- no_error_log
[error]



=== TEST 3: a session both workers keep (and answer without reading it) ends everywhere at once: a role granted and revoked, a sign-out
--- http_config eval
PortfolioTest::http_config(plugins => [qw(accounts testkit)])
--- init
my $admin = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
my $t1 = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');
my $t2 = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');

# one keep-alive connection to each worker
my %conn;
for (1 .. 100) {
    my $s = main::conn_open();
    my $pid = main::conn_ask($s, GET => '/api/health')->{json}{worker_pid};
    $conn{$pid} ? close($s) : ($conn{$pid} = $s);
    last if keys %conn == 2;
}
is(scalar keys %conn, 2, 'a connection to each worker');

sub main::roles_everywhere {
    my ($cookie) = @_;
    my %seen;
    for my $pid (sort keys %conn) {
        my $r = main::conn_ask($conn{$pid}, GET => '/api/me', undef, $cookie);
        $seen{ $r->{status} == 200 ? join(',', sort @{ $r->{json}{user}{roles} })
                                   : "status $r->{status}" }++;
    }
    return join(' | ', sort keys %seen);
}

# each worker reads both sessions a few times: from then on it keeps them
for (1 .. 3) {
    is(main::roles_everywhere($_), 'course_teacher,teacher', 'before: both workers, both sessions')
        for $t1, $t2;
}

my $r = PortfolioTest::http(PUT => '/api/schools/zlsh/accounts/zlsh122233333/roles/outcome_submitter',
                            cookie => $admin, body => {});
is($r->{status}, 200, 'the role granted (by whichever worker)');
is(main::roles_everywhere($_), 'course_teacher,outcome_submitter,teacher',
   'the next request of each kept session, in both workers, has the role') for $t1, $t2;

$r = PortfolioTest::http(DELETE => '/api/schools/zlsh/accounts/zlsh122233333/roles/outcome_submitter',
                         cookie => $admin);
is($r->{status}, 200, 'the role revoked');
is(main::roles_everywhere($_), 'course_teacher,teacher',
   'the next request of each kept session, in both workers, has lost it') for $t1, $t2;

# a change of many records at once (an import) ends every kept copy: the
# teacher's record comes ninth, past what is counted one by one
my $rec = PortfolioTest::http(GET => '/api/testkit/records?db=users&prefix=zlsh122233333',
                              cookie => $admin)->{json}{records}[0];
my $user = JSON::PP->new->decode($rec->{value});
$user->{name} = 'Renamed in bulk';
my @records = map { { db => 'users', key => "zlsh90000000$_", value => '{"id":"x"}' } } 1 .. 8;
push @records, { db => 'users', key => 'zlsh122233333', value => JSON::PP->new->canonical->encode($user) };
$r = PortfolioTest::http(POST => '/api/testkit/seed', cookie => $admin, body => { records => \@records });
is($r->{status}, 200, 'nine user records written in one change');
for my $pid (sort keys %conn) {
    is(main::conn_ask($conn{$pid}, GET => '/api/me', undef, $_)->{json}{user}{name}, 'Renamed in bulk',
       "worker $pid: the kept session's next request has the new name") for $t1, $t2;
}

$r = PortfolioTest::http(DELETE => '/api/session', cookie => $t1);
is($r->{status}, 200, 'one session signed out');
is(main::roles_everywhere($t1), 'status 401', 'it ends in both workers at once');
is(main::roles_everywhere($t2), 'course_teacher,teacher', 'the other session goes on in both');
close $_ for values %conn;
--- request
GET /api/health
--- response_body_like chomp
^\{"status":"ok",
--- no_error_log
[error]
