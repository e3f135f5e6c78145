/*
 * certification -- teachers certify course learning outcomes (SPEC P5, T1,
 * T2) and school admins name reviewers for co-taught courses and
 * stand-ins for absent teachers (AD1).
 *
 * An outcome the student sent (送出認證) is "pending" and sits in
 * cert_queue under its reviewer.  The reviewer, or an active stand-in of
 * the reviewer, records a decision (通過 pass / 不通過 fail) and an
 * optional note, seen by nobody else yet; publishing (發佈) makes the
 * outcome "passed" or "failed", takes it off the queue and tells the
 * student.  Decisions and publishing happen only inside the school's
 * certify window (AD3).
 *
 * Refusals: 403 not_reviewer (anyone but the reviewer or the stand-in),
 * 409 not_pending (a draft, or already published), 403 window_closed,
 * 422 invalid_field / note_too_long.
 */

#define _POSIX_C_SOURCE 200809L

#include <string.h>
#include <stdlib.h>

#include "portfolio_plugin.h"


static const pf_host_api_t  *host;

#define PF_HOST  host
#include "../common/pf_common.h"
#include "../common/pf_outcome.h"


#define CT_NOTE_MAX       100
#define CT_MAX_FOR        64        /* teachers one stand-in acts for */
#define CT_MAX_IDS        1000      /* outcomes in one publish request */

#define CT_TEACHERS  (PF_ROLE_TEACHER|PF_ROLE_COURSE_TEACHER|PF_ROLE_HOMEROOM \
                      |PF_ROLE_STANDIN)


/* The reviewers whose queue is mine: me, and whom I stand in for now. */

typedef struct {
    pf_req_t   *req;
    pf_str_t    me;
    int64_t     now;
    pf_str_t   *who;
    size_t      n;
} ct_for_t;


static int
ct_for_cb(void *data, pf_str_t key, pf_str_t value)
{
    ct_for_t        *f = data;
    const pf_val_t  *s;

    if (f->n >= CT_MAX_FOR) {
        return 1;
    }

    s = host->parse(f->req, value);

    if (s == NULL || !pfo_str_is(host->get(s, "standin"), f->me)
        || f->now < pfo_int(s, "from", INT64_MAX)
        || f->now >= pfo_int(s, "to", INT64_MIN))
    {
        return 0;
    }

    f->who[f->n].data = host->alloc(f->req, key.len + 1);
    if (f->who[f->n].data == NULL) {
        return 1;
    }

    memcpy((char *) f->who[f->n].data, key.data, key.len);
    ((char *) f->who[f->n].data)[key.len] = '\0';
    f->who[f->n].len = key.len;
    f->n++;

    return 0;
}


static void
ct_acting_for(pf_req_t *req, ct_for_t *f)
{
    f->req = req;
    f->me = host->user(req)->id;
    f->now = host->now_ms(req);
    f->who = host->alloc(req, (CT_MAX_FOR + 1) * sizeof(pf_str_t));
    f->n = 0;

    if (f->who == NULL) {
        return;
    }

    f->who[f->n++] = f->me;

    /* a handful of records per school; the whole city is a short walk */
    (void) host->db_scan(req, "cert_standins", pf_string(""), ct_for_cb, f);
}


/* The outcomes waiting in those queues, loaded, optionally one term's. */

typedef struct {
    pf_str_t          reviewer;
    const pf_val_t   *rec;
} ct_entry_t;


typedef struct {
    pf_req_t     *req;
    pf_str_t      reviewer;
    pf_str_t      term;
    ct_entry_t   *items;
    size_t        n;
    size_t        cap;
} ct_queue_t;


static int
ct_queue_cb(void *data, pf_str_t key, pf_str_t value)
{
    ct_queue_t      *q = data;
    pf_str_t         id, student, rkey, text;
    ct_entry_t      *grown;
    const pf_val_t  *v, *rec;

    v = host->parse(q->req, value);

    if (q->term.len && !pfo_str_is(host->get(v, "term"), q->term)) {
        return 0;
    }

    id.data = key.data + q->reviewer.len + 1;
    id.len = key.len - q->reviewer.len - 1;
    student = pfo_field(v, "student");

    if (!pf_valid_id(id) || !pf_valid_id(student)) {
        return 0;
    }

    rkey = pf_key(q->req, 2, student, id);

    if (host->db_get(q->req, "outcomes", rkey, &text) != PF_OK) {
        return 0;
    }

    rec = host->parse(q->req, text);

    /* a stale entry (published, deleted) is not waiting */
    if (rec == NULL || !pf_eq(pfo_field(rec, "status"), "pending")) {
        return 0;
    }

    if (q->n == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 32;
        grown = host->alloc(q->req, q->cap * sizeof(ct_entry_t));

        if (grown == NULL) {
            return 1;
        }

        if (q->n) {
            memcpy(grown, q->items, q->n * sizeof(ct_entry_t));
        }

        q->items = grown;
    }

    q->items[q->n].reviewer = q->reviewer;
    q->items[q->n].rec = rec;
    q->n++;

    return 0;
}


