# SPEC P4, P10, Q2, Q4: course learning outcomes (課程學習成果), plugin
# "student".
#
# A student makes a draft for a credit-bearing course taken that term, adds
# a document (pdf/jpg/png, 4 MB) and/or a media file (mp3/mp4, 10 MB),
# typed by content and refused before the body is stored; a description
# of at most 100 characters; per-term and per-subject limits (school
# parameters); the upload window; the storage quota; only the owner
# changes a draft; files are stored once, named by their SHA-256, and
# downloaded with ranges; every change is audited.
#
# The sis plugin is not loaded: courses, enrollments, windows and settings
# are seeded through the testkit plugin (POST /api/testkit/seed), and what
# the plugin wrote is read back with GET /api/testkit/records.

use Test::Nginx::Socket 'no_plan';
use PortfolioTest;
use PortfolioWorld;
use Digest::SHA ();
use File::Find ();
use JSON::PP ();
use Time::HiRes ();

no_shuffle();
# every block: the usual configuration with student, certification and
# testkit, and bodies up to 11 MB (a media file is at most 10 MB)
PortfolioTest::block_defaults(plugins => [qw(student certification testkit)],
                              api => ['client_max_body_size 11m;']);
run_tests();

__DATA__

=== TEST 1: P4 a student makes a draft for a credit-bearing course; the record follows plugins/README.md
--- init
my $admin = main::world();
my $st = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $desc = "\x{6211}\x{7684}\x{8cc7}\x{8a0a}\x{5831}\x{544a}";   # Chinese text

my $r = main::create($st, 'CS102', $desc);
is($r->{status}, 201, 'POST /outcomes: 201') or diag($r->{body});
my $o = $r->{json}{outcome};
like($o->{id}, qr/^[0-9A-Z]{26}$/, 'a time-ordered id');
is($o->{student}, 'zlsh108234567', 'student');
is($o->{school}, 'zlsh', 'school');
is($o->{term}, '113-1', 'term');
is($o->{code}, 'CS102', 'course code');
is($o->{course_name}, 'Programming', 'course name');
is($o->{subject}, main::SUBJ_INFO(), 'subject (UTF-8)');
is($o->{kind}, 'retake', 'kind from the enrollment (重修)');
is($o->{description}, $desc, 'description');
is($o->{status}, 'draft', 'status draft');
is($o->{reviewer}, 'zlsh122233333', 'reviewer: the course teacher');
is($o->{document}, undef, 'no document yet');
is($o->{media}, undef, 'no media yet');
is($o->{decision}, undef, 'no decision');
is($o->{note}, '', 'empty note');
ok(!$o->{selected}, 'not selected');
is($o->{by}, 'zlsh108234567', 'by');
ok($o->{created} > 0 && $o->{updated} == $o->{created}, 'created/updated ms');
is_deeply([sort keys %$o],
          [sort qw(id student school term code course_name subject kind
                   description document media status reviewer decision note
                   decided_by decided_at submitted_at published_at selected
                   selected_at created updated by)], 'exactly the contract fields');
is($r->{json}{term_count}, 1, 'term count in the answer');
is($r->{json}{term_limit}, 10, 'term limit: the default 10');

# the records under their contract keys
my $rec = main::record($admin, 'outcomes', "zlsh108234567\x1f$o->{id}");
is($rec->{id}, $o->{id}, 'outcomes: student<US>id');
is_deeply(main::record($admin, 'outcome_ids', $o->{id}),
          { student => 'zlsh108234567' }, 'outcome_ids: id -> student');

# a named reviewer of a co-taught course wins over its teacher
main::course($admin, '113-1', 'MA101',
             { name => 'Math', subject => main::SUBJ_MATH(), credits => 4,
               teacher => 'zlsh122233333', co_teachers => ['zlsh111122222'],
               reviewer => 'zlsh111122222' }, 'zlsh108234567');
$r = main::create($st, 'MA101', 'math notes');
is($r->{json}{outcome}{reviewer}, 'zlsh111122222', 'reviewer: the course reviewer');
is($r->{json}{outcome}{kind}, 'normal', 'kind normal');

# the student's list, with the term count and limit
$r = PortfolioTest::api(GET => '/outcomes?term=113-1', $st);
is($r->{status}, 200, 'GET /outcomes?term=');
is(scalar @{ $r->{json}{outcomes} }, 2, 'both outcomes');
is($r->{json}{term_count}, 2, 'term_count 2');
is($r->{json}{term_limit}, 10, 'term_limit 10');
is($r->{json}{subject_limit}, 4, 'subject_limit 4');
ok($r->{json}{upload_open}, 'the upload window is open');
$r = PortfolioTest::api(GET => '/outcomes?term=113-2', $st);
is(scalar @{ $r->{json}{outcomes} }, 0, 'another term: none');
is($r->{json}{term_count}, 0, 'another term: count 0');
$r = PortfolioTest::api(GET => '/outcomes', $st);
is(scalar @{ $r->{json}{outcomes} }, 2, 'no term: all');

