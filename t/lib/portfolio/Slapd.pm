package Slapd;

# A throwaway OpenLDAP server for tests (t/130-ldap.t): its own slapd.conf
# and database in a temporary directory, data loaded with slapadd before it
# starts, listening on 127.0.0.1 only.  It logs every operation (-d 256),
# so a test can count the binds that reached it.
#
#     my $ldap = Slapd->new(port => 2390, ldif => 't/data/ldap/people.ldif',
#                           conf => 't/data/ldap/slapd.conf.in');
#     $ldap->start;                 # returns once it answers
#     $ldap->pause; $ldap->resume;  # SIGSTOP / SIGCONT: a directory that hangs
#     $ldap->stop;                  # a directory that is down
#     my $n = $ldap->binds;         # BIND operations seen so far
#
# With tls => 1 it also makes a test CA (ca.pem), a server certificate for
# localhost and 127.0.0.1 signed by it, and an unrelated CA (other-ca.pem),
# and listens for ldaps:// on ldaps_port as well.
#
# Only the process that created an instance stops it (forked children of
# the test runner exit without touching it); END stops what is left.

use strict;
use warnings;

use File::Temp ();
use File::Spec ();
use POSIX ();
use Time::HiRes ();

my @Instances;

sub new {
    my ($class, %o) = @_;
    my $self = bless {
        port       => $o{port} || die("Slapd->new: port needed\n"),
        ldaps_port => $o{ldaps_port},
        ldif       => File::Spec->rel2abs($o{ldif} || die("Slapd->new: ldif needed\n")),
        conf       => File::Spec->rel2abs($o{conf} || die("Slapd->new: conf needed\n")),
        tls        => $o{tls} ? 1 : 0,
        owner      => $$,
        pid        => undef,
    }, $class;

    die "Slapd->new: tls needs ldaps_port\n" if $self->{tls} && !$self->{ldaps_port};

    for my $bin (qw(/usr/sbin/slapd /usr/sbin/slapadd)) {
        die "Slapd: $bin is missing (apt-get install slapd ldap-utils)\n" unless -x $bin;
    }

    my $dir = File::Temp::tempdir('pf-slapd-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    $self->{dir} = $dir;
    mkdir "$dir/db" or die "Slapd: mkdir $dir/db: $!\n";

    my $tls = '';
    if ($self->{tls}) {
        $self->_make_certificates;
        $tls = "TLSCACertificateFile $dir/ca.pem\n"
             . "TLSCertificateFile $dir/server.pem\n"
             . "TLSCertificateKeyFile $dir/server.key\n";
    }

    open my $in, '<', $self->{conf} or die "Slapd: $self->{conf}: $!\n";
    my $conf = do { local $/; <$in> };
    close $in;
    $conf =~ s/\@DIR\@/$dir/g;
    $conf =~ s/\@TLS\@/$tls/g;

    open my $out, '>', "$dir/slapd.conf" or die "Slapd: $dir/slapd.conf: $!\n";
    print $out $conf;
    close $out;

    my $rc = system("/usr/sbin/slapadd -q -f $dir/slapd.conf -l $self->{ldif} "
                    . ">$dir/slapadd.log 2>&1");
    if ($rc != 0) {
        my $log = _slurp("$dir/slapadd.log");
        die "Slapd: slapadd failed ($rc): $log\n";
    }

    push @Instances, $self;
    return $self;
}

sub dir  { $_[0]{dir} }
sub port { $_[0]{port} }
sub url  { "ldap://127.0.0.1:$_[0]{port}/" }
sub ldaps_url { "ldaps://127.0.0.1:$_[0]{ldaps_port}/" }
sub ca_file { "$_[0]{dir}/ca.pem" }
sub other_ca_file { "$_[0]{dir}/other-ca.pem" }
sub running { defined $_[0]{pid} }

sub start {
    my ($self) = @_;
    return $self if $self->{pid};

    my @urls = ($self->url);
    push @urls, "ldaps://127.0.0.1:$self->{ldaps_port}/" if $self->{tls};

    my $log = "$self->{dir}/slapd.log";
    my $pid = fork;
    die "Slapd: fork: $!\n" unless defined $pid;
    if ($pid == 0) {
        open STDIN, '<', '/dev/null';
        open STDOUT, '>>', $log;
        open STDERR, '>>', $log;
        { exec '/usr/sbin/slapd', '-f', "$self->{dir}/slapd.conf",
               '-h', join(' ', @urls), '-d', '256' };
        POSIX::_exit(127);
    }
    $self->{pid} = $pid;

    # ready when it accepts an anonymous "who am I" (about 0.1 s)
    my $deadline = Time::HiRes::time() + 10;
    while (Time::HiRes::time() < $deadline) {
        if (waitpid($pid, POSIX::WNOHANG()) == $pid) {
            $self->{pid} = undef;
            die "Slapd: slapd exited at start: " . _slurp($log) . "\n";
        }
        return $self
            if system("ldapwhoami -x -H " . $self->url . " >/dev/null 2>&1") == 0;
        Time::HiRes::sleep(0.05);
    }
    $self->stop;
    die "Slapd: slapd did not answer on " . $self->url . " within 10 s\n";
}

# SIGSTOP: connections are still accepted by the kernel, nothing answers.
sub pause {
    my ($self) = @_;
    kill 'STOP', $self->{pid} if $self->{pid};
    $self->{paused} = 1;
}

sub resume {
    my ($self) = @_;
    kill 'CONT', $self->{pid} if $self->{pid};
    $self->{paused} = 0;
}

sub stop {
    my ($self) = @_;
    my $pid = $self->{pid} or return;
    return if $$ != $self->{owner};
    kill 'CONT', $pid;
    kill 'TERM', $pid;
    my $deadline = Time::HiRes::time() + 10;
    while (Time::HiRes::time() < $deadline) {
        last if waitpid($pid, POSIX::WNOHANG()) == $pid;
        Time::HiRes::sleep(0.05);
    }
    if (kill 0, $pid) {
        kill 'KILL', $pid;
        waitpid($pid, 0);
    }
    $self->{pid} = undef;
    $self->{paused} = 0;
}

# The operations log (-d 256) so far.
sub log { _slurp("$_[0]{dir}/slapd.log") }

# BIND operations that reached the directory so far (optionally only those
# whose DN matches a pattern).
sub binds {
    my ($self, $re) = @_;
    # one line per BIND request ("... BIND dn="..." method=128"); a
    # successful one logs a second line with "mech=", not counted
    my @b = $self->log =~ /\bBIND dn="([^"]*)" method=/g;
    @b = grep { $_ =~ $re } @b if $re;
    return scalar @b;
}

