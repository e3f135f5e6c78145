# SPEC C1 (issue 16 item 1): a city admin brings a school in through the
# API, its domain, name and national school code (學校代碼, six digits),
# and names its first admin (plugins school and accounts).  Domains and
# codes are unique: a taken one is 409 with its own code, naming the
# school that has it; a bad domain, name or code is 422 in words; only a
# city admin may do either; the list shows every school; each change is
# audited; the first admin signs in with the A1 initial password, must
# change it, and runs the school.  (The bootstrap file's refusals are
# t/016-schools-bootstrap.t.)

use utf8;
use Test::Nginx::Socket 'no_plan';
use PortfolioTest;
use JSON::PP ();

binmode(Test::More->builder->$_, ':encoding(UTF-8)')
    for qw(output failure_output todo_output);
no_shuffle();
PortfolioTest::block_defaults(plugins => [qw(school accounts testkit)]);
run_tests();


# --- helpers for the init sections --------------------------------------

sub main::city { PortfolioTest::login('cityadmin', 'city-pass-1') }

sub main::create {
    my ($cookie, $body) = @_;
    return PortfolioTest::api(POST => '/city/schools', $cookie, body => $body);
}

sub main::schools {
    my ($cookie) = @_;
    my $r = PortfolioTest::api(GET => '/city/schools', $cookie);
    return $r->{json} ? $r->{json}{schools} : "status $r->{status}";
}

sub main::domains {
    my ($cookie) = @_;
    my $s = main::schools($cookie);
    return ref $s ? join(',', map { $_->{domain} } @$s) : $s;
}

# the error's message, and that it is in words for people: Chinese, no
# English sentence (the code stays English)
sub main::is_words {
    my ($r, $status, $code, $what, $like) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    PortfolioTest::is_error($r, $status, $code, $what);
    my $m = ref $r->{json} eq 'HASH' ? $r->{json}{error}{message} // '' : '';
    Test::More::like($m, qr/\p{Han}/, "$what: the message is Chinese");
    Test::More::unlike($m, qr/\b[A-Za-z]+[ ,;:]+[A-Za-z]+\b/,
                       "$what: no English sentence in it");
    Test::More::like($m, $like, "$what: it says $like") if $like;
    return $m;
}

sub main::audit {
    my ($cookie, $subject) = @_;
    my $r = PortfolioTest::http(GET => "/api/testkit/records?db=audit&prefix=$subject%1F",
                                cookie => $cookie);
    return [ map { JSON::PP->new->decode($_->{value}) } @{ $r->{json}{records} || [] } ];
}

# A national ID with a right check digit: the letter, then 8 digits, the
# ninth made to fit (SPEC A1 account names are the domain and the 9).
sub main::nid {
    my ($letter, $eight) = @_;
    my $order = 'ABCDEFGHJKLMNPQRSTUVXYWZIO';
    my $v = 10 + index($order, $letter);
    my $sum = int($v / 10) + ($v % 10) * 9;
    my @d = split //, $eight;
    $sum += $d[$_] * (8 - $_) for 0 .. 7;
    return $letter . $eight . ((10 - $sum % 10) % 10);
}

__DATA__

=== TEST 1: a city admin creates a school; it is listed, readable and audited
--- init
my $c = main::city();
is(main::domains($c), 'tpsh,zlsh', 'before: the bootstrap file\'s schools');

my $r = main::create($c, { domain => 'cksh', name => '臺北市立成功高級中學', code => '313301' });
is($r->{status}, 201, 'POST /city/schools: 201') or diag($r->{body});
my $s = $r->{json}{school};
is($s->{domain}, 'cksh', 'the domain');
is($s->{name}, '臺北市立成功高級中學', 'the name, as given');
is($s->{code}, '313301', 'the national school code');
is($s->{by}, 'cityadmin', 'by: the city admin');
ok($s->{created} > PortfolioTest::now_ms() - 60_000, 'created: now');

is(main::domains($c), 'cksh,tpsh,zlsh', 'GET /city/schools lists it, in domain order');
my ($listed) = grep { $_->{domain} eq 'cksh' } @{ main::schools($c) };
is($listed->{code}, '313301', '... with its code');

$r = PortfolioTest::api(GET => '/schools/cksh', $c);
is($r->{status}, 200, 'GET /schools/cksh: the city admin reads it');
is($r->{json}{school}{name}, '臺北市立成功高級中學', '... the name');

