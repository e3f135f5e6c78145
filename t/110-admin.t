# SPEC AD3, AD4, Q4 (plugin `admin`): windows (作業期間) for upload,
# certification and selection per term, set by the school inside the
# city's and the nation's; the city's own windows; times as milliseconds
# or strict ISO 8601 with an offset; the effect on selection; a student's
# change history (who, when); teachers with uncertified outcomes.
#
# Outcomes, queues and other levels' windows are seeded as records with
# testkit's seed route.

use utf8;
use Test::Nginx::Socket 'no_plan';
use PortfolioTest;
use JSON::PP ();
use Time::HiRes ();

no_shuffle();
# every block: the usual configuration with selection, admin and testkit
PortfolioTest::block_defaults(plugins => [qw(selection admin testkit)]);
run_tests();


# --- helpers for the init sections (run_tests() runs first: no lexicals) ----
# --- (the shared ones, seed, now_ms and is_error, are PortfolioTest's)

sub main::outcome {
    my ($cookie, $student, $id, $term, $status, %more) = @_;
    my $rec = {
        id => $id, student => $student, school => 'zlsh', term => $term,
        code => "C$id", course_name => "課程 $id", subject => '資訊科技',
        kind => 'normal', description => "成果 $id", document => undef,
        media => undef, status => $status, reviewer => 'zlsh122233333',
        decision => undef, note => '', decided_by => undef, decided_at => undef,
        submitted_at => 1700000000000, published_at => undef,
        selected => JSON::PP::false, selected_at => undef,
        created => 1700000000000, updated => 1700000000000, by => $student,
        %more,
    };
    PortfolioTest::seed($cookie, 'outcomes', "$student\x1f$id", $rec);
    PortfolioTest::seed($cookie, 'outcome_ids', $id, { student => $student });
}

sub main::put_window {
    my ($cookie, $path, $from, $to) = @_;
    return PortfolioTest::http(PUT => "/api$path", cookie => $cookie,
                               body => { from => $from, to => $to });
}

__DATA__

=== TEST 1: AD3 the school admin sets, reads and removes a window
--- init
use utf8;
my $a = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
my $now = PortfolioTest::now_ms();

my $r = PortfolioTest::http(GET => '/api/schools/zlsh/terms/113-1/windows', cookie => $a);
is($r->{status}, 200, 'GET windows before any is set');
for my $k (qw(upload certify select)) {
    is($r->{json}{windows}{$k}{school}, undef, "$k: no school window");
    is($r->{json}{windows}{$k}{city}, undef, "$k: no city window");
    is($r->{json}{windows}{$k}{nation}, undef, "$k: no national window");
    ok(!$r->{json}{windows}{$k}{open}, "$k: closed");
}

$r = main::put_window($a, '/schools/zlsh/terms/113-1/windows/select',
                      $now - 60_000, $now + 3600_000);
is($r->{status}, 200, 'PUT the select window (ms)');
my $w = $r->{json}{windows}{select};
is($w->{school}{from}, $now - 60_000, 'from stored');
is($w->{school}{to}, $now + 3600_000, 'to stored');
is($w->{school}{by}, 'zlsh100000001', 'by the admin');
ok($w->{school}{updated} >= $now, 'updated now');
like($w->{school}{from_iso}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?\+08:00$/, 'from in Taiwan time');
ok($w->{open}, 'the select window is open now');
is($w->{from}, $now - 60_000, 'effective from');
is($w->{to}, $now + 3600_000, 'effective to');
ok(!$r->{json}{windows}{upload}{open}, 'the upload window is still closed');
is($r->{json}{school}, 'zlsh', 'school');
is($r->{json}{term}, '113-1', 'term');

$r = main::put_window($a, '/schools/zlsh/terms/113-1/windows/upload',
                      '2026-03-01T08:00:00+08:00', '2026-06-30T23:59:59.999+08:00');
