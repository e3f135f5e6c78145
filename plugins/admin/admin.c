/*
 * admin -- school and city administration: windows (作業期間, SPEC AD3),
 * a student's change history (Q4) and the uncertified-outcome report
 * (AD4).
 *
 * Windows are settings (plugins/README.md): "school/<domain>/window/<term>/
 * <kind>", "city/window/<term>/<kind>" and "nation/window/<term>/<kind>",
 * each {"from": ms, "to": ms} (this plugin adds "updated" and "by"), kind
 * upload, certify or select.  An action is inside its window when every
 * level that sets one contains now (pf_window_open()).  A school's window
 * must lie inside the city's and the nation's for the same term and kind
 * when those are set, and the city's inside the nation's.  Nobody sets
 * the nation's through this API (the ministry's dates come in as
 * settings).
 *
 * Times are accepted as milliseconds since the epoch or as ISO 8601 text
 * with an offset ("2026-03-01T08:00:00+08:00", "…Z"); answers give both,
 * the text in Taiwan time (+08:00).
 */

#include <string.h>
#include <stdlib.h>

#include "portfolio_plugin.h"


static const pf_host_api_t  *host;

#define PF_HOST host
#include "../common/pf_common.h"
#include "../common/pf_time.h"



static const char *const  adm_kinds[] = { "upload", "certify", "select", NULL };


/* --- small checks --------------------------------------------------------- */

/* "113-1": an ROC year of 2 or 3 digits, "-", semester 1 or 2. */

static int
adm_valid_term(pf_str_t t)
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


static const char *
adm_kind(pf_str_t k)
{
    size_t  i;

    for (i = 0; adm_kinds[i]; i++) {
        if (pf_eq(k, adm_kinds[i])) {
            return adm_kinds[i];
        }
    }

    return NULL;
}





/*
 * A time in a body: a whole number of ms or ISO 8601 text.  Returns 0, or
 * the status of the error it set.
 */

static int
adm_time(pf_req_t *req, const pf_val_t *v, const char *name, int64_t *out)
{
    pf_str_t  s;

    switch (host->type(v)) {

    case PF_JSON_NUMBER:
        if (host->integer(v, out) != PF_OK || *out < 0 || *out > PF_MAX_MS) {
            return host->error(req, 422, "invalid_field",
                               "\"%s\" must be whole milliseconds since "
                               "1970 or an ISO 8601 time with an offset",
                               name);
        }

        return 0;

    case PF_JSON_STRING:
        s = host->str(v);

        if (!pf_iso_parse(s, out)) {
            return host->error(req, 422, "invalid_field",
                               "\"%s\" is not an ISO 8601 time with an "
                               "offset, such as 2026-03-01T08:00:00+08:00",
                               name);
        }

        return 0;

    default:
        return host->error(req, 422, "invalid_field",
                           "\"%s\" is required: milliseconds or an ISO 8601 "
                           "time such as 2026-03-01T08:00:00+08:00", name);
    }
}


/* --- window records -------------------------------------------------------- */

typedef struct {
    int               set;        /* the level has a record */
    int               valid;      /* ... with integer from and to */
    int64_t           from;
    int64_t           to;
    const pf_val_t   *rec;
} adm_window_t;


static void
adm_window_load(pf_req_t *req, pf_str_t key, adm_window_t *w)
{
    memset(w, 0, sizeof(*w));

    w->rec = pf_load(req, "settings", key);
    if (w->rec == NULL) {
        return;
    }

    w->set = 1;
    w->valid =
        host->integer(host->get(w->rec, "from"), &w->from) == PF_OK
        && host->integer(host->get(w->rec, "to"), &w->to) == PF_OK;
}


static pf_str_t
adm_school_key(pf_req_t *req, pf_str_t school, pf_str_t term, const char *k)
{
    return host->sprintf(req, "school/%.*s/window/%.*s/%s", (int) school.len,
                         school.data, (int) term.len, term.data, k);
}


