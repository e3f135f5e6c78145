# SPEC P6, Q3 (plugin `selection`): the student ticks (勾選) certified
# course outcomes for the central database: own outcomes only, passed
# ones only, inside the selection window (作業期間), at most
# outcome_select_per_term (3) a term and outcome_select_per_year (6) a
# school year, shown as "(n/limit)"; unticking until the window closes;
# the limits hold however many ticks race; the school sees who selected
# what (AD4).
#
# Outcomes, windows and settings are seeded as records with testkit's
# seed route (the plugins that make them are tested on their own).

use utf8;
use Test::Nginx::Socket 'no_plan';
use PortfolioTest;
use JSON::PP ();
use Time::HiRes ();

no_shuffle();
# every block: the usual configuration with selection, admin and testkit
PortfolioTest::block_defaults(plugins => [qw(selection admin testkit)]);
run_tests();


# --- helpers for the init sections ------------------------------------------

# (run_tests() runs before file-level code below it: no lexicals here; the
# shared ones, seed, now_ms and is_error, are PortfolioTest's)

# An outcome as plugins/README.md describes it, and its id entry.
sub main::outcome {
    my ($cookie, $student, $id, $term, $status, %more) = @_;
    my $rec = {
        id => $id, student => $student, school => 'zlsh', term => $term,
        code => "C$id", course_name => "課程 $id", subject => '資訊科技',
        kind => 'normal', description => "成果 $id",
        document => { sha256 => 'a' x 64, size => 10, mime => 'application/pdf',
                      ext => 'pdf', name => "$id.pdf" },
        media => undef, status => $status, reviewer => 'zlsh122233333',
        decision => $status eq 'pending' ? undef : ($status eq 'passed' ? 'pass' : 'fail'),
        note => '', decided_by => undef, decided_at => undef,
        submitted_at => 1700000000000, published_at => undef,
        selected => JSON::PP::false, selected_at => undef,
        created => 1700000000000, updated => 1700000000000, by => $student,
        %more,
    };
    PortfolioTest::seed($cookie, 'outcomes', "$student\x1f$id", $rec);
    PortfolioTest::seed($cookie, 'outcome_ids', $id, { student => $student });
}

# A window at a level: "school/zlsh", "city" or "nation".
sub main::window {
    my ($cookie, $level, $term, $kind, $from, $to) = @_;
    PortfolioTest::seed($cookie, 'settings', "$level/window/$term/$kind",
                        { from => $from, to => $to });
}

sub main::tick {
    my ($cookie, $id) = @_;
    return PortfolioTest::http(POST => "/api/outcomes/$id/selection",
                               cookie => $cookie, body => {});
}

sub main::untick {
    my ($cookie, $id) = @_;
    return PortfolioTest::http(DELETE => "/api/outcomes/$id/selection",
                               cookie => $cookie);
}

__DATA__

=== TEST 1: P6 a student ticks a passed outcome of their own; pending, failed, unknown and others' outcomes are refused
--- init
use utf8;
my $s1 = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $s3 = PortfolioTest::login('zlsh108234569', 'student-pass-3');
my $t = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');
my $now = PortfolioTest::now_ms();
main::window($s1, 'school/zlsh', '113-1', 'select', $now - 3600_000, $now + 3600_000);
main::outcome($s1, 'zlsh108234567', 'o-pass', '113-1', 'passed');
main::outcome($s1, 'zlsh108234567', 'o-pend', '113-1', 'pending');
main::outcome($s1, 'zlsh108234567', 'o-fail', '113-1', 'failed');
main::outcome($s1, 'zlsh108234567', 'o-draft', '113-1', 'draft');
main::outcome($s1, 'zlsh108234569', 'o-other', '113-1', 'passed');