# reading one: the owner yes, another student no, a draft to nobody else
$r = PortfolioTest::api(GET => "/outcomes/$o->{id}", $st);
is($r->{status}, 200, 'owner reads it');
is($r->{json}{outcome}{id}, $o->{id}, 'the same outcome');
my $other = PortfolioTest::login('zlsh108234569', 'student-pass-3');
PortfolioTest::is_error(PortfolioTest::api(GET => "/outcomes/$o->{id}", $other), 403,
                        'out_of_scope', "another student's outcome");
PortfolioTest::is_error(PortfolioTest::api(GET => '/students/zlsh108234567/outcomes', $other),
                        403, 'out_of_scope', "another student's list");
my $teacher = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');
PortfolioTest::is_error(PortfolioTest::api(GET => "/outcomes/$o->{id}", $teacher), 403,
                        'out_of_scope', 'a draft is not shown to the course teacher');
$r = PortfolioTest::api(GET => '/students/zlsh108234567/outcomes', $teacher);
is($r->{status}, 200, 'the course teacher may list the student');
is(scalar @{ $r->{json}{outcomes} }, 0, '... but sees no drafts');
PortfolioTest::is_error(PortfolioTest::api(GET => '/outcomes/01ZZZZZZZZZZZZZZZZZZZZZZZZ', $st),
                        404, 'not_found', 'an unknown id');
PortfolioTest::is_error(main::create($teacher, 'CS101'), 403, 'forbidden',
                        'a teacher cannot make outcomes');

# a draft's description can change
$r = PortfolioTest::api(PATCH => "/outcomes/$o->{id}", $st,
                        body => { description => 'changed' });
is($r->{status}, 200, 'PATCH a draft');
is($r->{json}{outcome}{description}, 'changed', 'new description');
PortfolioTest::is_error(PortfolioTest::api(PATCH => "/outcomes/$o->{id}", $other,
                                           body => { description => 'mine' }),
                        403, 'not_owner', "PATCH another student's draft");

# SPEC Q4: audited under the student
is_deeply(main::audit_actions($admin, 'zlsh108234567'),
          ['outcome.created', 'outcome.created', 'outcome.updated'],
          'audit: created twice, updated');
my ($a) = @{ main::records($admin, 'audit', "zlsh108234567\x1f") };
is($a->{value}{by}, 'zlsh108234567', 'audit: by the student');
is($a->{value}{detail}{id}, $o->{id}, 'audit: names the outcome');
PortfolioTest::log_clean();
--- request
GET /api/outcomes
--- error_code: 401
--- no_error_log
[error]



=== TEST 2: P4 refusals when making a draft: not enrolled, no credits, 101 characters, window closed
--- init
use utf8;
my $admin = main::world();
my $st = PortfolioTest::login('zlsh108234567', 'student-pass-1');

PortfolioTest::is_error(main::create($st, 'EN101'), 422, 'not_enrolled',
                        'a course the student does not take');
PortfolioTest::is_error(main::create($st, 'XX999'), 422, 'not_enrolled',
                        'an unknown course');
my $r = main::create($st, 'HR001');
PortfolioTest::is_error($r, 422, 'not_credit_bearing', 'a course without credits');

# 100 characters of three bytes each pass; 101 do not (characters, not bytes)
my $c100 = "\x{5b78}" x 100;
$r = main::create($st, 'CS101', $c100);
is($r->{status}, 201, '100 Chinese characters (300 bytes) are allowed');
is(length $r->{json}{outcome}{description}, 100, 'stored whole');
$r = main::create($st, 'CS101', "\x{5b78}" x 101);
PortfolioTest::is_error($r, 422, 'description_too_long', '101 Chinese characters');
like($r->{json}{error}{message}, qr/簡述有 101 個字，最多 100 個字/, 'the message counts characters');
PortfolioTest::is_error(main::create($st, 'CS101', ''), 422, 'invalid_field', 'an empty description');
PortfolioTest::is_error(main::create($st, 'CS101', "  \n "), 422, 'invalid_field', 'a blank description');
PortfolioTest::is_error(main::create($st, 'CS101', "a\x01b"), 422, 'invalid_field', 'a control character');
PortfolioTest::is_error(PortfolioTest::api(POST => '/outcomes', $st, body => { term => '113-1', code => 'CS101' }),
                        422, 'invalid_field', 'no description');
PortfolioTest::is_error(main::create($st, 'CS101', 'x', '2024'), 422, 'invalid_field', 'a malformed term');
PortfolioTest::is_error(main::create($st, "CS\x1f01", 'x'), 422, 'invalid_field', 'a malformed course code');