static pf_str_t
adm_level_key(pf_req_t *req, const char *level, pf_str_t term, const char *k)
{
    return host->sprintf(req, "%s/window/%.*s/%s", level, (int) term.len,
                         term.data, k);
}


static void
adm_window_gen(pf_req_t *req, pf_gen_t *g, adm_window_t *w)
{
    if (!w->set) {
        host->null(g);
        return;
    }

    host->map_open(g);
    host->key(g, "from");
    host->number(g, w->from);
    host->key(g, "to");
    host->number(g, w->to);

    if (w->valid) {
        host->key(g, "from_iso");
        host->string(g, pf_iso_format(req, w->from));
        host->key(g, "to_iso");
        host->string(g, pf_iso_format(req, w->to));

    } else {
        host->key(g, "invalid");
        host->boolean(g, 1);
    }

    host->key(g, "updated");
    pf_copy_value(g, host->get(w->rec, "updated"));
    host->key(g, "by");
    pf_copy_value(g, host->get(w->rec, "by"));
    host->map_close(g);
}


/*
 * One kind's view: each level's window, the effective one (the
 * intersection of those set) and whether it is open now -- the rule of
 * pf_window_open(): at least one level set, every level set contains now.
 */

static void
adm_kind_gen(pf_req_t *req, pf_gen_t *g, const char *kind, pf_str_t school,
    pf_str_t term)
{
    int           i, n, set, open;
    int64_t       now, from, to;
    adm_window_t  w[3];

    static const char *const  names[] = { "school", "city", "nation" };

    now = host->now_ms(req);
    n = 0;

    if (school.len) {
        adm_window_load(req, adm_school_key(req, school, term, kind), &w[n++]);
    }

    adm_window_load(req, adm_level_key(req, "city", term, kind), &w[n++]);
    adm_window_load(req, adm_level_key(req, "nation", term, kind), &w[n++]);

    set = 0;
    open = 1;
    from = 0;
    to = 0;

    for (i = 0; i < n; i++) {
        if (!w[i].set) {
            continue;
        }

        set = 1;

        if (!w[i].valid) {
            open = 0;
            continue;
        }

        if (w[i].from > from) {
            from = w[i].from;
        }

        if (to == 0 || w[i].to < to) {
            to = w[i].to;
        }

        if (!(now >= w[i].from && now < w[i].to)) {
            open = 0;
        }
    }

    host->key(g, kind);
    host->map_open(g);

    for (i = 0; i < n; i++) {
        host->key(g, names[i + (school.len ? 0 : 1)]);
        adm_window_gen(req, g, &w[i]);
    }

    host->key(g, "from");

    if (set && to) {
        host->number(g, from);

    } else {
        host->null(g);
    }

    host->key(g, "to");

    if (set && to) {
        host->number(g, to);

    } else {
        host->null(g);
    }

    host->key(g, "open");
    host->boolean(g, set && open && from < to);
    host->map_close(g);
}


static int
adm_windows_reply(pf_req_t *req, pf_str_t school, pf_str_t term)
{
    size_t     i;
    pf_gen_t  *g;

    g = host->gen(req);
    host->map_open(g);

    if (school.len) {
        host->key(g, "school");
        host->string(g, school);
    }

    host->key(g, "term");
    host->string(g, term);
    host->key(g, "now");
    host->number(g, host->now_ms(req));
    host->key(g, "windows");
    host->map_open(g);

    for (i = 0; adm_kinds[i]; i++) {
        adm_kind_gen(req, g, adm_kinds[i], school, term);
    }

    host->map_close(g);
    host->map_close(g);

    return host->reply(req, 200, g);
}


/* {school} exists and {term} is well formed: 0, or the error's status. */

static int
adm_check_school_term(pf_req_t *req, pf_str_t school, pf_str_t term)
{
    pf_str_t  rec;

    if (school.len
        && (!pf_valid_id(school)
            || host->db_get(req, "schools", school, &rec) != PF_OK))
    {
        return host->error(req, 404, "not_found", "no such school");
    }

    if (!adm_valid_term(term)) {
        return host->error(req, 422, "invalid_field",
                           "the term must look like 113-1");
    }

    return 0;
}