my $r = main::tick($s1, 'o-pass');
is($r->{status}, 200, 'tick a passed outcome');
my $o = $r->{json}{outcome};
is($o->{id}, 'o-pass', 'the outcome is answered');
ok($o->{selected}, 'selected is true');
ok($o->{selected_at} >= $now && $o->{selected_at} <= PortfolioTest::now_ms(), 'selected_at is now');
ok($o->{updated} >= $now, 'updated is now');
is($o->{by}, 'zlsh108234567', 'by is the student');
is($o->{status}, 'passed', 'other fields kept: status');
is($o->{description}, '成果 o-pass', 'other fields kept: description');
is($o->{document}{sha256}, 'a' x 64, 'other fields kept: document');
is_deeply($r->{json}{term}, { term => '113-1', selected => 1, limit => 3, text => '(1/3)' },
          'term counter (1/3)');
is_deeply($r->{json}{year}, { year => '113', selected => 1, limit => 6, text => '(1/6)' },
          'year counter (1/6)');

# ticking again changes nothing
my $at = $o->{selected_at};
$r = main::tick($s1, 'o-pass');
is($r->{status}, 200, 'a second tick is 200');
is($r->{json}{outcome}{selected_at}, $at, 'selected_at unchanged');
is($r->{json}{term}{selected}, 1, 'still (1/3)');

# only passed outcomes
for my $id (qw(o-pend o-fail o-draft)) {
    $r = main::tick($s1, $id);
    PortfolioTest::is_error($r, 422, 'not_passed', "tick $id");
}

# unknown ids, others' outcomes, other roles
PortfolioTest::is_error(main::tick($s1, 'no-such'), 404, 'not_found', 'an unknown id');
PortfolioTest::is_error(main::tick($s1, 'bad%20id'), 404, 'not_found', 'an invalid id');
PortfolioTest::is_error(main::tick($s1, 'o-other'), 403, 'forbidden', "another student's outcome");
PortfolioTest::is_error(main::untick($s1, 'o-other'), 403, 'forbidden', "unticking another's outcome");
PortfolioTest::is_error(main::tick($s3, 'o-pass'), 403, 'forbidden', "the other student ticks mine");
PortfolioTest::is_error(main::tick($t, 'o-pass'), 403, 'forbidden', 'a teacher cannot tick');

# the list: passed outcomes only, with flags and counters
$r = PortfolioTest::http(GET => '/api/selections?term=113-1', cookie => $s1);
is($r->{status}, 200, 'GET /selections?term=113-1');
is_deeply([ map { $_->{id} } @{ $r->{json}{outcomes} } ], ['o-pass'],
          'only the passed outcome is listed');
ok($r->{json}{outcomes}[0]{selected}, 'with its selected flag');
is($r->{json}{term}{text}, '(1/3)', 'term (1/3)');
is($r->{json}{year}{text}, '(1/6)', 'year (1/6)');
ok($r->{json}{window}{open}, 'the window is open');
is($r->{json}{window}{to}, $now + 3600_000, 'and closes at its "to"');

$r = PortfolioTest::http(GET => '/api/selections', cookie => $s1);
is($r->{status}, 200, 'GET /selections without a term');
is_deeply($r->{json}{terms}, [{ term => '113-1', selected => 1, limit => 3 }], 'counters per term');
is_deeply($r->{json}{years}, [{ year => '113', selected => 1, limit => 6 }], 'counters per year');

$r = PortfolioTest::http(GET => '/api/selections?term=113', cookie => $s1);
PortfolioTest::is_error($r, 422, 'invalid_field', 'a malformed term');

$r = PortfolioTest::http(GET => '/api/selections?term=113-1', cookie => $s3);
is_deeply([ map { $_->{id} } @{ $r->{json}{outcomes} } ], ['o-other'],
          'the other student sees only their own');
is($r->{json}{term}{selected}, 0, 'and (0/3)');

# the tick is in the student's history (SPEC Q4), attributed
my $a = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
$r = PortfolioTest::http(GET => '/api/students/zlsh108234567/history', cookie => $a);
my @sel = grep { $_->{action} eq 'outcome.selected' } @{ $r->{json}{history} || [] };
is(scalar @sel, 1, 'one outcome.selected entry (the second tick wrote nothing)');
is($sel[0]{by}, 'zlsh108234567', 'by the student');
is($sel[0]{detail}{id}, 'o-pass', 'naming the outcome');
--- request
GET /api/selections
--- error_code: 401
--- no_error_log
[error]



