# SPEC A3, A5, AD1 (plugin `accounts`, issue 4 items 2-4): the school admin
# grants and revokes roles, and every route sees the change on the user's
# very next request, in the session they already have; the roles that come
# from the school data import, and what an account is, are not granted;
# temporary accounts for students on leave or transferred, with a random
# initial password shown once, the forced change, an expiry after which
# the account cannot sign in and its sessions end, extension and
# disabling; audit entries for each change; and conf/limit_req.conf,
# which limits sign-ins per address without locking out a school.

use utf8;
use Test::Nginx::Socket 'no_plan';
use PortfolioTest;
use JSON::PP ();
use Time::HiRes ();

no_shuffle();
# every block: the usual configuration with accounts, selection, admin and
# testkit
PortfolioTest::block_defaults(plugins => [qw(accounts selection admin testkit)]);
run_tests();


# --- helpers for the init sections (run_tests() runs first: no lexicals) ----
# --- (the shared ones, now_ms, is_error and try_login, are PortfolioTest's)

sub main::role {
    my ($cookie, $method, $account, $role, $school) = @_;
    $school //= 'zlsh';
    # the core takes no body-less PUT: a grant sends {}
    return PortfolioTest::http($method => "/api/schools/$school/accounts/$account/roles/$role",
                               cookie => $cookie, $method eq 'PUT' ? (body => {}) : ());
}

sub main::me_roles {
    my ($cookie) = @_;
    my $r = PortfolioTest::http(GET => '/api/me', cookie => $cookie);
    return $r->{status} == 200 ? join(',', sort @{ $r->{json}{user}{roles} }) : "status $r->{status}";
}

# the stored user record, through testkit (pw included: the API never shows it)
sub main::user_record {
    my ($cookie, $id) = @_;
    my $r = PortfolioTest::http(GET => "/api/testkit/records?db=users&prefix=$id", cookie => $cookie);
    for my $rec (@{ $r->{json}{records} || [] }) {
        return JSON::PP->new->decode($rec->{value}) if $rec->{key} eq $id;
    }
    return undef;
}

sub main::audit {
    my ($cookie, $subject) = @_;
    my $r = PortfolioTest::http(GET => "/api/testkit/records?db=audit&prefix=$subject%1F",
                                cookie => $cookie);
    return [ map { JSON::PP->new->decode($_->{value}) } @{ $r->{json}{records} || [] } ];
}

sub main::tmp_create {
    my ($cookie, $body, $school) = @_;
    $school //= 'zlsh';
    return PortfolioTest::http(POST => "/api/schools/$school/temporary-accounts",
                               cookie => $cookie, body => $body);
}

__DATA__

=== TEST 1: A5 a grant and a revoke take effect on the next request of a session already open
--- init
my $a = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
my $t = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');
my $before = main::user_record($a, 'zlsh122233333');
ok($before && $before->{pw}, 'the teacher has a stored credential');

# the selection report is for outcome submitters (and admins)
PortfolioTest::is_error(PortfolioTest::http(GET => '/api/schools/zlsh/selections', cookie => $t),
                        403, 'forbidden', 'before the grant: the selection report');

my $r = main::role($a, PUT => 'zlsh122233333', 'outcome_submitter');
is($r->{status}, 200, 'PUT the outcome_submitter role');
ok($r->{json}{changed}, 'changed');
is_deeply($r->{json}{account}{roles}, ['teacher', 'course_teacher', 'outcome_submitter'],
          'appended to the roles the import gave');
ok(!exists $r->{json}{account}{pw}, 'the answer never shows the credential');

$r = PortfolioTest::http(GET => '/api/schools/zlsh/selections', cookie => $t);
is($r->{status}, 200, 'after the grant, same session: the selection report (no restart)');
is(main::me_roles($t), 'course_teacher,outcome_submitter,teacher', '/me shows the new role');

$r = main::role($a, PUT => 'zlsh122233333', 'outcome_submitter');
is($r->{status}, 200, 'PUT again');
ok(!$r->{json}{changed}, 'nothing changed');

$r = main::role($a, DELETE => 'zlsh122233333', 'outcome_submitter');
is($r->{status}, 200, 'DELETE the role');
ok($r->{json}{changed}, 'changed');
is_deeply($r->{json}{account}{roles}, ['teacher', 'course_teacher'], 'the role is gone');
PortfolioTest::is_error(PortfolioTest::http(GET => '/api/schools/zlsh/selections', cookie => $t),
                        403, 'forbidden', 'after the revoke, same session: the selection report');

$r = main::role($a, DELETE => 'zlsh122233333', 'outcome_submitter');
is($r->{status}, 200, 'DELETE again');
ok(!$r->{json}{changed}, 'nothing changed');

# every other field of the record is kept, the credential above all
my $after = main::user_record($a, 'zlsh122233333');
is($after->{pw}, $before->{pw}, 'pw untouched');
is_deeply($after->{must_change}, $before->{must_change}, 'must_change untouched');
is($after->{name}, $before->{name}, 'name kept');
is($after->{school}, 'zlsh', 'school kept');
is($after->{created}, $before->{created}, 'created kept');
is($after->{by}, 'zlsh100000001', 'by: the admin who changed it');
ok($after->{updated} >= PortfolioTest::now_ms() - 60_000, 'updated: now');
ok(PortfolioTest::login('zlsh122233333', 'teacher-pass-2'), 'the teacher still signs in with the same password');
--- request
GET /api/schools/zlsh/accounts
--- error_code: 401
--- no_error_log
[error]



