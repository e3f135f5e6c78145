/*
 * accounts -- a school's accounts: role grants (SPEC A5, AD1) and
 * temporary accounts (A3), for the school's administrators and the city's.
 *
 * Role grants rewrite the core "users" record's "roles" and keep every
 * other field as it is ("pw" and "must_change" above all).  The core loads
 * the user record on every request, so a grant or a revoke takes effect on
 * the user's very next request, in the sessions they already have.
 *
 *   grantable here    counselor consultant outcome_submitter
 *                     performance_submitter standin university
 *                     school_admin
 *   from the import   teacher homeroom course_teacher      (422 role_from_sis)
 *   never granted     student parent city_admin        (422 role_not_grantable)
 *
 * Staff roles go to staff: an account holding "student" or "parent" gets
 * none (422 not_staff).  An administrator cannot revoke their own
 * school_admin (409 own_admin_role), so a school always keeps the one who
 * is acting.  The SIS import only ever adds roles, so a re-import keeps
 * the grants (and re-adds a revoked counselor it derives from its data).
 *
 * Temporary accounts (臨時帳號) are students' accounts named
 * "<school>tmp<NNN>" (zlshtmp001, zlshtmp002, ...; numbers are never
 * reused), with a random initial password shown once, that must be
 * changed at first sign-in, and an "expires" (ms) the core honours: after
 * it the account cannot sign in (403 account_expired) and its sessions end
 * (401).  Disabling sets "disabled": true, which the core honours the same
 * way (403 account_disabled).  Fields this plugin adds to the user record:
 *
 *   "expires": ms, "disabled": true, "disabled_at": ms, "disabled_by",
 *   "temporary": {"reason", "note"?, "student"?}, "updated", "by"
 *
 * Every change is audited under "school/<domain>" and under the account
 * (and, for a temporary account issued for a student, under the student).
 */

#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "portfolio_plugin.h"


static const pf_host_api_t  *host;

#define PF_HOST host
#include "../common/pf_common.h"
#include "../common/pf_time.h"


#define ACC_ADMINS          (PF_ROLE_SCHOOL_ADMIN|PF_ROLE_CITY_ADMIN)

#define ACC_LIST_DEFAULT    1000
#define ACC_LIST_MAX        5000
#define ACC_TMP_MAX_DAYS    365          /* "temporary_account_max_days" */
#define ACC_DAY_MS          86400000LL
#define ACC_NAME_MAX        50           /* characters */
#define ACC_NOTE_MAX        200          /* characters */
#define ACC_PW_GROUPS       3
#define ACC_PW_GROUP_LEN    4



/* --- roles ---------------------------------------------------------------- */

#define ACC_GRANT   0        /* the school admin grants and revokes it */
#define ACC_SIS     1        /* comes from the school data import */
#define ACC_FIXED   2        /* what the account is; never granted */

typedef struct {
    const char  *name;
    uint32_t     bit;
    int          kind;
} acc_role_t;

/* the names the core reads from "roles" (ngx_http_portfolio_session.c) */
static const acc_role_t  acc_roles[] = {
    { "student",               PF_ROLE_STUDENT,           ACC_FIXED },
    { "teacher",               PF_ROLE_TEACHER,           ACC_SIS },
    { "homeroom",              PF_ROLE_HOMEROOM,          ACC_SIS },
    { "course_teacher",        PF_ROLE_COURSE_TEACHER,    ACC_SIS },
    { "counselor",             PF_ROLE_COUNSELOR,         ACC_GRANT },
    { "consultant",            PF_ROLE_CONSULTANT,        ACC_GRANT },
    { "outcome_submitter",     PF_ROLE_OUTCOME_SUBMITTER, ACC_GRANT },
    { "performance_submitter", PF_ROLE_PERF_SUBMITTER,    ACC_GRANT },
    { "school_admin",          PF_ROLE_SCHOOL_ADMIN,      ACC_GRANT },
    { "city_admin",            PF_ROLE_CITY_ADMIN,        ACC_FIXED },
    { "parent",                PF_ROLE_PARENT,            ACC_FIXED },
    { "university",            PF_ROLE_UNIVERSITY,        ACC_GRANT },
    { "standin",               PF_ROLE_STANDIN,           ACC_GRANT },
    { NULL, 0, 0 }
};

static const char *const  acc_reasons[] = {
    "on_leave", "transferred", "other", NULL
};


static const acc_role_t *
acc_role_find(pf_str_t name)
{
    size_t  i;

    for (i = 0; acc_roles[i].name; i++) {
        if (pf_eq(name, acc_roles[i].name)) {
            return &acc_roles[i];
        }
    }

    return NULL;
}


static int
acc_has_role(const pf_val_t *rec, const char *role)
{
    size_t           i, n;
    const pf_val_t  *roles;

    roles = host->get(rec, "roles");

    if (host->type(roles) != PF_JSON_ARRAY) {
        return 0;
    }

    n = host->count(roles);

    for (i = 0; i < n; i++) {
        if (pf_eq(host->str(host->at(roles, i)), role)) {
            return 1;
        }
    }

    return 0;
}


