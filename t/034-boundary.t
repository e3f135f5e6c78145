# Issue 15: the plugin boundary at run time.  A plugin reaches the
# databases it declared, for what it declared them: another's database
# shared for reading reads, a write to it is PF_DENIED, a database it did
# not declare is PF_DENIED -- each refusal logged with the plugin's name
# and the database.  A plugin built for an older ABI minor (1.0, 1.1) is
# read with its own descriptor and route stride: every route serves,
# with 1.1's max_body and precheck.  (nginx -t's refusals: t/031.)

use Test::Nginx::Socket 'no_plan';
use PortfolioTest;

no_shuffle();
PortfolioTest::block_defaults();
run_tests();

__DATA__

=== TEST 1: a database shared for reading reads; writing it, or reading one not declared, is PF_DENIED and logged
--- http_config eval
PortfolioTest::http_config(plugins => [qw(keeper borrower)])
--- init
my $c = PortfolioTest::login('zlsh108234567', 'student-pass-1');
for my $db (qw(keeper_shared keeper_private)) {
    my $r = PortfolioTest::api(POST => '/keeper/put', $c, body => { db => $db, key => 'k', value => "in $db" });
    is($r->{status}, 204, "the owner writes its $db");
}
my $r = PortfolioTest::api(GET => '/borrower/get?db=keeper_shared&key=k', $c);
is_deeply($r->{json}, { rc => 0, value => 'in keeper_shared' },
          'the borrower reads keeper_shared, which it declared and keeper shares');
$r = PortfolioTest::api(GET => '/borrower/get?db=keeper_private&key=k', $c);
is_deeply($r->{json}, { rc => -2, value => undef },
          'keeper_private, which it did not declare: PF_DENIED, nothing read');
$r = PortfolioTest::api(GET => '/borrower/get?db=users&key=zlsh108234567', $c);
is_deeply($r->{json}, { rc => -2, value => undef }, "the core's users: PF_DENIED");
$r = PortfolioTest::api(POST => '/borrower/put', $c, body => {});
is_deeply($r->{json}, { rc => -2 }, 'writing keeper_shared, declared for reading: PF_DENIED');
$r = PortfolioTest::api(GET => '/keeper/get?db=keeper_shared&key=x', $c);
is_deeply($r->{json}, { rc => 1, value => undef }, '... and nothing was written');
my $log = PortfolioTest::error_log();
like($log, qr/\[error\].*portfolio plugin "borrower": database "keeper_private" is not declared by the plugin/,
     'the undeclared read is logged with the plugin and the database');
like($log, qr/\[error\].*portfolio plugin "borrower": database "users" is not declared by the plugin/,
     '... the core database too');
like($log, qr/\[error\].*portfolio plugin "borrower": database "keeper_shared" is declared for reading only/,
     '... and the write to a read-only declaration');
--- request
GET /api/keeper/get?db=keeper_private&key=k
--- error_code: 401



=== TEST 2: an ABI 1.1 plugin: descriptor and routes of its own size; every route serves, max_body and precheck hold
--- http_config eval
PortfolioTest::http_config(plugins => [qw(old11)])
--- init
my $c = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $r = PortfolioTest::api(GET => '/old/hello', $c);
is_deeply($r->{json}, { abi => '1.1', user => 'zlsh108234567' }, 'route 1 (GET /old/hello) serves');
is(PortfolioTest::api(POST => '/old/items', $c, body => { id => 'a' })->{status}, 201, 'route 2 (POST /old/items) writes');
is(PortfolioTest::api(POST => '/old/items?refuse=1', $c, body => { id => 'b' })->{json}{error}{code},
   'refused_by_precheck', "route 2's precheck (a 1.1 member) runs");
is(PortfolioTest::api(POST => '/old/items', $c, body => { id => 'c' x 80 })->{status}, 413,
   "route 2's max_body of 64 bytes (a 1.1 member) holds");
is_deeply(PortfolioTest::api(GET => '/old/items', $c)->{json}, { items => 1 },
          'route 3 (GET /old/items) reads its database (declared in "dbs")');
$r = PortfolioTest::http(GET => '/api/health');
my ($p) = grep { $_->{name} eq 'old11' } @{ $r->{json}{plugins} };
is($p && $p->{routes}, 3, 'health lists its three routes');
--- request
GET /api/old/hello
--- error_code: 401
--- no_error_log
[error]



=== TEST 3: an ABI 1.0 plugin: routes of 1.0's stride (no max_body, no precheck) serve
--- http_config eval
PortfolioTest::http_config(plugins => [qw(old10)])
--- init
my $c = PortfolioTest::login('zlsh108234567', 'student-pass-1');
is_deeply(PortfolioTest::api(GET => '/old/hello', $c)->{json}, { abi => '1.0', user => 'zlsh108234567' },
          'route 1 serves');
is(PortfolioTest::api(POST => '/old/items?refuse=1', $c, body => { id => 'a' })->{status}, 201,
   'route 2 writes (a 1.0 route has no precheck)');
is_deeply(PortfolioTest::api(GET => '/old/items', $c)->{json}, { items => 1 }, 'route 3 reads');
--- request
GET /api/old/hello
--- error_code: 401
--- no_error_log
[error]
