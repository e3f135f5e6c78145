# SPEC S1, A1 (plugin `sis`), issue 16 item 5: people are never merged or
# renamed silently.  Two teachers whose national IDs differ only in the
# letter (A123456789, M123456789: both valid, A and M count alike) give
# one A1 account name: the file is refused with both rows named, and the
# admin gives one of them another account (the teachers file's account
# column, 帳號); after that the A1 name says who no longer, so a reference
# by that national ID is refused in every file and a teachers row for it
# must name its account.  A later import never changes which person an
# account is: a row giving an existing account another name is refused
# (409 confirm_required, with the renames) unless the admin confirms the
# renames.  Resident certificates of the old format (two letters and 8
# digits) are valid with their check digit, and give an A1 name.

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

# POST a CSV (a file of t/data/import, or text) to .../import/$kind of
# $term (default 113-1), $query after "?".
sub main::csv {
    my ($cookie, $kind, $text, $query, $term) = @_;
    return PortfolioTest::import_post($cookie, '/schools/zlsh/terms/' . ($term // '113-1')
                                      . "/import/$kind" . (defined $query ? "?$query" : ''), $text);
}

sub main::admin { PortfolioTest::login('zlsh100000001', 'admin-pass-1') }

# An account as testkit reads it (decoded), undef if there is none.
sub main::account {
    my ($cookie, $id) = @_;
    my $r = PortfolioTest::http(GET => "/api/testkit/records?db=users&prefix=$id", cookie => $cookie);
    my ($rec) = grep { $_->{key} eq $id } @{ $r->{json}{records} || [] };
    return $rec ? JSON::PP->new->utf8->decode(Encode::encode('UTF-8', $rec->{value})) : undef;
}

sub main::signs_in {
    my ($user, $password) = @_;
    return PortfolioTest::http(POST => '/api/session',
                               body => { username => $user, password => $password })->{status} == 200;
}

__DATA__

=== TEST 1: two teachers whose national IDs differ only in the letter: refused with both rows named; one given another account, both are made
--- init
my $admin = main::admin();
my $r = main::csv($admin, 'teachers', "身分證統一編號,姓名\nA123456789,王一\nM123456789,王二\n");
PortfolioTest::is_error($r, 422, 'invalid_rows', 'two IDs, one A1 name');
is_deeply(PortfolioTest::error_cells($r), [ [2, 'national_id'], [3, 'national_id'] ], 'both rows named');
my @e = @{ $r->{json}{error}{errors} };
like($e[0]{message}, qr/^身分證統一編號：與第 3 列的身分證統一編號不同，卻會使用同一個帳號 zlsh123456789.*請在「帳號」欄為其中一位另指定帳號，例如 zlsh123456789-2/,
     'row 2 names row 3, the account, and what to do');
like($e[1]{message}, qr/^身分證統一編號：與第 2 列的身分證統一編號不同，卻會使用同一個帳號 zlsh123456789/,
     'row 3 names row 2');
unlike($r->{body}, qr/[AM]123456789/, 'the national IDs are not echoed');
ok(!main::account($admin, 'zlsh123456789'), 'no account was made');

# the same ID twice is one teacher twice
$r = main::csv($admin, 'teachers', "身分證統一編號,姓名\nA123456789,王一\nA123456789,王一\n");
is_deeply(PortfolioTest::error_cells($r), [ [3, 'national_id'] ], 'the same ID twice: the second row');
like($r->{json}{error}{errors}[0]{message}, qr/與第 2 列是同一位教師/, 'said so');

# the account column: checked
for (['tpsh123456789', '必須以本校網域名稱開頭'], ['zlsh 1', '必須以本校網域名稱開頭'],
     ['zlsh223456786', '另一個身分證統一編號的預設帳號'], ['zlshb23456789', '另一個身分證統一編號的預設帳號']) {
    my ($account, $why) = @$_;
    $r = main::csv($admin, 'teachers', "身分證統一編號,姓名,帳號\nA123456789,王一,\nM123456789,王二,$account\n");
    is_deeply(PortfolioTest::error_cells($r), [ [3, 'account'] ], "account $account refused");
    like($r->{json}{error}{errors}[0]{message}, qr/^帳號：「\Q$account\E」不能用：.*$why/, "why: $why");
}
$r = main::csv($admin, 'teachers', "national_id,name,account\nA123456789,王一,zlsh-wang\nM123456789,王二,zlsh-wang\n");
is_deeply(PortfolioTest::error_cells($r), [ [2, 'national_id'], [3, 'national_id'] ], 'one account named twice: both rows');
like($r->{json}{error}{errors}[0]{message}, qr/^national_id：.*請在「account」欄/, 'in the file\'s own column names');

# one of them given another account
$r = main::csv($admin, 'teachers', "身分證統一編號,姓名,帳號\nA123456789,王一,\nM123456789,王二,zlsh123456789-2\n");
is($r->{status}, 200, 'one given another account: taken');
is_deeply([ @{ $r->{json} }{qw(rows created_accounts)} ], [2, 2], 'two accounts made');
is(main::account($admin, 'zlsh123456789')->{name}, '王一', 'the A1 name is 王一\'s');
is(main::account($admin, 'zlsh123456789-2')->{name}, '王二', 'and 王二 has the one the admin gave');
ok(main::signs_in('zlsh123456789-2', '456789'), 'with the initial password of the last 6 of the ID');
like(main::account($admin, 'zlsh123456789')->{pw} // '', qr/^\$hmac/, 'each its own credential');
--- request
GET /api/health
--- error_code: 200
--- no_error_log
[error]



=== TEST 2: after that, the A1 name says who no longer: references by that ID and teachers rows without the account are refused; a later term's file never moves a teacher to another's account
--- init
my $admin = main::admin();
PortfolioTest::ok200(main::csv($admin, 'teachers', "身分證統一編號,姓名,帳號\nA123456789,王一,\nM123456789,王二,zlsh123456789-2\n"),
            'the two teachers');
my $before = main::account($admin, 'zlsh123456789');

# a later term, as the school system exports it: no account column
my $r = main::csv($admin, 'teachers', "身分證統一編號,姓名\nM123456789,王二\n", undef, '113-2');
is_deeply(PortfolioTest::error_cells($r), [ [2, 'national_id'] ], '王二 without the account: refused');
like($r->{json}{error}{errors}[0]{message}, qr/預設帳號 zlsh123456789 也對應另一位教師.*請在「帳號」欄寫明這位教師的帳號/,
     'said why, and what to do');
$r = main::csv($admin, 'teachers', "身分證統一編號,姓名\nA123456789,王一\n", undef, '113-2');
is_deeply(PortfolioTest::error_cells($r), [ [2, 'national_id'] ], 'and so is 王一: the ID no longer says who');
is_deeply(main::account($admin, 'zlsh123456789'), $before, '王一\'s account is as it was');
$r = main::csv($admin, 'teachers', "身分證統一編號,姓名,帳號\nA123456789,王一,zlsh123456789\nM123456789,王二,zlsh123456789-2\n",
               undef, '113-2');
is($r->{status}, 200, 'each with the account: taken');
is_deeply([ @{ $r->{json} }{qw(created_accounts updated_accounts)} ], [0, 0], 'nothing changes');

# a reference by that ID: refused; by the account: taken
$r = main::csv($admin, 'classes', "班級代碼,班級名稱,年級,導師\n101,一年一班,1,M123456789\n");
is_deeply(PortfolioTest::error_cells($r), [ [2, 'homeroom'] ], 'a homeroom by that ID is refused');
like($r->{json}{error}{errors}[0]{message}, qr/^導師：這個身分證統一編號對應的帳號不只一位教師使用.*請改寫教師的帳號/,
     'with the reason');
$r = main::csv($admin, 'classes', "班級代碼,班級名稱,年級,導師\n101,一年一班,1,zlsh123456789-2\n");
is($r->{status}, 200, 'by the account it is taken');
is_deeply(main::account($admin, 'zlsh123456789-2')->{roles}, [qw(teacher homeroom)], '王二 is the homeroom teacher');
is_deeply(main::account($admin, 'zlsh123456789')->{roles}, ['teacher'], '王一 is not');
--- request
GET /api/health
--- error_code: 200
--- no_error_log
[error]



=== TEST 3: an import never changes which person an account is: another name for an existing account is refused unless the renames are confirmed
--- init
my $admin = main::admin();
PortfolioTest::ok200(main::csv($admin, 'teachers', "national_id,name\nF223456786,陳美玲\n"), 'a teacher');
PortfolioTest::ok200(main::csv($admin, 'classes', 'classes.csv'), 'classes');

# a later term: the same ID's A1 name under another name
my $r = main::csv($admin, 'teachers', "身分證統一編號,姓名\nF223456786,陳美華\n", undef, '113-2');
PortfolioTest::is_error($r, 409, 'confirm_required', 'another name for zlsh223456786');
is_deeply([ $r->{json}{error}{confirm}, $r->{json}{error}{renamed} ],
          [ ['rename'], [ { row => 2, account => 'zlsh223456786', from => '陳美玲', to => '陳美華' } ] ],
          'the rename, by row and account');
like($r->{json}{error}{message}, qr/改變 1 個現有帳號的姓名（例如第 2 列，帳號 zlsh223456786：「陳美玲」改為「陳美華」）.*若是不同的人，請不要確認/,
     'said in words, with both ways out');
is(main::account($admin, 'zlsh223456786')->{name}, '陳美玲', 'not overwritten');
my $p = PortfolioTest::ok200(PortfolioTest::http(POST => '/api/schools/zlsh/terms/113-2/import/teachers/preview', cookie => $admin,
                                         body => Encode::encode('UTF-8', "身分證統一編號,姓名\nF223456786,陳美華\n"),
                                         headers => { 'Content-Type' => 'text/csv' }), 'preview');
is_deeply([ $p->{confirm}, scalar @{ $p->{renamed} } ], [ ['rename'], 1 ], 'the preview lists it');

# the same person renamed: confirmed
$r = main::csv($admin, 'teachers', "身分證統一編號,姓名\nF223456786,陳美華\n", 'confirm=rename', '113-2');
is($r->{status}, 200, 'confirmed');
is(main::account($admin, 'zlsh223456786')->{name}, '陳美華', 'renamed');
ok(main::signs_in('zlsh223456786', '456786'), 'the same account, the same password');

# students too
PortfolioTest::ok200(main::csv($admin, 'students', 'students.csv'), 'students');
(my $st = Encode::decode('UTF-8', PortfolioTest::import_data('students.csv'))) =~ s/李小明/李曉明/;
$r = main::csv($admin, 'students', $st);
PortfolioTest::is_error($r, 409, 'confirm_required', 'a student renamed');
is_deeply($r->{json}{error}{renamed}, [ { row => 2, account => 'zlsh108234567', from => '李小明', to => '李曉明' } ],
          'listed');
is(main::account($admin, 'zlsh108234567')->{name}, '李小明', 'not overwritten');
is(main::csv($admin, 'students', $st, 'confirm=rename')->{status}, 200, 'confirmed');
is(main::account($admin, 'zlsh108234567')->{name}, '李曉明', 'renamed');

# a teachers row whose A1 name is a student's account: refused as before
$r = main::csv($admin, 'teachers', "national_id,name\nE108234567,某老師\n");
is_deeply(PortfolioTest::error_cells($r), [ [2, 'national_id'] ], 'the A1 name of a student\'s account');
like($r->{json}{error}{errors}[0]{message}, qr/帳號 zlsh108234567 已經有人使用，不是本校教職員的帳號/, 'said so');
--- request
GET /api/health
--- error_code: 200
--- no_error_log
[error]



=== TEST 4: resident certificates of the old format (two letters, 8 digits) are valid with their check digit and give an A1 name
--- init
my $admin = main::admin();
# AC01234567: A (10) 1 + 0x9, C (12) 2x8, 0123456 x 7..1, 7 = 80
my $r = main::csv($admin, 'teachers', "身分證統一編號,姓名\nAC01234567,林外師\nab00000001,白老師\n");
is($r->{status}, 200, 'two old-format numbers with their check digits') or diag($r->{body});
is(main::account($admin, 'zlshc01234567')->{name}, '林外師', 'the A1 name: the domain, the second letter, the 8 digits');
is(main::account($admin, 'zlshb00000001')->{name}, '白老師', 'a number in lower case is the same number');
ok(main::signs_in('zlshc01234567', '234567'), 'the initial password: its last 6');
for (['AC01234568', '檢查碼不正確'], ['AE01234567', '必須是身分證統一編號或居留證的統一證號'],
     ['A901234567X', '必須是身分證統一編號'], ['1C01234567', '必須是身分證統一編號']) {
    my ($nid, $why) = @$_;
    $r = main::csv($admin, 'teachers', "national_id,name\n$nid,某人\n");
    is_deeply(PortfolioTest::error_cells($r), [ [2, 'national_id'] ], "$nid refused");
    like($r->{json}{error}{errors}[0]{message}, qr/\Q$why\E/, "$nid: $why");
}
# as a reference, and as a student's ID
PortfolioTest::ok200(main::csv($admin, 'classes', "class,name,grade,homeroom\n101,一年一班,1,AC01234567\n"),
            'a homeroom by an old-format number');
is_deeply(main::account($admin, 'zlshc01234567')->{roles}, [qw(teacher homeroom)], 'names its teacher');
$r = main::csv($admin, 'classes', "class,name,grade,homeroom\n101,一年一班,1,AC01234568\n");
like($r->{json}{error}{errors}[0]{message}, qr/^homeroom：這個身分證統一編號的檢查碼不正確/, 'a wrong check digit there too');
unlike($r->{body}, qr/AC0123456/, 'not echoed');
$r = main::csv($admin, 'students', "學號,身分證統一編號,姓名,班級,座號\n110000041,AC01234567,外籍生,101,1\n");
is($r->{status}, 200, 'a student with an old-format number') or diag($r->{body});
ok(main::signs_in('zlsh110000041', '234567'), 'signs in with its last 6');
--- request
GET /api/health
--- error_code: 200
--- no_error_log
[error]