/* --- small checks --------------------------------------------------------- */

static int
acc_school_exists(pf_req_t *req, pf_str_t school)
{
    pf_str_t  rec;

    return pf_valid_id(school)
           && host->db_get(req, "schools", school, &rec) == PF_OK;
}


/*
 * The account {id} of {school}, parsed; NULL (and a 404 set in *status)
 * when there is no such account in that school.  Another school's account
 * is "not found" here too: the path names the school.
 */

static const pf_val_t *
acc_load_in_school(pf_req_t *req, pf_str_t school, pf_str_t id, int *status)
{
    const pf_val_t  *rec;

    rec = pf_valid_id(id) ? pf_load(req, "users", id) : NULL;

    if (rec == NULL || !pf_same(host->str(host->get(rec, "school")), school))
    {
        *status = host->error(req, 404, "not_found",
                              "no account \"%.*s\" in this school",
                              (int) (id.len > 64 ? 64 : id.len), id.data);
        return NULL;
    }

    return rec;
}


static int
acc_is_true(const pf_val_t *v)
{
    return host->type(v) == PF_JSON_TRUE;
}


/* A whole number from a query argument, or -1. */

static int64_t
acc_arg_int(pf_str_t s)
{
    char   buf[24];
    char  *end;
    long long n;

    if (s.len == 0 || s.len >= sizeof(buf)) {
        return -1;
    }

    memcpy(buf, s.data, s.len);
    buf[s.len] = '\0';
    n = strtoll(buf, &end, 10);

    return (*end != '\0' || end == buf || n < 0) ? -1 : (int64_t) n;
}


/* Case-insensitive (ASCII) byte search; an empty needle matches. */

static int
acc_contains(pf_str_t hay, pf_str_t needle, int fold)
{
    size_t  i, k;
    char    a, b;

    if (needle.len == 0) {
        return 1;
    }

    for (i = 0; i + needle.len <= hay.len; i++) {
        for (k = 0; k < needle.len; k++) {
            a = hay.data[i + k];
            b = needle.data[k];

            if (fold) {
                if (a >= 'A' && a <= 'Z') {
                    a += 'a' - 'A';
                }

                if (b >= 'A' && b <= 'Z') {
                    b += 'a' - 'A';
                }
            }

            if (a != b) {
                break;
            }
        }

        if (k == needle.len) {
            return 1;
        }
    }

    return 0;
}


/*
 * "expires" of a body: ms or ISO 8601, in the future and at most
 * temporary_account_max_days (setting; default 365) from now.  Returns 0,
 * or the status of the error it set.
 */

static int
acc_expiry(pf_req_t *req, pf_str_t school, const pf_val_t *v, int64_t *out)
{
    int64_t  now, days;

    switch (host->type(v)) {

    case PF_JSON_NUMBER:
        if (host->integer(v, out) != PF_OK || *out < 0 || *out > PF_MAX_MS) {
            return host->error(req, 422, "invalid_field",
                               "\"expires\" must be whole milliseconds "
                               "since 1970 or an ISO 8601 time with an "
                               "offset");
        }

        break;

    case PF_JSON_STRING:
        if (!pf_iso_parse(host->str(v), out)) {
            return host->error(req, 422, "invalid_field",
                               "\"expires\" is not an ISO 8601 time with an "
                               "offset, such as 2026-03-01T08:00:00+08:00");
        }

        break;

    default:
        return host->error(req, 422, "invalid_field",
                           "\"expires\" is required: milliseconds or an ISO "
                           "8601 time such as 2026-03-01T08:00:00+08:00");
    }

    now = host->now_ms(req);
    days = host->setting_int_in(req, school, "temporary_account_max_days",
                                ACC_TMP_MAX_DAYS);

    if (days < 1 || days > 3660) {
        days = ACC_TMP_MAX_DAYS;
    }

    if (*out <= now) {
        return host->error(req, 422, "invalid_expiry",
                           "\"expires\" must be in the future");
    }

    if (*out - now > days * ACC_DAY_MS) {
        return host->error(req, 422, "invalid_expiry",
                           "a temporary account lasts at most %lld days",
                           (long long) days);
    }

    return 0;
}


/* --- the account as administrators see it ---------------------------------- */

static const char *
acc_state(pf_req_t *req, const pf_val_t *rec)
{
    int64_t  expires;

    if (acc_is_true(host->get(rec, "disabled"))) {
        return "disabled";
    }

    if (host->integer(host->get(rec, "expires"), &expires) == PF_OK
        && expires <= host->now_ms(req))
    {
        return "expired";
    }

    return "active";
}


static void
acc_copy_or_null(pf_gen_t *g, const pf_val_t *v)
{
    if (v == NULL) {
        host->null(g);

    } else {
        pf_copy_value(g, v);
    }
}


/* Never "pw": what a list shows of an account. */