static int
ct_queue(pf_req_t *req, pf_str_t term, ct_queue_t *q)
{
    size_t    i;
    ct_for_t  f;

    memset(q, 0, sizeof(ct_queue_t));
    q->req = req;
    q->term = term;

    ct_acting_for(req, &f);

    if (f.who == NULL) {
        return PF_ERROR;
    }

    for (i = 0; i < f.n; i++) {
        q->reviewer = f.who[i];

        if (host->db_scan(req, "cert_queue",
                          pf_key(req, 2, f.who[i], (pf_str_t) { 0, "" }),
                          ct_queue_cb, q)
            != PF_OK)
        {
            return PF_ERROR;
        }
    }

    return PF_OK;
}


static int
ct_decided(const pf_val_t *rec)
{
    int  t;

    t = host->type(host->get(rec, "decision"));

    return t == PF_JSON_STRING;
}


static pf_str_t
ct_term_arg(pf_req_t *req, int *bad)
{
    pf_str_t  term;

    term = host->arg(req, "term");
    *bad = term.len && !pfo_valid_term(term);

    return term;
}


/* GET /certifications?term= (T2) */

static int
ct_list(pf_req_t *req)
{
    int               bad;
    size_t            i, undecided;
    int64_t           to;
    pf_str_t          term, student, reviewer;
    pf_gen_t         *g;
    ct_queue_t        q;
    const pf_val_t   *rec, *u;
    const pf_user_t  *user;

    user = host->user(req);
    term = ct_term_arg(req, &bad);

    if (bad) {
        return pfo_err(req, 422, "invalid_field",
                       "?term= must be a term such as 113-1");
    }

    if (ct_queue(req, term, &q) != PF_OK) {
        return pfo_err(req, 503, "storage_unavailable",
                       "the queue cannot be read now");
    }

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "certifications");
    host->array_open(g);

    undecided = 0;

    for (i = 0; i < q.n; i++) {
        rec = q.items[i].rec;
        reviewer = q.items[i].reviewer;
        student = pfo_field(rec, "student");
        u = pf_load(req, "users", student);

        if (!ct_decided(rec)) {
            undecided++;
        }

        host->map_open(g);
        pf_copy_fields(g, rec, NULL);
        host->key(g, "student_name");
        host->string(g, pfo_field(u, "name"));
        host->key(g, "class");
        host->string(g, pfo_field(u, "class"));
        host->key(g, "seat");

        if (host->type(host->get(u, "seat")) == PF_JSON_NUMBER
            || host->type(host->get(u, "seat")) == PF_JSON_STRING)
        {
            host->string(g, pfo_field(u, "seat"));
        } else {
            host->null(g);
        }

        /* a stand-in sees whom the outcome is really waiting for */
        host->key(g, "acting_for");

        if (pf_same(reviewer, user->id)) {
            host->null(g);
        } else {
            host->string(g, reviewer);
        }

        host->map_close(g);
    }

    host->array_close(g);

    host->key(g, "pending_count");
    host->number(g, (int64_t) q.n);
    host->key(g, "undecided_count");
    host->number(g, (int64_t) undecided);
    host->key(g, "decided_count");
    host->number(g, (int64_t) (q.n - undecided));
    host->key(g, "term");

    if (term.len) {
        host->string(g, term);
        host->key(g, "certify_open");
        host->boolean(g, pf_window_open(req, user->school, term, "certify",
                                        &to));
        host->key(g, "certify_until");

        if (to) {
            host->number(g, to);
        } else {
            host->null(g);
        }

    } else {
        host->null(g);
    }

    host->map_close(g);

    return host->reply(req, 200, g);
}


/* GET /certifications/count?term= (T1: shown at sign-in) */

