# SPEC S1, A1, P1, P2 (plugin `sis`): the school's term imports from its
# information system (校務行政系統) -- students, teachers, classes, courses,
# enrollments with grades, cadre posts, attendance, rewards and
# punishments, counselors -- as JSON or CSV; accounts made with the A1
# names and initial passwords; a bad file rejected whole with every row's
# errors; re-imports that replace a term's data (and the relations it
# gave) without touching students' uploads; the class lists; the
# student's basic data (P1) and course records (P2) for whoever may see
# the student.
#
# The import files are t/data/import/*.csv and *.json (the same data in
# both forms).  Students' uploads are seeded as records with testkit.

use utf8;
use Test::Nginx::Socket 'no_plan';
use PortfolioTest;
use JSON::PP ();
use Encode ();

no_shuffle();
# every block: the usual configuration with school, sis and testkit (and
# student, whose databases keep the uploads seeded), and import files up
# to 32 MB
PortfolioTest::block_defaults(plugins => [qw(school sis student testkit)],
                              api => ['client_max_body_size 32m;']);
run_tests();


# --- helpers for the init sections (no lexicals: run_tests() ran first);
# --- PortfolioTest has the shared ones (api, is_error, import_post,
# --- import_data, mdb_dump, error_cells) ---

# POST one import; $body: a file name under t/data/import, a hash/array
# ref (JSON), or text (CSV; characters are sent as UTF-8); $query: what
# follows "?" (confirm=remove ...).
sub main::import {
    my ($cookie, $kind, $body, $term, $query) = @_;
    $term //= '113-1';
    return PortfolioTest::import_post($cookie, "/schools/zlsh/terms/$term/import/$kind"
                                      . (defined $query ? "?$query" : ''), $body);
}

sub main::kinds {
    return qw(teachers classes students courses enrollments cadres
              attendance rewards counselors);
}

