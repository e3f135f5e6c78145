/*
 * accounts -- a school's accounts: role grants (SPEC A5, AD1) and
 * temporary accounts (A3), for the school's administrators and the city's.
 *
 * The accounts are the core's records: this plugin reads them with
 * user_get() and user_scan() and changes them with user_update() of the
 * fields it names ("roles", "expires", "disabled" ...) and user_create(),
 * so the credential and the forced change stay the core's.  The core
 * loads the account on every request, so a grant or a revoke takes effect
 * on the user's very next request, in the sessions they already have.
 *
 *   accounts.c            the account as administrators see it, the
 *                         lists, the routes
 *   accounts_roles.c      grants and revokes (which roles are whose)
 *   accounts_admins.c     a school's first admin, named by the city
 *   accounts_temporary.c  temporary accounts, their expiry (setting
 *                         temporary_account_max_days) and disabling
 *
 * Every change is audited under "school/<domain>" and under the account
 * (and, for a temporary account issued for a student, under the student).
 */

#include <string.h>

#include "accounts.h"
#include "pf_time.h"


#define ACC_LIST_DEFAULT    1000
#define ACC_LIST_MAX        5000


/* --- small checks -------------------------------------------------------- */

int
acc_is_disabled(const pf_val_t *rec)
{
    return pf_is_true(pf_host->get(rec, "disabled"));
}


int
acc_is_temporary(const pf_val_t *rec)
{
    return pf_host->type(pf_host->get(rec, "temporary")) == PF_JSON_OBJECT;
}


/*
 * The account {id} of {school}; NULL (and a 404 set in *status) when
 * there is no such account in that school.  Another school's account is
 * "not found" here too: the path names the school.
 */

const pf_val_t *
acc_load_in_school(pf_req_t *req, pf_str_t school, pf_str_t id, int *status)
{
    const pf_val_t  *rec;

    rec = pf_valid_id(id) ? pf_host->user_get(req, id) : NULL;

    if (rec == NULL || !pf_same(pf_field(rec, "school"), school)) {
        *status = pf_host->error(req, 404, "not_found",
                                 "本校沒有帳號 %.*s；請確認帳號是否正確",
                                 PF_S(pf_clip(id, 64)));
        return NULL;
    }

    return rec;
}


/* Case-insensitive (ASCII) byte search; an empty needle matches. */