static int
ct_count(pf_req_t *req)
{
    int          bad;
    size_t       i, undecided;
    pf_str_t     term;
    pf_gen_t    *g;
    ct_queue_t   q;

    term = ct_term_arg(req, &bad);

    if (bad) {
        return pfo_err(req, 422, "invalid_field",
                       "?term= must be a term such as 113-1");
    }

    if (ct_queue(req, term, &q) != PF_OK) {
        return pfo_err(req, 503, "storage_unavailable",
                       "the queue cannot be read now");
    }

    undecided = 0;

    for (i = 0; i < q.n; i++) {
        if (!ct_decided(q.items[i].rec)) {
            undecided++;
        }
    }

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "pending");
    host->number(g, (int64_t) q.n);
    host->key(g, "undecided");
    host->number(g, (int64_t) undecided);
    host->key(g, "decided");
    host->number(g, (int64_t) (q.n - undecided));
    host->map_close(g);

    return host->reply(req, 200, g);
}


/* Refusals shared by deciding and publishing; NULL reason: allowed. */

static const char *
ct_refusal(pf_req_t *req, const pf_val_t *rec, pf_str_t *why)
{
    pf_str_t  status;

    if (!pfo_is_reviewer(req, rec, host->user(req)->id)) {
        *why = pf_string("only the outcome's reviewer (the course teacher "
                         "or the reviewer the school named), or their "
                         "stand-in, may certify it");
        return "not_reviewer";
    }

    status = pfo_field(rec, "status");

    if (!pf_eq(status, "pending")) {
        *why = pf_eq(status, "draft")
               ? pf_string("the student has not sent this outcome for "
                           "certification")
               : host->sprintf(req, "this outcome was published already "
                               "(%.*s)", (int) status.len, status.data);
        return "not_pending";
    }

    if (!pfo_window(req, pfo_field(rec, "school"), pfo_field(rec, "term"),
                    "certify", why))
    {
        return "window_closed";
    }

    return NULL;
}


static int
ct_refusal_status(const char *code)
{
    return strcmp(code, "not_pending") == 0 ? 409 : 403;
}


/* POST /outcomes/{id}/decision {"result": "pass"|"fail", "note"} */

static int
ct_decide(pf_req_t *req)
{
    size_t            i;
    int64_t           now;
    pf_str_t          key, text, result, note, why, raws[6];
    pf_gen_t         *g;
    const char       *code;
    const pf_val_t   *rec, *body, *v;
    const pf_user_t  *user;

    static const char *const  keys[] = {
        "decision", "note", "decided_by", "decided_at", "updated", "by"
    };

    user = host->user(req);

    rec = pfo_find(req, host->param(req, "id"), &key, NULL);
    if (rec == NULL) {
        return pfo_err(req, 404, "not_found", "no such outcome");
    }

    code = ct_refusal(req, rec, &why);
    if (code) {
        return pfo_err(req, ct_refusal_status(code), code, "%.*s",
                       (int) why.len, why.data);
    }

    body = host->body(req);
    v = host->get(body, "result");
    result = host->str(v);

    if (host->type(v) != PF_JSON_STRING
        || !(pf_eq(result, "pass") || pf_eq(result, "fail")))
    {
        return pfo_err(req, 422, "invalid_field",
                       "\"result\" must be \"pass\" (通過) or \"fail\" "
                       "(不通過)");
    }

    v = host->get(body, "note");
    note = pf_string("");

    if (v != NULL && host->type(v) != PF_JSON_NULL) {
        if (host->type(v) != PF_JSON_STRING) {
            return pfo_err(req, 422, "invalid_field",
                           "\"note\" must be a text");
        }

        note = host->str(v);

        for (i = 0; i < note.len; i++) {
            unsigned char  c = (unsigned char) note.data[i];

            if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t')
                || c == 0x7f)
            {
                return pfo_err(req, 422, "invalid_field",
                               "\"note\" may not contain control "
                               "characters");
            }
        }

        if (pf_utf8_chars(note) > CT_NOTE_MAX) {
            return pfo_err(req, 422, "note_too_long",
                           "the note has %zu characters; at most %d are "
                           "allowed", pf_utf8_chars(note), CT_NOTE_MAX);
        }
    }

    now = host->now_ms(req);
    raws[0] = pfo_jstr(req, result);
    raws[1] = pfo_jstr(req, note);
    raws[2] = pfo_jstr(req, user->id);
    raws[3] = pfo_jint(req, now);
    raws[4] = raws[3];
    raws[5] = raws[2];
    text = pfo_rewrite(req, rec, 6, keys, raws);

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "id");
    host->string(g, pfo_field(rec, "id"));
    host->key(g, "result");
    host->string(g, result);
    host->key(g, "note");
    host->string(g, note);
    host->map_close(g);

    if (host->db_put(req, "outcomes", key, text) != PF_OK
        || host->audit(req, pfo_field(rec, "student"), "outcome.decided",
                       host->text(g))
           != PF_OK)
    {
        return pfo_err(req, 503, "storage_unavailable",
                       "the decision could not be stored");
    }

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "outcome");
    host->raw(g, text);
    host->map_close(g);

    return host->reply(req, 200, g);
}


