# Issue 16 item 7: every error a person can meet is in words for people.
# The API's message is Traditional Chinese, says what is wrong and what to
# do; the code stays English, for programs.  This walks the error answers
# of the core (sign-in, password, routes, scopes, bodies, the directory)
# and of the school, accounts and admin plugins that a test can reach,
# and checks each message: Chinese characters, and no English sentence
# (two English words in a row), so a new English message fails here.
# t/052-messages-source.t checks the message strings in the sources too.

use utf8;
use Test::Nginx::Socket 'no_plan';
use PortfolioTest;

binmode(Test::More->builder->$_, ':encoding(UTF-8)')
    for qw(output failure_output todo_output);
no_shuffle();
PortfolioTest::block_defaults(plugins => [qw(school accounts admin testkit)],
                              api => ['portfolio_json_max_size 4k;',
                                      'portfolio_json_max_depth 8;']);
run_tests();

# words($r, $status, $code, $what): the answer is that error, in words
sub main::words {
    my ($r, $status, $code, $what) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    PortfolioTest::is_error($r, $status, $code, $what);
    my $m = ref $r->{json} eq 'HASH' && ref $r->{json}{error} eq 'HASH'
          ? $r->{json}{error}{message} // '' : '';
    Test::More::like($m, qr/\p{Han}/, "$what: the message is Chinese")
        or Test::More::diag($r->{body});
    Test::More::unlike($m, qr/\b[A-Za-z]+[ ,;:]+[A-Za-z]+\b/,
                       "$what: no English sentence ($m)");
}

sub main::raw {
    my ($method, $path, $body, %headers) = @_;
    return PortfolioTest::http($method => "/api$path", body => $body,
                               headers => { 'Content-Type' => 'application/json', %headers });
}

__DATA__

=== TEST 1: the core's answers: sign-in, password, routes, bodies, scopes, the directory
--- init
my $api = sub { PortfolioTest::api(@_) };

# sign-in
main::words(main::raw(POST => '/session', '[1]'), 422, 'invalid_body', 'a sign-in that is no object');
main::words(main::raw(POST => '/session', '{"username": 1, "password": "x"}'), 422, 'invalid_field',
            'a sign-in with a number for the account');
main::words(main::raw(POST => '/session', '{"username": "' . ('a' x 300) . '", "password": "x"}'),
            422, 'invalid_field', 'an account name too long');
main::words(PortfolioTest::try_login('zlsh108234569', 'wrong'), 401, 'invalid_credentials', 'a wrong password');
my $r;
for (1 .. 8) {
    $r = PortfolioTest::try_login('zlsh108234569', 'wrong');
    last if $r->{status} == 429;
}
main::words($r, 429, 'too_many_attempts', 'wrong passwords again and again');
like($r->{json}{error}{message}, qr/\d+ 秒後/, '... saying how long to wait');

# routes, methods, sessions, bodies
main::words($api->(GET => '/me', undef), 401, 'unauthenticated', 'no session');
main::words($api->(GET => '/me', 'pf_session=nosuchsession'), 401, 'unauthenticated', 'an unknown session');
main::words($api->(GET => '/no/such/thing', undef), 404, 'not_found', 'no such route');
main::words($api->(PATCH => '/session', undef, body => {}), 405, 'method_not_allowed', 'a method the path does not take');
main::words(main::raw(POST => '/session', 'username=a', 'Content-Type' => 'application/x-www-form-urlencoded'),
            415, 'unsupported_media_type', 'a form body');
main::words(main::raw(POST => '/session', '{"username": '), 400, 'bad_json', 'JSON cut short');
main::words(main::raw(POST => '/session', '{"a": 1, "a": 2}'), 400, 'bad_json', 'a duplicate key');
main::words(main::raw(POST => '/session', '[[[[[[[[[[1]]]]]]]]]]'), 400, 'bad_json', 'nesting too deep');
like(main::raw(POST => '/session', '[[[[[[[[[[1]]]]]]]]]]')->{json}{error}{message}, qr/最多 8 層/,
     '... saying the depth allowed');