my $a = main::audit($c, 'school/cksh');
is(scalar @$a, 1, 'one audit entry under school/cksh');
is($a->[0]{action}, 'school.created', '... school.created');
is($a->[0]{by}, 'cityadmin', '... by the city admin');
is_deeply($a->[0]{detail},
          { domain => 'cksh', name => '臺北市立成功高級中學', code => '313301' },
          '... with what was created');

# a school's settings work at once (the core serves them for any school)
$r = PortfolioTest::api(GET => '/schools/cksh/settings', $c);
is($r->{status}, 200, 'the new school has its settings');
PortfolioTest::log_clean();
--- request
GET /api/health
--- error_code: 200



=== TEST 2: a taken domain and a taken code: 409, each with its own code, naming the school that has it; nothing stored
--- init
my $c = main::city();
my $r = main::create($c, { domain => 'cksh', name => '臺北市立成功高級中學', code => '313301' });
is($r->{status}, 201, 'cksh created');

$r = main::create($c, { domain => 'zlsh', name => '另一所學校', code => '313399' });
main::is_words($r, 409, 'domain_taken', 'the domain of a bootstrap school',
               qr/zlsh.*臺北市立中崙高級中學/);

$r = main::create($c, { domain => 'cksh', name => '另一所學校', code => '313398' });
main::is_words($r, 409, 'domain_taken', 'the domain of a school made through the API',
               qr/cksh.*臺北市立成功高級中學/);

$r = main::create($c, { domain => 'jjsh', name => '另一所學校', code => '313301' });
main::is_words($r, 409, 'code_taken', 'the code of another school',
               qr/313301.*臺北市立成功高級中學.*cksh/);

# both taken: the domain is said first
$r = main::create($c, { domain => 'cksh', name => '另一所學校', code => '313301' });
is($r->{json}{error}{code}, 'domain_taken', 'both taken: domain_taken');

is(main::domains($c), 'cksh,tpsh,zlsh', 'none of the refused schools was stored');
$r = main::create($c, { domain => 'jjsh', name => '臺北市立建國高級中學', code => '313302' });
is($r->{status}, 201, 'the same domain with a free code: 201');
--- request
GET /api/health
--- error_code: 200



=== TEST 3: bad domains, names and codes: 422 in words, saying what is wrong and what a good one looks like
--- init
my $c = main::city();
my %good = (domain => 'cksh', name => '臺北市立成功高級中學', code => '313301');
my @bad = (
    [ { domain => 'CKSH' },           'invalid_domain', qr/CKSH.*小寫英文字母/, 'upper case' ],
    [ { domain => 'c' },              'invalid_domain', qr/2 到 16/, 'one character' ],
    [ { domain => 'a' x 17 },         'invalid_domain', qr/2 到 16/, '17 characters' ],
    [ { domain => 'ck-sh' },          'invalid_domain', qr/小寫英文字母與數字/, 'a hyphen' ],
    [ { domain => 'cksh1' },          'invalid_domain', qr/最後一個字必須是英文字母/, 'a digit at the end (account names would clash)' ],
    [ { domain => '1cksh' },          'invalid_domain', qr/第一個/, 'a digit at the start' ],
    [ { domain => 'city' },           'invalid_domain', qr/教育局/, 'the city admins\' own' ],
    [ { domain => 42 },               'invalid_field',  qr/學校網域名稱/, 'a number for the domain' ],
    [ { name => '' },                 'invalid_name',   qr/不可空白/, 'an empty name' ],
    [ { name => '   ' },              'invalid_name',   qr/不可空白/, 'a name of spaces' ],
    [ { name => '校' x 61 },          'invalid_name',   qr/60/, '61 characters' ],
    [ { name => "成功\n高中" },       'invalid_name',   qr/換行/, 'a line break' ],
    [ { code => '31330' },            'invalid_code',   qr/31330.*6 位數字/, 'five digits' ],
    [ { code => '3133011' },          'invalid_code',   qr/6 位數字/, 'seven digits' ],
    [ { code => '31330a' },           'invalid_code',   qr/6 位數字/, 'a letter' ],
    [ { code => 313301 },             'invalid_field',  qr/學校代碼/, 'a number, not text' ],
    [ { code => undef },              'invalid_field',  qr/學校代碼/, 'null' ],
);
for my $b (@bad) {
    my ($change, $code, $like, $what) = @$b;
    my $r = main::create($c, { %good, %$change });
    main::is_words($r, 422, $code, $what, $like);
}
my %no_code = %good;
delete $no_code{code};
main::is_words(main::create($c, \%no_code), 422, 'invalid_field', 'no code', qr/請填寫學校代碼/);
main::is_words(main::create($c, ['cksh']), 422, 'invalid_body', 'an array', qr/學校網域名稱/);
is(main::domains($c), 'tpsh,zlsh', 'nothing was stored');
--- request
GET /api/health
--- error_code: 200



