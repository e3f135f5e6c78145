/*
 * admin_windows.c -- windows (作業期間, SPEC AD3): each level's window of
 * a term and kind, the one that applies, and setting the school's or the
 * city's inside those around it.
 */

#include <string.h>

#include "admin.h"
#include "pf_time.h"


/* --- window records ------------------------------------------------------ */

typedef struct {
    int               set;        /* the level has a record */
    int               valid;      /* ... with integer from and to */
    int64_t           from;
    int64_t           to;
    const pf_val_t   *rec;
} adm_window_t;


/* A window's setting name: "window/<term>/<kind>". */

static pf_str_t
adm_window_name(pf_req_t *req, pf_str_t term, const char *kind)
{
    return pf_host->sprintf(req, "window/%.*s/%s", PF_S(term), kind);
}


/* One level's own window (PF_LEVEL_SCHOOL with a school). */

static void
adm_window_load(pf_req_t *req, uint32_t level, pf_str_t school,
    pf_str_t term, const char *kind, adm_window_t *w)
{
    pf_str_t  value;

    memset(w, 0, sizeof(*w));

    value = pf_host->setting_at(req, level, school,
                                adm_window_name(req, term, kind));

    w->rec = value.data ? pf_host->parse(req, value) : NULL;
    if (w->rec == NULL) {
        return;
    }

    w->set = 1;
    w->valid =
        pf_host->integer(pf_host->get(w->rec, "from"), &w->from) == PF_OK
        && pf_host->integer(pf_host->get(w->rec, "to"), &w->to) == PF_OK;
}


static void
adm_window_gen(pf_req_t *req, pf_gen_t *g, adm_window_t *w)
{
    if (!w->set) {
        pf_host->null(g);
        return;
    }

    pf_host->map_open(g);
    pf_host->key(g, "from");
    pf_host->number(g, w->from);
    pf_host->key(g, "to");
    pf_host->number(g, w->to);

    if (w->valid) {
        pf_host->key(g, "from_iso");
        pf_host->string(g, pf_iso_format(req, w->from));
        pf_host->key(g, "to_iso");
        pf_host->string(g, pf_iso_format(req, w->to));

    } else {
        pf_host->key(g, "invalid");
        pf_host->boolean(g, 1);
    }

    pf_host->key(g, "updated");
    pf_copy_value(g, pf_host->get(w->rec, "updated"));
    pf_host->key(g, "by");
    pf_copy_value(g, pf_host->get(w->rec, "by"));
    pf_host->map_close(g);
}


/*
 * One kind's view: each level's window, the effective one (the
 * intersection of those set) and whether it is open now -- the rule of
 * the host's window_open(): at least one level set, every level set
 * contains now (worked out here for the city's view too, which has no
 * school level).
 */

static void
adm_kind_gen(pf_req_t *req, pf_gen_t *g, const char *kind, pf_str_t school,
    pf_str_t term)
{
    int           i, n, set, open;
    int64_t       now, from, to;
    adm_window_t  w[3];

    static const char *const  names[] = { "school", "city", "nation" };

    now = pf_host->now_ms(req);
    n = 0;

    if (school.len) {
        adm_window_load(req, PF_LEVEL_SCHOOL, school, term, kind, &w[n++]);
    }

    adm_window_load(req, PF_LEVEL_CITY, school, term, kind, &w[n++]);
    adm_window_load(req, PF_LEVEL_NATION, school, term, kind, &w[n++]);

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

    pf_host->key(g, kind);
    pf_host->map_open(g);

    for (i = 0; i < n; i++) {
        pf_host->key(g, names[i + (school.len ? 0 : 1)]);
        adm_window_gen(req, g, &w[i]);
    }

    pf_host->key(g, "from");

    if (set && to) {
        pf_host->number(g, from);

    } else {
        pf_host->null(g);
    }

    pf_host->key(g, "to");

    if (set && to) {
        pf_host->number(g, to);

    } else {
        pf_host->null(g);
    }

    pf_host->key(g, "open");
    pf_host->boolean(g, set && open && from < to);
    pf_host->map_close(g);
}


