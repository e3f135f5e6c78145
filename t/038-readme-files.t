# Issue 16 item 18: every file the README (and the plugin author's guide)
# points to is in the repository: paths in backquotes under the
# repository's own directories, and the targets of Markdown links.
# Placeholders (<name>, NAME, KIND, *) stand for a file of the directory named
# before them, which must then exist; paths the product writes at run time
# (var/, build/, blobs/ ...) are not the repository's and are left out.
use strict;
use warnings;
use Test::More;

my $root = $ENV{TEST_NGINX_ROOT} || '.';
my @dirs = qw(conf docs html ngx_portfolio_module plugins scripts t .ci);
my $dirs = join '|', map { quotemeta } @dirs;

for my $doc (qw(README.md plugins/README.md docs/features.md docs/design.md)) {
    next unless -f "$root/$doc" || $doc eq 'README.md';
    open my $fh, '<', "$root/$doc" or die "$root/$doc: $!\n";
    my $text = do { local $/; <$fh> };
    my %paths;
    $paths{$1} = 1 while $text =~ /`((?:$dirs)\/[^`\s]*)`/g;
    # a Markdown file named alone (`SPEC.md`): the reader must have it too
    $paths{$1} = 1 while $text =~ /`([\w.-]+\.md)`/g;
    while ($text =~ /\]\(([^)#\s]+)(?:#[^)]*)?\)/g) {
        my $link = $1;
        next if $link =~ m{^(?:https?:|mailto:)};
        # relative to the document's own directory
        my ($base) = $doc =~ m{^(.*/)?[^/]*$};
        $paths{($base // '') . $link} = 1;
    }
    my @missing;
    for my $p (sort keys %paths) {
        (my $path = $p) =~ s{/+$}{};
        # "t/031": a test file named by its number
        if ($path =~ m{^t/(\d{3})$}) {
            my @tests = glob("$root/t/$1-*.t");
            push @missing, $p unless @tests;
            next;
        }
        # a placeholder part: the directory before it must exist
        $path =~ s{/[^/]*(?:<[^>]*>|\*|\b(?!README\b)[A-Z]{3,}\b)[^/]*(?:/.*)?$}{};
        1 while $path =~ s{(?:^|/)(?!\.\./)[^/]+/\.\./}{/};
        $path =~ s{^/}{};
        push @missing, $p unless -e "$root/$path";
    }
    is_deeply(\@missing, [], "every file $doc points to is in the repository");
}

done_testing();
