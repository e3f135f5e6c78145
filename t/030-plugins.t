# Plugins (issue 2; README "Plugin ABI"): a plugin that cannot be used
# stops nginx at start with the plugin's name and the reason; a good one
# gets the whole ABI: routes with declared roles and scopes, writes in the
# writer (rolled back on an error status, alone within a shared commit),
# reads that cannot write, event hooks, scheduled jobs and settings
# resolved school -> city -> nation.  testkit.so is the test-only plugin of
# t/plugins/testkit.c; school.so is the shipped plugins/school.
use Test::Nginx::Socket 'no_plan';

use Time::HiRes ();
use PortfolioTest ();

no_shuffle();
# the usual configuration with testkit; the load failures have only the
# data directory and the plugin line (an empty config: no API location)
PortfolioTest::block_defaults(plugins => ['testkit']);
run_tests();

__DATA__

=== TEST 1: load failure: the file does not exist
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_plugin school $TEST_NGINX_SERVER_ROOT/html/no/such/school.so;
--- config
--- must_die
--- error_log eval
qr{\[emerg\].*portfolio plugin "school": cannot load ".*/html/no/such/school\.so": .*No such file or directory}



=== TEST 2: load failure: not a shared object at all (garbage.so)
--- http_config eval
PortfolioTest::http_config(bare => 1, plugins => ['garbage'])
--- config
--- must_die
--- error_log eval
qr{\[emerg\].*portfolio plugin "garbage": cannot load ".*/t-plugins/garbage\.so": .*(?:invalid ELF header|file too short)}



=== TEST 3: load failure: no entry point (noentry.so)
--- http_config eval
PortfolioTest::http_config(bare => 1, plugins => ['noentry'])
--- config
--- must_die
--- error_log eval
qr{\[emerg\].*portfolio plugin "noentry": ".*/t-plugins/noentry\.so" has no entry point "pf_plugin_entry"}



