# SPEC S1 (plugin `sis`), issue 16 item 2: a re-import says what it will
# do before it does it.  POST .../import/{kind}/preview answers the counts
# of the kind's records and of the people added, changed and removed,
# from a read snapshot (a read handler: it answers while the writer is
# held), and writes nothing; its counts are the import's.  A students
# file that would take students off the term's list (one class's file for
# the whole school's: the issue's 180 students that became 3, after which
# the enrollments import was refused for the 177 the list no longer had)
# is refused, 409 confirm_required with the counts, unless the admin
# confirms the removal (?confirm=remove) or applies the file to the
# classes it names (?scope=classes); either way the next import works.
#
# The import files are t/data/import/*.csv and *.json (t/070's).

use utf8;
use Test::Nginx::Socket 'no_plan';
use PortfolioTest;
use JSON::PP ();
use Encode ();

no_shuffle();
PortfolioTest::block_defaults(plugins => [qw(school sis testkit)],
                              api => ['client_max_body_size 32m;']);
run_tests();


# --- helpers for the init sections ---

# POST .../import/$kind (or .../preview when $what is 'preview'), with
# $query after "?"; $body: a file under t/data/import, a hash/array ref
# (JSON), or CSV text.
sub main::send {
    my ($cookie, $what, $kind, $body, $query) = @_;
    return PortfolioTest::import_post($cookie, "/schools/zlsh/terms/113-1/import/$kind"
                                      . ($what eq 'preview' ? '/preview' : '')
                                      . (defined $query && length $query ? "?$query" : ''), $body);
}

sub main::kinds {
    return qw(teachers classes students courses enrollments cadres
              attendance rewards counselors);
}

sub main::admin { PortfolioTest::login('zlsh100000001', 'admin-pass-1') }

# the teachers file renames the bootstrap's 林老師: confirmed
sub main::query_of { $_[0] eq 'teachers' ? 'confirm=rename' : '' }

sub main::everything {
    return PortfolioTest::mdb_dumps(qw(sis_classes sis_courses sis_enrollments sis_rosters
                                       sis_basic sis_relidx sis_students relations users audit));
}

# The answer without what only a preview says.
sub main::as_import {
    my ($j) = @_;
    my %a = %$j;
    delete @a{qw(preview confirm)};
    return \%a;
}

# The class counts of the term: "101:2 102:2 103:1".
sub main::class_counts {
    my ($cookie) = @_;
    my $r = PortfolioTest::api(GET => '/schools/zlsh/terms/113-1/classes', $cookie);
    return join ' ', map { "$_->{class}:$_->{students}" } @{ $r->{json}{classes} || [] };
}

__DATA__

=== TEST 1: the preview answers the import's counts for every kind, and writes nothing
--- init
my $admin = main::admin();
for my $kind (main::kinds()) {
    my $before = main::everything();
    my $p = PortfolioTest::ok200(main::send($admin, 'preview', $kind, "$kind.csv", main::query_of($kind)),
                        "preview $kind");
    is(main::everything(), $before, "$kind: the preview wrote nothing (records, relations, accounts, audit)");
    ok($p->{preview}, "$kind: the answer says it is a preview");
    my $i = PortfolioTest::ok200(main::send($admin, 'import', $kind, "$kind.csv", main::query_of($kind)),
                        "import $kind");
    is_deeply(main::as_import($p), $i, "$kind: the import did what its preview said");
}

# what the counts are, on a first import and a second one
my $p = PortfolioTest::ok200(main::send($admin, 'preview', 'students', 'students.csv'), 'preview again');
is_deeply([ @$p{qw(rows created_accounts updated_accounts)}, $p->{records}, $p->{people} ],
          [ 5, 0, 0, { added => 0, changed => 0, removed => 0, unchanged => 5 },
            { added => 0, changed => 0, removed => 0 } ],
          'students again: five rows, nothing changes');
is_deeply([ @$p{qw(term_students stay remove kept scope)}, $p->{classes}, $p->{confirm} ],
          [ 5, 5, 0, 0, 'all', [qw(101 102 103)], [] ],
          'the term\'s list: 5, all stay, nothing to confirm');

(my $moved = Encode::decode('UTF-8', PortfolioTest::import_data('students.csv'))) =~ s/^110000003,(\w+),(\S+?),103,1\r$/110000003,$1,$2,101,3\r/m;
$moved =~ s/^110000002,.*\n//m;
$moved .= "110000031,E100000005,新同學,102,9\r\n";
$p = PortfolioTest::ok200(main::send($admin, 'preview', 'students', $moved), 'preview a changed list');
is_deeply([ @$p{qw(rows created_accounts updated_accounts)}, $p->{records}, $p->{people} ],
          [ 5, 1, 1, { added => 1, changed => 1, removed => 1, unchanged => 3 },
            { added => 1, changed => 1, removed => 1 } ],
          'one moved, one new (a new account), one leaving the list');
is_deeply($p->{confirm}, ['remove'], 'the import will ask to confirm the removal');

