package Test::Nginx::Util;

# Server-side half of our Test::Nginx work-alike: where the server root is,
# what goes into nginx.conf, and how nginx is started and stopped.
#
# Test::Nginx::Socket (the part test files `use`) drives the blocks and does
# the checking; everything that touches the filesystem or the nginx process
# lives here so that it can be read (and fixed) on its own.

use strict;
use warnings;

use Cwd ();
use File::Path ();
use File::Spec ();
use File::Basename ();
use IO::Socket::INET ();
use POSIX ();
use Time::HiRes qw(time sleep);

# ---------------------------------------------------------------------------
# Settings.  Package variables, because the exported setter functions
# (master_on(), workers(), ...) are called from the test file before
# run_tests() and must survive until then.
# ---------------------------------------------------------------------------

our $RepeatEach        = 1;
our $Workers           = 1;
our $WorkerConnections = 1024;
our $MasterOn          = 0;
our $LogLevel          = $ENV{TEST_NGINX_LOG_LEVEL} || 'debug';
our $NoRootLocation    = 0;
our $NoShuffle         = $ENV{TEST_NGINX_NO_SHUFFLE} || 0;
our $NoLongString      = 0;
our $ServerName        = 'localhost';
our $ConfigPreamble    = '';
our $Timeout           = $ENV{TEST_NGINX_TIMEOUT} || 3;
our @EnvToNginx;
our @BlockPreprocessors;

# TEST_NGINX_PORT is what real Test::Nginx calls the listening port;
# TEST_NGINX_SERVER_PORT is accepted too since some suites set only that.
our $ServerPort = $ENV{TEST_NGINX_PORT} || $ENV{TEST_NGINX_SERVER_PORT} || 1984;

# The server root must be absolute: nginx gets it as its prefix, and tests
# get it through $TEST_NGINX_SERVER_ROOT to build paths from.
our $ServRoot = _absolute($ENV{TEST_NGINX_SERVROOT}
                          || File::Spec->catdir(Cwd::cwd(), 't', 'servroot'));
our $ConfDir     = "$ServRoot/conf";
our $ConfFile    = "$ConfDir/nginx.conf";
our $HtmlDir     = "$ServRoot/html";
our $LogDir      = "$ServRoot/logs";
our $ErrLogFile  = "$LogDir/error.log";
our $AccLogFile  = "$LogDir/access.log";
our $PidFile     = "$LogDir/nginx.pid";
# nginx writes errors found before its error_log is open (bad directives,
# missing modules) to stderr; we keep them here for must_die checks and for
# the diagnostics shown when a start fails.
our $StartErrFile = "$LogDir/nginx-start.stderr";

# Marks a directory as ours, so that cleaning it can never wipe a real
# directory that TEST_NGINX_SERVROOT was pointed at by mistake.
my $MARKER = '.test-nginx-servroot';

my @TempDirs = qw(client_body_temp proxy_temp fastcgi_temp uwsgi_temp scgi_temp);

our $NginxBinary = find_nginx_binary();

# Export the values test sections may refer to as $TEST_NGINX_*.  The
# server port is always the one nginx listens on: PortfolioTest and `init`
# code use it to reach the server under test.
$ENV{TEST_NGINX_SERVER_PORT} = $ServerPort;
$ENV{TEST_NGINX_PORT}        = $ServerPort;
$ENV{TEST_NGINX_SERVER_ROOT} = $ServRoot;
$ENV{TEST_NGINX_SERVROOT}    //= $ServRoot;
$ENV{TEST_NGINX_HTML_DIR}    = $HtmlDir;

# pid of the nginx master (or single process) we started, if it is running.
our $RunningPid;

sub _absolute {
    my ($p) = @_;
    $p = File::Spec->rel2abs($p);
    $p =~ s{/+$}{};
    return $p;
}

sub find_nginx_binary {
    return $ENV{TEST_NGINX_BINARY} if $ENV{TEST_NGINX_BINARY};
    for my $dir (File::Spec->path) {
        my $f = File::Spec->catfile($dir, 'nginx');
        return $f if -f $f && -x _;
    }
    # Non-root shells often lack /usr/sbin in PATH, where Debian puts nginx.
    for my $f (qw(/usr/sbin/nginx /usr/local/sbin/nginx /usr/local/nginx/sbin/nginx)) {
        return $f if -f $f && -x _;
    }
    return 'nginx';
}

sub bail_out {
    my ($msg) = @_;
    stop_nginx();
    Test::More::BAIL_OUT($msg);
}

# ---------------------------------------------------------------------------
# $TEST_NGINX_* expansion
# ---------------------------------------------------------------------------