/* One decided outcome published: 0, or a refusal code in *code. */

static int
ct_publish_one(pf_req_t *req, pf_str_t id, const char **code, pf_str_t *why)
{
    int64_t           now;
    pf_str_t          key, text, decision, raws[5];
    pf_gen_t         *g;
    const pf_val_t   *rec, *payload;
    const pf_user_t  *user;

    static const char *const  keys[] = {
        "status", "published_at", "updated", "by"
    };

    user = host->user(req);

    rec = pfo_find(req, id, &key, NULL);
    if (rec == NULL) {
        *code = "not_found";
        *why = pf_string("no such outcome");
        return 1;
    }

    *code = ct_refusal(req, rec, why);
    if (*code) {
        return 1;
    }

    decision = pfo_field(rec, "decision");

    if (!ct_decided(rec)) {
        *code = "undecided";
        *why = pf_string("decide pass or fail first");
        return 1;
    }

    now = host->now_ms(req);
    raws[0] = pf_eq(decision, "pass") ? pf_string("\"passed\"")
                                      : pf_string("\"failed\"");
    raws[1] = pfo_jint(req, now);
    raws[2] = raws[1];
    raws[3] = pfo_jstr(req, user->id);
    text = pfo_rewrite(req, rec, 4, keys, raws);
    payload = host->parse(req, text);

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "id");
    host->string(g, id);
    host->key(g, "status");
    host->raw(g, raws[0]);
    host->map_close(g);

    if (host->db_put(req, "outcomes", key, text) != PF_OK
        || host->audit(req, pfo_field(rec, "student"), "outcome.published",
                       host->text(g))
           != PF_OK)
    {
        return -1;
    }

    (void) host->db_del(req, "cert_queue",
                        pf_key(req, 2, pfo_field(rec, "reviewer"), id));

    if (host->emit(req, "outcome.published", payload) != PF_OK) {
        return -2;
    }

    return 0;
}


/* POST /certifications/publish {"ids": [...]} or {"all": true} (發佈) */

