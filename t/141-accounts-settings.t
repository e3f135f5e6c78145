# SPEC A3, AD2 (plugin `accounts`, issue 15 item 4): the accounts plugin
# declares the setting it reads, temporary_account_max_days (1 to 3660
# days, 365 by default, set by a school or the city), so the core's
# settings routes list it and set it, and a temporary account's expiry is
# bounded by the value the school sees: its own, else the city's, else
# the default.  A value stored outside the bounds (the bootstrap file's
# are not checked) counts as the default.

use utf8;
use Test::Nginx::Socket 'no_plan';
use PortfolioTest;

no_shuffle();
PortfolioTest::block_defaults(plugins => [qw(accounts testkit)]);

run_tests();


# --- helpers for the init sections (run_tests() runs first: no lexicals) ----

sub main::day { 86400_000 }

# the setting as a settings answer shows it
sub main::setting {
    my ($r) = @_;
    my ($s) = grep { $_->{name} eq 'temporary_account_max_days' }
                   @{ $r->{json} ? $r->{json}{settings} || [] : [] };
    return $s;
}

sub main::put_setting {
    my ($cookie, $value, $school) = @_;
    my $path = defined $school ? "/api/schools/$school/settings" : '/api/city/settings';
    return PortfolioTest::http(PUT => "$path/temporary_account_max_days",
                               cookie => $cookie, body => { value => $value });
}

# a temporary account expiring in $days days (less a minute: "now" moves)
sub main::tmp_for_days {
    my ($cookie, $days, $school) = @_;
    $school //= 'zlsh';
    return PortfolioTest::http(POST => "/api/schools/$school/temporary-accounts", cookie => $cookie,
                               body => { name => '臨時生', reason => 'other',
                                         expires => PortfolioTest::now_ms() + $days * main::day() - 60_000 });
}

__DATA__

=== TEST 1: AD2 temporary_account_max_days is listed with its bounds, set by a school admin (200, no longer 404 unknown_setting), and bounds the expiry at once
--- init
my $a = PortfolioTest::login('zlsh100000001', 'admin-pass-1');

my $r = PortfolioTest::http(GET => '/api/schools/zlsh/settings', cookie => $a);
is($r->{status}, 200, 'GET the school settings');
my $s = main::setting($r);
ok($s, 'temporary_account_max_days is listed');
is($s->{value}, '365', 'at its default, 365');
is($s->{min}, 1, 'min 1');
is($s->{max}, 3660, 'max 3660');
is($s->{about}, "how far ahead a temporary account's expiry may be, in days (A3)", 'about');

is(main::tmp_for_days($a, 365)->{status}, 201, 'by default a temporary account may last 365 days');
PortfolioTest::is_error(main::tmp_for_days($a, 366), 422, 'invalid_expiry', 'not 366');

$r = main::put_setting($a, '30', 'zlsh');
is($r->{status}, 200, 'PUT /schools/zlsh/settings/temporary_account_max_days 30');
is(main::setting($r)->{value}, '30', 'the answer shows 30');
is(main::setting(PortfolioTest::http(GET => '/api/schools/zlsh/settings', cookie => $a))->{value}, '30',
   'and it is kept');

$r = main::tmp_for_days($a, 31);
PortfolioTest::is_error($r, 422, 'invalid_expiry', 'now 31 days is too far');
is($r->{json}{error}{message}, '臨時帳號的使用期限最多 30 天', 'and says the new bound');
$r = main::tmp_for_days($a, 30);
is($r->{status}, 201, '30 days is fine');
my $id = $r->{json}{account}{id};
PortfolioTest::is_error(PortfolioTest::http(PUT => "/api/schools/zlsh/temporary-accounts/$id", cookie => $a,
                                   body => { expires => PortfolioTest::now_ms() + 31 * main::day() }),
               422, 'invalid_expiry', 'an extension is bounded the same');
is(PortfolioTest::http(PUT => "/api/schools/zlsh/temporary-accounts/$id", cookie => $a,
                       body => { expires => PortfolioTest::now_ms() + 29 * main::day() })->{status},
   200, 'within it, extended');

# a number is accepted as a JSON number too
is(main::put_setting($a, 7, 'zlsh')->{status}, 200, 'PUT 7 as a number');
PortfolioTest::is_error(main::tmp_for_days($a, 8), 422, 'invalid_expiry', '8 days now too far');

# another school keeps the default
my $city = PortfolioTest::login('cityadmin', 'city-pass-1');
is(main::tmp_for_days($city, 300, 'tpsh')->{status}, 201, 'tpsh still allows 300 days');
--- request
GET /api/schools/zlsh/settings
--- error_code: 401
--- no_error_log
[error]



