# SPEC S1, A1, AD1 (plugin `sis`): what a re-import keeps.  A courses
# import replaces the term's courses but keeps what other plugins added to
# a course (the reviewer while they still teach it); co-teachers are
# listed once each; a teacher gains course_teacher once however many
# courses name them; an account update sets what the file says and keeps
# everything else (the password, the forced change, other plugins'
# fields).  Stored records are read and written with testkit.

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

# POST one import of the term 113-1: a file of t/data/import, or CSV text;
# $query: what follows "?" (confirm=rename ...).
sub main::csv {
    my ($cookie, $kind, $text, $query) = @_;
    return PortfolioTest::import_post($cookie, "/schools/zlsh/terms/113-1/import/$kind"
                                      . (defined $query ? "?$query" : ''), $text);
}

# A stored record, decoded (undef if none), and one written as is.
sub main::record {
    my ($cookie, $db, $key) = @_;
    (my $prefix = $key) =~ s/([^\w.-])/sprintf('%%%02X', ord $1)/ge;
    my $r = PortfolioTest::http(GET => "/api/testkit/records?db=$db&prefix=$prefix",
                                cookie => $cookie);
    my ($rec) = grep { $_->{key} eq $key } @{ $r->{json}{records} || [] };
    return $rec ? JSON::PP->new->utf8->decode(Encode::encode('UTF-8', $rec->{value})) : undef;
}

sub main::store {
    my ($cookie, $db, $key, $value) = @_;
    my $r = PortfolioTest::http(POST => '/api/testkit/seed', cookie => $cookie,
        body => { db => $db, key => $key,
                  value => JSON::PP->new->canonical->encode($value) });
    die "seed $db: $r->{status} $r->{body}\n" unless $r->{status} == 200;
}

sub main::setup {
    my $admin = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
    # teachers.csv renames the bootstrap's 林老師: confirmed
    for my $kind (qw(teachers classes students)) {
        my $r = main::csv($admin, $kind, "$kind.csv", 'confirm=rename');
        die "import $kind: $r->{status} $r->{body}\n" unless $r->{status} == 200;
    }
    return $admin;
}

__DATA__

=== TEST 1: AD1 a courses re-import keeps other plugins' fields, and the reviewer while they teach the course
--- init
my $admin = main::setup();
is(main::csv($admin, 'courses', 'courses.csv')->{status}, 200, 'courses imported');

# what other plugins add: a reviewer (certification), anything else
for (['MAT0912', 'zlsh223456786'], ['MAT1011', 'zlsh120000002'], ['CHI1011', 'zlsh122233333']) {
    my ($code, $reviewer) = @$_;
    my $key = "zlsh\x{1f}113-1\x{1f}$code";
    my $rec = main::record($admin, 'sis_courses', $key);
    main::store($admin, 'sis_courses', $key,
                { %$rec, reviewer => $reviewer, note => { by => 'another plugin' } });
}

# MAT0912: its co-teacher now teaches it; MAT1011 loses its co-teacher;
# CHI1011 is renamed; FLX1011 is left out
my $r = main::csv($admin, 'courses', <<'CSV');
code,name,subject,credits,teacher,co_teachers,kind
MAT0912,數學(重修),數學,2,zlsh223456786,,retake
MAT1011,數學A,數學,4,zlsh223456786,,normal
CHI1011,國語文(甲),國語文,4,J122233333,,
CSV
is_deeply([ @{ $r->{json} }{qw(rows created_accounts updated_accounts)} ], [3, 0, 0],
          'courses re-imported: no account changed');

my $mat0912 = main::record($admin, 'sis_courses', "zlsh\x{1f}113-1\x{1f}MAT0912");
is($mat0912->{reviewer}, 'zlsh223456786', 'a reviewer who now teaches the course stays');
is_deeply($mat0912->{co_teachers}, [], 'the import set the co-teachers');
is_deeply($mat0912->{note}, { by => 'another plugin' }, "another plugin's field stays");
my $mat1011 = main::record($admin, 'sis_courses', "zlsh\x{1f}113-1\x{1f}MAT1011");
ok(!exists $mat1011->{reviewer}, 'a reviewer who no longer teaches the course is dropped');
is($mat1011->{name}, '數學A', 'the import set the name');
is_deeply($mat1011->{note}, { by => 'another plugin' }, 'and kept the other field');
my $chi = main::record($admin, 'sis_courses', "zlsh\x{1f}113-1\x{1f}CHI1011");
is($chi->{reviewer}, 'zlsh122233333', 'the teacher as reviewer stays');
is($chi->{name}, '國語文(甲)', 'renamed');
is(main::record($admin, 'sis_courses', "zlsh\x{1f}113-1\x{1f}FLX1011"), undef,
   'a course left out is gone');
--- request
GET /api/health
--- error_code: 200
--- no_error_log
[error]



=== TEST 2: SPEC S1 co-teachers are listed once each, never the teacher; a teacher gains course_teacher once for all their courses
--- init
my $admin = main::setup();
# before: zlsh111122222, zlsh223456786 teacher+homeroom, zlsh120000002
# teacher, zlsh122233333 already course_teacher (the bootstrap's)
my $r = main::csv($admin, 'courses', <<'CSV');
code,name,subject,credits,teacher,co_teachers,kind
C1,一,國語文,1,J122233333,"K111122222;zlsh111122222",
C2,二,國語文,1,zlsh120000002,"zlsh111122222, zlsh122233333",
C3,三,國語文,1,zlsh120000002,"zlsh120000002;zlsh223456786,K111122222",
CSV
is_deeply([ @{ $r->{json} }{qw(rows created_accounts updated_accounts)} ], [3, 0, 3],
          'three teachers gain the role, each counted once');