static int
ct_publish(pf_req_t *req)
{
    int              rc;
    size_t           i, n, published, skipped, closed;
    pf_str_t         id, why, closed_why, *ids;
    pf_gen_t        *g, *pub, *skip;
    ct_queue_t       q;
    const char      *code;
    const pf_val_t  *body, *list, *all;

    body = host->body(req);
    list = host->get(body, "ids");
    all = host->get(body, "all");

    if (host->type(all) == PF_JSON_TRUE) {
        if (ct_queue(req, pf_string(""), &q) != PF_OK) {
            return pfo_err(req, 503, "storage_unavailable",
                           "the queue cannot be read now");
        }

        ids = host->alloc(req, (q.n + 1) * sizeof(pf_str_t));
        n = 0;

        for (i = 0; ids && i < q.n; i++) {
            /* every decided one; the undecided wait */
            if (ct_decided(q.items[i].rec)) {
                ids[n++] = pfo_field(q.items[i].rec, "id");
            }
        }

    } else if (host->type(list) == PF_JSON_ARRAY) {
        n = host->count(list);

        if (n == 0 || n > CT_MAX_IDS) {
            return pfo_err(req, 422, "invalid_field",
                           "\"ids\" must list 1 to %d outcome ids",
                           CT_MAX_IDS);
        }

        ids = host->alloc(req, n * sizeof(pf_str_t));

        for (i = 0; ids && i < n; i++) {
            if (host->type(host->at(list, i)) != PF_JSON_STRING) {
                return pfo_err(req, 422, "invalid_field",
                               "\"ids\" must list outcome ids (strings)");
            }

            ids[i] = host->str(host->at(list, i));
        }

    } else {
        return pfo_err(req, 422, "invalid_field",
                       "send {\"ids\": [...]} or {\"all\": true}");
    }

    if (ids == NULL) {
        return pfo_err(req, 500, "internal", "out of memory");
    }

    pub = host->gen(req);
    host->array_open(pub);
    skip = host->gen(req);
    host->array_open(skip);

    published = 0;
    skipped = 0;
    closed = 0;
    closed_why = pf_string("");

    for (i = 0; i < n; i++) {
        id = ids[i];
        code = NULL;

        rc = ct_publish_one(req, id, &code, &why);

        if (rc < 0) {
            return pfo_err(req, rc == -2 ? 500 : 503,
                           rc == -2 ? "internal" : "storage_unavailable",
                           "publishing could not be completed; nothing was "
                           "published");
        }

        if (rc == 0) {
            host->string(pub, id);
            published++;
            continue;
        }

        skipped++;

        if (strcmp(code, "window_closed") == 0) {
            closed++;
            closed_why = why;
        }

        host->map_open(skip);
        host->key(skip, "id");
        host->string(skip, id);
        host->key(skip, "reason");
        host->cstring(skip, code);
        host->key(skip, "message");
        host->string(skip, why);
        host->map_close(skip);
    }

    /* nothing could be published only because the window is shut */
    if (published == 0 && closed && closed == skipped) {
        return pfo_err(req, 403, "window_closed", "%.*s",
                       (int) closed_why.len, closed_why.data);
    }

    host->array_close(pub);
    host->array_close(skip);

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "published");
    host->raw(g, host->text(pub));
    host->key(g, "skipped");
    host->raw(g, host->text(skip));
    host->map_close(g);

    return host->reply(req, 200, g);
}


/* ---------------------------------------------------------------- */
/* AD1: stand-ins and reviewers, by the school admin                 */
/* ---------------------------------------------------------------- */

/* A teacher account of this school, or NULL with the refusal set. */

static const pf_val_t *
ct_teacher(pf_req_t *req, pf_str_t school, pf_str_t id, const char *what,
    int *status)
{
    const pf_val_t  *u;

    u = pf_valid_id(id) ? pf_load(req, "users", id) : NULL;

    if (u == NULL || !pf_same(pfo_field(u, "school"), school)
        || !(pfo_has_role(u, "teacher") || pfo_has_role(u, "course_teacher")
             || pfo_has_role(u, "homeroom")))
    {
        *status = pfo_err(req, 422, "not_a_teacher",
                          "%s %.*s is not a teacher of school %.*s", what,
                          (int) id.len, id.data,
                          (int) school.len, school.data);
        return NULL;
    }

    return u;
}


static pf_str_t
ct_school_subject(pf_req_t *req, pf_str_t school)
{
    return host->sprintf(req, "school/%.*s", (int) school.len, school.data);
}


/* PUT /schools/{school}/standins/{teacher} {"standin","from","to"} */

static int
ct_standin_set(pf_req_t *req)
{
    int               rc;
    int64_t           from, to;
    pf_str_t          school, teacher, standin, text;
    pf_gen_t         *g;
    const pf_val_t   *body, *v;
    const pf_user_t  *user;

    user = host->user(req);
    school = host->param(req, "school");
    teacher = host->param(req, "teacher");
    body = host->body(req);

    if (ct_teacher(req, school, teacher, "account", &rc) == NULL) {
        return rc;
    }

    v = host->get(body, "standin");
    standin = host->str(v);

    if (host->type(v) != PF_JSON_STRING) {
        return pfo_err(req, 422, "invalid_field",
                       "\"standin\" must name a teacher account");
    }

    if (ct_teacher(req, school, standin, "stand-in", &rc) == NULL) {
        return rc;
    }

    if (pf_same(standin, teacher)) {
        return pfo_err(req, 422, "invalid_field",
                       "a teacher cannot stand in for themselves");
    }

    if (host->integer(host->get(body, "from"), &from) != PF_OK
        || host->integer(host->get(body, "to"), &to) != PF_OK
        || from < 0 || to <= from)
    {
        return pfo_err(req, 422, "invalid_field",
                       "\"from\" and \"to\" must be times in milliseconds, "
                       "\"from\" before \"to\"");
    }

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "standin");
    host->string(g, standin);
    host->key(g, "from");
    host->number(g, from);
    host->key(g, "to");
    host->number(g, to);
    host->key(g, "school");
    host->string(g, school);
    host->key(g, "updated");
    host->number(g, host->now_ms(req));
    host->key(g, "by");
    host->string(g, user->id);
    host->map_close(g);
    text = host->text(g);

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "teacher");
    host->string(g, teacher);
    host->key(g, "standin");
    host->string(g, standin);
    host->key(g, "from");
    host->number(g, from);
    host->key(g, "to");
    host->number(g, to);
    host->map_close(g);

    if (host->db_put(req, "cert_standins", teacher, text) != PF_OK
        || host->audit(req, ct_school_subject(req, school), "standin.set",
                       host->text(g))
           != PF_OK)
    {
        return pfo_err(req, 503, "storage_unavailable",
                       "the stand-in could not be stored");
    }

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "teacher");
    host->string(g, teacher);
    host->key(g, "standin");
    host->raw(g, text);
    host->map_close(g);

    return host->reply(req, 200, g);
}


