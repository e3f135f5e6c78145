/*
 * selection -- the student ticks certified course outcomes for the central
 * database (SPEC P6, 勾選), and the school sees who selected what (AD4).
 *
 * Rules of a tick (POST /outcomes/{id}/selection):
 *   - only the outcome's owner (403 forbidden; 404 for an unknown id);
 *   - only inside the "select" window of the outcome's term
 *     (403 window_closed; see pf_window_open());
 *   - only a "passed" outcome (422 not_passed);
 *   - at most outcome_select_per_term (city, 3) in that term and
 *     outcome_select_per_year (nation, 6) in that school year
 *     (422 limit_reached, "(n/limit)" in the message);
 *   - ticking a selected outcome again changes nothing (200).
 * Unticking (DELETE) has the same owner and window rules.
 *
 * Counting and writing happen in the same write handler, so in the same
 * (nested) transaction of the single writer: however many ticks of one
 * student race, the limits hold.  The precheck repeats the cheap refusals
 * in the event loop so that a deadline-day flood of refused ticks never
 * queues for the writer; the handler decides.
 *
 * Data (plugins/README.md): "outcomes" student␟id, "outcome_ids" id.
 * This plugin's own indexes, written in the same transaction as the tick:
 * "selections", school␟term␟student␟id -> {"student","id","term",
 * "selected_at"}, so the school's report (and later the submission, AD5)
 * is a prefix scan rather than a walk of every outcome; "selected",
 * student␟term␟id -> selected_at, so the limits are counted without
 * parsing records (see sel_count()).
 */

#include <string.h>
#include <stdlib.h>

#include "portfolio_plugin.h"


static const pf_host_api_t  *host;

#define PF_HOST host
#include "../common/pf_common.h"


#define SEL_DB_OUTCOMES    "outcomes"
#define SEL_DB_IDS         "outcome_ids"
#define SEL_DB_INDEX       "selections"
#define SEL_DB_BY_STUDENT  "selected"

#define SEL_DEFAULT_TERM   3
#define SEL_DEFAULT_YEAR   6


/* "113-1": an ROC year of 2 or 3 digits, "-", semester 1 or 2. */

static int
sel_valid_term(pf_str_t t)
{
    size_t  i;

    if (t.len < 4 || t.len > 5) {
        return 0;
    }

    for (i = 0; i < t.len - 2; i++) {
        if (t.data[i] < '0' || t.data[i] > '9') {
            return 0;
        }
    }

    return t.data[t.len - 2] == '-'
           && (t.data[t.len - 1] == '1' || t.data[t.len - 1] == '2');
}


/* "113" of "113-1" (the school year); empty if no "-". */

static pf_str_t
sel_year(pf_str_t term)
{
    size_t    i;
    pf_str_t  y;

    for (i = 0; i < term.len; i++) {
        if (term.data[i] == '-') {
            y.data = term.data;
            y.len = i;
            return y;
        }
    }

    y.data = term.data;
    y.len = 0;

    return y;
}


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


static int
sel_is_true(const pf_val_t *v)
{
    return host->type(v) == PF_JSON_TRUE;
}


/* --- counting ----------------------------------------------------------- */

/*
 * Counts come from the index "selected", student␟term␟id -> selected_at,
 * written with every tick and untick: a few keys read, no record parsed
 * (a tick used to parse all of the student's outcomes, twice, and on
 * deadline day every tick waits for the single writer).  The key that is
 * the student's id alone marks the index as complete for that student:
 * in a database from before the index, the student's first tick or
 * untick fills it in from the outcome records, which stay the truth.
 */

typedef struct {
    pf_str_t   term;       /* count in this term ... */
    pf_str_t   year;       /* ... and in this school year */
    size_t     skip;       /* the prefix "student␟" */
    int64_t    in_term;
    int64_t    in_year;
} sel_count_t;


static int
sel_count_cb(void *data, pf_str_t key, pf_str_t value)
{
    size_t        i;
    pf_str_t      t;
    sel_count_t  *c = data;

    /* key: student␟term␟id */
    t.data = key.data + c->skip;
    t.len = 0;

    for (i = c->skip; i < key.len && key.data[i] != PF_SEP; i++) {
        t.len++;
    }

    if (pf_same(t, c->term)) {
        c->in_term++;
    }

    if (c->year.len && pf_same(sel_year(t), c->year)) {
        c->in_year++;
    }

    return 0;
}