static void
acc_gen_account(pf_req_t *req, pf_gen_t *g, const pf_val_t *rec)
{
    int64_t          expires;
    const pf_val_t  *tmp, *roles;

    host->map_open(g);
    host->key(g, "id");
    acc_copy_or_null(g, host->get(rec, "id"));
    host->key(g, "name");
    acc_copy_or_null(g, host->get(rec, "name"));
    host->key(g, "school");
    acc_copy_or_null(g, host->get(rec, "school"));
    host->key(g, "roles");

    roles = host->get(rec, "roles");

    if (host->type(roles) == PF_JSON_ARRAY) {
        pf_copy_value(g, roles);

    } else {
        host->array_open(g);
        host->array_close(g);
    }

    host->key(g, "class");
    acc_copy_or_null(g, host->get(rec, "class"));
    host->key(g, "state");
    host->cstring(g, acc_state(req, rec));
    host->key(g, "disabled");
    host->boolean(g, acc_is_true(host->get(rec, "disabled")));
    host->key(g, "must_change_password");
    host->boolean(g, acc_is_true(host->get(rec, "must_change")));
    host->key(g, "expires");

    if (host->integer(host->get(rec, "expires"), &expires) == PF_OK) {
        host->number(g, expires);
        host->key(g, "expires_iso");
        host->string(g, pf_iso_format(req, expires));

    } else {
        host->null(g);
    }

    host->key(g, "temporary");
    tmp = host->get(rec, "temporary");

    if (host->type(tmp) == PF_JSON_OBJECT) {
        host->map_open(g);
        host->key(g, "reason");
        acc_copy_or_null(g, host->get(tmp, "reason"));
        host->key(g, "note");
        acc_copy_or_null(g, host->get(tmp, "note"));
        host->key(g, "student");
        acc_copy_or_null(g, host->get(tmp, "student"));
        host->map_close(g);

    } else {
        host->null(g);
    }

    if (host->get(rec, "disabled_at")) {
        host->key(g, "disabled_at");
        pf_copy_value(g, host->get(rec, "disabled_at"));
        host->key(g, "disabled_by");
        acc_copy_or_null(g, host->get(rec, "disabled_by"));
    }

    host->key(g, "created");
    acc_copy_or_null(g, host->get(rec, "created"));
    host->key(g, "updated");
    acc_copy_or_null(g, host->get(rec, "updated"));
    host->key(g, "by");
    acc_copy_or_null(g, host->get(rec, "by"));
    host->map_close(g);
}


static int
acc_reply_account(pf_req_t *req, int status, const pf_val_t *rec,
    int changed)
{
    pf_gen_t  *g;

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "account");
    acc_gen_account(req, g, rec);

    if (changed >= 0) {
        host->key(g, "changed");
        host->boolean(g, changed);
    }

    host->map_close(g);

    return host->reply(req, status, g);
}


/*
 * Writes the user record again: every field of rec except those in skip
 * (and "updated"/"by"), then what extra() adds, then "updated" and "by".
 * On success *out is the new record, parsed (a copy: it outlives writes).
 */

typedef void (*acc_extra_pt)(pf_req_t *req, pf_gen_t *g, void *data);

static int
acc_put_user(pf_req_t *req, pf_str_t id, const pf_val_t *rec,
    const char *const *skip, acc_extra_pt extra, void *data,
    const pf_val_t **out)
{
    size_t             i, n;
    pf_str_t           name, text;
    pf_gen_t          *g;

    g = host->gen(req);
    host->map_open(g);

    n = host->count(rec);

    for (i = 0; i < n; i++) {
        name = host->key_at(rec, i);

        if (pf_eq(name, "updated") || pf_eq(name, "by")) {
            continue;
        }

        if (skip) {
            size_t  k;

            for (k = 0; skip[k]; k++) {
                if (pf_eq(name, skip[k])) {
                    break;
                }
            }

            if (skip[k]) {
                continue;
            }
        }

        host->string(g, name);
        pf_copy_value(g, host->at(rec, i));
    }

    extra(req, g, data);

    host->key(g, "updated");
    host->number(g, host->now_ms(req));
    host->key(g, "by");
    host->string(g, host->user(req)->id);
    host->map_close(g);

    text = host->text(g);

    if (text.len == 0 || host->db_put(req, "users", id, text) != PF_OK) {
        return PF_ERROR;
    }

    *out = host->parse(req, text);

    return *out ? PF_OK : PF_ERROR;
}


/* Audit under each non-empty subject: the school, the account, ... */

static int
acc_audit(pf_req_t *req, pf_str_t school, pf_str_t account, pf_str_t other,
    const char *action, pf_str_t detail)
{
    if (host->audit(req, host->sprintf(req, "school/%.*s", (int) school.len,
                                       school.data),
                    action, detail) != PF_OK
        || host->audit(req, account, action, detail) != PF_OK
        || (other.len && host->audit(req, other, action, detail) != PF_OK))
    {
        return PF_ERROR;
    }

    return PF_OK;
}


/* --- GET /schools/{school}/accounts?role=&q=&limit=&after= ----------------- */

typedef struct {
    pf_req_t          *req;
    pf_gen_t          *g;
    pf_str_t           school;
    pf_str_t           quoted;      /* "\"zlsh\"": a cheap first filter */
    const char        *role;
    pf_str_t           q;
    pf_str_t           after;
    int64_t            limit;
    int64_t            n;
    pf_str_t           last;
    pf_str_t           next;
    int                temporary;   /* only temporary accounts */
    const char        *state;       /* only in this state */
} acc_list_t;