/* DELETE /schools/{school}/standins/{teacher} */

static int
ct_standin_delete(pf_req_t *req)
{
    pf_str_t         school, teacher;
    pf_gen_t        *g;
    const pf_val_t  *s;

    school = host->param(req, "school");
    teacher = host->param(req, "teacher");

    s = pf_valid_id(teacher) ? pf_load(req, "cert_standins", teacher) : NULL;

    if (s == NULL || !pf_same(pfo_field(s, "school"), school)) {
        return pfo_err(req, 404, "not_found",
                       "no stand-in is set for this teacher");
    }

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "teacher");
    host->string(g, teacher);
    host->key(g, "standin");
    host->string(g, pfo_field(s, "standin"));
    host->map_close(g);

    if (host->db_del(req, "cert_standins", teacher) != PF_OK
        || host->audit(req, ct_school_subject(req, school), "standin.removed",
                       host->text(g))
           != PF_OK)
    {
        return pfo_err(req, 503, "storage_unavailable",
                       "the stand-in could not be removed");
    }

    return host->reply(req, 200, g);
}


/* GET /schools/{school}/standins */

typedef struct {
    pf_req_t   *req;
    pf_gen_t   *g;
    pf_str_t    school;
    int64_t     now;
} ct_standins_t;


static int
ct_standins_cb(void *data, pf_str_t key, pf_str_t value)
{
    ct_standins_t   *l = data;
    const pf_val_t  *s;

    s = host->parse(l->req, value);

    if (s == NULL || !pf_same(pfo_field(s, "school"), l->school)) {
        return 0;
    }

    host->map_open(l->g);
    host->key(l->g, "teacher");
    host->string(l->g, key);
    pf_copy_fields(l->g, s, NULL);
    host->key(l->g, "active");
    host->boolean(l->g, l->now >= pfo_int(s, "from", INT64_MAX)
                        && l->now < pfo_int(s, "to", INT64_MIN));
    host->map_close(l->g);

    return 0;
}


static int
ct_standin_list(pf_req_t *req)
{
    pf_gen_t       *g;
    ct_standins_t   l;

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "standins");
    host->array_open(g);

    l.req = req;
    l.g = g;
    l.school = host->param(req, "school");
    l.now = host->now_ms(req);

    if (host->db_scan(req, "cert_standins", pf_string(""), ct_standins_cb, &l)
        != PF_OK)
    {
        return pfo_err(req, 503, "storage_unavailable",
                       "the stand-ins cannot be read now");
    }

    host->array_close(g);
    host->map_close(g);

    return host->reply(req, 200, g);
}


/*
 * PUT /schools/{school}/terms/{term}/courses/{code}/reviewer
 * {"teacher": "..."} names the reviewer of a (co-taught) course; null or
 * "" goes back to the course's teacher.  Outcomes of the course waiting
 * in another teacher's queue move to the new reviewer.
 */

typedef struct {
    pf_req_t   *req;
    pf_str_t    from;
    pf_str_t    term;
    pf_str_t    code;
    pf_str_t   *ids;
    pf_str_t   *vals;
    size_t      n;
    size_t      cap;
} ct_move_t;