/* Selected outcomes of a student in a term and in its school year. */

static int
sel_count(pf_req_t *req, pf_str_t student, pf_str_t term, int64_t *in_term,
    int64_t *in_year)
{
    pf_str_t     prefix;
    sel_count_t  c;

    memset(&c, 0, sizeof(c));
    c.term = term;
    c.year = sel_year(term);

    prefix = pf_key(req, 2, student, pf_string(""));
    c.skip = prefix.len;

    if (prefix.data == NULL
        || host->db_scan(req, SEL_DB_BY_STUDENT, prefix, sel_count_cb, &c)
           != PF_OK)
    {
        return PF_ERROR;
    }

    *in_term = c.in_term;
    *in_year = c.in_year;

    return PF_OK;
}


typedef struct {
    pf_req_t  *req;
    pf_str_t   student;
    int        rc;
} sel_fill_t;


static int
sel_fill_cb(void *data, pf_str_t key, pf_str_t value)
{
    pf_str_t         term, id, at;
    sel_fill_t      *f = data;
    const pf_val_t  *rec;

    rec = host->parse(f->req, value);
    if (rec == NULL || !sel_is_true(host->get(rec, "selected"))) {
        return 0;
    }

    term = host->str(host->get(rec, "term"));
    id = host->str(host->get(rec, "id"));
    at = host->str(host->get(rec, "selected_at"));

    if (!sel_valid_term(term) || !pf_valid_id(id)) {
        return 0;
    }

    if (host->db_put(f->req, SEL_DB_BY_STUDENT,
                     pf_key(f->req, 3, f->student, term, id),
                     at.len ? at : pf_string("0"))
        != PF_OK)
    {
        f->rc = PF_ERROR;
        return 1;
    }

    return 0;
}


/* In the writer, before counting: the student's index, filled if new. */

static int
sel_index_ready(pf_req_t *req, pf_str_t student)
{
    pf_str_t    mark;
    sel_fill_t  f;

    if (host->db_get(req, SEL_DB_BY_STUDENT, student, &mark) == PF_OK) {
        return PF_OK;
    }

    f.req = req;
    f.student = student;
    f.rc = PF_OK;

    if (host->db_scan(req, SEL_DB_OUTCOMES, pf_key(req, 2, student,
                                                   pf_string("")),
                      sel_fill_cb, &f)
        != PF_OK
        || f.rc != PF_OK)
    {
        return PF_ERROR;
    }

    return host->db_put(req, SEL_DB_BY_STUDENT, student, pf_string("1"));
}


static void
sel_limits(pf_req_t *req, int64_t *per_term, int64_t *per_year)
{
    *per_term = host->setting_int(req, "outcome_select_per_term",
                                  SEL_DEFAULT_TERM);
    *per_year = host->setting_int(req, "outcome_select_per_year",
                                  SEL_DEFAULT_YEAR);
}


/* {"term": {"term","selected","limit","text"}, "year": {...}} members. */

static void
sel_counters(pf_req_t *req, pf_gen_t *g, pf_str_t term, int64_t in_term,
    int64_t in_year)
{
    int64_t  per_term, per_year;

    sel_limits(req, &per_term, &per_year);

    host->key(g, "term");
    host->map_open(g);
    host->key(g, "term");
    host->string(g, term);
    host->key(g, "selected");
    host->number(g, in_term);
    host->key(g, "limit");
    host->number(g, per_term);
    host->key(g, "text");
    host->string(g, host->sprintf(req, "(%lld/%lld)", (long long) in_term,
                                  (long long) per_term));
    host->map_close(g);

    host->key(g, "year");
    host->map_open(g);
    host->key(g, "year");
    host->string(g, sel_year(term));
    host->key(g, "selected");
    host->number(g, in_year);
    host->key(g, "limit");
    host->number(g, per_year);
    host->key(g, "text");
    host->string(g, host->sprintf(req, "(%lld/%lld)", (long long) in_year,
                                  (long long) per_year));
    host->map_close(g);
}


/* --- the outcome behind {id} ------------------------------------------- */

typedef struct {
    pf_str_t          id;
    pf_str_t          student;
    pf_str_t          key;        /* student␟id in "outcomes" */
    pf_str_t          term;
    pf_str_t          school;
    pf_str_t          text;       /* the record as stored */
    const pf_val_t   *rec;
} sel_outcome_t;


