# ABI 1.4 (issue 15) as the course-outcome plugins use it (student,
# certification, selection, admin): the settings they declare are served
# by the core's settings routes with their bounds and defaults; the
# windows admin declares are not plain settings; the outcome {id} routes
# get their 404 and their owner check from the router, before the body
# is read (PF_SCOPE_OWNER answers not_owner; PF_SCOPE_RECORD leaves the
# rule to the plugin).
#
# Courses, enrollments and windows are seeded through the testkit plugin.

use Test::Nginx::Socket 'no_plan';
use PortfolioTest;
use PortfolioWorld;
use JSON::PP ();
use Time::HiRes ();

no_shuffle();

PortfolioTest::block_defaults(plugins => [qw(student certification selection admin testkit)]);

run_tests();

# Nothing went wrong inside nginx during the init flow.
sub main::setting {
    my ($r, $name) = @_;
    my ($s) = grep { $_->{name} eq $name } @{ $r->{json} ? $r->{json}{settings} : [] };
    return $s;
}

__DATA__

=== TEST 1: the settings the outcome plugins read are declared with their bounds and defaults; the windows are not plain settings
--- init
my $adm = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
my $r = PortfolioTest::http(GET => '/api/schools/zlsh/settings', cookie => $adm);
is($r->{status}, 200, 'GET /schools/zlsh/settings');
my %want = (
    outcome_uploads_per_term    => [1, 100, '10'],
    outcome_uploads_per_subject => [1, 50, '4'],
    quota_student_mb            => [1, 10240, '200'],
    quota_teacher_mb            => [1, 10240, '150'],
    outcome_select_per_term     => [1, 10, '3'],     # the bootstrap's city value
    outcome_select_per_year     => [1, 20, '6'],
);
for my $name (sort keys %want) {
    my $s = main::setting($r, $name);
    ok($s, "$name is listed") or next;
    is_deeply([ @$s{qw(min max value)} ], $want{$name}, "$name: bounds and value");
    ok(length($s->{about} // ''), "$name: a line about it");
}
for my $kind (qw(upload certify select)) {
    ok(!main::setting($r, $kind), "the $kind window is not a plain setting");
    $r = PortfolioTest::http(PUT => "/api/schools/zlsh/settings/$kind", cookie => $adm,
                             body => { value => '1' });
    PortfolioTest::is_error($r, 404, 'unknown_setting', "PUT the $kind window as a setting");
    $r = PortfolioTest::http(GET => '/api/schools/zlsh/settings', cookie => $adm);
}

# bounds from the declaration
$r = PortfolioTest::http(PUT => '/api/schools/zlsh/settings/outcome_select_per_term',
                         cookie => $adm, body => { value => '11' });
PortfolioTest::is_error($r, 422, 'out_of_range', 'outcome_select_per_term 11');
$r = PortfolioTest::http(PUT => '/api/schools/zlsh/settings/outcome_uploads_per_subject',
                         cookie => $adm, body => { value => '0' });
PortfolioTest::is_error($r, 422, 'out_of_range', 'outcome_uploads_per_subject 0');

# a value set there is what the plugins read
$r = PortfolioTest::http(PUT => '/api/schools/zlsh/settings/outcome_uploads_per_term',
                         cookie => $adm, body => { value => '7' });
is($r->{status}, 200, 'outcome_uploads_per_term 7');
$r = PortfolioTest::http(PUT => '/api/schools/zlsh/settings/outcome_select_per_year',
                         cookie => $adm, body => { value => '5' });
is($r->{status}, 200, 'outcome_select_per_year 5');
my $st = PortfolioTest::login('zlsh108234567', 'student-pass-1');
$r = PortfolioTest::api(GET => '/outcomes?term=113-1', $st);
is($r->{json}{term_limit}, 7, 'the list shows the school\'s term limit');
is($r->{json}{subject_limit}, 4, '... and the default subject limit');
$r = PortfolioTest::api(GET => '/selections?term=113-1', $st);
is($r->{json}{term}{limit}, 3, 'the selection list shows the city\'s term limit');
is($r->{json}{year}{limit}, 5, '... and the school\'s year limit');
$r = PortfolioTest::api(GET => '/me/quota', $st);
is($r->{json}{quota_bytes}, 200 * 1024 * 1024, 'the default student quota');
PortfolioTest::log_clean();
--- request
GET /api/health
--- error_code: 200




=== TEST 2: windows written through admin are what the outcome plugins open
--- init
my $adm = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
my $st = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $now = PortfolioTest::now_ms();
my $r = PortfolioTest::api(GET => '/outcomes?term=113-1', $st);
ok(!$r->{json}{upload_open}, 'no window set: upload closed');
$r = PortfolioTest::api(PUT => '/schools/zlsh/terms/113-1/windows/upload', $adm,
               body => { from => $now - 3_600_000, to => $now + 3_600_000 });
is($r->{status}, 200, 'the school admin sets the upload window');
ok($r->{json}{windows}{upload}{open}, '... open in the view');
my $w = main::record($adm, 'settings', 'school/zlsh/window/113-1/upload');
is_deeply([ @$w{qw(from to by)} ], [ $now - 3_600_000, $now + 3_600_000, 'zlsh100000001' ],
          'stored as the school level\'s window/113-1/upload');
$r = PortfolioTest::api(GET => '/outcomes?term=113-1', $st);
ok($r->{json}{upload_open}, 'the student plugin sees the window open');
is($r->{json}{upload_until}, $now + 3_600_000, '... until its end');
$r = PortfolioTest::api(DELETE => '/schools/zlsh/terms/113-1/windows/upload', $adm);
is($r->{status}, 200, 'the window removed');
ok(!main::record($adm, 'settings', 'school/zlsh/window/113-1/upload'), '... from the settings');
$r = PortfolioTest::api(DELETE => '/schools/zlsh/terms/113-1/windows/upload', $adm);
PortfolioTest::is_error($r, 404, 'not_found', 'removing it again');
$r = PortfolioTest::api(GET => '/outcomes?term=113-1', $st);
ok(!$r->{json}{upload_open}, 'upload closed again');
PortfolioTest::log_clean();
--- request
GET /api/health
--- error_code: 200




=== TEST 3: the outcome {id} routes: 404 and the owner check come from the router, before the body is read
--- init
my $admin = main::world();
my $st = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $other = PortfolioTest::login('zlsh108234569', 'student-pass-3');
my $t = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');
my $r = main::create($st, 'CS101');
is($r->{status}, 201, 'a draft') or diag($r->{body});
my $id = $r->{json}{outcome}{id};

# PF_SCOPE_OWNER: another student is refused whatever the body
my $text = { 'Content-Type' => 'text/plain' };
$r = PortfolioTest::api(PATCH => "/outcomes/$id", $other, body => 'x', headers => $text);
PortfolioTest::is_error($r, 403, 'not_owner', 'PATCH of another student, with a body the route refuses');
$r = PortfolioTest::api(PATCH => "/outcomes/$id", $st, body => 'x', headers => $text);
PortfolioTest::is_error($r, 415, 'unsupported_media_type', 'the owner gets as far as the body check');
$r = PortfolioTest::api(PUT => "/outcomes/$id/document", $other, body => main::pdf(),
               headers => { 'Content-Type' => 'text/plain' });
PortfolioTest::is_error($r, 403, 'not_owner', 'uploading to another student\'s outcome as text/plain');
for my $route (["PATCH", ""], ["DELETE", ""], ["POST", "/submit"]) {
    my ($m, $p) = @$route;
    $r = PortfolioTest::api($m => "/outcomes/no-such$p", $st, $m eq 'DELETE' ? () : (body => {}));
    PortfolioTest::is_error($r, 404, 'not_found', "$m /outcomes/no-such$p");
}
$r = main::upload($st, 'no-such', 'document', main::pdf());
PortfolioTest::is_error($r, 404, 'not_found', 'PUT /outcomes/no-such/document');

# PF_SCOPE_RECORD: the plugin's rule after the router's 404
$r = PortfolioTest::api(GET => '/outcomes/no-such', $t);
PortfolioTest::is_error($r, 404, 'not_found', 'GET an unknown outcome');
$r = PortfolioTest::api(GET => "/outcomes/$id", $t);
PortfolioTest::is_error($r, 403, 'out_of_scope', 'a draft is the student\'s alone');
$r = PortfolioTest::api(POST => '/outcomes/no-such/decision', $t, body => { result => 'pass' });
PortfolioTest::is_error($r, 404, 'not_found', 'a decision on an unknown outcome');
$r = PortfolioTest::api(POST => "/outcomes/$id/decision", $t, body => { result => 'pass' });
PortfolioTest::is_error($r, 409, 'not_pending', 'the reviewer on a draft: the plugin\'s refusal');
$r = PortfolioTest::api(POST => '/outcomes/no-such/selection', $st, body => {});
PortfolioTest::is_error($r, 404, 'not_found', 'a tick of an unknown outcome');
$r = PortfolioTest::api(POST => "/outcomes/$id/selection", $other, body => {});
PortfolioTest::is_error($r, 403, 'forbidden', 'a tick of another student\'s outcome: selection\'s own answer');
PortfolioTest::log_clean();
--- request
GET /api/health
--- error_code: 200
