# SPEC P5, T1, T2, AD1: certification (認證) of course learning outcomes,
# plugin "certification".
#
# An outcome the student sent (送出認證) waits in its reviewer's queue: the
# course teacher, or the reviewer the admin named for a co-taught course,
# or an active stand-in (代理人) of the reviewer.  Only they record pass
# (通過) or fail (不通過) with a note, inside the certify window; the
# decision is theirs alone until published (發佈), one by one or in bulk;
# the student then sees the result and, after a failure, uploads another.
#
# Courses, enrollments, windows, relations and extra accounts are seeded
# through the testkit plugin; the sis plugin is not loaded.

use Test::Nginx::Socket 'no_plan';
use PortfolioTest;
use PortfolioWorld;
use Digest::SHA ();
use File::Find ();
use JSON::PP ();
use Time::HiRes ();

no_shuffle();
# every block: the usual configuration with student, certification and
# testkit, and bodies up to 11 MB
PortfolioTest::block_defaults(plugins => [qw(student certification testkit)],
                              api => ['client_max_body_size 11m;']);
run_tests();

# (main::submitted, main::decide and main::clone_user are PortfolioWorld's)

# The world of 080 plus an open certify window, a second teacher of the
# school (zlsh122244444, 張老師), a teacher of another school
# (tpsh122255555) and a teacher with no course (zlsh122266666): all with
# the course teacher's password "teacher-pass-2".
sub main::cert_world {
    my $admin = main::world();
    my $now = PortfolioTest::now_ms();
    main::window($admin, '113-1', 'certify', $now - 3_600_000, $now + 3_600_000);
    main::clone_user($admin, 'zlsh122233333', 'zlsh122244444', name => "\x{5f35}\x{8001}\x{5e2b}");
    main::clone_user($admin, 'zlsh122233333', 'zlsh122266666', name => 'No Course');
    main::clone_user($admin, 'zlsh122233333', 'tpsh122255555', name => 'Other School',
                     school => 'tpsh');
    return $admin;
}

__DATA__

=== TEST 1: T1 T2 a sent outcome waits in the course teacher's queue, with a count; not in another teacher's
--- init
my $admin = main::cert_world();
my $st = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $t = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');
my $t2 = PortfolioTest::login('zlsh122244444', 'teacher-pass-2');

# a draft is not waiting for anyone
my $draft = main::create($st, 'MA101', 'draft')->{json}{outcome}{id};
main::upload($st, $draft, 'document', main::pdf(), type => 'application/pdf');
is_deeply(PortfolioTest::api(GET => '/certifications/count', $t)->{json},
          { pending => 0, undecided => 0, decided => 0 }, 'nothing waits for a draft');

my $id = main::submitted($st, 'CS101', 'my report');
my $r = PortfolioTest::api(GET => '/certifications/count', $t);
is($r->{status}, 200, 'GET /certifications/count');
is_deeply($r->{json}, { pending => 1, undecided => 1, decided => 0 },
          'T1: one outcome waiting for certification');

$r = PortfolioTest::api(GET => '/certifications', $t);
is($r->{status}, 200, 'GET /certifications');
is($r->{json}{pending_count}, 1, 'pending_count');
my ($c) = @{ $r->{json}{certifications} };
is($c->{id}, $id, 'the sent outcome');
is($c->{student}, 'zlsh108234567', 'student');
is($c->{student_name}, "\x{674e}\x{5c0f}\x{660e}", 'student name');
is($c->{class}, '101', 'class');
is($c->{code}, 'CS101', 'course code');
is($c->{course_name}, "\x{8cc7}\x{8a0a}\x{79d1}\x{6280}", 'course name');
is($c->{description}, 'my report', 'description');
is($c->{document}{name}, 'CS101.pdf', 'the file');
is($c->{status}, 'pending', 'pending');
is($c->{decision}, undef, 'no decision yet');
is($c->{acting_for}, undef, 'the teacher acts for no one');
ok($c->{submitted_at} > 0, 'submitted_at');