/*
 * Finds the caller's outcome and checks owner and window.  Returns 0, or
 * the status of the error it set.
 */

static int
sel_find(pf_req_t *req, sel_outcome_t *o)
{
    int64_t           to;
    const pf_val_t   *ref;
    const pf_user_t  *user;

    user = host->user(req);
    o->id = host->param(req, "id");

    if (!pf_valid_id(o->id)) {
        return host->error(req, 404, "not_found", "no such outcome");
    }

    ref = pf_load(req, SEL_DB_IDS, o->id);
    o->student = host->str(host->get(ref, "student"));

    if (ref == NULL || !pf_valid_id(o->student)) {
        return host->error(req, 404, "not_found", "no such outcome");
    }

    o->key = pf_key(req, 2, o->student, o->id);
    o->rec = NULL;

    if (host->db_get(req, SEL_DB_OUTCOMES, o->key, &o->text) == PF_OK) {
        o->rec = host->parse(req, o->text);
    }

    if (o->rec == NULL || host->type(o->rec) != PF_JSON_OBJECT) {
        return host->error(req, 404, "not_found", "no such outcome");
    }

    if (!pf_same(o->student, user->id)) {
        return host->error(req, 403, "forbidden",
                           "only the student who owns an outcome may "
                           "select it");
    }

    o->term = host->str(host->get(o->rec, "term"));
    o->school = host->str(host->get(o->rec, "school"));

    if (o->school.len == 0) {
        o->school = user->school;
    }

    if (!sel_valid_term(o->term)) {
        return host->error(req, 422, "invalid_record",
                           "the outcome has no valid term");
    }

    if (!pf_window_open(req, o->school, o->term, "select", &to)) {
        return host->error(req, 403, "window_closed",
                           "selection for term %.*s is closed "
                           "(not inside the selection window)",
                           (int) o->term.len, o->term.data);
    }

    return 0;
}


/* Rewrites the outcome with the selection fields; updates the index. */

static int
sel_store(pf_req_t *req, sel_outcome_t *o, int selected, pf_str_t *text)
{
    int64_t          now;
    pf_str_t         ikey, skey;
    pf_gen_t        *g, *d;
    const pf_user_t *user;

    static const char *const  skip[] = {
        "selected", "selected_at", "updated", "by", NULL
    };

    user = host->user(req);
    now = host->now_ms(req);

    g = host->gen(req);
    host->map_open(g);
    pf_copy_fields(g, o->rec, skip);
    host->key(g, "selected");
    host->boolean(g, selected);
    host->key(g, "selected_at");

    if (selected) {
        host->number(g, now);

    } else {
        host->null(g);
    }

    host->key(g, "updated");
    host->number(g, now);
    host->key(g, "by");
    host->string(g, user->id);
    host->map_close(g);

    *text = host->text(g);

    if (text->len == 0
        || host->db_put(req, SEL_DB_OUTCOMES, o->key, *text) != PF_OK)
    {
        return PF_ERROR;
    }

    ikey = pf_key(req, 4, o->school, o->term, o->student, o->id);
    skey = pf_key(req, 3, o->student, o->term, o->id);

    if (selected) {
        d = host->gen(req);
        host->map_open(d);
        host->key(d, "student");
        host->string(d, o->student);
        host->key(d, "id");
        host->string(d, o->id);
        host->key(d, "term");
        host->string(d, o->term);
        host->key(d, "selected_at");
        host->number(d, now);
        host->map_close(d);

        if (host->db_put(req, SEL_DB_INDEX, ikey, host->text(d)) != PF_OK
            || host->db_put(req, SEL_DB_BY_STUDENT, skey,
                            host->sprintf(req, "%lld", (long long) now))
               != PF_OK)
        {
            return PF_ERROR;
        }

    } else if (host->db_del(req, SEL_DB_INDEX, ikey) == PF_ERROR
               || host->db_del(req, SEL_DB_BY_STUDENT, skey) == PF_ERROR)
    {
        return PF_ERROR;
    }

    d = host->gen(req);
    host->map_open(d);
    host->key(d, "id");
    host->string(d, o->id);
    host->key(d, "term");
    host->string(d, o->term);
    host->key(d, "code");
    pf_copy_value(d, host->get(o->rec, "code"));
    host->key(d, "course_name");
    pf_copy_value(d, host->get(o->rec, "course_name"));
    host->map_close(d);

    return host->audit(req, o->student,
                       selected ? "outcome.selected" : "outcome.unselected",
                       host->text(d));
}