=== TEST 2: P6 at most 3 a term (3/3) and 6 a school year (6/6); unticking frees a place
--- init
use utf8;
my $s1 = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $now = PortfolioTest::now_ms();
for my $term ('113-1', '113-2') {
    main::window($s1, 'school/zlsh', $term, 'select', $now - 3600_000, $now + 3600_000);
}
for my $i (1 .. 5) {
    main::outcome($s1, 'zlsh108234567', "a$i", '113-1', 'passed');
    main::outcome($s1, 'zlsh108234567', "b$i", '113-2', 'passed');
}

for my $i (1 .. 3) {
    my $r = main::tick($s1, "a$i");
    is($r->{status}, 200, "tick a$i in 113-1");
    is($r->{json}{term}{text}, "($i/3)", "term ($i/3)");
}

my $r = main::tick($s1, 'a4');
PortfolioTest::is_error($r, 422, 'limit_reached', 'a 4th tick in 113-1');
like($r->{json}{error}{message}, qr/\(3\/3\)/, 'the message says (3/3)');

# untick then tick another
$r = main::untick($s1, 'a2');
is($r->{status}, 200, 'untick a2');
ok(!$r->{json}{outcome}{selected}, 'a2 is no longer selected');
is($r->{json}{outcome}{selected_at}, undef, 'selected_at cleared');
is($r->{json}{term}{text}, '(2/3)', 'term (2/3)');
$r = main::untick($s1, 'a2');
is($r->{status}, 200, 'unticking again is 200');
is($r->{json}{term}{text}, '(2/3)', 'still (2/3)');
$r = main::tick($s1, 'a4');
is($r->{status}, 200, 'now a4 can be ticked');
is($r->{json}{term}{text}, '(3/3)', 'term (3/3)');

# the city raises its term limit to 4 (the year limit stays 6); a school could
# only lower it (issue 16 item 9, t/101)
PortfolioTest::seed($s1, 'settings', 'city/outcome_select_per_term', '4');
$r = main::tick($s1, 'a5');
is($r->{status}, 200, 'a 4th in 113-1 under a limit of 4');
is($r->{json}{term}{text}, '(4/4)', 'term (4/4)');
is($r->{json}{year}{text}, '(4/6)', 'year (4/6)');

for my $i (1 .. 2) {
    $r = main::tick($s1, "b$i");
    is($r->{status}, 200, "tick b$i in 113-2");
}
is($r->{json}{term}{text}, '(2/4)', '113-2 (2/4)');
is($r->{json}{year}{text}, '(6/6)', 'year (6/6)');

$r = main::tick($s1, 'b3');
PortfolioTest::is_error($r, 422, 'limit_reached', 'a 7th tick in the school year');
like($r->{json}{error}{message}, qr/\(6\/6\)/, 'the message says (6/6)');
like($r->{json}{error}{message}, qr/113 學年度/, 'and names the school year');

# the national year limit is a setting too
PortfolioTest::seed($s1, 'settings', 'nation/outcome_select_per_year', '7');
$r = main::tick($s1, 'b3');
is($r->{status}, 200, 'with a year limit of 7 the 7th tick passes');
is($r->{json}{year}{text}, '(7/7)', 'year (7/7)');

$r = PortfolioTest::http(GET => '/api/selections?term=113-2', cookie => $s1);
is(scalar(grep { $_->{selected} } @{ $r->{json}{outcomes} }), 3, '3 selected in 113-2');
is($r->{json}{term}{text}, '(3/4)', 'GET: term (3/4)');
is($r->{json}{year}{text}, '(7/7)', 'GET: year (7/7)');
--- request
GET /api/selections
--- error_code: 401
--- no_error_log
[error]



=== TEST 3: P6 AD3 ticks only inside the selection window: none, expired, future, closed at city level; untick after it closes is refused
--- init
use utf8;
my $s1 = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $now = PortfolioTest::now_ms();
main::outcome($s1, 'zlsh108234567', 'w1', '113-1', 'passed');
main::outcome($s1, 'zlsh108234567', 'w2', '113-1', 'passed');

