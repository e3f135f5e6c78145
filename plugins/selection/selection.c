/*
 * selection -- the student ticks certified course outcomes for the central
 * database (SPEC P6, 勾選), and the school sees who selected what (AD4).
 *
 * Rules of a tick (POST /outcomes/{id}/selection):
 *   - only the outcome's owner (403 forbidden; 404 for an unknown id,
 *     from the route's owner lookup); a temporary account issued for the
 *     student (A3) is the student here;
 *   - only inside the "select" window of the outcome's term
 *     (403 window_closed, the window's dates in the words: pfo_window());
 *   - only a "passed" outcome (422 not_passed);
 *   - at most outcome_select_per_term (city, 3) in that term and
 *     outcome_select_per_year (nation, 6) in that school year, ceilings
 *     a school may lower, never raise (pf_setting_t.ceiling)
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
 *
 * Files: this one (routes, ticks, the limits and the indexes),
 * selection_lists.c (the student's list, the school's report).
 */

#include <string.h>

#include "selection.h"


pf_str_t
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


int
sel_is_true(const pf_val_t *v)
{
    return pf_host->type(v) == PF_JSON_TRUE;
}


/* --- counting ------------------------------------------------------------ */

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


int
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
        || pf_host->db_scan(req, SEL_DB_BY_STUDENT, prefix, sel_count_cb, &c)
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

    rec = pf_host->parse(f->req, value);
    if (rec == NULL || !sel_is_true(pf_host->get(rec, "selected"))) {
        return 0;
    }

    term = pf_field(rec, "term");
    id = pf_field(rec, "id");
    at = pf_field(rec, "selected_at");

    if (!pf_valid_term(term) || !pf_valid_id(id)) {
        return 0;
    }

    if (pf_host->db_put(f->req, SEL_DB_BY_STUDENT,
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

    if (pf_host->db_get(req, SEL_DB_BY_STUDENT, student, &mark) == PF_OK) {
        return PF_OK;
    }

    f.req = req;
    f.student = student;
    f.rc = PF_OK;

    if (pf_host->db_scan(req, SEL_DB_OUTCOMES, pf_key(req, 2, student,
                                                      pf_string("")),
                         sel_fill_cb, &f)
        != PF_OK
        || f.rc != PF_OK)
    {
        return PF_ERROR;
    }

    return pf_host->db_put(req, SEL_DB_BY_STUDENT, student, pf_string("1"));
}


void
sel_limits(pf_req_t *req, int64_t *per_term, int64_t *per_year)
{
    *per_term = pf_host->setting_number(req, pf_string(""),
                                        "outcome_select_per_term");
    *per_year = pf_host->setting_number(req, pf_string(""),
                                        "outcome_select_per_year");
}


/* "what": {"what": name, "selected", "limit", "text": "(n/limit)"} */

static void
sel_counter(pf_req_t *req, pf_gen_t *g, const char *what, pf_str_t name,
    int64_t n, int64_t limit)
{
    pf_host->key(g, what);
    pf_host->map_open(g);
    pf_host->key(g, what);
    pf_host->string(g, name);
    pf_host->key(g, "selected");
    pf_host->number(g, n);
    pf_host->key(g, "limit");
    pf_host->number(g, limit);
    pf_host->key(g, "text");
    pf_host->string(g, pf_host->sprintf(req, "(%lld/%lld)", (long long) n,
                                        (long long) limit));
    pf_host->map_close(g);
}


void
sel_counters(pf_req_t *req, pf_gen_t *g, pf_str_t term, int64_t in_term,
    int64_t in_year)
{
    int64_t  per_term, per_year;

    sel_limits(req, &per_term, &per_year);

    sel_counter(req, g, "term", term, in_term, per_term);
    sel_counter(req, g, "year", sel_year(term), in_year, per_year);
}


/* --- the outcome behind {id} --------------------------------------------- */

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
 * The caller's outcome, with its owner and window checked.  Returns 0, or
 * the status of the error it set.  The route's owner lookup answered 404
 * for an unknown id; the route is PF_SCOPE_RECORD, not PF_SCOPE_OWNER,
 * because another student's outcome is refused here with 403 forbidden,
 * as it always was (the router would say not_owner).
 */

static int
sel_find(pf_req_t *req, sel_outcome_t *o)
{
    pf_str_t          why;
    const pf_user_t  *user;

    user = pf_host->user(req);
    o->id = pf_host->param(req, "id");
    o->rec = pfo_find(req, o->id, &o->key, &o->text);

    /* an id whose record is gone (or is not one) */
    if (o->rec == NULL || pf_host->type(o->rec) != PF_JSON_OBJECT) {
        return pf_host->error(req, 404, "not_found", "找不到這份學習成果");
    }

    /*
     * The stored text may be the answer after the index is filled in
     * (sel_index_ready() writes): a value in LMDB's pages is valid only
     * until the next write, so keep a copy.
     */
    o->text = pf_copy(req, o->text);

    /* the owner outcome_ids names: the key is student\x1fid */
    o->student.data = o->key.data;
    o->student.len = o->key.len - o->id.len - 1;

    if (!pf_same(o->student, user->id)) {
        return pf_host->error(req, 403, "forbidden",
                              "只有這份學習成果的學生本人可以勾選");
    }

    o->term = pf_field(o->rec, "term");
    o->school = pf_field(o->rec, "school");

    if (o->school.len == 0) {
        o->school = user->school;
    }

    if (!pf_valid_term(o->term)) {
        return pf_host->error(req, 422, "invalid_record",
                              "這份學習成果的學期資料不正確，請洽學校");
    }

    /* the words give the window's dates (pfo_window()) */
    if (!pfo_window(req, o->school, o->term, "select", &why)) {
        return pf_host->error(req, 403, "window_closed", "%.*s", PF_S(why));
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

    user = pf_host->user(req);
    now = pf_host->now_ms(req);

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_copy_fields(g, o->rec, skip);
    pf_host->key(g, "selected");
    pf_host->boolean(g, selected);
    pf_host->key(g, "selected_at");

    if (selected) {
        pf_host->number(g, now);

    } else {
        pf_host->null(g);
    }

    pf_host->key(g, "updated");
    pf_host->number(g, now);
    pf_host->key(g, "by");
    pf_host->string(g, user->account);
    pf_host->map_close(g);

    *text = pf_host->text(g);

    if (text->len == 0
        || pf_host->db_put(req, SEL_DB_OUTCOMES, o->key, *text) != PF_OK)
    {
        return PF_ERROR;
    }

    ikey = pf_key(req, 4, o->school, o->term, o->student, o->id);
    skey = pf_key(req, 3, o->student, o->term, o->id);

    if (selected) {
        d = pf_host->gen(req);
        pf_host->map_open(d);
        pf_host->key(d, "student");
        pf_host->string(d, o->student);
        pf_host->key(d, "id");
        pf_host->string(d, o->id);
        pf_host->key(d, "term");
        pf_host->string(d, o->term);
        pf_host->key(d, "selected_at");
        pf_host->number(d, now);
        pf_host->map_close(d);

        if (pf_host->db_put(req, SEL_DB_INDEX, ikey, pf_host->text(d)) != PF_OK
            || pf_host->db_put(req, SEL_DB_BY_STUDENT, skey,
                               pf_host->sprintf(req, "%lld", (long long) now))
               != PF_OK)
        {
            return PF_ERROR;
        }

    } else if (pf_host->db_del(req, SEL_DB_INDEX, ikey) == PF_ERROR
               || pf_host->db_del(req, SEL_DB_BY_STUDENT, skey) == PF_ERROR)
    {
        return PF_ERROR;
    }

    d = pf_host->gen(req);
    pf_host->map_open(d);
    pf_host->key(d, "id");
    pf_host->string(d, o->id);
    pf_host->key(d, "term");
    pf_host->string(d, o->term);
    pf_host->key(d, "code");
    pf_copy_value(d, pf_host->get(o->rec, "code"));
    pf_host->key(d, "course_name");
    pf_copy_value(d, pf_host->get(o->rec, "course_name"));
    pf_host->map_close(d);

    return pf_host->audit(req, o->student,
                          selected ? "outcome.selected" : "outcome.unselected",
                          pf_host->text(d));
}


static int
sel_answer(pf_req_t *req, sel_outcome_t *o, pf_str_t text, int status)
{
    int64_t    in_term, in_year;
    pf_gen_t  *g;

    if (sel_count(req, o->student, o->term, &in_term, &in_year) != PF_OK) {
        return pf_host->error(req, 503, "storage_unavailable",
                              "勾選紀錄暫時無法讀取，請稍後再試");
    }

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "outcome");
    pf_host->raw(g, text);
    sel_counters(req, g, o->term, in_term, in_year);
    pf_host->map_close(g);

    return pf_host->reply(req, status, g);
}


/* Only a passed outcome is ticked: 0, or the status of the 422. */

static int
sel_passed(pf_req_t *req, const pf_val_t *rec)
{
    if (!pf_eq(pf_field(rec, "status"), "passed")) {
        return pf_host->error(req, 422, "not_passed",
                              "只有認證通過的學習成果可以勾選");
    }

    return 0;
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

    return sel_passed(req, o.rec);
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
        return pf_host->error(req, 503, "storage_unavailable",
                              "勾選紀錄暫時無法讀取，請稍後再試");
    }

    rc = sel_passed(req, o.rec);
    if (rc) {
        return rc;
    }

    if (sel_is_true(pf_host->get(o.rec, "selected"))) {
        /* already ticked: nothing changes */
        return sel_answer(req, &o, o.text, 200);
    }

    if (sel_count(req, o.student, o.term, &in_term, &in_year) != PF_OK) {
        return pf_host->error(req, 503, "storage_unavailable",
                              "勾選紀錄暫時無法讀取，請稍後再試");
    }

    sel_limits(req, &per_term, &per_year);
    year = sel_year(o.term);

    if (in_term >= per_term) {
        return pf_host->error(req, 422, "limit_reached",
                              "本學期已達勾選數量上限 (%lld/%lld)：%.*s 學期"
                              "最多勾選 %lld 件學習成果；可先取消勾選另一件",
                              (long long) in_term, (long long) per_term,
                              PF_S(o.term), (long long) per_term);
    }

    if (in_year >= per_year) {
        return pf_host->error(req, 422, "limit_reached",
                              "本學年已達勾選數量上限 (%lld/%lld)：%.*s "
                              "學年度最多勾選 %lld 件學習成果；可先取消勾選"
                              "另一件", (long long) in_year,
                              (long long) per_year, PF_S(year),
                              (long long) per_year);
    }

    if (sel_store(req, &o, 1, &text) != PF_OK) {
        return pf_host->error(req, 503, "storage_unavailable",
                              "勾選暫時無法儲存，請稍後再試");
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
        return pf_host->error(req, 503, "storage_unavailable",
                              "勾選紀錄暫時無法讀取，請稍後再試");
    }

    if (!sel_is_true(pf_host->get(o.rec, "selected"))) {
        return sel_answer(req, &o, o.text, 200);
    }

    if (sel_store(req, &o, 0, &text) != PF_OK) {
        return pf_host->error(req, 503, "storage_unavailable",
                              "勾選暫時無法儲存，請稍後再試");
    }

    return sel_answer(req, &o, text, 200);
}