$r = PortfolioTest::api(GET => '/certifications?term=113-1', $t);
is(scalar @{ $r->{json}{certifications} }, 1, 'term 113-1: one');
ok($r->{json}{certify_open}, 'the certify window is open');
$r = PortfolioTest::api(GET => '/certifications?term=113-2', $t);
is(scalar @{ $r->{json}{certifications} }, 0, 'term 113-2: none');
PortfolioTest::is_error(PortfolioTest::api(GET => '/certifications?term=x', $t), 422, 'invalid_field', 'a bad term');

# the teacher sees the file; another teacher sees nothing
is(PortfolioTest::api(GET => "/outcomes/$id/document", $t)->{status}, 200, 'the reviewer downloads the file');
is_deeply(PortfolioTest::api(GET => '/certifications/count', $t2)->{json},
          { pending => 0, undecided => 0, decided => 0 }, 'another teacher: count 0');
is_deeply(PortfolioTest::api(GET => '/certifications', $t2)->{json}{certifications}, [],
          'another teacher: empty queue');
PortfolioTest::is_error(PortfolioTest::api(GET => "/outcomes/$id/document", $t2), 403, 'out_of_scope',
                        'another teacher cannot download it');
PortfolioTest::is_error(PortfolioTest::api(GET => '/certifications', $st), 403, 'forbidden', 'a student has no queue');
PortfolioTest::is_error(PortfolioTest::api(GET => '/certifications/count', $st), 403, 'forbidden', 'nor a count');

# a second student's outcome joins the queue
my $st3 = PortfolioTest::login('zlsh108234569', 'student-pass-3');
main::submitted($st3, 'CS101', 'another');
$r = PortfolioTest::api(GET => '/certifications', $t);
is($r->{json}{pending_count}, 2, 'two waiting');
is_deeply([ sort map { $_->{class} } @{ $r->{json}{certifications} } ], ['101', '102'],
          'cross-class: both classes');
PortfolioTest::log_clean();
--- request
GET /api/certifications
--- error_code: 401
--- no_error_log
[error]



=== TEST 2: P5 only the reviewer decides, inside the certify window; the decision is hidden until published
--- init
use utf8;
my $admin = main::cert_world();
my $st = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $t = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');
my $id = main::submitted($st, 'CS101', 'my report');
my $draft = main::create($st, 'MA101', 'draft')->{json}{outcome}{id};

# nobody else can certify
PortfolioTest::is_error(main::decide(PortfolioTest::login('zlsh122244444', 'teacher-pass-2'), $id, 'pass'),
                        403, 'not_reviewer', 'another teacher');
PortfolioTest::is_error(main::decide(PortfolioTest::login('tpsh122255555', 'teacher-pass-2'), $id, 'pass'),
                        403, 'not_reviewer', "another school's teacher");
PortfolioTest::is_error(main::decide($admin, $id, 'pass'), 403, 'not_reviewer',
                        'the school admin (a teacher too) is not the reviewer');
PortfolioTest::is_error(main::decide($st, $id, 'pass'), 403, 'forbidden', 'the student');
PortfolioTest::is_error(main::decide(PortfolioTest::login('tpsh109000001', 'other-pass-1'), $id, 'pass'),
                        403, 'forbidden', "another school's admin");
PortfolioTest::is_error(main::decide($t, $draft, 'pass'), 409, 'not_pending', 'a draft');
PortfolioTest::is_error(main::decide($t, '01ZZZZZZZZZZZZZZZZZZZZZZZZ', 'pass'), 404, 'not_found', 'an unknown id');

# AD3: the certify window
my $now = PortfolioTest::now_ms();
main::window($admin, '113-1', 'certify', $now - 7_200_000, $now - 1000);
my $r = main::decide($t, $id, 'pass');
PortfolioTest::is_error($r, 403, 'window_closed', 'after the certify window');
like($r->{json}{error}{message}, qr{113-1 學期認證學習成果的期間為 \d{4}/}, 'the message gives the window');
main::window($admin, '113-1', 'certify', $now - 3_600_000, $now + 3_600_000);

