/*
 * student -- the student's course learning outcomes (SPEC P4) and storage
 * quota (P10): create a draft for a credit-bearing course of a term, add
 * its document and media file, send it for certification (送出認證), list
 * and read them; teachers, admins and parents who may see the student
 * read the submitted ones.  Records are plugins/README.md's "outcomes",
 * "outcome_ids", "cert_queue" and "usage".
 *
 * Rules and refusals:
 *   - a course the student took that term (sis_enrollments) with
 *     credits > 0: 422 not_enrolled / not_credit_bearing;
 *   - description of 1 to 100 characters (UTF-8 characters, not bytes):
 *     422 description_too_long / invalid_field;
 *   - inside the school's upload window (AD3): 403 window_closed;
 *   - at most outcome_uploads_per_term outcomes a term and
 *     outcome_uploads_per_subject a subject a term (school parameters,
 *     AD2; every outcome counts, failed ones too): 422 limit_reached,
 *     "(n/limit)";
 *   - files checked by content before the body is stored (Q2): document
 *     pdf/jpg/png up to 4 MB, media mp3/mp4 up to 10 MB (seeds 004):
 *     415 unsupported_file_type, 413 file_too_large; the student's quota
 *     (quota_student_mb): 413 quota_exceeded;
 *   - only the owner changes an outcome, and only while it is a draft:
 *     403 not_owner, 409 not_draft.
 */

#define _POSIX_C_SOURCE 200809L

#include <string.h>
#include <stdlib.h>

#include "portfolio_plugin.h"


static const pf_host_api_t  *host;

#define PF_HOST  host
#include "../common/pf_common.h"
#include "../common/pf_outcome.h"


#define ST_DOC_MAX        (4 * PFO_MIB)
#define ST_MEDIA_MAX      (10 * PFO_MIB)
#define ST_DESC_MAX       100
#define ST_NAME_MAX       100

/* what a caller may do with an outcome */
#define ST_NONE           0
#define ST_VIEW           1     /* may see the student: submitted ones */
#define ST_REVIEW         2     /* the reviewer or an active stand-in */
#define ST_OWNER          3


static int
st_owner_is(const pf_val_t *rec, const pf_user_t *user)
{
    return pf_same(pfo_field(rec, "student"), user->id);
}


/* The description rule (P4): 1 to 100 characters, no control characters. */

static int
st_check_description(pf_req_t *req, const pf_val_t *v, pf_str_t *out)
{
    size_t    i, chars;
    pf_str_t  s;
    int       blank;

    if (host->type(v) != PF_JSON_STRING) {
        return pfo_err(req, 422, "invalid_field",
                       "\"description\" is required: a text of at most %d "
                       "characters", ST_DESC_MAX);
    }

    s = host->str(v);
    blank = 1;

    for (i = 0; i < s.len; i++) {
        unsigned char  c = (unsigned char) s.data[i];

        if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f) {
            return pfo_err(req, 422, "invalid_field",
                           "\"description\" may not contain control "
                           "characters");
        }

        if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
            blank = 0;
        }
    }

    if (blank) {
        return pfo_err(req, 422, "invalid_field",
                       "\"description\" must not be empty");
    }

    chars = pf_utf8_chars(s);

    if (chars > ST_DESC_MAX) {
        return pfo_err(req, 422, "description_too_long",
                       "the description has %zu characters; at most %d are "
                       "allowed", chars, ST_DESC_MAX);
    }

    *out = s;

    return 0;
}


/* Credits as the import wrote them: a number or a numeric string. */

static double
st_credits(const pf_val_t *course)
{
    char       buf[32];
    pf_str_t   s;

    s = host->str(host->get(course, "credits"));

    if (s.len == 0 || s.len >= sizeof(buf)) {
        return 0;
    }

    memcpy(buf, s.data, s.len);
    buf[s.len] = '\0';

    return strtod(buf, NULL);
}


static pf_str_t
st_subject(const pf_val_t *course, pf_str_t code)
{
    pf_str_t  s;

    s = pfo_field(course, "subject");
    if (s.len) {
        return s;
    }

    s = pfo_field(course, "name");

    return s.len ? s : code;
}


/* The reviewer (P5, AD1): the course's named reviewer, else its teacher. */

static pf_str_t
st_reviewer(const pf_val_t *course)
{
    pf_str_t  r;

    r = pfo_field(course, "reviewer");

    if (r.len == 0 || !pf_valid_id(r)) {
        r = pfo_field(course, "teacher");
    }

    return pf_valid_id(r) ? r : (pf_str_t) { 0, NULL };
}


static const pf_val_t *
st_course(pf_req_t *req, const pf_val_t *rec)
{
    return pf_load(req, "sis_courses",
                   pf_key(req, 3, pfo_field(rec, "school"),
                          pfo_field(rec, "term"), pfo_field(rec, "code")));
}


/*
 * Who sees what of a student's outcomes: the student everything; a school
 * admin of the student's school, a city admin, and a homeroom teacher,
 * counselor or parent every submitted one; a teacher related to the
 * student only as a course teacher the submitted ones of the courses
 * they teach (teacher, co-teacher or reviewer); the reviewer and an
 * active stand-in the ones they certify.
 */

typedef struct {
    int   full;
} st_rel_t;


static int
st_rel_cb(void *data, pf_str_t key, pf_str_t value)
{
    st_rel_t    *rel = data;
    const char  *p;

    /* the kind is the key's last part */
    p = key.data + key.len;

    while (p > key.data && p[-1] != PF_SEP) {
        p--;
    }

    if (!((size_t) (key.data + key.len - p) == sizeof("course") - 1
          && memcmp(p, "course", sizeof("course") - 1) == 0))
    {
        rel->full = 1;
        return 1;
    }

    return 0;
}