static int
adm_windows_reply(pf_req_t *req, pf_str_t school, pf_str_t term)
{
    size_t     i;
    pf_gen_t  *g;

    g = pf_host->gen(req);
    pf_host->map_open(g);

    if (school.len) {
        pf_host->key(g, "school");
        pf_host->string(g, school);
    }

    pf_host->key(g, "term");
    pf_host->string(g, term);
    pf_host->key(g, "now");
    pf_host->number(g, pf_host->now_ms(req));
    pf_host->key(g, "windows");
    pf_host->map_open(g);

    for (i = 0; adm_kinds[i]; i++) {
        adm_kind_gen(req, g, adm_kinds[i], school, term);
    }

    pf_host->map_close(g);
    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}


/* {school} exists and {term} is well formed: 0, or the error's status. */

static int
adm_check_school_term(pf_req_t *req, pf_str_t school, pf_str_t term)
{
    int  rc;

    if (school.len) {
        rc = pf_school_exists(req, school);
        if (rc) {
            return rc;
        }
    }

    if (!pf_valid_term(term)) {
        return pf_host->error(req, 422, "invalid_field",
                              "學期格式不正確，請用「學年度-學期」，"
                              "例如 115-1");
    }

    return 0;
}


/* GET /schools/{school}/terms/{term}/windows */

int
adm_school_windows(pf_req_t *req)
{
    int       rc;
    pf_str_t  school, term;

    school = pf_host->param(req, "school");
    term = pf_host->param(req, "term");

    rc = adm_check_school_term(req, school, term);
    if (rc) {
        return rc;
    }

    return adm_windows_reply(req, school, term);
}


/* GET /city/terms/{term}/windows */

int
adm_city_windows(pf_req_t *req)
{
    int       rc;
    pf_str_t  term;

    term = pf_host->param(req, "term");

    rc = adm_check_school_term(req, pf_string(""), term);
    if (rc) {
        return rc;
    }

    return adm_windows_reply(req, pf_string(""), term);
}


/* The window a PUT or DELETE names: the school's, or the city's. */

typedef struct {
    pf_str_t      school;       /* empty on the city routes */
    pf_str_t      term;
    const char   *kind;
    uint32_t      level;
    pf_str_t      name;         /* window/<term>/<kind> */
    pf_str_t      subject;      /* of the audit entry */
} adm_target_t;


static int
adm_target(pf_req_t *req, adm_target_t *t)
{
    int  rc;

    t->school = pf_host->param(req, "school");
    t->term = pf_host->param(req, "term");

    rc = adm_check_school_term(req, t->school, t->term);
    if (rc) {
        return rc;
    }

    t->kind = adm_kind(pf_host->param(req, "kind"));
    if (t->kind == NULL) {
        return pf_host->error(req, 404, "not_found",
                              "沒有這種作業期間：只有 upload（上傳）、"
                              "certify（認證）、select（勾選）");
    }

    t->name = adm_window_name(req, t->term, t->kind);

    if (t->school.len) {
        t->level = PF_LEVEL_SCHOOL;
        t->subject = pf_school_subject(req, t->school);

    } else {
        t->level = PF_LEVEL_CITY;
        t->subject = pf_string("city");
    }

    return 0;
}


/* The enclosing level's window must contain [from, to). */

static int
adm_nested(pf_req_t *req, adm_target_t *t, uint32_t level, const char *code,
    const char *name, int64_t from, int64_t to)
{
    pf_str_t      a, b;
    adm_window_t  p;

    adm_window_load(req, level, t->school, t->term, t->kind, &p);

    if (!p.set) {
        return 0;
    }

    if (!p.valid) {
        return pf_host->error(req, 422, code,
                              "%s設定的%s期間不正確，請先修正它", name,
                              adm_kind_words(t->kind));
    }

    if (from < p.from || to > p.to) {
        a = pf_tw_minutes(req, p.from);
        b = pf_tw_minutes(req, p.to);

        return pf_host->error(req, 422, code,
                              "作業期間必須在%s設定的%s期間之內："
                              "%.*s 到 %.*s（臺灣時間）", name,
                              adm_kind_words(t->kind), PF_S(a), PF_S(b));
    }

    return 0;
}