=== TEST 2: A5 AD1 each grantable role, granted and revoked, is what the core sees at once in every session
--- init
my $a = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
my $t1 = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');
my $t2 = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');
my $base = 'course_teacher,teacher';

for my $role (qw(consultant outcome_submitter performance_submitter counselor standin university school_admin)) {
    my $r = main::role($a, PUT => 'zlsh122233333', $role);
    is($r->{status}, 200, "grant $role");
    my $want = join ',', sort(split(/,/, $base), $role);
    is(main::me_roles($t1), $want, "$role: the first session sees it");
    is(main::me_roles($t2), $want, "$role: the second session sees it");
    $r = main::role($a, DELETE => 'zlsh122233333', $role);
    is($r->{status}, 200, "revoke $role");
    is(main::me_roles($t1), $base, "$role: gone from the first session");
    is(main::me_roles($t2), $base, "$role: gone from the second session");
}

# school_admin opens the admins' routes to the teacher at once, and back
PortfolioTest::is_error(PortfolioTest::http(GET => '/api/schools/zlsh/accounts', cookie => $t1),
                        403, 'forbidden', 'a teacher lists the accounts');
main::role($a, PUT => 'zlsh122233333', 'school_admin');
is(PortfolioTest::http(GET => '/api/schools/zlsh/accounts', cookie => $t1)->{status}, 200,
   'as school_admin, the same session lists them');
main::role($a, DELETE => 'zlsh122233333', 'school_admin');
PortfolioTest::is_error(PortfolioTest::http(GET => '/api/schools/zlsh/accounts', cookie => $t1),
                        403, 'forbidden', 'revoked: refused again');

# several roles at once, in the order granted
main::role($a, PUT => 'zlsh122233333', $_) for qw(counselor consultant);
my $r = PortfolioTest::http(GET => '/api/schools/zlsh/accounts/zlsh122233333', cookie => $a);
is_deeply($r->{json}{account}{roles}, ['teacher', 'course_teacher', 'counselor', 'consultant'],
          'two grants kept side by side');

# the city admin grants in any school
my $city = PortfolioTest::login('cityadmin', 'city-pass-1');
$r = main::role($city, PUT => 'zlsh122233333', 'performance_submitter');
is($r->{status}, 200, 'the city admin grants in zlsh');
is($r->{json}{account}{by}, 'cityadmin', 'by the city admin');
like(main::me_roles($t1), qr/performance_submitter/, 'and the teacher has it at once');
--- request
GET /api/schools/zlsh/accounts
--- error_code: 401
--- no_error_log
[error]



=== TEST 3: A5 refusals: roles and scope, import-derived and fixed roles, unknown roles, staff roles for students, self-revoke
--- init
my $a = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
my $s = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $t = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');
my $x = PortfolioTest::login('tpsh109000001', 'other-pass-1');
my $city = PortfolioTest::login('cityadmin', 'city-pass-1');

PortfolioTest::is_error(main::role($s, PUT => 'zlsh122233333', 'counselor'), 403, 'forbidden', 'a student grants');
PortfolioTest::is_error(main::role($t, PUT => 'zlsh122233333', 'counselor'), 403, 'forbidden', 'a teacher grants to self');
PortfolioTest::is_error(main::role($t, DELETE => 'zlsh100000001', 'school_admin'), 403, 'forbidden', 'a teacher revokes');
PortfolioTest::is_error(main::role($x, PUT => 'zlsh122233333', 'counselor'), 403, 'out_of_scope', "another school's admin grants");
PortfolioTest::is_error(main::role($x, DELETE => 'zlsh100000001', 'school_admin'), 403, 'out_of_scope', "another school's admin revokes");
PortfolioTest::is_error(PortfolioTest::http(GET => '/api/schools/zlsh/accounts', cookie => $x), 403, 'out_of_scope',
                        "another school's admin lists");
PortfolioTest::is_error(PortfolioTest::http(GET => '/api/schools/zlsh/accounts', cookie => $s), 403, 'forbidden',
                        'a student lists');

for my $role (qw(teacher homeroom course_teacher)) {
    PortfolioTest::is_error(main::role($a, PUT => 'zlsh122233333', $role), 422, 'role_from_sis', "grant $role");
    PortfolioTest::is_error(main::role($a, DELETE => 'zlsh122233333', $role), 422, 'role_from_sis', "revoke $role");
}
for my $role (qw(student parent city_admin)) {
    PortfolioTest::is_error(main::role($a, PUT => 'zlsh122233333', $role), 422, 'role_not_grantable', "grant $role");
    PortfolioTest::is_error(main::role($a, DELETE => 'zlsh108234567', $role), 422, 'role_not_grantable', "revoke $role");
}
PortfolioTest::is_error(main::role($city, PUT => 'zlsh122233333', 'city_admin'), 422, 'role_not_grantable',
                        'not even the city admin grants city_admin');
PortfolioTest::is_error(main::role($a, PUT => 'zlsh122233333', 'wizard'), 404, 'unknown_role', 'an unknown role');
PortfolioTest::is_error(main::role($a, DELETE => 'zlsh122233333', 'wizard'), 404, 'unknown_role', 'revoke an unknown role');

