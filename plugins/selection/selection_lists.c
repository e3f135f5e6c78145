/*
 * selection_lists.c -- what was ticked: the student's list of passed
 * outcomes with the counters (GET /selections) and the school's report
 * of who selected what (AD4, GET /schools/{school}/selections).
 */

#include <string.h>

#include "selection.h"


/* A school year: the 2 or 3 digits before a term's "-". */

static int
sel_valid_year(pf_str_t y)
{
    size_t  i;

    if (y.len < 2 || y.len > 3) {
        return 0;
    }

    for (i = 0; i < y.len; i++) {
        if (y.data[i] < '0' || y.data[i] > '9') {
            return 0;
        }
    }

    return 1;
}


/* --- GET /selections?term= ----------------------------------------------- */

#define SEL_MAX_TERMS  32

/*
 * Selected outcomes by name (a term, a school year), in the order the
 * names are first seen; at most SEL_MAX_TERMS names.
 */
typedef struct {
    pf_list_t   names;
    pf_map_t    counts;       /* name -> int64_t * */
} sel_tally_t;


typedef struct {
    pf_req_t     *req;
    pf_gen_t     *g;
    pf_str_t      term;               /* filter, or empty */
    sel_tally_t   terms;
    sel_tally_t   years;
} sel_list_t;


static int
sel_tally_init(pf_req_t *req, sel_tally_t *t)
{
    pf_list_init(&t->names, req);

    return pf_map_init(&t->counts, req, SEL_MAX_TERMS);
}


static void
sel_tally(pf_req_t *req, sel_tally_t *t, pf_str_t name, int selected)
{
    int       found;
    int64_t  *n;

    n = pf_map_get(&t->counts, name, &found);

    if (!found) {
        if (t->names.n == SEL_MAX_TERMS) {
            return;
        }

        n = pf_host->alloc(req, sizeof(int64_t));

        if (n == NULL
            || pf_map_put(&t->counts, name, n) != PF_OK
            || pf_list_add(&t->names, name) != PF_OK)
        {
            return;
        }

        *n = 0;
    }

    *n += selected;
}


/* "what"s: [{"what": name, "selected", "limit"}, ...] */

static void
sel_tally_gen(pf_gen_t *g, sel_tally_t *t, const char *list,
    const char *what, int64_t limit)
{
    size_t    i;
    int64_t  *n;

    pf_host->key(g, list);
    pf_host->array_open(g);

    for (i = 0; i < t->names.n; i++) {
        n = pf_map_get(&t->counts, t->names.items[i], NULL);

        pf_host->map_open(g);
        pf_host->key(g, what);
        pf_host->string(g, t->names.items[i]);
        pf_host->key(g, "selected");
        pf_host->number(g, n ? *n : 0);
        pf_host->key(g, "limit");
        pf_host->number(g, limit);
        pf_host->map_close(g);
    }

    pf_host->array_close(g);
}


static int
sel_list_cb(void *data, pf_str_t key, pf_str_t value)
{
    int              selected;
    pf_str_t         term;
    sel_list_t      *l = data;
    const pf_val_t  *rec;

    rec = pf_host->parse(l->req, value);
    if (rec == NULL) {
        return 0;
    }

    term = pf_field(rec, "term");
    selected = sel_is_true(pf_host->get(rec, "selected"));

    if (l->term.len == 0 && pf_valid_term(term)) {
        sel_tally(l->req, &l->terms, term, selected);
        sel_tally(l->req, &l->years, sel_year(term), selected);
    }

    if (!pf_eq(pf_field(rec, "status"), "passed")
        || (l->term.len && !pf_same(term, l->term)))
    {
        return 0;
    }

    pf_host->raw(l->g, value);

    return 0;
}


int
sel_list(pf_req_t *req)
{
    int64_t           in_term, in_year, per_term, per_year, to;
    pf_gen_t         *g;
    sel_list_t        l;
    const pf_user_t  *user;

    user = pf_host->user(req);

    l.req = req;
    l.term = pf_host->arg(req, "term");

    if (l.term.len && !pf_valid_term(l.term)) {
        return pf_host->error(req, 422, "invalid_field",
                              "學期格式不正確：請用「學年度-學期」，例如 "
                              "113-1");
    }

    if (sel_tally_init(req, &l.terms) != PF_OK
        || sel_tally_init(req, &l.years) != PF_OK)
    {
        return pf_host->error(req, 500, "internal",
                              "伺服器暫時無法處理，請稍後再試");
    }

    g = pf_host->gen(req);
    l.g = g;

    pf_host->map_open(g);
    pf_host->key(g, "student");
    pf_host->string(g, user->id);
    pf_host->key(g, "outcomes");
    pf_host->array_open(g);

    if (pf_host->db_scan(req, SEL_DB_OUTCOMES,
                         pf_key(req, 2, user->id, pf_string("")),
                         sel_list_cb, &l)
        != PF_OK)
    {
        return pf_host->error(req, 503, "storage_unavailable",
                              "學習成果暫時無法讀取，請稍後再試");
    }

    pf_host->array_close(g);

    if (l.term.len) {
        if (sel_count(req, user->id, l.term, &in_term, &in_year) != PF_OK) {
            return pf_host->error(req, 503, "storage_unavailable",
                                  "勾選紀錄暫時無法讀取，請稍後再試");
        }

        sel_counters(req, g, l.term, in_term, in_year);

        to = 0;
        pf_host->key(g, "window");
        pf_host->map_open(g);
        pf_host->key(g, "open");
        pf_host->boolean(g, pf_host->window_open(req, user->school, l.term,
                                                 "select", &to));
        pf_host->key(g, "to");

        if (to) {
            pf_host->number(g, to);

        } else {
            pf_host->null(g);
        }

        pf_host->map_close(g);

    } else {
        sel_limits(req, &per_term, &per_year);
        sel_tally_gen(g, &l.terms, "terms", "term", per_term);
        sel_tally_gen(g, &l.years, "years", "year", per_year);
    }

    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}


