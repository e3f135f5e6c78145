# Issue 2 item 4: "nginx -t" itself fails, naming the plugin and the
# reason, for a missing file, a missing entry symbol and another ABI major
# (and passes for a good plugin).  Runs the real binary's configuration
# test, as an operator would before a reload.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use PortfolioTest ();

my $nginx = $ENV{TEST_NGINX_BINARY} || 'nginx';
my $build = $ENV{TEST_NGINX_BUILD} or plan skip_all => 'TEST_NGINX_BUILD not set (run scripts/test)';

sub nginx_t {
    my ($plugin_line) = @_;
    my $dir = tempdir(CLEANUP => 1);
    mkdir "$dir/logs";
    open(my $fh, '>', "$dir/nginx.conf") or die $!;
    print $fh <<"CONF";
load_module $build/ngx_http_portfolio_module.so;
error_log $dir/logs/error.log;
pid $dir/logs/nginx.pid;
events {}
http {
    access_log off;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    portfolio_data_dir $dir/data;
    $plugin_line
    server { listen 127.0.0.1:1; location /api/ { portfolio_api on; } }
}
CONF
    close $fh;
    my $out = `$nginx -t -p $dir -c $dir/nginx.conf 2>&1`;
    return ($? >> 8, $out);
}

# The plugin's line as every test lists it (PortfolioTest::plugin_lines),
# with $TEST_NGINX_BUILD replaced as a Test::Nginx runner would: here
# nginx reads the file as written.
sub plugin_line {
    my ($name) = @_;
    my $line = PortfolioTest::plugin_lines($name) =~ s/\$TEST_NGINX_BUILD\b/$build/gr;
    chomp $line;
    return $line;
}

my ($rc, $out) = nginx_t(plugin_line('school'));
is($rc, 0, 'nginx -t passes with a good plugin') or diag($out);

($rc, $out) = nginx_t("portfolio_plugin ghost $build/plugins/no-such.so;");
isnt($rc, 0, 'missing file: nginx -t fails');
like($out, qr/portfolio plugin "ghost": cannot load ".*no-such\.so"/, '... naming the plugin and the file');

($rc, $out) = nginx_t(plugin_line('noentry'));
isnt($rc, 0, 'no entry symbol: nginx -t fails');
like($out, qr/portfolio plugin "noentry": .* has no entry point "pf_plugin_entry"/, '... naming the missing symbol');

($rc, $out) = nginx_t(plugin_line('abi2'));
isnt($rc, 0, 'another ABI major: nginx -t fails');
like($out, qr/portfolio plugin "abi2": built for ABI 2\.0, this module has ABI 1\.0/, '... naming both versions');

done_testing();