PortfolioTest::is_error(main::role($a, PUT => 'zlsh108234567', 'outcome_submitter'), 422, 'not_staff',
                        "a staff role for a student's account");
PortfolioTest::is_error(main::role($a, PUT => 'zlsh108234567', 'school_admin'), 422, 'not_staff',
                        "school_admin for a student's account");
PortfolioTest::is_error(main::role($a, PUT => 'tpsh109000001', 'counselor'), 404, 'not_found',
                        "an account of another school, named under zlsh");
PortfolioTest::is_error(main::role($a, PUT => 'cityadmin', 'counselor'), 404, 'not_found', 'the city admin under zlsh');
PortfolioTest::is_error(main::role($a, PUT => 'zlsh999999999', 'counselor'), 404, 'not_found', 'no such account');
PortfolioTest::is_error(main::role($city, PUT => 'zlsh122233333', 'counselor', 'nosuch'), 404, 'not_found',
                        'no such school');
is(main::me_roles($s), 'student', 'the student is unchanged');

# an admin cannot revoke their own school_admin; another admin can
PortfolioTest::is_error(main::role($a, DELETE => 'zlsh100000001', 'school_admin'), 409, 'own_admin_role',
                        'self-revoke of school_admin');
is(main::me_roles($a), 'school_admin,teacher', 'still an admin');
my $r = main::role($a, DELETE => 'zlsh100000001', 'teacher');
PortfolioTest::is_error($r, 422, 'role_from_sis', 'nor drop their own teacher role');

$r = main::role($a, PUT => 'zlsh122233333', 'school_admin');
is($r->{status}, 200, 'the admin makes the teacher an admin');
PortfolioTest::is_error(main::role($t, DELETE => 'zlsh122233333', 'school_admin'), 409, 'own_admin_role',
                        'the new admin cannot revoke their own either');
$r = main::role($t, DELETE => 'zlsh100000001', 'school_admin');
is($r->{status}, 200, 'the new admin revokes the first one');
PortfolioTest::is_error(PortfolioTest::http(GET => '/api/schools/zlsh/accounts', cookie => $a), 403, 'forbidden',
                        'the first admin, in the same session, is no admin now');
$r = main::role($city, DELETE => 'zlsh122233333', 'school_admin');
is($r->{status}, 200, 'the city admin may revoke anyone\'s school_admin');
PortfolioTest::is_error(PortfolioTest::http(GET => '/api/schools/zlsh/accounts', cookie => $t), 403, 'forbidden',
                        'and that takes effect at once too');
--- request
GET /api/schools/zlsh/accounts
--- error_code: 401
--- no_error_log
[error]



=== TEST 4: A5 the school's accounts: by role, by text, in pages, one account; never a credential
--- init
use utf8;
my $a = PortfolioTest::login('zlsh100000001', 'admin-pass-1');

my $r = PortfolioTest::http(GET => '/api/schools/zlsh/accounts', cookie => $a);
is($r->{status}, 200, 'GET accounts');
my @ids = map { $_->{id} } @{ $r->{json}{accounts} };
is_deeply(\@ids, [qw(zlsh100000001 zlsh108234567 zlsh108234568 zlsh108234569 zlsh111122222 zlsh122233333)],
          "the school's six accounts, in id order, no other school's");
is($r->{json}{count}, 6, 'count');
is($r->{json}{next}, undef, 'no next page');
unlike($r->{body}, qr/"pw"|hmac|scrypt/, 'no credential anywhere in the list');
my ($h) = grep { $_->{id} eq 'zlsh111122222' } @{ $r->{json}{accounts} };
is($h->{name}, '王導師', 'name');
ok($h->{must_change_password}, 'the homeroom teacher has not changed the initial password');
is($h->{state}, 'active', 'state');
is($h->{temporary}, undef, 'not temporary');
ok(!$h->{disabled}, 'not disabled');
my ($st) = grep { $_->{id} eq 'zlsh108234567' } @{ $r->{json}{accounts} };
is($st->{class}, '101', 'class');

$r = PortfolioTest::http(GET => '/api/schools/zlsh/accounts?role=student', cookie => $a);
is_deeply([ map { $_->{id} } @{ $r->{json}{accounts} } ], [qw(zlsh108234567 zlsh108234568 zlsh108234569)],
          'role=student');
$r = PortfolioTest::http(GET => '/api/schools/zlsh/accounts?role=homeroom', cookie => $a);
is_deeply([ map { $_->{id} } @{ $r->{json}{accounts} } ], ['zlsh111122222'], 'role=homeroom');
main::role($a, PUT => 'zlsh122233333', 'consultant');
$r = PortfolioTest::http(GET => '/api/schools/zlsh/accounts?role=consultant', cookie => $a);
is_deeply([ map { $_->{id} } @{ $r->{json}{accounts} } ], ['zlsh122233333'], 'role=consultant after a grant');
PortfolioTest::is_error(PortfolioTest::http(GET => '/api/schools/zlsh/accounts?role=wizard', cookie => $a),
                        422, 'invalid_field', 'an unknown role filter');

$r = PortfolioTest::http(GET => '/api/schools/zlsh/accounts?q=%E5%B0%8F', cookie => $a);
is_deeply([ map { $_->{id} } @{ $r->{json}{accounts} } ], [qw(zlsh108234567 zlsh108234568 zlsh108234569)],
          'q=小 (in names)');