# AD3: outside the upload window, with the window in the message
my $now = PortfolioTest::now_ms();
main::course($admin, '113-2', 'CS201', { name => 'Networks', subject => 'x',
              credits => 2, teacher => 'zlsh122233333' }, 'zlsh108234567');
main::window($admin, '113-2', 'upload', $now - 7 * 86_400_000, $now - 86_400_000);
$r = main::create($st, 'CS201', 'late', '113-2');
PortfolioTest::is_error($r, 403, 'window_closed', 'after the upload window');
like($r->{json}{error}{message}, qr{現在不在上傳學習成果的作業期間內：113-2 學期上傳學習成果的期間為 \d{4}/\d\d/\d\d \d\d:\d\d 至 \d{4}/\d\d/\d\d \d\d:\d\d（臺灣時間）},
     'the message gives the window');
main::window($admin, '113-2', 'upload', $now + 86_400_000, $now + 7 * 86_400_000);
PortfolioTest::is_error(main::create($st, 'CS201', 'early', '113-2'), 403, 'window_closed',
                        'before the upload window');
# a city window that ends first closes the school's
main::window($admin, '113-2', 'upload', $now - 86_400_000, $now + 86_400_000);
PortfolioTest::seed($admin, 'settings', 'city/window/113-2/upload',
                    { from => $now - 86_400_000, to => $now - 1000 });
PortfolioTest::is_error(main::create($st, 'CS201', 'x', '113-2'), 403, 'window_closed',
                        'the city window is over');
main::course($admin, '112-2', 'CS001', { name => 'Old', subject => 'x',
              credits => 2, teacher => 'zlsh122233333' }, 'zlsh108234567');
$r = main::create($st, 'CS001', 'x', '112-2');
PortfolioTest::is_error($r, 403, 'window_closed', 'no window set at all');
like($r->{json}{error}{message}, qr/112-2 學期尚未設定上傳學習成果的作業期間/, '... says so');

$r = PortfolioTest::api(GET => '/outcomes', $st);
is(scalar @{ $r->{json}{outcomes} }, 1, 'only the one accepted draft exists');
PortfolioTest::log_clean();
--- request
GET /api/outcomes
--- error_code: 401
--- no_error_log
[error]



=== TEST 3: P4 AD2 limits per term and per subject per term count every outcome, "(n/limit)"
--- init
my $admin = main::world();
my $st = PortfolioTest::login('zlsh108234567', 'student-pass-1');

# the school's parameters: 2 per subject, 3 per term
PortfolioTest::seed($admin, 'settings', 'school/zlsh/outcome_uploads_per_subject', '2');
PortfolioTest::seed($admin, 'settings', 'school/zlsh/outcome_uploads_per_term', '3');

my $r1 = main::create($st, 'CS101', 'one');
is($r1->{status}, 201, 'first in subject info');
is(main::create($st, 'CS102', 'two')->{status}, 201,
   'second in subject info (another course of the subject)');
my $r = main::create($st, 'CS101', 'three');
PortfolioTest::is_error($r, 422, 'limit_reached', 'third in one subject');
like($r->{json}{error}{message}, qr{\(2/2\)}, 'the message shows (2/2)');

is(main::create($st, 'MA101', 'math')->{status}, 201, 'third of the term, another subject');
$r = main::create($st, 'PE101', 'pe');
PortfolioTest::is_error($r, 422, 'limit_reached', 'fourth of the term');
like($r->{json}{error}{message}, qr{\(3/3\)}, 'the message shows (3/3)');

$r = PortfolioTest::api(GET => '/outcomes?term=113-1', $st);
is($r->{json}{term_count}, 3, 'term_count 3');
is($r->{json}{term_limit}, 3, 'term_limit from the school parameter');
is($r->{json}{subject_limit}, 2, 'subject_limit from the school parameter');

# another student has limits of their own
my $other = PortfolioTest::login('zlsh108234569', 'student-pass-3');
is(main::create($other, 'CS101', 'mine')->{status}, 201, "another student's count is separate");

# deleting a draft gives its place back
$r = PortfolioTest::api(DELETE => "/outcomes/$r1->{json}{outcome}{id}", $st);
is($r->{status}, 200, 'DELETE a draft');
is($r->{json}{deleted}, $r1->{json}{outcome}{id}, 'names it');
is(main::create($st, 'PE101', 'pe')->{status}, 201, 'the freed place is usable');
PortfolioTest::is_error(main::create($st, 'CS101', 'again'), 422, 'limit_reached', 'the term is full again');
is(main::record($admin, 'outcome_ids', $r1->{json}{outcome}{id}), undef,
   'the deleted outcome is gone from outcome_ids');
PortfolioTest::is_error(PortfolioTest::api(DELETE => "/outcomes/$r1->{json}{outcome}{id}", $st),
                        404, 'not_found', 'deleting it again');