PortfolioTest::is_error(main::decide($t, $id, 'maybe'), 422, 'invalid_field', 'a result other than pass/fail');
PortfolioTest::is_error(PortfolioTest::api(POST => "/outcomes/$id/decision", $t, body => {}), 422, 'invalid_field',
                        'no result');
PortfolioTest::is_error(main::decide($t, $id, 'pass', "\x{597d}" x 101), 422, 'note_too_long',
                        'a note of 101 characters');

my $note = "\x{5f88}\x{597d}";    # Chinese "very good"
$r = main::decide($t, $id, 'pass', $note);
is($r->{status}, 200, 'the course teacher decides: pass');
my $o = $r->{json}{outcome};
is($o->{decision}, 'pass', 'decision pass');
is($o->{note}, $note, 'note');
is($o->{decided_by}, 'zlsh122233333', 'decided_by');
ok($o->{decided_at} > 0, 'decided_at');
is($o->{status}, 'pending', 'not yet published');
is(main::decide($t, $id, 'pass', "\x{597d}" x 100)->{status}, 200, 'a note of 100 characters');
is(main::decide($t, $id, 'pass', $note)->{status}, 200, 'a decision may change before publishing');

# not visible to the student before publishing
$r = PortfolioTest::api(GET => "/outcomes/$id", $st);
is($r->{json}{outcome}{status}, 'pending', 'student: still pending');
is($r->{json}{outcome}{decision}, undef, 'student: no decision shown');
is($r->{json}{outcome}{note}, '', 'student: no note shown');
is($r->{json}{outcome}{decided_by}, undef, 'student: no decider shown');
$r = PortfolioTest::api(GET => '/outcomes?term=113-1', $st);
my ($mine) = grep { $_->{id} eq $id } @{ $r->{json}{outcomes} };
is($mine->{decision}, undef, 'student list: no decision shown');

$r = PortfolioTest::api(GET => '/certifications', $t);
is($r->{json}{certifications}[0]{decision}, 'pass', 'the teacher sees the decision in the queue');
is_deeply(PortfolioTest::api(GET => '/certifications/count', $t)->{json},
          { pending => 1, undecided => 0, decided => 1 }, 'decided, not yet published');

# publishing (發佈)
main::window($admin, '113-1', 'certify', $now - 7_200_000, $now - 1000);
PortfolioTest::is_error(PortfolioTest::api(POST => '/certifications/publish', $t, body => { ids => [$id] }),
                        403, 'window_closed', 'publishing after the window');
main::window($admin, '113-1', 'certify', $now - 3_600_000, $now + 3_600_000);
$r = PortfolioTest::api(POST => '/certifications/publish',
                        PortfolioTest::login('zlsh122244444', 'teacher-pass-2'), body => { ids => [$id] });
is_deeply($r->{json}{published}, [], 'another teacher publishes nothing');
is($r->{json}{skipped}[0]{reason}, 'not_reviewer', '... not_reviewer');

$r = PortfolioTest::api(POST => '/certifications/publish', $t, body => { ids => [$id] });
is($r->{status}, 200, 'POST /certifications/publish');
is_deeply($r->{json}{published}, [$id], 'published');
is_deeply($r->{json}{skipped}, [], 'none skipped');

$r = PortfolioTest::api(GET => "/outcomes/$id", $st);
$o = $r->{json}{outcome};
is($o->{status}, 'passed', 'the student sees: passed');
is($o->{decision}, 'pass', 'decision');
is($o->{note}, $note, 'the note');
is($o->{decided_by}, 'zlsh122233333', 'who certified');
ok($o->{published_at} > 0, 'published_at');
is(main::record($admin, 'cert_queue', "zlsh122233333\x1f$id"), undef, 'off the queue');
is_deeply(PortfolioTest::api(GET => '/certifications/count', $t)->{json},
          { pending => 0, undecided => 0, decided => 0 }, 'nothing waits');