main::words(main::raw(POST => '/session', "{\"username\": \"\xff\"}"), 400, 'bad_json', 'not UTF-8');
main::words(main::raw(POST => '/session', '{"username": "' . ('a' x 5000) . '"}'), 413, 'body_too_large',
            'a body over portfolio_json_max_size');
main::words(PortfolioTest::http(POST => '/api/session',
                                headers => { 'Content-Length' => 0, 'Content-Type' => 'application/json' }),
            400, 'bad_json', 'an empty JSON body');
main::words(main::raw(POST => '/session', '{"username": "zlsh100000001", "password": "admin-pass-1"}',
                      Origin => 'http://evil.example', 'Sec-Fetch-Site' => 'cross-site'),
            403, 'cross_site_request', 'a request from another site');

# the password
my $s = PortfolioTest::login('zlsh108234567', 'student-pass-1');
main::words($api->(POST => '/password', $s, body => [1]), 422, 'invalid_body', 'a password change that is no object');
main::words($api->(POST => '/password', $s, body => { current => 'student-pass-1', new => 'short' }),
            422, 'weak_password', 'a short new password');
main::words($api->(POST => '/password', $s, body => { current => 'student-pass-1', new => 'student-pass-1' }),
            422, 'weak_password', 'the same password');
main::words($api->(POST => '/password', $s, body => { current => 'student-pass-1', new => 'my zlsh108234567 pw' }),
            422, 'weak_password', 'a password with the account name');
main::words($api->(POST => '/password', $s, body => { current => 'not it', new => 'a good new one 1' }),
            403, 'wrong_password', 'a wrong current password');

# roles and scopes
main::words($api->(GET => '/city/schools', $s), 403, 'forbidden', 'a student at a city route');
my $a = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
main::words($api->(GET => '/schools/tpsh/accounts', $a), 403, 'out_of_scope', 'another school');
main::words($api->(GET => '/students/tpsh109000001/history', $a), 403, 'out_of_scope', 'another school\'s student');

# an initial password not yet changed (黃小華: the last 6 of B234567891)
my $new = PortfolioTest::login('zlsh108234568', '567891');
main::words($api->(GET => '/schools/zlsh/terms/113-1/windows', $new), 403, 'password_change_required',
            'before the first password change');

# the directory (none configured here)
main::words($api->(POST => '/me/directory', $s, body => { username => 'u', password => 'p' }),
            404, 'directory_not_configured', 'binding without a directory');
main::words($api->(POST => '/me/directory', $s, body => [1]), 422, 'invalid_body', 'a binding that is no object');
main::words($api->(POST => '/me/directory', $s, body => { username => '', password => 'p' }),
            422, 'invalid_field', 'an empty directory account');
main::words($api->(DELETE => '/me/directory', $s), 404, 'not_found', 'unbinding what is not bound');
--- request
GET /api/health
--- error_code: 200



=== TEST 2: the school, accounts and admin plugins' answers
--- init
my $api = sub { PortfolioTest::api(@_) };
my $c = PortfolioTest::login('cityadmin', 'city-pass-1');
my $a = PortfolioTest::login('zlsh100000001', 'admin-pass-1');

# school
main::words($api->(GET => '/schools/nosuch', $c), 404, 'not_found', 'no such school');
main::words($api->(POST => '/city/schools', $c, body => [1]), 422, 'invalid_body', 'a school that is no object');
main::words($api->(POST => '/city/schools', $c, body => { name => 'x', code => '313301' }),
            422, 'invalid_field', 'a school without a domain');
main::words($api->(POST => '/city/schools', $c, body => { domain => 'A', name => 'x', code => '313301' }),
            422, 'invalid_domain', 'a bad domain');
