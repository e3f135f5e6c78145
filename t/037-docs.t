# Issue 15 item 9: the plugin author's guide (plugins/README.md) and the
# README's Plugin ABI section match the header (portfolio_plugin.h).
# Every host call, every member of the descriptor, route, database and
# setting structs and every PF_ constant a plugin uses is named in the
# guide; the guide's table of minor versions lists each group of members
# the header marks with its minor; the README states the header's ABI
# version and names no host call the header lacks.
use strict;
use warnings;
use Test::More;

my $root = $ENV{TEST_NGINX_ROOT} || '.';

sub slurp {
    my ($path) = @_;
    open my $fh, '<:raw', "$root/$path" or die "$root/$path: $!\n";
    local $/;
    return scalar <$fh>;
}

my $h = slurp('ngx_portfolio_module/portfolio_plugin.h');
my $guide = slurp('plugins/README.md');
my ($abi) = slurp('README.md') =~ /^## Plugin ABI\n(.*?)^## /ms;
ok(defined $abi, 'the README has a Plugin ABI section');
$abi //= '';

my ($major) = $h =~ /#define PF_ABI_MAJOR\s+(\d+)/;
my ($minor) = $h =~ /#define PF_ABI_MINOR\s+(\d+)/;
like($abi, qr/Current ABI: \Q$major.$minor\E\b/, "the README states ABI $major.$minor");
like($guide, qr/now \Q$major.$minor\E\b/, "the guide states ABI $major.$minor");

# a struct's body: from its "typedef struct ... {" to its "} name;"
sub struct_body {
    my ($struct) = @_;
    return $h =~ /typedef struct(?: \w+)? \{\n((?:(?!\n\} \w+;).)*)\n\} \Q$struct\E;/s;
}

# the members of a struct: "name;" or "(*name)(" at the start of a member
sub members {
    my ($struct) = @_;
    my ($body) = struct_body($struct) or die "no struct $struct in the header\n";
    $body =~ s{/\*.*?\*/}{}gs;
    my @m;
    while ($body =~ /(?:\(\*(\w+)\)\s*\(|\b(\w+)\s*(?:\[\w*\])?;)/g) {
        push @m, $1 // $2;
    }
    return @m;
}

my %structs = map { $_ => [ members($_) ] }
    qw(pf_host_api_t pf_plugin_t pf_route_t pf_db_t pf_setting_t pf_job_t pf_hook_t pf_user_t pf_upload_t);
cmp_ok(scalar @{ $structs{pf_host_api_t} }, '>', 60, 'the host API has its calls (parsed)');

for my $s (sort keys %structs) {
    my @missing = grep { $guide !~ /`\Q$_\E`/ } @{ $structs{$s} };
    is_deeply(\@missing, [], "the guide names every member of $s");
}

my @consts = sort grep { !/_$/ }
             ($h =~ /^#define (PF_\w+)/mg);
my @missing = grep { $guide !~ /`\Q$_\E`/ && $guide !~ /\b\Q$_\E\b/ } @consts;
is_deeply(\@missing, [], 'the guide names every PF_ constant and macro of the header');
for my $fn ($h =~ /^(pf_\w+)\(/mg) {
    like($guide, qr/\Q$fn\E/, "the guide names the header's $fn()");
}

# the groups the header marks with their minor: "--- 1.N ---" up to the
# next marker, in pf_host_api_t, pf_route_t and pf_plugin_t
my %group;
for my $struct (qw(pf_host_api_t pf_route_t pf_plugin_t)) {
    my ($body) = struct_body($struct);
    my @parts = split m{/\* --- (1\.\d+)(?:[^*]*)--- \*/}, $body;
    shift @parts;
    while (my ($v, $text) = splice @parts, 0, 2) {
        $text =~ s{/\*.*?\*/}{}gs;
        while ($text =~ /(?:\(\*(\w+)\)\s*\(|\b(\w+)\s*;)/g) {
            push @{ $group{$v} }, $1 // $2;
        }
    }
}
is_deeply([ sort keys %group ], [ map { "1.$_" } 0 .. $minor ],
          "the header marks a group for each minor 1.0 to 1.$minor");
for my $v (sort keys %group) {
    next if $v eq '1.0';      # 1.0's row names what the group is for
    my ($row) = $guide =~ /^\| \Q$v\E \| (.*) \|$/m;
    ok(defined $row, "the guide's version table has $v");
    my @absent = grep { ($row // '') !~ /`\Q$_\E`/ } @{ $group{$v} };
    is_deeply(\@absent, [], "... naming every member $v added");
}

# the README names no host call the header lacks
my %calls = map { $_ => 1 } @{ $structs{pf_host_api_t} };
my ($api_para) = $abi =~ /The host API \(`pf_host_api_t`\)(.*?)\n\n/s;
ok(defined $api_para, "the README's section lists the host API");
my @stale = grep { !$calls{$_} } (($api_para // '') =~ /`(\w+)`/g);
is_deeply(\@stale, [], 'every host call the README names is in the header');

done_testing();
