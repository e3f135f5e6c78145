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
 *     AD2): 422 limit_reached, "(n/limit)".  What counts is what is
 *     uploaded for the teacher to certify (seeds: 上傳...供授課教師審查):
 *     drafts, pending ones (a decision not yet published included) and
 *     passed ones; a failed one (不通過, published) does not, so the
 *     student may upload another (P5; seeds: 教師認證未通過還是要發佈);
 *   - files checked by content before the body is stored (Q2): document
 *     pdf/jpg/png up to 4 MB, media mp3/mp4 up to 10 MB (seeds 004):
 *     415 unsupported_file_type, 413 file_too_large; the student's quota
 *     (quota_student_mb): 413 quota_exceeded;
 *   - only the owner changes an outcome (the routes' owner lookup, 403
 *     not_owner), and only while it is a draft: 409 not_draft;
 *   - a draft of a course the student no longer takes (a re-import
 *     removed the enrollment, or the course) gets no file and is not
 *     sent for certification: 422 not_enrolled (st_enrolled()); it may
 *     still change in words or be deleted.
 *
 * A temporary account issued for a student (A3) is that student here
 * (user->id): it makes, fills and sends the student's outcomes, within
 * the student's limits and quota; "by" names it (user->account).
 *
 * Files: this one (the routes, and creating, changing, sending and
 * deleting an outcome), student_access.c (who sees what),
 * student_files.c (files and the quota), student_list.c (reading),
 * student_notices.c (results published and not yet read, N5).
 */

#include <stdlib.h>
#include <string.h>

#include "student.h"
#include "pf_text.h"


/* The description rule (P4): 1 to 100 characters, no control characters. */

static int
st_check_description(pf_req_t *req, const pf_val_t *v, pf_str_t *out)
{
    char      c;
    size_t    i, chars;
    pf_str_t  s;
    int       blank;

    if (pf_host->type(v) != PF_JSON_STRING) {
        return pf_host->error(req, 422, "invalid_field",
                              "請填寫學習成果的簡述（文字，最多 %d 個字）",
                              ST_DESC_MAX);
    }

    s = pf_host->str(v);

    if (pf_has_ctl(s)) {
        return pf_host->error(req, 422, "invalid_field",
                              "簡述含有不允許的控制字元，請刪除後再送出");
    }

    blank = 1;

    for (i = 0; i < s.len; i++) {
        c = s.data[i];

        if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
            blank = 0;
            break;
        }
    }

    if (blank) {
        return pf_host->error(req, 422, "invalid_field",
                              "簡述不可空白，請寫下這份學習成果的內容");
    }

    chars = pf_utf8_chars(s);

    if (chars > ST_DESC_MAX) {
        return pf_host->error(req, 422, "description_too_long",
                              "簡述有 %zu 個字，最多 %d 個字，請刪減",
                              chars, ST_DESC_MAX);
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

    s = pf_field(course, "credits");

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

    s = pf_field(course, "subject");
    if (s.len) {
        return s;
    }

    s = pf_field(course, "name");

    return s.len ? s : code;
}


/* The reviewer (P5, AD1): the course's named reviewer, else its teacher. */

static pf_str_t
st_reviewer(const pf_val_t *course)
{
    pf_str_t  r;

    r = pf_field(course, "reviewer");

    if (r.len == 0 || !pf_valid_id(r)) {
        r = pf_field(course, "teacher");
    }

    return pf_valid_id(r) ? r : (pf_str_t) { 0, NULL };
}


/*
 * Whether an outcome uses up an upload place (AD2): every one but a
 * failed one, which the student replaces with another (P5).
 */