$r = PortfolioTest::http(GET => '/api/schools/zlsh/accounts?q=ZLSH1222', cookie => $a);
is_deeply([ map { $_->{id} } @{ $r->{json}{accounts} } ], ['zlsh122233333'], 'q= in ids, any case');
$r = PortfolioTest::http(GET => '/api/schools/zlsh/accounts?role=student&q=%E5%90%B3', cookie => $a);
is_deeply([ map { $_->{id} } @{ $r->{json}{accounts} } ], ['zlsh108234569'], 'role and q together');

$r = PortfolioTest::http(GET => '/api/schools/zlsh/accounts?limit=4', cookie => $a);
is(scalar @{ $r->{json}{accounts} }, 4, 'limit=4: four');
is($r->{json}{next}, 'zlsh108234569', 'next: the last id given');
$r = PortfolioTest::http(GET => "/api/schools/zlsh/accounts?limit=4&after=$r->{json}{next}", cookie => $a);
is_deeply([ map { $_->{id} } @{ $r->{json}{accounts} } ], [qw(zlsh111122222 zlsh122233333)], 'the next page');
is($r->{json}{next}, undef, 'the last page');
PortfolioTest::is_error(PortfolioTest::http(GET => '/api/schools/zlsh/accounts?limit=0', cookie => $a),
                        422, 'invalid_field', 'limit=0');
PortfolioTest::is_error(PortfolioTest::http(GET => '/api/schools/zlsh/accounts?limit=x', cookie => $a),
                        422, 'invalid_field', 'limit=x');

$r = PortfolioTest::http(GET => '/api/schools/zlsh/accounts/zlsh122233333', cookie => $a);
is($r->{status}, 200, 'one account');
is($r->{json}{account}{name}, '林老師', 'its name');
unlike($r->{body}, qr/"pw"/, 'no credential');
PortfolioTest::is_error(PortfolioTest::http(GET => '/api/schools/zlsh/accounts/tpsh109000001', cookie => $a),
                        404, 'not_found', "another school's account");

my $x = PortfolioTest::login('tpsh109000001', 'other-pass-1');
$r = PortfolioTest::http(GET => '/api/schools/tpsh/accounts', cookie => $x);
is_deeply([ map { $_->{id} } @{ $r->{json}{accounts} } ], ['tpsh109000001'], "tpsh's admin sees tpsh's");
my $city = PortfolioTest::login('cityadmin', 'city-pass-1');
$r = PortfolioTest::http(GET => '/api/schools/zlsh/accounts?role=school_admin', cookie => $city);
is_deeply([ map { $_->{id} } @{ $r->{json}{accounts} } ], ['zlsh100000001'], 'the city admin lists zlsh');
PortfolioTest::is_error(PortfolioTest::http(GET => '/api/schools/nosuch/accounts', cookie => $city),
                        404, 'not_found', 'an unknown school');
--- request
GET /api/schools/zlsh/accounts
--- error_code: 401
--- no_error_log
[error]



=== TEST 5: A3 a temporary account: password shown once, forced change, then expiry ends sign-in and sessions
--- init
use utf8;
my $a = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
my $expires = PortfolioTest::now_ms() + 4000;

my $r = main::tmp_create($a, { student => 'zlsh108234567', expires => $expires, reason => 'on_leave',
                                note => '休學中，需補交資料' });
is($r->{status}, 201, 'POST a temporary account for a student on leave');
my $acc = $r->{json}{account};
is($acc->{id}, 'zlshtmp001', 'named <school>tmp001');
is($acc->{name}, '李小明', "the student's name");
is($acc->{class}, '101', "the student's class");
is_deeply($acc->{roles}, ['student'], 'a student');
is($acc->{expires}, $expires, 'expires');
like($acc->{expires_iso}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{3})?\+08:00$/, 'expires in Taiwan time');
is($acc->{state}, 'active', 'active');
ok($acc->{must_change_password}, 'the password must be changed');
is_deeply($acc->{temporary}, { reason => 'on_leave', note => '休學中，需補交資料', student => 'zlsh108234567' },
          'reason, note and the student');
my $pw = $r->{json}{initial_password};
like($pw, qr/^[a-hjkmnp-z2-9]{4}-[a-hjkmnp-z2-9]{4}-[a-hjkmnp-z2-9]{4}$/, 'a random initial password');

my $rec = main::user_record($a, 'zlshtmp001');
like($rec->{pw}, qr/^\$hmac-sha256\$/, 'stored as an initial credential');
unlike($rec->{pw}, qr/\Q$pw\E/, 'not in clear');
ok($rec->{must_change}, 'must_change stored');

$r = PortfolioTest::http(GET => '/api/schools/zlsh/temporary-accounts', cookie => $a);
unlike($r->{body}, qr/\Q$pw\E/, 'the password is never shown again');

# a second one gets the next number, and its own password
my $r2 = main::tmp_create($a, { name => '轉入生甲', expires => PortfolioTest::now_ms() + 86400_000, reason => 'transferred' });
is($r2->{status}, 201, 'a second, for a transferred-in student with no account yet');
is($r2->{json}{account}{id}, 'zlshtmp002', 'zlshtmp002');
is($r2->{json}{account}{class}, undef, 'no class');
is($r2->{json}{account}{temporary}{student}, undef, 'no student');
isnt($r2->{json}{initial_password}, $pw, 'another password');

