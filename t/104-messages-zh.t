# Issue 16 item 7, the rules part: every message a person sees from the
# student, certification and selection plugins, the sis plugin's reading
# routes (sis_read.c), the outcome helpers (pf_outcome.c), the core's
# settings routes and checks (_settings*.c), the session cache and the
# temporary account's refusals is in Traditional Chinese, with no English
# sentence (two English words in a row, the printf directives aside).
# Reads the sources: each error call's message (ngx_http_pf_error(),
# pf_host->error()) and each reason a message is made of ("why" and
# "*why" assignments, the settings checks' ngx_slprintf() into why); a
# message that only passes another through ("%s", "%V") is checked where
# that one is written.  (t/052 does the same for the core's other files
# and the school, accounts and admin plugins.)
use strict;
use warnings;
use utf8;
use Test::More;
use PortfolioMessages ();

binmode(Test::More->builder->$_, ':encoding(UTF-8)')
    for qw(output failure_output todo_output);

my $root = $ENV{TEST_NGINX_ROOT} || '.';
my @files = (
    glob("$root/plugins/{student,certification,selection}/*.c"),
    "$root/plugins/sis/sis_read.c", "$root/plugins/common/pf_outcome.c",
    glob("$root/ngx_portfolio_module/ngx_http_portfolio_settings*.c"),
    "$root/ngx_portfolio_module/ngx_http_portfolio_session_cache.c",
);

my $calls = 0;
for my $file (@files) {
    (my $name = $file) =~ s{.*/}{};
    # the error calls' messages, then the reasons messages are made of
    for my $m (PortfolioMessages::messages($file, why => 1, passthrough => qr/^(?:%[sV]|%\.\*s)$/)) {
        $calls++;
        ok(PortfolioMessages::in_words($m->{msg}),
           "$name:$m->{line} $m->{code}: \"$m->{msg}\" is in words for people");
    }
}
cmp_ok($calls, '>', 100, "every file was read ($calls messages)");

done_testing();