$p = PortfolioTest::ok200(main::send($admin, 'preview', 'attendance',
                            "student_number,late,absent,sick,official,personal,bereavement\n"
                            . "108234567,2,1,3,0,1,0\n108234569,1,0,0,0,0,0\n"),
                 'preview attendance');
is_deeply($p->{records}, { added => 1, changed => 0, removed => 1, unchanged => 1 },
          'attendance: one kept, one new, one dropped (a part of sis_basic each)');
$p = PortfolioTest::ok200(main::send($admin, 'preview', 'enrollments',
                            "student_number,code,grade,kind\n108234567,CHI1011,86,\n"),
                 'preview enrollments');
is_deeply($p->{records}, { added => 0, changed => 1, removed => 8, unchanged => 0 },
          'enrollments: one grade changed, eight dropped');
$p = PortfolioTest::ok200(main::send($admin, 'preview', 'teachers', "national_id,name\nK111122222,王導師\nA100000010,新老師\n"),
                 'preview teachers');
is_deeply([ $p->{records}, $p->{people} ],
          [ { added => 1, changed => 0, removed => 0, unchanged => 1 }, { added => 1, changed => 0, removed => 0 } ],
          'teachers: their records are their accounts (never removed)');
--- request
GET /api/health
--- error_code: 200
--- no_error_log
[error]



=== TEST 2: the issue's story: one class's students file for the whole term is refused with the counts; applied to its classes, the next import works
--- init
my $admin = main::admin();
for my $kind (main::kinds()) {
    PortfolioTest::ok200(main::send($admin, 'import', $kind, "$kind.csv", main::query_of($kind)), "import $kind");
}
my $before = main::everything();

# class 101's file (its two students) as the students file
my $one = "student_number,national_id,name,class,seat\n108234567,A123456789,李小明,101,1\n"
        . "110000001,A210000006,陳大文,101,2\n";
my $r = main::send($admin, 'import', 'students', $one);
PortfolioTest::is_error($r, 409, 'confirm_required', 'one class\'s file for the whole term');
my $e = $r->{json}{error};
is_deeply([ @$e{qw(term_students stay remove)}, $e->{confirm}, $e->{classes} ],
          [ 5, 2, 3, ['remove'], ['101'] ], 'the counts: 5 now, 2 stay, 3 would be removed');
like($e->{message}, qr/會把 3 位學生移出113學年度第1學期的名單（目前 5 位，留下 2 位）/,
     'said in words, with the counts');
like($e->{message}, qr/只更新檔案中的班級（101）/, 'and the choice of the classes it names');
is(main::everything(), $before, 'nothing was written');

# the preview says the same, and what the other choice does
my $p = PortfolioTest::ok200(main::send($admin, 'preview', 'students', $one), 'preview');
is_deeply([ @$p{qw(stay remove)}, $p->{confirm} ], [ 2, 3, ['remove'] ], 'the preview: the same counts');
$p = PortfolioTest::ok200(main::send($admin, 'preview', 'students', $one, 'scope=classes'), 'preview, classes');
is_deeply([ @$p{qw(scope stay remove kept)}, $p->{confirm}, $p->{records} ],
          [ 'classes', 5, 0, 3, [], { added => 0, changed => 0, removed => 0, unchanged => 2 } ],
          'only class 101: nobody leaves, the 3 of 102 and 103 are kept');

# applied to the classes it names
$r = main::send($admin, 'import', 'students', $one, 'scope=classes');
is($r->{status}, 200, 'the file applied to class 101 only');
is(main::class_counts($admin), '101:2 102:2 103:1', 'every class keeps its students');
like(PortfolioTest::mdb_dump('relations'), qr/zlsh122233333\\1fzlsh110000002\\1f113-1\\1fhomeroom/,
     'and the homeroom relations of the classes the file does not name');
like(PortfolioTest::mdb_dump('relations'), qr/zlsh111122222\\1fzlsh110000001\\1f113-1\\1fhomeroom/,
     'and those of the class it names');
$r = main::send($admin, 'import', 'enrollments', 'enrollments.csv');
is($r->{status}, 200, 'the next import (the whole school\'s enrollments) works');
is($r->{json}{rows}, 9, 'with every row');

# a class's file that leaves out one of its students: still asked
my $short = "student_number,national_id,name,class,seat\n108234567,A123456789,李小明,101,1\n";
$r = main::send($admin, 'import', 'students', $short, 'scope=classes');
PortfolioTest::is_error($r, 409, 'confirm_required', 'a class file without one of its students');
is_deeply([ @{ $r->{json}{error} }{qw(stay remove kept)} ], [ 4, 1, 3 ], 'one of class 101 would leave');
$r = main::send($admin, 'import', 'students', $short, 'scope=classes&confirm=remove');
is($r->{status}, 200, 'confirmed');
is(main::class_counts($admin), '101:1 102:2 103:1', 'one student of 101 left the list, the others stay');