is($r->{status}, 200, 'PUT the upload window (ISO 8601)');
$w = $r->{json}{windows}{upload};
is($w->{school}{from}, 1772323200000, 'from 2026-03-01T08:00+08:00 in ms');
is($w->{school}{to}, 1782835199999, 'to 2026-06-30T23:59:59.999+08:00 in ms');
is($w->{school}{from_iso}, '2026-03-01T08:00:00+08:00', 'from_iso round trip');
is($w->{school}{to_iso}, '2026-06-30T23:59:59.999+08:00', 'to_iso round trip');

# a student and a teacher of the school may read the windows (P11)
my $s = PortfolioTest::login('zlsh108234567', 'student-pass-1');
$r = PortfolioTest::http(GET => '/api/schools/zlsh/terms/113-1/windows', cookie => $s);
is($r->{status}, 200, 'a student reads the windows');
ok($r->{json}{windows}{select}{open}, 'and sees selection open');

# replace, then remove
$r = main::put_window($a, '/schools/zlsh/terms/113-1/windows/select',
                      $now + 3600_000, $now + 7200_000);
is($r->{status}, 200, 'PUT again replaces');
ok(!$r->{json}{windows}{select}{open}, 'a future window is not open');

$r = PortfolioTest::http(DELETE => '/api/schools/zlsh/terms/113-1/windows/select', cookie => $a);
is($r->{status}, 200, 'DELETE the select window');
is($r->{json}{windows}{select}{school}, undef, 'gone');
ok($r->{json}{windows}{upload}{school}, 'the upload window stays');

$r = PortfolioTest::http(DELETE => '/api/schools/zlsh/terms/113-1/windows/select', cookie => $a);
PortfolioTest::is_error($r, 404, 'not_found', 'DELETE again');

$r = PortfolioTest::http(GET => '/api/schools/zlsh/terms/113-2/windows', cookie => $a);
is($r->{json}{windows}{upload}{school}, undef, "another term's windows are its own");
--- request
GET /api/schools/zlsh/terms/113-1/windows
--- error_code: 401
--- no_error_log
[error]



=== TEST 2: AD3 A5 only school and city admins set windows, each in scope; bad paths and bodies are refused
--- init
use utf8;
my $a = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
my $s = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $t = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');
my $x = PortfolioTest::login('tpsh109000001', 'other-pass-1');
my $city = PortfolioTest::login('cityadmin', 'city-pass-1');
my $now = PortfolioTest::now_ms();
my @w = ($now, $now + 3600_000);
my $p = '/schools/zlsh/terms/113-1/windows/select';

PortfolioTest::is_error(main::put_window($s, $p, @w), 403, 'forbidden', 'a student sets a window');
PortfolioTest::is_error(main::put_window($t, $p, @w), 403, 'forbidden', 'a teacher sets a window');
PortfolioTest::is_error(PortfolioTest::http(DELETE => "/api$p", cookie => $t), 403, 'forbidden',
                        'a teacher deletes a window');
PortfolioTest::is_error(main::put_window($x, $p, @w), 403, 'out_of_scope', "another school's admin");
PortfolioTest::is_error(PortfolioTest::http(GET => '/api/schools/zlsh/terms/113-1/windows', cookie => $x),
                        403, 'out_of_scope', "another school's admin reads");
PortfolioTest::is_error(PortfolioTest::http(DELETE => "/api$p", cookie => $x), 403, 'out_of_scope',
                        "another school's admin deletes");

my $r = main::put_window($city, $p, @w);
is($r->{status}, 200, 'the city admin may set a school window');
is($r->{json}{windows}{select}{school}{by}, 'cityadmin', 'by the city admin');

$r = main::put_window($x, '/schools/tpsh/terms/113-1/windows/select', @w);
is($r->{status}, 200, 'the other admin sets their own school');
$r = PortfolioTest::http(GET => '/api/schools/zlsh/terms/113-1/windows', cookie => $a);
is($r->{json}{windows}{select}{school}{by}, 'cityadmin', "their window is not zlsh's");

PortfolioTest::is_error(main::put_window($a, '/schools/zlsh/terms/113-1/windows/holiday', @w),
                        404, 'not_found', 'an unknown kind');
PortfolioTest::is_error(main::put_window($a, '/schools/zlsh/terms/113/windows/select', @w),
                        422, 'invalid_field', 'a malformed term');