/*
 * A tick and an untick name the outcome's owner lookup with
 * PF_SCOPE_RECORD (sel_find() answers another student 403 forbidden).
 */
static const pf_route_t  sel_routes[] = {
    { .method = "POST", .path = "/outcomes/{id}/selection",
      .roles = PF_ROLE_STUDENT, .scope = PF_SCOPE_RECORD, .owner = pfo_owner,
      .flags = PF_ROUTE_WRITE, .handler = sel_select,
      .precheck = sel_precheck },
    { .method = "DELETE", .path = "/outcomes/{id}/selection",
      .roles = PF_ROLE_STUDENT, .scope = PF_SCOPE_RECORD, .owner = pfo_owner,
      .flags = PF_ROUTE_WRITE, .handler = sel_unselect,
      .precheck = sel_unprecheck },
    { .method = "GET", .path = "/selections", .roles = PF_ROLE_STUDENT,
      .scope = PF_SCOPE_SELF, .handler = sel_list },
    { .method = "GET", .path = "/schools/{school}/selections",
      .roles = PF_ROLE_SCHOOL_ADMIN|PF_ROLE_OUTCOME_SUBMITTER
               |PF_ROLE_CITY_ADMIN,
      .scope = PF_SCOPE_SCHOOL, .handler = sel_report },
};

