# Issue 2 item 6: the health endpoint reports version, plugins and storage.
use Test::Nginx::Socket 'no_plan';

no_shuffle();
run_tests();

__DATA__

=== TEST 1: health reports version, plugins loaded and storage state
--- main_config
load_module $TEST_NGINX_BUILD/ngx_http_portfolio_module.so;
--- http_config
portfolio_data_dir $TEST_NGINX_SERVER_ROOT/html/data;
portfolio_plugin school $TEST_NGINX_BUILD/plugins/school.so;
--- config
location /api/ {
    portfolio_api on;
}
--- request
GET /api/health
--- response_headers
Content-Type: application/json; charset=utf-8
Cache-Control: no-store
--- response_body_like chomp
^\{"status":"ok","version":"\d+\.\d+\.\d+","abi":"1\.0","plugins":\[\{"name":"school","version":"[^"]+","routes":\d+\}\],"storage":\{"ok":true,"used_bytes":\d+,"map_bytes":4294967296,.*\}$
--- no_error_log
[error]