=== TEST 4: only a city admin: a school admin, a teacher, a student get 403; without a session 401
--- init
my %body = (domain => 'cksh', name => '臺北市立成功高級中學', code => '313301');
for my $who (['zlsh100000001', 'admin-pass-1', 'a school admin'],
             ['tpsh109000001', 'other-pass-1', 'another school\'s admin'],
             ['zlsh122233333', 'teacher-pass-2', 'a teacher'],
             ['zlsh108234567', 'student-pass-1', 'a student']) {
    my $u = PortfolioTest::login($who->[0], $who->[1]);
    main::is_words(main::create($u, \%body), 403, 'forbidden', "$who->[2] creates a school");
    main::is_words(PortfolioTest::api(GET => '/city/schools', $u), 403, 'forbidden',
                   "$who->[2] lists the schools");
    main::is_words(PortfolioTest::api(POST => '/schools/zlsh/admins', $u,
                                      body => { national_id => main::nid('A', '12345678'), name => '某人' }),
                   403, 'forbidden', "$who->[2] names a school admin");
}
main::is_words(main::create(undef, \%body), 401, 'unauthenticated', 'no session');
is(main::domains(main::city()), 'tpsh,zlsh', 'nothing was stored');
--- request
GET /api/health
--- error_code: 200



=== TEST 5: the first admin: created with the A1 name and initial password, teacher and school_admin, must change it, and runs the school
--- init
my $c = main::city();
my $r = main::create($c, { domain => 'cksh', name => '臺北市立成功高級中學', code => '313301' });
is($r->{status}, 201, 'cksh created');

my $nid = main::nid('A', '12345678');
$r = PortfolioTest::api(POST => '/schools/cksh/admins', $c,
                        body => { national_id => $nid, name => '張校管' });
is($r->{status}, 201, 'POST /schools/cksh/admins: 201') or diag($r->{body});
my $acc = $r->{json}{account};
is($acc->{id}, 'cksh' . substr($nid, 1), 'the A1 account name: the domain and the 9 digits');
is($acc->{name}, '張校管', 'the name');
is($acc->{school}, 'cksh', 'of the new school');
is_deeply($acc->{roles}, ['teacher', 'school_admin'], 'teacher and school_admin');
ok($acc->{must_change_password}, 'must change the initial password');
ok($r->{json}{created}, 'created: true');
unlike($r->{body}, qr/\Q$nid\E/, 'the national ID is not echoed');

my $list = PortfolioTest::api(GET => '/schools/cksh/accounts?role=school_admin', $c);
is_deeply([ map { $_->{id} } @{ $list->{json}{accounts} } ], [ $acc->{id} ],
          'the city admin sees the school\'s admins');

my $a = main::audit($c, 'school/cksh');
is_deeply([ map { $_->{action} } @$a ], ['school.created', 'school_admin.created'],
          'audited under the school');
unlike(JSON::PP->new->encode([ map { $_->{detail} } @$a ]), qr/\Q$nid\E/, 'no national ID in the audit trail');

# the person signs in with the last 6 characters, changes the password,
# and is the school's admin
my $s = PortfolioTest::login($acc->{id}, substr($nid, -6));
$r = PortfolioTest::api(GET => '/schools/cksh/accounts', $s);
is($r->{json}{error}{code}, 'password_change_required', 'first: change the password');
$r = PortfolioTest::api(POST => '/password', $s,
                        body => { current => substr($nid, -6), new => 'cksh admin 2026' });
is($r->{status}, 200, 'the password is changed');
$r = PortfolioTest::api(GET => '/schools/cksh/accounts', $s);
is($r->{status}, 200, 'the school admin lists the school\'s accounts');
$r = PortfolioTest::api(GET => '/schools/zlsh/accounts', $s);
is($r->{json}{error}{code}, 'out_of_scope', '... not another school\'s');
$r = main::create($s, { domain => 'jjsh', name => '臺北市立建國高級中學', code => '313302' });
is($r->{json}{error}{code}, 'forbidden', 'and creates no school');

# the same person again: nothing changes
$r = PortfolioTest::api(POST => '/schools/cksh/admins', $c,
                        body => { national_id => $nid, name => '別的名字' });