static int
ct_move_cb(void *data, pf_str_t key, pf_str_t value)
{
    ct_move_t       *m = data;
    pf_str_t        *ids, *vals;
    const pf_val_t  *v;

    v = host->parse(m->req, value);

    if (!pfo_str_is(host->get(v, "term"), m->term)
        || !pfo_str_is(host->get(v, "code"), m->code))
    {
        return 0;
    }

    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 32;
        ids = host->alloc(m->req, m->cap * sizeof(pf_str_t));
        vals = host->alloc(m->req, m->cap * sizeof(pf_str_t));

        if (ids == NULL || vals == NULL) {
            return 1;
        }

        if (m->n) {
            memcpy(ids, m->ids, m->n * sizeof(pf_str_t));
            memcpy(vals, m->vals, m->n * sizeof(pf_str_t));
        }

        m->ids = ids;
        m->vals = vals;
    }

    /* copies: the cursor's memory is not ours once we write */
    m->ids[m->n] = host->sprintf(m->req, "%.*s",
                                 (int) (key.len - m->from.len - 1),
                                 key.data + m->from.len + 1);
    m->vals[m->n] = host->sprintf(m->req, "%.*s", (int) value.len,
                                  value.data);
    m->n++;

    return 0;
}


static int
ct_reviewer_set(pf_req_t *req)
{
    int               rc;
    size_t            i, j, k, nfrom, moved;
    int64_t           now;
    pf_str_t          school, term, code, teacher, text, newrev, ckey;
    pf_str_t          from[CT_MAX_FOR], okey, otext, raws[3];
    pf_gen_t         *g;
    ct_move_t         m;
    const pf_val_t   *body, *v, *course, *co, *rec;
    const pf_user_t  *user;

    static const char *const  skip[] = { "reviewer", "updated", "by", NULL };
    static const char *const  okeys[] = { "reviewer", "updated", "by" };

    user = host->user(req);
    school = host->param(req, "school");
    term = host->param(req, "term");
    code = host->param(req, "code");

    if (!pfo_valid_term(term) || !pf_valid_id(code)) {
        return pfo_err(req, 404, "not_found", "no such course");
    }

    ckey = pf_key(req, 3, school, term, code);
    course = pf_load(req, "sis_courses", ckey);

    if (course == NULL) {
        return pfo_err(req, 404, "not_found",
                       "no course %.*s in term %.*s",
                       (int) code.len, code.data, (int) term.len, term.data);
    }

    body = host->body(req);
    v = host->get(body, "teacher");
    teacher = host->str(v);

    if (v == NULL || host->type(v) == PF_JSON_NULL
        || (host->type(v) == PF_JSON_STRING && teacher.len == 0))
    {
        teacher.len = 0;

    } else if (host->type(v) != PF_JSON_STRING) {
        return pfo_err(req, 422, "invalid_field",
                       "\"teacher\" must name a teacher account, or be null");

    } else if (ct_teacher(req, school, teacher, "account", &rc) == NULL) {
        return rc;
    }

    newrev = teacher.len ? teacher : pfo_field(course, "teacher");
    now = host->now_ms(req);

    g = host->gen(req);
    host->map_open(g);
    pf_copy_fields(g, course, skip);

    if (teacher.len) {
        host->key(g, "reviewer");
        host->string(g, teacher);
    }

    host->key(g, "updated");
    host->number(g, now);
    host->key(g, "by");
    host->string(g, user->id);
    host->map_close(g);
    text = host->text(g);

    if (host->db_put(req, "sis_courses", ckey, text) != PF_OK) {
        return pfo_err(req, 503, "storage_unavailable",
                       "the course could not be stored");
    }

    /* whose queues may hold the course's outcomes: its teachers */
    nfrom = 0;
    from[nfrom++] = pfo_field(course, "reviewer");
    from[nfrom++] = pfo_field(course, "teacher");
    co = host->get(course, "co_teachers");

    for (i = 0; host->type(co) == PF_JSON_ARRAY && i < host->count(co)
                && nfrom < CT_MAX_FOR; i++)
    {
        from[nfrom++] = host->str(host->at(co, i));
    }

    moved = 0;

    /* a course without any teacher: nobody to move the queue to */
    if (!pf_valid_id(newrev)) {
        nfrom = 0;
    }

    for (i = 0; i < nfrom; i++) {
        if (!pf_valid_id(from[i]) || pf_same(from[i], newrev)) {
            continue;
        }

        for (j = 0; j < i; j++) {
            if (pf_same(from[j], from[i])) {
                break;
            }
        }

        if (j < i) {
            continue;
        }

        memset(&m, 0, sizeof(m));
        m.req = req;
        m.from = from[i];
        m.term = term;
        m.code = code;

        if (host->db_scan(req, "cert_queue",
                          pf_key(req, 2, from[i], (pf_str_t) { 0, "" }),
                          ct_move_cb, &m)
            != PF_OK)
        {
            return pfo_err(req, 503, "storage_unavailable",
                           "the queue cannot be read now");
        }

        for (k = 0; k < m.n; k++) {
            rec = pfo_find(req, m.ids[k], &okey, &otext);

            if (rec == NULL || !pf_same(pfo_field(rec, "school"), school)) {
                continue;
            }

            raws[0] = pfo_jstr(req, newrev);
            raws[1] = pfo_jint(req, now);
            raws[2] = pfo_jstr(req, user->id);

            g = host->gen(req);
            host->map_open(g);
            host->key(g, "id");
            host->string(g, m.ids[k]);
            host->key(g, "from");
            host->string(g, from[i]);
            host->key(g, "to");
            host->string(g, newrev);
            host->map_close(g);

            if (host->db_del(req, "cert_queue",
                             pf_key(req, 2, from[i], m.ids[k]))
                != PF_OK
                || host->db_put(req, "cert_queue",
                                pf_key(req, 2, newrev, m.ids[k]), m.vals[k])
                   != PF_OK
                || host->db_put(req, "outcomes", okey,
                                pfo_rewrite(req, rec, 3, okeys, raws))
                   != PF_OK
                || host->audit(req, pfo_field(rec, "student"),
                               "outcome.reviewer_changed", host->text(g))
                   != PF_OK)
            {
                return pfo_err(req, 503, "storage_unavailable",
                               "the queue could not be moved");
            }

            moved++;
        }
    }

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "term");
    host->string(g, term);
    host->key(g, "code");
    host->string(g, code);
    host->key(g, "reviewer");
    host->string(g, newrev);
    host->key(g, "moved");
    host->number(g, (int64_t) moved);
    host->map_close(g);

    if (host->audit(req, ct_school_subject(req, school),
                    "course.reviewer_set", host->text(g))
        != PF_OK)
    {
        return pfo_err(req, 503, "storage_unavailable",
                       "the change could not be recorded");
    }

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "course");
    host->raw(g, text);
    host->key(g, "reviewer");
    host->string(g, newrev);
    host->key(g, "moved");
    host->number(g, (int64_t) moved);
    host->map_close(g);

    return host->reply(req, 200, g);
}