static int
st_full_viewer(pf_req_t *req, pf_str_t student)
{
    st_rel_t          rel;
    pf_str_t          prefix;
    const pf_user_t  *user;
    const pf_val_t   *s;

    user = host->user(req);

    if (pf_same(user->id, student) || (user->roles & PF_ROLE_CITY_ADMIN)) {
        return 1;
    }

    if (user->roles & PF_ROLE_SCHOOL_ADMIN) {
        s = pf_load(req, "users", student);

        if (s && pf_same(pfo_field(s, "school"), user->school)) {
            return 1;
        }
    }

    rel.full = 0;
    prefix = pf_key(req, 3, user->id, student, (pf_str_t) { 0, "" });
    (void) host->db_scan(req, "relations", prefix, st_rel_cb, &rel);

    return rel.full;
}


static int
st_teaches(pf_req_t *req, const pf_val_t *rec, pf_str_t me)
{
    size_t           i, n;
    const pf_val_t  *course, *co;

    if (pfo_str_is(host->get(rec, "reviewer"), me)) {
        return 1;
    }

    course = st_course(req, rec);
    if (course == NULL) {
        return 0;
    }

    if (pfo_str_is(host->get(course, "teacher"), me)
        || pfo_str_is(host->get(course, "reviewer"), me))
    {
        return 1;
    }

    co = host->get(course, "co_teachers");
    n = host->type(co) == PF_JSON_ARRAY ? host->count(co) : 0;

    for (i = 0; i < n; i++) {
        if (pfo_str_is(host->at(co, i), me)) {
            return 1;
        }
    }

    return 0;
}


/* full: -1 unknown (worked out here), else st_full_viewer()'s answer. */

static int
st_access(pf_req_t *req, const pf_val_t *rec, int full)
{
    pf_str_t          student;
    const pf_user_t  *user;

    user = host->user(req);
    student = pfo_field(rec, "student");

    if (pf_same(student, user->id)) {
        return ST_OWNER;
    }

    /* a draft is the student's alone: 送出認證 makes it visible */
    if (pf_eq(pfo_field(rec, "status"), "draft")) {
        return ST_NONE;
    }

    if (pfo_is_reviewer(req, rec, user->id)) {
        return ST_REVIEW;
    }

    if (!host->can_see(req, student)) {
        return ST_NONE;
    }

    if (full < 0) {
        full = st_full_viewer(req, student);
    }

    if (full || st_teaches(req, rec, user->id)) {
        return ST_VIEW;
    }

    return ST_NONE;
}


/* ---------------------------------------------------------------- */
/* POST /outcomes {"term","code","description"}                      */
/* ---------------------------------------------------------------- */

typedef struct {
    pf_req_t   *req;
    pf_str_t    term;
    pf_str_t    subject;
    int64_t     term_count;
    int64_t     subject_count;
} st_count_t;


static int
st_count_cb(void *data, pf_str_t key, pf_str_t value)
{
    st_count_t      *c = data;
    const pf_val_t  *rec;

    rec = host->parse(c->req, value);

    if (!pfo_str_is(host->get(rec, "term"), c->term)) {
        return 0;
    }

    c->term_count++;

    if (c->subject.len && pfo_str_is(host->get(rec, "subject"), c->subject)) {
        c->subject_count++;
    }

    return 0;
}


static void
st_count(pf_req_t *req, pf_str_t student, st_count_t *c)
{
    pf_str_t  prefix;

    c->req = req;
    c->term_count = 0;
    c->subject_count = 0;

    prefix = pf_key(req, 2, student, (pf_str_t) { 0, "" });
    (void) host->db_scan(req, "outcomes", prefix, st_count_cb, c);
}