static int
acc_contains(pf_str_t hay, pf_str_t needle)
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

            if (a >= 'A' && a <= 'Z') {
                a += 'a' - 'A';
            }

            if (b >= 'A' && b <= 'Z') {
                b += 'a' - 'A';
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
 * A text field of a body: absent or null is "" (and refused when
 * required), anything but a string is refused, and so is one longer than
 * max characters.  label is what the page calls the field.  0, or the
 * status of the 422 answered.
 */

int
acc_text(pf_req_t *req, const pf_val_t *v, const char *name,
    const char *label, size_t max, int required, pf_str_t *out)
{
    out->len = 0;
    out->data = "";

    if (v == NULL || pf_host->type(v) == PF_JSON_NULL) {
        if (required) {
            return pf_host->error(req, 422, "invalid_field",
                                  "請填寫%s（\"%s\"）", label, name);
        }

        return 0;
    }

    if (pf_host->type(v) != PF_JSON_STRING) {
        return pf_host->error(req, 422, "invalid_field",
                              "%s（\"%s\"）必須是文字", label, name);
    }

    *out = pf_host->str(v);

    if ((required && out->len == 0) || pf_utf8_chars(*out) > max) {
        return pf_host->error(req, 422, "invalid_field",
                              "%s（\"%s\"）要 1 到 %zu 個字", label, name,
                              max);
    }

    return 0;
}


/* --- the account as administrators see it -------------------------------- */

static const char *
acc_state(pf_req_t *req, const pf_val_t *rec)
{
    int64_t  expires;

    if (acc_is_disabled(rec)) {
        return "disabled";
    }

    if (pf_host->integer(pf_host->get(rec, "expires"), &expires) == PF_OK
        && expires <= pf_host->now_ms(req))
    {
        return "expired";
    }

    return "active";
}


/* Each named field of rec as "name": value, null where rec lacks it. */

static void
acc_copy_named(pf_gen_t *g, const pf_val_t *rec, const char *const *names)
{
    const pf_val_t  *v;

    for ( /* void */ ; *names; names++) {
        pf_host->key(g, *names);
        v = pf_host->get(rec, *names);

        if (v == NULL) {
            pf_host->null(g);

        } else {
            pf_copy_value(g, v);
        }
    }
}


/* What a list shows of an account (user_get() never gives "pw"). */

void
acc_gen_account(pf_req_t *req, pf_gen_t *g, const pf_val_t *rec)
{
    int64_t          expires;
    const pf_val_t  *tmp, *roles;

    static const char *const  head[] = { "id", "name", "school", NULL };
    static const char *const  klass[] = { "class", NULL };
    static const char *const  why[] = { "reason", "note", "student", NULL };
    static const char *const  off[] = { "disabled_at", "disabled_by", NULL };
    static const char *const  tail[] = { "created", "updated", "by", NULL };

    pf_host->map_open(g);
    acc_copy_named(g, rec, head);
    pf_host->key(g, "roles");

    roles = pf_host->get(rec, "roles");

    if (pf_host->type(roles) == PF_JSON_ARRAY) {
        pf_copy_value(g, roles);

    } else {
        pf_host->array_open(g);
        pf_host->array_close(g);
    }

    acc_copy_named(g, rec, klass);
    pf_host->key(g, "state");
    pf_host->cstring(g, acc_state(req, rec));
    pf_host->key(g, "disabled");
    pf_host->boolean(g, acc_is_disabled(rec));
    pf_host->key(g, "must_change_password");
    pf_host->boolean(g, pf_is_true(pf_host->get(rec, "must_change")));
    pf_host->key(g, "expires");

    if (pf_host->integer(pf_host->get(rec, "expires"), &expires) == PF_OK) {
        pf_host->number(g, expires);
        pf_host->key(g, "expires_iso");
        pf_host->string(g, pf_iso_format(req, expires));

    } else {
        pf_host->null(g);
    }

    pf_host->key(g, "temporary");
    tmp = pf_host->get(rec, "temporary");

    if (pf_host->type(tmp) == PF_JSON_OBJECT) {
        pf_host->map_open(g);
        acc_copy_named(g, tmp, why);
        pf_host->map_close(g);

    } else {
        pf_host->null(g);
    }

    if (pf_host->get(rec, "disabled_at")) {
        acc_copy_named(g, rec, off);
    }

    acc_copy_named(g, rec, tail);
    pf_host->map_close(g);
}


int
acc_reply_account(pf_req_t *req, int status, const pf_val_t *rec,
    int changed)
{
    pf_gen_t  *g;

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "account");
    acc_gen_account(req, g, rec);

    if (changed >= 0) {
        pf_host->key(g, "changed");
        pf_host->boolean(g, changed);
    }

    pf_host->map_close(g);

    return pf_host->reply(req, status, g);
}


/* --- changes ------------------------------------------------------------- */

/*
 * Sets the named fields of account id (a JSON object's text; the core
 * keeps every other field and stamps "updated" and "by") and reads the
 * account back into *saved.  0, or the status of the 503 it set: "<what>
 * could not be stored".
 */

int
acc_update(pf_req_t *req, pf_str_t id, pf_str_t fields, const char *what,
    const pf_val_t **saved)
{
    int  rc;

    rc = pf_host->user_update(req, id, fields);
    *saved = rc == PF_OK ? pf_host->user_get(req, id) : NULL;

    if (*saved == NULL) {
        pf_host->log(req, PF_LOG_ERR, "account \"%.*s\" could not "
                     "be updated (%d)", PF_S(id), rc);
        return pf_host->error(req, 503, "storage_unavailable",
                              "%s沒有儲存成功，什麼都沒有變更；"
                              "請稍候再試", what);
    }

    return 0;
}


/* An audit detail {"account": id, ... begun: the caller adds the rest. */

pf_gen_t *
acc_detail(pf_req_t *req, pf_str_t id)
{
    pf_gen_t  *d;

    d = pf_host->gen(req);
    pf_host->map_open(d);
    pf_host->key(d, "account");
    pf_host->string(d, id);

    return d;
}


/* Audit under each non-empty subject: the school, the account, ... */