PortfolioTest::log_clean();
--- request
GET /api/outcomes
--- error_code: 401
--- no_error_log
[error]



=== TEST 4: P4 Q2 a document and a media file stored by SHA-256; downloads with type, UTF-8 name and ranges
--- init
my $admin = main::world();
my $st = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $id = main::create($st, 'CS101', 'report')->{json}{outcome}{id};

my $pdf = main::pdf(5000);
my $sha = Digest::SHA::sha256_hex($pdf);
my $name = "\x{5b78}\x{7fd2}\x{6210}\x{679c} report.pdf";      # 學習成果 report.pdf
my $r = main::upload($st, $id, 'document', $pdf, type => 'application/pdf', name => $name);
is($r->{status}, 200, 'PUT document: 200') or diag($r->{body});
is_deeply($r->{json}{outcome}{document},
          { sha256 => $sha, size => length $pdf, mime => 'application/pdf',
            ext => 'pdf', name => $name }, 'the file is recorded');
ok(-f main::blob_path($sha), 'stored as DATA/blobs/ab/cd/<sha256>');
open my $fh, '<:raw', main::blob_path($sha) or die;
my $stored = do { local $/; <$fh> };
is(Digest::SHA::sha256_hex($stored), $sha, 'the stored bytes hash to their name');
is_deeply(main::records($admin, 'blobs', "zlsh\x1f$sha")->[0]{value}{size}, length $pdf,
          "the school's file index has it");
is_deeply(main::temps(), [], 'no temporary file left');

$r = PortfolioTest::api(GET => '/me/quota', $st);
is_deeply($r->{json}, { used_bytes => length $pdf, quota_bytes => 200 * 1048576, files => 1 },
          'P10 GET /me/quota: used, quota (200 MB), files');

# download by the owner: bytes, type, inline with the UTF-8 name, ranges
$r = PortfolioTest::api(GET => "/outcomes/$id/document", $st);
is($r->{status}, 200, 'GET document: 200');
ok($r->{body} eq $pdf, 'the same bytes');
is($r->{headers}{'content-type'}, 'application/pdf', 'Content-Type by content');
like($r->{headers}{'content-disposition'},
     qr/^inline; filename="[^"]*report\.pdf"; filename\*=UTF-8''%E5%AD%B8%E7%BF%92%E6%88%90%E6%9E%9C(%20| )report\.pdf$/i,
     'Content-Disposition: inline, with the UTF-8 name');