PortfolioTest::is_error(main::decide($t, $id, 'fail'), 409, 'not_pending', 'deciding after publishing');
$r = PortfolioTest::api(POST => '/certifications/publish', $t, body => { ids => [$id] });
is($r->{json}{skipped}[0]{reason}, 'not_pending', 'publishing twice: skipped');

is_deeply([ grep { /decided|published/ } @{ main::audit_actions($admin, 'zlsh108234567') } ],
          [qw(outcome.decided outcome.decided outcome.decided outcome.published)],
          'Q4: decisions and publishing audited under the student');
PortfolioTest::log_clean();
--- request
GET /api/certifications/count
--- error_code: 401
--- no_error_log
[error]



=== TEST 3: P5 T2 bulk publishing; a failed outcome is published too and the student uploads another
--- init
my $admin = main::cert_world();
PortfolioTest::seed($admin, 'settings', 'school/zlsh/outcome_uploads_per_term', '3');
my $st = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $t = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');
my $a = main::submitted($st, 'CS101');
my $b = main::submitted($st, 'CS102');
my $c = main::submitted($st, 'MA101');

is(main::decide($t, $a, 'pass')->{status}, 200, 'a: pass');
my $why = "\x{8acb}\x{88dc}\x{4e0a}\x{5fc3}\x{5f97}";     # please add a reflection
is(main::decide($t, $b, 'fail', $why)->{status}, 200, 'b: fail, with a note');

PortfolioTest::is_error(PortfolioTest::api(POST => '/certifications/publish', $t, body => {}), 422, 'invalid_field',
                        'neither ids nor all');
PortfolioTest::is_error(PortfolioTest::api(POST => '/certifications/publish', $t, body => { ids => [1] }), 422,
                        'invalid_field', 'ids that are not strings');
my $r = PortfolioTest::api(POST => '/certifications/publish', $t, body => { ids => [$c] });
is($r->{json}{skipped}[0]{reason}, 'undecided', 'an undecided one is not published');

$r = PortfolioTest::api(POST => '/certifications/publish', $t, body => { all => JSON::PP::true });
is($r->{status}, 200, 'publish all');
is_deeply([ sort @{ $r->{json}{published} } ], [ sort $a, $b ], 'both decided ones, in bulk');
is_deeply($r->{json}{skipped}, [], 'the undecided one is simply left');
is_deeply(PortfolioTest::api(GET => '/certifications/count', $t)->{json},
          { pending => 1, undecided => 1, decided => 0 }, 'the undecided one still waits');

$r = PortfolioTest::api(GET => '/outcomes?term=113-1', $st);
my %s = map { $_->{id} => $_ } @{ $r->{json}{outcomes} };
is($s{$a}{status}, 'passed', 'a passed');
is($s{$b}{status}, 'failed', 'b failed (不通過), published too');
is($s{$b}{note}, $why, 'the student reads why');
is($s{$c}{status}, 'pending', 'c still pending');

# the failed one stays, and uses up no place (issue 16 item 8, t/088): the
# student uploads another within the term's 3
my $d = main::submitted($st, 'CS102', 'second try');
ok($d, 'after a failure the student uploads another for the course');
my $n = main::create($st, 'PE101', 'one more');
PortfolioTest::is_error($n, 422, 'limit_reached', 'then the term is full: a, c and the new one count');
like($n->{json}{error}{message}, qr{\(3/3\)}, '(3/3)');
is(PortfolioTest::api(GET => "/outcomes/$b", $st)->{json}{outcome}{status}, 'failed', 'the failed one is kept');
$r = PortfolioTest::api(GET => '/certifications', $t);
is_deeply([ sort map { $_->{id} } @{ $r->{json}{certifications} } ], [ sort $c, $d ],
          'the new one waits for the teacher');