my $r = main::tick($s1, 'w1');
PortfolioTest::is_error($r, 403, 'window_closed', 'no window set at any level');
like($r->{json}{error}{message}, qr/現在不在勾選學習成果的作業期間內：113-1 學期尚未設定/,
     'in words: no window is set (issue 16 item 7)');

main::window($s1, 'school/zlsh', '113-1', 'select', $now - 7200_000, $now - 3600_000);
$r = main::tick($s1, 'w1');
PortfolioTest::is_error($r, 403, 'window_closed', 'an expired window');
like($r->{json}{error}{message}, qr{113-1 學期勾選學習成果的期間為 \d{4}/\d\d/\d\d \d\d:\d\d 至 \d{4}/\d\d/\d\d \d\d:\d\d（臺灣時間）},
     "in words, with the window's dates in Taiwan time");

main::window($s1, 'school/zlsh', '113-1', 'select', $now + 3600_000, $now + 7200_000);
PortfolioTest::is_error(main::tick($s1, 'w1'), 403, 'window_closed', 'a future window');

# another kind's window does not open selection
main::window($s1, 'school/zlsh', '113-1', 'upload', $now - 3600_000, $now + 3600_000);
PortfolioTest::is_error(main::tick($s1, 'w1'), 403, 'window_closed', 'only the upload window is open');

# another term's window does not either
main::window($s1, 'school/zlsh', '113-2', 'select', $now - 3600_000, $now + 3600_000);
PortfolioTest::is_error(main::tick($s1, 'w1'), 403, 'window_closed', "only 113-2's window is open");

main::window($s1, 'school/zlsh', '113-1', 'select', $now - 3600_000, $now + 3600_000);
$r = main::tick($s1, 'w1');
is($r->{status}, 200, 'inside the window');
$r = main::tick($s1, 'w2');
is($r->{status}, 200, 'a second one');

# the city closed its window: every level that sets one must contain now
main::window($s1, 'city', '113-1', 'select', $now - 7200_000, $now - 3600_000);
PortfolioTest::is_error(main::untick($s1, 'w1'), 403, 'window_closed', 'the city window has closed');
main::window($s1, 'city', '113-1', 'select', $now - 7200_000, $now + 3600_000);
$r = main::untick($s1, 'w1');
is($r->{status}, 200, 'city and school windows both open: untick');

# the window closes (to is exclusive)
main::window($s1, 'school/zlsh', '113-1', 'select', $now - 3600_000, PortfolioTest::now_ms() + 300);
Time::HiRes::sleep(0.5);
PortfolioTest::is_error(main::untick($s1, 'w2'), 403, 'window_closed', 'untick after the window closed');
PortfolioTest::is_error(main::tick($s1, 'w1'), 403, 'window_closed', 'tick after the window closed');

$r = PortfolioTest::http(GET => '/api/selections?term=113-1', cookie => $s1);
is_deeply([ map { $_->{id} } grep { $_->{selected} } @{ $r->{json}{outcomes} } ], ['w2'],
          'w2 stays selected');
ok(!$r->{json}{window}{open}, 'GET shows the window closed');
--- request
GET /api/selections
--- error_code: 401
--- no_error_log
[error]



=== TEST 4: P6 Q3 ten simultaneous ticks by one student: exactly 3 succeed
--- init
use utf8;
my $s1 = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $now = PortfolioTest::now_ms();
main::window($s1, 'school/zlsh', '113-1', 'select', $now - 3600_000, $now + 3600_000);
main::outcome($s1, 'zlsh108234567', "c$_", '113-1', 'passed') for 1 .. 10;
# a second session too, as a student with two tabs open
my $s1b = PortfolioTest::login('zlsh108234567', 'student-pass-1');

