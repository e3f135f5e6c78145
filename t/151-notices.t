# SPEC N5 (the part on the screen), issue 16 item 16: a student is told
# when a result is published.  GET /me/notices lists the student's
# published outcomes (通過 / 不通過) not yet marked read (已讀); POST
# /me/notices/read marks them, all ({}) or by id.  Students only, each
# their own: a teacher cannot, another student's are neither shown nor
# marked.  Plugin "student" (student_notices.c), database outcome_reads.
#
# Outcomes are seeded as records through the testkit plugin (TEST 1), or
# made, sent, decided and published through the API (TEST 2).

use Test::Nginx::Socket 'no_plan';
use PortfolioTest;
use PortfolioWorld;
use JSON::PP ();

no_shuffle();
# every block: the usual configuration with student, certification and
# testkit
PortfolioTest::block_defaults(plugins => [qw(student certification testkit)]);
run_tests();

# An outcome as plugins/README.md describes it, and its id entry.
sub main::seeded {
    my ($cookie, $student, $id, $status, %more) = @_;
    my $published = $status eq 'passed' || $status eq 'failed';
    my $rec = {
        id => $id, student => $student, school => 'zlsh', term => '113-1',
        code => "C$id", course_name => "Course $id", subject => 'S',
        kind => 'normal', description => "work $id",
        document => { sha256 => 'a' x 64, size => 10, mime => 'application/pdf',
                      ext => 'pdf', name => "$id.pdf" },
        media => undef, status => $status, reviewer => 'zlsh122233333',
        decision => $published ? ($status eq 'passed' ? 'pass' : 'fail') : undef,
        note => '', decided_by => undef, decided_at => undef,
        submitted_at => 1700000000000,
        published_at => $published ? 1700000100000 : undef,
        selected => JSON::PP::false, selected_at => undef,
        created => 1700000000000, updated => 1700000000000, by => $student,
        %more,
    };
    PortfolioTest::seed($cookie, 'outcomes', "$student\x1f$id", $rec);
    PortfolioTest::seed($cookie, 'outcome_ids', $id, { student => $student });
}

sub main::notices {
    my ($cookie) = @_;
    return PortfolioTest::api(GET => '/me/notices', $cookie);
}