PortfolioTest::log_clean();
--- request
GET /api/certifications
--- error_code: 401
--- no_error_log
[error]



=== TEST 4: AD1 the admin names the reviewer of a co-taught course; waiting outcomes move to them
--- init
my $admin = main::cert_world();
my $course = { name => 'Team taught', subject => 'SCI', credits => 3,
               teacher => 'zlsh122233333', co_teachers => ['zlsh122244444'],
               kind => 'normal', grade_scale => 'x' };
main::course($admin, '113-1', 'SC101', $course, 'zlsh108234567', 'zlsh108234569');
my $st = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $t = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');
my $t2 = PortfolioTest::login('zlsh122244444', 'teacher-pass-2');
my $id = main::submitted($st, 'SC101');
is(PortfolioTest::api(GET => '/certifications/count', $t)->{json}{pending}, 1, 'waits for the teacher');
PortfolioTest::is_error(main::decide($t2, $id, 'pass'), 403, 'not_reviewer', 'a co-teacher is not the reviewer');

my $path = '/schools/zlsh/terms/113-1/courses/SC101/reviewer';
PortfolioTest::is_error(PortfolioTest::api(PUT => $path, $t, body => { teacher => 'zlsh122244444' }), 403,
                        'forbidden', 'a teacher cannot name reviewers');
PortfolioTest::is_error(PortfolioTest::api(PUT => $path, PortfolioTest::login('tpsh109000001', 'other-pass-1'),
                                           body => { teacher => 'zlsh122244444' }),
                        403, 'out_of_scope', "another school's admin");
PortfolioTest::is_error(PortfolioTest::api(PUT => $path, $admin, body => { teacher => 'zlsh108234569' }), 422,
                        'not_a_teacher', 'a student as reviewer');
PortfolioTest::is_error(PortfolioTest::api(PUT => $path, $admin, body => { teacher => 'tpsh122255555' }), 422,
                        'not_a_teacher', "another school's teacher as reviewer");
PortfolioTest::is_error(PortfolioTest::api(PUT => '/schools/zlsh/terms/113-1/courses/NO999/reviewer', $admin,
                                           body => { teacher => 'zlsh122244444' }), 404, 'not_found', 'an unknown course');

my $r = PortfolioTest::api(PUT => $path, $admin, body => { teacher => 'zlsh122244444' });
is($r->{status}, 200, 'the admin names the co-teacher reviewer');
is($r->{json}{moved}, 1, 'the waiting outcome moved');
my $rec = main::record($admin, 'sis_courses', "zlsh\x1f113-1\x1fSC101");
is($rec->{reviewer}, 'zlsh122244444', 'sis_courses: reviewer set');
is($rec->{$_}, $course->{$_}, "sis_courses: $_ kept") for qw(name subject credits teacher kind grade_scale);
is_deeply($rec->{co_teachers}, ['zlsh122244444'], 'sis_courses: co_teachers kept');
is("$rec->{school} $rec->{term} $rec->{code}", 'zlsh 113-1 SC101', 'sis_courses: keys kept');
is($rec->{by}, 'zlsh100000001', 'attributed to the admin');

is(PortfolioTest::api(GET => '/certifications/count', $t)->{json}{pending}, 0, 'the teacher: none');
is(PortfolioTest::api(GET => '/certifications/count', $t2)->{json}{pending}, 1, 'the reviewer: one');
ok(main::record($admin, 'cert_queue', "zlsh122244444\x1f$id"), 'cert_queue: under the reviewer');
is(main::record($admin, 'cert_queue', "zlsh122233333\x1f$id"), undef, 'cert_queue: not under the teacher');
is(PortfolioTest::api(GET => "/outcomes/$id", $t2)->{json}{outcome}{reviewer}, 'zlsh122244444',
   'the outcome names its reviewer');
