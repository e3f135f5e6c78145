# SPEC A2, issue 4: the directory escaping's C unit test
# (t/unit/ldap_escape_test.c): RFC 4515 filter values, RFC 4514 DN values,
# template expansion and its bounds.  t/130-ldap.t shows the same through a
# real slapd.
use strict;
use warnings;
use Test::More tests => 1;

my $root = $ENV{TEST_NGINX_ROOT} || '.';
my $out = `bash $root/t/unit/build_test.sh ldap_escape 2>&1`;
my $rc = $?;
diag($out) if $rc;
ok($rc == 0, "ldap escape unit test: " . (($out =~ /(\d+ checks, \d+ failed)/)[0] // 'did not run'));
