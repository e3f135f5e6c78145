#!/usr/bin/perl
# The seed's generator and driver (called by scripts/seed, not by hand).
#
#   seed.pl gen DIR SCHOOLS STUDENTS_PER_SCHOOL
#       writes DIR/gen/bootstrap.json and one CSV per school, term and kind
#   seed.pl load DIR API JOBS
#       imports every CSV through the sis import route of a running nginx,
#       bulk-loads the outcomes through benchkit, signs in and changes the
#       password of a sample of students and teachers (DIR/accounts.tsv)
#
# Only core Perl (HTTP::Tiny, JSON::PP): a bare Debian has both.
use strict;
use warnings;
use utf8;
use HTTP::Tiny;
use JSON::PP;
use Time::HiRes qw(time);
use POSIX ();

binmode(STDOUT, ':utf8');
binmode(STDERR, ':utf8');
$| = 1;

my @TERMS = ('114-2', '115-1');
my @SUBJECTS = (
    ['CHI', '國語文', '國語文', 4], ['ENG', '英語文', '英語文', 4],
    ['MAT', '數學', '數學', 4],     ['PHY', '物理', '自然科學', 2],
    ['CHE', '化學', '自然科學', 2], ['BIO', '生物', '自然科學', 2],
    ['HIS', '歷史', '社會', 2],     ['GEO', '地理', '社會', 2],
    ['CIV', '公民與社會', '社會', 2], ['ART', '美術', '藝術', 2],
);
my $PER_CLASS = 35;
our $CITY_ADMIN = 'cityadmin';
our $CITY_PASSWORD = 'city bench admin';
our $BENCH_PASSWORD = 'Deadline-day 2026';
my $SAMPLE_STUDENTS = 25;    # per school, signed in by the bench
my $SAMPLE_TEACHERS = 2;

my @SURNAMES = split //, '陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何蕭羅高';
my @GIVEN = split //, '家怡宏志明華美玲俊傑淑芬建宇庭婷冠廷柏翰雅筑思妤承恩品妍子晴';

sub name_of { my ($n) = @_;
    return $SURNAMES[$n % @SURNAMES] . $GIVEN[($n / 7) % @GIVEN] . $GIVEN[($n / 3 + 5) % @GIVEN];
}

# A valid national ID: letter, 1 or 2, 7 digits, check digit.
my %LETTER;
@LETTER{'A' .. 'Z'} = (10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21,
                       22, 35, 23, 24, 25, 26, 27, 28, 29, 32, 30, 31, 33);
sub nid { my ($letter, $n) = @_;
    my $body = (1 + $n % 2) . sprintf('%07d', $n % 10_000_000);
    my $v = $LETTER{$letter};
    my $sum = int($v / 10) + ($v % 10) * 9;
    my @w = (8, 7, 6, 5, 4, 3, 2, 1);
    my @d = split //, $body;
    $sum += $d[$_] * $w[$_] for 0 .. 7;
    my $check = (10 - $sum % 10) % 10;
    return "$letter$body$check";
}

sub domain_of { sprintf('hs%02d', $_[0] + 1) }

sub shape { my ($students) = @_;
    my $classes = int(($students + $PER_CLASS - 1) / $PER_CLASS);
    my $teachers = int(($classes * 60 + 35) / 36);
    $teachers = $classes if $teachers < $classes;
    return ($classes, $teachers);
}

sub class_code { my ($c, $classes) = @_;
    my $per_grade = int(($classes + 2) / 3);
    return sprintf('%d%02d', 1 + int($c / $per_grade), 1 + $c % $per_grade);
}

sub write_file { my ($path, $text) = @_;
    open(my $fh, '>:utf8', $path) or die "$path: $!";
    print $fh $text;
    close($fh);
}

# --- gen ----------------------------------------------------------------