static int
st_create(pf_req_t *req)
{
    int               rc;
    int64_t           now, per_term, per_subject;
    pf_str_t          term, code, desc, why, id, reviewer, kind, subject;
    pf_str_t          rec_key, text, detail;
    pf_gen_t         *g, *out;
    st_count_t        cnt;
    const pf_val_t   *body, *enrol, *course, *v;
    const pf_user_t  *user;

    user = host->user(req);
    body = host->body(req);

    v = host->get(body, "term");
    term = host->str(v);

    if (host->type(v) != PF_JSON_STRING || !pfo_valid_term(term)) {
        return pfo_err(req, 422, "invalid_field",
                       "\"term\" must be a term such as \"113-1\"");
    }

    v = host->get(body, "code");
    code = host->str(v);

    if (host->type(v) != PF_JSON_STRING || !pf_valid_id(code)) {
        return pfo_err(req, 422, "invalid_field",
                       "\"code\" must be a course code (課程代碼)");
    }

    rc = st_check_description(req, host->get(body, "description"), &desc);
    if (rc) {
        return rc;
    }

    if (!pfo_window(req, user->school, term, "upload", &why)) {
        return pfo_err(req, 403, "window_closed", "%.*s",
                       (int) why.len, why.data);
    }

    enrol = pf_load(req, "sis_enrollments", pf_key(req, 3, user->id, term,
                                                   code));
    course = pf_load(req, "sis_courses", pf_key(req, 3, user->school, term,
                                                code));

    if (enrol == NULL || course == NULL) {
        return pfo_err(req, 422, "not_enrolled",
                       "you did not take course %.*s in term %.*s",
                       (int) code.len, code.data, (int) term.len, term.data);
    }

    if (!(st_credits(course) > 0)) {
        return pfo_err(req, 422, "not_credit_bearing",
                       "course %.*s carries no credits: only credit-bearing "
                       "courses have learning outcomes certified",
                       (int) code.len, code.data);
    }

    subject = st_subject(course, code);
    per_term = host->setting_int(req, "outcome_uploads_per_term", 10);
    per_subject = host->setting_int(req, "outcome_uploads_per_subject", 4);

    cnt.term = term;
    cnt.subject = subject;
    st_count(req, user->id, &cnt);

    if (cnt.term_count >= per_term) {
        return pfo_err(req, 422, "limit_reached",
                       "you have uploaded the most outcomes allowed in term "
                       "%.*s (%lld/%lld)", (int) term.len, term.data,
                       (long long) cnt.term_count, (long long) per_term);
    }

    if (cnt.subject_count >= per_subject) {
        return pfo_err(req, 422, "limit_reached",
                       "you have uploaded the most outcomes allowed for "
                       "subject %.*s in term %.*s (%lld/%lld)",
                       (int) subject.len, subject.data,
                       (int) term.len, term.data,
                       (long long) cnt.subject_count,
                       (long long) per_subject);
    }

    reviewer = st_reviewer(course);

    kind = pfo_field(enrol, "kind");
    if (kind.len == 0) {
        kind = pfo_field(course, "kind");
    }

    if (kind.len == 0) {
        kind = pf_string("normal");
    }

    id = host->new_id(req);
    now = host->now_ms(req);

    if (id.len == 0) {
        return pfo_err(req, 500, "internal", "no id");
    }

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "id");
    host->string(g, id);
    host->key(g, "student");
    host->string(g, user->id);
    host->key(g, "school");
    host->string(g, user->school);
    host->key(g, "term");
    host->string(g, term);
    host->key(g, "code");
    host->string(g, code);
    host->key(g, "course_name");
    host->string(g, pfo_field(course, "name"));
    host->key(g, "subject");
    host->string(g, subject);
    host->key(g, "kind");
    host->string(g, kind);
    host->key(g, "description");
    host->string(g, desc);
    host->key(g, "document");
    host->null(g);
    host->key(g, "media");
    host->null(g);
    host->key(g, "status");
    host->cstring(g, "draft");
    host->key(g, "reviewer");
    if (reviewer.len) {
        host->string(g, reviewer);
    } else {
        host->null(g);
    }
    host->key(g, "decision");
    host->null(g);
    host->key(g, "note");
    host->cstring(g, "");
    host->key(g, "decided_by");
    host->null(g);
    host->key(g, "decided_at");
    host->null(g);
    host->key(g, "submitted_at");
    host->null(g);
    host->key(g, "published_at");
    host->null(g);
    host->key(g, "selected");
    host->boolean(g, 0);
    host->key(g, "selected_at");
    host->null(g);
    host->key(g, "created");
    host->number(g, now);
    host->key(g, "updated");
    host->number(g, now);
    host->key(g, "by");
    host->string(g, user->id);
    host->map_close(g);

    text = host->text(g);
    rec_key = pf_key(req, 2, user->id, id);

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "student");
    host->string(g, user->id);
    host->map_close(g);

    if (host->db_put(req, "outcomes", rec_key, text) != PF_OK
        || host->db_put(req, "outcome_ids", id, host->text(g)) != PF_OK)
    {
        return pfo_err(req, 503, "storage_unavailable",
                       "the outcome could not be stored");
    }

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "id");
    host->string(g, id);
    host->key(g, "term");
    host->string(g, term);
    host->key(g, "code");
    host->string(g, code);
    host->map_close(g);
    detail = host->text(g);

    if (host->audit(req, user->id, "outcome.created", detail) != PF_OK) {
        return pfo_err(req, 503, "storage_unavailable",
                       "the change could not be recorded");
    }

    out = host->gen(req);
    host->map_open(out);
    host->key(out, "outcome");
    host->raw(out, text);
    host->key(out, "term_count");
    host->number(out, cnt.term_count + 1);
    host->key(out, "term_limit");
    host->number(out, per_term);
    host->map_close(out);

    return host->reply(req, 201, out);
}


/* ---------------------------------------------------------------- */
/* PATCH /outcomes/{id} {"description"}: a draft's description       */
/* ---------------------------------------------------------------- */

/* Owner, draft, window: the rules for changing an outcome. */

static const pf_val_t *
st_own_draft(pf_req_t *req, pf_str_t *key, int need_window, int *status)
{
    pf_str_t          id, why;
    const pf_val_t   *rec;
    const pf_user_t  *user;

    user = host->user(req);
    id = host->param(req, "id");

    rec = pfo_find(req, id, key, NULL);

    if (rec == NULL) {
        *status = pfo_err(req, 404, "not_found", "no such outcome");
        return NULL;
    }

    if (!st_owner_is(rec, user)) {
        *status = pfo_err(req, 403, "not_owner",
                          "only the student who made an outcome may "
                          "change it");
        return NULL;
    }

    if (!pf_eq(pfo_field(rec, "status"), "draft")) {
        *status = pfo_err(req, 409, "not_draft",
                          "this outcome was sent for certification (it is "
                          "%.*s); only a draft can be changed",
                          (int) pfo_field(rec, "status").len,
                          pfo_field(rec, "status").data);
        return NULL;
    }

    if (need_window) {
        if (!pfo_window(req, pfo_field(rec, "school"), pfo_field(rec, "term"),
                        "upload", &why))
        {
            *status = pfo_err(req, 403, "window_closed", "%.*s",
                              (int) why.len, why.data);
            return NULL;
        }
    }

    return rec;
}


static int
st_reply_outcome(pf_req_t *req, int status, pf_str_t text)
{
    pf_gen_t  *g;

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "outcome");
    host->raw(g, text);
    host->map_close(g);

    return host->reply(req, status, g);
}


static pf_str_t
st_detail_id(pf_req_t *req, pf_str_t id)
{
    pf_gen_t  *g;

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "id");
    host->string(g, id);
    host->map_close(g);

    return host->text(g);
}


