# Issue 16 item 10 (SPEC A3): a temporary account (臨時帳號) acts for the
# student it was issued to.  The accounts plugin issues "<school>tmpNNN"
# with "temporary": {"student": id}; signed in, the account is that
# student to every plugin (ctx->user.id, with the student role alone):
# it sees the student's courses and outcomes, makes and uploads them,
# sends them for certification and selects them, and the student's own
# session sees the same.  Whatever is about the account itself stays the
# account's (ctx->user.account): /me shows both, /password changes the
# temporary account's password and never the student's, the failure
# delay counts against it, the directory binding routes are its own (and
# it binds nothing: 403 temporary_account), signing out ends its session
# alone, and the records and the audit trail name it as who did it.  The
# account's other roles are not the student's.  A temporary account
# issued by name, or naming no student of its school, acts as itself.
# An expired or disabled one is refused, with its sessions, as before.

use utf8;
use Test::Nginx::Socket 'no_plan';
use PortfolioTest;
use PortfolioWorld;
use JSON::PP ();
use Time::HiRes ();

no_shuffle();
# every block: accounts (issues them), selection (and so student,
# certification and sis), testkit
PortfolioTest::block_defaults(plugins => [qw(accounts selection testkit)],
                              api => ['client_max_body_size 11m;']);
run_tests();


# A temporary account issued through the API; signed in, its password
# changed (the forced change) to $pw.  Returns (cookie, account).
sub main::temporary {
    my ($admin, $body, $pw) = @_;
    my $r = PortfolioTest::api(POST => '/schools/zlsh/temporary-accounts', $admin,
                               body => { expires => PortfolioTest::now_ms() + 86_400_000,
                                         reason => 'on_leave', %$body });
    die "issue: $r->{status} $r->{body}\n" unless $r->{status} == 201;
    my ($id, $initial) = ($r->{json}{account}{id}, $r->{json}{initial_password});
    my $c = PortfolioTest::login($id, $initial);
    $r = PortfolioTest::api(POST => '/password', $c, body => { current => $initial, new => $pw });
    die "password: $r->{status} $r->{body}\n" unless $r->{status} == 200;
    return (PortfolioTest::login($id, $pw), $id);
}

sub main::me {
    my ($cookie) = @_;
    return PortfolioTest::api(GET => '/me', $cookie)->{json};
}

__DATA__

=== TEST 1: acting for the student: /me shows both; the student's courses and outcomes, made, uploaded, sent and selected; the records name the account
--- init
my $admin = main::world();
my $me = 'zlsh108234567';
my $st = PortfolioTest::login($me, 'student-pass-1');
my $mine = main::create($st, 'CS101', 'the student made this')->{json}{outcome}{id};
my ($tmp, $acc) = main::temporary($admin, { student => $me }, 'leave-pass-2024');
is($acc, 'zlshtmp001', 'zlshtmp001, issued for the student');

my $who = main::me($tmp);
is($who->{user}{id}, $me, '/me: acts as the student');
is_deeply($who->{user}{roles}, ['student'], '... with the student role');
is($who->{user}{school}, 'zlsh', '... of the school');
is($who->{account}{id}, 'zlshtmp001', '/me: the account signed in');
ok($who->{account}{temporary}, '... a temporary one');
is($who->{account}{acting_for}, $me, '... acting for the student');
ok($who->{account}{expires} > PortfolioTest::now_ms(), '... with its expiry');
my $in = PortfolioTest::try_login($acc, 'leave-pass-2024');
is($in->{json}{user}{id}, $me, 'the sign-in answers the same: acting as the student');
is($in->{json}{account}{acting_for}, $me, '... for the student, as the account');
is($in->{json}{account}{id}, 'zlshtmp001', '... zlshtmp001');
my $own = main::me($st);
is($own->{user}{id}, $me, "the student's own /me: the student");
ok(!exists $own->{account}, '... with no other account behind it');

