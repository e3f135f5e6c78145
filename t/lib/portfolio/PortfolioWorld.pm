package PortfolioWorld;

# Helpers shared by the outcome tests' init sections (t/080, t/090, and
# t/085 for blob_path; issue 16's t/088, t/089, t/102, t/103): reading
# records back through the testkit plugin, a school term with courses and
# an open upload window, an outcome sent and decided, a cloned account.  They are
# defined in package main and called as main::..., whichever package the
# runner evaluates `init` code in.  Requests, seeding records and error
# checks are PortfolioTest's (api, seed, is_error), which every test file
# shares.

use strict;
use warnings;
use PortfolioTest;
use Digest::SHA ();
use File::Find ();
use JSON::PP ();

no warnings 'redefine';


# --- helpers for the init sections (package main, as the runner evals
# --- `init` there)

sub main::enc { JSON::PP->new->canonical }

# records($cookie, $db, $prefix) -> [{key, value (decoded)}]
sub main::records {
    my ($cookie, $db, $prefix) = @_;
    my $r = PortfolioTest::api(GET => "/testkit/records?db=$db&prefix="
                                      . main::urlenc($prefix // ''), $cookie);
    die "records $db: $r->{status} $r->{body}\n" unless $r->{status} == 200;
    return [ map { { key => $_->{key},
                     value => eval { main::enc()->decode($_->{value}) }
                              // $_->{value} } } @{ $r->{json}{records} } ];
}

sub main::record {
    my ($cookie, $db, $key) = @_;
    my ($rec) = grep { $_->{key} eq $key } @{ main::records($cookie, $db, $key) };
    return $rec ? $rec->{value} : undef;
}

sub main::urlenc {
    my ($s) = @_;
    utf8::encode($s) if utf8::is_utf8($s);
    $s =~ s/([^A-Za-z0-9_.~-])/sprintf('%%%02X', ord $1)/ge;
    return $s;
}

sub main::window {
    my ($cookie, $term, $kind, $from, $to) = @_;
    PortfolioTest::seed($cookie, 'settings', "school/zlsh/window/$term/$kind",
                        { from => $from, to => $to });
}

# A course of school zlsh and the enrollment of each student named.
sub main::course {
    my ($cookie, $term, $code, $course, @students) = @_;
    PortfolioTest::seed($cookie, 'sis_courses', "zlsh\x1f$term\x1f$code",
                        { school => 'zlsh', term => $term, code => $code,
                          co_teachers => [], kind => 'normal', %$course });
    for my $s (@students) {
        my ($id, $kind) = ref $s ? @$s : ($s, 'normal');
        PortfolioTest::seed($cookie, 'sis_enrollments', "$id\x1f$term\x1f$code",
                            { student => $id, term => $term, code => $code,
                              grade => undef, kind => $kind });
    }
}

sub main::SUBJ_INFO { "\x{8cc7}\x{8a0a}" }   # 資訊
sub main::SUBJ_MATH { "\x{6578}\x{5b78}" }   # 數學

# The school term 113-1 with its upload window open, five courses of the
# course teacher zlsh122233333 (one without credits) and one course the
# student does not take.  Returns the admin's cookie.
sub main::world {
    my $admin = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
    my $now = PortfolioTest::now_ms();
    main::window($admin, '113-1', 'upload', $now - 3_600_000, $now + 3_600_000);
    my $t = 'zlsh122233333';
    my $me = 'zlsh108234567';
    main::course($admin, '113-1', 'CS101',
                 { name => "\x{8cc7}\x{8a0a}\x{79d1}\x{6280}", subject => main::SUBJ_INFO(),
                   credits => 2, teacher => $t }, $me, 'zlsh108234569');
    main::course($admin, '113-1', 'CS102',
                 { name => 'Programming', subject => main::SUBJ_INFO(),
                   credits => 2, teacher => $t }, [$me, 'retake']);
    main::course($admin, '113-1', 'MA101',
                 { name => 'Math', subject => main::SUBJ_MATH(), credits => 4,
                   teacher => $t }, $me);
    main::course($admin, '113-1', 'PE101',
                 { name => 'PE', subject => 'PE', credits => '2',
                   teacher => $t }, $me);
    main::course($admin, '113-1', 'HR001',
                 { name => 'Homeroom meeting', subject => 'HR', credits => 0,
                   teacher => $t }, $me);
    main::course($admin, '113-1', 'EN101',
                 { name => 'English', subject => 'EN', credits => 2,
                   teacher => $t });
    return $admin;
}

sub main::create {
    my ($cookie, $code, $desc, $term) = @_;
    return PortfolioTest::api(POST => '/outcomes', $cookie,
                              body => { term => $term // '113-1', code => $code,
                                        description => $desc // 'my report' });
}

sub main::upload {
    my ($cookie, $id, $kind, $bytes, %o) = @_;
    my $path = "/outcomes/$id/$kind"
             . (defined $o{name} ? '?name=' . main::urlenc($o{name}) : '');
    return PortfolioTest::api(PUT => $path, $cookie, body => $bytes,
                              headers => { 'Content-Type' => $o{type}
                                           // 'application/octet-stream' });
}

# An outcome of the student for the course, with a document, sent for
# certification (送出認證); its id.
sub main::submitted {
    my ($cookie, $code, $desc) = @_;
    my $r = main::create($cookie, $code, $desc // "work $code");
    die "create $code: $r->{status} $r->{body}\n" unless $r->{status} == 201;
    my $id = $r->{json}{outcome}{id};
    $r = main::upload($cookie, $id, 'document', main::pdf(), type => 'application/pdf',
                      name => "$code.pdf");
    die "upload $code: $r->{status} $r->{body}\n" unless $r->{status} == 200;
    $r = PortfolioTest::api(POST => "/outcomes/$id/submit", $cookie, body => {});
    die "submit $code: $r->{status} $r->{body}\n" unless $r->{status} == 200;
    return $id;
}

# The reviewer's decision: pass or fail, with an optional note.
sub main::decide {
    my ($cookie, $id, $result, $note) = @_;
    return PortfolioTest::api(POST => "/outcomes/$id/decision", $cookie,
                              body => { result => $result, defined $note ? (note => $note) : () });
}

# A new account copied from an existing one (so with its password), with
# some fields changed.
sub main::clone_user {
    my ($cookie, $from, $id, %set) = @_;
    my $u = main::record($cookie, 'users', $from) or die "no user $from\n";
    %$u = (%$u, id => $id, %set);
    PortfolioTest::seed($cookie, 'users', $id, $u);
}

# Small real files of each type, padded to $n bytes.
sub main::pad { my ($head, $n, $tail) = @_; $tail //= '';
    my $fill = ($n // 0) - length($head) - length($tail);
    return $head . ($fill > 0 ? ('x' x $fill) : '') . $tail }
sub main::pdf  { main::pad("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
                           $_[0] // 300, "\n%%EOF\n") }
sub main::png  { main::pad("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89",
                           $_[0] // 200, "\0\0\0\0IEND\xaeB`\x82") }
sub main::jpeg { main::pad("\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0",
                           $_[0] // 200, "\xff\xd9") }
sub main::mp3  { main::pad("ID3\x03\0\0\0\0\0\x0a" . ("\0" x 10) . "\xff\xfb\x90\x64",
                           $_[0] // 400) }
sub main::mp4  { my $n = $_[0] // 400;
    my $head = pack('N', 24) . "ftypisom" . pack('N', 512) . "isommp41";
    return $head . pack('N', $n - length($head)) . 'mdat'
         . ("\0" x ($n - length($head) - 8)) }

sub main::data_dir { "$ENV{TEST_NGINX_SERVER_ROOT}/html/data" }

# Every file under a directory (relative names), sorted.
sub main::files_under {
    my ($dir) = @_;
    my @f;
    return [] unless -d $dir;
    File::Find::find({ no_chdir => 1, wanted => sub {
        push @f, substr($File::Find::name, length($dir) + 1) if -f $_ } }, $dir);
    return [ sort @f ];
}

sub main::blobs { main::files_under(main::data_dir() . '/blobs') }
sub main::temps { main::files_under("$ENV{TEST_NGINX_SERVER_ROOT}/client_body_temp") }

sub main::blob_path {
    my ($sha) = @_;
    return main::data_dir() . '/blobs/' . substr($sha, 0, 2) . '/'
         . substr($sha, 2, 2) . "/$sha";
}

# The audit actions recorded for a subject, oldest first.
sub main::audit_actions {
    my ($cookie, $subject) = @_;
    return [ map { $_->{value}{action} }
             @{ main::records($cookie, 'audit', "$subject\x1f") } ];
}

1;
