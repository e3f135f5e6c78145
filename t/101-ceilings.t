# Issue 16 item 9 (SPEC P6, C1): limits are ceilings down the chain.  The
# nation's outcome_select_per_year (6, the declared default standing in
# for the nation until the bootstrap file sets one) and the city's
# outcome_select_per_term (3) are maxima, as is the nation's
# performance_select_per_year (10), all a lower level may lower, never
# raise: a PUT above the ceiling is refused (422 out_of_range, in words
# naming the ceiling and who set it), a value stored above it (the
# bootstrap file, or kept from before the level above lowered its own)
# reads as the least of the levels' values -- in the settings routes, in
# what the selection plugin counts, and through the host calls of before
# 1.4 -- and the settings routes answer each ceiling (its value, the
# level that set it, whether it is the default).  The upload counts and
# quotas are no ceilings (a school raises them).  A plugin of ABI 1.4,
# whose setting entries lack the member, declares no ceiling; a ceiling
# on a setting that cannot have one is refused by "nginx -t".

use utf8;
use Test::Nginx::Socket 'no_plan';
use PortfolioTest;
use JSON::PP ();

no_shuffle();
# every block: the usual configuration with the plugins declaring the
# settings checked (selection, school, student), admin and testkit
PortfolioTest::block_defaults(plugins => [qw(selection school student admin testkit)]);
run_tests();


# --- helpers for the init sections (run_tests() runs first: no lexicals) ----

# One setting of GET /schools/{school}/settings or /city/settings.
sub main::setting_of {
    my ($cookie, $path, $name) = @_;
    my $r = PortfolioTest::http(GET => "/api$path", cookie => $cookie);
    my ($s) = grep { $_->{name} eq $name } @{ $r->{json} ? $r->{json}{settings} : [] };
    return $s;
}

sub main::put_setting {
    my ($cookie, $path, $name, $value) = @_;
    return PortfolioTest::http(PUT => "/api$path/$name", cookie => $cookie,
                               body => { value => $value });
}

# A passed outcome of the student in a term, as plugins/README.md has it.
sub main::passed {
    my ($cookie, $student, $id, $term) = @_;
    PortfolioTest::seed($cookie, 'outcomes', "$student\x1f$id", {
        id => $id, student => $student, school => 'zlsh', term => $term,
        code => "C$id", course_name => "課程 $id", subject => '資訊科技',
        kind => 'normal', description => "成果 $id", document => undef,
        media => undef, status => 'passed', reviewer => 'zlsh122233333',
        decision => 'pass', note => '', decided_by => 'zlsh122233333',
        decided_at => 1700000000000, submitted_at => 1700000000000,
        published_at => 1700000000000, selected => JSON::PP::false,
        selected_at => undef, created => 1700000000000,
        updated => 1700000000000, by => $student });
    PortfolioTest::seed($cookie, 'outcome_ids', $id, { student => $student });
}

sub main::tick {
    my ($cookie, $id) = @_;
    return PortfolioTest::http(POST => "/api/outcomes/$id/selection",
                               cookie => $cookie, body => {});
}

__DATA__

=== TEST 1: the settings routes answer each ceiling; a school may lower the city's 3 and the nation's 6, never raise them
--- init
my $adm = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
my $st = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $s = main::setting_of($adm, '/schools/zlsh/settings', 'outcome_select_per_term');
is($s->{value}, '3', 'per term: the city value of the bootstrap file');
is_deeply($s->{ceiling}, { value => 3, level => 'city', default => JSON::PP::false },
          'per term: the ceiling is the city\'s 3, which it set');
$s = main::setting_of($adm, '/schools/zlsh/settings', 'outcome_select_per_year');
is($s->{value}, '6', 'per year: 6');
is_deeply($s->{ceiling}, { value => 6, level => 'nation', default => JSON::PP::true },
          'per year: the ceiling is the nation\'s 6, the declared default');
for my $name (qw(outcome_uploads_per_term outcome_uploads_per_subject quota_student_mb
                 quota_teacher_mb)) {
    $s = main::setting_of($adm, '/schools/zlsh/settings', $name);
    ok($s && !exists $s->{ceiling}, "$name is no ceiling");
}
# seeds: 每學年學生至多勾選10件多元表現紀錄, a national rule too
$s = main::setting_of($adm, '/schools/zlsh/settings', 'performance_select_per_year');
is_deeply($s->{ceiling}, { value => 10, level => 'nation', default => JSON::PP::true },
          'performances per year: the nation\'s 10, the declared default');

