# The runner must report failures, not only successes: run a fixture whose
# blocks each fail in a known way and check the TAP it prints.  This also
# exercises TEST_NGINX_PORT and TEST_NGINX_SERVROOT.

use strict;
use warnings;
use Test::More;
use File::Spec;
use File::Path qw(remove_tree);

my $fixture  = 't/selftest/fixtures/failing.pl';
my $servroot = File::Spec->rel2abs('t/servroot-selftest');

local $ENV{TEST_NGINX_PORT}     = 1985;
local $ENV{TEST_NGINX_SERVROOT} = $servroot;
delete local $ENV{TEST_NGINX_SERVER_PORT};
delete local $ENV{HARNESS_ACTIVE};

my $out = `$^X -It/lib $fixture 2>&1`;
my $status = $? >> 8;
remove_tree($servroot);

my %result;    # test name -> 'ok' / 'not ok'
for (split /\n/, $out) {
    $result{$2} = $1 if /^(ok|not ok) \d+ - (.*)$/;
}

my @expect = (
    [ 'ok',     'TEST 1: passes - status code ok' ],
    [ 'ok',     'TEST 1: passes - response_body - response is expected' ],
    [ 'ok',     'TEST 2: wrong body - status code ok' ],
    [ 'not ok', 'TEST 2: wrong body - response_body - response is expected' ],
    [ 'not ok', 'TEST 3: wrong status - status code ok' ],
    [ 'not ok', 'TEST 4: wrong header, header that should be absent - header X-A ok' ],
    [ 'not ok', 'TEST 4: wrong header, header that should be absent - header X-B ok' ],
    [ 'ok',     'TEST 5: error_log line missing, no_error_log line present - status code ok' ],
    [ 'not ok', 'TEST 5: error_log line missing, no_error_log line present - pattern "this text is not in the log" matches a line in error.log' ],
    [ 'not ok', 'TEST 5: error_log line missing, no_error_log line present - pattern "[error]" should not match any line in error.log' ],
    [ 'not ok', 'TEST 6: must_die but the config is valid - die as expected' ],
    [ 'not ok', 'TEST 7: init dies - init code ran' ],
    [ 'ok',     'TEST 7: init dies - status code ok' ],
    [ 'not ok', 'TEST 8: response_body_like does not match - response_body_like - response is expected (abc)' ],
    [ 'not ok', 'TEST 9: nginx cannot start (no must_die) - status code ok' ],
    [ 'not ok', 'TEST 10: timeout waiting for a request body that never comes - status code ok' ],
);

for my $e (@expect) {
    my ($want, $name) = @$e;
    is($result{$name} // 'missing', $want, "$want: $name");
}

ok(!grep(/TEST 11/, keys %result), 'SKIP block was not run');
is(scalar(keys %result), 18, 'no other tests were reported');
isnt($status, 0, 'fixture exits non-zero');
like($out, qr/TEST 9: nginx cannot start.*nginx failed to start.*no_such_directive_here/s,
     'a failed start is explained with nginx\'s own message');
like($out, qr/timed out after 0\.3s/, 'a timeout is reported as such');

done_testing();