PortfolioTest::is_error(main::put_window($a, '/schools/zlsh/terms/113-3/windows/select', @w),
                        422, 'invalid_field', 'semester 3');
PortfolioTest::is_error(main::put_window($city, '/schools/nosuch/terms/113-1/windows/select', @w),
                        404, 'not_found', 'an unknown school');
PortfolioTest::is_error(main::put_window($a, $p, $now + 10, $now + 10), 422, 'invalid_window',
                        'from equal to to');
PortfolioTest::is_error(main::put_window($a, $p, $now + 10, $now), 422, 'invalid_window',
                        'from after to');
PortfolioTest::is_error(PortfolioTest::http(PUT => "/api$p", cookie => $a, body => { from => $now }),
                        422, 'invalid_field', 'no "to"');
PortfolioTest::is_error(PortfolioTest::http(PUT => "/api$p", cookie => $a, body => [1, 2]),
                        422, 'invalid_field', 'not an object');
$r = PortfolioTest::http(PUT => "/api$p", cookie => $a);
ok($r->{status} == 400 || $r->{status} == 415, "no body at all ($r->{status})");
--- request
GET /api/schools/zlsh/terms/113-1/windows
--- error_code: 401
--- no_error_log
[error]



=== TEST 3: AD3 C1 a school window nests inside the city's and the nation's
--- init
use utf8;
my $a = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
my $city = PortfolioTest::login('cityadmin', 'city-pass-1');
my $now = PortfolioTest::now_ms();
my $h = 3600_000;

# the city sets its window; a school admin cannot
my $r = main::put_window($a, '/city/terms/113-1/windows/select', $now - $h, $now + 10 * $h);
PortfolioTest::is_error($r, 403, 'forbidden', 'a school admin sets a city window');
PortfolioTest::is_error(PortfolioTest::http(GET => '/api/city/terms/113-1/windows', cookie => $a),
                        403, 'forbidden', 'a school admin reads the city windows');

$r = main::put_window($city, '/city/terms/113-1/windows/select', $now - $h, $now + 10 * $h);
is($r->{status}, 200, 'the city admin sets the city select window');
is($r->{json}{windows}{select}{city}{from}, $now - $h, 'city from');
ok($r->{json}{windows}{select}{open}, 'open at city level');
ok(!exists $r->{json}{windows}{select}{school}, 'the city view has no school level');

# the school window must lie inside
$r = main::put_window($a, '/schools/zlsh/terms/113-1/windows/select', $now - 2 * $h, $now + $h);
PortfolioTest::is_error($r, 422, 'outside_city_window', 'starting before the city window');
like($r->{json}{error}{message}, qr{\d{4}/\d\d/\d\d \d\d:\d\d 到 \d{4}/\d\d/\d\d \d\d:\d\d（臺灣時間）},
     'the message gives the city window in Taiwan time');
$r = main::put_window($a, '/schools/zlsh/terms/113-1/windows/select', $now, $now + 11 * $h);
PortfolioTest::is_error($r, 422, 'outside_city_window', 'ending after the city window');
$r = main::put_window($a, '/schools/zlsh/terms/113-1/windows/select', $now, $now + 10 * $h);
is($r->{status}, 200, 'inside (the same end) is accepted');
my $w = $r->{json}{windows}{select};
is($w->{school}{from}, $now, 'school from');
is($w->{city}{to}, $now + 10 * $h, 'city to shown beside it');
is($w->{from}, $now, 'effective from: the later');
is($w->{to}, $now + 10 * $h, 'effective to: the earlier');
ok($w->{open}, 'open');

# another kind has no city window: anything goes (until the nation sets one)
$r = main::put_window($a, '/schools/zlsh/terms/113-1/windows/certify', $now - 100 * $h, $now + 100 * $h);
is($r->{status}, 200, 'no city certify window: no constraint');

# the nation's window (from the ministry, a setting)
PortfolioTest::seed($city, 'settings', 'nation/window/113-1/upload',
                    { from => $now - 20 * $h, to => $now + 20 * $h });
