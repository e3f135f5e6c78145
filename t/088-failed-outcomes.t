# Issue 16 item 8 (SPEC P4, P5, AD2): a failed outcome does not use up an
# upload place.  outcome_uploads_per_term and outcome_uploads_per_subject
# count what the student uploaded for the teacher to certify: drafts,
# outcomes sent (pending, a decision not yet published included) and
# passed ones; an outcome published as failed (不通過) does not count, so
# the student uploads another for the course -- the re-upload the results
# page invites, which the per-subject limit refused before.  The counter
# the student's list shows, "(n/limit)", counts the same way.
#
# Courses, enrollments and windows are seeded through the testkit plugin;
# the outcomes go through the real flow: create, upload, 送出認證, the
# teacher's decision, 發佈.

use utf8;
use Test::Nginx::Socket 'no_plan';
use PortfolioTest;
use PortfolioWorld;
use JSON::PP ();

no_shuffle();
PortfolioTest::block_defaults(plugins => [qw(student certification testkit)],
                              api => ['client_max_body_size 11m;']);
run_tests();


# The teacher decides (main::decide, PortfolioWorld's, as main::submitted
# sends) and, unless told not to, publishes.
sub main::certify {
    my ($cookie, $id, $result, $publish) = @_;
    my $r = main::decide($cookie, $id, $result, '請再補充');
    die "decide: $r->{status} $r->{body}\n" unless $r->{status} == 200;
    return if defined $publish && !$publish;
    $r = PortfolioTest::api(POST => '/certifications/publish', $cookie, body => { ids => [$id] });
    die "publish: $r->{status} $r->{body}\n"
        unless $r->{status} == 200 && @{ $r->{json}{published} } == 1;
}

sub main::term_count {
    my ($cookie) = @_;
    return PortfolioTest::api(GET => '/outcomes?term=113-1', $cookie)->{json}{term_count};
}

__DATA__

=== TEST 1: the per-subject limit: a failed outcome frees its place, a passed one, a pending one and a draft do not
--- init
my $admin = main::world();
my $now = PortfolioTest::now_ms();
main::window($admin, '113-1', 'certify', $now - 3_600_000, $now + 3_600_000);
PortfolioTest::seed($admin, 'settings', 'school/zlsh/outcome_uploads_per_subject', '2');
my $st = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $t = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');

my $a = main::submitted($st, 'CS101', 'first');
my $b = main::submitted($st, 'CS102', 'second');
my $r = main::create($st, 'CS101', 'third');
PortfolioTest::is_error($r, 422, 'limit_reached', 'two pending ones fill the subject');
like($r->{json}{error}{message}, qr{\(2/2\)}, '(2/2)');

# decided, not yet published: the student does not know; it still counts
main::certify($t, $a, 'fail', 0);
PortfolioTest::is_error(main::create($st, 'CS101', 'third'), 422, 'limit_reached',
                        'a failure not yet published still counts');

# published as failed: the place is free again
$r = PortfolioTest::api(POST => '/certifications/publish', $t, body => { ids => [$a] });
is_deeply($r->{json}{published}, [$a], 'the failure is published');
is(PortfolioTest::api(GET => "/outcomes/$a", $st)->{json}{outcome}{status}, 'failed', 'failed');
is(main::term_count($st), 1, 'the list counts 1: the failed one is not counted');
$r = main::create($st, 'CS101', 'second try');
is($r->{status}, 201, 'the student uploads another for the course (the results page invites it)')
    or diag($r->{body});
is($r->{json}{term_count}, 2, 'the answer counts 2');
my $c = $r->{json}{outcome}{id};
PortfolioTest::is_error(main::create($st, 'CS101', 'and another'), 422, 'limit_reached',
                        'the new draft and the pending one fill the subject again');

# a passed one keeps its place
main::certify($t, $b, 'pass');
is(PortfolioTest::api(GET => "/outcomes/$b", $st)->{json}{outcome}{status}, 'passed', 'b passed');
$r = main::create($st, 'CS102', 'more');
PortfolioTest::is_error($r, 422, 'limit_reached', 'a passed outcome still counts');
like($r->{json}{error}{message}, qr{\(2/2\)}, '(2/2): the passed one and the draft');

# the failed one is kept as it is (P5), only not counted
is(PortfolioTest::api(GET => "/outcomes/$a", $st)->{json}{outcome}{status}, 'failed',
   'the failed outcome stays');
is(scalar @{ PortfolioTest::api(GET => '/outcomes?term=113-1', $st)->{json}{outcomes} }, 3,
   'the list shows all three');
is(main::term_count($st), 2, 'and counts two');
PortfolioTest::log_clean();
--- request
GET /api/outcomes
--- error_code: 401
--- no_error_log
[error]



=== TEST 2: the per-term limit counts the same way; failures of every subject free their places
--- init
my $admin = main::world();
my $now = PortfolioTest::now_ms();
main::window($admin, '113-1', 'certify', $now - 3_600_000, $now + 3_600_000);
PortfolioTest::seed($admin, 'settings', 'school/zlsh/outcome_uploads_per_term', '2');
my $st = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $t = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');

my $a = main::submitted($st, 'MA101', 'math');
my $b = main::submitted($st, 'PE101', 'pe');
my $r = main::create($st, 'CS101', 'info');
PortfolioTest::is_error($r, 422, 'limit_reached', 'the term is full');
like($r->{json}{error}{message}, qr{\(2/2\)}, '(2/2)');
main::certify($t, $a, 'fail');
main::certify($t, $b, 'fail');
is(main::term_count($st), 0, 'two failures: nothing counts');
is(main::create($st, 'CS101', 'info')->{status}, 201, 'a third outcome of the term');
is(main::create($st, 'MA101', 'math again')->{status}, 201, 'and a second try for math');
$r = main::create($st, 'PE101', 'pe again');
PortfolioTest::is_error($r, 422, 'limit_reached', 'then the term is full again');
like($r->{json}{error}{message}, qr{\(2/2\)}, '(2/2)');
is(main::term_count($st), 2, 'the list counts the two drafts');
PortfolioTest::log_clean();
--- request
GET /api/outcomes
--- error_code: 401
--- no_error_log
[error]