/* GET /schools/{school}/terms/{term}/windows */

static int
adm_school_windows(pf_req_t *req)
{
    int       rc;
    pf_str_t  school, term;

    school = host->param(req, "school");
    term = host->param(req, "term");

    rc = adm_check_school_term(req, school, term);
    if (rc) {
        return rc;
    }

    return adm_windows_reply(req, school, term);
}


/* GET /city/terms/{term}/windows */

static int
adm_city_windows(pf_req_t *req)
{
    int       rc;
    pf_str_t  term;

    term = host->param(req, "term");

    rc = adm_check_school_term(req, pf_string(""), term);
    if (rc) {
        return rc;
    }

    return adm_windows_reply(req, pf_string(""), term);
}


/* The enclosing level's window must contain [from, to). */

static int
adm_nested(pf_req_t *req, pf_str_t key, const char *code, const char *level,
    int64_t from, int64_t to)
{
    adm_window_t  p;

    adm_window_load(req, key, &p);

    if (!p.set) {
        return 0;
    }

    if (!p.valid) {
        return host->error(req, 422, code, "the %s window is not valid; "
                           "fix it first", level);
    }

    if (from < p.from || to > p.to) {
        return host->error(req, 422, code,
                           "the window must lie inside the %s window, "
                           "%.*s to %.*s", level,
                           (int) pf_iso_format(req, p.from).len,
                           pf_iso_format(req, p.from).data,
                           (int) pf_iso_format(req, p.to).len,
                           pf_iso_format(req, p.to).data);
    }

    return 0;
}


static int
adm_audit(pf_req_t *req, pf_str_t subject, const char *action, pf_str_t term,
    const char *kind, int64_t from, int64_t to)
{
    pf_gen_t  *d;

    d = host->gen(req);
    host->map_open(d);
    host->key(d, "term");
    host->string(d, term);
    host->key(d, "kind");
    host->cstring(d, kind);

    if (to) {
        host->key(d, "from");
        host->number(d, from);
        host->key(d, "to");
        host->number(d, to);
    }

    host->map_close(d);

    return host->audit(req, subject, action, host->text(d));
}


/*
 * PUT /schools/{school}/terms/{term}/windows/{kind} and
 * PUT /city/terms/{term}/windows/{kind}: {"from", "to"}.
 */

static int
adm_window_put(pf_req_t *req)
{
    int               rc;
    int64_t           from, to;
    pf_str_t          school, term, key, subject;
    pf_gen_t         *g;
    const char       *kind;
    const pf_val_t   *body;

    school = host->param(req, "school");     /* empty on the city route */
    term = host->param(req, "term");

    rc = adm_check_school_term(req, school, term);
    if (rc) {
        return rc;
    }

    kind = adm_kind(host->param(req, "kind"));
    if (kind == NULL) {
        return host->error(req, 404, "not_found",
                           "windows are upload, certify or select");
    }

    body = host->body(req);

    if (host->type(body) != PF_JSON_OBJECT) {
        return host->error(req, 422, "invalid_field",
                           "send {\"from\": …, \"to\": …}");
    }

    rc = adm_time(req, host->get(body, "from"), "from", &from);
    if (rc) {
        return rc;
    }

    rc = adm_time(req, host->get(body, "to"), "to", &to);
    if (rc) {
        return rc;
    }

    if (from >= to) {
        return host->error(req, 422, "invalid_window",
                           "\"from\" must be before \"to\"");
    }

    if (school.len) {
        rc = adm_nested(req, adm_level_key(req, "city", term, kind),
                        "outside_city_window", "city", from, to);
        if (rc) {
            return rc;
        }
    }

    rc = adm_nested(req, adm_level_key(req, "nation", term, kind),
                    "outside_nation_window", "national", from, to);
    if (rc) {
        return rc;
    }

    if (school.len) {
        key = adm_school_key(req, school, term, kind);
        subject = host->sprintf(req, "school/%.*s", (int) school.len,
                                school.data);

    } else {
        key = adm_level_key(req, "city", term, kind);
        subject = pf_string("city");
    }

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "from");
    host->number(g, from);
    host->key(g, "to");
    host->number(g, to);
    host->key(g, "updated");
    host->number(g, host->now_ms(req));
    host->key(g, "by");
    host->string(g, host->user(req)->id);
    host->map_close(g);

    if (host->db_put(req, "settings", key, host->text(g)) != PF_OK
        || adm_audit(req, subject, "window.set", term, kind, from, to)
           != PF_OK)
    {
        return host->error(req, 503, "storage_unavailable",
                           "the window could not be stored");
    }

    return adm_windows_reply(req, school, term);
}