#define CT_ADMINS  (PF_ROLE_SCHOOL_ADMIN|PF_ROLE_CITY_ADMIN)


static const pf_route_t  certification_routes[] = {
    { "GET", "/certifications", CT_TEACHERS, PF_SCOPE_SELF, 0,
      ct_list, 0, NULL },
    { "GET", "/certifications/count", CT_TEACHERS, PF_SCOPE_SELF, 0,
      ct_count, 0, NULL },
    { "POST", "/certifications/publish", CT_TEACHERS, PF_SCOPE_SELF,
      PF_ROUTE_WRITE, ct_publish, 0, NULL },
    { "POST", "/outcomes/{id}/decision", CT_TEACHERS, PF_SCOPE_SELF,
      PF_ROUTE_WRITE, ct_decide, 0, NULL },
    { "GET", "/schools/{school}/standins", CT_ADMINS, PF_SCOPE_SCHOOL, 0,
      ct_standin_list, 0, NULL },
    { "PUT", "/schools/{school}/standins/{teacher}", CT_ADMINS,
      PF_SCOPE_SCHOOL, PF_ROUTE_WRITE, ct_standin_set, 0, NULL },
    { "DELETE", "/schools/{school}/standins/{teacher}", CT_ADMINS,
      PF_SCOPE_SCHOOL, PF_ROUTE_WRITE, ct_standin_delete, 0, NULL },
    { "PUT", "/schools/{school}/terms/{term}/courses/{code}/reviewer",
      CT_ADMINS, PF_SCOPE_SCHOOL, PF_ROUTE_WRITE, ct_reviewer_set, 0, NULL },
};

static const char *const  certification_dbs[] = {
    "outcomes", "outcome_ids", "cert_queue", "cert_standins", "sis_courses",
    NULL
};

static const pf_plugin_t  certification_plugin = {
    PF_ABI_MAJOR, PF_ABI_MINOR, sizeof(pf_plugin_t),
    "certification", "0.1.0",
    certification_dbs,
    certification_routes,
    sizeof(certification_routes) / sizeof(certification_routes[0]),
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

    return &certification_plugin;
}