int
acc_audit(pf_req_t *req, pf_str_t school, pf_str_t account, pf_str_t other,
    const char *action, pf_str_t detail)
{
    if (pf_host->audit(req, pf_school_subject(req, school), action, detail)
        != PF_OK
        || pf_host->audit(req, account, action, detail) != PF_OK
        || (other.len && pf_host->audit(req, other, action, detail) != PF_OK))
    {
        return PF_ERROR;
    }

    return PF_OK;
}


/* A change made: audited under the school and the account, and answered. */

int
acc_changed(pf_req_t *req, pf_str_t school, pf_str_t id, const char *action,
    pf_str_t detail, const pf_val_t *saved)
{
    if (acc_audit(req, school, id, pf_string(""), action, detail) != PF_OK) {
        return pf_host->error(req, 503, "storage_unavailable",
                              "變更沒有記錄成功，什麼都沒有變更；請稍候再試");
    }

    return acc_reply_account(req, 200, saved, 1);
}


/* --- GET /schools/{school}/accounts?role=&q=&limit=&after= --------------- */

static int
acc_list_cb(void *data, pf_str_t id, const pf_val_t *rec)
{
    size_t       len;
    acc_list_t  *l = data;

    if (l->after.len) {
        len = id.len < l->after.len ? id.len : l->after.len;

        if (memcmp(id.data, l->after.data, len) < 0
            || (memcmp(id.data, l->after.data, len) == 0
                && id.len <= l->after.len))
        {
            return 0;
        }
    }

    if ((l->role && !pf_has_role(rec, l->role))
        || (l->temporary && !acc_is_temporary(rec))
        || (l->state && strcmp(acc_state(l->req, rec), l->state) != 0))
    {
        return 0;
    }

    if (l->q.len
        && !acc_contains(id, l->q)
        && !acc_contains(pf_field(rec, "name"), l->q))
    {
        return 0;
    }

    if (l->n == l->limit) {
        l->next = l->last;          /* more remain */
        return 1;
    }

    acc_gen_account(l->req, l->g, rec);
    l->n++;
    l->last = id;

    return 0;
}


/* A list of {school}'s accounts, with no filter yet: 0, or the 404. */

int
acc_list_start(pf_req_t *req, acc_list_t *l)
{
    memset(l, 0, sizeof(acc_list_t));
    l->req = req;
    l->school = pf_host->param(req, "school");

    return pf_school_exists(req, l->school);
}


int
acc_list_run(pf_req_t *req, acc_list_t *l, pf_str_t prefix)
{
    pf_str_t   limit;
    pf_gen_t  *g;

    l->limit = ACC_LIST_DEFAULT;
    l->after = pf_host->arg(req, "after");
    l->q = pf_host->arg(req, "q");

    if (l->after.len && !pf_valid_id(l->after)) {
        return pf_host->error(req, 422, "invalid_field",
                              "參數 after 必須是前一頁回應中的帳號");
    }

    if (l->q.len > 64) {
        return pf_host->error(req, 422, "invalid_field",
                              "搜尋文字（q）最多 64 個位元組");
    }

    limit = pf_host->arg(req, "limit");

    if (limit.len) {
        l->limit = pf_arg_int(limit);

        if (l->limit < 1 || l->limit > ACC_LIST_MAX) {
            return pf_host->error(req, 422, "invalid_field",
                                  "每頁筆數（limit）要 1 到 %d", ACC_LIST_MAX);
        }
    }

    g = pf_host->gen(req);
    l->g = g;

    pf_host->map_open(g);
    pf_host->key(g, "school");
    pf_host->string(g, l->school);
    pf_host->key(g, "now");
    pf_host->number(g, pf_host->now_ms(req));
    pf_host->key(g, "accounts");
    pf_host->array_open(g);

    if (pf_host->user_scan(req, l->school, prefix, acc_list_cb, l) != PF_OK)
    {
        pf_host->log(req, PF_LOG_ERR, "the accounts of \"%.*s\" "
                     "could not be read", PF_S(l->school));
        return pf_host->error(req, 503, "storage_unavailable",
                              "帳號資料暫時無法讀取，請稍候再試");
    }

    pf_host->array_close(g);
    pf_host->key(g, "count");
    pf_host->number(g, l->n);
    pf_host->key(g, "next");

    if (l->next.len) {
        pf_host->string(g, l->next);

    } else {
        pf_host->null(g);
    }

    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}