/* --- GET /schools/{school}/selections?term=|year= (AD4) ------------------ */

typedef struct {
    pf_req_t   *req;
    pf_gen_t   *g;
    int64_t     rows;
    pf_str_t    last_student;
    int64_t     students;
} sel_report_t;


static int
sel_report_cb(void *data, pf_str_t key, pf_str_t value)
{
    pf_str_t          student, id;
    sel_report_t     *r = data;
    const pf_val_t   *ref, *rec, *u;

    static const char *const  fields[] = {
        "term", "code", "course_name", "subject", "kind", "description",
        "document", "media", "reviewer", "selected_at", NULL
    };

    const char *const  *f;

    ref = pf_host->parse(r->req, value);
    student = pf_field(ref, "student");
    id = pf_field(ref, "id");

    if (!pf_valid_id(student) || !pf_valid_id(id)) {
        return 0;
    }

    rec = pf_load(r->req, SEL_DB_OUTCOMES, pf_key(r->req, 2, student, id));

    /* the outcome record is the truth; the index only finds it */
    if (rec == NULL || !sel_is_true(pf_host->get(rec, "selected"))) {
        return 0;
    }

    u = pf_host->user_get(r->req, student);

    pf_host->map_open(r->g);
    pf_host->key(r->g, "student");
    pf_host->string(r->g, student);
    pf_host->key(r->g, "name");
    pf_copy_value(r->g, pf_host->get(u, "name"));
    pf_host->key(r->g, "class");
    pf_copy_value(r->g, pf_host->get(u, "class"));
    pf_host->key(r->g, "seat");
    pf_copy_value(r->g, pf_host->get(u, "seat"));
    pf_host->key(r->g, "outcome");
    pf_host->map_open(r->g);
    pf_host->key(r->g, "id");
    pf_host->string(r->g, id);

    for (f = fields; *f; f++) {
        pf_host->key(r->g, *f);
        pf_copy_value(r->g, pf_host->get(rec, *f));
    }

    pf_host->map_close(r->g);
    pf_host->map_close(r->g);

    r->rows++;

    if (!pf_same(student, r->last_student)) {
        r->students++;
        r->last_student = student;
    }

    return 0;
}


int
sel_report(pf_req_t *req)
{
    pf_str_t       school, term, year, prefix;
    pf_gen_t      *g;
    sel_report_t   r;

    school = pf_host->param(req, "school");
    term = pf_host->arg(req, "term");
    year = pf_host->arg(req, "year");

    if (!pf_valid_id(school)) {
        return pf_host->error(req, 404, "not_found",
                              "找不到這所學校；請確認學校網域名稱是否正確");
    }

    if (term.len && !pf_valid_term(term)) {
        return pf_host->error(req, 422, "invalid_field",
                              "學期格式不正確：請用「學年度-學期」，例如 "
                              "113-1");
    }

    if (year.len && !sel_valid_year(year)) {
        return pf_host->error(req, 422, "invalid_field",
                              "學年度格式不正確，例如 113");
    }

    if (term.len) {
        prefix = pf_key(req, 3, school, term, pf_string(""));

    } else if (year.len) {
        prefix = pf_host->sprintf(req, "%.*s\x1f%.*s-", PF_S(school),
                                  PF_S(year));

    } else {
        prefix = pf_key(req, 2, school, pf_string(""));
    }

    memset(&r, 0, sizeof(r));
    r.req = req;
    g = pf_host->gen(req);
    r.g = g;

    pf_host->map_open(g);
    pf_host->key(g, "school");
    pf_host->string(g, school);

    if (term.len) {
        pf_host->key(g, "term");
        pf_host->string(g, term);
    }

    if (year.len) {
        pf_host->key(g, "year");
        pf_host->string(g, year);
    }

    pf_host->key(g, "selections");
    pf_host->array_open(g);

    if (pf_host->db_scan(req, SEL_DB_INDEX, prefix, sel_report_cb, &r)
        != PF_OK)
    {
        return pf_host->error(req, 503, "storage_unavailable",
                              "勾選紀錄暫時無法讀取，請稍後再試");
    }

    pf_host->array_close(g);
    pf_host->key(g, "total");
    pf_host->number(g, r.rows);
    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}