int
st_counts(const pf_val_t *rec)
{
    return !pf_eq(pf_field(rec, "status"), "failed");
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

    rec = pf_host->parse(c->req, value);

    /* a failed one frees its place (st_counts()) */
    if (!pf_str_is(pf_host->get(rec, "term"), c->term) || !st_counts(rec)) {
        return 0;
    }

    c->term_count++;

    if (c->subject.len
        && pf_str_is(pf_host->get(rec, "subject"), c->subject))
    {
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
    (void) pf_host->db_scan(req, "outcomes", prefix, st_count_cb, c);
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

    user = pf_host->user(req);
    body = pf_host->body(req);

    v = pf_host->get(body, "term");
    term = pf_host->str(v);

    if (pf_host->type(v) != PF_JSON_STRING || !pf_valid_term(term)) {
        return pf_host->error(req, 422, "invalid_field",
                              "學期格式不正確：請用「學年度-學期」，例如 "
                              "113-1");
    }

    v = pf_host->get(body, "code");
    code = pf_host->str(v);

    if (pf_host->type(v) != PF_JSON_STRING || !pf_valid_id(code)) {
        return pf_host->error(req, 422, "invalid_field",
                              "請選擇修習的課程（課程代碼格式不正確）");
    }

    rc = st_check_description(req, pf_host->get(body, "description"), &desc);
    if (rc) {
        return rc;
    }

    if (!pfo_window(req, user->school, term, "upload", &why)) {
        return pf_host->error(req, 403, "window_closed", "%.*s", PF_S(why));
    }

    enrol = pf_load(req, "sis_enrollments", pf_key(req, 3, user->id, term,
                                                   code));
    course = pf_load(req, "sis_courses", pf_key(req, 3, user->school, term,
                                                code));

    if (enrol == NULL || course == NULL) {
        return pf_host->error(req, 422, "not_enrolled",
                              "您 %.*s 學期沒有修習課程 %.*s，不能為它上傳"
                              "學習成果", PF_S(term), PF_S(code));
    }

    if (!(st_credits(course) > 0)) {
        return pf_host->error(req, 422, "not_credit_bearing",
                              "課程 %.*s 沒有學分：只有有學分數的課程才可"
                              "上傳學習成果請授課教師認證", PF_S(code));
    }

    subject = st_subject(course, code);
    per_term = pf_host->setting_number(req, user->school,
                                       "outcome_uploads_per_term");
    per_subject = pf_host->setting_number(req, user->school,
                                          "outcome_uploads_per_subject");

    cnt.term = term;
    cnt.subject = subject;
    st_count(req, user->id, &cnt);

    if (cnt.term_count >= per_term) {
        return pf_host->error(req, 422, "limit_reached",
                              "本學期已達上傳數量上限 (%lld/%lld)：%.*s "
                              "學期最多上傳 %lld 件學習成果（認證未通過的"
                              "不計入）", (long long) cnt.term_count,
                              (long long) per_term, PF_S(term),
                              (long long) per_term);
    }

    if (cnt.subject_count >= per_subject) {
        return pf_host->error(req, 422, "limit_reached",
                              "這個科目本學期已達上傳數量上限 (%lld/%lld)："
                              "%.*s 學期「%.*s」最多上傳 %lld 件學習成果"
                              "（認證未通過的不計入）",
                              (long long) cnt.subject_count,
                              (long long) per_subject, PF_S(term),
                              PF_S(subject), (long long) per_subject);
    }

    reviewer = st_reviewer(course);

    kind = pf_field(enrol, "kind");
    if (kind.len == 0) {
        kind = pf_field(course, "kind");
    }

    if (kind.len == 0) {
        kind = pf_string("normal");
    }

    id = pf_host->new_id(req);
    now = pf_host->now_ms(req);

    if (id.len == 0) {
        return pf_host->error(req, 500, "internal",
                              "無法產生學習成果的編號，請稍後再試");
    }

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "id");
    pf_host->string(g, id);
    pf_host->key(g, "student");
    pf_host->string(g, user->id);
    pf_host->key(g, "school");
    pf_host->string(g, user->school);
    pf_host->key(g, "term");
    pf_host->string(g, term);
    pf_host->key(g, "code");
    pf_host->string(g, code);
    pf_host->key(g, "course_name");
    pf_host->string(g, pf_field(course, "name"));
    pf_host->key(g, "subject");
    pf_host->string(g, subject);
    pf_host->key(g, "kind");
    pf_host->string(g, kind);
    pf_host->key(g, "description");
    pf_host->string(g, desc);
    pf_host->key(g, "document");
    pf_host->null(g);
    pf_host->key(g, "media");
    pf_host->null(g);
    pf_host->key(g, "status");
    pf_host->cstring(g, "draft");
    pf_host->key(g, "reviewer");
    if (reviewer.len) {
        pf_host->string(g, reviewer);
    } else {
        pf_host->null(g);
    }
    pfo_gen_undecided(g);
    pf_host->key(g, "submitted_at");
    pf_host->null(g);
    pf_host->key(g, "published_at");
    pf_host->null(g);
    pf_host->key(g, "selected");
    pf_host->boolean(g, 0);
    pf_host->key(g, "selected_at");
    pf_host->null(g);
    pf_host->key(g, "created");
    pf_host->number(g, now);
    pf_host->key(g, "updated");
    pf_host->number(g, now);
    pf_host->key(g, "by");
    pf_host->string(g, user->account);
    pf_host->map_close(g);

    text = pf_host->text(g);
    rec_key = pf_key(req, 2, user->id, id);

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "student");
    pf_host->string(g, user->id);
    pf_host->map_close(g);

    if (pf_host->db_put(req, "outcomes", rec_key, text) != PF_OK
        || pf_host->db_put(req, "outcome_ids", id, pf_host->text(g)) != PF_OK)
    {
        return pf_host->error(req, 503, "storage_unavailable",
                              "學習成果暫時無法儲存，請稍後再試");
    }

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "id");
    pf_host->string(g, id);
    pf_host->key(g, "term");
    pf_host->string(g, term);
    pf_host->key(g, "code");
    pf_host->string(g, code);
    pf_host->map_close(g);
    detail = pf_host->text(g);

    if (pf_host->audit(req, user->id, "outcome.created", detail) != PF_OK) {
        return pf_host->error(req, 503, "storage_unavailable",
                              "這項變更暫時無法記錄，請稍後再試");
    }

    out = pf_host->gen(req);
    pf_host->map_open(out);
    pf_host->key(out, "outcome");
    pf_host->raw(out, text);
    pf_host->key(out, "term_count");
    pf_host->number(out, cnt.term_count + 1);
    pf_host->key(out, "term_limit");
    pf_host->number(out, per_term);
    pf_host->map_close(out);

    return pf_host->reply(req, 201, out);
}