# sign in, forced change first
$r = PortfolioTest::try_login('zlshtmp001', $pw);
is($r->{status}, 200, 'the temporary account signs in');
ok($r->{json}{must_change_password}, 'must change the password');
my $c = PortfolioTest::cookie_from($r);
PortfolioTest::is_error(PortfolioTest::http(GET => '/api/testkit/stats', cookie => $c), 403, 'password_change_required',
                        'nothing else before the change');
$r = PortfolioTest::http(POST => '/api/password', cookie => $c,
                         body => { current => $pw, new => 'leave-pass-2024' });
is($r->{status}, 200, 'changes the password');
is(PortfolioTest::http(GET => '/api/testkit/stats', cookie => $c)->{status}, 200, 'then uses the API');
is(main::me_roles($c), 'student', 'as a student');
$rec = main::user_record($a, 'zlshtmp001');
is($rec->{expires}, $expires, 'the password change kept the expiry');
ok($rec->{temporary}, 'and the temporary mark');

# past the expiry
Time::HiRes::sleep(($expires - PortfolioTest::now_ms()) / 1000 + 0.3);
PortfolioTest::is_error(PortfolioTest::http(GET => '/api/me', cookie => $c), 401, 'session_expired',
                        'the open session ends at the expiry');
PortfolioTest::is_error(PortfolioTest::try_login('zlshtmp001', 'leave-pass-2024'), 403, 'account_expired',
                        'the right password: 403 account_expired');
PortfolioTest::is_error(PortfolioTest::try_login('zlshtmp001', 'wrong-pass-2024'), 401, 'invalid_credentials',
                        'a wrong one says nothing about the account');

$r = PortfolioTest::http(GET => '/api/schools/zlsh/temporary-accounts', cookie => $a);
is($r->{status}, 200, 'GET temporary accounts');
my %st = map { $_->{id} => $_->{state} } @{ $r->{json}{accounts} };
is_deeply(\%st, { zlshtmp001 => 'expired', zlshtmp002 => 'active' }, 'each with its state');
$r = PortfolioTest::http(GET => '/api/schools/zlsh/temporary-accounts?state=expired', cookie => $a);
is_deeply([ map { $_->{id} } @{ $r->{json}{accounts} } ], ['zlshtmp001'], 'state=expired');
$r = PortfolioTest::http(GET => '/api/schools/zlsh/temporary-accounts?state=active', cookie => $a);
is_deeply([ map { $_->{id} } @{ $r->{json}{accounts} } ], ['zlshtmp002'], 'state=active');
PortfolioTest::is_error(PortfolioTest::http(GET => '/api/schools/zlsh/temporary-accounts?state=odd', cookie => $a),
                        422, 'invalid_field', 'an unknown state');
$r = PortfolioTest::http(GET => '/api/schools/zlsh/accounts?role=student', cookie => $a);
is(scalar(grep { $_->{temporary} } @{ $r->{json}{accounts} }), 2, 'the school list shows them too, marked');

# the student's own account is untouched
is(PortfolioTest::http(GET => '/api/me', cookie => PortfolioTest::login('zlsh108234567', 'student-pass-1'))->{status},
   200, "the student's own account still signs in");
--- request
GET /api/schools/zlsh/temporary-accounts
--- error_code: 401
--- no_error_log
[error]



=== TEST 6: A3 extension, disabling, bounds and refusals
--- init
use utf8;
my $a = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
my $now = PortfolioTest::now_ms();
my $day = 86400_000;

my $r = main::tmp_create($a, { name => '臨時生', expires => $now + 3000, reason => 'other' });
is($r->{status}, 201, 'created, expiring in 3 s');
my $pw = $r->{json}{initial_password};
my $c = PortfolioTest::login('zlshtmp001', $pw);
is(PortfolioTest::http(POST => '/api/password', cookie => $c,
                       body => { current => $pw, new => 'temp-pass-2024' })->{status}, 200, 'password changed');

# extend before the expiry: the open session goes on past the old one
$r = PortfolioTest::http(PUT => '/api/schools/zlsh/temporary-accounts/zlshtmp001', cookie => $a,
                         body => { expires => '2099-01-01T00:00:00+08:00' });
PortfolioTest::is_error($r, 422, 'invalid_expiry', 'more than a year ahead');
$r = PortfolioTest::http(PUT => '/api/schools/zlsh/temporary-accounts/zlshtmp001', cookie => $a,
                         body => { expires => $now + 30 * $day });
is($r->{status}, 200, 'extended by a month');
is($r->{json}{account}{expires}, $now + 30 * $day, 'the new expiry');
Time::HiRes::sleep(($now + 3300 - PortfolioTest::now_ms()) / 1000) if PortfolioTest::now_ms() < $now + 3300;
is(PortfolioTest::http(GET => '/api/me', cookie => $c)->{status}, 200, 'past the old expiry, the session still works');

# an expired account can be extended and signs in again
$r = PortfolioTest::http(PUT => '/api/schools/zlsh/temporary-accounts/zlshtmp001', cookie => $a,
                         body => { expires => PortfolioTest::now_ms() + 1500 });
is($r->{status}, 200, 'shortened to 1.5 s');
Time::HiRes::sleep(1.8);
PortfolioTest::is_error(PortfolioTest::try_login('zlshtmp001', 'temp-pass-2024'), 403, 'account_expired', 'expired');
PortfolioTest::is_error(PortfolioTest::http(GET => '/api/me', cookie => $c), 401, 'session_expired', 'its session too');
$r = PortfolioTest::http(PUT => '/api/schools/zlsh/temporary-accounts/zlshtmp001', cookie => $a,
                         body => { expires => PortfolioTest::now_ms() + 7 * $day });