is($r->{headers}{etag}, "\"$sha\"", 'ETag is the hash');
$r = PortfolioTest::api(GET => "/outcomes/$id/document", $st, headers => { Range => 'bytes=0-7' });
is($r->{status}, 206, 'Range: 206');
is($r->{body}, '%PDF-1.4', 'the first 8 bytes');
like($r->{headers}{'content-range'} // '', qr{^bytes 0-7/5000$}, 'Content-Range');

# others may not
my $other = PortfolioTest::login('zlsh108234569', 'student-pass-3');
PortfolioTest::is_error(PortfolioTest::api(GET => "/outcomes/$id/document", $other), 403, 'out_of_scope',
                        'an unrelated student cannot download');
my $teacher = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');
PortfolioTest::is_error(PortfolioTest::api(GET => "/outcomes/$id/document", $teacher), 403, 'out_of_scope',
                        'nor the course teacher while it is a draft');
PortfolioTest::is_error(PortfolioTest::api(GET => "/outcomes/$id/media", $st), 404, 'no_file',
                        'no media file yet');
PortfolioTest::is_error(main::upload($other, $id, 'document', main::pdf(), type => 'application/pdf'),
                        403, 'not_owner', "uploading to another student's outcome");

# a media file beside it; JPEG and PNG documents replace the PDF
my $mp3 = main::mp3(3000);
$r = main::upload($st, $id, 'media', $mp3, type => 'audio/mpeg', name => 'talk.mp3');
is($r->{status}, 200, 'PUT media (mp3)');
is($r->{json}{outcome}{media}{mime}, 'audio/mpeg', 'mp3 typed by content');
is($r->{json}{outcome}{document}{sha256}, $sha, 'the document stays');
$r = PortfolioTest::api(GET => "/outcomes/$id/media", $st);
is($r->{headers}{'content-type'}, 'audio/mpeg', 'media Content-Type');
like($r->{headers}{'content-disposition'}, qr/^inline; filename="talk\.mp3"/, 'media shown inline');

my $png = main::png(800);
$r = main::upload($st, $id, 'document', $png, type => 'image/png', name => 'a/b\\scan.PNG');
is($r->{status}, 200, 'PUT a PNG replaces the PDF');
is($r->{json}{outcome}{document}{mime}, 'image/png', 'image/png');
is($r->{json}{outcome}{document}{name}, 'scan.PNG', 'the name loses its path');
$r = PortfolioTest::api(GET => '/me/quota', $st);
is_deeply($r->{json}, { used_bytes => 800 + 3000, quota_bytes => 200 * 1048576, files => 2 },
          'replacing adjusts usage');
ok(-f main::blob_path($sha), 'the replaced file stays in the store (content-addressed)');

my $jpg = main::jpeg(900);
$r = main::upload($st, $id, 'document', $jpg, type => 'image/jpeg', name => 'photo.png');
is($r->{status}, 200, 'a JPEG');
is($r->{json}{outcome}{document}{ext}, 'jpg', 'ext by content');
is($r->{json}{outcome}{document}{name}, 'photo.jpg', 'a wrong extension is corrected');
$r = main::upload($st, $id, 'document', $jpg, type => 'image/jpeg');
is($r->{json}{outcome}{document}{name}, 'document.jpg', 'no name: document.<ext>');
$r = main::upload($st, $id, 'document', $jpg, type => 'image/jpeg', name => "..\x01\x7f.");
is($r->{json}{outcome}{document}{name}, 'document.jpg', 'a name of nothing safe: document.<ext>');
$r = main::upload($st, $id, 'document', $jpg, type => 'image/jpeg', name => ("\x{6587}" x 150) . '.jpg');
is(length $r->{json}{outcome}{document}{name}, 100, 'a long name is cut to 100 characters');
like($r->{json}{outcome}{document}{name}, qr/\.jpg$/, '... keeping its extension');
my $mp4 = main::mp4(2000);
$r = main::upload($st, $id, 'media', $mp4, type => 'video/mp4', name => 'film.mp4');
is($r->{json}{outcome}{media}{mime}, 'video/mp4', 'an MP4 replaces the MP3');
$r = PortfolioTest::api(GET => '/me/quota', $st);
is($r->{json}{used_bytes}, 900 + 2000, 'usage follows the replacements');
is($r->{json}{files}, 2, 'two files');

# Q4: each file is audited
is_deeply([ grep { /file/ } @{ main::audit_actions($admin, 'zlsh108234567') } ],
          [ ('outcome.file_stored') x 8 ], 'audit: every stored file');
my @d = grep { $_->{value}{action} eq 'outcome.file_stored' }
        @{ main::records($admin, 'audit', "zlsh108234567\x1f") };
is($d[0]{value}{detail}{sha256}, $sha, 'audit detail names the file');

# a name with "+" and "?" survives the query string (%2B, %3F)
$r = main::upload($st, $id, 'document', $pdf, name => 'C++ notes?.pdf');
is($r->{status}, 200, 'upload again under a name with + and ?');
$r = PortfolioTest::api(GET => "/outcomes/$id/document", $st);
like($r->{headers}{'content-disposition'},
     qr/filename="C\+\+ notes\?\.pdf"; filename\*=UTF-8''C%2B%2B%20notes%3F\.pdf$/,
     'the name keeps its plus signs and question mark');
PortfolioTest::log_clean();
--- request
GET /api/me/quota
--- error_code: 401
--- no_error_log
[error]



=== TEST 5: Q2 the file type is decided by content, not by name or Content-Type: 415, nothing stored
--- init
my $admin = main::world();
my $st = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $id = main::create($st, 'CS101', 'report')->{json}{outcome}{id};

my $r = main::upload($st, $id, 'document', "This is not a picture, only text.\n" x 20,
                     type => 'image/png', name => 'fake.png');
PortfolioTest::is_error($r, 415, 'unsupported_file_type', 'text named .png, sent as image/png');
like($r->{json}{error}{message}, qr/\x{6587}\x{4ef6}\x{ff08}pdf\x{3001}jpg\x{3001}png\x{ff09}/,   # 文件（pdf、jpg、png）
     'the message names the allowed types');
$r = main::upload($st, $id, 'document', "MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0" . ("\0" x 200),
                  type => 'application/pdf', name => 'report.pdf');
PortfolioTest::is_error($r, 415, 'unsupported_file_type', 'an EXE header sent as a PDF');
$r = main::upload($st, $id, 'document', main::mp3(), type => 'application/pdf');
PortfolioTest::is_error($r, 415, 'unsupported_file_type', 'an MP3 is not a document');
$r = main::upload($st, $id, 'media', main::pdf(), type => 'video/mp4', name => 'x.mp4');
PortfolioTest::is_error($r, 415, 'unsupported_file_type', 'a PDF is not a media file');
$r = main::upload($st, $id, 'media', "\0\0\0\x14ftypqt  \0\0\0\0qt  " . ("\0" x 100),
                  type => 'video/mp4');
PortfolioTest::is_error($r, 415, 'unsupported_file_type', 'QuickTime is not MP4');
$r = main::upload($st, $id, 'document', main::pdf(), type => 'multipart/form-data; boundary=x');
PortfolioTest::is_error($r, 415, 'unsupported_media_type', 'a form body is refused before reading');
$r = main::upload($st, $id, 'document', '', type => 'application/pdf');
PortfolioTest::is_error($r, 400, 'empty_file', 'an empty body');

is_deeply(main::blobs(), [], 'nothing was stored under blobs/');
is_deeply(main::temps(), [], 'no temporary file left');
$r = PortfolioTest::api(GET => "/outcomes/$id", $st);
is($r->{json}{outcome}{document}, undef, 'the outcome has no document');
is(PortfolioTest::api(GET => '/me/quota', $st)->{json}{used_bytes}, 0, 'no space used');
PortfolioTest::log_clean();
--- request
GET /api/me/quota
--- error_code: 401
--- no_error_log
[error]



=== TEST 6: P4 Q2 size limits by kind (document 4 MB, media 10 MB) are enforced before the body is stored
--- init
my $admin = main::world();
my $st = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $id = main::create($st, 'CS101', 'report')->{json}{outcome}{id};
my $MB = 1048576;

my $r = main::upload($st, $id, 'document', main::pdf(4 * $MB + 1), type => 'application/pdf');
PortfolioTest::is_error($r, 413, 'file_too_large', 'a document of 4 MB + 1 byte');
like($r->{json}{error}{message}, qr/\x{6587}\x{4ef6}\x{ff08}pdf\x{3001}jpg\x{3001}png\x{ff09}\x{4e0a}\x{9650} 4 MB/,
     # 文件（pdf、jpg、png）上限 4 MB
     'the message gives the limit');
is_deeply(main::blobs(), [], 'nothing new under blobs/');
is_deeply(main::temps(), [], 'no temporary file: the body was never spooled');

$r = main::upload($st, $id, 'document', main::pdf(4 * $MB), type => 'application/pdf');
is($r->{status}, 200, 'a document of exactly 4 MB');
is(scalar @{ main::blobs() }, 1, 'one file stored');

$r = main::upload($st, $id, 'media', main::mp4(10 * $MB + 1), type => 'video/mp4');
PortfolioTest::is_error($r, 413, 'file_too_large', 'a media file of 10 MB + 1 byte');
is(scalar @{ main::blobs() }, 1, 'nothing new under blobs/');
is_deeply(main::temps(), [], 'no temporary file');

my $mp4 = main::mp4(int(9.5 * $MB));
$r = main::upload($st, $id, 'media', $mp4, type => 'video/mp4', name => 'film.mp4');
is($r->{status}, 200, 'a media file of 9.5 MB');
is($r->{json}{outcome}{media}{size}, length $mp4, 'its size');
is($r->{json}{outcome}{media}{sha256}, Digest::SHA::sha256_hex($mp4), 'its hash');
is(scalar @{ main::blobs() }, 2, 'two files stored');
is_deeply(main::temps(), [], 'no temporary file left');
is(PortfolioTest::api(GET => '/me/quota', $st)->{json}{used_bytes}, 4 * $MB + length $mp4, 'usage');
PortfolioTest::log_clean();
--- request
GET /api/me/quota
--- error_code: 401
--- no_error_log
[error]



=== TEST 7: P10 the storage quota (quota_student_mb) refuses a file before it is stored: 413 quota_exceeded
--- init
use utf8;
my $admin = main::world();
PortfolioTest::seed($admin, 'settings', 'school/zlsh/quota_student_mb', '1');
my $st = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $id = main::create($st, 'CS101', 'report')->{json}{outcome}{id};
my $id2 = main::create($st, 'MA101', 'math')->{json}{outcome}{id};
my $KB = 1024;

my $r = main::upload($st, $id, 'document', main::pdf(700 * $KB), type => 'application/pdf');
is($r->{status}, 200, '700 KB of a 1 MB quota');
my $blobs = main::blobs();
$r = main::upload($st, $id2, 'media', main::mp3(400 * $KB), type => 'audio/mpeg');
PortfolioTest::is_error($r, 413, 'quota_exceeded', '400 KB more');
like($r->{json}{error}{message}, qr/已使用 0\.7 MB，上限 1 MB/, 'the message shows the usage');
is_deeply(main::blobs(), $blobs, 'nothing new under blobs/');
is_deeply(main::temps(), [], 'no temporary file');

# a replacement only needs room for the difference
$r = main::upload($st, $id, 'document', main::pdf(900 * $KB), type => 'application/pdf');
is($r->{status}, 200, 'replacing 700 KB with 900 KB fits');
$r = PortfolioTest::api(GET => '/me/quota', $st);
is_deeply($r->{json}, { used_bytes => 900 * $KB, quota_bytes => 1048576, files => 1 },
          'GET /me/quota: 900 KB of 1 MB, one file');

# deleting the draft frees its space
$r = PortfolioTest::api(DELETE => "/outcomes/$id", $st);
is($r->{json}{freed_bytes}, 900 * $KB, 'DELETE frees 900 KB');
$r = PortfolioTest::api(GET => '/me/quota', $st);
is_deeply($r->{json}, { used_bytes => 0, quota_bytes => 1048576, files => 0 },
          'nothing used after the delete');
is(main::upload($st, $id2, 'media', main::mp3(400 * $KB), type => 'audio/mpeg')->{status},
   200, 'now the media file fits');
is_deeply(main::record($admin, 'usage', 'zlsh108234567'),
          { bytes => 400 * $KB, files => 1 }, 'usage record (plugins/README.md)');
my $t = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');
is_deeply(PortfolioTest::api(GET => '/me/quota', $t)->{json},
          { used_bytes => 0, quota_bytes => 150 * 1048576, files => 0 },
          "a teacher's quota is quota_teacher_mb (150 MB)");
PortfolioTest::log_clean();
--- request
GET /api/me/quota
--- error_code: 401
--- no_error_log
[error]



=== TEST 8: P4 only the owner changes an outcome, only while it is a draft and the window is open; 送出認證
--- init
my $admin = main::world();
my $st = PortfolioTest::login('zlsh108234567', 'student-pass-1');
my $other = PortfolioTest::login('zlsh108234569', 'student-pass-3');
my $id = main::create($st, 'CS101', 'report')->{json}{outcome}{id};

PortfolioTest::is_error(PortfolioTest::api(POST => "/outcomes/$id/submit", $st, body => {}), 422, 'no_file',
                        'submitting without a file');
main::upload($st, $id, 'document', main::pdf(), type => 'application/pdf');
PortfolioTest::is_error(PortfolioTest::api(POST => "/outcomes/$id/submit", $other, body => {}), 403, 'not_owner',
                        "submitting another student's outcome");
PortfolioTest::is_error(PortfolioTest::api(DELETE => "/outcomes/$id", $other), 403, 'not_owner',
                        "deleting another student's outcome");
PortfolioTest::is_error(main::upload($other, $id, 'media', main::mp3(), type => 'audio/mpeg'),
                        403, 'not_owner', "adding media to another student's outcome");

my $r = PortfolioTest::api(POST => "/outcomes/$id/submit", $st, body => {});
is($r->{status}, 200, 'POST submit');
is($r->{json}{outcome}{status}, 'pending', 'pending');
ok($r->{json}{outcome}{submitted_at} > 0, 'submitted_at');
is_deeply(main::record($admin, 'cert_queue', "zlsh122233333\x1f$id"),
          { student => 'zlsh108234567', term => '113-1', code => 'CS101' },
          "cert_queue: reviewer<US>id");

PortfolioTest::is_error(PortfolioTest::api(POST => "/outcomes/$id/submit", $st, body => {}), 409, 'not_draft',
                        'submitting twice');
PortfolioTest::is_error(main::upload($st, $id, 'document', main::pdf(), type => 'application/pdf'),
                        409, 'not_draft', 'a new file after submitting');
PortfolioTest::is_error(PortfolioTest::api(DELETE => "/outcomes/$id", $st), 409, 'not_draft',
                        'deleting after submitting');
PortfolioTest::is_error(PortfolioTest::api(PATCH => "/outcomes/$id", $st, body => { description => 'x' }),
                        409, 'not_draft', 'editing after submitting');

# after the window: no files, no submission
my $id2 = main::create($st, 'MA101', 'math')->{json}{outcome}{id};
main::upload($st, $id2, 'document', main::png(), type => 'image/png');
my $now = PortfolioTest::now_ms();
main::window($admin, '113-1', 'upload', $now - 7_200_000, $now - 1000);
$r = main::upload($st, $id2, 'media', main::mp3(), type => 'audio/mpeg');
PortfolioTest::is_error($r, 403, 'window_closed', 'a file after the upload window');
is_deeply(main::temps(), [], 'refused before the body was read');
PortfolioTest::is_error(PortfolioTest::api(POST => "/outcomes/$id2/submit", $st, body => {}), 403,
                        'window_closed', 'submitting after the upload window');
is(PortfolioTest::api(DELETE => "/outcomes/$id2", $st)->{status}, 200,
   'a draft may still be deleted (it frees space)');

is_deeply(main::audit_actions($admin, 'zlsh108234567'),
          [qw(outcome.created outcome.file_stored outcome.submitted
              outcome.created outcome.file_stored outcome.deleted)],
          'audit: every change, and only the accepted ones');
PortfolioTest::log_clean();
--- request
GET /api/outcomes
--- error_code: 401
--- no_error_log
[error]



=== TEST 9: P4 who sees submitted outcomes: homeroom and admin all, a course teacher those of their courses, decisions hidden
--- init
my $admin = main::world();
my $st = PortfolioTest::login('zlsh108234567', 'student-pass-1');

# the homeroom teacher from the bootstrap file changes the initial password
my $hr = PortfolioTest::login('zlsh111122222', '122222');
is(PortfolioTest::api(POST => '/password', $hr, body => { current => '122222', new => 'homeroom-pass-7' })->{status},
   200, 'homeroom teacher sets a password');
$hr = PortfolioTest::login('zlsh111122222', 'homeroom-pass-7');
PortfolioTest::seed($admin, 'relations', "zlsh111122222\x1fzlsh108234567\x1f113-1\x1fhomeroom", '{}');

# PE101 is taught by the homeroom teacher; the course teacher has only CS/MA
main::course($admin, '113-1', 'PE101', { name => 'PE', subject => 'PE', credits => 2,
              teacher => 'zlsh111122222' }, 'zlsh108234567');

my @ids;
for my $code (qw(CS101 PE101 MA101)) {
    my $id = main::create($st, $code, "work $code")->{json}{outcome}{id};
    main::upload($st, $id, 'document', main::pdf(), type => 'application/pdf');
    push @ids, $id;
}
PortfolioTest::api(POST => "/outcomes/$ids[0]/submit", $st, body => {});
PortfolioTest::api(POST => "/outcomes/$ids[1]/submit", $st, body => {});
# $ids[2] stays a draft

my $teacher = PortfolioTest::login('zlsh122233333', 'teacher-pass-2');
my $r = PortfolioTest::api(GET => '/students/zlsh108234567/outcomes', $teacher);
is($r->{status}, 200, 'course teacher lists the student');
is_deeply([ map { $_->{code} } @{ $r->{json}{outcomes} } ], ['CS101'],
          'the course teacher sees the submitted outcome of their course only');
is(PortfolioTest::api(GET => "/outcomes/$ids[0]/document", $teacher)->{status}, 200,
   'and downloads its file');
PortfolioTest::is_error(PortfolioTest::api(GET => "/outcomes/$ids[1]", $teacher), 403, 'out_of_scope',
                        'not the outcome of a course they do not teach');

$r = PortfolioTest::api(GET => '/students/zlsh108234567/outcomes?term=113-1', $hr);
is_deeply([ sort map { $_->{code} } @{ $r->{json}{outcomes} } ], ['CS101', 'PE101'],
          'the homeroom teacher sees every submitted one, no drafts');
$r = PortfolioTest::api(GET => '/students/zlsh108234567/outcomes', $admin);
is(scalar @{ $r->{json}{outcomes} }, 2, 'the school admin sees the submitted ones');
$r = PortfolioTest::api(GET => '/students/zlsh108234567/outcomes', $st);
is(scalar @{ $r->{json}{outcomes} }, 3, 'the student sees all three, the draft too');

my $tp = PortfolioTest::login('tpsh109000001', 'other-pass-1');
PortfolioTest::is_error(PortfolioTest::api(GET => '/students/zlsh108234567/outcomes', $tp), 403,
                        'out_of_scope', "another school's admin");
PortfolioTest::is_error(PortfolioTest::api(GET => "/outcomes/$ids[0]", $tp), 403, 'out_of_scope',
                        "another school's admin, by id");

# the reviewer's decision stays hidden from others until published
PortfolioTest::is_error(PortfolioTest::api(POST => "/outcomes/$ids[1]/decision", $hr,
                                           body => { result => 'fail', note => 'too short' }),
                        403, 'window_closed', 'no certify window yet');
main::window($admin, '113-1', 'certify', PortfolioTest::now_ms() - 60_000, PortfolioTest::now_ms() + 3_600_000);
my $d = PortfolioTest::api(POST => "/outcomes/$ids[1]/decision", $hr,
               body => { result => 'fail', note => 'too short' });
is($d->{status}, 200, 'the PE teacher (its reviewer) decides');
$r = PortfolioTest::api(GET => "/outcomes/$ids[1]", $st);
is($r->{json}{outcome}{decision}, undef, 'the student does not see the decision');
is($r->{json}{outcome}{note}, '', '... nor the note');
$r = PortfolioTest::api(GET => "/outcomes/$ids[1]", $admin);
is($r->{json}{outcome}{decision}, undef, 'nor does the admin');
$r = PortfolioTest::api(GET => "/outcomes/$ids[1]", $hr);
is($r->{json}{outcome}{decision}, 'fail', 'the reviewer does');
is($r->{json}{outcome}{note}, 'too short', '... with the note');
PortfolioTest::log_clean();
--- request
GET /api/outcomes
--- error_code: 401
--- no_error_log
[error]