static int
st_update(pf_req_t *req)
{
    int               rc;
    pf_str_t          key, desc, text, raws[3];
    const pf_val_t   *rec;
    const pf_user_t  *user;

    static const char *const  keys[] = { "description", "updated", "by" };

    user = host->user(req);

    rec = st_own_draft(req, &key, 1, &rc);
    if (rec == NULL) {
        return rc;
    }

    rc = st_check_description(req, host->get(host->body(req), "description"),
                              &desc);
    if (rc) {
        return rc;
    }

    raws[0] = pfo_jstr(req, desc);
    raws[1] = pfo_jint(req, host->now_ms(req));
    raws[2] = pfo_jstr(req, user->id);
    text = pfo_rewrite(req, rec, 3, keys, raws);

    if (host->db_put(req, "outcomes", key, text) != PF_OK
        || host->audit(req, user->id, "outcome.updated",
                       st_detail_id(req, pfo_field(rec, "id")))
           != PF_OK)
    {
        return pfo_err(req, 503, "storage_unavailable",
                       "the outcome could not be stored");
    }

    return st_reply_outcome(req, 200, text);
}


/* ---------------------------------------------------------------- */
/* PUT /outcomes/{id}/document, PUT /outcomes/{id}/media             */
/* ---------------------------------------------------------------- */

typedef struct {
    int64_t  bytes;
    int64_t  files;
} st_usage_t;


static void
st_usage(pf_req_t *req, pf_str_t account, st_usage_t *u)
{
    const pf_val_t  *rec;

    rec = pf_load(req, "usage", account);
    u->bytes = rec ? pfo_int(rec, "bytes", 0) : 0;
    u->files = rec ? pfo_int(rec, "files", 0) : 0;
}


static int
st_usage_put(pf_req_t *req, pf_str_t account, st_usage_t *u)
{
    pf_gen_t  *g;

    if (u->bytes < 0) {
        u->bytes = 0;
    }

    if (u->files < 0) {
        u->files = 0;
    }

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "bytes");
    host->number(g, u->bytes);
    host->key(g, "files");
    host->number(g, u->files);
    host->map_close(g);

    return host->db_put(req, "usage", account, host->text(g));
}


static int64_t
st_quota(pf_req_t *req)
{
    const pf_user_t  *user;

    user = host->user(req);

    if (user->roles & PF_ROLE_STUDENT) {
        return host->setting_int(req, "quota_student_mb", 200) * PFO_MIB;
    }

    return host->setting_int(req, "quota_teacher_mb", 150) * PFO_MIB;
}


static int64_t
st_file_size(const pf_val_t *rec, const char *kind)
{
    const pf_val_t  *f;

    f = host->get(rec, kind);

    if (host->type(f) != PF_JSON_OBJECT) {
        return -1;
    }

    return pfo_int(f, "size", 0);
}


static int
st_quota_refuse(pf_req_t *req, int64_t need, int64_t used, int64_t quota)
{
    return pfo_err(req, 413, "quota_exceeded",
                   "this file (%.1f MB) does not fit in your storage: "
                   "%.1f MB of %.0f MB used",
                   (double) need / PFO_MIB, (double) used / PFO_MIB,
                   (double) quota / PFO_MIB);
}


/* In the event loop, before any of the body is read. */

static int
st_file_precheck(pf_req_t *req, int media)
{
    int               rc;
    int64_t           len, old, quota;
    pf_str_t          key;
    st_usage_t        u;
    const pf_val_t   *rec;
    const pf_user_t  *user;

    user = host->user(req);

    rec = st_own_draft(req, &key, 1, &rc);
    if (rec == NULL) {
        return rc;
    }

    len = host->content_length(req);
    old = st_file_size(rec, media ? "media" : "document");
    quota = st_quota(req);
    st_usage(req, user->id, &u);

    if (len > 0 && u.bytes - (old > 0 ? old : 0) + len > quota) {
        return st_quota_refuse(req, len, u.bytes, quota);
    }

    if (host->upload_limit(req, media ? ST_MEDIA_MAX : ST_DOC_MAX,
                           media ? PF_TYPES_MEDIA : PF_TYPES_DOCUMENT)
        != PF_OK)
    {
        return pfo_err(req, 500, "internal", "the upload limit was refused");
    }

    return 0;
}


static int
st_document_precheck(pf_req_t *req)
{
    return st_file_precheck(req, 0);
}


static int
st_media_precheck(pf_req_t *req)
{
    return st_file_precheck(req, 1);
}


/* Length of the UTF-8 sequence at p (valid, shortest form), or 0. */

static size_t
st_utf8_len(const unsigned char *p, size_t n)
{
    if (p[0] < 0x80) {
        return 1;
    }

    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        return n >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
    }

    if (p[0] >= 0xe0 && p[0] <= 0xef) {
        if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80
            || (p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0))
        {
            return 0;
        }

        return 3;
    }

    if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        if (n < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80
            || (p[3] & 0xc0) != 0x80 || (p[0] == 0xf0 && p[1] < 0x90)
            || (p[0] == 0xf4 && p[1] >= 0x90))
        {
            return 0;
        }

        return 4;
    }

    return 0;
}


static int
st_ext_matches(const char *e, size_t n, const char *ext)
{
    char    low[8];
    size_t  i;

    if (n == 0 || n >= sizeof(low)) {
        return 0;
    }

    for (i = 0; i < n; i++) {
        low[i] = (e[i] >= 'A' && e[i] <= 'Z') ? e[i] - 'A' + 'a' : e[i];
    }

    low[n] = '\0';

    return strcmp(low, ext) == 0
           || (strcmp(ext, "jpg") == 0 && strcmp(low, "jpeg") == 0);
}


static int
st_known_ext(const char *e, size_t n)
{
    static const char *const  known[] = {
        "pdf", "png", "jpg", "mp3", "mp4", "m4a", "mov", "gif", "doc",
        "docx", "txt", "exe", NULL
    };

    size_t  i;

    for (i = 0; known[i]; i++) {
        if (st_ext_matches(e, n, known[i])) {
            return 1;
        }
    }

    return 0;
}