=== TEST 4: load failure: built for another ABI major (abi2.so: 2.0 against this module's)
--- http_config eval
PortfolioTest::http_config(bare => 1, plugins => ['abi2'])
--- config
--- must_die
--- error_log eval
qr/portfolio plugin "abi2": built for ABI 2\.0, this module has ABI \Q${\ PortfolioTest::abi()}\E/



=== TEST 5: load failure: the plugin refuses this host (refuses.so)
--- http_config eval
PortfolioTest::http_config(bare => 1, plugins => ['refuses'])
--- config
--- must_die
--- error_log eval
qr/portfolio plugin "refuses": refused to load with host ABI \Q${\ PortfolioTest::abi()}\E/



=== TEST 6: load failure: the plugin calls itself by another name
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_plugin other $TEST_NGINX_BUILD/plugins/school.so;
--- config
--- must_die
--- error_log eval
qr{\[emerg\].*portfolio plugin "other": ".*/plugins/school\.so" calls itself "school"}



=== TEST 7: load failure: the same plugin listed twice
--- http_config eval
PortfolioTest::http_config(bare => 1, plugins => [qw(school school)])
--- config
--- must_die
--- error_log
portfolio plugin "school" is listed twice



=== TEST 8: load failure: a route without roles (badroute.so)
--- http_config eval
PortfolioTest::http_config(bare => 1, plugins => ['badroute'])
--- config
--- must_die
--- error_log
portfolio plugin "badroute": route GET /open must declare roles and a scope



=== TEST 9: load failure: a plugin name with a slash
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_plugin ../school $TEST_NGINX_BUILD/plugins/school.so;
--- config
--- must_die
--- error_log
portfolio plugin name "../school" may contain only letters, digits, "_" and "-"



=== TEST 10: one bad plugin stops the start even after a good one
--- http_config eval
PortfolioTest::http_config(bare => 1, plugins => [qw(school abi2)])
--- must_die
--- error_log
portfolio plugin "abi2": built for ABI 2.0



=== TEST 11: testkit and school load; health lists both with their routes
--- http_config eval
PortfolioTest::http_config(bootstrap => undef, plugins => [qw(testkit school)])
--- request
GET /api/health
--- response_body_like chomp
"plugins":\[\{"name":"testkit","version":"1\.0","routes":[1-9]\d*\},\{"name":"school","version":"0\.1\.0","routes":[1-9]\d*\}\]
--- no_error_log
[error]



=== TEST 12: a write route answers 201; the same id again is 409 conflict; the route needs a session
# (also: host->error() formats like C printf: "item %.*s exists")
--- init
my $c = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $r = PortfolioTest::http(POST => '/api/testkit/items', cookie => $c,
                            body => { id => 'item-1' });
is($r->{status}, 201, 'TEST 12: created');
is($r->{body}, '{"id":"item-1","by":"zlsh108234567"}', 'TEST 12: created body');
$r = PortfolioTest::http(POST => '/api/testkit/items', cookie => $c,
                         body => { id => 'item-1' });
is($r->{status}, 409, 'TEST 12: conflict');
is($r->{body}, '{"error":{"code":"conflict","message":"item item-1 exists"}}',
   'TEST 12: conflict body');
is($r->{headers}{'content-type'}, 'application/json; charset=utf-8',
   'TEST 12: the error is JSON');
--- request
POST /api/testkit/items
{"id":"item-2"}
--- more_headers
Content-Type: application/json
--- error_code: 401
--- response_body_like chomp
^\{"error":\{"code":"unauthenticated",



=== TEST 13: a write handler that fails after writing is rolled back
--- init
my $c = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $r = PortfolioTest::http(POST => '/api/testkit/fail', cookie => $c, body => {});
is($r->{status}, 422, 'TEST 13: the handler failed');
is($r->{json} && $r->{json}{error}{code}, 'refused', 'TEST 13: with its own error');
# /testkit/fail wrote item "rolled-back" before failing: if that write had
# stayed, creating the item now would be a conflict
$r = PortfolioTest::http(POST => '/api/testkit/items', cookie => $c,
                         body => { id => 'rolled-back' });
is($r->{status}, 201, 'TEST 13: the failed write left nothing behind');
$r = PortfolioTest::http(GET => '/api/testkit/stats', cookie => $c);
is($r->{status}, 200, 'TEST 13: stats');
is($r->{json} && $r->{json}{counters}{hook}, 1,
   'TEST 13: only the successful create reached the hook');
--- request
GET /api/health



=== TEST 14: in one shared commit a failing write rolls back alone (group commit on)
--- http_config eval
PortfolioTest::http_config(plugins => ['testkit_quiet'])
--- init
# ordered by testkit's gate (t/plugins/testkit.c), not by time: while a
# gated write holds the writer, a failing write, a good one and a second
# gated write queue behind it and go into the next batch together
my ($w, $gate, $pending, $c) = PortfolioTest::gated_writes(1);
my @sent = PortfolioTest::enqueue($pending, map { { method => 'POST', cookie => $c, %$_ } }
    { path => '/api/testkit/fail', body => {} },
    { path => '/api/testkit/items', body => { id => 'kept' } },
    { path => '/api/testkit/gated', body => {} });
ok($gate->(1), 'TEST 14: the 1st gated write let through');
ok(PortfolioTest::wait_until(sub { $gate->()->{entered} == 2 }),
   'TEST 14: the 2nd gated write runs');
is($pending->(), 3, 'TEST 14: ... in one batch with the failing and the good write');
ok($gate->(2), 'TEST 14: the 2nd let through');
is_deeply([ map { PortfolioTest::collect($_)->[0]{status} } $w->[0], @sent ],
          [200, 422, 201, 200], 'TEST 14: gated, fail, create, gated');
my $r = PortfolioTest::http(POST => '/api/testkit/items', cookie => $c,
                            body => { id => 'kept' });
is($r->{status}, 409, 'TEST 14: the good write of the batch was kept');
$r = PortfolioTest::http(POST => '/api/testkit/items', cookie => $c,
                         body => { id => 'rolled-back' });
is($r->{status}, 201, 'TEST 14: the failed one was rolled back');
--- request
GET /api/health
--- response_body_like chomp
"group_commit":true



=== TEST 15: a failing write rolls back alone with portfolio_group_commit off too
--- http_config eval
PortfolioTest::http_config(plugins => ['testkit_quiet'], extra => 'portfolio_group_commit off;')
--- init
# the same queue as TEST 14; here each write has a transaction and a
# commit of its own
my ($w, $gate, $pending, $c) = PortfolioTest::gated_writes(1);
my @sent = PortfolioTest::enqueue($pending, map { { method => 'POST', cookie => $c, %$_ } }
    { path => '/api/testkit/fail', body => {} },
    { path => '/api/testkit/items', body => { id => 'kept' } },
    { path => '/api/testkit/gated', body => {} });
ok($gate->(1), 'TEST 15: the 1st gated write let through');
ok(PortfolioTest::wait_until(sub { $gate->()->{entered} == 2 }),
   'TEST 15: the 2nd gated write runs');
ok($gate->(2), 'TEST 15: the 2nd let through');
is_deeply([ map { PortfolioTest::collect($_)->[0]{status} } $w->[0], @sent ],
          [200, 422, 201, 200], 'TEST 15: gated, fail, create, gated');
my $r = PortfolioTest::http(POST => '/api/testkit/items', cookie => $c,
                            body => { id => 'kept' });
is($r->{status}, 409, 'TEST 15: the good write was kept');
$r = PortfolioTest::http(POST => '/api/testkit/items', cookie => $c,
                         body => { id => 'rolled-back' });
is($r->{status}, 201, 'TEST 15: the failed one was rolled back');
--- request
GET /api/health
--- response_body_like chomp
"group_commit":false



=== TEST 16: a read handler cannot write
--- init
my $c = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $r = PortfolioTest::http(GET => '/api/testkit/stats', cookie => $c);
is($r->{status}, 200, 'TEST 16: stats');
ok($r->{json} && $r->{json}{write_in_read_denied}, 'TEST 16: the write was denied')
    or diag($r->{body});
like($r->{body}, qr/"write_in_read_denied":true/, 'TEST 16: as JSON true');
# GET /testkit/stats tried to write item "x": it must not exist
$r = PortfolioTest::http(POST => '/api/testkit/items', cookie => $c,
                         body => { id => 'x' });
is($r->{status}, 201, 'TEST 16: nothing was written by the read');
--- request
GET /api/testkit/stats
--- error_code: 401



=== TEST 17: event hooks run in the writing transaction: one per create, none for a conflict
--- init
my $c = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $hook = sub {
    my $r = PortfolioTest::http(GET => '/api/testkit/stats', cookie => $c);
    return $r->{json} ? $r->{json}{counters}{hook} : 'no stats';
};
is($hook->(), undef, 'TEST 17: no hook before any create');
my $r = PortfolioTest::http(POST => '/api/testkit/items', cookie => $c,
                            body => { id => 'h1' });
is($r->{status}, 201, 'TEST 17: create');
is($hook->(), 1, 'TEST 17: counters.hook == 1 after one create');
$r = PortfolioTest::http(POST => '/api/testkit/items', cookie => $c,
                         body => { id => 'h1' });
is($r->{status}, 409, 'TEST 17: conflict');
is($hook->(), 1, 'TEST 17: a conflict emits nothing');
$r = PortfolioTest::http(POST => '/api/testkit/items', cookie => $c,
                         body => { id => 'h2' });
is($hook->(), 2, 'TEST 17: counters.hook == 2 after a second create');
--- request
GET /api/health



=== TEST 18: the scheduled job (every 1 s) runs
--- init
my $c = PortfolioTest::login('zlsh108234567', 'student-pass-1');
# a scheduler, not a speed test: 2.5 s is ample for a 1 s interval
Time::HiRes::sleep(2.5);
my $r = PortfolioTest::http(GET => '/api/testkit/stats', cookie => $c);
is($r->{status}, 200, 'TEST 18: stats');
cmp_ok($r->{json} ? $r->{json}{counters}{job} // 0 : 0, '>', 0,
       'TEST 18: counters.job > 0') or diag($r->{body});
--- request
GET /api/health
--- no_error_log
portfolio job failed



=== TEST 19: settings resolve school -> city: city/ from the bootstrap, then a school's own value
--- http_config eval
PortfolioTest::http_config(plugins => [qw(testkit school selection)])
--- init
my $setting = sub {
    my $r = PortfolioTest::http(GET => '/api/testkit/stats', cookie => $_[0]);
    return $r->{json} ? $r->{json}{setting} : "no stats: $r->{status}";
};
my $stu = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $tp = PortfolioTest::login('tpsh109000001', 'other-pass-1');
my $adm = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
is($setting->($stu), 3, 'TEST 19: city/outcome_select_per_term from the bootstrap');
# the city's 3 is a ceiling (issue 16 item 9): a school lowers it, never raises it
my $r = PortfolioTest::http(PUT => '/api/schools/zlsh/settings/outcome_select_per_term',
                            cookie => $adm, body => { value => '2' });
is($r->{status}, 200, 'TEST 19: the school sets its own value');
is($setting->($stu), 2, 'TEST 19: the school value wins for its users');
is($setting->($tp), 3, 'TEST 19: another school still gets the city value');
--- request
GET /api/health



=== TEST 20: PF_SCOPE_STUDENT: self, relation, school admin of the same school, city admin
--- init
my %who = (
    student => ['zlsh108234567', 'student-pass-1'],
    teacher => ['zlsh122233333', 'teacher-pass-2'],
    admin   => ['zlsh100000001', 'admin-pass-1'],
    other   => ['tpsh109000001', 'other-pass-1'],
    city    => ['cityadmin', 'city-pass-1'],
);
my %c = map { $_ => PortfolioTest::login(@{ $who{$_} }) } keys %who;
for my $case (
    # viewer, student, status
    [student => 'zlsh108234567', 200],   # self
    [student => 'zlsh108234569', 403],   # a classmate
    [teacher => 'zlsh108234567', 200],   # course relation
    [teacher => 'zlsh108234569', 403],   # no relation
    [admin   => 'zlsh108234569', 200],   # school admin, same school
    [admin   => 'tpsh109000001', 403],   # school admin, other school
    [other   => 'zlsh108234567', 403],   # admin of another school
    [city    => 'zlsh108234569', 200],   # city admin: any school
    [city    => 'tpsh109000001', 200],
    [city    => 'zlsh999999999', 403],   # ... but only existing students
) {
    my ($v, $s, $want) = @$case;
    my $r = PortfolioTest::http(GET => "/api/testkit/students/$s", cookie => $c{$v});
    is($r->{status}, $want, "TEST 20: $v sees $s: $want");
    if ($want == 200) {
        is($r->{body}, qq({"student":"$s"}), "TEST 20: $v got $s from the handler");
    } else {
        is($r->{json} && $r->{json}{error}{code}, 'out_of_scope',
           "TEST 20: $v -> $s is out_of_scope");
    }
}
--- request
GET /api/testkit/students/zlsh108234567
--- error_code: 401



=== TEST 21: school plugin: own school 200, another school 403 out_of_scope
--- http_config eval
PortfolioTest::http_config(plugins => ['school'])
--- init
my $c = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $r = PortfolioTest::http(GET => '/api/schools/zlsh', cookie => $c);
is($r->{status}, 200, 'TEST 21: own school');
is($r->{json} && $r->{json}{school}{domain}, 'zlsh', 'TEST 21: the school record');
$r = PortfolioTest::http(GET => '/api/schools/tpsh', cookie => $c);
is($r->{status}, 403, 'TEST 21: another school');
is($r->{json} && $r->{json}{error}{code}, 'out_of_scope', 'TEST 21: out_of_scope');
my $city = PortfolioTest::login('cityadmin', 'city-pass-1');
$r = PortfolioTest::http(GET => '/api/schools/tpsh', cookie => $city);
is($r->{status}, 200, 'TEST 21: a city admin may name any school');
--- request
GET /api/schools/zlsh
--- error_code: 401



=== TEST 22: school settings (SPEC AD2): admin reads (200), a student may not (403 forbidden)
--- http_config eval
PortfolioTest::http_config(plugins => [qw(school student selection)])
--- init
my $adm = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
my $r = PortfolioTest::http(GET => '/api/schools/zlsh/settings', cookie => $adm);
is($r->{status}, 200, 'TEST 22: admin reads the settings');
my %s = map { $_->{name} => $_ } @{ $r->{json} ? $r->{json}{settings} : [] };
is(scalar(keys %s), 11, 'TEST 22: eleven parameters (login_methods too)');
is($s{outcome_select_per_term}{value}, '3', 'TEST 22: the city value shows');
is($s{quota_student_mb}{value}, '200', 'TEST 22: a default shows');
is($s{teacher_mail_hour}{value}, '', 'TEST 22: "never" shows empty');
my $stu = PortfolioTest::login('zlsh108234567', 'student-pass-1');
$r = PortfolioTest::http(GET => '/api/schools/zlsh/settings', cookie => $stu);
is($r->{status}, 403, 'TEST 22: a student may not');
is($r->{json} && $r->{json}{error}{code}, 'forbidden', 'TEST 22: forbidden');
$r = PortfolioTest::http(GET => '/api/schools/tpsh/settings', cookie => $adm);
is($r->{status}, 403, 'TEST 22: nor an admin of another school');
is($r->{json} && $r->{json}{error}{code}, 'out_of_scope', 'TEST 22: out_of_scope');
--- request
GET /api/schools/zlsh/settings
--- error_code: 401



=== TEST 23: school settings (SPEC AD2): set a good value (200, shown), out of range (422), unknown name (404)
--- http_config eval
PortfolioTest::http_config(plugins => [qw(school student selection)])
--- init
my $adm = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
my $value = sub {
    my ($r, $name) = @_;
    my ($s) = grep { $_->{name} eq $name } @{ $r->{json} ? $r->{json}{settings} : [] };
    return $s ? $s->{value} : undef;
};
my $r = PortfolioTest::http(PUT => '/api/schools/zlsh/settings/quota_student_mb',
                            cookie => $adm, body => { value => '300' });
is($r->{status}, 200, 'TEST 23: good value');
is($value->($r, 'quota_student_mb'), '300', 'TEST 23: the new value is shown');
$r = PortfolioTest::http(GET => '/api/schools/zlsh/settings', cookie => $adm);
is($value->($r, 'quota_student_mb'), '300', 'TEST 23: ... and kept');
$r = PortfolioTest::http(PUT => '/api/schools/zlsh/settings/quota_student_mb',
                         cookie => $adm, body => { value => '10241' });
is($r->{status}, 422, 'TEST 23: out of range');
is($r->{body}, '{"error":{"code":"out_of_range","message":"數值超出允許的範圍：參數 '
             . 'quota_student_mb 須為 1 到 10240 的整數（您填的是「10241」）"}}',
   'TEST 23: out_of_range');
$r = PortfolioTest::http(PUT => '/api/schools/zlsh/settings/quota_student_mb',
                         cookie => $adm, body => { value => '12abc' });
is($r->{status}, 422, 'TEST 23: not a number');
$r = PortfolioTest::http(GET => '/api/schools/zlsh/settings', cookie => $adm);
is($value->($r, 'quota_student_mb'), '300', 'TEST 23: refused values changed nothing');
$r = PortfolioTest::http(PUT => '/api/schools/zlsh/settings/no_such_thing',
                         cookie => $adm, body => { value => '1' });
is($r->{status}, 404, 'TEST 23: unknown name');
is($r->{body}, '{"error":{"code":"unknown_setting","message":"沒有名為'
             . '「no_such_thing」的參數"}}', 'TEST 23: unknown_setting');
$r = PortfolioTest::http(PUT => '/api/schools/zlsh/settings/teacher_mail_hour',
                         cookie => $adm, body => { value => '' });
is($r->{status}, 200, 'TEST 23: an empty value where "never" is allowed');
$r = PortfolioTest::http(PUT => '/api/schools/tpsh/settings/quota_student_mb',
                         cookie => $adm, body => { value => '300' });
is($r->{status}, 403, 'TEST 23: not in another school');
my $stu = PortfolioTest::login('zlsh108234567', 'student-pass-1');
$r = PortfolioTest::http(PUT => '/api/schools/zlsh/settings/quota_student_mb',
                         cookie => $stu, body => { value => '1' });
is($r->{status}, 403, 'TEST 23: not by a student');
is($r->{json} && $r->{json}{error}{code}, 'forbidden', 'TEST 23: forbidden');
--- request
PUT /api/schools/zlsh/settings/quota_student_mb
{"value":"1"}
--- more_headers
Content-Type: application/json
--- error_code: 401



=== TEST 24: school settings seen by a city admin are the named school's (host->setting_in)
--- http_config eval
PortfolioTest::http_config(plugins => [qw(school student selection)])
--- init
my $city = PortfolioTest::login('cityadmin', 'city-pass-1');
my $admin = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
my $r = PortfolioTest::http(PUT => '/api/schools/zlsh/settings/outcome_uploads_per_term',
                            cookie => $admin, body => { value => 7 });
is($r->{status}, 200, 'TEST 24: the school admin sets 7');
for my $who ([admin => $admin], [city => $city]) {
    $r = PortfolioTest::http(GET => '/api/schools/zlsh/settings', cookie => $who->[1]);
    my ($s) = grep { $_->{name} eq 'outcome_uploads_per_term' } @{ $r->{json}{settings} };
    is($s && $s->{value}, '7', "TEST 24: $who->[0] sees zlsh's own value 7");
}
$r = PortfolioTest::http(GET => '/api/schools/tpsh/settings', cookie => $city);
my ($s) = grep { $_->{name} eq 'outcome_uploads_per_term' } @{ $r->{json}{settings} };
is($s && $s->{value}, '10', 'TEST 24: the city admin sees tpsh at the default 10');
--- request
GET /api/schools/zlsh/settings
--- error_code: 401



=== TEST 25: school settings: login_methods takes one of its words (SPEC A2), shown with its choices
--- http_config eval
PortfolioTest::http_config(plugins => [qw(school student selection)])
--- init
my $admin = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
my $get = sub {
    my $r = PortfolioTest::http(GET => '/api/schools/zlsh/settings', cookie => $admin);
    my ($s) = grep { $_->{name} eq 'login_methods' } @{ $r->{json}{settings} };
    return $s;
};
my $s = $get->();
is($s->{value}, 'both', 'TEST 25: the default is both');
is($s->{choices}, 'local directory both ', 'TEST 25: the choices are listed');
for my $bad ('ldap', 'dir', 'both ', 'local directory', '') {
    my $r = PortfolioTest::http(PUT => '/api/schools/zlsh/settings/login_methods',
                                cookie => $admin, body => { value => $bad });
    is($r->{status}, 422, "TEST 25: '$bad' is refused");
}
my $r = PortfolioTest::http(PUT => '/api/schools/zlsh/settings/login_methods',
                            cookie => $admin, body => { value => 'directory' });
is($r->{status}, 200, 'TEST 25: directory is accepted');
is($get->()->{value}, 'directory', 'TEST 25: and stored');
--- request
GET /api/schools/zlsh/settings
--- error_code: 401