static int
sel_answer(pf_req_t *req, sel_outcome_t *o, pf_str_t text, int status)
{
    int64_t    in_term, in_year;
    pf_gen_t  *g;

    if (sel_count(req, o->student, o->term, &in_term, &in_year) != PF_OK) {
        return host->error(req, 503, "storage_unavailable",
                           "the selections could not be read");
    }

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "outcome");
    host->raw(g, text);
    sel_counters(req, g, o->term, in_term, in_year);
    host->map_close(g);

    return host->reply(req, status, g);
}


/* Event-loop refusals (owner, window, status): the handler checks again. */

static int
sel_precheck(pf_req_t *req)
{
    int            rc;
    sel_outcome_t  o;

    rc = sel_find(req, &o);
    if (rc) {
        return rc;
    }

    if (!pf_eq(host->str(host->get(o.rec, "status")), "passed")) {
        return host->error(req, 422, "not_passed",
                           "only outcomes that passed certification can be "
                           "selected");
    }

    return 0;
}


static int
sel_unprecheck(pf_req_t *req)
{
    sel_outcome_t  o;

    return sel_find(req, &o);
}


/* POST /outcomes/{id}/selection: tick (in the writer). */

static int
sel_select(pf_req_t *req)
{
    int            rc;
    int64_t        in_term, in_year, per_term, per_year;
    pf_str_t       text, year;
    sel_outcome_t  o;

    rc = sel_find(req, &o);
    if (rc) {
        return rc;
    }

    if (sel_index_ready(req, o.student) != PF_OK) {
        return host->error(req, 503, "storage_unavailable",
                           "the selections could not be read");
    }

    if (!pf_eq(host->str(host->get(o.rec, "status")), "passed")) {
        return host->error(req, 422, "not_passed",
                           "only outcomes that passed certification can be "
                           "selected");
    }

    if (sel_is_true(host->get(o.rec, "selected"))) {
        /* already ticked: nothing changes */
        return sel_answer(req, &o, o.text, 200);
    }

    if (sel_count(req, o.student, o.term, &in_term, &in_year) != PF_OK) {
        return host->error(req, 503, "storage_unavailable",
                           "the selections could not be read");
    }

    sel_limits(req, &per_term, &per_year);
    year = sel_year(o.term);

    if (in_term >= per_term) {
        return host->error(req, 422, "limit_reached",
                           "at most %lld outcomes may be selected in term "
                           "%.*s (%lld/%lld)", (long long) per_term,
                           (int) o.term.len, o.term.data, (long long) in_term,
                           (long long) per_term);
    }

    if (in_year >= per_year) {
        return host->error(req, 422, "limit_reached",
                           "at most %lld outcomes may be selected in school "
                           "year %.*s (%lld/%lld)", (long long) per_year,
                           (int) year.len, year.data, (long long) in_year,
                           (long long) per_year);
    }

    if (sel_store(req, &o, 1, &text) != PF_OK) {
        return host->error(req, 503, "storage_unavailable",
                           "the selection could not be stored");
    }

    return sel_answer(req, &o, text, 200);
}


/* DELETE /outcomes/{id}/selection: untick (in the writer). */

static int
sel_unselect(pf_req_t *req)
{
    int            rc;
    pf_str_t       text;
    sel_outcome_t  o;

    rc = sel_find(req, &o);
    if (rc) {
        return rc;
    }

    if (sel_index_ready(req, o.student) != PF_OK) {
        return host->error(req, 503, "storage_unavailable",
                           "the selections could not be read");
    }

    if (!sel_is_true(host->get(o.rec, "selected"))) {
        return sel_answer(req, &o, o.text, 200);
    }

    if (sel_store(req, &o, 0, &text) != PF_OK) {
        return host->error(req, 503, "storage_unavailable",
                           "the selection could not be stored");
    }

    return sel_answer(req, &o, text, 200);
}


/* --- GET /selections?term= ---------------------------------------------- */

#define SEL_MAX_TERMS  32

typedef struct {
    pf_str_t   name;
    int64_t    selected;
} sel_tally_t;