is($r->{status}, 200, 'extended after it expired');
is($r->{json}{account}{state}, 'active', 'active again');
my $c2 = PortfolioTest::login('zlshtmp001', 'temp-pass-2024');
ok($c2, 'signs in again');
is(PortfolioTest::http(GET => '/api/me', cookie => $c2)->{status}, 200,
   'the new session works (and its records are now kept by the worker)');
is(PortfolioTest::http(GET => '/api/me', cookie => $c)->{status}, 200, 'and the old session, not yet idle, works again');

# disabling ends sign-in and every session, and is for good
$r = PortfolioTest::http(DELETE => '/api/schools/zlsh/temporary-accounts/zlshtmp001', cookie => $a);
is($r->{status}, 200, 'DELETE disables');
ok($r->{json}{account}{disabled}, 'disabled');
is($r->{json}{account}{state}, 'disabled', 'state disabled');
is($r->{json}{account}{disabled_by}, 'zlsh100000001', 'by the admin');
PortfolioTest::is_error(PortfolioTest::try_login('zlshtmp001', 'temp-pass-2024'), 403, 'account_disabled', 'sign-in refused');
PortfolioTest::is_error(PortfolioTest::http(GET => '/api/me', cookie => $c2), 401, 'session_expired', 'sessions end');
$r = PortfolioTest::http(DELETE => '/api/schools/zlsh/temporary-accounts/zlshtmp001', cookie => $a);
is($r->{status}, 200, 'DELETE again');
ok(!$r->{json}{changed}, 'nothing changed');
PortfolioTest::is_error(PortfolioTest::http(PUT => '/api/schools/zlsh/temporary-accounts/zlshtmp001', cookie => $a,
                                            body => { expires => PortfolioTest::now_ms() + $day }),
                        409, 'account_disabled', 'a disabled account is not extended');
my $rec = main::user_record($a, 'zlshtmp001');
ok($rec->{disabled}, 'stored disabled');
ok($rec->{pw}, 'the credential kept');

# bounds on creation
for my $case ([ 'in the past', $now - 1000 ], [ 'now + 366 days', PortfolioTest::now_ms() + 366 * $day ]) {
    PortfolioTest::is_error(main::tmp_create($a, { name => 'x', expires => $case->[1], reason => 'other' }),
                            422, 'invalid_expiry', $case->[0]);
}
$r = main::tmp_create($a, { name => '一年', expires => PortfolioTest::now_ms() + 364 * $day, reason => 'other' });
is($r->{status}, 201, '364 days is fine');
is($r->{json}{account}{id}, 'zlshtmp002', 'the next number');
$r = main::tmp_create($a, { name => 'ISO', expires => '2026-12-31T23:59:00+08:00', reason => 'other' });
if (PortfolioTest::now_ms() < 1798732740000 && PortfolioTest::now_ms() > 1798732740000 - 365 * $day) {
    is($r->{status}, 201, 'an ISO 8601 expiry');
    is($r->{json}{account}{expires}, 1798732740000, 'in ms');
    is($r->{json}{account}{expires_iso}, '2026-12-31T23:59:00+08:00', 'and back');
} else {
    PortfolioTest::is_error($r, 422, 'invalid_expiry', 'an ISO 8601 expiry outside the year ahead');
}
PortfolioTest::is_error(main::tmp_create($a, { name => 'x', expires => '2026-12-31 23:59', reason => 'other' }),
                        422, 'invalid_field', 'not ISO 8601');
PortfolioTest::is_error(main::tmp_create($a, { name => 'x', reason => 'other' }), 422, 'invalid_field', 'no expiry');
PortfolioTest::is_error(main::tmp_create($a, { name => 'x', expires => $now + $day, reason => 'holiday' }),
                        422, 'invalid_field', 'an unknown reason');
PortfolioTest::is_error(main::tmp_create($a, { name => 'x', expires => $now + $day }), 422, 'invalid_field', 'no reason');
PortfolioTest::is_error(main::tmp_create($a, { expires => $now + $day, reason => 'other' }),
                        422, 'invalid_field', 'no name and no student');
PortfolioTest::is_error(main::tmp_create($a, { name => 'x' x 51, expires => $now + $day, reason => 'other' }),
                        422, 'invalid_field', 'a name too long');
PortfolioTest::is_error(main::tmp_create($a, { student => 'tpsh109000001', expires => $now + $day, reason => 'other' }),
                        404, 'not_found', "another school's student");
PortfolioTest::is_error(main::tmp_create($a, { student => 'zlsh122233333', expires => $now + $day, reason => 'other' }),
                        422, 'not_a_student', "a teacher's account as the student");
PortfolioTest::is_error(main::tmp_create($a, { student => 'zlshtmp002', expires => $now + $day, reason => 'other' }),
                        422, 'not_a_student', 'a temporary account as the student');
PortfolioTest::is_error(main::tmp_create($a, [1]), 422, 'invalid_field', 'not an object');