sub main::mark {
    my ($cookie, $body) = @_;
    return PortfolioTest::api(POST => '/me/notices/read', $cookie,
                              body => $body // {});
}

sub main::ids_of {
    my ($r) = @_;
    return [ map { $_->{id} } @{ $r->{json}{notices} || [] } ];
}

__DATA__

=== TEST 1: N5 the unread published outcomes of the student alone; marked read by id or all; a teacher cannot; another's are neither shown nor marked
--- init
my $admin = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
my $s1 = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $s3 = PortfolioTest::login('zlsh108234569', 'student-pass-3');
my $t = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');
main::seeded($admin, 'zlsh108234567', 'n-fail', 'failed', note => "\x{518d}\x{52a0}\x{6cb9}");
main::seeded($admin, 'zlsh108234567', 'n-pass', 'passed');
main::seeded($admin, 'zlsh108234567', 'n-pend', 'pending');
main::seeded($admin, 'zlsh108234567', 'n-draft', 'draft');
main::seeded($admin, 'zlsh108234569', 'n-other', 'passed');

my $r = main::notices($s1);
is($r->{status}, 200, 'GET /me/notices');
is_deeply(main::ids_of($r), ['n-fail', 'n-pass'],
          'the published outcomes (passed and failed), not the pending or the draft');
is($r->{json}{unread}, 2, 'unread 2');
my ($fail) = @{ $r->{json}{notices} };
is($fail->{status}, 'failed', 'a notice says the result');
is($fail->{note}, "\x{518d}\x{52a0}\x{6cb9}", 'and the note');
is($fail->{course_name}, 'Course n-fail', 'and the course');
is($fail->{published_at}, 1700000100000, 'and when it was published');
is_deeply([sort keys %$fail],
          [sort qw(id term code course_name subject description status note published_at)],
          'a notice carries the result, not the whole record');

is_deeply(main::ids_of(main::notices($s3)), ['n-other'], "the other student sees only their own");

# roles and scope
PortfolioTest::is_error(main::notices($t), 403, 'forbidden', 'a teacher cannot read notices');
PortfolioTest::is_error(main::mark($t), 403, 'forbidden', 'a teacher cannot mark notices');
PortfolioTest::is_error(main::mark($admin), 403, 'forbidden', 'nor a school admin');
PortfolioTest::is_error(PortfolioTest::api(GET => '/me/notices', undef), 401, 'unauthenticated',
                        'signed out');

# marked by id: another student's outcome is not found, a pending one is not published
$r = main::mark($s1, { ids => ['n-pass', 'n-pend', 'n-other', 'no-such', 'n-pass'] });
is($r->{status}, 200, 'POST /me/notices/read with ids');
is_deeply($r->{json}{read}, ['n-pass'], 'the published one is marked read');
is_deeply($r->{json}{skipped},
          [{ id => 'n-pend', reason => 'not_published' },
           { id => 'n-other', reason => 'not_found' },
           { id => 'no-such', reason => 'not_found' }],
          "a pending one is skipped, another student's is not found");
is($r->{json}{unread}, 1, 'one left unread');
is_deeply(main::ids_of(main::notices($s1)), ['n-fail'], 'the marked one is no longer a notice');
is_deeply(main::ids_of(main::notices($s3)), ['n-other'],
          "the other student's notice is still unread");
my $mark = main::record($admin, 'outcome_reads', "zlsh108234567\x1fn-pass");
ok($mark && $mark->{at} > 0, 'outcome_reads: student<US>id -> {"at"}');
is($mark->{by}, 'zlsh108234567', 'and by whom');
ok(!main::record($admin, 'outcome_reads', "zlsh108234569\x1fn-other"),
   "no mark was written for the other student's outcome");

# marked again: nothing changes
$r = main::mark($s1, { ids => ['n-pass'] });
is_deeply($r->{json}{read}, [], 'a marked one is not marked again');
is_deeply($r->{json}{skipped}, [], 'nor skipped');

# all at once
$r = main::mark($s1, {});
is($r->{status}, 200, 'POST /me/notices/read {}');
is_deeply($r->{json}{read}, ['n-fail'], 'every unread published one');
is($r->{json}{unread}, 0, 'none left');
$r = main::notices($s1);
is_deeply(main::ids_of($r), [], 'no notices');
is($r->{json}{unread}, 0, 'unread 0');
is_deeply(main::ids_of(main::notices($s3)), ['n-other'], "the other student's still unread");
ok(grep({ $_ eq 'notices.read' } @{ main::audit_actions($admin, 'zlsh108234567') }),
   'marking is audited under the student');

# a result published later is a new notice
main::seeded($admin, 'zlsh108234567', 'n-pend', 'passed');
is_deeply(main::ids_of(main::notices($s1)), ['n-pend'], 'a newly published result is a notice');

# bad bodies
PortfolioTest::is_error(main::mark($s1, { ids => 'n-pend' }), 422, 'invalid_field', 'ids a string');
PortfolioTest::is_error(main::mark($s1, { ids => [] }), 422, 'invalid_field', 'no ids');
PortfolioTest::is_error(main::mark($s1, { ids => [1] }), 422, 'invalid_field', 'an id a number');
PortfolioTest::is_error(main::mark($s1, []), 422, 'invalid_body', 'a body that is no object');
is_deeply(main::ids_of(main::notices($s1)), ['n-pend'], 'a refused body marked nothing');
PortfolioTest::log_clean();
--- request
GET /api/health
--- error_code: 200


=== TEST 2: N5 a result the teacher publishes is the student's notice until marked read
--- init
my $admin = main::world();
my $now = PortfolioTest::now_ms();
main::window($admin, '113-1', 'certify', $now - 3_600_000, $now + 3_600_000);
my $st = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $t = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');

my $id = main::create($st, 'CS101', 'my report')->{json}{outcome}{id};
main::upload($st, $id, 'document', main::pdf(), type => 'application/pdf', name => 'r.pdf');
PortfolioTest::api(POST => "/outcomes/$id/submit", $st, body => {});
is_deeply(main::ids_of(main::notices($st)), [], 'sent: no notice yet');

my $r = PortfolioTest::api(POST => "/outcomes/$id/decision", $t,
                           body => { result => 'fail', note => 'redo the graphs' });
is($r->{status}, 200, 'the teacher decides');
is_deeply(main::ids_of(main::notices($st)), [], 'decided but not published: no notice');

$r = PortfolioTest::api(POST => '/certifications/publish', $t, body => { all => JSON::PP::true });
is_deeply($r->{json}{published}, [$id], 'the teacher publishes');
$r = main::notices($st);
is_deeply(main::ids_of($r), [$id], 'published: a notice');
is($r->{json}{notices}[0]{status}, 'failed', 'saying 不通過');
is($r->{json}{notices}[0]{note}, 'redo the graphs', 'with the note');

$r = main::mark($st, { ids => [$id] });
is_deeply($r->{json}{read}, [$id], 'marked read');
is_deeply(main::ids_of(main::notices($st)), [], 'no notice after 已讀');
PortfolioTest::log_clean();
--- request
GET /api/health
--- error_code: 200
