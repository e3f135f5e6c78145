# Issue 16 item 7: every error message string of the core and of the
# school, accounts and admin plugins (and the helper library's) is in
# words for people: Chinese, and no English sentence (two English words
# in a row).  Reads the sources:
# each call of ngx_http_pf_error(), ngx_http_pf_busy(),
# ngx_http_pf_send_error() and pf_host->error(), its message the string
# literals after the code; a message that only passes another through
# ("%s", "%V") is the caller's, checked where that one is written.  A new
# English message anywhere in these files fails here, reachable by a test
# or not (t/051-errors-zh.t walks the answers themselves).
#
# Not here: the settings routes (_settings*.c), the session cache and the
# temporary account's parts of _auth.c, and the other plugins: their
# owners' (issue 16's other parts).
use strict;
use warnings;
use utf8;
use Test::More;
use PortfolioMessages ();

binmode(Test::More->builder->$_, ':encoding(UTF-8)')
    for qw(output failure_output todo_output);

my $root = $ENV{TEST_NGINX_ROOT} || '.';
my @files = (
    (grep { !m{_settings[^/]*\.c$|_session_cache\.c$} }
     glob("$root/ngx_portfolio_module/*.c")),
    glob("$root/plugins/{school,accounts,admin}/*.c"),
    "$root/plugins/common/pf_common.c", "$root/plugins/common/pf_time.c",
);

# the temporary account's sign-in refusal: rules' part of issue 16
my %elsewhere = ('ngx_http_portfolio_auth.c' => { account_expired => 1 });

my $calls = 0;
for my $file (@files) {
    (my $name = $file) =~ s{.*/}{};
    for my $m (PortfolioMessages::messages($file)) {
        next if $elsewhere{$name}{$m->{code} // ''};
        $calls++;
        ok(PortfolioMessages::in_words($m->{msg}),
           "$name:$m->{line} $m->{code}: \"$m->{msg}\" is in words for people");
    }
}
cmp_ok($calls, '>', 150, "every file was read ($calls messages)");

done_testing();