# the student's data
my $r = PortfolioTest::api(GET => "/students/$me/courses?term=113-1", $tmp);
is($r->{status}, 200, "the student's course records");
ok(scalar(grep { $_->{code} eq 'CS101' } map { @{ $_->{courses} } } @{ $r->{json}{terms} }),
   '... with CS101');
$r = PortfolioTest::api(GET => '/outcomes?term=113-1', $tmp);
is_deeply([ map { $_->{id} } @{ $r->{json}{outcomes} } ], [$mine], "the student's outcomes, the draft too");
is(PortfolioTest::api(GET => "/outcomes/$mine", $tmp)->{status}, 200, 'one of them');

# made, uploaded, sent
$r = main::create($tmp, 'MA101', 'made by the temporary account');
is($r->{status}, 201, 'a new outcome') or diag($r->{body});
my $o = $r->{json}{outcome};
is($o->{student}, $me, "the student's");
is($o->{by}, 'zlshtmp001', 'by the temporary account');
is($r->{json}{term_count}, 2, "counted with the student's");
$r = main::upload($tmp, $o->{id}, 'document', main::pdf(1000), type => 'application/pdf');
is($r->{status}, 200, 'its document') or diag($r->{body});
is($r->{json}{outcome}{by}, 'zlshtmp001', '... by the temporary account');
is(PortfolioTest::api(GET => '/me/quota', $st)->{json}{used_bytes}, 1000,
   "the space is the student's");
$r = PortfolioTest::api(POST => "/outcomes/$o->{id}/submit", $tmp, body => {});
is($r->{status}, 200, 'sent for certification');
is($r->{json}{outcome}{status}, 'pending', 'pending');
is(PortfolioTest::api(GET => "/outcomes/$o->{id}", $st)->{json}{outcome}{status}, 'pending',
   "the student's own session sees it");
my @trail = grep { $_->{value}{detail}{id} && $_->{value}{detail}{id} eq $o->{id} }
            @{ main::records($admin, 'audit', "$me\x1f") };
is_deeply([ map { $_->{value}{action} } @trail ],
          [qw(outcome.created outcome.file_stored outcome.submitted)], "audited under the student");
is_deeply([ map { $_->{value}{by} } @trail ], [('zlshtmp001') x 3], 'by the temporary account');

# selected (勾選)
my $now = PortfolioTest::now_ms();
PortfolioTest::seed($admin, 'settings', 'school/zlsh/window/113-1/select',
                    { from => $now - 3_600_000, to => $now + 3_600_000 });
my $rec = main::record($admin, 'outcomes', "$me\x1f$mine");
PortfolioTest::seed($admin, 'outcomes', "$me\x1f$mine", { %$rec, status => 'passed', decision => 'pass' });
$r = PortfolioTest::api(POST => "/outcomes/$mine/selection", $tmp, body => {});
is($r->{status}, 200, "the student's passed outcome is selected") or diag($r->{body});
is($r->{json}{term}{text}, '(1/3)', '(1/3)');
is($r->{json}{outcome}{by}, 'zlshtmp001', 'by the temporary account');
is(PortfolioTest::api(GET => '/selections?term=113-1', $st)->{json}{term}{text}, '(1/3)',
   "the student's own counter");
PortfolioTest::log_clean();
--- request
GET /api/me
--- error_code: 401
--- no_error_log
[error]



=== TEST 2: the account's own: its password (never the student's), its failure delay, its session, its directory binding (it binds none), its roles
--- init
my $admin = main::world();
my $me = 'zlsh108234567';
my $st = PortfolioTest::login($me, 'student-pass-1');
my $before = main::record($admin, 'users', $me);
my ($tmp, $acc) = main::temporary($admin, { student => $me }, 'leave-pass-2024');

# /password changes the temporary account's
my $r = PortfolioTest::api(POST => '/password', $tmp,
                           body => { current => 'leave-pass-2024', new => 'leave-pass-2025' });