=== TEST 2: AD2 out-of-range and malformed values are refused and change nothing; who may set it
--- init
my $a = PortfolioTest::login('zlsh100000001', 'admin-pass-1');

for my $bad ('0', '3661', '-5', 'abc', '12days', '') {
    PortfolioTest::is_error(main::put_setting($a, $bad, 'zlsh'), 422, 'out_of_range', "'$bad' is refused");
}
my $r = main::put_setting($a, '3661', 'zlsh');
# the settings checks' words (issue 16 item 7), as "\x{...}" (init code is not utf8)
is($r->{json}{error}{message}, "\x{6578}\x{503c}\x{8d85}\x{51fa}\x{5141}\x{8a31}\x{7684}\x{7bc4}\x{570d}"
   . "\x{ff1a}\x{53c3}\x{6578} temporary_account_max_days \x{9808}\x{70ba} 1 \x{5230} 3660 "
   . "\x{7684}\x{6574}\x{6578}\x{ff08}\x{60a8}\x{586b}\x{7684}\x{662f}\x{300c}3661\x{300d}\x{ff09}",
   'the message names the bounds');
is(main::setting(PortfolioTest::http(GET => '/api/schools/zlsh/settings', cookie => $a))->{value}, '365',
   'still the default');
is(main::put_setting($a, '3660', 'zlsh')->{status}, 200, 'the largest, 3660, is accepted');
is(main::put_setting($a, '1', 'zlsh')->{status}, 200, 'the smallest, 1, is accepted');
PortfolioTest::is_error(main::tmp_for_days($a, 2), 422, 'invalid_expiry', 'then 2 days is too far');

my $t = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');
my $s = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $x = PortfolioTest::login('tpsh109000001', 'other-pass-1');
PortfolioTest::is_error(main::put_setting($t, '30', 'zlsh'), 403, 'forbidden', 'a teacher sets it');
PortfolioTest::is_error(main::put_setting($s, '30', 'zlsh'), 403, 'forbidden', 'a student sets it');
PortfolioTest::is_error(main::put_setting($x, '30', 'zlsh'), 403, 'out_of_scope', "another school's admin sets it");
PortfolioTest::is_error(main::put_setting($a, '30'), 403, 'forbidden', 'a school admin sets the city value');
is(main::setting(PortfolioTest::http(GET => '/api/schools/zlsh/settings', cookie => $a))->{value}, '1',
   'refusals changed nothing');
--- request
GET /api/schools/zlsh/settings
--- error_code: 401
--- no_error_log
[error]



=== TEST 3: AD2 the city sets it for every school; a school's own value comes first; an out-of-bounds stored value is the default
--- init
my $a = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
my $city = PortfolioTest::login('cityadmin', 'city-pass-1');

my $r = PortfolioTest::http(GET => '/api/city/settings', cookie => $city);
is(main::setting($r)->{value}, '365', 'the city settings list it at 365');
$r = main::put_setting($city, '10');
is($r->{status}, 200, 'PUT /city/settings/temporary_account_max_days 10');
is(main::setting($r)->{value}, '10', 'the answer shows 10');

PortfolioTest::is_error(main::tmp_for_days($city, 11, 'tpsh'), 422, 'invalid_expiry', "tpsh: the city's 10 days");
is(main::tmp_for_days($city, 10, 'tpsh')->{status}, 201, 'tpsh: 10 days is fine');
PortfolioTest::is_error(main::tmp_for_days($a, 11), 422, 'invalid_expiry', "zlsh too, with no value of its own");
is(main::setting(PortfolioTest::http(GET => '/api/schools/zlsh/settings', cookie => $a))->{value}, '10',
   "zlsh's settings show the city's value");

is(main::put_setting($a, '60', 'zlsh')->{status}, 200, 'zlsh sets 60 of its own');
is(main::tmp_for_days($a, 60)->{status}, 201, 'zlsh: 60 days, past the city value');
PortfolioTest::is_error(main::tmp_for_days($city, 11, 'tpsh'), 422, 'invalid_expiry', 'tpsh keeps the city value');

# a value no PUT would take, stored as the bootstrap file stores its own
PortfolioTest::seed($city, 'settings', 'school/tpsh/temporary_account_max_days', '0');
is(main::tmp_for_days($city, 300, 'tpsh')->{status}, 201, 'which counts as the default, 365');
PortfolioTest::is_error(main::tmp_for_days($city, 366, 'tpsh'), 422, 'invalid_expiry', 'and not more');
--- request
GET /api/city/settings
--- error_code: 401
--- no_error_log
[error]