PortfolioTest::is_error(main::decide($t, $id, 'pass'), 403, 'not_reviewer', 'the teacher no longer certifies it');
is(main::decide($t2, $id, 'pass')->{status}, 200, 'the reviewer decides');
is_deeply(PortfolioTest::api(POST => '/certifications/publish', $t2, body => { all => JSON::PP::true })->{json}{published},
          [$id], 'and publishes');
is(PortfolioTest::api(GET => "/outcomes/$id", $st)->{json}{outcome}{status}, 'passed', 'the student sees passed');

# later submissions go to the reviewer directly; clearing goes back to the teacher
my $st3 = PortfolioTest::login('zlsh108234569', 'student-pass-3');
my $id3 = main::submitted($st3, 'SC101');
is(PortfolioTest::api(GET => '/certifications/count', $t2)->{json}{pending}, 1, 'a new one waits for the reviewer');
$r = PortfolioTest::api(PUT => $path, $admin, body => { teacher => undef });
is($r->{status}, 200, 'clearing the reviewer');
is($r->{json}{reviewer}, 'zlsh122233333', 'the teacher certifies again');
is($r->{json}{moved}, 1, 'the waiting one moved back');
is(main::record($admin, 'sis_courses', "zlsh\x1f113-1\x1fSC101")->{reviewer}, undef,
   'sis_courses: no reviewer');
is(PortfolioTest::api(GET => '/certifications/count', $t)->{json}{pending}, 1, 'the teacher has it');
ok(grep({ $_ eq 'course.reviewer_set' } @{ main::audit_actions($admin, 'school/zlsh') }),
   'audited under the school');
ok(grep({ $_ eq 'outcome.reviewer_changed' } @{ main::audit_actions($admin, 'zlsh108234569') }),
   "audited under the student");
PortfolioTest::log_clean();
--- request
GET /api/certifications
--- error_code: 401
--- no_error_log
[error]



=== TEST 5: AD1 P5 an active stand-in (代理人) certifies for an absent teacher; an expired one cannot
--- init
my $admin = main::cert_world();
my $st = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $t = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');
my $s = PortfolioTest::login('zlsh122266666', 'teacher-pass-2');
my $id = main::submitted($st, 'CS101');

is(PortfolioTest::api(GET => '/certifications/count', $s)->{json}{pending}, 0, 'not yet a stand-in: nothing');
PortfolioTest::is_error(main::decide($s, $id, 'pass'), 403, 'not_reviewer', 'not yet a stand-in: refused');
PortfolioTest::is_error(PortfolioTest::api(GET => "/outcomes/$id/document", $s), 403, 'out_of_scope',
                        'not yet a stand-in: no file');

my $path = '/schools/zlsh/standins/zlsh122233333';
my $now = PortfolioTest::now_ms();
PortfolioTest::is_error(PortfolioTest::api(PUT => $path, $t, body => { standin => 'zlsh122266666', from => $now, to => $now + 1 }),
                        403, 'forbidden', 'a teacher cannot name stand-ins');
PortfolioTest::is_error(PortfolioTest::api(PUT => $path, PortfolioTest::login('tpsh109000001', 'other-pass-1'),
                                           body => { standin => 'zlsh122266666', from => $now, to => $now + 1 }),
                        403, 'out_of_scope', "another school's admin");
PortfolioTest::is_error(PortfolioTest::api(PUT => $path, $admin, body => { standin => 'zlsh108234569', from => $now, to => $now + 1 }),
                        422, 'not_a_teacher', 'a student as stand-in');
PortfolioTest::is_error(PortfolioTest::api(PUT => $path, $admin, body => { standin => 'zlsh122233333', from => $now, to => $now + 1 }),
                        422, 'invalid_field', 'a stand-in for oneself');
PortfolioTest::is_error(PortfolioTest::api(PUT => $path, $admin, body => { standin => 'zlsh122266666', from => $now, to => $now }),
                        422, 'invalid_field', 'an empty period');