is($r->{status}, 200, 'the temporary account changes its password');
is(main::record($admin, 'users', $me)->{pw}, $before->{pw}, "the student's password is untouched");
ok(PortfolioTest::login($me, 'student-pass-1'), 'the student signs in as before');
ok(PortfolioTest::login($acc, 'leave-pass-2025'), 'the temporary account with its new one');
PortfolioTest::is_error(PortfolioTest::try_login($acc, 'leave-pass-2024'), 401, 'invalid_credentials',
                        'not with its old one');
$tmp = PortfolioTest::login($acc, 'leave-pass-2025');
is(PortfolioTest::api(GET => '/me', $st)->{status}, 200, "the student's session goes on");

# the student's password is not the current password of the temporary account
$r = PortfolioTest::api(POST => '/password', $tmp,
                        body => { current => 'student-pass-1', new => 'stolen-pass-2024' });
PortfolioTest::is_error($r, 403, 'wrong_password', "the student's password does not change it");
my $fails = main::record($admin, 'auth_fail', $acc);
is($fails && $fails->{count}, 1, 'the failure counts against the temporary account');
is(main::record($admin, 'auth_fail', $me), undef, '... not against the student');

# the directory binding routes are the account's; it binds none
PortfolioTest::seed($admin, 'users', $me, { %{ main::record($admin, 'users', $me) }, directory => 'li.xm' });
$r = PortfolioTest::api(GET => '/me/directory', $tmp);
is($r->{status}, 200, 'GET /me/directory');
is($r->{json}{directory}, undef, "the temporary account's binding (none), not the student's");
is(PortfolioTest::api(GET => '/me/directory', $st)->{json}{directory}, 'li.xm', "the student's own");
$r = PortfolioTest::api(POST => '/me/directory', $tmp, body => { username => 'li.xm', password => 'x' });
PortfolioTest::is_json_error($r, 403, 'temporary_account', 'a temporary account binds no directory account');
like($r->{json}{error}{message}, qr/臨時帳號不能綁定/, 'in words');
$r = PortfolioTest::api(DELETE => '/me/directory', $tmp);
PortfolioTest::is_error($r, 404, 'not_found', "unbinding: it has none (the student's is not its)");
is(main::record($admin, 'users', $me)->{directory}, 'li.xm', "the student's binding stays");

# the account's grants beyond the student role are not the student's
my $u = main::record($admin, 'users', $acc);
PortfolioTest::seed($admin, 'users', $acc, { %$u, roles => ['student', 'school_admin'] });
is_deeply(main::me($tmp)->{user}{roles}, ['student'], 'acting for the student: the student role alone');
PortfolioTest::is_error(PortfolioTest::api(GET => '/schools/zlsh/settings', $tmp), 403, 'forbidden',
                        'no school admin route');
PortfolioTest::seed($admin, 'users', $acc, $u);

# signing out ends its session alone
$r = PortfolioTest::api(DELETE => '/session', $tmp);
is($r->{status}, 200, 'the temporary account signs out');
PortfolioTest::is_error(PortfolioTest::api(GET => '/me', $tmp), 401, 'unauthenticated', 'its session is gone');
is(PortfolioTest::api(GET => '/me', $st)->{status}, 200, "the student's is not");
--- request
GET /api/me
--- error_code: 401



=== TEST 3: a temporary account issued by name, or naming no student of its school, acts as itself
--- init
my $admin = main::world();
my ($tmp, $acc) = main::temporary($admin, { name => '轉入生甲', reason => 'transferred' }, 'moved-pass-2024');
my $who = main::me($tmp);
is($who->{user}{id}, $acc, 'issued by name: acts as itself');
is($who->{account}{acting_for}, undef, '... for nobody');
ok($who->{account}{temporary}, '... a temporary account');
is_deeply(PortfolioTest::api(GET => '/outcomes', $tmp)->{json}{outcomes}, [], 'it has no outcomes');
PortfolioTest::is_error(main::create($tmp, 'CS101'), 422, 'not_enrolled', 'and takes no course');
PortfolioTest::is_error(PortfolioTest::api(GET => '/students/zlsh108234567/outcomes', $tmp), 403,
                        'out_of_scope', "nor sees a student's");

