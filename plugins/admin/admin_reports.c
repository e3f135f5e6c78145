/*
 * admin_reports.c -- the uncertified-outcome report (SPEC AD4): for each
 * reviewer, the school's outcomes waiting for a decision or for
 * publishing, and the oldest submission.
 */

#include <string.h>

#include "admin.h"


typedef struct {
    pf_req_t   *req;
    pf_gen_t   *g;
    pf_str_t    school;
    pf_str_t    term;

    pf_str_t    reviewer;           /* the one being counted */
    int64_t     undecided;
    int64_t     unpublished;
    int64_t     oldest;

    int64_t     teachers;
    int64_t     outcomes;
} adm_uncert_t;


static void
adm_uncert_flush(adm_uncert_t *u)
{
    const pf_val_t  *rec;

    if (u->reviewer.len && u->undecided + u->unpublished > 0) {
        rec = pf_host->user_get(u->req, u->reviewer);

        pf_host->map_open(u->g);
        pf_host->key(u->g, "teacher");
        pf_host->string(u->g, u->reviewer);
        pf_host->key(u->g, "name");
        pf_copy_value(u->g, pf_host->get(rec, "name"));
        pf_host->key(u->g, "waiting");
        pf_host->number(u->g, u->undecided + u->unpublished);
        pf_host->key(u->g, "undecided");
        pf_host->number(u->g, u->undecided);
        pf_host->key(u->g, "unpublished");
        pf_host->number(u->g, u->unpublished);
        pf_host->key(u->g, "oldest_submitted_at");

        if (u->oldest) {
            pf_host->number(u->g, u->oldest);

        } else {
            pf_host->null(u->g);
        }

        pf_host->map_close(u->g);

        u->teachers++;
        u->outcomes += u->undecided + u->unpublished;
    }

    u->undecided = 0;
    u->unpublished = 0;
    u->oldest = 0;
}


static int
adm_uncert_cb(void *data, pf_str_t key, pf_str_t value)
{
    size_t            i;
    int64_t           at;
    pf_str_t          reviewer, id, student, school;
    adm_uncert_t     *u = data;
    const pf_val_t   *q, *rec, *decision;

    for (i = 0; i < key.len && key.data[i] != PF_SEP; i++) { /* void */ }

    if (i == key.len) {
        return 0;
    }

    reviewer.data = key.data;
    reviewer.len = i;
    id.data = key.data + i + 1;
    id.len = key.len - i - 1;

    if (!pf_same(reviewer, u->reviewer)) {
        adm_uncert_flush(u);
        u->reviewer = reviewer;
    }

    q = pf_host->parse(u->req, value);
    student = pf_field(q, "student");

    if (!pf_valid_id(student) || !pf_valid_id(id)
        || (u->term.len && !pf_same(pf_field(q, "term"), u->term)))
    {
        return 0;
    }

    rec = pf_load(u->req, "outcomes", pf_key(u->req, 2, student, id));
    if (rec == NULL) {
        return 0;
    }

    school = pf_field(rec, "school");

    if (!pf_same(school, u->school)
        || !pf_eq(pf_field(rec, "status"), "pending"))
    {
        return 0;
    }

    decision = pf_host->get(rec, "decision");

    if (pf_host->type(decision) == PF_JSON_STRING
        && pf_host->str(decision).len)
    {
        u->unpublished++;

    } else {
        u->undecided++;
    }

    if (pf_host->integer(pf_host->get(rec, "submitted_at"), &at) == PF_OK
        && at > 0 && (u->oldest == 0 || at < u->oldest))
    {
        u->oldest = at;
    }

    return 0;
}


/* GET /schools/{school}/reports/uncertified?term= */

int
adm_uncertified(pf_req_t *req)
{
    int            rc;
    pf_str_t       school, term;
    pf_gen_t      *g;
    adm_uncert_t   u;

    school = pf_host->param(req, "school");
    term = pf_host->arg(req, "term");

    rc = pf_school_exists(req, school);
    if (rc) {
        return rc;
    }

    if (term.len && !pf_valid_term(term)) {
        return pf_host->error(req, 422, "invalid_field",
                              "學期格式不正確，請用「學年度-學期」，"
                              "例如 115-1");
    }

    memset(&u, 0, sizeof(u));
    u.req = req;
    u.school = school;
    u.term = term;

    g = pf_host->gen(req);
    u.g = g;

    pf_host->map_open(g);
    pf_host->key(g, "school");
    pf_host->string(g, school);
    pf_host->key(g, "term");

    if (term.len) {
        pf_host->string(g, term);

    } else {
        pf_host->null(g);
    }

    pf_host->key(g, "teachers");
    pf_host->array_open(g);

    /* keyed reviewer␟id: each reviewer's outcomes come together */
    if (pf_host->db_scan(req, "cert_queue", pf_string(""), adm_uncert_cb, &u)
        != PF_OK)
    {
        return pf_host->error(req, 503, "storage_unavailable",
                              "待認證資料暫時無法讀取，請稍候再試");
    }

    adm_uncert_flush(&u);

    pf_host->array_close(g);
    pf_host->key(g, "total_teachers");
    pf_host->number(g, u.teachers);
    pf_host->key(g, "total_outcomes");
    pf_host->number(g, u.outcomes);
    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}


#define ADM_ADMINS  (PF_ROLE_SCHOOL_ADMIN|PF_ROLE_CITY_ADMIN)