sub gen { my ($dir, $nschools, $per_school) = @_;
    my $g = "$dir/gen";
    mkdir $g;
    my ($classes, $teachers) = shape($per_school);
    my @schools;
    my @users = ({ id => $CITY_ADMIN, school => 'city', roles => ['city_admin'],
                   name => '教育局資訊室', password => $CITY_PASSWORD, must_change => JSON::PP::false });
    my (@sample_students, @sample_teachers);

    for my $s (0 .. $nschools - 1) {
        my $d = domain_of($s);
        my $letter = ('A' .. 'Z')[$s % 26];
        push @schools, { domain => $d, name => sprintf('臺北市立第%d高級中學', $s + 1),
                         code => sprintf('3133%02d', $s + 1) };
        push @users, { id => "${d}000000001", school => $d, roles => ['school_admin', 'teacher'],
                       name => name_of($s * 7 + 1), password => "$d bench admin",
                       must_change => JSON::PP::false };

        my (@t_nid, @t_id);
        my $tcsv = "national_id,name\n";
        for my $t (0 .. $teachers - 1) {
            my $nid = nid($letter, 2_000_000 + $s * 1000 + $t);
            push @t_nid, $nid;
            push @t_id, $d . substr($nid, 1);
            $tcsv .= "$nid," . name_of($s * 1000 + $t + 17) . "\n";
        }

        my $ccsv = "class,name,grade,homeroom\n";
        my @cls;
        for my $c (0 .. $classes - 1) {
            my $code = class_code($c, $classes);
            push @cls, $code;
            $ccsv .= sprintf("%s,%d年%d班,%d,%s\n", $code, substr($code, 0, 1),
                             substr($code, 1), substr($code, 0, 1), $t_id[$c % $teachers]);
        }

        my $scsv = "student_number,national_id,name,class,seat\n";
        my @st;    # [number, class index]
        for my $i (0 .. $per_school - 1) {
            my $c = $i % $classes;
            my $seat = 1 + int($i / $classes);
            my $number = sprintf('%d%06d', 113, $i + 1);
            my $nid = nid($letter, 5_000_000 + $s * 10_000 + $i);
            push @st, [$number, $c];
            $scsv .= "$number,$nid," . name_of($s * 10_000 + $i) . ",$cls[$c],$seat\n";
            if ($i < $SAMPLE_STUDENTS) {
                push @sample_students, [$d . $number, substr($nid, 4)];
            }
        }

        # the reviewers of the first class's courses have pending outcomes
        for my $k (0 .. $SAMPLE_TEACHERS - 1) {
            my $t = (0 * 10 + $k) % $teachers;
            push @sample_teachers, [$t_id[$t], substr($t_nid[$t], 4)];
        }

        for my $term (@TERMS) {
            (my $tc = $term) =~ s/-//;
            my $kcsv = "code,name,subject,credits,teacher,co_teachers,kind\n";
            for my $c (0 .. $classes - 1) {
                for my $k (0 .. $#SUBJECTS) {
                    my ($abbr, $name, $subject, $credits) = @{$SUBJECTS[$k]};
                    $kcsv .= "$abbr-$tc-$cls[$c],$name,$subject,$credits,"
                           . $t_id[($c * 10 + $k) % $teachers] . ",,normal\n";
                }
            }
            my $ecsv = "student_number,code,grade,kind\n";
            for my $st (@st) {
                for my $k (0 .. $#SUBJECTS) {
                    $ecsv .= "$st->[0],$SUBJECTS[$k][0]-$tc-$cls[$st->[1]],,\n";
                }
            }
            write_file("$g/$d.$term.teachers.csv", $tcsv);
            write_file("$g/$d.$term.classes.csv", $ccsv);
            write_file("$g/$d.$term.students.csv", $scsv);
            write_file("$g/$d.$term.courses.csv", $kcsv);
            write_file("$g/$d.$term.enrollments.csv", $ecsv);
        }
    }

    write_file("$g/bootstrap.json", JSON::PP->new->utf8(0)->pretty->encode({
        schools => \@schools, users => \@users,
        settings => { 'nation/outcome_select_per_year' => '6',
                      'city/outcome_select_per_term' => '3' } }));
    write_file("$g/sample.tsv", join('', map { "student\t$_->[0]\t$_->[1]\n" } @sample_students)
                               . join('', map { "teacher\t$_->[0]\t$_->[1]\n" } @sample_teachers));
    write_file("$g/schools.txt", join("\n", map { $_->{domain} } @schools) . "\n");
}

# --- load ---------------------------------------------------------------

my $JSON = JSON::PP->new->utf8;

sub api { my ($http, $api, $method, $path, $token, $ctype, $body) = @_;
    my %h = ('Content-Type' => $ctype || 'application/json');
    $h{Authorization} = "Bearer $token" if $token;
    my $res = $http->request($method, "$api$path",
                             { headers => \%h, defined $body ? (content => $body) : () });
    my $data = eval { $JSON->decode($res->{content}) };
    return ($res->{status}, $data, $res);
}