# a gated write (t/plugins/testkit.c) holds the writer until the ten wait
# behind it, so they run together, each in its own nested transaction of
# one batch
my ($held, $gate, $pending) = PortfolioTest::gated_writes(1);
my $sent = PortfolioTest::send_all([
    map { { method => 'POST', path => "/api/outcomes/c$_/selection", body => {},
            cookie => $_ % 2 ? $s1 : $s1b } } 1 .. 10
]);
ok(PortfolioTest::wait_until(sub { $pending->() >= 11 }), 'the ten wait for the writer');
ok($gate->(1), 'the gated write let through');
is(PortfolioTest::collect($held->[0])->[0]{status}, 200, 'the gated write');
my $res = PortfolioTest::collect($sent);
my @ok = grep { ($_->{status} // 0) == 200 } @$res;
my @full = grep { ($_->{status} // 0) == 422 } @$res;
is(scalar @ok, 3, 'exactly 3 ticks succeed');
is(scalar @full, 7, 'the 7 others are refused');
is(scalar(grep { $_->{json}{error}{code} eq 'limit_reached' } @full), 7, 'as limit_reached');
is(scalar(grep { ($_->{json}{error}{message} // '') =~ /\(3\/3\)/ } @full), 7, 'each saying (3/3)');

my $r = PortfolioTest::http(GET => '/api/selections?term=113-1', cookie => $s1);
is(scalar(grep { $_->{selected} } @{ $r->{json}{outcomes} }), 3, 'afterwards 3 are selected');
is($r->{json}{term}{text}, '(3/3)', 'and the counter says (3/3)');

# the same outcome ticked 10 times at once: one change, all answered 200
main::untick($s1, $ok[0]{json}{outcome}{id});
my ($free) = map { $_->{id} } grep { !$_->{selected} } @{ $r->{json}{outcomes} };
$res = PortfolioTest::parallel([
    map { { method => 'POST', path => "/api/outcomes/$free/selection", body => {},
            cookie => $s1 } } 1 .. 10
]);
is(scalar(grep { ($_->{status} // 0) == 200 } @$res), 10, 'ten ticks of one outcome: all 200');
$r = PortfolioTest::http(GET => '/api/selections?term=113-1', cookie => $s1);
is($r->{json}{term}{text}, '(3/3)', 'still (3/3)');

# ticks and unticks mixed: the count never passes the limit
$res = PortfolioTest::parallel([
    (map { { method => 'POST', path => "/api/outcomes/c$_/selection", body => {},
             cookie => $s1 } } 1 .. 10),
    (map { { method => 'DELETE', path => "/api/outcomes/c$_/selection",
             cookie => $s1b } } 1 .. 10),
]);
is(scalar(grep { !defined $_->{status} } @$res), 0, 'every request answered');
$r = PortfolioTest::http(GET => '/api/selections?term=113-1', cookie => $s1);
my $n = grep { $_->{selected} } @{ $r->{json}{outcomes} };
ok($n <= 3, "at most 3 selected after a mixed burst ($n)");
is($r->{json}{term}{selected}, $n, 'the counter matches the flags');
--- request
GET /api/selections
--- error_code: 401
--- no_error_log
[error]



=== TEST 5: AD4 the school sees who selected what; students and other schools cannot
--- init
use utf8;
my $s1 = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $s3 = PortfolioTest::login('zlsh108234569', 'student-pass-3');
my $a = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
my $x = PortfolioTest::login('tpsh109000001', 'other-pass-1');
my $city = PortfolioTest::login('cityadmin', 'city-pass-1');
my $now = PortfolioTest::now_ms();
main::window($s1, 'school/zlsh', $_, 'select', $now - 3600_000, $now + 3600_000)
    for '113-1', '113-2';
main::outcome($s1, 'zlsh108234567', 'r1', '113-1', 'passed');
main::outcome($s1, 'zlsh108234567', 'r2', '113-2', 'passed');
main::outcome($s1, 'zlsh108234569', 'r3', '113-1', 'passed');
main::outcome($s1, 'zlsh108234569', 'r4', '113-1', 'passed');
is(main::tick($s1, 'r1')->{status}, 200, 'tick r1');
is(main::tick($s1, 'r2')->{status}, 200, 'tick r2');
is(main::tick($s3, 'r3')->{status}, 200, 'tick r3');
is(main::tick($s3, 'r4')->{status}, 200, 'tick r4');
is(main::untick($s3, 'r4')->{status}, 200, 'untick r4');

my $r = PortfolioTest::http(GET => '/api/schools/zlsh/selections?term=113-1', cookie => $a);
is($r->{status}, 200, 'the school admin asks for 113-1');
is_deeply([ map { "$_->{student}:$_->{outcome}{id}" } @{ $r->{json}{selections} } ],
          ['zlsh108234567:r1', 'zlsh108234569:r3'], 'who selected what in 113-1');
is($r->{json}{total}, 2, 'total 2');
is($r->{json}{selections}[0]{name}, '李小明', 'with the student name');
is($r->{json}{selections}[0]{class}, '101', 'and class');
is($r->{json}{selections}[0]{outcome}{course_name}, '課程 r1', 'and the course');
ok($r->{json}{selections}[0]{outcome}{selected_at} >= $now, 'and when');

$r = PortfolioTest::http(GET => '/api/schools/zlsh/selections?year=113', cookie => $a);
is_deeply([ map { $_->{outcome}{id} } @{ $r->{json}{selections} } ], [qw(r1 r3 r2)],
          'the school year 113: both terms');

$r = PortfolioTest::http(GET => '/api/schools/zlsh/selections', cookie => $city);
is($r->{status}, 200, 'the city admin may ask');
is($r->{json}{total}, 3, 'everything selected');

$r = PortfolioTest::http(GET => '/api/schools/zlsh/selections?term=1131', cookie => $a);
PortfolioTest::is_error($r, 422, 'invalid_field', 'a malformed term');

PortfolioTest::is_error(PortfolioTest::http(GET => '/api/schools/zlsh/selections', cookie => $s1),
                        403, 'forbidden', 'a student');
PortfolioTest::is_error(PortfolioTest::http(GET => '/api/schools/zlsh/selections', cookie => $x),
                        403, 'out_of_scope', "another school's admin");
$r = PortfolioTest::http(GET => '/api/schools/tpsh/selections', cookie => $x);
is($r->{json}{total}, 0, 'their own school has none');
--- request
GET /api/schools/zlsh/selections
--- error_code: 401
--- no_error_log
[error]



=== TEST 6: P6 a database from before the "selected" index: ticks already in the records count, and the student's first tick fills the index
--- init
use utf8;
my $s1 = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $now = PortfolioTest::now_ms();
for my $term ('113-1', '113-2') {
    main::window($s1, 'school/zlsh', $term, 'select', $now - 3600_000, $now + 3600_000);
}
# selected in the records only, as an older version left them
main::outcome($s1, 'zlsh108234567', 'o1', '113-1', 'passed',
              selected => JSON::PP::true, selected_at => 1700000000000);
main::outcome($s1, 'zlsh108234567', 'o2', '113-1', 'passed',
              selected => JSON::PP::true, selected_at => 1700000000001);
main::outcome($s1, 'zlsh108234567', 'o3', '113-2', 'passed',
              selected => JSON::PP::true, selected_at => 1700000000002);
main::outcome($s1, 'zlsh108234567', "n$_", '113-1', 'passed') for 1 .. 2;

my $r = main::tick($s1, 'n1');
is($r->{status}, 200, 'a tick with two older ticks in the term');
is($r->{json}{term}{text}, '(3/3)', 'the older ticks count: (3/3)');
is($r->{json}{year}{text}, '(4/6)', 'and in the year: (4/6)');

$r = main::tick($s1, 'n2');
PortfolioTest::is_error($r, 422, 'limit_reached', 'a 4th tick');

$r = PortfolioTest::http(GET => "/api/testkit/records?db=selected&prefix=zlsh108234567",
                         cookie => $s1);
is_deeply([ sort map { $_->{key} } @{ $r->{json}{records} } ],
          [ 'zlsh108234567', map { "zlsh108234567\x1f$_" } "113-1\x1fn1", "113-1\x1fo1",
            "113-1\x1fo2", "113-2\x1fo3" ],
          'the index: the mark and one key per selected outcome');

$r = main::untick($s1, 'o1');
is($r->{json}{term}{text}, '(2/3)', 'unticking an older tick frees its place');
$r = main::tick($s1, 'n2');
is($r->{status}, 200, 'so n2 can be ticked');
is($r->{json}{term}{text}, '(3/3)', '(3/3) again');
--- request
GET /api/selections
--- error_code: 401
--- no_error_log
[error]