# raising is refused, in words naming the ceiling and who set it
my $r = main::put_setting($adm, '/schools/zlsh/settings', 'outcome_select_per_term', '4');
PortfolioTest::is_json_error($r, 422, 'out_of_range', 'the school raises the term limit to 4');
like($r->{json}{error}{message}, qr/最多為 3/, 'the message names the ceiling 3');
like($r->{json}{error}{message}, qr/教育局設定的上限/, '... set by the city');
like($r->{json}{error}{message}, qr/學校只能在此之內調低，不能調高/, '... which the school may only lower');
$r = main::put_setting($adm, '/schools/zlsh/settings', 'outcome_select_per_term', '10');
PortfolioTest::is_error($r, 422, 'out_of_range', 'the declared max 10 too');
$r = main::put_setting($adm, '/schools/zlsh/settings', 'outcome_select_per_year', '7');
PortfolioTest::is_error($r, 422, 'out_of_range', 'the school raises the year limit to 7');
like($r->{json}{error}{message}, qr/最多為 6.*國教署規定的上限/, "the nation's 6, its rule");
$r = main::put_setting($adm, '/schools/zlsh/settings', 'performance_select_per_year', '11');
PortfolioTest::is_error($r, 422, 'out_of_range', 'the school raises the performances to 11');
like($r->{json}{error}{message}, qr/最多為 10.*國教署規定的上限/, "the nation's 10, its rule");
is(main::put_setting($adm, '/schools/zlsh/settings', 'performance_select_per_year', '8')->{status}, 200,
   '... and lowers them to 8');
is(main::setting_of($adm, '/schools/zlsh/settings', 'outcome_select_per_term')->{value}, '3',
   'the refused values changed nothing');

# the ceiling itself, and lower, are taken
$r = main::put_setting($adm, '/schools/zlsh/settings', 'outcome_select_per_term', '3');
is($r->{status}, 200, 'the school sets 3, the ceiling');
$r = main::put_setting($adm, '/schools/zlsh/settings', 'outcome_select_per_term', '2');
is($r->{status}, 200, 'and lowers it to 2');
$r = main::put_setting($adm, '/schools/zlsh/settings', 'outcome_select_per_year', '5');
is($r->{status}, 200, 'and the year limit to 5');
$r = PortfolioTest::api(GET => '/selections?term=113-1', $st);
is($r->{json}{term}{text}, '(0/2)', "the student's counter shows the school's 2");
is($r->{json}{year}{text}, '(0/5)', '... and 5');

# the upload counts are the school's own: it may set more than the city
PortfolioTest::seed($adm, 'settings', 'city/outcome_uploads_per_term', '5');
$r = main::put_setting($adm, '/schools/zlsh/settings', 'outcome_uploads_per_term', '8');
is($r->{status}, 200, 'the school raises the upload count above the city\'s 5');
is(main::setting_of($adm, '/schools/zlsh/settings', 'outcome_uploads_per_term')->{value}, '8',
   '... and it is 8');
PortfolioTest::log_clean();
--- request
GET /api/schools/zlsh/settings
--- error_code: 401
--- no_error_log
[error]



=== TEST 2: down the chain: the city lowers and raises its own, the nation caps the city, and what is stored above a ceiling reads as the ceiling
--- init
my $adm = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
my $city = PortfolioTest::login('cityadmin', 'city-pass-1');
my $st = PortfolioTest::login('zlsh108234567', 'student-pass-1');

# the city's own: nothing above it caps the term limit, the nation's 6 the year
my $s = main::setting_of($city, '/city/settings', 'outcome_select_per_term');
is($s->{ceiling}, undef, 'the city\'s term limit has no ceiling above it');
$s = main::setting_of($city, '/city/settings', 'outcome_select_per_year');
is_deeply($s->{ceiling}, { value => 6, level => 'nation', default => JSON::PP::true },
          'the city\'s year limit: the nation\'s 6');
my $r = main::put_setting($city, '/city/settings', 'outcome_select_per_year', '7');
PortfolioTest::is_error($r, 422, 'out_of_range', 'the city raises the year limit to 7');
like($r->{json}{error}{message}, qr/國教署規定的上限，教育局只能在此之內調低/,
     "the nation's rule, which the city may only lower");
is(main::put_setting($city, '/city/settings', 'outcome_select_per_year', '5')->{status}, 200,
   'the city lowers the year limit to 5');
is(main::put_setting($city, '/city/settings', 'outcome_select_per_term', '4')->{status}, 200,
   'the city raises its own term limit to 4');

# the school's ceilings follow
$s = main::setting_of($adm, '/schools/zlsh/settings', 'outcome_select_per_term');
is_deeply($s->{ceiling}, { value => 4, level => 'city', default => JSON::PP::false },
          'the school\'s term ceiling is now the city\'s 4');
is($s->{value}, '4', 'and its value');
$s = main::setting_of($adm, '/schools/zlsh/settings', 'outcome_select_per_year');
is_deeply($s->{ceiling}, { value => 5, level => 'city', default => JSON::PP::false },
          'the school\'s year ceiling is the city\'s 5 (below the nation\'s 6)');
$r = main::put_setting($adm, '/schools/zlsh/settings', 'outcome_select_per_year', '6');
PortfolioTest::is_error($r, 422, 'out_of_range', 'the school may not set the nation\'s 6 now');
like($r->{json}{error}{message}, qr/最多為 5.*教育局設定的上限/, '... the city set 5');

