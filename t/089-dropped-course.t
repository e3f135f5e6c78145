# Issue 16 item 11 (SPEC S1, P4): a student taken off a course by a
# re-import (no sis_enrollments record student␟term␟code any more, or no
# such course) can no longer send a draft of that course for
# certification (送出認證): 422 not_enrolled, in words.  Nor can the draft
# be given a file (refused before the body is read), nor a new draft be
# made for the course (as before).  The draft may still be changed in
# words or deleted, freeing its place and space; drafts of the courses
# the student still takes are untouched; taken on again, the draft is
# sent as any other.
#
# What a re-import removes is removed here through the testkit plugin
# (the sis plugin's import is tested on its own, t/070).

use utf8;
use Test::Nginx::Socket 'no_plan';
use PortfolioTest;
use PortfolioWorld;

no_shuffle();
PortfolioTest::block_defaults(plugins => [qw(student certification testkit)],
                              api => ['client_max_body_size 11m;']);
run_tests();


# What a re-import does to a record: removes it.
sub main::unseed {
    my ($cookie, $db, $key) = @_;
    my $r = PortfolioTest::api(POST => '/testkit/seed', $cookie,
                               body => { db => $db, key => $key, delete => JSON::PP::true });
    die "unseed $db/$key: $r->{status} $r->{body}\n" unless $r->{status} == 200;
}

sub main::submit {
    my ($cookie, $id) = @_;
    return PortfolioTest::api(POST => "/outcomes/$id/submit", $cookie, body => {});
}

__DATA__

=== TEST 1: taken off a course: its draft is not sent for certification nor given files; it may be changed in words or deleted
--- init
my $admin = main::world();
my $st = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $me = 'zlsh108234567';

my $a = main::create($st, 'CS101', 'report')->{json}{outcome}{id};
is(main::upload($st, $a, 'document', main::pdf(), type => 'application/pdf')->{status}, 200,
   'a draft of CS101 with its document');
my $b = main::create($st, 'MA101', 'math')->{json}{outcome}{id};
my $c = main::create($st, 'PE101', 'pe')->{json}{outcome}{id};
is(main::upload($st, $c, 'document', main::pdf(400), type => 'application/pdf')->{status}, 200,
   'a draft of PE101 with its document');
my $used = PortfolioTest::api(GET => '/me/quota', $st)->{json}{used_bytes};

# the re-import takes the student off CS101 and MA101
main::unseed($admin, 'sis_enrollments', "$me\x1f113-1\x1fCS101");
main::unseed($admin, 'sis_enrollments', "$me\x1f113-1\x1fMA101");

my $r = main::submit($st, $a);
PortfolioTest::is_json_error($r, 422, 'not_enrolled', 'sending a draft of a course no longer taken');
like($r->{json}{error}{message}, qr/已不在 113-1 學期.*CS101.*修課名單中/, 'the message names the term and the course');
like($r->{json}{error}{message}, qr/不能再上傳檔案或送出認證/, '... and says what cannot be done');
my $o = PortfolioTest::api(GET => "/outcomes/$a", $st)->{json}{outcome};
is($o->{status}, 'draft', 'the draft stays a draft');
is($o->{submitted_at}, undef, 'never sent');
is_deeply(main::records($admin, 'cert_queue', ''), [], 'nothing waits for the teacher');
my $t = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');
is(PortfolioTest::api(GET => '/certifications/count', $t)->{json}{pending}, 0, 'the teacher counts none');

# no file for it either, refused before the body is read
my $blobs = main::blobs();
$r = main::upload($st, $b, 'document', main::pdf(5000), type => 'application/pdf');
PortfolioTest::is_error($r, 422, 'not_enrolled', 'a document for a course no longer taken');
$r = main::upload($st, $a, 'media', main::mp3(), type => 'audio/mpeg');
PortfolioTest::is_error($r, 422, 'not_enrolled', 'a media file either');
is_deeply(main::blobs(), $blobs, 'no file was stored');
is(PortfolioTest::api(GET => '/me/quota', $st)->{json}{used_bytes}, $used, 'no space used');

# nor a new draft (as before)
PortfolioTest::is_error(main::create($st, 'CS101', 'again'), 422, 'not_enrolled', 'a new draft of CS101');

# words may change, and the draft may go
$r = PortfolioTest::api(PATCH => "/outcomes/$a", $st, body => { description => '不用了' });
is($r->{status}, 200, 'its description may still change');
$r = PortfolioTest::api(DELETE => "/outcomes/$a", $st);
is($r->{status}, 200, 'it may be deleted');
ok($r->{json}{freed_bytes} > 0, 'its space freed');

# the courses still taken are untouched
$r = main::submit($st, $c);
is($r->{status}, 200, 'PE101 is sent as before') or diag($r->{body});
is($r->{json}{outcome}{status}, 'pending', 'pending');

# taken on again (another re-import): the draft goes as any other
main::course($admin, '113-1', 'MA101', { name => 'Math', subject => main::SUBJ_MATH(),
             credits => 4, teacher => 'zlsh122233333' }, $me);
is(main::upload($st, $b, 'document', main::pdf(), type => 'application/pdf')->{status}, 200,
   'enrolled again: a document');
is(main::submit($st, $b)->{status}, 200, 'and sent for certification');
PortfolioTest::log_clean();
--- request
GET /api/outcomes
--- error_code: 401
--- no_error_log
[error]



=== TEST 2: a course the re-import removed altogether: not_enrolled too
--- init
my $admin = main::world();
my $st = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $a = main::create($st, 'CS102', 'program')->{json}{outcome}{id};
is(main::upload($st, $a, 'document', main::pdf(), type => 'application/pdf')->{status}, 200,
   'a draft of CS102 with its document');
main::unseed($admin, 'sis_courses', "zlsh\x1f113-1\x1fCS102");
my $r = main::submit($st, $a);
PortfolioTest::is_error($r, 422, 'not_enrolled', 'the course is gone from the term');
like($r->{json}{error}{message}, qr/CS102/, 'the message names it');
is(PortfolioTest::api(GET => "/outcomes/$a", $st)->{json}{outcome}{status}, 'draft', 'still a draft');
PortfolioTest::log_clean();
--- request
GET /api/outcomes
--- error_code: 401
--- no_error_log
[error]