/* DELETE …/windows/{kind}: the level no longer sets this window. */

static int
adm_window_delete(pf_req_t *req)
{
    int          rc;
    pf_str_t     school, term, key, subject;
    const char  *kind;

    school = host->param(req, "school");
    term = host->param(req, "term");

    rc = adm_check_school_term(req, school, term);
    if (rc) {
        return rc;
    }

    kind = adm_kind(host->param(req, "kind"));
    if (kind == NULL) {
        return host->error(req, 404, "not_found",
                           "windows are upload, certify or select");
    }

    if (school.len) {
        key = adm_school_key(req, school, term, kind);
        subject = host->sprintf(req, "school/%.*s", (int) school.len,
                                school.data);

    } else {
        key = adm_level_key(req, "city", term, kind);
        subject = pf_string("city");
    }

    rc = host->db_del(req, "settings", key);

    if (rc == PF_NOT_FOUND) {
        return host->error(req, 404, "not_found",
                           "no %s window is set for %.*s", kind,
                           (int) term.len, term.data);
    }

    if (rc != PF_OK
        || adm_audit(req, subject, "window.deleted", term, kind, 0, 0)
           != PF_OK)
    {
        return host->error(req, 503, "storage_unavailable",
                           "the window could not be removed");
    }

    return adm_windows_reply(req, school, term);
}


/* --- GET /students/{student}/history (Q4) ---------------------------------- */

#define ADM_HISTORY_DEFAULT  1000
#define ADM_HISTORY_MAX      5000

typedef struct {
    pf_req_t   *req;
    pf_gen_t   *g;
    size_t      prefix_len;
    pf_str_t    after;
    int64_t     limit;
    int64_t     n;
    pf_str_t    next;
} adm_history_t;


static int
adm_history_cb(void *data, pf_str_t key, pf_str_t value)
{
    pf_str_t          id, by;
    adm_history_t    *h = data;
    const pf_val_t   *rec, *u;

    id.data = key.data + h->prefix_len;
    id.len = key.len - h->prefix_len;

    /* ids are the same length, so byte order is time order */
    if (h->after.len
        && (id.len < h->after.len
            || (id.len == h->after.len
                && memcmp(id.data, h->after.data, id.len) <= 0)))
    {
        return 0;
    }

    if (h->n == h->limit) {
        h->next = h->after;       /* more remain: the last id given */
        return 1;
    }

    rec = host->parse(h->req, value);
    if (rec == NULL) {
        return 0;
    }

    by = host->str(host->get(rec, "by"));
    u = pf_valid_id(by) ? pf_load(h->req, "users", by) : NULL;

    host->map_open(h->g);
    host->key(h->g, "id");
    host->string(h->g, id);
    host->key(h->g, "at");
    pf_copy_value(h->g, host->get(rec, "at"));
    host->key(h->g, "by");
    pf_copy_value(h->g, host->get(rec, "by"));
    host->key(h->g, "by_name");
    pf_copy_value(h->g, host->get(u, "name"));
    host->key(h->g, "action");
    pf_copy_value(h->g, host->get(rec, "action"));
    host->key(h->g, "detail");
    pf_copy_value(h->g, host->get(rec, "detail"));
    host->map_close(h->g);

    h->n++;
    h->after = id;

    return 0;
}