/* ---------------------------------------------------------------- */
/* PATCH /outcomes/{id} {"description"}: a draft's description       */
/* ---------------------------------------------------------------- */

/*
 * Draft, window: the rules for changing an outcome, after the owner's
 * (the routes' owner lookup answered 404 for an unknown id and 403
 * not_owner for anyone else).
 */

const pf_val_t *
st_own_draft(pf_req_t *req, pf_str_t *key, int need_window, int *status)
{
    pf_str_t          why, state;
    const pf_val_t   *rec;

    rec = pfo_find(req, pf_host->param(req, "id"), key, NULL);

    /* deleted since the router looked (a write runs later, in the
       writer), or an id whose record is gone */
    if (rec == NULL) {
        *status = pf_host->error(req, 404, "not_found",
                                 "找不到這份學習成果");
        return NULL;
    }

    state = pf_field(rec, "status");

    if (!pf_eq(state, "draft")) {
        *status = pf_host->error(req, 409, "not_draft",
                                 "這份學習成果已送出認證（目前為%s），只有"
                                 "草稿可以修改或刪除",
                                 pfo_status_word(state));
        return NULL;
    }

    if (need_window) {
        if (!pfo_window(req, pf_field(rec, "school"), pf_field(rec, "term"),
                        "upload", &why))
        {
            *status = pf_host->error(req, 403, "window_closed", "%.*s",
                                     PF_S(why));
            return NULL;
        }
    }

    return rec;
}


int
st_reply_outcome(pf_req_t *req, int status, pf_str_t text)
{
    pf_gen_t  *g;

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "outcome");
    pf_host->raw(g, text);
    pf_host->map_close(g);

    return pf_host->reply(req, status, g);
}


static pf_str_t
st_detail_id(pf_req_t *req, pf_str_t id)
{
    pf_gen_t  *g;

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "id");
    pf_host->string(g, id);
    pf_host->map_close(g);

    return pf_host->text(g);
}