# who may
my $t = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');
my $s = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $x = PortfolioTest::login('tpsh109000001', 'other-pass-1');
my $body = { name => 'x', expires => $now + $day, reason => 'other' };
PortfolioTest::is_error(main::tmp_create($t, $body), 403, 'forbidden', 'a teacher creates');
PortfolioTest::is_error(main::tmp_create($s, $body), 403, 'forbidden', 'a student creates');
PortfolioTest::is_error(main::tmp_create($x, $body), 403, 'out_of_scope', "another school's admin creates");
PortfolioTest::is_error(PortfolioTest::http(DELETE => '/api/schools/zlsh/temporary-accounts/zlshtmp002', cookie => $x),
                        403, 'out_of_scope', "another school's admin disables");
PortfolioTest::is_error(PortfolioTest::http(GET => '/api/schools/zlsh/temporary-accounts', cookie => $t),
                        403, 'forbidden', 'a teacher lists');
PortfolioTest::is_error(PortfolioTest::http(DELETE => '/api/schools/zlsh/temporary-accounts/zlsh108234567', cookie => $a),
                        404, 'not_found', 'a regular account is not disabled here');
PortfolioTest::is_error(PortfolioTest::http(PUT => '/api/schools/zlsh/temporary-accounts/zlsh108234567', cookie => $a,
                                            body => { expires => $now + $day }),
                        404, 'not_found', 'nor given an expiry');
my $city = PortfolioTest::login('cityadmin', 'city-pass-1');
$r = main::tmp_create($city, $body, 'tpsh');
is($r->{status}, 201, 'the city admin issues one in tpsh');
is($r->{json}{account}{id}, 'tpshtmp001', "numbered in tpsh's own series");
PortfolioTest::is_error(main::tmp_create($city, $body, 'nosuch'), 404, 'not_found', 'an unknown school');
--- request
GET /api/schools/zlsh/temporary-accounts
--- error_code: 401
--- no_error_log
[error]



=== TEST 7: Q4 A5 A3 every change is audited under the school and the account (and the student)
--- init
use utf8;
my $a = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
my $city = PortfolioTest::login('cityadmin', 'city-pass-1');
my $t0 = PortfolioTest::now_ms();

main::role($a, PUT => 'zlsh122233333', 'counselor');
main::role($city, DELETE => 'zlsh122233333', 'counselor');
main::role($a, PUT => 'zlsh122233333', 'counselor');
main::role($a, PUT => 'zlsh122233333', 'counselor');     # held already: no change
my $r = main::tmp_create($a, { student => 'zlsh108234569', expires => $t0 + 86400_000, reason => 'transferred' });
PortfolioTest::http(PUT => '/api/schools/zlsh/temporary-accounts/zlshtmp001', cookie => $a,
                    body => { expires => $t0 + 2 * 86400_000 });
PortfolioTest::http(DELETE => '/api/schools/zlsh/temporary-accounts/zlshtmp001', cookie => $a);
PortfolioTest::is_error(main::role($a, PUT => 'zlsh122233333', 'homeroom'), 422, 'role_from_sis', 'a refusal');

my $school = main::audit($a, 'school/zlsh');
is_deeply([ map { $_->{action} } @$school ],
          [qw(role.granted role.revoked role.granted temporary_account.created
              temporary_account.expiry_changed temporary_account.disabled)],
          'the school trail: each change once, in order, refusals and no-ops not');
is_deeply([ map { $_->{by} } @$school ],
          [qw(zlsh100000001 cityadmin zlsh100000001 zlsh100000001 zlsh100000001 zlsh100000001)], 'by whom');
ok(!grep({ $_->{at} < $t0 || $_->{at} > PortfolioTest::now_ms() } @$school), 'when');
is_deeply($school->[0]{detail}, { account => 'zlsh122233333', role => 'counselor',
                                  roles => ['teacher', 'course_teacher', 'counselor'] }, 'a grant in detail');
is_deeply($school->[1]{detail}{roles}, ['teacher', 'course_teacher'], 'a revoke in detail');
is($school->[3]{detail}{account}, 'zlshtmp001', 'the temporary account');
is($school->[3]{detail}{student}, 'zlsh108234569', 'for the student');
is($school->[3]{detail}{reason}, 'transferred', 'why');
is($school->[4]{detail}{expires}, $t0 + 2 * 86400_000, 'the new expiry');
is($school->[4]{detail}{previous}, $t0 + 86400_000, 'and the previous');
unlike(join('', map { JSON::PP->new->encode($_) } @$school), qr/hmac|initial_password/, 'no password in the trail');

# the admin plugin's history of an account shows the same (Q4)
$r = PortfolioTest::http(GET => '/api/students/zlsh122233333/history', cookie => $a);
is($r->{status}, 200, "the teacher account's history");
is_deeply([ map { $_->{action} } @{ $r->{json}{history} } ], [qw(role.granted role.revoked role.granted)],
          'its grants and revokes');
is($r->{json}{history}[1]{by_name}, '教育局', 'with who');

$r = PortfolioTest::http(GET => '/api/students/zlshtmp001/history', cookie => $a);
is_deeply([ map { $_->{action} } @{ $r->{json}{history} } ],
          [qw(temporary_account.created temporary_account.expiry_changed temporary_account.disabled)],
          "the temporary account's history");
$r = PortfolioTest::http(GET => '/api/students/zlsh108234569/history', cookie => $a);
is_deeply([ map { $_->{action} } @{ $r->{json}{history} } ], ['temporary_account.created'],
          "the student's history shows that one was issued");