sub _make_certificates {
    my ($self) = @_;
    my $d = $self->{dir};
    open my $ext, '>', "$d/server.ext" or die "Slapd: $d/server.ext: $!\n";
    print $ext "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
             . "basicConstraints=CA:FALSE\n"
             . "keyUsage=digitalSignature,keyEncipherment\n"
             . "extendedKeyUsage=serverAuth\n";
    close $ext;
    my $ec = '-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';
    for my $cmd (
        "openssl req -x509 $ec -keyout $d/ca.key -out $d/ca.pem -days 2 "
          . "-subj '/CN=Portfolio Test CA'",
        "openssl req -x509 $ec -keyout $d/other-ca.key -out $d/other-ca.pem -days 2 "
          . "-subj '/CN=Some Other CA'",
        "openssl req $ec -keyout $d/server.key -out $d/server.csr -subj '/CN=localhost'",
        "openssl x509 -req -in $d/server.csr -CA $d/ca.pem -CAkey $d/ca.key "
          . "-CAcreateserial -out $d/server.pem -days 2 -extfile $d/server.ext",
    ) {
        my $rc = system("$cmd >>$d/openssl.log 2>&1");
        die "Slapd: '$cmd' failed: " . _slurp("$d/openssl.log") . "\n" if $rc;
    }
}

sub _slurp {
    my ($f) = @_;
    open my $fh, '<', $f or return '';
    local $/;
    return scalar <$fh>;
}

sub DESTROY {
    my ($self) = @_;
    local ($?, $!, $@);
    $self->stop;
}

END {
    local ($?, $!, $@);
    # TERM all first, then wait: stopping takes about 1.5 s each
    for my $s (grep { $_->{pid} && $$ == $_->{owner} } @Instances) {
        kill 'CONT', $s->{pid};
        kill 'TERM', $s->{pid};
    }
    $_->stop for @Instances;
}

1;