/* Its own indexes; the student plugin's outcomes (a tick rewrites one)
   and ids (the owner lookup, sel_find()). */
static const pf_db_t  sel_dbs[] = {
    { .name = SEL_DB_INDEX, .access = PF_DB_OWN },
    { .name = SEL_DB_BY_STUDENT, .access = PF_DB_OWN },
    { .name = SEL_DB_OUTCOMES, .access = PF_DB_WRITE },
    { .name = "outcome_ids", .access = PF_DB_READ },
};

/*
 * Both limits are ceilings down the chain (seeds: 每學期至多勾選3件 in the
 * city's system, 一學年勾選至多6件 nationally): the default is the rule
 * of the level named, and a lower level may lower it, never raise it.
 */
static const pf_setting_t  sel_settings[] = {
    { .name = "outcome_select_per_term", .type = PF_SETTING_NUMBER,
      .levels = PF_LEVEL_CITY|PF_LEVEL_SCHOOL, .min = 1, .max = 10, .dflt = 3,
      .ceiling = PF_LEVEL_CITY,
      .about = "outcomes a student may select per term (city limit)" },
    { .name = "outcome_select_per_year", .type = PF_SETTING_NUMBER,
      .levels = PF_LEVEL_CITY|PF_LEVEL_SCHOOL, .min = 1, .max = 20, .dflt = 6,
      .ceiling = PF_LEVEL_NATION,
      .about = "outcomes a student may select per school year (national "
               "limit)" },
};

PF_PLUGIN(.name = "selection", .version = "0.2.0",
          PF_DATABASES(sel_dbs), PF_ROUTES(sel_routes),
          PF_SETTINGS(sel_settings))