/*
 * The file's display name: the ?name= argument (URL-encoded UTF-8)
 * without any path, control characters or invalid UTF-8, at most 100
 * characters, ending in the extension of the type its content has (a
 * PDF named "x.png" is shown as "x.pdf"); "document.<ext>" or
 * "media.<ext>" without one.
 */

static pf_str_t
st_file_name(pf_req_t *req, pf_str_t raw, const char *ext, const char *kind)
{
    char                 *buf, *dot, *own;
    const char           *use;
    size_t                i, n, len, chars, max, extlen;
    const unsigned char  *p, *end, *start;

    /* only the last path component */
    start = (const unsigned char *) raw.data;
    end = start + raw.len;

    for (p = start; p < end; p++) {
        if (*p == '/' || *p == '\\') {
            start = p + 1;
        }
    }

    extlen = strlen(ext);

    buf = host->alloc(req, (size_t) (end - start) + extlen + 2
                           + sizeof("document"));
    if (buf == NULL) {
        return pf_string("file");
    }

    len = 0;
    chars = 0;

    for (p = start; p < end; p += n) {
        n = st_utf8_len(p, (size_t) (end - p));

        if (n == 0) {
            n = 1;
            buf[len++] = '_';
            chars++;
            continue;
        }

        if (n == 1 && (*p < 0x20 || *p == 0x7f)) {
            continue;
        }

        /* no leading blanks or dots ("..", hidden files) */
        if (len == 0 && (*p == ' ' || *p == '.')) {
            continue;
        }

        memcpy(buf + len, p, n);
        len += n;
        chars++;
    }

    /* no trailing blanks or dots */
    while (len && (buf[len - 1] == ' ' || buf[len - 1] == '.')) {
        len--;
        chars--;
    }

    /* the extension: the name's own if it names the content's type
       ("scan.PNG", "photo.jpeg"), else the type's ("x.png" of a PDF is
       "x.pdf"); a known extension that lies is dropped */
    dot = NULL;
    use = ext;

    for (i = len; i > 0; i--) {
        if (buf[i - 1] == '.') {
            dot = buf + i - 1;
            break;
        }
    }

    if (dot) {
        n = len - (size_t) (dot + 1 - buf);

        if (st_ext_matches(dot + 1, n, ext)) {
            own = host->alloc(req, n + 1);

            if (own) {
                memcpy(own, dot + 1, n);
                own[n] = '\0';
                use = own;
            }
        }

        if (use != ext || st_known_ext(dot + 1, n)) {
            chars -= pf_utf8_chars((pf_str_t) { len - (size_t) (dot - buf),
                                                dot });
            len = (size_t) (dot - buf);
        }
    }

    extlen = strlen(use);
    max = ST_NAME_MAX - 1 - extlen;

    /* the stem, cut to fit on a character boundary */
    while (chars > max) {
        do {
            len--;
        } while (len && ((unsigned char) buf[len] & 0xc0) == 0x80);

        chars--;
    }

    while (len && (buf[len - 1] == ' ' || buf[len - 1] == '.')) {
        len--;
    }

    if (len == 0) {
        memcpy(buf, kind, strlen(kind));
        len = strlen(kind);
    }

    buf[len++] = '.';
    memcpy(buf + len, use, extlen);
    len += extlen;

    return (pf_str_t) { len, buf };
}


/* In the writer, after the host stored the file: record it. */

static int
st_file_store(pf_req_t *req, int media)
{
    int                 rc;
    int64_t             old, quota, now;
    pf_str_t            key, text, name, raws[4], detail;
    pf_gen_t           *g;
    st_usage_t          u;
    const char         *kind;
    const pf_val_t     *rec;
    const pf_user_t    *user;
    const pf_upload_t  *up;

    const char         *keys[3];

    user = host->user(req);
    up = host->upload(req);
    kind = media ? "media" : "document";

    if (up == NULL) {
        return pfo_err(req, 500, "internal", "no stored file");
    }

    /*
     * The writer is the source of truth: owner, draft and quota again.
     * Not the window: the precheck let the upload start inside it, and a
     * file that took until after the deadline to arrive is not refused
     * (Q3: nothing sent in time is lost).
     */
    rec = st_own_draft(req, &key, 0, &rc);
    if (rec == NULL) {
        return rc;
    }

    if ((up->type & (media ? PF_TYPES_MEDIA : PF_TYPES_DOCUMENT)) == 0) {
        return pfo_err(req, 415, "unsupported_file_type",
                       "this file's content is not a %s",
                       media ? "mp3 or mp4 file" : "pdf, jpg or png file");
    }

    old = st_file_size(rec, kind);
    quota = st_quota(req);
    st_usage(req, user->id, &u);

    if (u.bytes - (old > 0 ? old : 0) + up->size > quota) {
        return st_quota_refuse(req, up->size, u.bytes, quota);
    }

    name = st_file_name(req, host->arg(req, "name"), up->ext, kind);
    now = host->now_ms(req);

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "sha256");
    host->string(g, up->sha256);
    host->key(g, "size");
    host->number(g, up->size);
    host->key(g, "mime");
    host->cstring(g, up->mime);
    host->key(g, "ext");
    host->cstring(g, up->ext);
    host->key(g, "name");
    host->string(g, name);
    host->map_close(g);

    keys[0] = kind;
    keys[1] = "updated";
    keys[2] = "by";
    raws[0] = host->text(g);
    raws[1] = pfo_jint(req, now);
    raws[2] = pfo_jstr(req, user->id);
    text = pfo_rewrite(req, rec, 3, keys, raws);

    u.bytes += up->size - (old > 0 ? old : 0);
    u.files += old >= 0 ? 0 : 1;

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "id");
    host->string(g, pfo_field(rec, "id"));
    host->key(g, "kind");
    host->cstring(g, kind);
    host->key(g, "sha256");
    host->string(g, up->sha256);
    host->key(g, "size");
    host->number(g, up->size);
    host->key(g, "name");
    host->string(g, name);
    host->key(g, "replaced");
    host->boolean(g, old >= 0);
    host->map_close(g);
    detail = host->text(g);

    if (host->db_put(req, "outcomes", key, text) != PF_OK
        || st_usage_put(req, user->id, &u) != PF_OK
        || host->audit(req, user->id, "outcome.file_stored", detail) != PF_OK)
    {
        return pfo_err(req, 503, "storage_unavailable",
                       "the file could not be recorded");
    }

    return st_reply_outcome(req, 200, text);
}