sub must { my ($what, $status, $data, $res) = @_;
    return $data if $status >= 200 && $status < 300;
    die "$what: $status " . ($res->{content} // '') . "\n";
}

sub sign_in { my ($http, $api, $user, $password) = @_;
    my ($st, $d, $res) = api($http, $api, 'POST', '/session', undef, undef,
                             $JSON->encode({ username => $user, password => $password }));
    return undef unless $st == 200;
    my ($token) = ($res->{headers}{'set-cookie'} // '') =~ /=([^;]+)/;
    return ($token, $d);
}

sub slurp { my ($path) = @_;
    open(my $fh, '<:raw', $path) or die "$path: $!";
    local $/; my $s = <$fh>; close($fh); return $s;
}

sub phase { my ($name, $t0) = @_;
    printf("  %-44s %7.1f s\n", $name, time() - $t0);
}

# Runs $code->($i) for each item in $jobs parallel processes.
sub parallel { my ($jobs, $items, $code) = @_;
    my @pids;
    for my $j (0 .. $jobs - 1) {
        my $pid = fork();
        die "fork: $!" unless defined $pid;
        if ($pid == 0) {
            for (my $i = $j; $i < @$items; $i += $jobs) { $code->($items->[$i]) }
            POSIX::_exit(0);
        }
        push @pids, $pid;
    }
    my $failed = 0;
    for (@pids) { waitpid($_, 0); $failed ||= $? }
    die "a parallel step failed\n" if $failed;
}

sub load { my ($dir, $api, $jobs) = @_;
    my $g = "$dir/gen";
    my @schools = split /\n/, slurp("$g/schools.txt");
    my $http = HTTP::Tiny->new(keep_alive => 1, timeout => 900);
    my $t0 = time();
    my $total0 = $t0;

    my ($admin) = sign_in($http, $api, $CITY_ADMIN, $CITY_PASSWORD);
    die "the city admin cannot sign in\n" unless $admin;

    # windows: a year from an hour ago, for every kind and both terms
    my $now = int(time() * 1000);
    for my $term (@TERMS) {
        for my $kind (qw(upload certify select)) {
            must("window $term $kind", api($http, $api, 'PUT', "/city/terms/$term/windows/$kind", $admin,
                 undef, $JSON->encode({ from => $now - 3_600_000, to => $now + 365 * 86_400_000 })));
        }
    }

    # the school data, per school in import order; schools in parallel
    my @kinds = qw(teachers classes students courses enrollments);
    parallel($jobs, \@schools, sub { my ($d) = @_;
        my $h = HTTP::Tiny->new(keep_alive => 1, timeout => 900);
        for my $term (@TERMS) {
            for my $kind (@kinds) {
                must("import $d $term $kind",
                     api($h, $api, 'POST', "/schools/$d/terms/$term/import/$kind", $admin,
                         'text/csv', slurp("$g/$d.$term.$kind.csv")));
            }
        }
    });
    phase(sprintf('import: %d schools x %d terms x %d kinds', scalar @schools, scalar @TERMS,
                  scalar @kinds), $t0);

    # one real file through the upload route: the document every outcome shares
    $t0 = time();
    my @sample = map { [split /\t/] } split /\n/, slurp("$g/sample.tsv");
    my ($first) = grep { $_->[0] eq 'student' } @sample;
    my ($tok, $me) = sign_in($http, $api, $first->[1], $first->[2]);
    $tok or die "sample student $first->[1] cannot sign in\n";
    must('password', api($http, $api, 'POST', '/password', $tok, undef,
                         $JSON->encode({ current => $first->[2], new => $BENCH_PASSWORD })));
    my $d0 = substr($first->[1], 0, 4);
    my ($code) = slurp("$g/$d0.115-1.enrollments.csv") =~ /^\Q@{[substr($first->[1], 4)]}\E,([^,]+),/m;
    my $draft = must('draft', api($http, $api, 'POST', '/outcomes', $tok, undef,
                                  $JSON->encode({ term => '115-1', code => $code,
                                                  description => '共用的種子文件' })));
    my $pdf = "%PDF-1.4\n% portfolio seed document\n" . ('0123456789abcdef' x 4096)
            . "\ntrailer<<>>\n%%EOF\n";
    my $id = $draft->{outcome}{id};
    my $up = must('upload', api($http, $api, 'PUT', "/outcomes/$id/document?name=seed.pdf", $tok,
                                'application/pdf', $pdf));
    my $doc = $up->{outcome}{document};
    must('delete draft', api($http, $api, 'DELETE', "/outcomes/$id", $tok));
    write_file("$dir/document.json", $JSON->encode($doc));
    phase('shared document stored (one upload)', $t0);

    # outcomes: one bulk-load per school and term; schools in parallel
    $t0 = time();
    parallel($jobs, \@schools, sub { my ($d) = @_;
        my $h = HTTP::Tiny->new(keep_alive => 1, timeout => 900);
        for my $term (@TERMS) {
            must("outcomes $d $term", api($h, $api, 'POST', "/bench/schools/$d/terms/$term/outcomes",
                                          $admin, undef, $JSON->encode({ document => $doc })));
        }
    });
    phase('outcomes: bulk-loaded through benchkit', $t0);

    # sample accounts the bench signs in: the first sign-in must change the
    # initial password (scrypt at portfolio_password_cost 10)
    $t0 = time();
    my @rest = grep { $_->[1] ne $first->[1] } @sample;
    parallel($jobs * 2, \@rest, sub { my ($a) = @_;
        my $h = HTTP::Tiny->new(keep_alive => 1, timeout => 300);
        my ($t) = sign_in($h, $api, $a->[1], $a->[2]);
        $t or die "$a->[1] cannot sign in\n";
        must("password $a->[1]", api($h, $api, 'POST', '/password', $t, undef,
                                     $JSON->encode({ current => $a->[2], new => $BENCH_PASSWORD })));
        api($h, $api, 'DELETE', '/session', $t);
    });
    write_file("$dir/accounts.tsv", join("", map { "$_->[0]\t$_->[1]\t$BENCH_PASSWORD\n" } @sample));
    phase(sprintf('%d sample accounts signed in, password changed', scalar @sample), $t0);
    printf("  %-44s %7.1f s\n", 'total (import, outcomes, accounts)', time() - $total0);
}

my $cmd = shift // '';
if ($cmd eq 'gen') { gen(@ARGV) }
elsif ($cmd eq 'load') { load(@ARGV) }
else { die "usage: seed.pl gen DIR SCHOOLS STUDENTS | load DIR API JOBS\n" }
