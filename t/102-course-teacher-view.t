# Issue 16 item 12 (SPEC P1, P2, T2, A5): a course teacher sees what
# certifying needs.  A teacher whose only relation to the student is
# teaching one of the student's courses (PF_REL_COURSE) gets from
# GET /students/{student}/record the student's name, number, class and
# seat (per term: class and seat) -- not attendance, rewards and
# punishments, cadre posts -- and from GET /students/{student}/courses
# only the courses they teach (teacher, co-teacher or reviewer), with
# those grades, not the grades of other subjects.  The student, the
# homeroom teacher, a counselor, a bound parent, the school's
# administrator and the city's keep the whole record and every course;
# a teacher with a course and another relation too keeps it as well.
# Such an answer says so ("view": "course"); the full ones are as they were.
#
# Courses, enrollments, basic data, relations and accounts are seeded
# through the testkit plugin (the import is tested on its own, t/070).

use utf8;
use Test::Nginx::Socket 'no_plan';
use PortfolioTest;
use PortfolioWorld;
use JSON::PP ();

no_shuffle();
PortfolioTest::block_defaults(plugins => [qw(sis testkit)]);
run_tests();


sub main::relation {
    my ($cookie, $viewer, $student, $kind) = @_;
    PortfolioTest::seed($cookie, 'relations', "$viewer\x1f$student\x1f113-1\x1f$kind", '{}');
}

# The student zlsh108234567's term 113-1 (and one course of 112-2): four
# courses of other teachers and three of the course teacher zlsh122233333
# (林老師): CS101 as its teacher, PE101 as a co-teacher, HI101 as the
# reviewer the school named; basic data; staff who see the student.
sub main::school_year {
    my $admin = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
    my $me = 'zlsh108234567';
    my $lin = 'zlsh122233333';
    my $other = 'zlsh122266666';
    main::clone_user($admin, $lin, $other, name => '張老師');
    main::clone_user($admin, $lin, 'zlsh122244444', name => '王導師', roles => ['teacher', 'homeroom']);
    main::clone_user($admin, $lin, 'zlsh122255555', name => '陳輔導', roles => ['teacher', 'counselor']);
    main::clone_user($admin, $lin, 'zlsh122277777', name => '周老師');
    main::clone_user($admin, $lin, 'parent001', name => '李爸爸', roles => ['parent']);
    my %courses = (
        CS101 => { name => '資訊科技', subject => '資訊', teacher => $lin, grade => 91 },
        MA101 => { name => '數學', subject => '數學', teacher => $other, grade => 58 },
        PE101 => { name => '體育', subject => '體育', teacher => $other, co_teachers => [$lin], grade => 88 },
        HI101 => { name => '歷史', subject => '歷史', teacher => $other, reviewer => $lin, grade => 77 },
        EN101 => { name => '英文', subject => '英文', teacher => 'zlsh122277777', grade => 64 },
    );
    for my $code (sort keys %courses) {
        my %c = %{ $courses{$code} };
        my $grade = delete $c{grade};
        main::course($admin, '113-1', $code, { credits => 2, co_teachers => [], %c });
        PortfolioTest::seed($admin, 'sis_enrollments', "$me\x1f113-1\x1f$code",
                            { student => $me, term => '113-1', code => $code,
                              grade => $grade, kind => 'normal' });
    }
    main::course($admin, '112-2', 'CH001', { name => '國文', subject => '國文', credits => 4,
                                             teacher => $other });
    PortfolioTest::seed($admin, 'sis_enrollments', "$me\x1f112-2\x1fCH001",
                        { student => $me, term => '112-2', code => 'CH001', grade => 80, kind => 'normal' });
    for my $term ('113-1', '112-2') {
        PortfolioTest::seed($admin, 'sis_students', "zlsh\x1f$term\x1f$me",
                            { student => $me, student_number => '108234567', name => '李小明',
                              class => '101', seat => 7 });
        PortfolioTest::seed($admin, 'sis_basic', "$me\x1f$term",
                            { attendance => { late => 2, absent => 1, sick => 0, official => 0,
                                              personal => 0, bereavement => 0 },
                              rewards => { commendation => 3, minor_merit => 0, major_merit => 0,
                                           warning => 1, minor_demerit => 0, major_demerit => 0 },
                              cadres => [{ unit => '101', post => '班長', start => '113-08-30',
                                           end => '114-01-20', level => '班級' }] });
    }
    # 林老師's course relation is the bootstrap file's; the others' here
    main::relation($admin, $other, $me, 'course');
    main::relation($admin, 'zlsh122244444', $me, 'homeroom');
    main::relation($admin, 'zlsh122244444', $me, 'course');
    main::relation($admin, 'zlsh122255555', $me, 'counselor');
    main::relation($admin, 'parent001', $me, 'parent');
    return $admin;
}

# Every course code the list shows, by term.
sub main::codes {
    my ($r) = @_;
    return { map { my $t = $_; ($t->{term} => [ map { $_->{code} } @{ $t->{courses} } ]) }
             @{ $r->{json}{terms} || [] } };
}

__DATA__

