# SPEC S1 (plugin `sis`), issue 16 items 6 and 7: values outside the
# documented formats are refused, not guessed (a list of co-teachers
# given as a JSON string; dates in other forms than 2024-08-30, 2024/8/30
# and the ROC 113/08/30), and every message the import answers is
# Traditional Chinese, naming the column as the file names it (the
# Chinese header if the file used it); English stays in the codes.

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

# POST to .../import/$kind (a path after /api when $kind starts with "/"):
# a hash/array ref as JSON, else CSV (a file of t/data/import, bytes, or
# text).
sub main::send {
    my ($cookie, $kind, $body, $query) = @_;
    return PortfolioTest::import_post($cookie, $kind =~ m{^/} ? $kind
                                      : "/schools/zlsh/terms/113-1/import/$kind"
                                        . (defined $query ? "?$query" : ''), $body);
}

sub main::admin { PortfolioTest::login('zlsh100000001', 'admin-pass-1') }

sub main::setup {
    my $admin = main::admin();
    for my $kind (qw(teachers classes students courses enrollments)) {
        PortfolioTest::ok200(main::send($admin, $kind, "$kind.csv", $kind eq 'teachers' ? 'confirm=rename' : undef),
                    "import $kind");
    }
    return $admin;
}

# What may be Latin in a message: names a person types or reads as they
# are (the columns as the file names them, the file's values quoted,
# accounts, course codes, codes of kinds and values, formats), cut out;
# what is left must have no English word.
sub main::english_left {
    my ($text) = @_;
    my $known = join '|', qw(student_number national_id name class seat account code subject credits
        teacher co_teachers kind grade homeroom unit post start end level late absent sick official
        personal bereavement commendation minor_merit major_merit warning minor_demerit major_demerit
        normal make_up retake repeat transfer visiting night teachers students courses enrollments
        cadres attendance rewards counselors CSV UTF Big5 CP950 JSON Excel xlsx xls ods OpenDocument
        Unicode null rows scope all classes confirm remove rename csv grades);
    $text =~ s/「[^」]*」//g;              # the file's values, quoted
    $text =~ s/\b[A-Z][A-Z0-9]*\b//g;      # codes: XXX, CHI1011, A1
    $text =~ s/\b(?:zlsh|tpsh)[\w.-]*//g;
    $text =~ s/\b(?:$known)\b//g;
    return $text =~ /([A-Za-z]{2,}[A-Za-z ]*)/ ? $1 : '';
}

__DATA__

=== TEST 1: a list given as a JSON string is refused, not split; a list's items are strings, each one teacher
--- init
my $admin = main::setup();
my %course = (code => 'ENG1011', name => '英文', subject => '英語文', credits => 2,
              teacher => 'zlsh122233333', kind => 'normal');
my $r = main::send($admin, 'courses', [ { %course, co_teachers => 'zlsh111122222;zlsh223456786' } ]);
PortfolioTest::is_error($r, 422, 'invalid_rows', 'co_teachers as a string');
is_deeply(PortfolioTest::error_cells($r), [ [1, 'co_teachers'] ], 'refused on its row');
like($r->{json}{error}{errors}[0]{message}, qr/^co_teachers：必須是教師的陣列，每位一個字串/, 'said how to send it');
for my $bad ([ 111122222 ], [ 'zlsh111122222;zlsh223456786' ], [ 'zlsh111122222, zlsh223456786' ], [ ['zlsh111122222'] ],
             { a => 'zlsh111122222' }, 1) {
    $r = main::send($admin, 'courses', [ { %course, co_teachers => $bad } ]);
    is_deeply(PortfolioTest::error_cells($r), [ [1, 'co_teachers'] ], 'co_teachers ' . JSON::PP->new->canonical->encode($bad) . ' refused');
}
$r = main::send($admin, 'courses', [ { %course, co_teachers => [ 'zlsh111122222', 'F223456786' ] } ]);
is($r->{status}, 200, 'an array of strings is taken');
--- request
GET /api/health
--- error_code: 200
--- no_error_log
[error]