static int
adm_audit(pf_req_t *req, adm_target_t *t, const char *action, int64_t from,
    int64_t to)
{
    pf_gen_t  *d;

    d = pf_host->gen(req);
    pf_host->map_open(d);
    pf_host->key(d, "term");
    pf_host->string(d, t->term);
    pf_host->key(d, "kind");
    pf_host->cstring(d, t->kind);

    if (to) {
        pf_host->key(d, "from");
        pf_host->number(d, from);
        pf_host->key(d, "to");
        pf_host->number(d, to);
    }

    pf_host->map_close(d);

    return pf_host->audit(req, t->subject, action, pf_host->text(d));
}


/*
 * PUT /schools/{school}/terms/{term}/windows/{kind} and
 * PUT /city/terms/{term}/windows/{kind}: {"from", "to"}, each whole
 * milliseconds or ISO 8601 text.
 */

int
adm_window_put(pf_req_t *req)
{
    int               rc;
    int64_t           from, to;
    pf_gen_t         *g;
    adm_target_t      t;
    const pf_val_t   *body;

    rc = adm_target(req, &t);
    if (rc) {
        return rc;
    }

    body = pf_host->body(req);

    if (pf_host->type(body) != PF_JSON_OBJECT) {
        return pf_host->error(req, 422, "invalid_field",
                              "請送出作業期間：{\"from\": 開始時間, \"to\": "
                              "結束時間}");
    }

    rc = pf_time_field(req, pf_host->get(body, "from"), "from", &from);
    if (rc) {
        return rc;
    }

    rc = pf_time_field(req, pf_host->get(body, "to"), "to", &to);
    if (rc) {
        return rc;
    }

    if (from >= to) {
        return pf_host->error(req, 422, "invalid_window",
                              "開始時間（from）必須早於結束時間（to）");
    }

    if (t.school.len) {
        rc = adm_nested(req, &t, PF_LEVEL_CITY, "outside_city_window",
                        "臺北市", from, to);
        if (rc) {
            return rc;
        }
    }

    rc = adm_nested(req, &t, PF_LEVEL_NATION, "outside_nation_window",
                    "國教署", from, to);
    if (rc) {
        return rc;
    }

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "from");
    pf_host->number(g, from);
    pf_host->key(g, "to");
    pf_host->number(g, to);
    pf_host->key(g, "updated");
    pf_host->number(g, pf_host->now_ms(req));
    pf_host->key(g, "by");
    pf_host->string(g, pf_host->user(req)->id);
    pf_host->map_close(g);

    rc = pf_host->setting_put(req, t.level, t.school, t.name,
                              pf_host->text(g));

    if (rc != PF_OK && rc != PF_ERROR) {
        /* the declaration refused what was checked here: a bug */
        pf_host->log(req, PF_LOG_ERR, "admin: the host refused window %.*s "
                     "(%d)", PF_S(t.name), rc);
    }

    if (rc != PF_OK || adm_audit(req, &t, "window.set", from, to) != PF_OK) {
        return pf_host->error(req, 503, "storage_unavailable",
                              "作業期間沒有儲存成功，請稍候再試");
    }

    return adm_windows_reply(req, t.school, t.term);
}


/* DELETE …/windows/{kind}: the level no longer sets this window. */

int
adm_window_delete(pf_req_t *req)
{
    int           rc;
    adm_target_t  t;

    rc = adm_target(req, &t);
    if (rc) {
        return rc;
    }

    rc = pf_host->setting_del(req, t.level, t.school, t.name);

    if (rc == PF_NOT_FOUND) {
        return pf_host->error(req, 404, "not_found",
                              "%.*s 學期沒有設定%s的作業期間",
                              PF_S(t.term), adm_kind_words(t.kind));
    }

    if (rc != PF_OK || adm_audit(req, &t, "window.deleted", 0, 0) != PF_OK) {
        return pf_host->error(req, 503, "storage_unavailable",
                              "作業期間沒有刪除成功，請稍候再試");
    }

    return adm_windows_reply(req, t.school, t.term);
}
