#!/usr/bin/perl
# scripts/bench's helper (not run by hand):
#
#   bench.pl prep DIR API OUT
#       signs in every sample account of DIR/accounts.tsv and writes, in OUT:
#       students.tok, teachers.tok (a bearer token a line), tick.txt
#       ("token id": a passed, unselected outcome of the student), upload.txt
#       ("token id": a draft), decide.txt ("token id": an outcome waiting
#       for the teacher), signin.txt ("username password"), admin.tok,
#       students.txt, outcomes.json (one real GET /api/outcomes answer)
#   bench.pl reset DIR API OUT SINCE_MS
#       puts the upload drafts back to the seed's document (benchkit) and
#       deletes the files the upload workloads stored
#   bench.pl rss PID...    VmRSS and RssAnon of each worker, in kB, summed
use strict;
use warnings;
use HTTP::Tiny;
use JSON::PP;
use POSIX ();

$| = 1;
my $JSON = JSON::PP->new->utf8;
my $CITY_ADMIN = 'cityadmin';
my $CITY_PASSWORD = 'city bench admin';

sub slurp { my ($p) = @_; open(my $fh, '<:raw', $p) or die "$p: $!"; local $/; my $s = <$fh>; close $fh; $s }
sub spew { my ($p, $s) = @_; open(my $fh, '>:raw', $p) or die "$p: $!"; print $fh $s; close $fh }