static int
acc_list_cb(void *data, pf_str_t key, pf_str_t value)
{
    size_t            len;
    acc_list_t       *l = data;
    const pf_val_t   *rec;

    if (!acc_contains(value, l->quoted, 0)) {
        return 0;
    }

    if (l->after.len) {
        len = key.len < l->after.len ? key.len : l->after.len;

        if (memcmp(key.data, l->after.data, len) < 0
            || (memcmp(key.data, l->after.data, len) == 0
                && key.len <= l->after.len))
        {
            return 0;
        }
    }

    rec = host->parse(l->req, value);

    if (rec == NULL
        || !pf_same(host->str(host->get(rec, "school")), l->school)
        || (l->role && !acc_has_role(rec, l->role))
        || (l->temporary
            && host->type(host->get(rec, "temporary")) != PF_JSON_OBJECT)
        || (l->state && strcmp(acc_state(l->req, rec), l->state) != 0))
    {
        return 0;
    }

    if (l->q.len
        && !acc_contains(key, l->q, 1)
        && !acc_contains(host->str(host->get(rec, "name")), l->q, 1))
    {
        return 0;
    }

    if (l->n == l->limit) {
        l->next = l->last;          /* more remain */
        return 1;
    }

    acc_gen_account(l->req, l->g, rec);
    l->n++;
    l->last = key;

    return 0;
}


static int
acc_list_run(pf_req_t *req, acc_list_t *l, pf_str_t prefix)
{
    pf_str_t  limit;
    pf_gen_t *g;

    l->req = req;
    l->limit = ACC_LIST_DEFAULT;
    l->after = host->arg(req, "after");
    l->q = host->arg(req, "q");

    if (l->after.len && !pf_valid_id(l->after)) {
        return host->error(req, 422, "invalid_field",
                           "after must be an account id from an earlier "
                           "answer");
    }

    if (l->q.len > 64) {
        return host->error(req, 422, "invalid_field",
                           "q is at most 64 bytes");
    }

    limit = host->arg(req, "limit");

    if (limit.len) {
        l->limit = acc_arg_int(limit);

        if (l->limit < 1 || l->limit > ACC_LIST_MAX) {
            return host->error(req, 422, "invalid_field",
                               "limit must be 1 to %d", ACC_LIST_MAX);
        }
    }

    l->quoted = host->sprintf(req, "\"%.*s\"", (int) l->school.len,
                              l->school.data);

    g = host->gen(req);
    l->g = g;

    host->map_open(g);
    host->key(g, "school");
    host->string(g, l->school);
    host->key(g, "now");
    host->number(g, host->now_ms(req));
    host->key(g, "accounts");
    host->array_open(g);

    if (host->db_scan(req, "users", prefix, acc_list_cb, l) != PF_OK) {
        return host->error(req, 503, "storage_unavailable",
                           "the accounts could not be read");
    }

    host->array_close(g);
    host->key(g, "count");
    host->number(g, l->n);
    host->key(g, "next");

    if (l->next.len) {
        host->string(g, l->next);

    } else {
        host->null(g);
    }

    host->map_close(g);

    return host->reply(req, 200, g);
}


static int
acc_list(pf_req_t *req)
{
    pf_str_t            role;
    acc_list_t          l;
    const acc_role_t   *r;

    memset(&l, 0, sizeof(l));
    l.school = host->param(req, "school");

    if (!acc_school_exists(req, l.school)) {
        return host->error(req, 404, "not_found", "no such school");
    }

    role = host->arg(req, "role");

    if (role.len) {
        r = acc_role_find(role);
        if (r == NULL) {
            return host->error(req, 422, "invalid_field",
                               "no role named \"%.*s\"",
                               (int) (role.len > 64 ? 64 : role.len),
                               role.data);
        }

        l.role = r->name;
    }

    /* accounts are not all named after the school (parents: e-mail) */
    return acc_list_run(req, &l, pf_string(""));
}


/* GET /schools/{school}/accounts/{account} */

static int
acc_get(pf_req_t *req)
{
    int               status;
    pf_str_t          school;
    const pf_val_t   *rec;

    school = host->param(req, "school");

    if (!acc_school_exists(req, school)) {
        return host->error(req, 404, "not_found", "no such school");
    }

    rec = acc_load_in_school(req, school, host->param(req, "account"),
                             &status);
    if (rec == NULL) {
        return status;
    }

    return acc_reply_account(req, 200, rec, -1);
}


/* --- PUT and DELETE /schools/{school}/accounts/{account}/roles/{role} ------ */

typedef struct {
    const pf_val_t    *rec;
    const char        *role;
    int                grant;
} acc_roles_t;