--- request
GET /api/schools/zlsh/accounts
--- error_code: 401
--- no_error_log
[error]



=== TEST 8: conf/limit_req.conf: sign-ins from one address within the burst all succeed, a flood beyond gets a JSON 429, nothing else is counted
--- http_config eval
# the shipped limits, at http level (where in the section does not matter)
PortfolioTest::http_config(plugins => ['accounts'],
                           extra => 'include $TEST_NGINX_ROOT/conf/limit_req.conf;')
--- config
location /api/ {
    portfolio_api on;
    error_page 413 = @portfolio_413;
    error_page 429 = @portfolio_429;
}
location @portfolio_413 {
    default_type application/json;
    return 413 '{"error":{"code":"body_too_large","message":"the body is larger than this server accepts"}}';
}
location @portfolio_429 {
    default_type application/json;
    add_header Retry-After 1 always;
    return 429 '{"error":{"code":"too_many_requests","message":"too many sign-ins from this address; try again in a moment"}}';
}
--- init
# 127.0.0.1 is not a listed school address: rate=2r/s, burst=60 nodelay
my @users = (['zlsh100000001', 'admin-pass-1'], ['zlsh122233333', 'teacher-pass-2'],
             ['zlsh108234567', 'student-pass-1'], ['zlsh108234569', 'student-pass-3']);
my $ok = 0;
my $kept;
my $t0 = Time::HiRes::time();
for my $i (1 .. 60) {
    my $u = $users[$i % @users];
    my $r = PortfolioTest::try_login(@$u);
    $ok++ if $r->{status} == 200;
    $kept = PortfolioTest::cookie_from($r) if $u->[0] eq 'zlsh100000001';
}
is($ok, 60, 'a class of 60 signing in at once from one address: all in');

my $res = PortfolioTest::parallel([ map { { method => 'POST', path => '/api/session',
                                            body => { username => 'zlsh108234567', password => 'student-pass-1' } } } 1 .. 40 ]);
my @limited = grep { ($_->{status} // 0) == 429 } @$res;
my @in = grep { ($_->{status} // 0) == 200 } @$res;
# the bucket refills at 2 a second while this runs: a slow machine lets a few more in
my $refill = int(2 * (Time::HiRes::time() - $t0)) + 1;
ok(@in <= $refill, scalar(@in) . " of a flood of 40 more get in (at most $refill refilled)");
ok(@limited >= 20, scalar(@limited) . ' get 429');
is(@limited + @in, 40, 'the rest sign in; nothing else');
is($limited[0]{json}{error}{code}, 'too_many_requests', 'as the JSON error');
is($limited[0]{headers}{'content-type'}, 'application/json', 'application/json');
is($limited[0]{headers}{'retry-after'}, '1', 'with Retry-After');
open my $log, '<', "$ENV{TEST_NGINX_SERVER_ROOT}/logs/error.log" or die "error.log: $!";
my @warn = grep { /limiting requests, excess: [\d.]+ by zone "pf_login_other"/ } <$log>;
close $log;
is(scalar @warn, scalar @limited, 'nginx logs each refusal, by zone pf_login_other');

# only sign-ins count: the API goes on for the signed in
for (1 .. 5) {
    is(PortfolioTest::http(GET => '/api/me', cookie => $kept)->{status}, 200, 'other requests are not limited');
}
is(PortfolioTest::http(GET => '/api/schools/zlsh/accounts', cookie => $kept)->{status}, 200,
   'nor the admin routes');

# the allowance comes back at the configured rate
Time::HiRes::sleep(1.2);
is(PortfolioTest::try_login('zlsh108234569', 'student-pass-3')->{status}, 200, 'a second later, a sign-in gets through');
--- request
GET /api/me
--- error_code: 401
--- no_error_log
[error]



=== TEST 9: guessing one account from a school's address slows that account only, not the school (module per-account delay under conf/limit_req.conf)
--- http_config eval
# the shipped limits, at http level (where in the section does not matter)
PortfolioTest::http_config(plugins => ['accounts'],
                           extra => 'include $TEST_NGINX_ROOT/conf/limit_req.conf;')
--- config
location /api/ {
    portfolio_api on;
    error_page 429 = @portfolio_429;
}
location @portfolio_429 {
    default_type application/json;
    return 429 '{"error":{"code":"too_many_requests","message":"too many sign-ins from this address; try again in a moment"}}';
}
--- init
my @codes;
for (1 .. 7) {
    my $r = PortfolioTest::try_login('zlsh108234567', 'not-my-password');
    push @codes, $r->{json} ? $r->{json}{error}{code} : $r->{status};
}
is_deeply([ @codes[0 .. 4] ], [ ('invalid_credentials') x 5 ], 'five free tries');
is($codes[6], 'too_many_attempts', "then the module's per-account delay");
my $r = PortfolioTest::try_login('zlsh108234567', 'student-pass-1');
PortfolioTest::is_error($r, 429, 'too_many_attempts', 'even the right password waits');
ok($r->{headers}{'retry-after'} >= 1, 'with Retry-After');
for my $u (['zlsh108234569', 'student-pass-3'], ['zlsh122233333', 'teacher-pass-2'], ['zlsh100000001', 'admin-pass-1']) {
    is(PortfolioTest::try_login(@$u)->{status}, 200, "$u->[0] from the same address signs in");
}
--- request
GET /api/me
--- error_code: 401
--- no_error_log
[error]