main::words($api->(POST => '/city/schools', $c, body => { domain => 'cksh', name => '', code => '313301' }),
            422, 'invalid_name', 'an empty name');
main::words($api->(POST => '/city/schools', $c, body => { domain => 'cksh', name => '成功', code => '1' }),
            422, 'invalid_code', 'a bad code');
is($api->(POST => '/city/schools', $c, body => { domain => 'cksh', name => '成功高中', code => '313301' })->{status},
   201, 'cksh created');
main::words($api->(POST => '/city/schools', $c, body => { domain => 'cksh', name => '成功', code => '313309' }),
            409, 'domain_taken', 'a taken domain');
main::words($api->(POST => '/city/schools', $c, body => { domain => 'jjsh', name => '建國', code => '313301' }),
            409, 'code_taken', 'a taken code');

# accounts: the first admin
main::words($api->(POST => '/schools/zlsh/admins', $c, body => [1]), 422, 'invalid_body', 'an admin that is no object');
main::words($api->(POST => '/schools/zlsh/admins', $c, body => { national_id => 'A123' }),
            422, 'invalid_national_id', 'a bad national ID');
main::words($api->(POST => '/schools/zlsh/admins', $c, body => { national_id => 5 }),
            422, 'invalid_field', 'a number for the national ID');
main::words($api->(POST => '/schools/zlsh/admins', $c, body => { national_id => 'A123456789' }),
            422, 'invalid_field', 'a new admin without a name');

# accounts: lists and grants
main::words($api->(GET => '/schools/zlsh/accounts?role=wizard', $a), 422, 'invalid_field', 'an unknown role filter');
main::words($api->(GET => '/schools/zlsh/accounts?limit=0', $a), 422, 'invalid_field', 'a bad limit');
main::words($api->(GET => '/schools/zlsh/accounts?after=a%20b', $a), 422, 'invalid_field', 'a bad after');
main::words($api->(GET => '/schools/zlsh/accounts?q=' . ('a' x 65), $a), 422, 'invalid_field', 'a long search');
main::words($api->(GET => '/schools/zlsh/accounts/nosuch', $a), 404, 'not_found', 'no such account');
main::words($api->(PUT => '/schools/zlsh/accounts/zlsh122233333/roles/wizard', $a, body => {}),
            404, 'unknown_role', 'an unknown role');
main::words($api->(PUT => '/schools/zlsh/accounts/zlsh122233333/roles/homeroom', $a, body => {}),
            422, 'role_from_sis', 'a role from the import');
main::words($api->(PUT => '/schools/zlsh/accounts/zlsh122233333/roles/city_admin', $a, body => {}),
            422, 'role_not_grantable', 'a role no one grants');
main::words($api->(PUT => '/schools/zlsh/accounts/zlsh108234567/roles/counselor', $a, body => {}),
            422, 'not_staff', 'a staff role for a student');
main::words($api->(DELETE => '/schools/zlsh/accounts/zlsh100000001/roles/school_admin', $a),
            409, 'own_admin_role', 'revoking one\'s own school_admin');

# accounts: temporary accounts
my $soon = PortfolioTest::now_ms() + 86_400_000;
main::words($api->(POST => '/schools/zlsh/temporary-accounts', $a, body => [1]), 422, 'invalid_field',
            'a temporary account that is no object');
main::words($api->(POST => '/schools/zlsh/temporary-accounts', $a, body => { expires => $soon }),
            422, 'invalid_field', 'no reason');
main::words($api->(POST => '/schools/zlsh/temporary-accounts', $a, body => { expires => $soon, reason => 'bored' }),
            422, 'invalid_field', 'an unknown reason');
main::words($api->(POST => '/schools/zlsh/temporary-accounts', $a,
                   body => { expires => $soon, reason => 'other', student => 'zlsh122233333' }),
            422, 'not_a_student', 'a teacher as the student');