static void
acc_roles_extra(pf_req_t *req, pf_gen_t *g, void *data)
{
    size_t            i, n;
    pf_str_t          s;
    acc_roles_t      *c = data;
    const pf_val_t   *roles;

    roles = host->get(c->rec, "roles");
    n = host->type(roles) == PF_JSON_ARRAY ? host->count(roles) : 0;

    host->key(g, "roles");
    host->array_open(g);

    for (i = 0; i < n; i++) {
        s = host->str(host->at(roles, i));

        if (!c->grant && pf_eq(s, c->role)) {
            continue;
        }

        pf_copy_value(g, host->at(roles, i));
    }

    if (c->grant) {
        host->cstring(g, c->role);
    }

    host->array_close(g);
}


static int
acc_role_change(pf_req_t *req, int grant)
{
    int                 status;
    pf_str_t            school, id, name, detail;
    pf_gen_t           *d;
    acc_roles_t         c;
    const pf_val_t     *rec, *saved;
    const pf_user_t    *user;
    const acc_role_t   *role;

    static const char *const  skip[] = { "roles", NULL };

    user = host->user(req);
    school = host->param(req, "school");
    id = host->param(req, "account");
    name = host->param(req, "role");

    if (!acc_school_exists(req, school)) {
        return host->error(req, 404, "not_found", "no such school");
    }

    role = acc_role_find(name);

    if (role == NULL) {
        return host->error(req, 404, "unknown_role",
                           "no role named \"%.*s\"",
                           (int) (name.len > 64 ? 64 : name.len), name.data);
    }

    if (role->kind == ACC_SIS) {
        return host->error(req, 422, "role_from_sis",
                           "\"%s\" comes from the school data import, not "
                           "from a grant", role->name);
    }

    if (role->kind == ACC_FIXED) {
        return host->error(req, 422, "role_not_grantable",
                           "\"%s\" is what an account is; it is not "
                           "granted", role->name);
    }

    rec = acc_load_in_school(req, school, id, &status);
    if (rec == NULL) {
        return status;
    }

    if (grant && (acc_has_role(rec, "student") || acc_has_role(rec, "parent")))
    {
        return host->error(req, 422, "not_staff",
                           "\"%s\" is for staff; this is a student's or a "
                           "parent's account", role->name);
    }

    if (!grant && role->bit == PF_ROLE_SCHOOL_ADMIN && pf_same(id, user->id)) {
        return host->error(req, 409, "own_admin_role",
                           "you cannot revoke your own school_admin; ask "
                           "another administrator");
    }

    if (acc_has_role(rec, role->name) == grant) {
        return acc_reply_account(req, 200, rec, 0);      /* as asked */
    }

    c.rec = rec;
    c.role = role->name;
    c.grant = grant;

    if (acc_put_user(req, id, rec, skip, acc_roles_extra, &c, &saved)
        != PF_OK)
    {
        return host->error(req, 503, "storage_unavailable",
                           "the roles could not be stored");
    }

    d = host->gen(req);
    host->map_open(d);
    host->key(d, "account");
    host->string(d, id);
    host->key(d, "role");
    host->cstring(d, role->name);
    host->key(d, "roles");
    pf_copy_value(d, host->get(saved, "roles"));
    host->map_close(d);
    detail = host->text(d);

    if (acc_audit(req, school, id, pf_string(""),
                  grant ? "role.granted" : "role.revoked", detail)
        != PF_OK)
    {
        return host->error(req, 503, "storage_unavailable",
                           "the change could not be recorded");
    }

    return acc_reply_account(req, 200, saved, 1);
}


static int
acc_grant(pf_req_t *req)
{
    return acc_role_change(req, 1);
}


static int
acc_revoke(pf_req_t *req)
{
    return acc_role_change(req, 0);
}


/* --- temporary accounts (A3) ----------------------------------------------- */

/* GET /schools/{school}/temporary-accounts?state=&q=&limit=&after= */

static int
tmp_list(pf_req_t *req)
{
    pf_str_t     state;
    acc_list_t   l;

    memset(&l, 0, sizeof(l));
    l.school = host->param(req, "school");
    l.temporary = 1;

    if (!acc_school_exists(req, l.school)) {
        return host->error(req, 404, "not_found", "no such school");
    }

    state = host->arg(req, "state");

    if (state.len) {
        if (pf_eq(state, "active")) {
            l.state = "active";

        } else if (pf_eq(state, "expired")) {
            l.state = "expired";

        } else if (pf_eq(state, "disabled")) {
            l.state = "disabled";

        } else {
            return host->error(req, 422, "invalid_field",
                               "state is active, expired or disabled");
        }
    }

    return acc_list_run(req, &l, host->sprintf(req, "%.*stmp",
                                               (int) l.school.len,
                                               l.school.data));
}


/* The highest NNN of "<school>tmp<NNN>" accounts of the school. */

typedef struct {
    pf_req_t   *req;
    size_t      prefix_len;
    pf_str_t    quoted;
    int64_t     max;
} tmp_seq_t;


static int
tmp_seq_cb(void *data, pf_str_t key, pf_str_t value)
{
    size_t      i;
    int64_t     n;
    tmp_seq_t  *s = data;

    if (key.len <= s->prefix_len || key.len - s->prefix_len > 12
        || !acc_contains(value, s->quoted, 0))
    {
        return 0;
    }

    n = 0;

    for (i = s->prefix_len; i < key.len; i++) {
        if (key.data[i] < '0' || key.data[i] > '9') {
            return 0;
        }

        n = n * 10 + (key.data[i] - '0');
    }

    if (n > s->max) {
        s->max = n;
    }

    return 0;
}