sub api { my ($http, $api, $method, $path, $token, $body) = @_;
    my %h = ('Content-Type' => 'application/json');
    $h{Authorization} = "Bearer $token" if $token;
    my $res = $http->request($method, "$api$path",
                             { headers => \%h, defined $body ? (content => $body) : () });
    return ($res->{status}, (eval { $JSON->decode($res->{content}) } // {}), $res);
}

sub sign_in { my ($http, $api, $user, $password) = @_;
    my ($st, $d, $res) = api($http, $api, 'POST', '/session', undef,
                             $JSON->encode({ username => $user, password => $password }));
    die "$user cannot sign in: $st $res->{content}\n" unless $st == 200;
    my ($token) = ($res->{headers}{'set-cookie'} // '') =~ /=([^;]+)/;
    return $token;
}

# Runs $code->($item) for every item in $n processes; each child returns
# lines through a pipe.
sub parallel { my ($n, $items, $code) = @_;
    my (@kids, @out);
    for my $j (0 .. $n - 1) {
        pipe(my $r, my $w) or die "pipe: $!";
        my $pid = fork() // die "fork: $!";
        if ($pid == 0) {
            close $r;
            my $http = HTTP::Tiny->new(keep_alive => 1, timeout => 120);
            for (my $i = $j; $i < @$items; $i += $n) {
                print $w $code->($http, $items->[$i]);
            }
            close $w;
            POSIX::_exit(0);
        }
        close $w;
        push @kids, [$pid, $r];
    }
    for my $k (@kids) {
        my $fh = $k->[1];
        push @out, <$fh>;
        waitpid($k->[0], 0);
        die "a preparing process failed\n" if $?;
    }
    return @out;
}

sub prep { my ($dir, $api, $out) = @_;
    my @acc = map { [split /\t/] } grep { length } split /\n/, slurp("$dir/accounts.tsv");
    my $http = HTTP::Tiny->new(keep_alive => 1, timeout => 120);

    my $admin = sign_in($http, $api, $CITY_ADMIN, $CITY_PASSWORD);
    spew("$out/admin.tok", "$admin\n");

    # windows may have closed since the seed: a year from now again
    my $now = int(time() * 1000);
    for my $term ('114-2', '115-1') {
        for my $kind (qw(upload certify select)) {
            my ($st) = api($http, $api, 'PUT', "/city/terms/$term/windows/$kind", $admin,
                           $JSON->encode({ from => $now - 3_600_000, to => $now + 365 * 86_400_000 }));
            die "window $term $kind: $st\n" unless $st == 200;
        }
    }

    my @students = grep { $_->[0] eq 'student' } @acc;
    my @teachers = grep { $_->[0] eq 'teacher' } @acc;

    my @lines = parallel(8, \@students, sub { my ($h, $a) = @_;
        my $t = sign_in($h, $api, $a->[1], $a->[2]);
        my ($st, $list) = api($h, $api, 'GET', '/outcomes', $t);
        die "outcomes of $a->[1]: $st\n" unless $st == 200;
        # the third passed outcome of 114-2 (the seed selected the first
        # two): ticked and unticked, so the term never passes 3 selected,
        # whatever state an earlier run left it in
        my @passed = grep { $_->{status} eq 'passed' && $_->{term} eq '114-2' } @{$list->{outcomes}};
        my $tick = $passed[2];
        my ($draft) = grep { $_->{status} eq 'draft' && $_->{document} } @{$list->{outcomes}};
        return "S\t$t\t$a->[1]\n"
             . ($tick ? "T\t$t $tick->{id}\n" : '')
             . ($draft ? "U\t$t $draft->{id}\n" : '');
    });
    push @lines, parallel(4, \@teachers, sub { my ($h, $a) = @_;
        my $t = sign_in($h, $api, $a->[1], $a->[2]);
        my ($st, $q) = api($h, $api, 'GET', '/certifications', $t);
        die "queue of $a->[1]: $st\n" unless $st == 200;
        my @ids = map { $_->{id} } grep { $_->{status} eq 'pending' } @{$q->{certifications}};
        splice(@ids, 200) if @ids > 200;
        return "P\t$t\n" . join('', map { "D\t$t $_\n" } @ids);
    });

    my (%f);
    for (@lines) {
        chomp;
        my ($k, $v, $extra) = split /\t/;
        push @{$f{$k}}, $v;
        push @{$f{N}}, $extra if $k eq 'S';
    }
    spew("$out/students.tok", join('', map { "$_\n" } @{$f{S} // []}));
    spew("$out/students.txt", join('', map { "$_\n" } @{$f{N} // []}));
    spew("$out/teachers.tok", join('', map { "$_\n" } @{$f{P} // []}));
    spew("$out/tick.txt", join('', map { "$_\n" } @{$f{T} // []}));
    spew("$out/upload.txt", join('', map { "$_\n" } @{$f{U} // []}));
    # interleave the teachers' outcomes so concurrent requests spread
    my %by;
    for (@{$f{D} // []}) { my ($t) = split / /; push @{$by{$t}}, $_ }
    my @dec;
    while (grep { @$_ } values %by) { for (sort keys %by) { push @dec, shift @{$by{$_}} if @{$by{$_}} } }
    spew("$out/decide.txt", join('', map { "$_\n" } @dec));
    spew("$out/signin.txt", join('', map { "$_->[1] $_->[2]\n" } @students));

    # one real answer, as the static file of the same size
    my $tok = $f{S}[0];
    my $res = $http->request('GET', "$api/outcomes", { headers => { Authorization => "Bearer $tok" } });
    spew("$out/outcomes.json", $res->{content});
    printf("  prepared: %d students (%d to tick, %d drafts), %d teachers (%d waiting outcomes)\n",
           scalar @{$f{S} // []}, scalar @{$f{T} // []}, scalar @{$f{U} // []},
           scalar @{$f{P} // []}, scalar @dec);
}

sub reset_uploads { my ($dir, $api, $out, $since) = @_;
    my $http = HTTP::Tiny->new(keep_alive => 1, timeout => 600);
    my $admin = (split /\n/, slurp("$out/admin.tok"))[0];
    my $doc = $JSON->decode(slurp("$dir/document.json"));
    my @students = grep { length } split /\n/, slurp("$out/students.txt");
    # 50 students a request: one request over all of them would grow the
    # writer's memory by hundreds of MB (the table reports worker memory)
    my ($n, $reset) = (0, 0);
    while (my @chunk = splice(@students, 0, 50)) {
        my ($st, $d, $res) = api($http, $api, 'POST', '/bench/reset', $admin,
                                 $JSON->encode({ students => \@chunk, document => $doc,
                                                 since => $since + 0 }));
        die "reset: $st $res->{content}\n" unless $st == 200;
        $reset += $d->{reset};
        for my $sha (@{$d->{removed}}) {
            next unless $sha =~ /^[0-9a-f]{64}$/;
            my $p = sprintf('%s/data/blobs/%s/%s/%s', $dir, substr($sha, 0, 2), substr($sha, 2, 2), $sha);
            $n++ if unlink $p;
        }
    }
    printf("  uploads undone: %d drafts reset, %d stored files deleted\n", $reset, $n);
}

sub rss { my @pids = @_;
    my ($rss, $anon) = (0, 0);
    for my $pid (@pids) {
        open(my $fh, '<', "/proc/$pid/status") or next;
        while (<$fh>) {
            $rss += $1 if /^VmRSS:\s+(\d+)/;
            $anon += $1 if /^RssAnon:\s+(\d+)/;
        }
    }
    print "$rss $anon\n";
}

my $cmd = shift // '';
if ($cmd eq 'prep') { prep(@ARGV) }
elsif ($cmd eq 'reset') { reset_uploads(@ARGV) }
elsif ($cmd eq 'rss') { rss(@ARGV) }
else { die "usage: bench.pl prep|reset|rss ...\n" }