$r = main::put_window($city, '/city/terms/113-1/windows/upload', $now - 30 * $h, $now);
PortfolioTest::is_error($r, 422, 'outside_nation_window', 'a city window outside the national one');
$r = main::put_window($a, '/schools/zlsh/terms/113-1/windows/upload', $now, $now + 21 * $h);
PortfolioTest::is_error($r, 422, 'outside_nation_window', 'a school window outside the national one');
$r = main::put_window($city, '/city/terms/113-1/windows/upload', $now - 10 * $h, $now + 10 * $h);
is($r->{status}, 200, 'a city window inside the national one');
$r = main::put_window($a, '/schools/zlsh/terms/113-1/windows/upload', $now - 11 * $h, $now);
PortfolioTest::is_error($r, 422, 'outside_city_window', 'inside the nation, outside the city');
$r = main::put_window($a, '/schools/zlsh/terms/113-1/windows/upload', $now - 5 * $h, $now - $h);
is($r->{status}, 200, 'inside both');
$w = $r->{json}{windows}{upload};
ok($w->{nation} && $w->{city} && $w->{school}, 'all three levels shown');
ok(!$w->{open}, 'closed: the school window has ended though the others are open');

$r = PortfolioTest::http(GET => '/api/city/terms/113-1/windows', cookie => $city);
is($r->{status}, 200, 'the city view');
is($r->{json}{windows}{upload}{nation}{to}, $now + 20 * $h, 'shows the national window');
ok($r->{json}{windows}{upload}{open}, 'open at city level');

$r = PortfolioTest::http(DELETE => '/api/city/terms/113-1/windows/upload', cookie => $city);
is($r->{status}, 200, 'the city removes its upload window');
is($r->{json}{windows}{upload}{city}, undef, 'gone');
--- request
GET /api/city/terms/113-1/windows
--- error_code: 401
--- no_error_log
[error]



=== TEST 4: AD3 times as strict ISO 8601 with an offset; anything else is 422
--- init
use utf8;
my $a = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
my $p = '/schools/zlsh/terms/113-2/windows/upload';
my $to = '2099-01-01T00:00:00Z';
my %good = (
    '2026-03-01T08:00:00+08:00'     => 1772323200000,
    '2026-03-01T00:00:00Z'          => 1772323200000,
    '2026-03-01T08:00+08:00'        => 1772323200000,
    '2026-02-28T19:00:00-05:00'     => 1772323200000,
    '2026-03-01T00:00:00.5Z'        => 1772323200500,
    '2026-03-01T00:00:00.123456Z'   => 1772323200123,
    '2024-02-29T00:00:00Z'          => 1709164800000,
    '2026-03-01T13:00:00+00:00'     => 1772370000000,
);
for my $s (sort keys %good) {
    my $r = main::put_window($a, $p, $s, $to);
    is($r->{status}, 200, "\"$s\" is accepted");
    is($r->{json}{windows}{upload}{school}{from}, $good{$s}, "\"$s\" is $good{$s}");
}

