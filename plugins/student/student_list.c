/*
 * student_list.c -- reading outcomes: a student's list (the student's
 * own, or as the caller may see them) with the term's limits, and one
 * outcome by id.
 */

#include "student.h"
#include "pf_peek.h"


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
        || pf_peek_is(f[0], pf_host->user(l->req)->id) != 1)
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

    if (!whole || pf_host->raw(l->g, value) != PF_OK) {
        return -1;
    }

    /* counted only here: a record left to the parsing path counts there;
       a failed one uses up no place (st_counts()) */
    if (l->term.len && pf_peek_is(f[2], pf_string("failed")) != 1) {
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

    rec = pf_host->parse(l->req, value);
    if (rec == NULL) {
        return 0;
    }

    if (l->term.len) {
        if (!pf_str_is(pf_host->get(rec, "term"), l->term)) {
            return 0;
        }

        l->term_count += st_counts(rec);
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
    int64_t           per_term, to;
    pf_str_t          term, prefix, school;
    pf_gen_t         *g;
    st_list_t         l;
    const pf_user_t  *user;

    user = pf_host->user(req);
    term = pf_host->arg(req, "term");

    if (term.len && !pf_valid_term(term)) {
        return pf_host->error(req, 422, "invalid_field",
                              "學期格式不正確：請用「學年度-學期」，例如 "
                              "113-1");
    }

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "student");
    pf_host->string(g, student);
    pf_host->key(g, "outcomes");
    pf_host->array_open(g);

    l.req = req;
    l.g = g;
    l.term = term;
    l.full = st_full_viewer(req, student);
    l.mine = pf_same(student, user->id);
    l.n = 0;
    l.term_count = 0;

    prefix = pf_key(req, 2, student, pf_string(""));

    if (pf_host->db_scan(req, "outcomes", prefix, st_list_cb, &l) != PF_OK) {
        return pf_host->error(req, 503, "storage_unavailable",
                              "學習成果暫時無法讀取，請稍後再試");
    }

    pf_host->array_close(g);

    /* the limits of the student's school (a city admin's too) */
    school = user->school;

    if (!pf_same(student, user->id)) {
        school = pf_field(pf_host->user_get(req, student), "school");

        if (!pf_valid_id(school)) {
            school = user->school;
        }
    }

    per_term = pf_host->setting_number(req, school,
                                       "outcome_uploads_per_term");

    pf_host->key(g, "term");

    if (term.len) {
        pf_host->string(g, term);
        pf_host->key(g, "term_count");
        pf_host->number(g, l.term_count);

    } else {
        pf_host->null(g);
        pf_host->key(g, "term_count");
        pf_host->null(g);
    }

    pf_host->key(g, "term_limit");
    pf_host->number(g, per_term);
    pf_host->key(g, "subject_limit");
    pf_host->number(g, pf_host->setting_number(req, school,
                                               "outcome_uploads_per_subject"));

    if (term.len && pf_same(student, user->id)) {
        to = 0;
        pf_host->key(g, "upload_open");
        pf_host->boolean(g, pf_host->window_open(req, user->school, term,
                                                 "upload", &to));
        pf_host->key(g, "upload_until");

        if (to) {
            pf_host->number(g, to);
        } else {
            pf_host->null(g);
        }
    }

    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}


/* GET /outcomes?term=: the caller's own. */

int
st_list_mine(pf_req_t *req)
{
    return st_list(req, pf_host->user(req)->id);
}


/* GET /students/{student}/outcomes?term=: as the caller may see them. */

int
st_list_student(pf_req_t *req)
{
    pf_str_t  student;

    student = pf_host->param(req, "student");

    if (!pf_valid_id(student)) {
        return pf_host->error(req, 404, "not_found", "沒有這位學生");
    }

    return st_list(req, student);
}


/* GET /outcomes/{id} */

int
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

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "outcome");
    pfo_view(req, g, rec, text, acc == ST_REVIEW);
    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}
