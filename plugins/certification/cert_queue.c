/*
 * cert_queue.c -- the queue a reviewer works through (SPEC T1, T2): the
 * outcomes waiting under the caller in cert_queue, and under the
 * teachers the caller stands in for now; the list and the count.
 */

#include "certification.h"


/* The reviewers whose queue is mine: me, and whom I stand in for now. */

typedef struct {
    pf_req_t   *req;
    pf_str_t    me;
    int64_t     now;
    pf_list_t   who;
} ct_for_t;


static int
ct_for_cb(void *data, pf_str_t key, pf_str_t value)
{
    ct_for_t        *f = data;
    const pf_val_t  *s;

    if (f->who.n >= CT_MAX_FOR) {
        return 1;
    }

    s = pf_host->parse(f->req, value);

    if (s == NULL || !pf_str_is(pf_host->get(s, "standin"), f->me)
        || !pfo_standin_live(s, f->now))
    {
        return 0;
    }

    /* a copy: the key is the cursor's */
    key = pf_copy(f->req, key);

    return key.data == NULL || pf_list_add(&f->who, key) != PF_OK;
}


static int
ct_acting_for(pf_req_t *req, ct_for_t *f)
{
    f->req = req;
    f->me = pf_host->user(req)->id;
    f->now = pf_host->now_ms(req);
    pf_list_init(&f->who, req);

    if (pf_list_add(&f->who, f->me) != PF_OK) {
        return PF_ERROR;
    }

    /* a handful of records per school; the whole city is a short walk */
    (void) pf_host->db_scan(req, "cert_standins", pf_string(""), ct_for_cb,
                            f);

    return PF_OK;
}


/* The outcomes waiting in those queues, loaded, optionally one term's. */

static int
ct_queue_cb(void *data, pf_str_t key, pf_str_t value)
{
    ct_queue_t      *q = data;
    pf_str_t         id, student, rkey, text;
    const pf_val_t  *v, *rec;

    v = pf_host->parse(q->req, value);

    if (q->term.len && !pf_str_is(pf_host->get(v, "term"), q->term)) {
        return 0;
    }

    id.data = key.data + q->reviewer.len + 1;
    id.len = key.len - q->reviewer.len - 1;
    student = pf_field(v, "student");

    if (!pf_valid_id(id) || !pf_valid_id(student)) {
        return 0;
    }

    rkey = pf_key(q->req, 2, student, id);

    if (pf_host->db_get(q->req, "outcomes", rkey, &text) != PF_OK) {
        return 0;
    }

    rec = pf_host->parse(q->req, text);

    /* a stale entry (published, deleted) is not waiting */
    if (rec == NULL || !pf_eq(pf_field(rec, "status"), "pending")) {
        return 0;
    }

    /* a copy: the key is the cursor's */
    id = pf_copy(q->req, id);

    if (id.data == NULL
        || pf_list_add(&q->reviewers, q->reviewer) != PF_OK
        || pf_list_add(&q->ids, id) != PF_OK
        || pf_map_put(&q->recs, id, (void *) rec) != PF_OK)
    {
        return 1;
    }

    return 0;
}


int
ct_queue(pf_req_t *req, pf_str_t term, ct_queue_t *q)
{
    size_t    i;
    ct_for_t  f;

    q->req = req;
    q->term = term;
    pf_list_init(&q->reviewers, req);
    pf_list_init(&q->ids, req);

    if (pf_map_init(&q->recs, req, 32) != PF_OK
        || ct_acting_for(req, &f) != PF_OK)
    {
        return PF_ERROR;
    }

    for (i = 0; i < f.who.n; i++) {
        q->reviewer = f.who.items[i];

        if (pf_host->db_scan(req, "cert_queue",
                             pf_key(req, 2, q->reviewer, pf_string("")),
                             ct_queue_cb, q)
            != PF_OK)
        {
            return PF_ERROR;
        }
    }

    return PF_OK;
}


const pf_val_t *
ct_queue_rec(ct_queue_t *q, size_t i)
{
    return pf_map_get(&q->recs, q->ids.items[i], NULL);
}


int
ct_decided(const pf_val_t *rec)
{
    return pf_host->type(pf_host->get(rec, "decision")) == PF_JSON_STRING;
}