# Replace $TEST_NGINX_FOO / ${TEST_NGINX_FOO} from %ENV.  An unset variable
# is a broken test setup, not a test failure, so (like Test::Nginx) we bail
# out with its name rather than hand nginx a config with a hole in it.
sub expand_env {
    my ($text, $where) = @_;
    return $text unless defined $text && !ref $text;
    $text =~ s{\$(?:\{(TEST_NGINX_[A-Za-z0-9_]+)\}|(TEST_NGINX_[A-Za-z0-9_]+))}{
        my $var = defined $1 ? $1 : $2;
        defined $ENV{$var}
            ? $ENV{$var}
            : bail_out("No environment variable $var defined"
                       . ($where ? " (used in $where)" : ''));
    }ge;
    return $text;
}

# Same, applied through array refs (e.g. `request eval` returning a list).
sub expand_env_deep {
    my ($v, $where) = @_;
    return [ map { expand_env_deep($_, $where) } @$v ] if ref $v eq 'ARRAY';
    return $v if ref $v;
    return expand_env($v, $where);
}

# ---------------------------------------------------------------------------
# Server root
# ---------------------------------------------------------------------------

sub setup_server_root {
    if (-e $ServRoot) {
        opendir my $dh, $ServRoot or bail_out("cannot open $ServRoot: $!");
        my @entries = grep { $_ ne '.' && $_ ne '..' } readdir $dh;
        closedir $dh;
        if (@entries && !-e "$ServRoot/$MARKER") {
            # Either a servroot left by real Test::Nginx (only its usual
            # entries) or something that is not ours at all.
            my @unknown = grep {
                !/^(?:conf|html|logs|\w+_temp|\w+_cache)$/
            } @entries;
            bail_out("Refusing to clean $ServRoot: it is not a test server "
                     . "root (unknown entries: @unknown)") if @unknown;
        }
        # Everything in a marked root is ours to delete: this also removes
        # data directories tests created there, so blocks start clean.
        for my $e (@entries) {
            next if $e eq $MARKER;
            my $path = "$ServRoot/$e";
            if (-d $path && !-l $path) {
                File::Path::remove_tree($path, { error => \my $err });
                if ($err && @$err) {
                    my ($file, $msg) = %{ $err->[0] };
                    bail_out("cannot remove $path ($file: $msg)");
                }
            } else {
                unlink $path or bail_out("cannot remove $path: $!");
            }
        }
    }
    File::Path::make_path($ServRoot, $ConfDir, $HtmlDir, $LogDir,
                          map { "$ServRoot/$_" } @TempDirs);
    open my $fh, '>', "$ServRoot/$MARKER"
        or bail_out("cannot write $ServRoot/$MARKER: $!");
    print $fh "Created by Test::Nginx::Util; the whole directory is "
            . "deleted between test blocks.\n";
    close $fh;
}