# a school value stored above the ceiling (as the bootstrap file may) reads as the ceiling
PortfolioTest::seed($adm, 'settings', 'school/zlsh/outcome_select_per_term', '9');
is(main::setting_of($adm, '/schools/zlsh/settings', 'outcome_select_per_term')->{value}, '4',
   'a stored 9 reads as the city\'s 4');

# the city lowers its value under the school's: the school's reads as the city's
is(main::put_setting($city, '/city/settings', 'outcome_select_per_term', '2')->{status}, 200,
   'the city lowers the term limit to 2');
is(main::setting_of($adm, '/schools/zlsh/settings', 'outcome_select_per_term')->{value}, '2',
   'the school\'s 9 now reads as 2');
my $now = PortfolioTest::now_ms();
PortfolioTest::seed($adm, 'settings', 'school/zlsh/window/113-1/select',
                    { from => $now - 3_600_000, to => $now + 3_600_000 });
main::passed($adm, 'zlsh108234567', "p$_", '113-1') for 1 .. 3;
is(main::tick($st, 'p1')->{status}, 200, 'tick 1');
$r = main::tick($st, 'p2');
is($r->{status}, 200, 'tick 2');
is($r->{json}{term}{text}, '(2/2)', '(2/2): the selection plugin counts the least');
$r = main::tick($st, 'p3');
PortfolioTest::is_error($r, 422, 'limit_reached', 'a 3rd tick under the city\'s 2');
like($r->{json}{error}{message}, qr{\(2/2\)}, '... (2/2)');

# the nation (the bootstrap file's level) caps the city
PortfolioTest::seed($adm, 'settings', 'nation/outcome_select_per_year', '4');
$s = main::setting_of($city, '/city/settings', 'outcome_select_per_year');
is($s->{value}, '4', 'the city\'s 5 reads as the nation\'s 4');
is_deeply($s->{ceiling}, { value => 4, level => 'nation', default => JSON::PP::false },
          'the nation set it');
$r = main::put_setting($city, '/city/settings', 'outcome_select_per_year', '5');
like($r->{json}{error}{message}, qr/最多為 4.*國教署設定的上限/, 'the city may no longer set 5');
$r = PortfolioTest::api(GET => '/selections?term=113-1', $st);
is($r->{json}{year}{limit}, 4, 'the student counts to 4 a year');
PortfolioTest::log_clean();
--- request
GET /api/city/settings
--- error_code: 401
--- no_error_log
[error]



=== TEST 3: the host calls of before 1.4 (setting_int) read a stored value above the ceiling as the ceiling
--- init
my $st = PortfolioTest::login('zlsh108234567', 'student-pass-1');
PortfolioTest::seed($st, 'settings', 'school/zlsh/outcome_select_per_term', '9');
my $r = PortfolioTest::http(GET => '/api/testkit/stats', cookie => $st);
is($r->{json}{setting}, 3, "a school's 9 reads as the city's 3");
PortfolioTest::seed($st, 'settings', 'school/zlsh/outcome_select_per_term', '2');
$r = PortfolioTest::http(GET => '/api/testkit/stats', cookie => $st);
is($r->{json}{setting}, 2, 'a lower one as itself');
--- request
GET /api/health
--- error_code: 200



=== TEST 4: a plugin of ABI 1.4 (setting entries without the member) declares no ceiling
--- http_config eval
PortfolioTest::http_config(plugins => [qw(selection admin testkit)],
    extra => 'portfolio_plugin ceiling14 $TEST_NGINX_BUILD/t-plugins/ceiling14.so;')
--- init
my $adm = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
my $city = PortfolioTest::login('cityadmin', 'city-pass-1');
my $s = main::setting_of($adm, '/schools/zlsh/settings', 'ceiling14_limit');
ok($s, 'its setting is listed') or diag('not listed');
is($s->{declared_by}, 'ceiling14', 'declared by the 1.4 plugin');
ok(!exists $s->{ceiling}, 'no ceiling');
is(main::put_setting($city, '/city/settings', 'ceiling14_limit', '10')->{status}, 200, 'the city sets 10');
is(main::put_setting($adm, '/schools/zlsh/settings', 'ceiling14_limit', '40')->{status}, 200,
   'the school sets 40, above the city');
is(PortfolioTest::http(GET => '/api/ceiling14', cookie => $adm)->{json}{limit}, 40,
   'and the plugin reads 40');
--- request
GET /api/ceiling14
--- error_code: 401



=== TEST 5: "nginx -t" refuses a ceiling on a setting that cannot have one, naming the plugin and the setting
--- init
my ($rc, $out) = PortfolioTest::run_nginx(PortfolioTest::standalone(
    http => PortfolioTest::plugin_lines('badceiling')), '-t');
isnt($rc, 0, 'nginx -t fails');
like($out, qr/portfolio plugin "badceiling": setting "badceiling_word" has a ceiling: it must be one level \(PF_LEVEL_\*\) of a number that may not be empty/,
     'and says why') or diag($out);
--- request
GET /api/health
--- error_code: 200