# the removal confirmed: the list is the file's, and the next import
# says why its rows are refused
$r = main::send($admin, 'import', 'students', $one, 'confirm=remove');
is($r->{status}, 200, 'one class\'s file with the removal confirmed');
is_deeply([ @{ $r->{json} }{qw(term_students stay remove)}, $r->{json}{records}{removed} ], [ 4, 1, 3, 3 ],
          'the answer counts the removed');
is(main::class_counts($admin), '101:2 102:0 103:0', 'the term\'s list is the file\'s');
is(PortfolioTest::http(POST => '/api/session',
                       body => { username => 'zlsh110000002', password => '000007' })->{status},
   200, 'a removed student keeps the account');
$r = main::send($admin, 'import', 'enrollments', 'enrollments.csv');
PortfolioTest::is_error($r, 422, 'invalid_rows', 'the enrollments of students off the list');
like($r->{json}{error}{message}, qr/其中 5 列的學號不在113學年度第1學期的學生名單.*重新匯入全校的學生名單/,
     'the message says why, and what to do');

# and the school's whole list again
$r = main::send($admin, 'import', 'students', 'students.csv');
is($r->{status}, 200, 'the whole list again (nobody leaves: nothing to confirm)');
is($r->{json}{records}{added}, 3, 'three back on the list');
is(main::send($admin, 'import', 'enrollments', 'enrollments.csv')->{status}, 200, 'then the enrollments');
--- request
GET /api/health
--- error_code: 200
--- no_error_log
[error]



=== TEST 3: the preview is a read: it answers while the writer is held; the import waits for the writer
--- http_config eval
PortfolioTest::http_config(plugins => [qw(school sis testkit_quiet)])
--- init
my $admin = main::admin();
for my $kind (qw(teachers classes students)) {
    PortfolioTest::ok200(main::send($admin, 'import', $kind, "$kind.csv", main::query_of($kind)), "import $kind");
}
my $rows = [ { student_number => '108234567', late => 3 } ];
my ($sent, $gate, $pending) = PortfolioTest::gated_writes(1);
my $p = PortfolioTest::api(POST => '/schools/zlsh/terms/113-1/import/attendance/preview', $admin,
                           body => $rows);
is($p->{status}, 200, 'a preview while another write holds the writer');
is_deeply($p->{json}{records}, { added => 1, changed => 0, removed => 0, unchanged => 0 }, 'with its counts');
my ($import) = PortfolioTest::enqueue($pending,
    { method => 'POST', path => '/api/schools/zlsh/terms/113-1/import/attendance',
      cookie => $admin, body => $rows });
ok($gate->(1), 'the writer let go');
my $res = PortfolioTest::collect($import);
is($res->[0]{status}, 200, 'then the import ran in the writer');
PortfolioTest::collect($_) for @$sent;
--- request
GET /api/health
--- error_code: 200
--- no_error_log
[error]



=== TEST 4: a preview is refused as the import is: roles, scope, bad files, arguments (before the body is read)
--- init
my $admin = main::admin();
PortfolioTest::ok200(main::send($admin, 'import', 'teachers', 'teachers.csv', 'confirm=rename'), 'teachers');
my $teacher = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');
my $other = PortfolioTest::login('tpsh109000001', 'other-pass-1');
PortfolioTest::is_error(main::send($teacher, 'preview', 'classes', 'classes.csv'), 403, 'forbidden',
                        'a teacher previews');
PortfolioTest::is_error(main::send($other, 'preview', 'classes', 'classes.csv'), 403, 'out_of_scope',
                        "another school's admin previews");
PortfolioTest::is_error(main::send(undef, 'preview', 'classes', 'classes.csv'), 401, 'unauthenticated',
                        'nobody');
my $r = main::send($admin, 'preview', 'classes', "class,name,grade,homeroom\n101,一,13,\n101,二,1,\n");
PortfolioTest::is_error($r, 422, 'invalid_rows', 'a bad file');
is_deeply([ map { [ $_->{row}, $_->{field} ] } @{ $r->{json}{error}{errors} } ],
          [ [2, 'grade'], [3, 'class'] ], 'with the errors the import would list');
for my $q ('scope=class', 'confirm=yes', 'confirm=remove,all') {
    PortfolioTest::is_error(main::send($admin, 'preview', 'students', 'students.csv', $q),
                            422, $q =~ /scope/ ? 'invalid_scope' : 'invalid_confirm', "?$q");
    PortfolioTest::is_error(main::send($admin, 'import', 'students', 'students.csv', $q),
                            422, $q =~ /scope/ ? 'invalid_scope' : 'invalid_confirm', "?$q on the import");
}
PortfolioTest::is_error(main::send($admin, 'preview', 'classes', 'classes.csv', 'scope=classes'),
                        422, 'invalid_scope', 'scope=classes is for the students file');
PortfolioTest::is_error(main::send($admin, 'preview', 'grades', 'classes.csv'), 404, 'unknown_kind',
                        'an unknown kind');
PortfolioTest::is_error(PortfolioTest::api(GET => '/schools/zlsh/terms/113-1/import/classes/preview', $admin),
                        405, 'method_not_allowed', 'GET');
--- request
GET /api/health
--- error_code: 200
--- no_error_log
[error]