static int
st_document_store(pf_req_t *req)
{
    return st_file_store(req, 0);
}


static int
st_media_store(pf_req_t *req)
{
    return st_file_store(req, 1);
}


/* ---------------------------------------------------------------- */
/* POST /outcomes/{id}/submit: 送出認證                               */
/* ---------------------------------------------------------------- */

static int
st_submit(pf_req_t *req)
{
    int               rc;
    int64_t           now;
    pf_str_t          key, text, reviewer, raws[6], qkey, why;
    pf_gen_t         *g;
    const pf_val_t   *rec, *course, *payload;
    const pf_user_t  *user;

    static const char *const  keys[] = {
        "status", "reviewer", "submitted_at", "updated", "by"
    };

    user = host->user(req);

    rec = st_own_draft(req, &key, 0, &rc);
    if (rec == NULL) {
        return rc;
    }

    if (st_file_size(rec, "document") < 0 && st_file_size(rec, "media") < 0) {
        return pfo_err(req, 422, "no_file",
                       "add a document or a media file before sending the "
                       "outcome for certification");
    }

    if (!pfo_window(req, pfo_field(rec, "school"), pfo_field(rec, "term"),
                    "upload", &why))
    {
        return pfo_err(req, 403, "window_closed", "%.*s",
                       (int) why.len, why.data);
    }

    /* the reviewer as the course names it now (AD1 may have changed it) */
    course = st_course(req, rec);
    reviewer = course ? st_reviewer(course) : (pf_str_t) { 0, NULL };

    if (reviewer.len == 0) {
        reviewer = pfo_field(rec, "reviewer");
    }

    if (!pf_valid_id(reviewer)) {
        return pfo_err(req, 409, "no_reviewer",
                       "the course has no teacher to certify it; ask the "
                       "school administrator");
    }

    now = host->now_ms(req);
    raws[0] = pf_string("\"pending\"");
    raws[1] = pfo_jstr(req, reviewer);
    raws[2] = pfo_jint(req, now);
    raws[3] = raws[2];
    raws[4] = pfo_jstr(req, user->id);
    text = pfo_rewrite(req, rec, 5, keys, raws);

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "student");
    host->string(g, user->id);
    host->key(g, "term");
    host->string(g, pfo_field(rec, "term"));
    host->key(g, "code");
    host->string(g, pfo_field(rec, "code"));
    host->map_close(g);

    qkey = pf_key(req, 2, reviewer, pfo_field(rec, "id"));
    payload = host->parse(req, text);

    if (host->db_put(req, "outcomes", key, text) != PF_OK
        || host->db_put(req, "cert_queue", qkey, host->text(g)) != PF_OK)
    {
        return pfo_err(req, 503, "storage_unavailable",
                       "the outcome could not be stored");
    }

    if (host->emit(req, "outcome.submitted", payload) != PF_OK) {
        return pfo_err(req, 500, "internal",
                       "a plugin refused the submission");
    }

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "id");
    host->string(g, pfo_field(rec, "id"));
    host->key(g, "reviewer");
    host->string(g, reviewer);
    host->map_close(g);

    if (host->audit(req, user->id, "outcome.submitted", host->text(g))
        != PF_OK)
    {
        return pfo_err(req, 503, "storage_unavailable",
                       "the change could not be recorded");
    }

    return st_reply_outcome(req, 200, text);
}


/* ---------------------------------------------------------------- */
/* DELETE /outcomes/{id}: a draft, freeing its space                 */
/* ---------------------------------------------------------------- */

static int
st_delete(pf_req_t *req)
{
    int               rc;
    int64_t           doc, media, freed;
    pf_str_t          key, id;
    pf_gen_t         *g;
    st_usage_t        u;
    const pf_val_t   *rec;
    const pf_user_t  *user;

    user = host->user(req);

    rec = st_own_draft(req, &key, 0, &rc);
    if (rec == NULL) {
        return rc;
    }

    id = pfo_field(rec, "id");
    doc = st_file_size(rec, "document");
    media = st_file_size(rec, "media");
    freed = (doc > 0 ? doc : 0) + (media > 0 ? media : 0);

    st_usage(req, user->id, &u);
    u.bytes -= freed;
    u.files -= (doc >= 0) + (media >= 0);

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "id");
    host->string(g, id);
    host->key(g, "term");
    host->string(g, pfo_field(rec, "term"));
    host->key(g, "code");
    host->string(g, pfo_field(rec, "code"));
    host->key(g, "freed_bytes");
    host->number(g, freed);
    host->map_close(g);

    if (host->db_del(req, "outcomes", key) != PF_OK
        || host->db_del(req, "outcome_ids", id) != PF_OK
        || st_usage_put(req, user->id, &u) != PF_OK
        || host->audit(req, user->id, "outcome.deleted", host->text(g))
           != PF_OK)
    {
        return pfo_err(req, 503, "storage_unavailable",
                       "the outcome could not be deleted");
    }

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "deleted");
    host->string(g, id);
    host->key(g, "freed_bytes");
    host->number(g, freed);
    host->key(g, "used_bytes");
    host->number(g, u.bytes);
    host->map_close(g);

    return host->reply(req, 200, g);
}