=== TEST 2: dates in the documented forms only: 2024-08-30, 2024/8/30 (as spreadsheets save them), ROC 113/08/30; everything else refused
--- init
my $admin = main::setup();
my @good = ([ '2024-08-30', '2024-08-30' ], [ '2024/8/30', '2024-08-30' ], [ '2024/08/30', '2024-08-30' ],
            [ '113/08/30', '2024-08-30' ], [ '113/8/3', '2024-08-03' ], [ '100/01/01', '2011-01-01' ],
            [ '2024-02-29', '2024-02-29' ]);
my $csv = "學號,單位,職稱,開始日期,結束日期,幹部等級\n";
$csv .= "108234567,班級,職$_,$good[$_][0],,\n" for 0 .. $#good;
PortfolioTest::ok200(main::send($admin, 'cadres', $csv), 'cadres with every documented form');
my $rec = PortfolioTest::api(GET => '/students/zlsh108234567/record', $admin)->{json};
is_deeply([ map { $_->{start} } @{ $rec->{terms}[0]{cadres} } ], [ map { $_->[1] } @good ],
          'each stored as YYYY-MM-DD');

my @bad = qw(113-08-30 2024-8-30 2024-08-3 1130830 20240830 13/08/30 99/08/30 0113/08/30
             08/30/2024 30/08/2024 2024.08.30 2024/08-30 2023-02-29 2024-02-30 113/13/01 1911/12/31
             2024-08-30T00:00 2024/8/30/1 民國113/08/30);
