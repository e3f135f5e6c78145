# Issue 15 item 4: settings are declared once, by the plugin that reads
# them, and everything declared can be set through the API -- a documented
# setting the API cannot set can no longer happen.  With every shipped
# plugin loaded, the README's settings table is exactly what the server
# lists from the declarations (name, who declares it, levels, default,
# values, words), and each setting is walked through the API: its bounds
# (or words) taken, the values outside them refused with 422
# out_of_range and nothing changed, at school level and at city level,
# where a school without its own value sees the city's.

use utf8;
use Test::Nginx::Socket 'no_plan';
use PortfolioTest;

no_shuffle();
PortfolioTest::block_defaults(plugins => PortfolioTest::SHIPPED);
run_tests();

# The README's settings table: name => {declared_by, levels, default, values, about}
sub main::readme_settings {
    my $path = "$ENV{TEST_NGINX_ROOT}/README.md";
    open my $fh, '<:encoding(UTF-8)', $path or die "$path: $!\n";
    my $text = do { local $/; <$fh> };
    my ($table) = $text =~ /^### Settings\n.*?\n(\| setting \|.*?)\n\n/ms
        or die "README.md has no settings table\n";
    my %rows;
    for my $line (grep { /^\| `/ } split /\n/, $table) {
        my @c = map { s/^\s+|\s+$//gr } split /\|/, $line;
        shift @c;
        my ($name) = $c[0] =~ /^`(\w+)`$/ or die "bad row: $line\n";
        $rows{$name} = { declared_by => $c[1], levels => $c[2], default => $c[3],
                         values => $c[4], about => $c[5] };
    }
    return \%rows;
}

__DATA__

=== TEST 1: the README's settings table is the declarations the server lists
--- init
my $adm = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
my $r = PortfolioTest::api(GET => '/schools/zlsh/settings', $adm);
is($r->{status}, 200, 'GET /schools/zlsh/settings');
my %api = map { $_->{name} => $_ } @{ $r->{json}{settings} };
my $doc = main::readme_settings();
is_deeply([ sort keys %api ], [ sort keys %$doc ], 'the same settings, no more, no fewer');
for my $name (sort keys %$doc) {
    my ($d, $a) = ($doc->{$name}, $api{$name});
    next unless $a;
    is($d->{declared_by}, $a->{declared_by}, "$name: declared by $a->{declared_by}");
    is($d->{levels}, join(', ', @{ $a->{levels} }), "$name: levels");
    is($d->{about}, $a->{about}, "$name: the same words");
    if (exists $a->{choices}) {
        is($d->{values}, "`" . ($a->{choices} =~ s/\s+$//r) . "`", "$name: its words");
        is($d->{default}, "`$a->{value}`", "$name: default $a->{value}");
    } else {
        like($d->{values}, qr/^\Q$a->{min}\E–\Q$a->{max}\E(?:, or empty)?$/, "$name: $a->{min} to $a->{max}");
        is($d->{default}, $a->{value} eq '' ? '(never)' : "`$a->{value}`", "$name: its default");
    }
}
--- request
GET /api/schools/zlsh/settings
--- error_code: 401



=== TEST 2: every declared setting walked through the API at school level: bounds taken, outside them refused, nothing changed
--- init
my $adm = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
my $list = sub {
    my %s = map { $_->{name} => $_ }
            @{ PortfolioTest::api(GET => '/schools/zlsh/settings', $adm)->{json}{settings} };
    return \%s;
};
my $put = sub { PortfolioTest::api(PUT => "/schools/zlsh/settings/$_[0]", $adm, body => { value => $_[1] }) };
my $before = $list->();
cmp_ok(scalar keys %$before, '>=', 12, 'every shipped plugin declares its settings');
for my $name (sort keys %$before) {
    my $s = $before->{$name};
    if (exists $s->{choices}) {
        for my $w (split ' ', $s->{choices}) {
            is($put->($name, $w)->{status}, 200, "$name: '$w' is taken");
            is($list->()->{$name}{value}, $w, "$name: ... and shown");
        }
        for my $bad ('nope', '', "$s->{value} x") {
            my $r = $put->($name, $bad);
            is($r->{status}, 422, "$name: '$bad' is refused");
            is($r->{json} && $r->{json}{error}{code}, 'out_of_range', "$name: ... out_of_range");
        }
        next;
    }
    # a ceiling (issue 16 item 9): the school goes up to what the levels above set
    my $top = $s->{ceiling} ? $s->{ceiling}{value} : $s->{max};
    for my $v ($s->{min}, $top) {
        is($put->($name, "$v")->{status}, 200, "$name: $v is taken");
        is($list->()->{$name}{value}, "$v", "$name: ... and shown");
    }
    my $kept = $list->()->{$name}{value};
    for my $bad ($s->{max} + 1, $s->{min} - 1, '1.5', 'x',
                 $top < $s->{max} ? ($top + 1) : ()) {
        my $r = $put->($name, "$bad");
        is($r->{status}, 422, "$name: '$bad' is refused");
        is($r->{json} && $r->{json}{error}{code}, 'out_of_range', "$name: ... out_of_range");
    }
    is($list->()->{$name}{value}, $kept, "$name: the refused values changed nothing");
    my $empty = $put->($name, '');
    if ($name eq 'teacher_mail_hour') {
        is($empty->{status}, 200, "$name: empty means never");
    } else {
        is($empty->{status}, 422, "$name: may not be empty");
    }
}
my $r = $put->('window/113-1/upload', '{"from":1,"to":2}');
is($r->{status}, 404, 'a window is not a parameter of this route (the windows routes set them)');
$r = $put->('no_such_setting', '1');
is($r->{json} && $r->{json}{error}{code}, 'unknown_setting', 'an undeclared name: 404 unknown_setting');
--- request
GET /api/schools/zlsh/settings
--- error_code: 401



=== TEST 3: the city level: the city admin lists and sets; a school without its own value sees the city's
--- init
my $city = PortfolioTest::login('cityadmin', 'city-pass-1');
my $r = PortfolioTest::api(GET => '/city/settings', $city);
is($r->{status}, 200, 'GET /city/settings');
my %s = map { $_->{name} => $_ } @{ $r->{json}{settings} };
cmp_ok(scalar keys %s, '>=', 12, 'every setting a city may set');
is($s{outcome_select_per_term}{value}, '3', "the city's own value from the bootstrap file");
$r = PortfolioTest::api(PUT => '/city/settings/quota_student_mb', $city, body => { value => '321' });
is($r->{status}, 200, 'the city sets quota_student_mb');
my $adm = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
my ($q) = grep { $_->{name} eq 'quota_student_mb' }
          @{ PortfolioTest::api(GET => '/schools/zlsh/settings', $adm)->{json}{settings} };
is($q->{value}, '321', 'a school without its own value sees the city\'s');
$r = PortfolioTest::api(PUT => '/city/settings/quota_student_mb', $city, body => { value => '0' });
is($r->{json} && $r->{json}{error}{code}, 'out_of_range', 'the city\'s bounds are the declaration\'s');
$r = PortfolioTest::api(PUT => '/city/settings/quota_student_mb', $adm, body => { value => '300' });
is($r->{status}, 403, 'a school admin may not set the city\'s');
my $st = PortfolioTest::login('zlsh108234567', 'student-pass-1');
is(PortfolioTest::api(GET => '/city/settings', $st)->{status}, 403, 'nor a student read them');
--- request
GET /api/city/settings
--- error_code: 401