/* ---------------------------------------------------------------- */
/* Reading                                                           */
/* ---------------------------------------------------------------- */

typedef struct {
    pf_req_t   *req;
    pf_gen_t   *g;
    pf_str_t    term;
    int         full;        /* st_full_viewer() of the caller */
    unsigned    mine:1;      /* the caller's own list */
    int64_t     n;
    int64_t     term_count;
} st_list_t;


/*
 * The owner's list without parsing: the record goes out as stored when it
 * is the caller's, in the term asked for, and published or undecided (what
 * pfo_view() sends whole).  1 done, 0 skipped, -1 parse it instead.
 */

static int
st_list_peek(st_list_t *l, pf_str_t value)
{
    int       is, whole;
    pf_str_t  f[8];

    static const char *const  names[] = {
        "student", "term", "status", "decision", "decided_by", "decided_at",
        "note", NULL
    };

    if (pf_peek(value, names, f) != PF_OK
        || pf_peek_is(f[0], host->user(l->req)->id) != 1)
    {
        return -1;
    }

    if (l->term.len) {
        is = pf_peek_is(f[1], l->term);

        if (is != 1) {
            return is;
        }
    }

    /* published, or undecided: pfo_published(), pfo_undecided() */
    whole = pf_peek_is(f[2], pf_string("passed")) == 1
            || pf_peek_is(f[2], pf_string("failed")) == 1
            || (pf_eq(f[3], "null") && pf_eq(f[4], "null")
                && pf_eq(f[5], "null") && pf_eq(f[6], "\"\""));

    if (!whole || host->raw(l->g, value) != PF_OK) {
        return -1;
    }

    /* counted only here: a record left to the parsing path counts there */
    if (l->term.len) {
        l->term_count++;
    }

    l->n++;

    return 1;
}


static int
st_list_cb(void *data, pf_str_t key, pf_str_t value)
{
    int              acc;
    st_list_t       *l = data;
    const pf_val_t  *rec;

    if (l->mine && st_list_peek(l, value) >= 0) {
        return 0;
    }

    rec = host->parse(l->req, value);
    if (rec == NULL) {
        return 0;
    }

    if (l->term.len) {
        if (!pfo_str_is(host->get(rec, "term"), l->term)) {
            return 0;
        }

        l->term_count++;
    }

    acc = st_access(l->req, rec, l->full);

    if (acc == ST_NONE) {
        return 0;
    }

    pfo_view(l->req, l->g, rec, value, acc == ST_REVIEW);
    l->n++;

    return 0;
}


static int
st_list(pf_req_t *req, pf_str_t student)
{
    int64_t           per_term;
    pf_str_t          term, prefix, school;
    pf_gen_t         *g;
    st_list_t         l;
    const pf_user_t  *user;

    user = host->user(req);
    term = host->arg(req, "term");

    if (term.len && !pfo_valid_term(term)) {
        return pfo_err(req, 422, "invalid_field",
                       "?term= must be a term such as 113-1");
    }

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "student");
    host->string(g, student);
    host->key(g, "outcomes");
    host->array_open(g);

    l.req = req;
    l.g = g;
    l.term = term;
    l.full = st_full_viewer(req, student);
    l.mine = pf_same(student, user->id);
    l.n = 0;
    l.term_count = 0;

    prefix = pf_key(req, 2, student, (pf_str_t) { 0, "" });

    if (host->db_scan(req, "outcomes", prefix, st_list_cb, &l) != PF_OK) {
        return pfo_err(req, 503, "storage_unavailable",
                       "the outcomes cannot be read now");
    }

    host->array_close(g);

    /* the limits of the student's school (a city admin's too) */
    school = user->school;

    if (!pf_same(student, user->id)) {
        school = pfo_field(pf_load(req, "users", student), "school");

        if (!pf_valid_id(school)) {
            school = user->school;
        }
    }

    per_term = host->setting_int_in(req, school, "outcome_uploads_per_term",
                                    10);

    host->key(g, "term");

    if (term.len) {
        host->string(g, term);
        host->key(g, "term_count");
        host->number(g, l.term_count);

    } else {
        host->null(g);
        host->key(g, "term_count");
        host->null(g);
    }

    host->key(g, "term_limit");
    host->number(g, per_term);
    host->key(g, "subject_limit");
    host->number(g, host->setting_int_in(req, school,
                                         "outcome_uploads_per_subject", 4));

    if (term.len && pf_same(student, user->id)) {
        int64_t  to;

        host->key(g, "upload_open");
        host->boolean(g, pf_window_open(req, user->school, term, "upload",
                                        &to));
        host->key(g, "upload_until");

        if (to) {
            host->number(g, to);
        } else {
            host->null(g);
        }
    }

    host->map_close(g);

    return host->reply(req, 200, g);
}


/* GET /outcomes?term=: the caller's own. */

static int
st_list_mine(pf_req_t *req)
{
    return st_list(req, host->user(req)->id);
}


/* GET /students/{student}/outcomes?term=: as the caller may see them. */

static int
st_list_student(pf_req_t *req)
{
    pf_str_t  student;

    student = host->param(req, "student");

    if (!pf_valid_id(student)) {
        return pfo_err(req, 404, "not_found", "no such student");
    }

    return st_list(req, student);
}


/* GET /outcomes/{id} */

static const pf_val_t *
st_readable(pf_req_t *req, int *acc, int *status, pf_str_t *text)
{
    const pf_val_t  *rec;

    rec = pfo_find(req, host->param(req, "id"), NULL, text);

    if (rec == NULL) {
        *status = pfo_err(req, 404, "not_found", "no such outcome");
        return NULL;
    }

    *acc = st_access(req, rec, -1);

    if (*acc == ST_NONE) {
        *status = pfo_err(req, 403, "out_of_scope",
                          "this outcome is not yours to see");
        return NULL;
    }

    return rec;
}