my @bad = (
    '2026-03-01T08:00:00',            # no offset
    '2026-03-01 08:00:00+08:00',      # space for T
    '2026-03-01t08:00:00Z',           # lower-case t
    '2026-03-01T08:00:00z',           # lower-case z
    '2026-03-01T08:00:00+0800',       # basic-format offset
    '2026-03-01T08:00:00+08',         # offset hours only
    '2026-03-01T08:00:00+15:00',      # no such offset
    '2026-02-29T00:00:00Z',           # not a leap year
    '2026-04-31T00:00:00Z',           # April has 30 days
    '2026-13-01T00:00:00Z',           # month 13
    '2026-00-10T00:00:00Z',           # month 0
    '2026-03-00T00:00:00Z',           # day 0
    '2026-03-01T24:00:00Z',           # hour 24
    '2026-03-01T08:60:00Z',           # minute 60
    '2026-03-01T08:00:60Z',           # second 60
    '2026-03-01T08:00:00.Z',          # empty fraction
    '2026-3-1T08:00:00Z',             # one-digit month and day
    '26-03-01T08:00:00Z',             # two-digit year
    '1969-12-31T23:59:59Z',           # before 1970
    '2026-03-01T08:00:00+08:00 ',     # trailing space
    '2026-03-01',                     # a date alone
    'tomorrow',
    '',
);
for my $s (@bad) {
    PortfolioTest::is_error(main::put_window($a, $p, $s, $to), 422, 'invalid_field', "\"$s\"");
}
for my $v ([1.5, 'a fraction'], [-1, 'a negative number'], [JSON::PP::true, 'true'],
           [undef, 'null'], [{}, 'an object'], ['1772323200000', 'digits in a string']) {
    PortfolioTest::is_error(main::put_window($a, $p, $v->[0], $to), 422, 'invalid_field',
                            "from as $v->[1]");
}
my $r = PortfolioTest::http(GET => '/api/schools/zlsh/terms/113-2/windows', cookie => $a);
is($r->{json}{windows}{upload}{school}{from}, 1772370000000, 'the last good value stands');
--- request
GET /api/schools/zlsh/terms/113-2/windows
--- error_code: 401
--- no_error_log
[error]



=== TEST 5: AD3 P6 the select window set through this API opens and closes selection
--- init
use utf8;
my $a = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
my $s = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $city = PortfolioTest::login('cityadmin', 'city-pass-1');
my $now = PortfolioTest::now_ms();
main::outcome($s, 'zlsh108234567', 'e1', '113-1', 'passed');
my $tick = sub { PortfolioTest::http(POST => '/api/outcomes/e1/selection', cookie => $s, body => {}) };

PortfolioTest::is_error($tick->(), 403, 'window_closed', 'no window yet');

my $r = main::put_window($a, '/schools/zlsh/terms/113-1/windows/upload', $now - 60_000, $now + 3600_000);
PortfolioTest::is_error($tick->(), 403, 'window_closed', 'an upload window does not open selection');

$r = main::put_window($a, '/schools/zlsh/terms/113-1/windows/select', $now - 60_000, $now + 3600_000);
is($r->{status}, 200, 'the admin opens selection');
$r = $tick->();
is($r->{status}, 200, 'the student ticks');

# the city narrows it: closed for everyone
$r = main::put_window($city, '/city/terms/113-1/windows/select', $now - 7200_000, $now - 3600_000);
is($r->{status}, 200, 'the city sets an already-ended window');
PortfolioTest::is_error(PortfolioTest::http(DELETE => '/api/outcomes/e1/selection', cookie => $s),
                        403, 'window_closed', 'untick refused while the city window is closed');
$r = PortfolioTest::http(GET => '/api/schools/zlsh/terms/113-1/windows', cookie => $s);
ok(!$r->{json}{windows}{select}{open}, 'the view agrees: closed');
$r = PortfolioTest::http(DELETE => '/api/city/terms/113-1/windows/select', cookie => $city);
is($r->{status}, 200, 'the city removes it');
$r = PortfolioTest::http(DELETE => '/api/outcomes/e1/selection', cookie => $s);
is($r->{status}, 200, 'untick inside the school window');

$r = PortfolioTest::http(DELETE => '/api/schools/zlsh/terms/113-1/windows/select', cookie => $a);
is($r->{status}, 200, 'the admin removes the select window');
PortfolioTest::is_error($tick->(), 403, 'window_closed', 'closed again');
--- request
GET /api/selections?term=113-1
--- error_code: 401
--- no_error_log
[error]



=== TEST 6: Q4 a student's history lists every change with who and when, in order, for the school's admins only
--- init
use utf8;
my $a = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
my $s = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $t = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');
my $x = PortfolioTest::login('tpsh109000001', 'other-pass-1');
my $city = PortfolioTest::login('cityadmin', 'city-pass-1');
my $now = PortfolioTest::now_ms();
main::outcome($s, 'zlsh108234567', 'h1', '113-1', 'passed');
main::outcome($s, 'zlsh108234567', 'h2', '113-1', 'passed');
my $r = main::put_window($a, '/schools/zlsh/terms/113-1/windows/select', $now - 60_000, $now + 3600_000);
is($r->{status}, 200, 'window open');