static int
adm_history(pf_req_t *req)
{
    char              buf[16];
    char             *end;
    pf_str_t          student, limit, prefix;
    pf_gen_t         *g;
    adm_history_t     h;
    const pf_val_t   *rec;
    const pf_user_t  *user;

    user = host->user(req);
    student = host->param(req, "student");

    rec = pf_valid_id(student) ? pf_load(req, "users", student) : NULL;
    if (rec == NULL) {
        return host->error(req, 404, "not_found", "no such student");
    }

    /* the scope lets related teachers through; this is for admins of the
       student's school (and the city) only */
    if (!(user->roles & PF_ROLE_CITY_ADMIN)
        && !((user->roles & PF_ROLE_SCHOOL_ADMIN)
             && pf_same(host->str(host->get(rec, "school")), user->school)))
    {
        return host->error(req, 403, "out_of_scope",
                           "only the administrators of the student's school");
    }

    memset(&h, 0, sizeof(h));
    h.req = req;
    h.limit = ADM_HISTORY_DEFAULT;
    h.after = host->arg(req, "after");

    if (h.after.len && !pf_valid_id(h.after)) {
        return host->error(req, 422, "invalid_field",
                           "after must be an id from an earlier answer");
    }

    limit = host->arg(req, "limit");

    if (limit.len) {
        if (limit.len >= sizeof(buf)) {
            goto bad_limit;
        }

        memcpy(buf, limit.data, limit.len);
        buf[limit.len] = '\0';
        h.limit = strtoll(buf, &end, 10);

        if (*end != '\0' || h.limit < 1 || h.limit > ADM_HISTORY_MAX) {
            goto bad_limit;
        }
    }

    prefix = pf_key(req, 2, student, pf_string(""));
    h.prefix_len = prefix.len;

    g = host->gen(req);
    h.g = g;

    host->map_open(g);
    host->key(g, "student");
    host->string(g, student);
    host->key(g, "name");
    pf_copy_value(g, host->get(rec, "name"));
    host->key(g, "history");
    host->array_open(g);

    if (host->db_scan(req, "audit", prefix, adm_history_cb, &h) != PF_OK) {
        return host->error(req, 503, "storage_unavailable",
                           "the history could not be read");
    }

    host->array_close(g);
    host->key(g, "next");

    if (h.next.len) {
        host->string(g, h.next);

    } else {
        host->null(g);
    }

    host->map_close(g);

    return host->reply(req, 200, g);

bad_limit:

    return host->error(req, 422, "invalid_field",
                       "limit must be 1 to %d", ADM_HISTORY_MAX);
}


/* --- GET /schools/{school}/reports/uncertified?term= (AD4) ----------------- */

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
        rec = pf_load(u->req, "users", u->reviewer);

        host->map_open(u->g);
        host->key(u->g, "teacher");
        host->string(u->g, u->reviewer);
        host->key(u->g, "name");
        pf_copy_value(u->g, host->get(rec, "name"));
        host->key(u->g, "waiting");
        host->number(u->g, u->undecided + u->unpublished);
        host->key(u->g, "undecided");
        host->number(u->g, u->undecided);
        host->key(u->g, "unpublished");
        host->number(u->g, u->unpublished);
        host->key(u->g, "oldest_submitted_at");

        if (u->oldest) {
            host->number(u->g, u->oldest);

        } else {
            host->null(u->g);
        }

        host->map_close(u->g);

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

    q = host->parse(u->req, value);
    student = host->str(host->get(q, "student"));

    if (!pf_valid_id(student) || !pf_valid_id(id)
        || (u->term.len && !pf_same(host->str(host->get(q, "term")), u->term)))
    {
        return 0;
    }

    rec = pf_load(u->req, "outcomes", pf_key(u->req, 2, student, id));
    if (rec == NULL) {
        return 0;
    }

    school = host->str(host->get(rec, "school"));

    if (!pf_same(school, u->school)
        || !pf_eq(host->str(host->get(rec, "status")), "pending"))
    {
        return 0;
    }

    decision = host->get(rec, "decision");

    if (host->type(decision) == PF_JSON_STRING && host->str(decision).len) {
        u->unpublished++;

    } else {
        u->undecided++;
    }

    if (host->integer(host->get(rec, "submitted_at"), &at) == PF_OK
        && at > 0 && (u->oldest == 0 || at < u->oldest))
    {
        u->oldest = at;
    }

    return 0;
}