/*
 * 12 characters from /dev/urandom in three groups ("k7mq-4vzt-9xhe"),
 * an alphabet without look-alikes (no 0/o, 1/l/i): about 59 bits.
 */

static pf_str_t
tmp_password(pf_req_t *req)
{
    size_t          i, n, got;
    char           *p;
    FILE           *f;
    unsigned char   buf[64];

    static const char  alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
    const size_t       na = sizeof(alphabet) - 1;       /* 31 */
    const size_t       cut = 256 - 256 % (sizeof(alphabet) - 1);

    p = host->alloc(req, ACC_PW_GROUPS * (ACC_PW_GROUP_LEN + 1));
    if (p == NULL) {
        return pf_string("");
    }

    f = fopen("/dev/urandom", "rb");
    if (f == NULL) {
        return pf_string("");
    }

    n = 0;

    while (n < ACC_PW_GROUPS * ACC_PW_GROUP_LEN) {
        got = fread(buf, 1, sizeof(buf), f);
        if (got == 0) {
            fclose(f);
            return pf_string("");
        }

        for (i = 0; i < got && n < ACC_PW_GROUPS * ACC_PW_GROUP_LEN; i++) {
            if (buf[i] >= cut) {
                continue;                   /* rejection: no modulo bias */
            }

            if (n && n % ACC_PW_GROUP_LEN == 0) {
                p[n + n / ACC_PW_GROUP_LEN - 1] = '-';
            }

            p[n + n / ACC_PW_GROUP_LEN] = alphabet[buf[i] % na];
            n++;
        }
    }

    fclose(f);
    memset(buf, 0, sizeof(buf));

    return (pf_str_t) { ACC_PW_GROUPS * (ACC_PW_GROUP_LEN + 1) - 1, p };
}


static int
tmp_check_text(pf_req_t *req, const pf_val_t *v, const char *name,
    size_t max, int required, pf_str_t *out)
{
    out->len = 0;
    out->data = "";

    if (v == NULL || host->type(v) == PF_JSON_NULL) {
        if (required) {
            return host->error(req, 422, "invalid_field",
                               "\"%s\" is required", name);
        }

        return 0;
    }

    if (host->type(v) != PF_JSON_STRING) {
        return host->error(req, 422, "invalid_field",
                           "\"%s\" must be a string", name);
    }

    *out = host->str(v);

    if ((required && out->len == 0) || pf_utf8_chars(*out) > max) {
        return host->error(req, 422, "invalid_field",
                           "\"%s\" must be 1 to %d characters", name,
                           (int) max);
    }

    return 0;
}


/*
 * POST /schools/{school}/temporary-accounts
 *   {"student"?, "name"?, "expires", "reason", "note"?}
 * 201 {"account", "initial_password"}: the password is shown this once.
 */