my $before = PortfolioTest::now_ms();
is(PortfolioTest::http(POST => '/api/outcomes/h1/selection', cookie => $s, body => {})->{status}, 200, 'tick h1');
Time::HiRes::sleep(0.01);
is(PortfolioTest::http(POST => '/api/outcomes/h2/selection', cookie => $s, body => {})->{status}, 200, 'tick h2');
Time::HiRes::sleep(0.01);
is(PortfolioTest::http(DELETE => '/api/outcomes/h1/selection', cookie => $s)->{status}, 200, 'untick h1');
my $after = PortfolioTest::now_ms();

$r = PortfolioTest::http(GET => '/api/students/zlsh108234567/history', cookie => $a);
is($r->{status}, 200, 'the school admin reads the history');
is($r->{json}{student}, 'zlsh108234567', 'student');
is($r->{json}{name}, '李小明', 'name');
my @h = @{ $r->{json}{history} };
is_deeply([ map { "$_->{action} $_->{detail}{id}" } @h ],
          ['outcome.selected h1', 'outcome.selected h2', 'outcome.unselected h1'],
          'the tick, tick and untick, in time order');
is_deeply([ map { $_->{by} } @h ], [('zlsh108234567') x 3], 'each by the student');
is($h[0]{by_name}, '李小明', "with the actor's name");
ok($h[0]{at} >= $before && $h[2]{at} <= $after, 'at: when they happened');
ok($h[0]{at} <= $h[1]{at} && $h[1]{at} <= $h[2]{at}, 'times ascend');
is($h[0]{detail}{term}, '113-1', 'detail names the term');
is($h[0]{detail}{course_name}, '課程 h1', 'and the course');
like($h[0]{id}, qr/^[0-9A-Z]{26}$/, 'each entry has its id');
is($r->{json}{next}, undef, 'no more pages');

# pages
$r = PortfolioTest::http(GET => '/api/students/zlsh108234567/history?limit=2', cookie => $a);
is(scalar @{ $r->{json}{history} }, 2, 'limit=2: two entries');
is($r->{json}{next}, $h[1]{id}, 'next is the last id given');
$r = PortfolioTest::http(GET => "/api/students/zlsh108234567/history?limit=2&after=$h[1]{id}", cookie => $a);
is_deeply([ map { $_->{id} } @{ $r->{json}{history} } ], [ $h[2]{id} ], 'the next page');
is($r->{json}{next}, undef, 'the last page');
PortfolioTest::is_error(PortfolioTest::http(GET => '/api/students/zlsh108234567/history?limit=0', cookie => $a),
                        422, 'invalid_field', 'limit=0');

$r = PortfolioTest::http(GET => '/api/students/zlsh108234567/history', cookie => $city);
is($r->{status}, 200, 'the city admin may read it');
is(scalar @{ $r->{json}{history} }, 3, 'the same three entries');

$r = PortfolioTest::http(GET => '/api/students/zlsh108234569/history', cookie => $a);
is($r->{status}, 200, 'another student of the school');
is_deeply($r->{json}{history}, [], 'with no changes yet');

PortfolioTest::is_error(PortfolioTest::http(GET => '/api/students/zlsh108234567/history', cookie => $s),
                        403, 'forbidden', 'the student');
PortfolioTest::is_error(PortfolioTest::http(GET => '/api/students/zlsh108234567/history', cookie => $t),
                        403, 'forbidden', 'the course teacher');
PortfolioTest::is_error(PortfolioTest::http(GET => '/api/students/zlsh108234567/history', cookie => $x),
                        403, 'out_of_scope', "another school's admin");

# an admin of another school who may see the student through a relation
PortfolioTest::seed($a, 'relations', "tpsh109000001\x1fzlsh108234567\x1f*\x1fcourse", {});
PortfolioTest::is_error(PortfolioTest::http(GET => '/api/students/zlsh108234567/history', cookie => $x),
                        403, 'out_of_scope', "another school's admin with a relation to the student");
--- request
GET /api/students/zlsh108234567/history
--- error_code: 401
--- no_error_log
[error]