typedef struct {
    pf_req_t     *req;
    pf_gen_t     *g;
    pf_str_t      term;               /* filter, or empty */
    sel_tally_t   terms[SEL_MAX_TERMS];
    size_t        nterms;
    sel_tally_t   years[SEL_MAX_TERMS];
    size_t        nyears;
} sel_list_t;


static void
sel_tally(sel_tally_t *t, size_t *n, pf_str_t name, int selected)
{
    size_t  i;

    for (i = 0; i < *n; i++) {
        if (pf_same(t[i].name, name)) {
            break;
        }
    }

    if (i == *n) {
        if (*n == SEL_MAX_TERMS) {
            return;
        }

        t[i].name = name;
        t[i].selected = 0;
        (*n)++;
    }

    t[i].selected += selected;
}


static int
sel_list_cb(void *data, pf_str_t key, pf_str_t value)
{
    int              selected;
    pf_str_t         term;
    sel_list_t      *l = data;
    const pf_val_t  *rec;

    rec = host->parse(l->req, value);
    if (rec == NULL) {
        return 0;
    }

    term = host->str(host->get(rec, "term"));
    selected = sel_is_true(host->get(rec, "selected"));

    if (l->term.len == 0 && sel_valid_term(term)) {
        sel_tally(l->terms, &l->nterms, term, selected);
        sel_tally(l->years, &l->nyears, sel_year(term), selected);
    }

    if (!pf_eq(host->str(host->get(rec, "status")), "passed")
        || (l->term.len && !pf_same(term, l->term)))
    {
        return 0;
    }

    host->raw(l->g, value);

    return 0;
}


static int
sel_list(pf_req_t *req)
{
    size_t            i;
    int64_t           in_term, in_year, per_term, per_year, to;
    pf_gen_t         *g;
    sel_list_t        l;
    const pf_user_t  *user;

    user = host->user(req);

    memset(&l, 0, sizeof(l));
    l.req = req;
    l.term = host->arg(req, "term");

    if (l.term.len && !sel_valid_term(l.term)) {
        return host->error(req, 422, "invalid_field",
                           "term must look like 113-1");
    }

    g = host->gen(req);
    l.g = g;

    host->map_open(g);
    host->key(g, "student");
    host->string(g, user->id);
    host->key(g, "outcomes");
    host->array_open(g);

    if (host->db_scan(req, SEL_DB_OUTCOMES,
                      pf_key(req, 2, user->id, pf_string("")),
                      sel_list_cb, &l)
        != PF_OK)
    {
        return host->error(req, 503, "storage_unavailable",
                           "the outcomes could not be read");
    }

    host->array_close(g);

    if (l.term.len) {
        if (sel_count(req, user->id, l.term, &in_term, &in_year) != PF_OK) {
            return host->error(req, 503, "storage_unavailable",
                               "the selections could not be read");
        }

        sel_counters(req, g, l.term, in_term, in_year);

        host->key(g, "window");
        host->map_open(g);
        host->key(g, "open");
        host->boolean(g, pf_window_open(req, user->school, l.term, "select",
                                        &to));
        host->key(g, "to");

        if (to) {
            host->number(g, to);

        } else {
            host->null(g);
        }

        host->map_close(g);

    } else {
        sel_limits(req, &per_term, &per_year);

        host->key(g, "terms");
        host->array_open(g);

        for (i = 0; i < l.nterms; i++) {
            host->map_open(g);
            host->key(g, "term");
            host->string(g, l.terms[i].name);
            host->key(g, "selected");
            host->number(g, l.terms[i].selected);
            host->key(g, "limit");
            host->number(g, per_term);
            host->map_close(g);
        }

        host->array_close(g);

        host->key(g, "years");
        host->array_open(g);

        for (i = 0; i < l.nyears; i++) {
            host->map_open(g);
            host->key(g, "year");
            host->string(g, l.years[i].name);
            host->key(g, "selected");
            host->number(g, l.years[i].selected);
            host->key(g, "limit");
            host->number(g, per_year);
            host->map_close(g);
        }

        host->array_close(g);
    }

    host->map_close(g);

    return host->reply(req, 200, g);
}