static int
adm_uncertified(pf_req_t *req)
{
    pf_str_t       school, term, rec;
    pf_gen_t      *g;
    adm_uncert_t   u;

    school = host->param(req, "school");
    term = host->arg(req, "term");

    if (!pf_valid_id(school)
        || host->db_get(req, "schools", school, &rec) != PF_OK)
    {
        return host->error(req, 404, "not_found", "no such school");
    }

    if (term.len && !adm_valid_term(term)) {
        return host->error(req, 422, "invalid_field",
                           "term must look like 113-1");
    }

    memset(&u, 0, sizeof(u));
    u.req = req;
    u.school = school;
    u.term = term;

    g = host->gen(req);
    u.g = g;

    host->map_open(g);
    host->key(g, "school");
    host->string(g, school);
    host->key(g, "term");

    if (term.len) {
        host->string(g, term);

    } else {
        host->null(g);
    }

    host->key(g, "teachers");
    host->array_open(g);

    /* keyed reviewer␟id: each reviewer's outcomes come together */
    if (host->db_scan(req, "cert_queue", pf_string(""), adm_uncert_cb, &u)
        != PF_OK)
    {
        return host->error(req, 503, "storage_unavailable",
                           "the certification queue could not be read");
    }

    adm_uncert_flush(&u);

    host->array_close(g);
    host->key(g, "total_teachers");
    host->number(g, u.teachers);
    host->key(g, "total_outcomes");
    host->number(g, u.outcomes);
    host->map_close(g);

    return host->reply(req, 200, g);
}


#define ADM_ADMINS  (PF_ROLE_SCHOOL_ADMIN|PF_ROLE_CITY_ADMIN)

static const pf_route_t  adm_routes[] = {
    { "GET", "/schools/{school}/terms/{term}/windows", PF_ROLE_ANY,
      PF_SCOPE_SCHOOL, 0, adm_school_windows },
    { "PUT", "/schools/{school}/terms/{term}/windows/{kind}", ADM_ADMINS,
      PF_SCOPE_SCHOOL, PF_ROUTE_WRITE, adm_window_put },
    { "DELETE", "/schools/{school}/terms/{term}/windows/{kind}", ADM_ADMINS,
      PF_SCOPE_SCHOOL, PF_ROUTE_WRITE, adm_window_delete },

    { "GET", "/city/terms/{term}/windows", PF_ROLE_CITY_ADMIN,
      PF_SCOPE_CITY, 0, adm_city_windows },
    { "PUT", "/city/terms/{term}/windows/{kind}", PF_ROLE_CITY_ADMIN,
      PF_SCOPE_CITY, PF_ROUTE_WRITE, adm_window_put },
    { "DELETE", "/city/terms/{term}/windows/{kind}", PF_ROLE_CITY_ADMIN,
      PF_SCOPE_CITY, PF_ROUTE_WRITE, adm_window_delete },

    { "GET", "/students/{student}/history", ADM_ADMINS, PF_SCOPE_STUDENT, 0,
      adm_history },
    { "GET", "/schools/{school}/reports/uncertified", ADM_ADMINS,
      PF_SCOPE_SCHOOL, 0, adm_uncertified },
};

static const char *const  adm_dbs[] = { "outcomes", "cert_queue", NULL };

static const pf_plugin_t  adm_plugin = {
    PF_ABI_MAJOR, PF_ABI_MINOR, sizeof(pf_plugin_t),
    "admin", "0.1.0",
    adm_dbs,
    adm_routes, sizeof(adm_routes) / sizeof(adm_routes[0]),
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

    return &adm_plugin;
}