/* The queue of ?term= (all terms without it): 0, or the error's status. */

static int
ct_queue_arg(pf_req_t *req, pf_str_t *term, ct_queue_t *q)
{
    *term = pf_host->arg(req, "term");

    if (term->len && !pf_valid_term(*term)) {
        return pf_host->error(req, 422, "invalid_field",
                              "學期格式不正確：請用「學年度-學期」，例如 "
                              "113-1");
    }

    if (ct_queue(req, *term, q) != PF_OK) {
        return pf_host->error(req, 503, "storage_unavailable",
                              "待認證的學習成果暫時無法讀取，請稍後再試");
    }

    return 0;
}


static size_t
ct_undecided(ct_queue_t *q)
{
    size_t  i, n;

    n = 0;

    for (i = 0; i < q->ids.n; i++) {
        if (!ct_decided(ct_queue_rec(q, i))) {
            n++;
        }
    }

    return n;
}


/* GET /certifications?term= (T2) */

int
ct_list(pf_req_t *req)
{
    int               rc;
    size_t            i, undecided;
    int64_t           to;
    pf_str_t          term, student, reviewer;
    pf_gen_t         *g;
    ct_queue_t        q;
    const pf_val_t   *rec, *u;
    const pf_user_t  *user;

    user = pf_host->user(req);

    rc = ct_queue_arg(req, &term, &q);
    if (rc) {
        return rc;
    }

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "certifications");
    pf_host->array_open(g);

    for (i = 0; i < q.ids.n; i++) {
        rec = ct_queue_rec(&q, i);
        reviewer = q.reviewers.items[i];
        student = pf_field(rec, "student");
        u = pf_host->user_get(req, student);

        pf_host->map_open(g);
        pf_copy_fields(g, rec, NULL);
        pf_host->key(g, "student_name");
        pf_host->string(g, pf_field(u, "name"));
        pf_host->key(g, "class");
        pf_host->string(g, pf_field(u, "class"));
        pf_host->key(g, "seat");

        if (pf_host->type(pf_host->get(u, "seat")) == PF_JSON_NUMBER
            || pf_host->type(pf_host->get(u, "seat")) == PF_JSON_STRING)
        {
            pf_host->string(g, pf_field(u, "seat"));
        } else {
            pf_host->null(g);
        }

        /* a stand-in sees whom the outcome is really waiting for */
        pf_host->key(g, "acting_for");

        if (pf_same(reviewer, user->id)) {
            pf_host->null(g);
        } else {
            pf_host->string(g, reviewer);
        }

        pf_host->map_close(g);
    }

    pf_host->array_close(g);

    undecided = ct_undecided(&q);

    pf_host->key(g, "pending_count");
    pf_host->number(g, (int64_t) q.ids.n);
    pf_host->key(g, "undecided_count");
    pf_host->number(g, (int64_t) undecided);
    pf_host->key(g, "decided_count");
    pf_host->number(g, (int64_t) (q.ids.n - undecided));
    pf_host->key(g, "term");

    if (term.len) {
        to = 0;
        pf_host->string(g, term);
        pf_host->key(g, "certify_open");
        pf_host->boolean(g, pf_host->window_open(req, user->school, term,
                                                 "certify", &to));
        pf_host->key(g, "certify_until");

        if (to) {
            pf_host->number(g, to);
        } else {
            pf_host->null(g);
        }

    } else {
        pf_host->null(g);
    }

    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}


/* GET /certifications/count?term= (T1: shown at sign-in) */

int
ct_count(pf_req_t *req)
{
    int          rc;
    size_t       undecided;
    pf_str_t     term;
    pf_gen_t    *g;
    ct_queue_t   q;

    rc = ct_queue_arg(req, &term, &q);
    if (rc) {
        return rc;
    }

    undecided = ct_undecided(&q);

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "pending");
    pf_host->number(g, (int64_t) q.ids.n);
    pf_host->key(g, "undecided");
    pf_host->number(g, (int64_t) undecided);
    pf_host->key(g, "decided");
    pf_host->number(g, (int64_t) (q.ids.n - undecided));
    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}