$csv = "學號,單位,職稱,開始日期,結束日期,幹部等級\n";
$csv .= "108234567,班級,職$_,$bad[$_],,\n" for 0 .. $#bad;
my $r = main::send($admin, 'cadres', $csv);
PortfolioTest::is_error($r, 422, 'invalid_rows', 'other forms');
is_deeply(PortfolioTest::error_cells($r), [ map { [ $_ + 2, 'start' ] } 0 .. $#bad ], 'each refused, none guessed: ' . join(' ', @bad));
like($r->{json}{error}{errors}[0]{message},
     qr/^開始日期：必須是日期，寫成 2024-08-30、2024\/8\/30 或民國 113\/08\/30，檔案中是「113-08-30」/,
     'naming the column and the forms');
$r = main::send($admin, 'cadres', "學號,單位,職稱,開始日期,結束日期,幹部等級\n108234567,班級,班長,113/09/01,2024/8/31,\n");
like($r->{json}{error}{errors}[0]{message}, qr/^結束日期：2024-08-31 早於開始日期/, 'an end before the start');
--- request
GET /api/health
--- error_code: 200
--- no_error_log
[error]



=== TEST 3: every message the import answers is zh-TW, in its errors and its rows; a row's error names the column as the file does
--- init
my $admin = main::setup();
my $city = PortfolioTest::login('cityadmin', 'city-pass-1');
my @answers = (
    main::send($admin, 'students', "student_number,national_id,name,class,seat\n"
                                  . "11000001X,A123456788,,109,abc\n110000011,a12,甲,1 01,0\n"
                                  . "110000012,A210000006,乙,101,1,more\n110000013,A210000006,\"丙,101,1\n"),
    main::send($admin, 'teachers', "national_id,name,account\nA123456789,甲,tpsh1\nM123456789,乙,\nZ12,丙,\n"),
    main::send($admin, 'classes', "class,name,grade,homeroom\n1 01,一,13,zlsh999\n101,二,x,zlsh108234567\n101,三,1,A12345678X\n"),
    main::send($admin, 'courses', "code,name,subject,credits,teacher,co_teachers,kind\n"
                                 . "A B,,,31,Z12,\"zlsh108234567;zlsh999\",summer\nA B,x,y,1,J122233334,,\n"),
    main::send($admin, 'courses', [ { code => 'C1', name => 'x', subject => 'y', credits => JSON::PP::true,
                                      teacher => 'zlsh122233333', co_teachers => 'zlsh111122222' }, 'row' ]),
    main::send($admin, 'courses', { lines => [] }),
    main::send($admin, 'enrollments', "student_number,code,grade,kind\n108234567,XXX,101,x\n108234567,CHI1011,8.555,\n"
                                     . "108234567,CHI1011,1,\n199999999,CHI1011,1,\n"),
    main::send($admin, 'cadres', "student_number,unit,post,start,end,level\n108234567,,,2024-13-01,113/01/01,\n"
                                . "108234567,a,b,,,\n108234567,a,b,,,\n"),
    main::send($admin, 'attendance', "student_number,late,absent,sick,official,personal,bereavement\n108234567,-1,10000,,,,\n"
                                    . "108234567,1,1,1,1,1,1\n"),
    main::send($admin, 'rewards', "student_number,commendation,minor_merit,major_merit,warning,minor_demerit,major_demerit\n"
                                 . "108234567,1000,,,,,\n"),
    main::send($admin, 'counselors', "teacher,student_number\nzlsh108234569,x\nS120000002,108234569\nS120000002,108234569\n"),
    main::send($admin, 'students', "student_number,name\n"),
    main::send($admin, 'students', "\n"),
    main::send($admin, 'students', "a,\"b\n"),
    main::send($admin, 'students', "student_number,national_id,name,class,seat\n"),
    main::send($admin, 'students', "student_number,national_id,name,class,seat\n108234567,A123456789,李小明,101,1\n"),
    main::send($admin, 'students', "student_number,national_id,name,class,seat\n108234567,A123456789,李大明,101,1\n"
                                  . "108234569,H220000006,吳小美,102,1\n110000001,A210000006,陳大文,101,2\n"
                                  . "110000002,B210000007,林小雨,102,2\n110000003,K200000011,王小明,103,1\n"),
    main::send($admin, 'students', 'students.xlsx'),
    main::send($admin, 'students', "student_number,name\n1,\xff\xff\n"),
    main::send($admin, 'students', "\xff\xfes\0"),
    main::send($admin, 'students', 'students.csv', 'scope=x'),
    main::send($admin, 'students', 'students.csv', 'confirm=x'),
    main::send($admin, 'grades', 'students.csv'),
    main::send($admin, '/schools/zlsh/terms/113-3/import/students', 'students.csv'),
    main::send($city, '/schools/nosuch/terms/113-1/import/students', 'students.csv'),
    main::send($admin, '/schools/zlsh/terms/1131/import/students/preview', 'students.csv'),
);
my $n = 0;
for my $r (@answers) {
    my $e = $r->{json}{error};
    ok($e && $e->{code}, "answer $n is an error ($r->{status}: " . ($e->{code} // '?') . ')');
    for my $m ($e->{message}, map { $_->{message} } @{ $e->{errors} || [] }) {
        like($m, qr/\p{Han}/, "answer $n: zh-TW: $m");
        is(main::english_left($m), '', "answer $n: no English words in it");
    }
    $n++;
}
cmp_ok(scalar(map { @{ $_->{json}{error}{errors} || [] } } @answers), '>=', 40, 'many row errors looked at');

# the columns as the file names them: every row error begins with its column
my $r = main::send($admin, 'students', "學號,身分證字號,學生姓名,班級代碼,座號\n11000001X,A123456788,,109,abc\n");
is_deeply([ map { [ $_->{field}, $_->{column} ] } @{ $r->{json}{error}{errors} } ],
          [ ['name', '學生姓名'], ['student_number', '學號'], ['national_id', '身分證字號'], ['class', '班級代碼'],
            ['seat', '座號'] ],
          'the file\'s own column names (field keeps the documented one)');
for my $e (@{ $r->{json}{error}{errors} }) {
    like($e->{message}, qr/^\Q$e->{column}\E：/, "the message begins with $e->{column}");
}
$r = main::send($admin, 'enrollments', "學號,課程代碼,成績\n108234567,XXX,\n");
like($r->{json}{error}{errors}[0]{message}, qr/^課程代碼：本學期沒有課程 XXX（請先匯入課程）/, 'enrollments too');
--- request
GET /api/health
--- error_code: 200
--- no_error_log
[error]