static int
tmp_create(pf_req_t *req)
{
    int                rc;
    size_t             i;
    int64_t            expires, now;
    pf_str_t           school, name, student, note, reason, prefix, id,
                       password, credential, old, detail;
    pf_gen_t          *g, *d;
    tmp_seq_t          seq;
    const char        *why;
    const pf_val_t    *body, *srec, *saved;

    school = host->param(req, "school");
    now = host->now_ms(req);

    if (!acc_school_exists(req, school)) {
        return host->error(req, 404, "not_found", "no such school");
    }

    body = host->body(req);

    if (host->type(body) != PF_JSON_OBJECT) {
        return host->error(req, 422, "invalid_field",
                           "send {\"student\"?, \"name\"?, \"expires\", "
                           "\"reason\", \"note\"?}");
    }

    rc = tmp_check_text(req, host->get(body, "reason"), "reason", 32, 1,
                        &reason);
    if (rc) {
        return rc;
    }

    why = NULL;

    for (i = 0; acc_reasons[i]; i++) {
        if (pf_eq(reason, acc_reasons[i])) {
            why = acc_reasons[i];
            break;
        }
    }

    if (why == NULL) {
        return host->error(req, 422, "invalid_field",
                           "\"reason\" is on_leave, transferred or other");
    }

    rc = tmp_check_text(req, host->get(body, "note"), "note", ACC_NOTE_MAX,
                        0, &note);
    if (rc) {
        return rc;
    }

    rc = tmp_check_text(req, host->get(body, "student"), "student", 64, 0,
                        &student);
    if (rc) {
        return rc;
    }

    srec = NULL;

    if (student.len) {
        srec = acc_load_in_school(req, school, student, &rc);
        if (srec == NULL) {
            return rc;
        }

        if (!acc_has_role(srec, "student")
            || host->type(host->get(srec, "temporary")) == PF_JSON_OBJECT)
        {
            return host->error(req, 422, "not_a_student",
                               "\"%.*s\" is not a student's own account",
                               (int) student.len, student.data);
        }
    }

    rc = tmp_check_text(req, host->get(body, "name"), "name", ACC_NAME_MAX,
                        srec == NULL, &name);
    if (rc) {
        return rc;
    }

    if (name.len == 0) {
        name = host->str(host->get(srec, "name"));
    }

    rc = acc_expiry(req, school, host->get(body, "expires"), &expires);
    if (rc) {
        return rc;
    }

    /* the next number; never one used before (accounts are not deleted) */
    memset(&seq, 0, sizeof(seq));
    seq.req = req;
    prefix = host->sprintf(req, "%.*stmp", (int) school.len, school.data);
    seq.prefix_len = prefix.len;
    seq.quoted = host->sprintf(req, "\"%.*s\"", (int) school.len,
                               school.data);

    if (host->db_scan(req, "users", prefix, tmp_seq_cb, &seq) != PF_OK) {
        return host->error(req, 503, "storage_unavailable",
                           "the accounts could not be read");
    }

    id.len = 0;

    for (i = 1; i <= 100; i++) {
        id = host->sprintf(req, "%.*stmp%03lld", (int) school.len,
                           school.data, (long long) (seq.max + i));

        if (host->db_get(req, "users", id, &old) == PF_NOT_FOUND) {
            break;
        }
    }

    if (i > 100 || !pf_valid_id(id)) {
        return host->error(req, 409, "conflict",
                           "no free temporary account name");
    }

    password = tmp_password(req);

    if (password.len == 0) {
        host->log(req, PF_LOG_ERR, "accounts: /dev/urandom is unreadable");
        return host->error(req, 503, "unavailable",
                           "no password could be made; try again");
    }

    credential = host->initial_password(req, password);

    if (credential.len == 0) {
        host->log(req, PF_LOG_ERR, "accounts: no initial credential "
                  "(is the pepper file there?)");
        return host->error(req, 503, "unavailable",
                           "no password could be stored; try again");
    }

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "id");
    host->string(g, id);
    host->key(g, "name");
    host->string(g, name);
    host->key(g, "school");
    host->string(g, school);
    host->key(g, "roles");
    host->array_open(g);
    host->cstring(g, "student");
    host->array_close(g);

    if (srec && host->get(srec, "class")) {
        host->key(g, "class");
        pf_copy_value(g, host->get(srec, "class"));
    }

    host->key(g, "pw");
    host->string(g, credential);
    host->key(g, "must_change");
    host->boolean(g, 1);
    host->key(g, "expires");
    host->number(g, expires);
    host->key(g, "temporary");
    host->map_open(g);
    host->key(g, "reason");
    host->cstring(g, why);

    if (note.len) {
        host->key(g, "note");
        host->string(g, note);
    }

    if (student.len) {
        host->key(g, "student");
        host->string(g, student);
    }

    host->map_close(g);
    host->key(g, "created");
    host->number(g, now);
    host->key(g, "by");
    host->string(g, host->user(req)->id);
    host->map_close(g);

    if (host->db_put(req, "users", id, host->text(g)) != PF_OK) {
        return host->error(req, 503, "storage_unavailable",
                           "the account could not be stored");
    }

    saved = host->parse(req, host->text(g));

    d = host->gen(req);
    host->map_open(d);
    host->key(d, "account");
    host->string(d, id);
    host->key(d, "student");

    if (student.len) {
        host->string(d, student);

    } else {
        host->null(d);
    }

    host->key(d, "reason");
    host->cstring(d, why);
    host->key(d, "expires");
    host->number(d, expires);
    host->map_close(d);
    detail = host->text(d);

    if (saved == NULL
        || acc_audit(req, school, id, student, "temporary_account.created",
                     detail)
           != PF_OK)
    {
        return host->error(req, 503, "storage_unavailable",
                           "the account could not be recorded");
    }

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "account");
    acc_gen_account(req, g, saved);
    host->key(g, "initial_password");
    host->string(g, password);
    host->map_close(g);

    return host->reply(req, 201, g);
}


/* A temporary account of {school} by {account}; NULL and a 404 if none. */

static const pf_val_t *
tmp_load(pf_req_t *req, pf_str_t school, pf_str_t id, int *status)
{
    const pf_val_t  *rec;

    if (!acc_school_exists(req, school)) {
        *status = host->error(req, 404, "not_found", "no such school");
        return NULL;
    }

    rec = acc_load_in_school(req, school, id, status);

    if (rec != NULL
        && host->type(host->get(rec, "temporary")) != PF_JSON_OBJECT)
    {
        *status = host->error(req, 404, "not_found",
                              "\"%.*s\" is not a temporary account",
                              (int) id.len, id.data);
        return NULL;
    }

    return rec;
}


static void
tmp_expires_extra(pf_req_t *req, pf_gen_t *g, void *data)
{
    host->key(g, "expires");
    host->number(g, *(int64_t *) data);
}


/* PUT /schools/{school}/temporary-accounts/{account} {"expires"} */