PortfolioTest::is_error(PortfolioTest::api(PUT => '/schools/zlsh/standins/zlsh108234567', $admin,
                                           body => { standin => 'zlsh122266666', from => $now, to => $now + 1 }),
                        422, 'not_a_teacher', 'a stand-in for a student');

my $r = PortfolioTest::api(PUT => $path, $admin,
                           body => { standin => 'zlsh122266666', from => $now - 3_600_000, to => $now + 3_600_000 });
is($r->{status}, 200, 'the admin names a stand-in for an hour around now');
is(main::record($admin, 'cert_standins', 'zlsh122233333')->{standin}, 'zlsh122266666',
   'cert_standins: teacher -> standin');
$r = PortfolioTest::api(GET => '/schools/zlsh/standins', $admin);
is(scalar @{ $r->{json}{standins} }, 1, 'listed');
ok($r->{json}{standins}[0]{active}, 'active');

$r = PortfolioTest::api(GET => '/certifications', $s);
is($r->{json}{pending_count}, 1, "the stand-in sees the teacher's queue");
is($r->{json}{certifications}[0]{acting_for}, 'zlsh122233333', '... acting for the teacher');
is(PortfolioTest::api(GET => "/outcomes/$id/document", $s)->{status}, 200, 'the stand-in opens the file');
$r = main::decide($s, $id, 'pass', 'ok');
is($r->{status}, 200, 'the stand-in decides');
is($r->{json}{outcome}{decided_by}, 'zlsh122266666', 'decided_by: the stand-in');
is(PortfolioTest::api(GET => '/certifications/count', $t)->{json}{decided}, 1, 'the teacher sees it decided');
$r = PortfolioTest::api(POST => '/certifications/publish', $s, body => { all => JSON::PP::true });
is_deeply($r->{json}{published}, [$id], 'the stand-in publishes');
$r = PortfolioTest::api(GET => "/outcomes/$id", $st);
is($r->{json}{outcome}{status}, 'passed', 'the student sees the result');
is($r->{json}{outcome}{decided_by}, 'zlsh122266666', '... and who certified');

# an expired or future stand-in is no stand-in
my $id2 = main::submitted($st, 'MA101');
PortfolioTest::api(PUT => $path, $admin, body => { standin => 'zlsh122266666',
                                                   from => $now - 7_200_000, to => $now - 1000 });
is(PortfolioTest::api(GET => '/certifications/count', $s)->{json}{pending}, 0, 'expired: no queue');
PortfolioTest::is_error(main::decide($s, $id2, 'pass'), 403, 'not_reviewer', 'expired: refused');
PortfolioTest::api(PUT => $path, $admin, body => { standin => 'zlsh122266666',
                                                   from => $now + 3_600_000, to => $now + 7_200_000 });
PortfolioTest::is_error(main::decide($s, $id2, 'pass'), 403, 'not_reviewer', 'not yet started: refused');
ok(!PortfolioTest::api(GET => '/schools/zlsh/standins', $admin)->{json}{standins}[0]{active}, 'listed as inactive');

$r = PortfolioTest::api(DELETE => $path, $admin);
is($r->{status}, 200, 'DELETE the stand-in');
PortfolioTest::is_error(PortfolioTest::api(DELETE => $path, $admin), 404, 'not_found', 'DELETE again');
is_deeply(PortfolioTest::api(GET => '/schools/zlsh/standins', $admin)->{json}{standins}, [], 'none left');
is(main::decide($t, $id2, 'fail', 'redo')->{status}, 200, 'the teacher, back, decides');
is_deeply([ grep { /standin/ } @{ main::audit_actions($admin, 'school/zlsh') } ],
          [qw(standin.set standin.set standin.set standin.removed)], 'audited under the school');
PortfolioTest::log_clean();
--- request
GET /api/certifications
--- error_code: 401
--- no_error_log
[error]