is($r->{status}, 200, 'the same national ID again: 200');
ok(!$r->{json}{changed}, '... nothing changed');
is($r->{json}{account}{name}, '張校管', '... the name is not changed silently');
--- request
GET /api/health
--- error_code: 200



=== TEST 6: an existing staff account gains school_admin; students, parents, temporary and other schools' accounts do not
--- init
my $c = main::city();
# a teacher of the school, as the teachers import makes one (A1 name)
my $nid = main::nid('B', '12223333');
my $id = 'zlsh' . substr($nid, 1);
PortfolioTest::seed($c, 'users', $id, { id => $id, name => '林老師', school => 'zlsh',
                                       roles => ['teacher', 'course_teacher'] });
my $r = PortfolioTest::api(POST => '/schools/zlsh/admins', $c, body => { national_id => $nid });
is($r->{status}, 200, 'an existing teacher: 200') or diag($r->{body});
ok($r->{json}{changed}, '... changed');
is_deeply($r->{json}{account}{roles}, ['teacher', 'course_teacher', 'school_admin'],
          '... school_admin added to the roles the account had');
is($r->{json}{account}{name}, '林老師', '... the name kept');
my $a = main::audit($c, $id);
is($a->[-1]{action}, 'role.granted', 'audited as a grant');

# a student's account of the school
my $snid = main::nid('C', '18765432');
my $sid = 'zlsh' . substr($snid, 1);
PortfolioTest::seed($c, 'users', $sid, { id => $sid, name => '學生', school => 'zlsh', roles => ['student'] });
main::is_words(PortfolioTest::api(POST => '/schools/zlsh/admins', $c, body => { national_id => $snid }),
               422, 'not_staff', 'a student\'s account', qr/學生、家長或臨時帳號/);

# an account of that name kept by another school
my $onid = main::nid('D', '11112222');
my $oid = 'zlsh' . substr($onid, 1);
PortfolioTest::seed($c, 'users', $oid, { id => $oid, name => '外校', school => 'tpsh', roles => ['teacher'] });
main::is_words(PortfolioTest::api(POST => '/schools/zlsh/admins', $c, body => { national_id => $onid }),
               409, 'conflict', 'another school\'s account', qr/另一所學校（tpsh）/);

# a disabled one
my $dnid = main::nid('E', '11113333');
my $did = 'zlsh' . substr($dnid, 1);
PortfolioTest::seed($c, 'users', $did, { id => $did, name => '停用', school => 'zlsh', roles => ['teacher'],
                                        disabled => JSON::PP::true });
main::is_words(PortfolioTest::api(POST => '/schools/zlsh/admins', $c, body => { national_id => $dnid }),
               409, 'account_disabled', 'a disabled account', qr/已停用/);
--- request
GET /api/health
--- error_code: 200



=== TEST 7: the first admin's refusals: no such school, a bad national ID, no name for a new account
--- init
my $c = main::city();
my $nid = main::nid('A', '12345678');
main::is_words(PortfolioTest::api(POST => '/schools/nosuch/admins', $c,
                                  body => { national_id => $nid, name => '某人' }),
               404, 'not_found', 'no such school', qr/找不到這所學校/);
my $wrong = substr($nid, 0, 9) . ((substr($nid, 9) + 1) % 10);
for my $b ([$wrong, 'a wrong check digit'], ['A12345678', 'nine characters'],
           ['A32345678' . '0', 'a second digit other than 1, 2, 8, 9'], ['1123456789', 'no letter']) {
    main::is_words(PortfolioTest::api(POST => '/schools/zlsh/admins', $c,
                                      body => { national_id => $b->[0], name => '某人' }),
                   422, 'invalid_national_id', $b->[1], qr/檢查碼/);
}
main::is_words(PortfolioTest::api(POST => '/schools/zlsh/admins', $c, body => { name => '某人' }),
               422, 'invalid_field', 'no national ID', qr/請填寫身分證字號/);
main::is_words(PortfolioTest::api(POST => '/schools/zlsh/admins', $c, body => { national_id => $nid }),
               422, 'invalid_field', 'a new account without a name', qr/請填寫姓名/);
main::is_words(PortfolioTest::api(POST => '/schools/zlsh/admins', $c, body => [1]),
               422, 'invalid_body', 'an array', qr/身分證字號/);
my $r = PortfolioTest::api(GET => '/schools/zlsh/accounts?role=school_admin', $c);
is_deeply([ map { $_->{id} } @{ $r->{json}{accounts} } ], ['zlsh100000001'],
          'no account was made');
--- request
GET /api/health
--- error_code: 200