is_deeply([ map { main::record($admin, 'sis_courses', "zlsh\x{1f}113-1\x{1f}$_")->{co_teachers} }
            qw(C1 C2 C3) ],
          [ ['zlsh111122222'], ['zlsh111122222', 'zlsh122233333'],
            ['zlsh223456786', 'zlsh111122222'] ],
          'by national ID or account, ";" or ",", once each, without the teacher');
for (['zlsh111122222', [qw(teacher homeroom course_teacher)]],
     ['zlsh120000002', [qw(teacher course_teacher)]],
     ['zlsh223456786', [qw(teacher homeroom course_teacher)]],
     ['zlsh122233333', [qw(teacher course_teacher homeroom)]]) {
    my ($id, $roles) = @$_;
    is_deeply(main::record($admin, 'users', $id)->{roles}, $roles, "$id: roles, each once");
}
$r = main::csv($admin, 'courses', "code,name,subject,credits,teacher,co_teachers,kind\nC4,四,國語文,1,K111122222,,\n");
is($r->{json}{updated_accounts}, 0, 'a teacher who has the role is not written again');
--- request
GET /api/health
--- error_code: 200
--- no_error_log
[error]



=== TEST 3: SPEC A1 an account update sets what the file says and keeps the rest: password, forced change, other plugins' fields
--- init
my $admin = main::setup();
my $before = main::record($admin, 'users', 'zlsh110000001');
main::store($admin, 'users', 'zlsh110000001', { %$before, note => 'kept' });

# one student of five, renamed: both confirmed
my $r = main::csv($admin, 'students',
                  "student_number,national_id,name,class,seat\n110000001,A210000006,陳大文二,102,5\n",
                  'confirm=remove,rename');
is_deeply([ @{ $r->{json} }{qw(rows created_accounts updated_accounts)} ], [1, 0, 1],
          'one account updated');
my $after = main::record($admin, 'users', 'zlsh110000001');
is_deeply([ @$after{qw(name class seat student_number)} ], ['陳大文二', '102', 5, '110000001'],
          'name, class, seat from the file');
is_deeply([ @$after{qw(pw must_change created note roles school)} ],
          [ @$before{qw(pw must_change created)}, 'kept', ['student'], 'zlsh' ],
          'the credential, the forced change, the creation, the other field kept');
is($after->{by}, 'zlsh100000001', 'by: the importer');
ok($after->{updated} >= $before->{created}, 'updated: stamped');
is(PortfolioTest::http(POST => '/api/session',
                       body => { username => 'zlsh110000001', password => '000006' })->{status},
   200, 'the initial password still signs in');

$r = main::csv($admin, 'students',
               "student_number,national_id,name,class,seat\n110000001,A210000006,陳大文二,102,5\n");
is($r->{json}{updated_accounts}, 0, 'the same file again writes no account');
is_deeply(main::record($admin, 'users', 'zlsh110000001'), $after, 'the record is as it was');
--- request
GET /api/health
--- error_code: 200
--- no_error_log
[error]



=== TEST 4: SPEC P1 a basic-data import replaces its school's part only, though another school's domain starts with its own
--- http_config eval
PortfolioTest::http_config(bootstrap => '$TEST_NGINX_ROOT/t/data/nested-schools.json',
                           plugins => [qw(school sis)])
--- init
my $city = PortfolioTest::login('cityadmin', 'city-pass-1');
my $import = sub {
    my ($school, $kind, $text, $query) = @_;
    PortfolioTest::ok200(PortfolioTest::import_post($city, "/schools/$school/terms/113-1/import/$kind"
                                                    . (defined $query ? "?$query" : ''), $text),
                         "$school $kind");
};
my $cadres = sub {
    my $r = PortfolioTest::http(GET => "/api/students/$_[0]/record", cookie => $city);
    return [ map { $_->{post} } @{ $r->{json}{terms}[0]{cadres} || [] } ];
};
# hs1's student 30001 is hs130001; hs12's student 0001 is hs120001
$import->($_, 'classes', "class,name,grade,homeroom\n101,,,\n") for qw(hs1 hs12);
$import->('hs1', 'students', "student_number,national_id,name,class,seat\n"
                             . "30001,A123456789,甲,101,1\n30002,A210000006,丙,101,2\n");
$import->('hs12', 'students', "student_number,national_id,name,class,seat\n0001,B210000007,乙,101,1\n");
$import->('hs12', 'cadres', "student_number,unit,post,start,end,level\n0001,班級,班長,,,\n");
$import->('hs1', 'cadres', "student_number,unit,post,start,end,level\n30001,班級,副班長,,,\n30002,班級,學藝,,,\n");
is_deeply($cadres->('hs120001'), ['班長'], "hs1's import leaves hs12's student alone");
is_deeply($cadres->('hs130001'), ['副班長'], "and sets its own student's");

# a student dropped from the term still has the part replaced
$import->('hs1', 'students', "student_number,national_id,name,class,seat\n30001,A123456789,甲,101,1\n",
          'confirm=remove');
$import->('hs1', 'cadres', "student_number,unit,post,start,end,level\n30001,班級,康樂,,,\n");
is_deeply($cadres->('hs130002'), [], "a student dropped from hs1's term loses the old post");
is_deeply($cadres->('hs120001'), ['班長'], "hs12's student still keeps theirs");
--- request
GET /api/health
--- error_code: 200
--- no_error_log
[error]