static int
acc_list(pf_req_t *req)
{
    int         rc;
    pf_str_t    role;
    acc_list_t  l;

    rc = acc_list_start(req, &l);
    if (rc) {
        return rc;
    }

    role = pf_host->arg(req, "role");

    if (role.len) {
        l.role = pf_role_bit(role);

        if (l.role == 0) {
            return pf_host->error(req, 422, "invalid_field",
                                  "沒有名為 \"%.*s\" 的角色",
                                  PF_S(pf_clip(role, 64)));
        }
    }

    /* accounts are not all named after the school (parents: e-mail) */
    return acc_list_run(req, &l, pf_string(""));
}


/* GET /schools/{school}/accounts/{account} */

static int
acc_get(pf_req_t *req)
{
    int              rc;
    pf_str_t         school;
    const pf_val_t  *rec;

    school = pf_host->param(req, "school");

    rc = pf_school_exists(req, school);
    if (rc) {
        return rc;
    }

    rec = acc_load_in_school(req, school, pf_host->param(req, "account"),
                             &rc);
    if (rec == NULL) {
        return rc;
    }

    return acc_reply_account(req, 200, rec, -1);
}


/* --- the plugin ---------------------------------------------------------- */

static const pf_route_t  acc_routes[] = {
    { .method = "GET", .path = "/schools/{school}/accounts",
      .roles = ACC_ADMINS, .scope = PF_SCOPE_SCHOOL, .handler = acc_list },
    { .method = "GET", .path = "/schools/{school}/accounts/{account}",
      .roles = ACC_ADMINS, .scope = PF_SCOPE_SCHOOL, .handler = acc_get },
    { .method = "PUT",
      .path = "/schools/{school}/accounts/{account}/roles/{role}",
      .roles = ACC_ADMINS, .scope = PF_SCOPE_SCHOOL,
      .flags = PF_ROUTE_WRITE, .handler = acc_grant },
    { .method = "DELETE",
      .path = "/schools/{school}/accounts/{account}/roles/{role}",
      .roles = ACC_ADMINS, .scope = PF_SCOPE_SCHOOL,
      .flags = PF_ROUTE_WRITE, .handler = acc_revoke },
    { .method = "POST", .path = "/schools/{school}/admins",
      .roles = PF_ROLE_CITY_ADMIN, .scope = PF_SCOPE_SCHOOL,
      .flags = PF_ROUTE_WRITE, .handler = acc_admin_add },

    { .method = "GET", .path = "/schools/{school}/temporary-accounts",
      .roles = ACC_ADMINS, .scope = PF_SCOPE_SCHOOL,
      .handler = acc_tmp_list },
    { .method = "POST", .path = "/schools/{school}/temporary-accounts",
      .roles = ACC_ADMINS, .scope = PF_SCOPE_SCHOOL,
      .flags = PF_ROUTE_WRITE, .handler = acc_tmp_create },
    { .method = "PUT",
      .path = "/schools/{school}/temporary-accounts/{account}",
      .roles = ACC_ADMINS, .scope = PF_SCOPE_SCHOOL,
      .flags = PF_ROUTE_WRITE, .handler = acc_tmp_extend },
    { .method = "DELETE",
      .path = "/schools/{school}/temporary-accounts/{account}",
      .roles = ACC_ADMINS, .scope = PF_SCOPE_SCHOOL,
      .flags = PF_ROUTE_WRITE, .handler = acc_tmp_disable },
};

static const pf_setting_t  acc_settings[] = {
    { .name = ACC_TMP_DAYS, .type = PF_SETTING_NUMBER,
      .levels = PF_LEVEL_CITY|PF_LEVEL_SCHOOL, .min = ACC_TMP_DAYS_MIN,
      .max = ACC_TMP_DAYS_MAX, .dflt = ACC_TMP_DAYS_DFLT,
      .about = "how far ahead a temporary account's expiry may be, in days "
               "(A3)" },
};

/* no database of its own: the accounts are the core's */
PF_PLUGIN(.name = "accounts", .version = "0.2.0",
          PF_ROUTES(acc_routes), PF_SETTINGS(acc_settings))