# --- user_files: either the text form
#       >>> name [mtime]
#       content...
#     or (with `eval`) an array of [name, content, mtime?] entries.
sub parse_user_files {
    my ($spec) = @_;
    return [] unless defined $spec;
    my @files;
    if (ref $spec eq 'ARRAY') {
        for my $f (@$spec) {
            bail_out("user_files eval: each entry must be [name, content]")
                unless ref $f eq 'ARRAY' && @$f >= 2;
            push @files, { name => $f->[0], content => $f->[1], mtime => $f->[2] };
        }
        return \@files;
    }
    my @parts = split /^>>>[ \t]+(\S+)(?:[ \t]+(\d+))?[ \t]*\r?\n/m, $spec;
    shift @parts;    # whatever precedes the first >>> (normally nothing)
    while (@parts) {
        my ($name, $mtime, $content) = splice @parts, 0, 3;
        push @files, { name => $name, content => $content // '', mtime => $mtime };
    }
    return \@files;
}

sub write_user_files {
    my ($block) = @_;
    my $files = parse_user_files(expand_env_deep(scalar($block->user_files), 'user_files'));
    for my $f (@$files) {
        my $name = $f->{name};
        bail_out("user_files: refusing path outside html/: $name")
            if $name =~ m{(?:^|/)\.\.(?:/|$)};
        # Absolute names are written as given (Test::Nginx allows that);
        # relative ones go under html/ so `location /` serves them.
        my $path = $name =~ m{^/} ? $name : "$HtmlDir/$name";
        File::Path::make_path(File::Basename::dirname($path));
        open my $out, '>:raw', $path or bail_out("cannot write $path: $!");
        print $out $f->{content};
        close $out;
        utime $f->{mtime}, $f->{mtime}, $path if defined $f->{mtime};
    }
}

# ---------------------------------------------------------------------------
# nginx.conf
# ---------------------------------------------------------------------------

sub _section {
    my ($block, $name) = @_;
    my $v = $block->$name;
    return '' unless defined $v;
    $v = expand_env($v, $name);
    # Old Test::Nginx spelling, still found in suites copied from elsewhere.
    $v =~ s/\$ServerPort\b/$ServerPort/g;
    return $v;
}

sub write_config {
    my ($block) = @_;

    my $workers    = defined $block->workers ? $block->workers : $Workers;
    my $master     = defined $block->master_process
                       ? ($block->master_process =~ /^\s*on\s*$/ ? 1 : 0)
                       : $MasterOn;
    my $log_level  = defined $block->log_level ? $block->log_level : $LogLevel;
    for ($workers, $log_level) { s/^\s+|\s+$//g }

    my $main_config  = _section($block, 'main_config');
    my $event_config = _section($block, 'event_config');
    my $http_config  = _section($block, 'http_config');
    my $config       = _section($block, 'config');
    my $preamble     = expand_env($ConfigPreamble, 'config_preamble');
    my $server_name  = defined $block->server_name ? $block->server_name : $ServerName;
    $server_name =~ s/^\s+|\s+$//g;

    my $env = join '', map { "env $_;\n" } @EnvToNginx;

    # Workers must be able to write what the module creates (data files
    # under the server root).  As root, nginx would otherwise switch its
    # workers to "nobody"; the directive is only valid (and only needed)
    # when we really are root.
    my $user = $> == 0 ? "user root;\n" : '';

    my $temp = join '', map {
        my $directive = $_ eq 'client_body_temp' ? 'client_body_temp_path'
                      : s/_temp$/_temp_path/r;
        "    $directive $ServRoot/$_;\n"
    } @TempDirs;

    my $root_location = $NoRootLocation ? '' : <<"END";
        location / {
            root $HtmlDir;
            index index.html index.htm;
        }
END

    my $conf = <<"END";
# Generated by Test::Nginx::Util for: ${\ $block->name }
worker_processes  $workers;
daemon off;
master_process ${\ ($master ? 'on' : 'off')};
${user}pid $PidFile;
error_log $ErrLogFile $log_level;
$env
$main_config

events {
    worker_connections $WorkerConnections;
$event_config
}

http {
    access_log $AccLogFile;
    default_type text/plain;
    keepalive_timeout 68;
$temp
$http_config

    server {
        listen 127.0.0.1:$ServerPort;
        server_name $server_name;
        client_max_body_size 30M;

$preamble
$config

$root_location    }
}
END

    open my $out, '>', $ConfFile or bail_out("cannot write $ConfFile: $!");
    print $out $conf;
    close $out;
    return $conf;
}

# ---------------------------------------------------------------------------
# Process control
# ---------------------------------------------------------------------------

# Does something accept TCP connections on our port?
sub port_accepts {
    my $s = IO::Socket::INET->new(
        PeerAddr => '127.0.0.1', PeerPort => $ServerPort,
        Proto => 'tcp', Timeout => 1,
    );
    return 0 unless $s;
    close $s;
    return 1;
}

# A process counts as gone once it is dead or a zombie: an nginx left by an
# earlier, crashed run belongs to pid 1, which in containers may never reap
# it, so its zombie would otherwise look alive forever.
sub process_alive {
    my ($pid) = @_;
    return 0 unless $pid && kill(0, $pid);
    if (open my $fh, '<', "/proc/$pid/stat") {
        my $stat = <$fh> // '';
        close $fh;
        return 0 if $stat =~ /^\d+ \(.*\) Z/s;
    }
    return 1;
}

# Only signal a pid (from a possibly stale pid file) if it still is nginx.
sub _is_nginx {
    my ($pid) = @_;
    open my $fh, '<', "/proc/$pid/cmdline" or return 1;  # no /proc: trust it
    local $/;
    my $cmd = <$fh> // '';
    close $fh;
    return $cmd =~ /nginx/;
}

sub _children_of {
    my ($ppid) = @_;
    my @kids;
    opendir my $dh, '/proc' or return ();
    for my $p (grep { /^\d+$/ } readdir $dh) {
        open my $fh, '<', "/proc/$p/stat" or next;
        my $stat = <$fh> // '';
        close $fh;
        push @kids, $p if $stat =~ /^\d+ \(.*\) \S (\d+)/s && $1 == $ppid;
    }
    closedir $dh;
    return @kids;
}

sub read_pid_file {
    open my $fh, '<', $PidFile or return undef;
    my $pid = <$fh>;
    close $fh;
    return undef unless defined $pid && $pid =~ /^\s*(\d+)\s*$/;
    return $1;
}

# Stop the nginx we started (or one a crashed earlier run left behind in
# this server root): QUIT for a graceful exit, TERM after 2.5 s, and KILL
# for the master and its workers if it still has not gone after 5 s.
sub stop_nginx {
    my $child = $RunningPid;
    undef $RunningPid;
    my $pid = $child // read_pid_file();
    return unless $pid;
    # A pid from a stale pid file may have been reused by another program.
    return unless $child || (process_alive($pid) && _is_nginx($pid));

    my @workers = _children_of($pid);
    my $gone = sub {
        # Our own child must be reaped, or it lingers as a zombie.
        if ($child) {
            my $r = waitpid($child, POSIX::WNOHANG());
            return 0 if $r == 0;
        } elsif (process_alive($pid)) {
            return 0;
        }
        return !grep { process_alive($_) } @workers;
    };

    kill 'QUIT', $pid;
    my $deadline = time + 5;
    my $termed = 0;
    until ($gone->()) {
        if (time > $deadline) {
            kill 'KILL', $pid, @workers;
            waitpid($child, 0) if $child;
            last;
        }
        if (!$termed && time > $deadline - 2.5) {
            kill 'TERM', $pid;
            $termed = 1;
        }
        sleep 0.01;
    }
    # The listening socket closes with the last process holding it.
    my $port_deadline = time + 2;
    sleep 0.01 while port_accepts() && time < $port_deadline;
}

# Start nginx on the written config.  Returns (1, '') on success, or
# (0, $why) when nginx refused to start; $why includes nginx's stderr.
#
# nginx runs in the foreground (`daemon off`) as our child rather than
# daemonised: a daemon is reparented to pid 1, which in containers often
# never reaps it, so every block would leave a zombie behind.  As a child we
# reap it ourselves, see it exit at once when the config is bad, and it
# shares our process group, so an interrupted `prove` takes it along.
sub start_nginx {
    if (port_accepts()) {
        bail_out("port $ServerPort is already in use by a process this "
                 . "runner did not start; set TEST_NGINX_PORT to a free port");
    }

    my @cmd = ($NginxBinary, '-p', "$ServRoot/", '-c', $ConfFile);
    my $pid = fork;
    bail_out("fork failed: $!") unless defined $pid;
    if ($pid == 0) {
        # stderr goes to a file: early errors (bad directives, modules that
        # fail to load) are printed there before error_log is open.
        open STDIN,  '<', '/dev/null';
        open STDOUT, '>', $StartErrFile;
        open STDERR, '>&', \*STDOUT;
        { no warnings 'exec'; exec @cmd; }
        print STDERR "cannot exec $cmd[0]: $!\n";
        POSIX::_exit(127);
    }
    $RunningPid = $pid;

    # Ready when the pid file is written (after configuration succeeded) and
    # the port accepts; failed when the process exits first.
    my $deadline = time + 10;
    while (1) {
        my $r = waitpid($pid, POSIX::WNOHANG());
        if ($r == $pid) {
            undef $RunningPid;
            my $code = $? >> 8;
            my $sig  = $? & 127;
            return (0, ($sig ? "nginx was killed by signal $sig\n"
                             : "nginx exited with status $code\n")
                       . start_stderr());
        }
        last if -s $PidFile && port_accepts();
        if (time > $deadline) {
            stop_nginx();
            return (0, "nginx did not become ready within 10 s\n"
                       . start_stderr() . error_log_tail());
        }
        sleep 0.005;
    }
    return (1, '');
}

sub _slurp {
    my ($file, $offset) = @_;
    open my $fh, '<:raw', $file or return '';
    seek $fh, $offset, 0 if $offset;
    local $/;
    my $d = <$fh> // '';
    close $fh;
    return $d;
}

sub start_stderr { _slurp($StartErrFile) }

sub error_log_size { -s $ErrLogFile || 0 }

# error.log lines written since byte $offset.
sub error_log_lines {
    my ($offset) = @_;
    return [ split /\n/, _slurp($ErrLogFile, $offset // 0) ];
}

sub error_log_tail {
    my $d = _slurp($ErrLogFile);
    my @l = split /\n/, $d;
    @l = grep { !/\[debug\]/ } @l;
    @l = @l[-20 .. -1] if @l > 20;
    return @l ? "error.log (last non-debug lines):\n" . join("\n", @l) . "\n" : '';
}

1;