# records no plugin issues (what the accounts plugin refuses): a teacher,
# another school's student
my $exp = PortfolioTest::now_ms() + 86_400_000;
for my $case (['zlshtmp091', 'zlsh122233333', 'a teacher'],
              ['zlshtmp092', 'tpsh109000001', "another school's student"],
              ['zlshtmp093', 'zlsh100000000', 'no account at all']) {
    my ($id, $for, $what) = @$case;
    main::clone_user($admin, 'zlsh108234567', $id, expires => $exp,
                     temporary => { reason => 'other', student => $for });
    my $c = PortfolioTest::login($id, 'student-pass-1');
    my $w = main::me($c);
    is($w->{user}{id}, $id, "naming $what: it acts as itself");
    is($w->{account}{acting_for}, undef, '... for nobody');
}
like(PortfolioTest::error_log(), qr/temporary account "zlshtmp092" names "tpsh109000001", no student of its school: it acts as itself/,
     'and the log says why');
# the same record naming a student of its school acts for them
main::clone_user($admin, 'zlsh108234567', 'zlshtmp094', expires => $exp,
                 temporary => { reason => 'other', student => 'zlsh108234569' });
is(main::me(PortfolioTest::login('zlshtmp094', 'student-pass-1'))->{user}{id}, 'zlsh108234569',
   'naming a student of its school: acts for them');
--- request
GET /api/me
--- error_code: 401



=== TEST 4: expired or disabled, a temporary account acting for a student is refused as before, its sessions with it; the student's own is not
--- init
my $admin = main::world();
my $me = 'zlsh108234567';
my $st = PortfolioTest::login($me, 'student-pass-1');
my ($tmp, $acc) = main::temporary($admin, { student => $me }, 'leave-pass-2024');
is(main::me($tmp)->{user}{id}, $me, 'acts for the student');

# expired
my $r = PortfolioTest::api(PUT => "/schools/zlsh/temporary-accounts/$acc", $admin,
                           body => { expires => PortfolioTest::now_ms() + 1200 });
is($r->{status}, 200, 'the expiry brought to 1.2 s from now');
Time::HiRes::sleep(1.5);
PortfolioTest::is_error(PortfolioTest::api(GET => '/outcomes', $tmp), 401, 'session_expired',
                        'its session ends at the expiry');
PortfolioTest::is_error(PortfolioTest::try_login($acc, 'leave-pass-2024'), 403, 'account_expired',
                        'and it cannot sign in');
is(PortfolioTest::api(GET => '/outcomes', $st)->{status}, 200, "the student's own session goes on");

# disabled
$r = PortfolioTest::api(PUT => "/schools/zlsh/temporary-accounts/$acc", $admin,
                        body => { expires => PortfolioTest::now_ms() + 86_400_000 });
is($r->{status}, 200, 'extended again');
$tmp = PortfolioTest::login($acc, 'leave-pass-2024');
is(main::me($tmp)->{user}{id}, $me, 'acts for the student again');
is(PortfolioTest::api(DELETE => "/schools/zlsh/temporary-accounts/$acc", $admin)->{status}, 200, 'disabled');
PortfolioTest::is_error(PortfolioTest::api(GET => '/outcomes', $tmp), 401, 'session_expired',
                        'its session ends');
PortfolioTest::is_error(PortfolioTest::try_login($acc, 'leave-pass-2024'), 403, 'account_disabled',
                        'and it cannot sign in');
is(PortfolioTest::api(GET => '/outcomes', $st)->{status}, 200, "the student's own session goes on");
ok(PortfolioTest::login($me, 'student-pass-1'), 'and the student signs in');
--- request
GET /api/me
--- error_code: 401