=== TEST 7: AD4 teachers with uncertified outcomes, with counts, for the school's admins
--- init
use utf8;
my $a = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
my $s = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $x = PortfolioTest::login('tpsh109000001', 'other-pass-1');
my $city = PortfolioTest::login('cityadmin', 'city-pass-1');

my $q = sub {
    my ($reviewer, $student, $id, $term, $status, %more) = @_;
    main::outcome($s, $student, $id, $term, $status, reviewer => $reviewer, %more);
    PortfolioTest::seed($s, 'cert_queue', "$reviewer\x1f$id",
                        { student => $student, term => $term, code => "C$id" });
};
# 林老師: two undecided and one decided but unpublished in 113-1, one in 113-2
$q->('zlsh122233333', 'zlsh108234567', 'u1', '113-1', 'pending', submitted_at => 1700000000300);
$q->('zlsh122233333', 'zlsh108234569', 'u2', '113-1', 'pending', submitted_at => 1700000000100);
$q->('zlsh122233333', 'zlsh108234567', 'u3', '113-1', 'pending', decision => 'pass',
     submitted_at => 1700000000200);
$q->('zlsh122233333', 'zlsh108234567', 'u4', '113-2', 'pending', submitted_at => 1700000000400);
# 陳校管 (also a teacher): one in 113-1
$q->('zlsh100000001', 'zlsh108234569', 'u5', '113-1', 'pending', submitted_at => 1700000000500);
# already published, still queued: not waiting
$q->('zlsh122233333', 'zlsh108234567', 'u6', '113-1', 'passed');
# another school's outcome
$q->('tpsh100000002', 'tpsh109000001', 'u7', '113-1', 'pending', school => 'tpsh');

my $r = PortfolioTest::http(GET => '/api/schools/zlsh/reports/uncertified?term=113-1', cookie => $a);
is($r->{status}, 200, 'the school admin asks for 113-1');
is_deeply($r->{json}{teachers}, [
    { teacher => 'zlsh100000001', name => '陳校管', waiting => 1, undecided => 1,
      unpublished => 0, oldest_submitted_at => 1700000000500 },
    { teacher => 'zlsh122233333', name => '林老師', waiting => 3, undecided => 2,
      unpublished => 1, oldest_submitted_at => 1700000000100 },
], 'each teacher with counts');
is($r->{json}{total_teachers}, 2, 'two teachers');
is($r->{json}{total_outcomes}, 4, 'four outcomes');

$r = PortfolioTest::http(GET => '/api/schools/zlsh/reports/uncertified', cookie => $a);
is($r->{json}{teachers}[1]{waiting}, 4, 'every term: the course teacher has 4');
is($r->{json}{total_outcomes}, 5, 'five in all');

$r = PortfolioTest::http(GET => '/api/schools/zlsh/reports/uncertified?term=113-2', cookie => $city);
is($r->{status}, 200, 'the city admin may ask');
is_deeply([ map { "$_->{teacher}:$_->{waiting}" } @{ $r->{json}{teachers} } ],
          ['zlsh122233333:1'], '113-2: one');

$r = PortfolioTest::http(GET => '/api/schools/tpsh/reports/uncertified', cookie => $x);
is_deeply([ map { "$_->{teacher}:$_->{waiting}" } @{ $r->{json}{teachers} } ],
          ['tpsh100000002:1'], 'the other school sees only its own');

PortfolioTest::is_error(PortfolioTest::http(GET => '/api/schools/zlsh/reports/uncertified', cookie => $s),
                        403, 'forbidden', 'a student');
PortfolioTest::is_error(PortfolioTest::http(GET => '/api/schools/zlsh/reports/uncertified', cookie => $x),
                        403, 'out_of_scope', "another school's admin");
PortfolioTest::is_error(PortfolioTest::http(GET => '/api/schools/zlsh/reports/uncertified?term=x', cookie => $a),
                        422, 'invalid_field', 'a malformed term');
--- request
GET /api/schools/zlsh/reports/uncertified
--- error_code: 401
--- no_error_log
[error]