main::words($api->(POST => '/schools/zlsh/temporary-accounts', $a,
                   body => { expires => 1000, reason => 'other', name => '某人' }),
            422, 'invalid_expiry', 'an expiry in the past');
main::words($api->(POST => '/schools/zlsh/temporary-accounts', $a,
                   body => { expires => $soon * 2, reason => 'other', name => '某人' }),
            422, 'invalid_expiry', 'an expiry too far');
main::words($api->(POST => '/schools/zlsh/temporary-accounts', $a,
                   body => { expires => 'tomorrow', reason => 'other', name => '某人' }),
            422, 'invalid_field', 'an expiry that is no time');
main::words($api->(POST => '/schools/zlsh/temporary-accounts', $a,
                   body => { reason => 'other', name => '某人' }),
            422, 'invalid_field', 'no expiry');
main::words($api->(POST => '/schools/zlsh/temporary-accounts', $a,
                   body => { expires => $soon, reason => 'other', name => 5 }),
            422, 'invalid_field', 'a number for the name');
main::words($api->(GET => '/schools/zlsh/temporary-accounts?state=gone', $a), 422, 'invalid_field', 'an unknown state');
main::words($api->(PUT => '/schools/zlsh/temporary-accounts/zlsh122233333', $a, body => { expires => $soon }),
            404, 'not_found', 'extending an account that is not temporary');
my $t = $api->(POST => '/schools/zlsh/temporary-accounts', $a,
               body => { expires => $soon, reason => 'other', name => '某人' });
my $tid = $t->{json}{account}{id};
main::words($api->(PUT => "/schools/zlsh/temporary-accounts/$tid", $a, body => [1]), 422, 'invalid_field',
            'an extension that is no object');
is($api->(DELETE => "/schools/zlsh/temporary-accounts/$tid", $a)->{status}, 200, 'the temporary account disabled');
main::words($api->(PUT => "/schools/zlsh/temporary-accounts/$tid", $a, body => { expires => $soon }),
            409, 'account_disabled', 'extending a disabled temporary account');
main::words(PortfolioTest::try_login($tid, $t->{json}{initial_password}), 403, 'account_disabled',
            'signing in with a disabled account');

# admin: windows, history, reports
my $w = '/schools/zlsh/terms/113-1/windows';
main::words($api->(GET => '/schools/zlsh/terms/113/windows', $a), 422, 'invalid_field', 'a bad term');
main::words($api->(PUT => "$w/lunch", $a, body => {}), 404, 'not_found', 'an unknown window kind');
main::words($api->(PUT => "$w/upload", $a, body => [1]), 422, 'invalid_field', 'a window that is no object');
main::words($api->(PUT => "$w/upload", $a, body => { from => 2000, to => 1000 }), 422, 'invalid_window',
            'a window ending before it starts');
main::words($api->(PUT => "$w/upload", $a, body => { from => '2026-03-01', to => 1000 }), 422, 'invalid_field',
            'a time without its offset');
main::words($api->(DELETE => "$w/upload", $a), 404, 'not_found', 'removing a window not set');
my $now = PortfolioTest::now_ms();
is($api->(PUT => '/city/terms/113-1/windows/select', $c, body => { from => $now, to => $now + 3_600_000 })->{status},
   200, 'the city sets its window');
main::words($api->(PUT => "$w/select", $a, body => { from => $now - 7_200_000, to => $now + 3_600_000 }),
            422, 'outside_city_window', 'a school window outside the city\'s');
main::words($api->(GET => '/students/zlsh108234567/history?limit=0', $a), 422, 'invalid_field', 'a bad limit');
main::words($api->(GET => '/students/zlsh108234567/history?after=a%20b', $a), 422, 'invalid_field', 'a bad after');
main::words($api->(GET => '/schools/zlsh/reports/uncertified?term=1131', $a), 422, 'invalid_field',
            'a report for a bad term');
--- request
GET /api/health
--- error_code: 200