/* --- GET /schools/{school}/selections?term=|year= (AD4) ---------------- */

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

    ref = host->parse(r->req, value);
    student = host->str(host->get(ref, "student"));
    id = host->str(host->get(ref, "id"));

    if (!pf_valid_id(student) || !pf_valid_id(id)) {
        return 0;
    }

    rec = pf_load(r->req, SEL_DB_OUTCOMES, pf_key(r->req, 2, student, id));

    /* the outcome record is the truth; the index only finds it */
    if (rec == NULL || !sel_is_true(host->get(rec, "selected"))) {
        return 0;
    }

    u = pf_load(r->req, "users", student);

    host->map_open(r->g);
    host->key(r->g, "student");
    host->string(r->g, student);
    host->key(r->g, "name");
    pf_copy_value(r->g, host->get(u, "name"));
    host->key(r->g, "class");
    pf_copy_value(r->g, host->get(u, "class"));
    host->key(r->g, "seat");
    pf_copy_value(r->g, host->get(u, "seat"));
    host->key(r->g, "outcome");
    host->map_open(r->g);
    host->key(r->g, "id");
    host->string(r->g, id);

    for (f = fields; *f; f++) {
        host->key(r->g, *f);
        pf_copy_value(r->g, host->get(rec, *f));
    }

    host->map_close(r->g);
    host->map_close(r->g);

    r->rows++;

    if (!pf_same(student, r->last_student)) {
        r->students++;
        r->last_student = student;
    }

    return 0;
}


static int
sel_report(pf_req_t *req)
{
    pf_str_t       school, term, year, prefix;
    pf_gen_t      *g;
    sel_report_t   r;

    school = host->param(req, "school");
    term = host->arg(req, "term");
    year = host->arg(req, "year");

    if (!pf_valid_id(school)) {
        return host->error(req, 404, "not_found", "no such school");
    }

    if (term.len && !sel_valid_term(term)) {
        return host->error(req, 422, "invalid_field",
                           "term must look like 113-1");
    }

    if (year.len && !sel_valid_year(year)) {
        return host->error(req, 422, "invalid_field",
                           "year must look like 113");
    }

    if (term.len) {
        prefix = pf_key(req, 3, school, term, pf_string(""));

    } else if (year.len) {
        prefix = host->sprintf(req, "%.*s\x1f%.*s-", (int) school.len,
                               school.data, (int) year.len, year.data);

    } else {
        prefix = pf_key(req, 2, school, pf_string(""));
    }

    memset(&r, 0, sizeof(r));
    r.req = req;
    g = host->gen(req);
    r.g = g;

    host->map_open(g);
    host->key(g, "school");
    host->string(g, school);

    if (term.len) {
        host->key(g, "term");
        host->string(g, term);
    }

    if (year.len) {
        host->key(g, "year");
        host->string(g, year);
    }

    host->key(g, "selections");
    host->array_open(g);

    if (host->db_scan(req, SEL_DB_INDEX, prefix, sel_report_cb, &r) != PF_OK)
    {
        return host->error(req, 503, "storage_unavailable",
                           "the selections could not be read");
    }

    host->array_close(g);
    host->key(g, "total");
    host->number(g, r.rows);
    host->map_close(g);

    return host->reply(req, 200, g);
}


static const pf_route_t  sel_routes[] = {
    { "POST", "/outcomes/{id}/selection", PF_ROLE_STUDENT, PF_SCOPE_SELF,
      PF_ROUTE_WRITE, sel_select, 0, sel_precheck },
    { "DELETE", "/outcomes/{id}/selection", PF_ROLE_STUDENT, PF_SCOPE_SELF,
      PF_ROUTE_WRITE, sel_unselect, 0, sel_unprecheck },
    { "GET", "/selections", PF_ROLE_STUDENT, PF_SCOPE_SELF, 0, sel_list },
    { "GET", "/schools/{school}/selections",
      PF_ROLE_SCHOOL_ADMIN|PF_ROLE_OUTCOME_SUBMITTER|PF_ROLE_CITY_ADMIN,
      PF_SCOPE_SCHOOL, 0, sel_report },
};

static const char *const  sel_dbs[] = {
    SEL_DB_OUTCOMES, SEL_DB_IDS, SEL_DB_INDEX, SEL_DB_BY_STUDENT, NULL
};

static const pf_plugin_t  sel_plugin = {
    PF_ABI_MAJOR, PF_ABI_MINOR, sizeof(pf_plugin_t),
    "selection", "0.1.0",
    sel_dbs,
    sel_routes, sizeof(sel_routes) / sizeof(sel_routes[0]),
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

    return &sel_plugin;
}
