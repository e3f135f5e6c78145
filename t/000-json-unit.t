# The JSON layer's C unit test (t/unit/json_test.c): parsing limits, UTF-8,
# depth, duplicates, generation.  Built against the configured nginx tree.
use strict;
use warnings;
use Test::More tests => 1;

my $root = $ENV{TEST_NGINX_ROOT} || '.';
my $out = `bash $root/t/unit/build_json_test.sh 2>&1`;
my $rc = $?;
diag($out) if $rc;
ok($rc == 0, "json unit test: " . (($out =~ /(\d+ checks, \d+ failed)/)[0] // 'did not run'));