static int
st_update(pf_req_t *req)
{
    int               rc;
    pf_str_t          key, desc, text, raws[3];
    const pf_val_t   *rec, *body;
    const pf_user_t  *user;

    static const char *const  keys[] = { "description", "updated", "by" };

    user = pf_host->user(req);

    rec = st_own_draft(req, &key, 1, &rc);
    if (rec == NULL) {
        return rc;
    }

    body = pf_host->body(req);

    rc = st_check_description(req, pf_host->get(body, "description"), &desc);
    if (rc) {
        return rc;
    }

    raws[0] = pf_jstr(req, desc);
    raws[1] = pf_jint(req, pf_host->now_ms(req));
    raws[2] = pf_jstr(req, user->account);
    text = pf_rewrite(req, rec, 3, keys, raws);

    if (pf_host->db_put(req, "outcomes", key, text) != PF_OK
        || pf_host->audit(req, user->id, "outcome.updated",
                          st_detail_id(req, pf_field(rec, "id")))
           != PF_OK)
    {
        return pf_host->error(req, 503, "storage_unavailable",
                              "學習成果暫時無法儲存，請稍後再試");
    }

    return st_reply_outcome(req, 200, text);
}


/*
 * The draft's course still taken (sis_enrollments student␟term␟code, and
 * the course): a re-import of the school information system takes a
 * student off a course by removing the enrollment, and a draft of that
 * course can then no longer be sent for certification nor be given
 * files.  It may still be changed in words or deleted (its place and
 * space freed).  0, or the status of the 422 not_enrolled it set.
 */

int
st_enrolled(pf_req_t *req, const pf_val_t *rec)
{
    pf_str_t  term, code;

    term = pf_field(rec, "term");
    code = pf_field(rec, "code");

    if (pf_load(req, "sis_enrollments",
                pf_key(req, 3, pf_field(rec, "student"), term, code))
        != NULL
        && st_course(req, rec) != NULL)
    {
        return 0;
    }

    return pf_host->error(req, 422, "not_enrolled",
                          "您已不在 %.*s 學期「%.*s」（%.*s）的修課名單中"
                          "（學校重新匯入了修課資料），這份草稿不能再上傳"
                          "檔案或送出認證；如有疑問請洽教務處，不需要的"
                          "草稿可以刪除",
                          PF_S(term), PF_S(pf_field(rec, "course_name")),
                          PF_S(code));
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

    user = pf_host->user(req);

    rec = st_own_draft(req, &key, 0, &rc);
    if (rec == NULL) {
        return rc;
    }

    rc = st_enrolled(req, rec);
    if (rc) {
        return rc;
    }

    if (st_file_size(rec, "document") < 0 && st_file_size(rec, "media") < 0) {
        return pf_host->error(req, 422, "no_file",
                              "請先上傳文件或影音檔，再送出認證");
    }

    if (!pfo_window(req, pf_field(rec, "school"), pf_field(rec, "term"),
                    "upload", &why))
    {
        return pf_host->error(req, 403, "window_closed", "%.*s", PF_S(why));
    }

    /* the reviewer as the course names it now (AD1 may have changed it) */
    course = st_course(req, rec);
    reviewer = course ? st_reviewer(course) : (pf_str_t) { 0, NULL };

    if (reviewer.len == 0) {
        reviewer = pf_field(rec, "reviewer");
    }

    if (!pf_valid_id(reviewer)) {
        return pf_host->error(req, 409, "no_reviewer",
                              "這門課程沒有可認證的授課教師，請洽學校管理者"
                              "（教務處）");
    }

    now = pf_host->now_ms(req);
    raws[0] = pf_string("\"pending\"");
    raws[1] = pf_jstr(req, reviewer);
    raws[2] = pf_jint(req, now);
    raws[3] = raws[2];
    raws[4] = pf_jstr(req, user->account);
    text = pf_rewrite(req, rec, 5, keys, raws);

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "student");
    pf_host->string(g, user->id);
    pf_host->key(g, "term");
    pf_host->string(g, pf_field(rec, "term"));
    pf_host->key(g, "code");
    pf_host->string(g, pf_field(rec, "code"));
    pf_host->map_close(g);

    qkey = pf_key(req, 2, reviewer, pf_field(rec, "id"));
    payload = pf_host->parse(req, text);

    if (pf_host->db_put(req, "outcomes", key, text) != PF_OK
        || pf_host->db_put(req, "cert_queue", qkey, pf_host->text(g))
           != PF_OK)
    {
        return pf_host->error(req, 503, "storage_unavailable",
                              "學習成果暫時無法儲存，請稍後再試");
    }

    if (pf_host->emit(req, "outcome.submitted", payload) != PF_OK) {
        return pf_host->error(req, 500, "internal",
                              "送出認證沒有完成，請稍後再試");
    }

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "id");
    pf_host->string(g, pf_field(rec, "id"));
    pf_host->key(g, "reviewer");
    pf_host->string(g, reviewer);
    pf_host->map_close(g);

    if (pf_host->audit(req, user->id, "outcome.submitted", pf_host->text(g))
        != PF_OK)
    {
        return pf_host->error(req, 503, "storage_unavailable",
                              "這項變更暫時無法記錄，請稍後再試");
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

    user = pf_host->user(req);

    rec = st_own_draft(req, &key, 0, &rc);
    if (rec == NULL) {
        return rc;
    }

    id = pf_field(rec, "id");
    doc = st_file_size(rec, "document");
    media = st_file_size(rec, "media");
    freed = (doc > 0 ? doc : 0) + (media > 0 ? media : 0);

    st_usage(req, user->id, &u);
    u.bytes -= freed;
    u.files -= (doc >= 0) + (media >= 0);

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "id");
    pf_host->string(g, id);
    pf_host->key(g, "term");
    pf_host->string(g, pf_field(rec, "term"));
    pf_host->key(g, "code");
    pf_host->string(g, pf_field(rec, "code"));
    pf_host->key(g, "freed_bytes");
    pf_host->number(g, freed);
    pf_host->map_close(g);

    if (pf_host->db_del(req, "outcomes", key) != PF_OK
        || pf_host->db_del(req, "outcome_ids", id) != PF_OK
        || st_usage_put(req, user->id, &u) != PF_OK
        || pf_host->audit(req, user->id, "outcome.deleted", pf_host->text(g))
           != PF_OK)
    {
        return pf_host->error(req, 503, "storage_unavailable",
                              "學習成果暫時無法刪除，請稍後再試");
    }

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "deleted");
    pf_host->string(g, id);
    pf_host->key(g, "freed_bytes");
    pf_host->number(g, freed);
    pf_host->key(g, "used_bytes");
    pf_host->number(g, u.bytes);
    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}