=== TEST 1: a course teacher: the courses they teach with those grades; the student's name, class and seat, no attendance or discipline
--- init
main::school_year();
my $lin = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');
my $r = PortfolioTest::api(GET => '/students/zlsh108234567/courses', $lin);
is($r->{status}, 200, 'GET the courses as the course teacher');
is($r->{json}{view}, 'course', 'the course view');
is_deeply(main::codes($r), { '113-1' => [qw(CS101 HI101 PE101)] },
          'only the courses they teach: as teacher, reviewer, co-teacher; no other term');
my %c = map { $_->{code} => $_ } map { @{ $_->{courses} } } @{ $r->{json}{terms} };
is($c{CS101}{grade}, 91, 'with the grade of their own course');
is($c{PE101}{grade}, 88, '... and of the one they co-teach');
unlike($r->{body}, qr/"MA101"|"EN101"|"CH001"|\b58\b|\b64\b/, 'nothing of the other subjects');
$r = PortfolioTest::api(GET => '/students/zlsh108234567/courses?term=113-1', $lin);
is_deeply(main::codes($r), { '113-1' => [qw(CS101 HI101 PE101)] }, 'the same for ?term=113-1');
$r = PortfolioTest::api(GET => '/students/zlsh108234567/courses?term=112-2', $lin);
is_deeply($r->{json}{terms}, [], 'and nothing in a term they taught the student nothing');

$r = PortfolioTest::api(GET => '/students/zlsh108234567/record', $lin);
is($r->{status}, 200, 'GET the record as the course teacher');
is($r->{json}{view}, 'course', 'the course view');
is($r->{json}{student}{name}, '李小明', 'the name');
is($r->{json}{student}{class}, '101', 'the class');
my ($t) = grep { $_->{term} eq '113-1' } @{ $r->{json}{terms} };
is($t->{seat}, 7, 'the seat in the term');
is($t->{class}, '101', 'and the class');
is_deeply([ sort keys %$t ], [qw(class seat term)], 'and nothing more of the term');
unlike($r->{body}, qr/attendance|rewards|cadres|班長/, 'no attendance, rewards and punishments, cadre posts');
PortfolioTest::log_clean();
--- request
GET /api/students/zlsh108234567/record
--- error_code: 401
--- no_error_log
[error]



=== TEST 2: the student, the homeroom teacher (who also teaches a course), a counselor, a parent, the school admin and the city admin keep everything
--- init
main::school_year();
my %who = (
    student  => ['zlsh108234567', 'student-pass-1'],
    homeroom => ['zlsh122244444', 'teacher-pass-2'],
    counselor => ['zlsh122255555', 'teacher-pass-2'],
    parent   => ['parent001', 'teacher-pass-2'],
    admin    => ['zlsh100000001', 'admin-pass-1'],
    city     => ['cityadmin', 'city-pass-1'],
);
for my $role (sort keys %who) {
    my $c = PortfolioTest::login(@{ $who{$role} });
    my $r = PortfolioTest::api(GET => '/students/zlsh108234567/courses', $c);
    is($r->{status}, 200, "$role: the courses");
    ok(!exists $r->{json}{view}, "$role: the full view (no \"view\")");
    is_deeply(main::codes($r), { '112-2' => ['CH001'], '113-1' => [qw(CS101 EN101 HI101 MA101 PE101)] },
              "$role: every course of every term");
    $r = PortfolioTest::api(GET => '/students/zlsh108234567/record', $c);
    ok(!exists $r->{json}{view}, "$role: the full record");
    my ($t) = grep { $_->{term} eq '113-1' } @{ $r->{json}{terms} || [] };
    is($t->{attendance}{late}, 2, "$role: attendance");
    is($t->{rewards}{commendation}, 3, "$role: rewards and punishments");
    is($t->{cadres}[0]{post}, '班長', "$role: cadre posts");
}
PortfolioTest::log_clean();
--- request
GET /api/students/zlsh108234567/courses
--- error_code: 401
--- no_error_log
[error]



=== TEST 3: a course teacher of another course sees theirs alone; a teacher with no relation sees nothing
--- init
main::school_year();
my $chang = PortfolioTest::login('zlsh122266666', 'teacher-pass-2');
my $r = PortfolioTest::api(GET => '/students/zlsh108234567/courses', $chang);
is($r->{json}{view}, 'course', 'the course view');
is_deeply(main::codes($r), { '112-2' => ['CH001'], '113-1' => [qw(HI101 MA101 PE101)] },
          'the courses they teach, in each term (HI101 too: its teacher, though another reviews it)');
my $chou = PortfolioTest::login('zlsh122277777', 'teacher-pass-2');
PortfolioTest::is_error(PortfolioTest::api(GET => '/students/zlsh108234567/courses', $chou), 403,
                        'out_of_scope', 'a teacher with no relation to the student: the courses');
PortfolioTest::is_error(PortfolioTest::api(GET => '/students/zlsh108234567/record', $chou), 403,
                        'out_of_scope', '... and the record');
PortfolioTest::log_clean();
--- request
GET /api/students/zlsh108234567/courses
--- error_code: 401
--- no_error_log
[error]
