# Issue 2 item 4: "nginx -t" itself fails, naming the plugin and the
# reason, for a missing file, a missing entry symbol and another ABI major
# (and passes for a good plugin).  Issue 15: it also refuses, with the
# plugin's name and why, a database the plugin may not declare (the
# core's, another plugin's unshared one, one shared for reading declared
# for writing, one no loaded plugin owns), a route whose scope needs what
# the route lacks, a route table whose stride its ABI minor cannot have,
# and a plugin whose own check refuses; it loads a plugin built for ABI
# 1.0 or 1.1.  Runs the real binary's configuration test, as an operator
# would before a reload.
use strict;
use warnings;
use Test::More;
use PortfolioTest ();

my $build = $ENV{TEST_NGINX_BUILD} or plan skip_all => 'TEST_NGINX_BUILD not set (run scripts/test)';

sub nginx_t {
    my ($plugin_line) = @_;
    return PortfolioTest::run_nginx(PortfolioTest::standalone(http => $plugin_line), '-t');
}

# The plugin's line as every test lists it (PortfolioTest::plugin_lines).
sub plugin_line { PortfolioTest::plugin_lines(@_) }

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
my $abi = PortfolioTest::abi();
like($out, qr/portfolio plugin "abi2": built for ABI 2\.0, this module has ABI \Q$abi\E/, '... naming both versions');

# --- issue 15: the data boundary -------------------------------------------

my $tk = "$build/t-plugins";
($rc, $out) = nginx_t("portfolio_plugin keeper $tk/keeper.so; portfolio_plugin borrower $tk/borrower.so;");
is($rc, 0, 'a database its owner shares for reading, declared for reading: nginx -t passes') or diag($out);

($rc, $out) = nginx_t("portfolio_plugin borrower $tk/borrower_core.so;");
isnt($rc, 0, "a core database declared: nginx -t fails");
like($out, qr/portfolio plugin "borrower": database "users" is the core's; plugins reach its records through host calls/,
     '... naming the plugin and the database');

($rc, $out) = nginx_t("portfolio_plugin keeper $tk/keeper.so; portfolio_plugin borrower $tk/borrower_private.so;");
isnt($rc, 0, "another plugin's database it does not share: nginx -t fails");
like($out, qr/portfolio plugin "borrower": database "keeper_private" is "keeper"'s, which does not share it for reading/,
     '... naming the plugin, the database and its owner');

($rc, $out) = nginx_t("portfolio_plugin keeper $tk/keeper.so; portfolio_plugin borrower $tk/borrower_writer.so;");
isnt($rc, 0, 'a database shared for reading, declared for writing: nginx -t fails');
like($out, qr/portfolio plugin "borrower": database "keeper_shared" is "keeper"'s, which does not share it for writing/,
     '... saying for what');

($rc, $out) = nginx_t("portfolio_plugin borrower $tk/borrower_orphan.so;");
isnt($rc, 0, 'a database no loaded plugin owns: nginx -t fails');
like($out, qr/portfolio plugin "borrower": database "nobody_owns_this" is declared by no loaded plugin as its own/,
     '... naming the plugin and the database');

($rc, $out) = nginx_t("portfolio_plugin borrower $tk/borrower.so;");
isnt($rc, 0, "a shared database whose owner is not loaded: nginx -t fails");
like($out, qr/portfolio plugin "borrower": database "keeper_shared" is declared by no loaded plugin/,
     '... naming the database');

($rc, $out) = nginx_t("portfolio_plugin testkit $tk/testkit.so;");
isnt($rc, 0, 'every database ("*") without all_databases: nginx -t fails');
like($out, qr/portfolio plugin "testkit": it asks for every database \("\*"\); list it with "all_databases"/,
     '... saying how an operator allows it');

($rc, $out) = nginx_t("portfolio_plugin testkit $tk/testkit.so all_databases;");
is($rc, 0, '... and with it, nginx -t passes') or diag($out);

($rc, $out) = nginx_t("portfolio_plugin testkit $tk/testkit.so everything;");
isnt($rc, 0, 'an unknown third parameter: nginx -t fails');
like($out, qr/invalid parameter "everything"/, '... naming it');

# --- issue 15: routes checked against what their scope promises -------------

($rc, $out) = nginx_t("portfolio_plugin badscope $tk/badscope_student.so;");
isnt($rc, 0, 'PF_SCOPE_STUDENT on a path without {student}: nginx -t fails');
like($out, qr/portfolio plugin "badscope": route GET \/badscope\/\{id\}\/outcomes: its scope needs a \{student\} parameter/,
     '... naming the plugin, the route and the parameter');

($rc, $out) = nginx_t("portfolio_plugin badscope $tk/badscope_owner.so;");
isnt($rc, 0, 'PF_SCOPE_OWNER without an owner lookup: nginx -t fails');
like($out, qr/portfolio plugin "badscope": route GET \/badscope\/\{id\} has the scope of a record but no owner lookup/,
     '... naming the route');

($rc, $out) = nginx_t("portfolio_plugin badscope $tk/badscope_lookup.so;");
isnt($rc, 0, 'an owner lookup on a scope that never calls it: nginx -t fails');
like($out, qr/portfolio plugin "badscope": route GET \/badscope\/\{id\} has an owner lookup its scope does not use/,
     '... naming the route');

# --- issue 15: the ABI's versions ------------------------------------------

($rc, $out) = nginx_t("portfolio_plugin badstride $tk/badstride.so;");
isnt($rc, 0, "an ABI $abi route table with 1.1-sized entries: nginx -t fails");
like($out, qr/portfolio plugin "badstride": its route entries are \d+ bytes, ABI \Q$abi\E's are \d+ \(rebuild the plugin\)/,
     '... naming both sizes');

for my $old (qw(old10 old11)) {
    ($rc, $out) = nginx_t("portfolio_plugin $old $tk/$old.so;");
    is($rc, 0, "a plugin built for ABI 1.@{[substr $old, 4]} (smaller descriptor and routes): nginx -t passes")
        or diag($out);
}

($rc, $out) = nginx_t("portfolio_plugin refuses_why $tk/refuses_why.so;");
isnt($rc, 0, 'a plugin whose own check refuses: nginx -t fails');
like($out, qr/portfolio plugin "refuses_why": refused to load with host ABI \Q$abi\E: it refuses on purpose \(t\/plugins\/refuses_why\.c\)/,
     '... with its reason');

done_testing();
