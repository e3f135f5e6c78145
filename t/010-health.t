# Issue 2 item 6: the health endpoint reports version, plugins and storage.
use Test::Nginx::Socket 'no_plan';
use PortfolioTest;

no_shuffle();
# the module with the school plugin, and nothing else: no bootstrap, no
# password cost
PortfolioTest::block_defaults(plugins => ['school'], bare => 1);
run_tests();

__DATA__

=== TEST 1: health reports version, plugins loaded and storage state
--- request
GET /api/health
--- response_headers
Content-Type: application/json; charset=utf-8
Cache-Control: no-store
--- response_body_like chomp
^\{"status":"ok","version":"\d+\.\d+\.\d+","abi":"1\.0","plugins":\[\{"name":"school","version":"[^"]+","routes":\d+\}\],"storage":\{"ok":true,"used_bytes":\d+,"map_bytes":4294967296,.*\}$
--- no_error_log
[error]