#define ST_READERS  (PF_ROLE_STUDENT|PF_ROLE_TEACHER|PF_ROLE_HOMEROOM        \
                     |PF_ROLE_COURSE_TEACHER|PF_ROLE_COUNSELOR               \
                     |PF_ROLE_STANDIN|PF_ROLE_SCHOOL_ADMIN                   \
                     |PF_ROLE_CITY_ADMIN|PF_ROLE_PARENT                      \
                     |PF_ROLE_OUTCOME_SUBMITTER)


/*
 * The routes on an outcome {id} name their owner lookup: PF_SCOPE_OWNER
 * where only the student changes it, PF_SCOPE_RECORD where others may
 * read it under st_access()'s rule.
 */
static const pf_route_t  student_routes[] = {
    { .method = "POST", .path = "/outcomes", .roles = PF_ROLE_STUDENT,
      .scope = PF_SCOPE_SELF, .flags = PF_ROUTE_WRITE,
      .handler = st_create },
    { .method = "GET", .path = "/outcomes", .roles = PF_ROLE_STUDENT,
      .scope = PF_SCOPE_SELF, .handler = st_list_mine },
    { .method = "GET", .path = "/outcomes/{id}", .roles = ST_READERS,
      .scope = PF_SCOPE_RECORD, .owner = pfo_owner, .handler = st_get },
    { .method = "PATCH", .path = "/outcomes/{id}", .roles = PF_ROLE_STUDENT,
      .scope = PF_SCOPE_OWNER, .owner = pfo_owner, .flags = PF_ROUTE_WRITE,
      .handler = st_update },
    { .method = "DELETE", .path = "/outcomes/{id}", .roles = PF_ROLE_STUDENT,
      .scope = PF_SCOPE_OWNER, .owner = pfo_owner, .flags = PF_ROUTE_WRITE,
      .handler = st_delete },
    { .method = "PUT", .path = "/outcomes/{id}/document",
      .roles = PF_ROLE_STUDENT, .scope = PF_SCOPE_OWNER, .owner = pfo_owner,
      .flags = PF_ROUTE_WRITE|PF_ROUTE_UPLOAD, .handler = st_document_store,
      .max_body = ST_MEDIA_MAX, .precheck = st_document_precheck },
    { .method = "PUT", .path = "/outcomes/{id}/media",
      .roles = PF_ROLE_STUDENT, .scope = PF_SCOPE_OWNER, .owner = pfo_owner,
      .flags = PF_ROUTE_WRITE|PF_ROUTE_UPLOAD, .handler = st_media_store,
      .max_body = ST_MEDIA_MAX, .precheck = st_media_precheck },
    { .method = "GET", .path = "/outcomes/{id}/document", .roles = ST_READERS,
      .scope = PF_SCOPE_RECORD, .owner = pfo_owner,
      .handler = st_get_document },
    { .method = "GET", .path = "/outcomes/{id}/media", .roles = ST_READERS,
      .scope = PF_SCOPE_RECORD, .owner = pfo_owner, .handler = st_get_media },
    { .method = "POST", .path = "/outcomes/{id}/submit",
      .roles = PF_ROLE_STUDENT, .scope = PF_SCOPE_OWNER, .owner = pfo_owner,
      .flags = PF_ROUTE_WRITE, .handler = st_submit },
    { .method = "GET", .path = "/students/{student}/outcomes",
      .roles = ST_READERS, .scope = PF_SCOPE_STUDENT,
      .handler = st_list_student },
    { .method = "GET", .path = "/me/quota", .roles = PF_ROLE_ANY,
      .scope = PF_SCOPE_SELF, .handler = st_my_quota },
    { .method = "GET", .path = "/me/notices", .roles = PF_ROLE_STUDENT,
      .scope = PF_SCOPE_SELF, .handler = st_notices },
    { .method = "POST", .path = "/me/notices/read", .roles = PF_ROLE_STUDENT,
      .scope = PF_SCOPE_SELF, .flags = PF_ROUTE_WRITE,
      .handler = st_notices_read },
};

