# Issue 15 item 9: the plugin author's example (plugins/example, the
# guide in plugins/README.md) is built and exercised: a student's notes in
# its own databases, a declared setting the settings routes serve, and a
# route of each scope the router checks -- the student's own list (SELF),
# a student's notes for those who may see the student (STUDENT), one note
# for its owner and whoever may see them (RECORD: the owner lookup answers
# 404), a note only its owner deletes (OWNER: the router answers 403
# not_owner) -- with the core's records through host calls (the student's
# name, the audit trail).

use utf8;
use Test::Nginx::Socket 'no_plan';
use PortfolioTest;

no_shuffle();
PortfolioTest::block_defaults(plugins => [qw(example testkit)]);
run_tests();

sub main::add {
    my ($cookie, $text) = @_;
    return PortfolioTest::api(POST => '/example/notes', $cookie,
                              body => { text => $text });
}

__DATA__

=== TEST 1: a student keeps a note in the plugin's own database; the list, the record and the audit trail
--- init
my $st = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $r = main::add($st, '第一週的省思');
is($r->{status}, 201, 'POST /example/notes');
my $note = $r->{json} && $r->{json}{note};
is($note->{student}, 'zlsh108234567', 'the note is the caller\'s');
is($note->{text}, '第一週的省思', 'with its text');
like($note->{id} // '', qr/^[0-9A-Z]{26}$/, 'a time-ordered id');
$r = PortfolioTest::api(GET => '/example/notes', $st);
is($r->{status}, 200, 'GET /example/notes');
is(scalar @{ $r->{json}{notes} }, 1, 'one note');
is($r->{json}{notes}[0]{id}, $note->{id}, '... the one added');
is($r->{json}{max}, 20, 'the declared default of example_notes_max, applied by the host');
$r = PortfolioTest::api(GET => "/testkit/records?db=example_note_ids&prefix=$note->{id}", $st);
is($r->{json}{records}[0]{value}, '{"student":"zlsh108234567"}', 'the id index says whose it is');
$r = PortfolioTest::api(GET => "/testkit/records?db=audit&prefix=zlsh108234567%1F", $st);
is_deeply([ map { JSON::PP::decode_json($_->{value})->{action} } @{ $r->{json}{records} } ],
          ['example.note_added'], 'audited under the student');
--- request
GET /api/example/notes
--- error_code: 401



=== TEST 2: refusals: no text, too long a text, not a student
--- init
my $st = PortfolioTest::login('zlsh108234567', 'student-pass-1');
PortfolioTest::is_error(main::add($st, ''), 422, 'invalid_field', 'an empty note');
PortfolioTest::is_error(main::add($st, '字' x 201), 422, 'invalid_field', '201 characters');
is(main::add($st, '字' x 200)->{status}, 201, '200 characters (counted as characters, not bytes)');
PortfolioTest::is_error(PortfolioTest::api(POST => '/example/notes', $st, body => { text => 5 }), 422, 'invalid_field',
               'a number for a text');
my $t = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');
PortfolioTest::is_error(main::add($t, 'x'), 403, 'forbidden', 'a teacher keeps no notes');
is(scalar @{ PortfolioTest::api(GET => '/example/notes', $st)->{json}{notes} }, 1,
   'the refused ones were not kept');
--- request
GET /api/example/notes
--- error_code: 401



=== TEST 3: the declared setting: served by the settings routes with its bounds, set by the school, enforced
--- init
my $adm = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
my $r = PortfolioTest::api(GET => '/schools/zlsh/settings', $adm);
my ($s) = grep { $_->{name} eq 'example_notes_max' } @{ $r->{json}{settings} };
is_deeply($s, { name => 'example_notes_max', value => '20', min => 1, max => 100,
                about => 'notes a student may keep (the example plugin)',
                levels => ['city', 'school'], declared_by => 'example' },
          'listed from its declaration: default, bounds, words');
PortfolioTest::is_error(PortfolioTest::api(PUT => '/schools/zlsh/settings/example_notes_max', $adm, body => { value => '101' }),
               422, 'out_of_range', 'above its max');
is(PortfolioTest::api(PUT => '/schools/zlsh/settings/example_notes_max', $adm, body => { value => '2' })->{status},
   200, 'the school sets 2');
my $st = PortfolioTest::login('zlsh108234567', 'student-pass-1');
is(main::add($st, 'a')->{status}, 201, 'note 1');
is(main::add($st, 'b')->{status}, 201, 'note 2');
$r = main::add($st, 'c');
PortfolioTest::is_error($r, 422, 'limit_reached', 'note 3 of 2');
like($r->{json}{error}{message} // '', qr{\(2/2\)}, 'the message counts (2/2)');
is(PortfolioTest::api(GET => '/example/notes', $st)->{json}{max}, 2, 'the list shows the school\'s value');
--- request
GET /api/example/notes
--- error_code: 401



=== TEST 4: PF_SCOPE_RECORD and PF_SCOPE_OWNER: one owner lookup, 404 for an unknown id, the owner alone deletes
--- init
my $st = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $id = main::add($st, '我的筆記')->{json}{note}{id};
my $r = PortfolioTest::api(GET => "/example/notes/$id", $st);
is($r->{status}, 200, 'the owner reads the note');
is($r->{json}{student_name}, '李小明', 'with the name from the account (host user_get)');
my $t = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');
is(PortfolioTest::api(GET => "/example/notes/$id", $t)->{status}, 200,
   'a teacher of the student (a course relation) reads it');
my $adm = PortfolioTest::login('zlsh100000001', 'admin-pass-1');
is(PortfolioTest::api(GET => "/example/notes/$id", $adm)->{status}, 200, 'the school admin reads it');
my $other = PortfolioTest::login('zlsh108234569', 'student-pass-3');
PortfolioTest::is_error(PortfolioTest::api(GET => "/example/notes/$id", $other), 403, 'out_of_scope',
               'another student may not');
my $far = PortfolioTest::login('tpsh109000001', 'other-pass-1');
PortfolioTest::is_error(PortfolioTest::api(GET => "/example/notes/$id", $far), 403, 'out_of_scope',
               'another school\'s admin may not');
PortfolioTest::is_error(PortfolioTest::api(GET => '/example/notes/01ZZZZZZZZZZZZZZZZZZZZZZZZ', $st), 404, 'not_found',
               'an unknown id (the owner lookup answers)');
PortfolioTest::is_error(PortfolioTest::api(DELETE => '/example/notes/01ZZZZZZZZZZZZZZZZZZZZZZZZ', $st), 404,
               'not_found', 'deleting an unknown id');
PortfolioTest::is_error(PortfolioTest::api(DELETE => "/example/notes/$id", $other), 403, 'not_owner',
               'another student may not delete it (the router, from the owner lookup)');
PortfolioTest::is_error(PortfolioTest::api(DELETE => "/example/notes/$id", $t), 403, 'forbidden',
               'nor a teacher (not a role of the route)');
is(PortfolioTest::api(GET => "/example/notes/$id", $st)->{status}, 200, 'the note is still there');
is(PortfolioTest::api(DELETE => "/example/notes/$id", $st)->{status}, 204, 'the owner deletes it');
PortfolioTest::is_error(PortfolioTest::api(GET => "/example/notes/$id", $st), 404, 'not_found', 'then it is gone');
is(scalar @{ PortfolioTest::api(GET => '/example/notes', $st)->{json}{notes} }, 0, 'and not listed');
--- request
GET /api/example/notes
--- error_code: 401



=== TEST 5: PF_SCOPE_STUDENT: a student's notes for whoever may see the student
--- init
my $st = PortfolioTest::login('zlsh108234567', 'student-pass-1');
main::add($st, 'one');
my $t = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');
my $r = PortfolioTest::api(GET => '/students/zlsh108234567/example-notes', $t);
is($r->{status}, 200, 'the course teacher lists the student\'s notes');
is(scalar @{ $r->{json}{notes} }, 1, '... one');
my $other = PortfolioTest::login('zlsh108234569', 'student-pass-3');
PortfolioTest::is_error(PortfolioTest::api(GET => '/students/zlsh108234567/example-notes', $other), 403,
               'out_of_scope', 'another student may not');
is(PortfolioTest::api(GET => '/students/zlsh108234569/example-notes', $other)->{status}, 200,
   'a student lists their own');
--- request
GET /api/students/zlsh108234567/example-notes
--- error_code: 401