static int
st_get(pf_req_t *req)
{
    int              acc, rc;
    pf_str_t         text;
    pf_gen_t        *g;
    const pf_val_t  *rec;

    rec = st_readable(req, &acc, &rc, &text);
    if (rec == NULL) {
        return rc;
    }

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "outcome");
    pfo_view(req, g, rec, text, acc == ST_REVIEW);
    host->map_close(g);

    return host->reply(req, 200, g);
}


/* GET /outcomes/{id}/document, /media: the file, shown inline. */

static int
st_download(pf_req_t *req, const char *kind)
{
    int              acc, rc;
    pf_str_t         sha, mime, name;
    const pf_val_t  *rec, *f;

    rec = st_readable(req, &acc, &rc, NULL);
    if (rec == NULL) {
        return rc;
    }

    f = host->get(rec, kind);
    sha = pfo_field(f, "sha256");
    mime = pfo_field(f, "mime");
    name = pfo_field(f, "name");

    if (host->type(f) != PF_JSON_OBJECT || sha.len != 64 || mime.len == 0) {
        return pfo_err(req, 404, "no_file", "this outcome has no %s file",
                       kind);
    }

    /* parsed strings are NUL-terminated: mime is a C string */
    if (host->send_file(req, sha, mime.data, name, 1) != PF_OK) {
        return pfo_err(req, 500, "internal", "the file cannot be sent");
    }

    return 200;
}


static int
st_get_document(pf_req_t *req)
{
    return st_download(req, "document");
}


static int
st_get_media(pf_req_t *req)
{
    return st_download(req, "media");
}


/* GET /me/quota (P10) */

static int
st_my_quota(pf_req_t *req)
{
    pf_gen_t         *g;
    st_usage_t        u;

    st_usage(req, host->user(req)->id, &u);

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "used_bytes");
    host->number(g, u.bytes);
    host->key(g, "quota_bytes");
    host->number(g, st_quota(req));
    host->key(g, "files");
    host->number(g, u.files);
    host->map_close(g);

    return host->reply(req, 200, g);
}


#define ST_READERS  (PF_ROLE_STUDENT|PF_ROLE_TEACHER|PF_ROLE_HOMEROOM        \
                     |PF_ROLE_COURSE_TEACHER|PF_ROLE_COUNSELOR               \
                     |PF_ROLE_STANDIN|PF_ROLE_SCHOOL_ADMIN                   \
                     |PF_ROLE_CITY_ADMIN|PF_ROLE_PARENT                      \
                     |PF_ROLE_OUTCOME_SUBMITTER)


static const pf_route_t  student_routes[] = {
    { "POST", "/outcomes", PF_ROLE_STUDENT, PF_SCOPE_SELF, PF_ROUTE_WRITE,
      st_create, 0, NULL },
    { "GET", "/outcomes", PF_ROLE_STUDENT, PF_SCOPE_SELF, 0,
      st_list_mine, 0, NULL },
    { "GET", "/outcomes/{id}", ST_READERS, PF_SCOPE_SELF, 0,
      st_get, 0, NULL },
    { "PATCH", "/outcomes/{id}", PF_ROLE_STUDENT, PF_SCOPE_SELF,
      PF_ROUTE_WRITE, st_update, 0, NULL },
    { "DELETE", "/outcomes/{id}", PF_ROLE_STUDENT, PF_SCOPE_SELF,
      PF_ROUTE_WRITE, st_delete, 0, NULL },
    { "PUT", "/outcomes/{id}/document", PF_ROLE_STUDENT, PF_SCOPE_SELF,
      PF_ROUTE_WRITE|PF_ROUTE_UPLOAD, st_document_store, ST_MEDIA_MAX,
      st_document_precheck },
    { "PUT", "/outcomes/{id}/media", PF_ROLE_STUDENT, PF_SCOPE_SELF,
      PF_ROUTE_WRITE|PF_ROUTE_UPLOAD, st_media_store, ST_MEDIA_MAX,
      st_media_precheck },
    { "GET", "/outcomes/{id}/document", ST_READERS, PF_SCOPE_SELF, 0,
      st_get_document, 0, NULL },
    { "GET", "/outcomes/{id}/media", ST_READERS, PF_SCOPE_SELF, 0,
      st_get_media, 0, NULL },
    { "POST", "/outcomes/{id}/submit", PF_ROLE_STUDENT, PF_SCOPE_SELF,
      PF_ROUTE_WRITE, st_submit, 0, NULL },
    { "GET", "/students/{student}/outcomes", ST_READERS, PF_SCOPE_STUDENT, 0,
      st_list_student, 0, NULL },
    { "GET", "/me/quota", PF_ROLE_ANY, PF_SCOPE_SELF, 0,
      st_my_quota, 0, NULL },
};

/* sis_* are the sis plugin's; declared here too so they exist without it */
static const char *const  student_dbs[] = {
    "outcomes", "outcome_ids", "cert_queue", "cert_standins", "usage",
    "sis_courses", "sis_enrollments", NULL
};

static const pf_plugin_t  student_plugin = {
    PF_ABI_MAJOR, PF_ABI_MINOR, sizeof(pf_plugin_t),
    "student", "0.1.0",
    student_dbs,
    student_routes, sizeof(student_routes) / sizeof(student_routes[0]),
    NULL, 0,
    NULL, 0,
};


PF_EXPORT const pf_plugin_t *
pf_plugin_entry(const pf_host_api_t *api, uint32_t host_abi)
{
    if ((host_abi >> 16) != PF_ABI_MAJOR || api->size < sizeof(pf_host_api_t))
    {
        return NULL;
    }

    host = api;

    return &student_plugin;
}