/*
 * Its own records, shared with the plugins of the outcome family (the
 * certification writes decisions, the selection ticks, the admin reads);
 * the sis plugin's courses and enrollments; the certification's queue,
 * which a submission joins, and its stand-ins (who may review).
 */
static const pf_db_t  student_dbs[] = {
    { .name = "outcomes", .access = PF_DB_OWN|PF_DB_SHARE_WRITE },
    { .name = "outcome_ids", .access = PF_DB_OWN|PF_DB_SHARE_READ },
    { .name = "usage", .access = PF_DB_OWN },
    { .name = "sis_courses", .access = PF_DB_READ },
    { .name = "sis_enrollments", .access = PF_DB_READ },
    { .name = "cert_queue", .access = PF_DB_WRITE },
    { .name = "cert_standins", .access = PF_DB_READ },
    { .name = "outcome_reads", .access = PF_DB_OWN },
};

/*
 * None of these is a ceiling (pf_setting_t.ceiling): the upload counts
 * are the school's own decision (seeds: 各校須自行設定學生上傳的件數,
 * 每學期學生上傳時間及件數由學校自訂), so the city's value is a default a
 * school may raise or lower; the quotas differ between schools of the one
 * city system (the seeds show teacher cabinets of 150 MB and of 1000 MB)
 * and no seed caps them.
 */
static const pf_setting_t  student_settings[] = {
    { .name = "outcome_uploads_per_term", .type = PF_SETTING_NUMBER,
      .levels = PF_LEVEL_CITY|PF_LEVEL_SCHOOL, .min = 1, .max = 100,
      .dflt = 10,
      .about = "course-outcome uploads per student per term" },
    { .name = "outcome_uploads_per_subject", .type = PF_SETTING_NUMBER,
      .levels = PF_LEVEL_CITY|PF_LEVEL_SCHOOL, .min = 1, .max = 50,
      .dflt = 4,
      .about = "course-outcome uploads per subject per term" },
    { .name = "quota_student_mb", .type = PF_SETTING_NUMBER,
      .levels = PF_LEVEL_CITY|PF_LEVEL_SCHOOL, .min = 1, .max = 10240,
      .dflt = 200,
      .about = "storage quota per student, in MB" },
    { .name = "quota_teacher_mb", .type = PF_SETTING_NUMBER,
      .levels = PF_LEVEL_CITY|PF_LEVEL_SCHOOL, .min = 1, .max = 10240,
      .dflt = 150,
      .about = "teacher cabinet quota, in MB" },
};

PF_PLUGIN(.name = "student", .version = "0.2.0",
          PF_DATABASES(student_dbs), PF_ROUTES(student_routes),
          PF_SETTINGS(student_settings))