static int
tmp_extend(pf_req_t *req)
{
    int               rc;
    int64_t           expires, before;
    pf_str_t          school, id, detail;
    pf_gen_t         *d;
    const pf_val_t   *rec, *body, *saved;

    static const char *const  skip[] = { "expires", NULL };

    school = host->param(req, "school");
    id = host->param(req, "account");

    rec = tmp_load(req, school, id, &rc);
    if (rec == NULL) {
        return rc;
    }

    if (acc_is_true(host->get(rec, "disabled"))) {
        return host->error(req, 409, "account_disabled",
                           "a disabled temporary account stays disabled; "
                           "issue a new one");
    }

    body = host->body(req);

    if (host->type(body) != PF_JSON_OBJECT) {
        return host->error(req, 422, "invalid_field", "send {\"expires\"}");
    }

    rc = acc_expiry(req, school, host->get(body, "expires"), &expires);
    if (rc) {
        return rc;
    }

    if (host->integer(host->get(rec, "expires"), &before) != PF_OK) {
        before = 0;
    }

    if (acc_put_user(req, id, rec, skip, tmp_expires_extra, &expires, &saved)
        != PF_OK)
    {
        return host->error(req, 503, "storage_unavailable",
                           "the account could not be stored");
    }

    d = host->gen(req);
    host->map_open(d);
    host->key(d, "account");
    host->string(d, id);
    host->key(d, "expires");
    host->number(d, expires);
    host->key(d, "previous");
    host->number(d, before);
    host->map_close(d);
    detail = host->text(d);

    if (acc_audit(req, school, id, pf_string(""),
                  "temporary_account.expiry_changed", detail)
        != PF_OK)
    {
        return host->error(req, 503, "storage_unavailable",
                           "the change could not be recorded");
    }

    return acc_reply_account(req, 200, saved, 1);
}


static void
tmp_disable_extra(pf_req_t *req, pf_gen_t *g, void *data)
{
    host->key(g, "disabled");
    host->boolean(g, 1);
    host->key(g, "disabled_at");
    host->number(g, host->now_ms(req));
    host->key(g, "disabled_by");
    host->string(g, host->user(req)->id);
}


/* DELETE /schools/{school}/temporary-accounts/{account}: disables it. */

static int
tmp_disable(pf_req_t *req)
{
    int               rc;
    pf_str_t          school, id, detail;
    const pf_val_t   *rec, *saved;

    static const char *const  skip[] = {
        "disabled", "disabled_at", "disabled_by", NULL
    };

    school = host->param(req, "school");
    id = host->param(req, "account");

    rec = tmp_load(req, school, id, &rc);
    if (rec == NULL) {
        return rc;
    }

    if (acc_is_true(host->get(rec, "disabled"))) {
        return acc_reply_account(req, 200, rec, 0);
    }

    if (acc_put_user(req, id, rec, skip, tmp_disable_extra, NULL, &saved)
        != PF_OK)
    {
        return host->error(req, 503, "storage_unavailable",
                           "the account could not be stored");
    }

    detail = host->sprintf(req, "{\"account\":\"%.*s\"}", (int) id.len,
                           id.data);

    if (acc_audit(req, school, id, pf_string(""),
                  "temporary_account.disabled", detail)
        != PF_OK)
    {
        return host->error(req, 503, "storage_unavailable",
                           "the change could not be recorded");
    }

    return acc_reply_account(req, 200, saved, 1);
}


static const pf_route_t  acc_routes[] = {
    { "GET", "/schools/{school}/accounts", ACC_ADMINS, PF_SCOPE_SCHOOL, 0,
      acc_list, 0, NULL },
    { "GET", "/schools/{school}/accounts/{account}", ACC_ADMINS,
      PF_SCOPE_SCHOOL, 0, acc_get, 0, NULL },
    { "PUT", "/schools/{school}/accounts/{account}/roles/{role}", ACC_ADMINS,
      PF_SCOPE_SCHOOL, PF_ROUTE_WRITE, acc_grant, 0, NULL },
    { "DELETE", "/schools/{school}/accounts/{account}/roles/{role}",
      ACC_ADMINS, PF_SCOPE_SCHOOL, PF_ROUTE_WRITE, acc_revoke, 0, NULL },

    { "GET", "/schools/{school}/temporary-accounts", ACC_ADMINS,
      PF_SCOPE_SCHOOL, 0, tmp_list, 0, NULL },
    { "POST", "/schools/{school}/temporary-accounts", ACC_ADMINS,
      PF_SCOPE_SCHOOL, PF_ROUTE_WRITE, tmp_create, 0, NULL },
    { "PUT", "/schools/{school}/temporary-accounts/{account}", ACC_ADMINS,
      PF_SCOPE_SCHOOL, PF_ROUTE_WRITE, tmp_extend, 0, NULL },
    { "DELETE", "/schools/{school}/temporary-accounts/{account}", ACC_ADMINS,
      PF_SCOPE_SCHOOL, PF_ROUTE_WRITE, tmp_disable, 0, NULL },
};

static const char *const  acc_dbs[] = { NULL };

static const pf_plugin_t  acc_plugin = {
    PF_ABI_MAJOR, PF_ABI_MINOR, sizeof(pf_plugin_t),
    "accounts", "0.1.0",
    acc_dbs,
    acc_routes, sizeof(acc_routes) / sizeof(acc_routes[0]),
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

    return &acc_plugin;
}
