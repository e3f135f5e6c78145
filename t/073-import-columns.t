# SPEC S1 (plugin `sis`), issue 16 items 3 and 4: files as school offices
# save them.  A CSV missing a documented column is refused naming the
# column (a students file without seats stored null seats); the columns
# may be named as the school information system names them (學號,
# 身分證統一編號, 姓名, 班級, 座號 ...) beside the English names, and the
# errors name the column as the file does; Big5 (CP950) files are
# converted, other encodings and Excel workbooks refused in words; rows
# are numbered as a spreadsheet shows them (the header is row 1); the CSV
# templates (html/import-templates/KIND.csv) are UTF-8 with a BOM, with
# the Chinese headers, and import as they are.
#
# The Chinese-header files are t/data/import/*.csv with their header
# names replaced by the templates' (same data, same order of kinds).

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

# POST a CSV (a file of t/data/import, bytes, or characters sent as
# UTF-8) to .../import/$kind (.../preview with $what 'preview'), with
# $query after "?".
sub main::csv {
    my ($cookie, $kind, $bytes, $query, $what) = @_;
    return PortfolioTest::import_post($cookie, "/schools/zlsh/terms/113-1/import/$kind"
                                      . (($what // '') eq 'preview' ? '/preview' : '')
                                      . (defined $query ? "?$query" : ''), $bytes);
}

sub main::admin { PortfolioTest::login('zlsh100000001', 'admin-pass-1') }

sub main::kinds {
    return qw(teachers classes students courses enrollments cadres
              attendance rewards counselors);
}

# Each kind's documented columns, in order (README, the import row).
sub main::fields {
    return (
        teachers    => [qw(national_id name account)],
        classes     => [qw(class name grade homeroom)],
        students    => [qw(student_number national_id name class seat)],
        courses     => [qw(code name subject credits teacher co_teachers kind)],
        enrollments => [qw(student_number code grade kind)],
        cadres      => [qw(student_number unit post start end level)],
        attendance  => [qw(student_number late absent sick official personal bereavement)],
        rewards     => [qw(student_number commendation minor_merit major_merit warning
                           minor_demerit major_demerit)],
        counselors  => [qw(teacher student_number)],
    );
}

# The template's header names, decoded, without the BOM and the CRLF.
sub main::template {
    my ($kind) = @_;
    my $t = Encode::decode('UTF-8', PortfolioTest::import_data("html/import-templates/$kind.csv"));
    $t =~ s/^\x{feff}//;
    $t =~ s/\r\n\z//;
    return split /,/, $t;
}

# English name -> the template's Chinese name, for a kind.
sub main::zh_of {
    my ($kind) = @_;
    my %f = main::fields();
    my @zh = main::template($kind);
    my %m;
    @m{ @{ $f{$kind} } } = @zh;
    return \%m;
}

# The t/data/import file of a kind with the Chinese header names.
sub main::zh_file {
    my ($kind) = @_;
    my $text = Encode::decode('UTF-8', PortfolioTest::import_data("$kind.csv"));
    my $zh = main::zh_of($kind);
    $text =~ s/^(\x{feff}?)([^\r\n]*)/$1 . join(',', map { $zh->{$_} } split m{,}, $2)/e;
    return $text;
}

sub main::cells { PortfolioTest::error_cells($_[0], qw(row field column)) }

sub main::sis_dump {
    return PortfolioTest::mdb_dumps(qw(sis_classes sis_courses sis_enrollments sis_rosters
                                       sis_basic sis_relidx sis_students relations users));
}

__DATA__

=== TEST 1: a CSV missing a documented column is refused naming the column, in the file's language; only enrollments' kind and teachers' account may be left out
--- init
my $admin = main::admin();
my %f = main::fields();
my %optional = map { $_ => 1 } qw(enrollments.kind teachers.account);
for my $kind (main::kinds()) {
    my $zh = main::zh_of($kind);
    for my $lang ('en', 'zh') {
        for my $field (@{ $f{$kind} }) {
            my @cols = grep { $_ ne $field } @{ $f{$kind} };
            my $header = join(',', map { $lang eq 'zh' ? $zh->{$_} : $_ } @cols) . "\n";
            my $r = main::csv($admin, $kind, $header);
            if ($optional{"$kind.$field"}) {
                PortfolioTest::is_error($r, 422, 'empty_file', "$kind ($lang) without $field: taken (no rows)");
                next;
            }
            my $col = $lang eq 'zh' ? $zh->{$field} : $field;
            is_deeply(main::cells($r), [ [1, $field, $col] ], "$kind ($lang) without $field: refused on row 1");
            like($r->{json}{error}{errors}[0]{message}, qr/^\Q$col\E：檔案缺少這一欄/, "named $col");
        }
    }
}

# the issue's file: students without seats
my $before = main::sis_dump();
PortfolioTest::ok200(main::csv($admin, 'teachers', 'teachers.csv', 'confirm=rename'), 'teachers');
PortfolioTest::ok200(main::csv($admin, 'classes', PortfolioTest::import_data('classes.csv')), 'classes');
$before = main::sis_dump();
my $r = main::csv($admin, 'students', "學號,身分證統一編號,姓名,班級\n110000001,A210000006,陳大文,101\n");
is_deeply(main::cells($r), [ [1, 'seat', '座號'] ], 'a students file without seats is refused');
like($r->{json}{error}{errors}[0]{message}, qr/座號：檔案缺少這一欄（欄位名稱列須有：學號、身分證統一編號、姓名、班級、座號）/,
     'naming the column and the columns it must have');
is(main::sis_dump(), $before, 'nothing was stored');
$r = main::csv($admin, 'students', "學號,身分證統一編號,姓名,班級,座號\n110000001,A210000006,陳大文,101,\n");
is_deeply(main::cells($r), [ [2, 'seat', '座號'] ], 'and so is an empty seat');
like($r->{json}{error}{errors}[0]{message}, qr/^座號：必須填寫/, 'said so');
--- request
GET /api/health
--- error_code: 200
--- no_error_log
[error]



=== TEST 2: the school system's column names: every kind from Chinese headers stores what the English ones do; other names of a column, spaces around them, course kinds in Chinese
--- init
my $admin = main::admin();
my %res;
for my $kind (main::kinds()) {
    $res{$kind} = PortfolioTest::ok200(main::csv($admin, $kind, main::zh_file($kind),
                                        $kind eq 'teachers' ? 'confirm=rename' : undef),
                              "$kind with Chinese headers");
}
is_deeply([ map { $res{$_}{rows} } main::kinds() ], [4, 3, 5, 4, 9, 3, 2, 2, 2], 'every row of every kind');
my $zh = main::sis_dump();
for my $kind (main::kinds()) {
    my $r = PortfolioTest::ok200(main::csv($admin, $kind, PortfolioTest::import_data("$kind.csv")), "$kind in English");
    is("$r->{created_accounts}/$r->{updated_accounts}/$r->{records}{changed}", '0/0/0',
       "$kind: the English file changes nothing");
}
is(main::sis_dump(), $zh, 'every record, relation and account the same');

# other names the systems use, spaces and a full-width space around them
my $r = main::csv($admin, 'students', " 學號 ,身分證字號,學生姓名,班級代碼,\x{3000}座號\x{3000}\n"
                                      . "108234567,A123456789,李小明,101,1\n", 'confirm=remove');
is($r->{status}, 200, '身分證字號, 學生姓名, 班級代碼, spaces: taken') or diag($r->{body});
$r = main::csv($admin, 'students', "學號,身分證字號,學生姓名,班級代碼,座號\n108234567,A123456789,李小明,101,x\n");
is_deeply(main::cells($r), [ [2, 'seat', '座號'] ], 'an error names the column as the file does');
$r = main::csv($admin, 'students', "學號,身分證字號,學生姓名,班級代碼,座號\n108234567,A123456788,李小明,101,1\n");
is_deeply(main::cells($r), [ [2, 'national_id', '身分證字號'] ], 'with the file\'s own name for it');
like($r->{json}{error}{errors}[0]{message}, qr/^身分證字號：身分證統一編號的檢查碼不正確/, 'in the message too');
$r = main::csv($admin, 'students', "學號,身分證統一編號,姓名,班級,座號,學號\n");
is_deeply(main::cells($r), [ [1, 'student_number', '學號'] ], 'a column named twice');
$r = main::csv($admin, 'students', "學號,身分證統一編號,student_number,姓名,班級,座號\n");
is_deeply(main::cells($r), [ [1, 'student_number', '學號'] ], 'also once in each language');

# course kinds as the systems write them (修課別)
PortfolioTest::ok200(main::csv($admin, 'courses', "課程代碼,課程名稱,科目,學分數,授課教師,協同教師,修課別\n"
                                         . "MAT0912,數學(重修),數學,2,zlsh120000002,,重修\n"
                                         . "CHI1011,國語文(一),國語文,4,J122233333,,一般\n"
                                         . "MAT1011,數學A,數學,4,zlsh223456786,,進修部\n"
                                         . "FLX1011,彈性學習,彈性學習,0,S120000002,,\n"),
            'courses with 重修, 一般, 進修部');
# an enrollment without a kind takes its course's
PortfolioTest::ok200(main::csv($admin, 'students', 'students.csv'), 'the whole list again');
PortfolioTest::ok200(main::csv($admin, 'enrollments', 'enrollments.csv'), 'enrollments again');
my $c = PortfolioTest::api(GET => '/students/zlsh108234567/courses', $admin)->{json};
is_deeply([ map { "$_->{code}:$_->{kind}" } @{ $c->{terms}[0]{courses} } ],
          [ 'CHI1011:normal', 'MAT1011:night' ], 'stored as the kinds\' codes');
$r = main::csv($admin, 'courses', "課程代碼,課程名稱,科目,學分數,授課教師,協同教師,修課別\n"
                                  . "MAT0912,數學,數學,2,zlsh120000002,,暑修\n");
like($r->{json}{error}{errors}[0]{message}, qr/^修課別：「暑修」不是修課別，修課別是一般、補修、重修/,
     'an unknown kind is refused, the kinds listed');
--- request
GET /api/health
--- error_code: 200
--- no_error_log
[error]



=== TEST 3: encodings and workbooks: Big5 converted (the 5C bytes of 許功蓋, CP950's 碁); other bytes, UTF-16 and Excel refused in words
--- init
my $admin = main::admin();
PortfolioTest::ok200(main::csv($admin, 'teachers', 'teachers.csv', 'confirm=rename'), 'teachers');
PortfolioTest::ok200(main::csv($admin, 'classes', PortfolioTest::import_data('classes.csv')), 'classes');
my $big5 = PortfolioTest::import_data('students-big5.csv');
my $p = PortfolioTest::ok200(main::csv($admin, 'students', $big5, undef, 'preview'), 'Big5 preview');
is_deeply([ @$p{qw(encoding rows)} ], [ 'big5', 2 ], 'a Big5 file: its preview says so');
my $i = PortfolioTest::ok200(main::csv($admin, 'students', $big5), 'Big5 import');
is($i->{encoding}, 'big5', 'and so does the import');
my $roster = PortfolioTest::api(GET => '/schools/zlsh/terms/113-1/classes/101/students', $admin)->{json};
is_deeply([ map { "$_->{student_number}:$_->{name}:$_->{seat}" } @{ $roster->{students} } ],
          [ '110000021:許功蓋:3', '110000022:范姜碁:4' ], 'the names read right');

my $before = main::sis_dump();
my $r = main::csv($admin, 'students', "student_number,name\n1,\xff\xff\n");
PortfolioTest::is_error($r, 422, 'bad_encoding', 'bytes neither UTF-8 nor Big5');
like($r->{json}{error}{message}, qr/不是 UTF-8 文字，也不是 Big5（CP950）文字（第 2 行起無法讀取）.*CSV UTF-8/,
     'refused in words, with the line and what to do');
$r = main::csv($admin, 'students', Encode::encode('UTF-8', "學號,身分證統一編號,姓名,班級,座號\n110000031,A123456789,甲,101,1\n")
                                   . "110000032,B210000007,\xa4\xa4,101,2\n");
PortfolioTest::is_error($r, 422, 'bad_encoding', 'UTF-8 with a Big5 name on line 3, no BOM');
like($r->{json}{error}{message}, qr/檔案是 UTF-8 文字，但第 3 行有不是 UTF-8 的位元組/, 'the line of the bad byte');
$r = main::csv($admin, 'students', Encode::encode('UTF-16LE', "\x{feff}學號\t姓名\r\n"));
PortfolioTest::is_error($r, 422, 'bad_encoding', 'UTF-16 (Excel\'s Unicode text)');
like($r->{json}{error}{message}, qr/UTF-16 文字檔/, 'said so');
$r = main::csv($admin, 'students', PortfolioTest::import_data('students.xlsx'));
PortfolioTest::is_error($r, 422, 'excel_file', 'an .xlsx workbook');
like($r->{json}{error}{message}, qr/這是 Excel 活頁簿（\.xlsx）.*另存新檔.*CSV UTF-8（逗號分隔）/,
     'recognised, and how to save it as CSV');
$r = main::csv($admin, 'students', PortfolioTest::import_data('students.xls'));
PortfolioTest::is_error($r, 422, 'excel_file', 'an .xls workbook');
like($r->{json}{error}{message}, qr/Excel 97-2003 活頁簿（\.xls）/, 'recognised');
$r = main::csv($admin, 'students', "PK\x03\x04" . ("\0" x 26) . "mimetypeapplication/vnd.oasis.opendocument.spreadsheet");
PortfolioTest::is_error($r, 422, 'excel_file', 'an .ods workbook');
like($r->{json}{error}{message}, qr/OpenDocument 試算表（\.ods）/, 'recognised');
$r = main::csv($admin, 'students', PortfolioTest::import_data('students.xlsx'), undef, 'preview');
PortfolioTest::is_error($r, 422, 'excel_file', 'the preview says the same');
is(main::sis_dump(), $before, 'none of them stored anything');
--- request
GET /api/health
--- error_code: 200
--- no_error_log
[error]



=== TEST 4: rows numbered as a spreadsheet shows them: the header is row 1, blank rows count, a quoted line break stays in its row; JSON rows by their number
--- init
my $admin = main::admin();
PortfolioTest::ok200(main::csv($admin, 'teachers', 'teachers.csv', 'confirm=rename'), 'teachers');
my $r = main::csv($admin, 'classes', "班級代碼,班級名稱,年級,導師\n"
                                     . "101,一年一班,1,\n"        # row 2
                                     . "\n"                        # row 3
                                     . "102,一年二班,13,\n"       # row 4
                                     . "103,\"一年\n三班\",1,\n"  # row 5
                                     . "104,一年四班,x,\n");      # row 6
is_deeply(main::cells($r), [ [4, 'grade', '年級'], [6, 'grade', '年級'] ], 'rows 4 and 6');
$r = PortfolioTest::api(POST => '/schools/zlsh/terms/113-1/import/classes', $admin,
                        body => [ { class => '101' }, { class => '102', grade => 13 } ]);
is_deeply(main::cells($r), [ [2, 'grade', 'grade'] ], 'JSON: the second row is row 2');
--- request
GET /api/health
--- error_code: 200
--- no_error_log
[error]



=== TEST 5: the templates: UTF-8 with a BOM for Excel, one CRLF-ended header of Chinese names, every documented column; each imports as it is
--- init
my $admin = main::admin();
my %f = main::fields();
my %rows = (
    teachers    => "K111122222,王導師,\r\nJ122233333,林老師,\r\n",
    classes     => "101,一年一班,1,K111122222\r\n",
    students    => "108234567,A123456789,李小明,101,1\r\n",
    courses     => "CHI1011,國語文(一),國語文,4,J122233333,K111122222,一般\r\n",
    enrollments => "108234567,CHI1011,85,\r\n",
    cadres      => "108234567,班級,班長,2024-08-30,113/12/31,班級幹部\r\n",
    attendance  => "108234567,1,0,0,0,0,0\r\n",
    rewards     => "108234567,1,0,0,0,0,0\r\n",
    counselors  => "K111122222,108234567\r\n",
);
for my $kind (main::kinds()) {
    my $bytes = PortfolioTest::import_data("html/import-templates/$kind.csv");
    is(substr($bytes, 0, 3), "\xef\xbb\xbf", "$kind.csv starts with the UTF-8 BOM");
    like($bytes, qr/\A[^\r\n]+\r\n\z/, "$kind.csv: one header line, CRLF");
    my @zh = main::template($kind);
    is(scalar @zh, scalar @{ $f{$kind} }, "$kind.csv names every documented column");
    unlike(join('', @zh), qr/[A-Za-z]/, "$kind.csv: in Chinese");
    my $r = main::csv($admin, $kind, $bytes . Encode::encode('UTF-8', $rows{$kind}));
    is($r->{status}, 200, "$kind.csv with a row imports") or diag($r->{body});
}
--- request
GET /api/health
--- error_code: 200
--- no_error_log
[error]