# Every kind from the files, in order; dies on anything but 200.  The
# teachers file renames the bootstrap's 林老師 (zlsh122233333) 林美華:
# confirmed (TEST 1 shows the refusal without it).
sub main::import_all {
    my ($cookie, $ext) = @_;
    my %res;
    for my $kind (main::kinds()) {
        my $r = main::import($cookie, $kind, "$kind.$ext", undef,
                             $kind eq 'teachers' ? 'confirm=rename' : undef);
        die "import $kind.$ext: " . ($r->{status} // 'none') . " $r->{body}\n"
            unless ($r->{status} // 0) == 200;
        $res{$kind} = $r->{json};
    }
    return \%res;
}

sub main::admin { PortfolioTest::login('zlsh100000001', 'admin-pass-1') }

# Signs in with an initial password and changes it: the session cookie.
sub main::first_login {
    my ($user, $initial, $new) = @_;
    my $cookie = PortfolioTest::login($user, $initial);
    my $r = PortfolioTest::http(POST => '/api/password', cookie => $cookie,
                                body => { current => $initial, new => $new });
    die "password change for $user: $r->{status} $r->{body}\n"
        unless $r->{status} == 200;
    return $cookie;
}

sub main::get_json {
    my ($cookie, $path) = @_;
    my $r = PortfolioTest::api(GET => $path, $cookie);
    die "GET $path: " . ($r->{status} // 'none') . " $r->{body}\n"
        unless ($r->{status} // 0) == 200;
    return $r->{json};
}

sub main::sis_dbs {
    return qw(sis_classes sis_courses sis_enrollments sis_rosters sis_basic
              sis_relidx sis_students relations users);
}

# What every read shows of the term: classes, rosters, records, courses.
sub main::snapshot {
    my ($cookie) = @_;
    my %s;
    $s{classes} = main::get_json($cookie, '/schools/zlsh/terms/113-1/classes');
    for my $c (qw(101 102 103)) {
        $s{"roster $c"} = main::get_json($cookie,
            "/schools/zlsh/terms/113-1/classes/$c/students");
    }
    for my $n (qw(108234567 108234569 110000001 110000002 110000003)) {
        $s{"record $n"} = main::get_json($cookie, "/students/zlsh$n/record");
        $s{"courses $n"} = main::get_json($cookie, "/students/zlsh$n/courses");
    }
    return \%s;
}

__DATA__

=== TEST 1: SPEC S1 CSV import of every kind: counts, accounts, classes, rosters, P1 record, P2 courses, audit
--- init
my $admin = main::admin();

# the teachers file renames an account: not without the admin's word
my $r = main::import($admin, 'teachers', 'teachers.csv');
PortfolioTest::is_error($r, 409, 'confirm_required', 'a teachers file that renames an account');
is_deeply($r->{json}{error}{renamed},
          [ { row => 3, account => 'zlsh122233333', from => '林老師', to => '林美華' } ],
          'the rename it would make, by row');
is(PortfolioTest::http(POST => '/api/session',
                       body => { username => 'zlsh122233333', password => 'teacher-pass-2' })->{json}{user}{name},
   '林老師', 'and the account keeps its name');

my $res = main::import_all($admin, 'csv');

my %want = (
    teachers    => [4, 2, 1],   # 2 new; 林老師 renamed 林美華
    classes     => [3, 0, 2],   # homeroom role for zlsh122233333, zlsh223456786
    students    => [5, 3, 2],   # 3 new; seat and number for the 2 existing
    courses     => [4, 0, 3],   # course_teacher for 3 teachers
    enrollments => [9, 0, 0],
    cadres      => [3, 0, 0],
    attendance  => [2, 0, 0],
    rewards     => [2, 0, 0],
    counselors  => [2, 0, 2],   # counselor role for 2 teachers
);
for my $kind (main::kinds()) {
    is_deeply({ map { $_ => $res->{$kind}{$_} } qw(kind term rows created_accounts updated_accounts) },
              { kind => $kind, term => '113-1', rows => $want{$kind}[0],
                created_accounts => $want{$kind}[1],
                updated_accounts => $want{$kind}[2] },
              "import $kind: answer");
}

my $classes = main::get_json($admin, '/schools/zlsh/terms/113-1/classes');
is_deeply($classes, {
    school => 'zlsh', term => '113-1',
    classes => [
        { class => '101', name => '一年一班', grade => 1, homeroom => 'zlsh111122222',
          homeroom_name => '王導師', students => 2 },
        { class => '102', name => '一年二班', grade => 1, homeroom => 'zlsh122233333',
          homeroom_name => '林美華', students => 2 },
        { class => '103', name => '一年三班', grade => 1, homeroom => 'zlsh223456786',
          homeroom_name => '陳美玲', students => 1 },
    ] }, 'classes of the term with homeroom teachers and student counts');

my $roster = main::get_json($admin, '/schools/zlsh/terms/113-1/classes/101/students');
is_deeply($roster->{students}, [
    { id => 'zlsh108234567', student_number => '108234567', name => '李小明', seat => 1 },
    { id => 'zlsh110000001', student_number => '110000001', name => '陳大文', seat => 2 },
], 'roster of 101 by seat (the BOM, CRLF and quoted name read right)');

my $rec = main::get_json($admin, '/students/zlsh108234567/record');
is_deeply($rec, {
    student => { id => 'zlsh108234567', name => '李小明', school => 'zlsh',
                 class => '101', seat => 1, student_number => '108234567' },
    terms => [ {
        term => '113-1', class => '101', seat => 1,
        attendance => { late => 2, absent => 1, sick => 3, official => 0,
                        personal => 1, bereavement => 0 },
        rewards => { commendation => 2, minor_merit => 1, major_merit => 0,
                     warning => 0, minor_demerit => 0, major_demerit => 0 },
        cadres => [
            { unit => '班級', post => '班長', start => '2024-08-30',
              end => '2025-01-20', level => '班級幹部' },
            { unit => '學生會', post => '副會長', start => '2024-09-01',
              end => undef, level => '學校幹部' },
        ],
    } ],
}, 'P1 record: basic data, attendance, rewards, cadres (ROC date converted)');

$rec = main::get_json($admin, '/students/zlsh110000002/record');
is_deeply($rec->{terms}, [ { term => '113-1', class => '102', seat => 2,
                             attendance => undef,
                             rewards => { commendation => 0, minor_merit => 0,
                                          major_merit => 0, warning => 1,
                                          minor_demerit => 0, major_demerit => 0 },
                             cadres => [] } ],
          'P1 record: only the parts imported for the student');

my $courses = main::get_json($admin, '/students/zlsh108234569/courses');
is_deeply($courses, {
    student => 'zlsh108234569',
    terms => [ { term => '113-1', courses => [
        { code => 'MAT0912', name => '數學(重修)', subject => '數學', credits => 2,
          grade => 55, kind => 'retake', teacher => 'zlsh120000002',
          teacher_name => '張志明',
          co_teachers => [ { id => 'zlsh223456786', name => '陳美玲' },
                           { id => 'zlsh111122222', name => '王導師' } ] },
        { code => 'MAT1011', name => '數學A, "上"', subject => '數學', credits => 4,
          grade => 61, kind => 'make_up', teacher => 'zlsh223456786',
          teacher_name => '陳美玲',
          co_teachers => [ { id => 'zlsh120000002', name => '張志明' } ] },
    ] } ],
}, 'P2 courses: kind from the course (retake) or the row (make_up), co-teachers, "" and comma in a quoted name');

$courses = main::get_json($admin, '/students/zlsh110000001/courses');
is_deeply([ map { [ $_->{code}, $_->{grade}, $_->{teacher_name} ] }
            @{ $courses->{terms}[0]{courses} } ],
          [ [ 'CHI1011', 90, '林美華' ], [ 'MAT1011', undef, '陳美玲' ] ],
          'P2: an empty grade is null');

$courses = main::get_json($admin, '/students/zlsh108234567/courses');
is($courses->{terms}[0]{courses}[1]{grade}, 72.5, 'P2: a decimal grade');

$courses = main::get_json($admin, '/students/zlsh110000003/courses');
is($courses->{terms}[0]{courses}[1]{name}, "彈性學習\n自主學習",
   'P2: a quoted name with a line break in it');
is($courses->{terms}[0]{courses}[1]{credits}, 0, 'P2: 0 credits');

my $audit = PortfolioTest::mdb_dump('audit');
for my $kind (main::kinds()) {
    my $rows = $want{$kind}[0];
    like($audit, qr/"by":"zlsh100000001","action":"import\.$kind","detail":\{"term":"113-1","rows":$rows\}/,
         "audit: import.$kind with term and rows");
}
like($audit, qr/school\/zlsh\\1f/, 'audit subject school/zlsh');
--- more_headers
Content-Type: application/json
--- request
POST /api/session
{"username":"zlsh110000001","password":"000006"}
--- response_body_like chomp
"must_change_password":true
--- no_error_log
[error]



=== TEST 2: SPEC S1 JSON import of every kind ({"rows":[...]} too, arrays of co-teachers, numbers) stores what the CSV files do
--- init
my $admin = main::admin();
my $json = main::import_all($admin, 'json');
is_deeply([ map { [ $json->{$_}{rows}, $json->{$_}{created_accounts},
                    $json->{$_}{updated_accounts} ] } main::kinds() ],
          [ [4,2,1], [3,0,2], [5,3,2], [4,0,3], [9,0,0], [3,0,0], [2,0,0],
            [2,0,0], [2,0,2] ],
          'JSON imports: the same counts as the CSV ones');

my $before = main::snapshot($admin);
my $dbs = PortfolioTest::mdb_dumps(grep { $_ ne 'users' } main::sis_dbs());

my $csv = main::import_all($admin, 'csv');
is_deeply([ map { $csv->{$_}{created_accounts} + $csv->{$_}{updated_accounts} }
            main::kinds() ],
          [ (0) x 9 ], 'the CSV files over the JSON ones change no account');
is_deeply(main::snapshot($admin), $before,
          'classes, rosters, records and courses are the same from CSV and JSON');
is(PortfolioTest::mdb_dumps(grep { $_ ne 'users' } main::sis_dbs()), $dbs,
   'and so is every stored record and relation');
--- request
GET /api/students/zlsh108234567/record
--- error_code: 401
--- no_error_log
[error]



=== TEST 3: SPEC A1 imported accounts: domain + number / national ID digits, last 6 of the ID, forced change; existing ones keep their password; no national ID stored
--- init
my $admin = main::admin();
main::import_all($admin, 'csv');

# a new student: last 6 characters of the national ID A210000006
my $r = PortfolioTest::http(POST => '/api/session',
                            body => { username => 'zlsh110000001', password => '000006' });
is($r->{status}, 200, 'new student signs in with the last 6 of the national ID');
is_deeply($r->{json}{user}, { id => 'zlsh110000001', name => '陳大文', school => 'zlsh',
                              roles => ['student'] }, 'the account: A1 name, roles');
ok($r->{json}{must_change_password}, 'and must change the password');
my $s = PortfolioTest::cookie_from($r);

PortfolioTest::is_error(PortfolioTest::api(GET => '/students/zlsh110000001/record', $s),
                        403, 'password_change_required', 'own record before the change');
PortfolioTest::is_error(PortfolioTest::api(GET => '/students/zlsh110000001/courses', $s),
                        403, 'password_change_required', 'own courses before the change');

$r = PortfolioTest::http(POST => '/api/password', cookie => $s,
                         body => { current => '000006', new => 'Blue-river-2024' });
is($r->{status}, 200, 'the password is changed');
$r = PortfolioTest::api(GET => '/students/zlsh110000001/record', $s);
is($r->{status}, 200, 'then the own record reads');
is($r->{json}{student}{class}, '101', 'with the class');
is($r->{json}{student}{seat}, 2, 'and the seat');

# a re-import does not reset a changed password
main::import($admin, 'students', 'students.csv');
is(PortfolioTest::http(POST => '/api/session',
                       body => { username => 'zlsh110000001', password => 'Blue-river-2024' })->{status},
   200, 'after a re-import the changed password still works');
is(PortfolioTest::http(POST => '/api/session',
                       body => { username => 'zlsh110000001', password => '000006' })->{status},
   401, 'and the initial one does not');

# an existing student keeps the password; imported fields are updated
$r = PortfolioTest::http(POST => '/api/session',
                         body => { username => 'zlsh108234567', password => 'student-pass-1' });
is($r->{status}, 200, 'existing student: old password still works');
ok(!$r->{json}{must_change_password}, 'existing student: no forced change');
is(PortfolioTest::http(POST => '/api/session',
                       body => { username => 'zlsh108234567', password => '456789' })->{status},
   401, 'existing student: the ID-derived password is not set');

# teachers: domain + the 9 digits of the national ID
$r = PortfolioTest::http(POST => '/api/session',
                         body => { username => 'zlsh223456786', password => '456786' });
is($r->{status}, 200, 'new teacher zlsh223456786 signs in with the last 6 of F223456786');
ok($r->{json}{must_change_password}, 'new teacher must change it');
is_deeply($r->{json}{user}{roles}, [qw(teacher homeroom course_teacher)],
          'roles from teachers, classes and courses imports');

$r = PortfolioTest::http(POST => '/api/session',
                         body => { username => 'zlsh120000002', password => '000002' });
is_deeply($r->{json}{user}{roles}, [qw(teacher course_teacher counselor)],
          'counselor role from the counselors import');

# the bootstrap's 王導師 still has the bootstrap's initial password
$r = PortfolioTest::http(POST => '/api/session',
                         body => { username => 'zlsh111122222', password => '122222' });
is($r->{status}, 200, 'existing teacher keeps the password');
ok($r->{json}{must_change_password}, 'and the pending change');
is_deeply($r->{json}{user}{roles},
          [qw(teacher homeroom course_teacher counselor)],
          'roles are added, never removed');

$r = PortfolioTest::http(POST => '/api/session',
                         body => { username => 'zlsh122233333', password => 'teacher-pass-2' });
is($r->{json}{user}{name}, '林美華', 'existing teacher renamed by the import');

# national IDs are used, not kept
my $all = PortfolioTest::mdb_dumps(main::sis_dbs(), 'audit');
for my $nid (qw(A123456789 H220000006 A210000006 B210000007 K200000011
                K111122222 J122233333 F223456786 S120000002)) {
    unlike($all, qr/$nid/, "national ID $nid is stored nowhere");
}
unlike(PortfolioTest::mdb_dump('users'), qr/"pw":"000006"|"pw":"\$hmac[^"]*000006/, 'no plain password');
--- more_headers
Content-Type: application/json
--- request
POST /api/session
{"username":"zlsh110000002","password":"000007"}
--- response_body_like chomp
"id":"zlsh110000002".*"must_change_password":true
--- no_error_log
[error]



=== TEST 4: SPEC S1 a bad file is rejected whole: every error with row and field, nothing written
--- init
my $admin = main::admin();
main::import_all($admin, 'csv');
my $before = PortfolioTest::mdb_dumps(main::sis_dbs());

# students: 7 rows, 6 of them bad (rows as a spreadsheet shows them:
# the header is row 1)
my $r = main::import($admin, 'students', <<'CSV');
student_number,national_id,name,class,seat
110000011,A100000001,甲生,101,3
110000012,,乙生,101,4
110000013,A123456788,丙生,101,5
11000001X,B100000002,丁生,102,3
110000015,C100000003,戊生,109,1
110000011,D100000004,己生,102,4
110000017,E100000005,庚生,102,abc
CSV
PortfolioTest::is_error($r, 422, 'invalid_rows', 'students with bad rows');
is_deeply(PortfolioTest::error_cells($r),
          [ [3, 'national_id'], [4, 'national_id'], [5, 'student_number'],
            [6, 'class'], [7, 'student_number'], [8, 'seat'] ],
          'every bad row, by row and field');
my @e = @{ $r->{json}{error}{errors} };
like($e[0]{message}, qr/^national_id：必須填寫/, 'row 3: national ID required');
like($e[1]{message}, qr/檢查碼/, 'row 4: national ID checksum');
like($e[2]{message}, qr/數字/, 'row 5: student number digits');
like($e[3]{message}, qr/沒有 109 班/, 'row 6: unknown class');
like($e[4]{message}, qr/也在第 2 列/, 'row 7: duplicate student number');
like($e[5]{message}, qr/1 到 999/, 'row 8: seat');
is($r->{json}{error}{more}, 0, 'none left out');
like($r->{json}{error}{message}, qr/6 個錯誤，整個檔案都沒有匯入/, 'the message');
unlike($r->{body}, qr/A123456788/, 'the national ID is not echoed');
is(PortfolioTest::mdb_dumps(main::sis_dbs()), $before, 'nothing was written');
is(PortfolioTest::http(POST => '/api/session',
                       body => { username => 'zlsh110000011', password => '000001' })->{status},
   401, 'not even the good row\'s account');

# courses (JSON): credits, unknown teacher, kind, duplicate code, bad checksum
$r = main::import($admin, 'courses', { rows => [
    { code => 'ENG1011', name => '英文', subject => '英語文', credits => 31,
      teacher => 'zlsh122233333' },
    { code => 'ENG1012', name => '英文', subject => '英語文', credits => 2,
      teacher => 'zlsh999999999' },
    { code => 'ENG1013', name => '英文', subject => '英語文', credits => 2,
      teacher => 'zlsh122233333', kind => 'summer' },
    { code => 'ENG1011', name => '英文', subject => '英語文', credits => 2,
      teacher => 'zlsh122233333', co_teachers => ['J122233334'] },
    { code => 'ENG 1015', name => '英文', credits => -1, teacher => 'zlsh108234567' },
    'not an object',
] });
PortfolioTest::is_error($r, 422, 'invalid_rows', 'courses with bad rows');
is_deeply(PortfolioTest::error_cells($r),
          [ [1, 'credits'], [2, 'teacher'], [3, 'kind'], [4, 'code'],
            [4, 'co_teachers'], [5, 'subject'], [5, 'code'], [5, 'credits'],
            [5, 'teacher'], [6, ''] ],
          'courses: range, unknown teacher, kind, duplicate, co-teacher ID, required, code, a student as teacher, a non-object');
like($r->{json}{error}{errors}[1]{message}, qr/zlsh999999999.*沒有對應的教師帳號/, 'unknown teacher named');
like($r->{json}{error}{errors}[4]{message}, qr/檢查碼/, 'co-teacher national ID checksum');

# enrollments: grade range, decimals, unknown course and student, duplicate
$r = main::import($admin, 'enrollments', <<'CSV');
student_number,code,grade,kind
108234567,CHI1011,101,
108234567,MAT1011,8.555,
108234567,XXX9999,80,
199999999,CHI1011,80,
110000001,CHI1011,-5,
110000002,CHI1011,70,
110000002,CHI1011,71,
110000002,MAT1011,70,night-school
CSV
PortfolioTest::is_error($r, 422, 'invalid_rows', 'enrollments with bad rows');
is_deeply(PortfolioTest::error_cells($r),
          [ [2, 'grade'], [3, 'grade'], [4, 'code'], [5, 'student_number'],
            [6, 'grade'], [8, 'code'], [9, 'kind'] ],
          'enrollments: grades, unknown course, unknown student, duplicate, kind');

# cadres, attendance, rewards, counselors
$r = main::import($admin, 'cadres', "student_number,unit,post,start,end,level\n"
                  . "108234567,班級,班長,2024-02-30,,\n"
                  . "108234567,班級,副班長,2024-09-01,2024-08-01,\n"
                  . "108234567,,副班長,,,\n");
is_deeply(PortfolioTest::error_cells($r), [ [2, 'start'], [3, 'end'], [4, 'unit'] ],
          'cadres: impossible date, end before start, required unit');
$r = main::import($admin, 'attendance', "student_number,late,absent,sick,official,personal,bereavement\n"
                  . "108234567,1,x,,,,\n108234567,10000,0,,,,\n");
is_deeply(PortfolioTest::error_cells($r), [ [2, 'absent'], [3, 'student_number'], [3, 'late'] ],
          'attendance: counts, the same student twice');
$r = main::import($admin, 'rewards', [ { student_number => '108234567', warning => 1000 } ]);
is_deeply(PortfolioTest::error_cells($r), [ [1, 'warning'] ], 'rewards: at most 999');
$r = main::import($admin, 'counselors', "teacher,student_number\nzlsh108234569,108234567\nS120000002,108234568\n");
is_deeply(PortfolioTest::error_cells($r), [ [2, 'teacher'], [3, 'student_number'] ],
          'counselors: a student is no teacher; a student not imported this term');

# classes and teachers
$r = main::import($admin, 'classes', "class,name,grade,homeroom\n101,一,13,\n101,二,1,\n1 01,三,,\n");
is_deeply(PortfolioTest::error_cells($r), [ [2, 'grade'], [3, 'class'], [4, 'class'] ],
          'classes: grade, duplicate, code');
$r = main::import($admin, 'teachers', "national_id,name\nA123456789,甲\nA123456789,乙\na1234567890,丙\n,丁\nA111122222,戊\n");
is_deeply(PortfolioTest::error_cells($r),
          [ [3, 'national_id'], [4, 'national_id'], [5, 'national_id'], [6, 'national_id'] ],
          'teachers: duplicate, format, required, checksum');

# A1 names of a student and a teacher could meet: refused
$r = main::import($admin, 'students', "student_number,national_id,name,class,seat\n223456786,A123456789,甲,101,9\n");
is_deeply(PortfolioTest::error_cells($r), [ [2, 'student_number'] ], 'a student number that is a teacher account');

# the file itself
$r = main::import($admin, 'students', "student_number,name,class,seat\n110000021,甲,101,1\n");
is_deeply(PortfolioTest::error_cells($r), [ [1, 'national_id'] ],
          'a missing column is one error, on the header (row 1)');
$r = main::import($admin, 'students', "student_number,national_id,name,class,seat\n110000021,A123456789,\"甲,101,1\n");
is_deeply(PortfolioTest::error_cells($r), [ [2, ''] ], 'an unclosed quote');
like($r->{json}{error}{errors}[0]{message}, qr/引號.*沒有結束/, 'said so');
$r = main::import($admin, 'students', "\xef\xbb\xbfstudent_number,national_id,name,class,seat\n110000021,A123456789,\xa4\xa4\xa4\xe5,101,1\n");
is_deeply(PortfolioTest::error_cells($r), [ [2, 'name'] ], 'a file that says it is UTF-8 (its BOM) with Big5 text in a row');
like($r->{json}{error}{errors}[0]{message}, qr/UTF-8/, 'said so');
$r = main::import($admin, 'students', "student_number,national_id,name,class,seat\n110000021,A123456789,甲,101,1,extra\n");
is_deeply(PortfolioTest::error_cells($r), [ [2, ''] ], 'more fields than the header');

# more than 100 errors: the first 100 listed, the rest counted
$r = main::import($admin, 'students', "student_number,national_id,name,class,seat\n"
                  . join('', map { "1200000$_,,,101,1\n" } 10 .. 69));
is(scalar @{ $r->{json}{error}{errors} }, 100, '100 errors listed');
is($r->{json}{error}{more}, 20, 'and 20 more counted');
is($r->{json}{error}{errors}[99]{row}, 51, 'the first ones, by row');

# empty files, bad terms, unknown kinds
PortfolioTest::is_error(main::import($admin, 'students', "student_number,national_id,name,class,seat\n"),
                        422, 'empty_file', 'a CSV with only the header');
PortfolioTest::is_error(main::import($admin, 'students', "student_number,national_id,name,class,seat\n\n,,,,\n"),
                        422, 'empty_file', 'a CSV with only blank rows');
PortfolioTest::is_error(main::import($admin, 'students', []), 422, 'empty_file', 'an empty JSON array');
PortfolioTest::is_error(main::import($admin, 'students', { rows => [] }), 422, 'empty_file', 'no rows');
PortfolioTest::is_error(main::import($admin, 'students', { students => [] }), 422, 'invalid_rows',
                        'an object without rows');
for my $term (qw(113-3 1131 1-1 1130-1 113-0 013-1)) {
    PortfolioTest::is_error(main::import($admin, 'students', 'students.csv', $term),
                            422, 'invalid_term', "term $term");
}
PortfolioTest::is_error(main::import($admin, 'grades', 'students.csv'), 404, 'unknown_kind', 'an unknown kind');
PortfolioTest::is_error(PortfolioTest::api(POST => '/schools/nosuch/terms/113-1/import/students',
                                           PortfolioTest::login('cityadmin', 'city-pass-1'),
                                           body => PortfolioTest::import_data('students.csv'),
                                           headers => { 'Content-Type' => 'text/csv' }),
                        404, 'not_found', 'an unknown school (city admin)');
PortfolioTest::is_error(PortfolioTest::api(POST => '/schools/zlsh/terms/113-1/import/students', $admin,
                                           body => PortfolioTest::import_data('students.csv'),
                                           headers => { 'Content-Type' => 'text/plain' }),
                        415, 'unsupported_media_type', 'text/plain');

is(PortfolioTest::mdb_dumps(main::sis_dbs()), $before, 'after all that, nothing was written');
--- more_headers
Content-Type: text/csv
--- request
POST /api/schools/zlsh/terms/113-1/import/students
student_number,national_id,name,class
--- error_code: 401
--- no_error_log
[error]



=== TEST 5: SPEC S1 re-importing the same files is idempotent
--- init
my $admin = main::admin();
main::import_all($admin, 'csv');
my $dbs = PortfolioTest::mdb_dumps(main::sis_dbs());
my $seen = main::snapshot($admin);

my $again = main::import_all($admin, 'csv');
for my $kind (main::kinds()) {
    is("$again->{$kind}{created_accounts}/$again->{$kind}{updated_accounts}", '0/0',
       "$kind again: no account created or changed");
}
is(PortfolioTest::mdb_dumps(main::sis_dbs()), $dbs,
   'every SIS record, relation and account is the same after the second import');
is_deeply(main::snapshot($admin), $seen, 'and every read');

main::import_all($admin, 'json');
is(PortfolioTest::mdb_dumps(main::sis_dbs()), $dbs, 'the same again from the JSON files');
--- request
GET /api/schools/zlsh/terms/113-1/classes
--- error_code: 401
--- no_error_log
[error]



=== TEST 6: SPEC S1 a re-import replaces the term's data of its kind, and the relations it gave; other terms are untouched
--- init
my $admin = main::admin();
main::import_all($admin, 'csv');
my $lin = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');

# 林美華 teaches CHI1011 to 110000003 (class 103, not hers)
is(PortfolioTest::api(GET => '/students/zlsh110000003/record', $lin)->{status}, 200,
   'the course teacher sees a student of her course');
like(PortfolioTest::mdb_dump('relations'), qr/zlsh122233333\\1fzlsh110000003\\1f113-1\\1fcourse/,
     'through a course relation of the term');

# the SIS drops that enrollment
(my $enr = PortfolioTest::import_data('enrollments.csv')) =~ s/^110000003,CHI1011,77,\n//m;
my $r = main::import($admin, 'enrollments', $enr);
is($r->{json}{rows}, 8, 'enrollments re-imported: 8 rows');
my $c = main::get_json($admin, '/students/zlsh110000003/courses');
is_deeply([ map { $_->{code} } @{ $c->{terms}[0]{courses} } ], ['FLX1011'],
          'the dropped enrollment is gone from the course records');
PortfolioTest::is_error(PortfolioTest::api(GET => '/students/zlsh110000003/record', $lin),
                        403, 'out_of_scope', 'the course teacher no longer sees the student');
PortfolioTest::is_error(PortfolioTest::api(GET => '/students/zlsh110000003/courses', $lin),
                        403, 'out_of_scope', 'nor the course records');
unlike(PortfolioTest::mdb_dump('relations'), qr/zlsh122233333\\1fzlsh110000003/,
       'the course relation is gone');
unlike(PortfolioTest::mdb_dump('sis_relidx'), qr/zlsh122233333\\1fzlsh110000003/, 'and its index entry');
is(PortfolioTest::api(GET => '/students/zlsh110000002/record', $lin)->{status}, 200,
   'her other students stay hers');
is(PortfolioTest::api(GET => '/students/zlsh108234567/record', $lin)->{status}, 200,
   'and so does the bootstrap relation (not an import\'s)');

# the SIS moves 110000003 to class 101 and drops 110000002
(my $st = PortfolioTest::import_data('students.csv')) =~ s/^110000003,(\w+),(\S+?),103,1\r$/110000003,$1,$2,101,3\r/m;
$st =~ s/^110000002,.*\n//m;
$r = main::import($admin, 'students', $st, undef, 'confirm=remove');
is_deeply([ @{ $r->{json} }{qw(rows created_accounts updated_accounts)} ], [4, 0, 1],
          'students re-imported: 4 rows, one account moved');
my $cl = main::get_json($admin, '/schools/zlsh/terms/113-1/classes');
is_deeply([ map { "$_->{class}:$_->{students}" } @{ $cl->{classes} } ],
          [ '101:3', '102:1', '103:0' ], 'class counts follow');
my $rel = PortfolioTest::mdb_dump('relations');
like($rel, qr/zlsh111122222\\1fzlsh110000003\\1f113-1\\1fhomeroom/, 'new homeroom relation');
unlike($rel, qr/zlsh223456786\\1fzlsh110000003\\1f113-1\\1fhomeroom/, 'old one gone');
unlike($rel, qr/\\1fzlsh110000002\\1f113-1\\1fhomeroom/, 'a dropped student has no homeroom');
is(PortfolioTest::http(POST => '/api/session',
                       body => { username => 'zlsh110000002', password => '000007' })->{status},
   200, 'but keeps the account');

# counselors: one of two left
$r = main::import($admin, 'counselors', "teacher,student_number\nS120000002,108234569\n");
$rel = PortfolioTest::mdb_dump('relations');
like($rel, qr/zlsh120000002\\1fzlsh108234569\\1f113-1\\1fcounselor/, 'the counselor kept');
unlike($rel, qr/zlsh111122222\\1fzlsh110000003\\1f113-1\\1fcounselor/, 'the one dropped');

# cadres again: replaced for the term, other parts kept
$r = main::import($admin, 'cadres', "student_number,unit,post,start,end,level\n110000001,班級,學藝股長,,,\n");
my $p1 = main::get_json($admin, '/students/zlsh108234567/record');
is_deeply($p1->{terms}[0]{cadres}, [], 'a student left out has no cadre posts now');
is($p1->{terms}[0]{attendance}{late}, 2, 'and keeps attendance');
is($p1->{terms}[0]{rewards}{commendation}, 2, 'and rewards');
$p1 = main::get_json($admin, '/students/zlsh110000001/record');
is_deeply($p1->{terms}[0]{cadres},
          [ { unit => '班級', post => '學藝股長', start => undef, end => undef, level => undef } ],
          'the new cadre post');
$r = main::import($admin, 'attendance', "student_number,late,absent,sick,official,personal,bereavement\n110000001,4,,,,,\n");
$p1 = main::get_json($admin, '/students/zlsh108234567/record');
is($p1->{terms}[0]{attendance}, undef, 'attendance replaced: none left for 108234567');
is($p1->{terms}[0]{rewards}{commendation}, 2, 'rewards untouched');

# another term: its own data, the first term's untouched
my $t1 = PortfolioTest::mdb_dumps(main::sis_dbs());
for my $k (qw(classes students courses enrollments)) {
    $r = main::import($admin, $k, {
        classes => "class,name,grade,homeroom\n201,二年一班,2,zlsh122233333\n",
        students => "student_number,national_id,name,class,seat\n108234567,A123456789,李小明,201,7\n",
        courses => "code,name,subject,credits,teacher,co_teachers,kind\nCHI2021,國語文(三),國語文,3,zlsh122233333,,\n",
        enrollments => "student_number,code,grade\n108234567,CHI2021,93\n",
    }->{$k}, '113-2');
    is($r->{status}, 200, "113-2 $k imported");
}
$c = main::get_json($admin, '/students/zlsh108234567/courses');
is_deeply([ map { [ $_->{term}, map { $_->{code} } @{ $_->{courses} } ] } @{ $c->{terms} } ],
          [ [ '113-1', 'CHI1011', 'MAT1011' ], [ '113-2', 'CHI2021' ] ],
          'P2 lists both terms in order');
$c = main::get_json($admin, '/students/zlsh108234567/courses?term=113-2');
is_deeply([ map { $_->{term} } @{ $c->{terms} } ], ['113-2'], '?term= picks one');
is(main::get_json($admin, '/students/zlsh108234567/record')->{student}{class}, '201',
   'the account has the latest class');
is_deeply([ map { "$_->{term}:$_->{class}:" . ($_->{seat} // '') }
            @{ main::get_json($admin, '/students/zlsh108234567/record')->{terms} } ],
          [ '113-1:101:1', '113-2:201:7' ], 'P1 has each term\'s class and seat');
is(main::get_json($admin, '/schools/zlsh/terms/113-1/classes')->{classes}[0]{students}, 3,
   '113-1 classes still count their students');
--- request
GET /api/students/zlsh110000003/courses
--- error_code: 401
--- no_error_log
[error]



=== TEST 7: SPEC S1 re-imports never touch what students uploaded (outcomes, outcome_ids, usage)
--- init
my $admin = main::admin();
main::import_all($admin, 'csv');

my $seed = sub {
    my ($db, $key, $value) = @_;
    my $r = PortfolioTest::api(POST => '/testkit/seed', $admin,
                               body => { db => $db, key => $key, value => $value });
    die "seed $db: $r->{status} $r->{body}\n" unless $r->{status} == 200;
};
for my $s (qw(zlsh110000001 zlsh110000003)) {
    my $id = "01JTEST$s";
    $seed->('outcomes', "$s\x1f$id", JSON::PP->new->canonical->encode({
        id => $id, student => $s, school => 'zlsh', term => '113-1', code => 'CHI1011',
        course_name => '國語文(一)', subject => '國語文', kind => 'normal',
        description => '我的報告', status => 'pending', reviewer => 'zlsh122233333',
        document => { sha256 => 'a' x 64, size => 1234, mime => 'application/pdf',
                      ext => 'pdf', name => 'report.pdf' } }));
    $seed->('outcome_ids', $id, qq({"student":"$s"}));
    $seed->('usage', $s, '{"bytes":1234,"files":1}');
}
my $uploads = PortfolioTest::mdb_dumps(qw(outcomes outcome_ids usage));
like($uploads, qr/01JTESTzlsh110000003.*report\.pdf/s, 'seeded');

# every kind again, then students and enrollments without 110000003
main::import_all($admin, 'json');
(my $st = PortfolioTest::import_data('students.csv')) =~ s/^110000003,.*\n//m;
(my $enr = PortfolioTest::import_data('enrollments.csv')) =~ s/^110000003,.*\n//mg;
is(main::import($admin, 'students', $st, undef, 'confirm=remove')->{status}, 200,
   'students re-imported without 110000003 (its removal confirmed)');
is(main::import($admin, 'enrollments', $enr)->{status}, 200, 'enrollments without 110000003');

is(PortfolioTest::mdb_dumps(qw(outcomes outcome_ids usage)), $uploads,
   'outcomes, outcome ids and usage are exactly as they were');
is(PortfolioTest::http(POST => '/api/session',
                       body => { username => 'zlsh110000003', password => '000011' })->{status},
   200, 'the dropped student keeps the account (and so the uploads)');
--- request
GET /api/health
--- response_body_like chomp
"name":"sis"
--- no_error_log
[error]



=== TEST 8: SPEC A5 role and scope checks: imports by school admin (own school) and city admin only; class lists for teachers
--- init
my $admin = main::admin();
main::import_all($admin, 'csv');
my $student = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $teacher = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');
my $other = PortfolioTest::login('tpsh109000001', 'other-pass-1');
my $city = PortfolioTest::login('cityadmin', 'city-pass-1');

PortfolioTest::is_error(main::import($student, 'students', 'students.csv'), 403, 'forbidden', 'a student imports');
PortfolioTest::is_error(main::import($teacher, 'students', 'students.csv'), 403, 'forbidden', 'a teacher imports');
PortfolioTest::is_error(main::import($other, 'students', 'students.csv'), 403, 'out_of_scope',
                        "another school's admin imports");
PortfolioTest::is_error(main::import($other, 'students', { rows => [] }), 403, 'out_of_scope',
                        "another school's admin imports JSON");
PortfolioTest::is_error(main::import(undef, 'students', 'students.csv'), 401, 'unauthenticated', 'nobody');
my $r = main::import($city, 'rewards', 'rewards.csv');
is($r->{status}, 200, 'the city admin may import for any school');

# an import needs a school admin; the admin's other school is refused too
PortfolioTest::is_error(PortfolioTest::api(POST => '/schools/tpsh/terms/113-1/import/students', $admin,
                                           body => PortfolioTest::import_data('students.csv'),
                                           headers => { 'Content-Type' => 'text/csv' }),
                        403, 'out_of_scope', 'admin of zlsh imports into tpsh');

my $path = '/schools/zlsh/terms/113-1/classes';
PortfolioTest::is_error(PortfolioTest::api(GET => $path, $student), 403, 'forbidden', 'a student lists classes');
is(PortfolioTest::api(GET => $path, $teacher)->{status}, 200, 'a teacher lists classes');
is(PortfolioTest::api(GET => $path, $city)->{status}, 200, 'the city admin lists classes');
PortfolioTest::is_error(PortfolioTest::api(GET => $path, $other), 403, 'out_of_scope', "another school's admin");
PortfolioTest::is_error(PortfolioTest::api(GET => '/schools/zlsh/terms/113-9/classes', $admin), 422, 'invalid_term',
                        'a bad term');

PortfolioTest::is_error(PortfolioTest::api(GET => "$path/101/students", $student), 403, 'forbidden',
                        'a student reads a roster');
is(PortfolioTest::api(GET => "$path/102/students", $teacher)->{status}, 200,
   'the homeroom teacher reads the own class');
PortfolioTest::is_error(PortfolioTest::api(GET => "$path/101/students", $teacher), 403, 'out_of_scope',
                        'but not another class');
is(PortfolioTest::api(GET => "$path/101/students", $admin)->{status}, 200, 'the school admin reads any');
PortfolioTest::is_error(PortfolioTest::api(GET => "$path/109/students", $admin), 404, 'not_found', 'no such class');
--- request
POST /api/schools/zlsh/terms/113-1/import/students
[]
--- more_headers
Content-Type: application/json
--- error_code: 401
--- no_error_log
[error]



=== TEST 9: SPEC P1 P2 reads: the student, the homeroom teacher, a counselor and a co-teacher may; an unrelated student may not
--- init
my $admin = main::admin();
main::import_all($admin, 'csv');

my $me = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $r = PortfolioTest::api(GET => '/students/zlsh108234567/record', $me);
is($r->{status}, 200, 'the student reads the own record');
is($r->{json}{terms}[0]{rewards}{commendation}, 2, 'with the rewards');
$r = PortfolioTest::api(GET => '/students/zlsh108234567/courses?term=113-1', $me);
is($r->{status}, 200, 'and the own course records');
is(scalar @{ $r->{json}{terms}[0]{courses} }, 2, 'two courses');
$r = PortfolioTest::api(GET => '/students/zlsh108234567/courses?term=112-2', $me);
is_deeply($r->{json}{terms}, [], 'none in another term');
PortfolioTest::is_error(PortfolioTest::api(GET => '/students/zlsh108234567/courses?term=112', $me),
                        422, 'invalid_term', 'a bad ?term=');

my $other = PortfolioTest::login('zlsh108234569', 'student-pass-3');
PortfolioTest::is_error(PortfolioTest::api(GET => '/students/zlsh108234567/record', $other), 403, 'out_of_scope',
                        "another student's record");
PortfolioTest::is_error(PortfolioTest::api(GET => '/students/zlsh108234567/courses', $other), 403, 'out_of_scope',
                        "another student's courses");

# 林美華 is homeroom teacher of 102 (110000002, 108234569)
my $lin = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');
$r = PortfolioTest::api(GET => '/students/zlsh110000002/record', $lin);
is($r->{status}, 200, 'the homeroom teacher reads a student of the class');
is($r->{json}{student}{name}, '林小雨', 'the right one');
is(PortfolioTest::api(GET => '/students/zlsh108234569/courses', $lin)->{status}, 200,
   'and the course records');
PortfolioTest::is_error(PortfolioTest::api(GET => '/students/zlsh108234568/record', $lin), 403, 'out_of_scope',
                        'not a student of another class she does not teach');

# 王導師 (homeroom 101, co-teacher of MAT0912, counselor of 110000003)
my $wang = main::first_login('zlsh111122222', '122222', 'Green-hill-77');
is(PortfolioTest::api(GET => '/students/zlsh110000001/record', $wang)->{status}, 200, 'homeroom 101');
is(PortfolioTest::api(GET => '/students/zlsh108234569/courses', $wang)->{status}, 200, 'co-teacher');
is(PortfolioTest::api(GET => '/students/zlsh110000003/record', $wang)->{status}, 200, 'counselor');
PortfolioTest::is_error(PortfolioTest::api(GET => '/students/zlsh110000002/record', $wang), 403, 'out_of_scope',
                        'unrelated');

# 張志明: counselor of 108234569, teacher of FLX1011 and MAT0912
my $chang = main::first_login('zlsh120000002', '000002', 'Red-mountain-9');
is(PortfolioTest::api(GET => '/students/zlsh108234569/record', $chang)->{status}, 200, 'the counselor');
is(PortfolioTest::api(GET => '/students/zlsh110000003/courses', $chang)->{status}, 200, 'the course teacher');

# the school admin sees all; another school's admin none
is(PortfolioTest::api(GET => '/students/zlsh110000003/record', $admin)->{status}, 200, 'school admin');
PortfolioTest::is_error(PortfolioTest::api(GET => '/students/zlsh110000003/record',
                                           PortfolioTest::login('tpsh109000001', 'other-pass-1')),
                        403, 'out_of_scope', "another school's admin");
PortfolioTest::is_error(PortfolioTest::api(GET => '/students/zlsh100000001/record', $admin), 404, 'not_found',
                        'an account that is no student');
--- request
GET /api/students/zlsh108234567/courses
--- error_code: 401
--- no_error_log
[error]
