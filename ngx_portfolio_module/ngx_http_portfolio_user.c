/*
 * ngx_http_portfolio_user.c -- accounts (the core's "users" records):
 * loading them, their roles and password state, the SPEC A1 account
 * names, and the host calls through which plugins read and change them.
 *
 * A record's credential ("pw"), forced change ("must_change"), last
 * change ("pw_changed") and directory binding ("directory") are the
 * core's: every rewrite here keeps them unless the core itself names
 * them, and a plugin that names them is refused.
 */

#include "ngx_http_portfolio_module.h"


static int ngx_http_pf_user_write(ngx_http_pf_ctx_t *ctx, pf_str_t id,
    const pf_val_t *rec, const pf_val_t *set, ngx_uint_t stamp);


static const char  *ngx_http_pf_user_core_fields[] = {
    "id", "pw", "must_change", "pw_changed", "directory", "created", NULL
};


int
ngx_http_pf_user_parse(ngx_http_pf_ctx_t *ctx, pf_str_t id, pf_str_t value,
    const pf_val_t **rec)
{
    ngx_str_t  err;

    *rec = ngx_http_pf_json_parse(ctx->pool, (u_char *) value.data,
                                  value.len, 64, &err);
    if (*rec == NULL) {
        ngx_log_error(NGX_LOG_ERR, ctx->log, 0,
                      "portfolio: user record \"%*s\" is damaged: %V",
                      id.len, id.data, &err);
        return PF_ERROR;
    }

    return PF_OK;
}


int
ngx_http_pf_load_user(ngx_http_pf_ctx_t *ctx, pf_str_t id,
    const pf_val_t **rec)
{
    int        rc;
    pf_str_t   value;

    rc = ngx_http_pf_db_get(ctx, NGX_HTTP_PF_DB_USERS, id, &value);
    if (rc != PF_OK) {
        return rc;
    }

    return ngx_http_pf_user_parse(ctx, id, value, rec);
}


/* When a user record's password last changed (ms); 0: never. */

int64_t
ngx_http_pf_user_pw_changed(const pf_val_t *user)
{
    int64_t  changed;

    if (ngx_http_pf_json_integer(ngx_http_pf_json_get(user, "pw_changed"),
                                 &changed)
        != PF_OK)
    {
        return 0;
    }

    return changed;
}


uint32_t
ngx_http_pf_roles_parse(const pf_val_t *roles)
{
    size_t     i, n;
    uint32_t   bits;

    bits = 0;
    n = ngx_http_pf_json_count(roles);

    for (i = 0; i < n; i++) {
        bits |= pf_role_bit(ngx_http_pf_json_str(ngx_http_pf_json_at(roles,
                                                                     i)));
    }

    return bits;
}


int
ngx_http_pf_gen_roles(pf_gen_t *g, uint32_t roles)
{
    ngx_uint_t  k;

    ngx_http_pf_gen_array_open(g);

    for (k = 0; k < PF_NROLES; k++) {
        if (roles & (1u << k)) {
            ngx_http_pf_gen_cstring(g, pf_role_name(1u << k));
        }
    }

    return ngx_http_pf_gen_array_close(g);
}


/*
 * SPEC A1: a student is the school's domain and the student number
 * ([A-Za-z0-9], up to 20); anyone else the domain and the 9 characters
 * after the national ID's letter: 9 digits, or for a resident certificate
 * of the old format (two letters and 8 digits, issued before 2021) its
 * second letter, in lower case as account names are, and the 8 digits
 * (AC01234567: zlshc01234567).  Empty if neither is well formed.
 */

pf_str_t
ngx_http_pf_account_name(ngx_pool_t *pool, pf_str_t school,
    pf_str_t national_id, pf_str_t student_number)
{
    u_char    *p;
    size_t     i;
    pf_str_t   id, tail;

    id.len = 0;
    id.data = NULL;

    if (student_number.len) {
        tail = student_number;

        for (i = 0; i < tail.len; i++) {
            if (!isalnum((u_char) tail.data[i])) {
                return id;
            }
        }

        if (tail.len > 20) {
            return id;
        }

    } else {
        if (national_id.len != 10 || !isalpha((u_char) national_id.data[0])) {
            return id;
        }

        tail.data = national_id.data + 1;
        tail.len = 9;

        for (i = isalpha((u_char) tail.data[0]) ? 1 : 0; i < 9; i++) {
            if (!isdigit((u_char) tail.data[i])) {
                return id;
            }
        }
    }

    if (school.len == 0 || school.len + tail.len > 64) {
        return id;
    }

    p = ngx_pnalloc(pool, school.len + tail.len);
    if (p == NULL) {
        return id;
    }

    id.data = (const char *) p;
    p = ngx_cpymem(p, school.data, school.len);
    p = ngx_cpymem(p, tail.data, tail.len);
    id.len = p - (u_char *) id.data;

    if (student_number.len == 0) {
        /* an old resident certificate's second letter (a digit stays) */
        p = (u_char *) id.data + school.len;
        *p = ngx_tolower(*p);
    }

    return id;
}


static ngx_uint_t
ngx_http_pf_user_core_field(pf_str_t name)
{
    ngx_uint_t  i;

    for (i = 0; ngx_http_pf_user_core_fields[i]; i++) {
        if (name.len == ngx_strlen(ngx_http_pf_user_core_fields[i])
            && ngx_strncmp(name.data, ngx_http_pf_user_core_fields[i],
                           name.len)
               == 0)
        {
            return 1;
        }
    }

    return 0;
}


/*
 * Writes the account with the fields of a JSON object replaced where the
 * record has them, added at the end where it has not, and removed where
 * the object gives null.  A plugin's change is stamped with "updated" and
 * "by" (unless it names them); the core's own (password, directory
 * binding) are audited instead.  rec: the record if already loaded.
 */

int
ngx_http_pf_user_update(ngx_http_pf_ctx_t *ctx, pf_str_t id,
    const pf_val_t *rec, pf_str_t fields, ngx_uint_t stamp)
{
    ngx_str_t        err;
    const pf_val_t  *set;

    set = ngx_http_pf_json_parse(ctx->pool, (u_char *) fields.data,
                                 fields.len, 64, &err);

    if (set == NULL || ngx_http_pf_json_type(set) != PF_JSON_OBJECT) {
        ngx_log_error(NGX_LOG_ERR, ctx->log, 0,
                      "portfolio: account fields are not a JSON object");
        return PF_ERROR;
    }

    return ngx_http_pf_user_write(ctx, id, rec, set, stamp);
}


static int
ngx_http_pf_user_write(ngx_http_pf_ctx_t *ctx, pf_str_t id,
    const pf_val_t *rec, const pf_val_t *set, ngx_uint_t stamp)
{
    int              rc;
    size_t           i, j, n;
    u_char          *done;
    pf_str_t         k, sk;
    pf_gen_t        *g;
    const pf_val_t  *v;

    if (rec == NULL) {
        rc = ngx_http_pf_load_user(ctx, id, &rec);
        if (rc != PF_OK) {
            return rc;
        }
    }

    n = ngx_http_pf_json_count(set);

    done = ngx_pcalloc(ctx->pool, n + 1);
    g = ngx_http_pf_gen(ctx->pool);

    if (done == NULL || g == NULL) {
        return PF_ERROR;
    }

    stamp = stamp && ngx_http_pf_json_get(set, "updated") == NULL
            && ngx_http_pf_json_get(set, "by") == NULL;

    ngx_http_pf_gen_map_open(g);

    for (i = 0; i < ngx_http_pf_json_count(rec); i++) {
        k = ngx_http_pf_json_key_at(rec, i);
        v = ngx_http_pf_json_at(rec, i);

        if (stamp && ((k.len == 7 && ngx_strncmp(k.data, "updated", 7) == 0)
                      || (k.len == 2 && ngx_strncmp(k.data, "by", 2) == 0)))
        {
            continue;
        }

        for (j = 0; j < n; j++) {
            sk = ngx_http_pf_json_key_at(set, j);

            if (sk.len == k.len && ngx_strncmp(sk.data, k.data, k.len) == 0) {
                v = ngx_http_pf_json_at(set, j);
                done[j] = 1;
                break;
            }
        }

        if (j < n && ngx_http_pf_json_type(v) == PF_JSON_NULL) {
            continue;
        }

        ngx_http_pf_gen_string(g, k);
        ngx_http_pf_gen_value(g, v);
    }

    for (j = 0; j < n; j++) {
        v = ngx_http_pf_json_at(set, j);

        if (done[j] || ngx_http_pf_json_type(v) == PF_JSON_NULL) {
            continue;
        }

        ngx_http_pf_gen_string(g, ngx_http_pf_json_key_at(set, j));
        ngx_http_pf_gen_value(g, v);
    }

    if (stamp) {
        ngx_http_pf_gen_key(g, "updated");
        ngx_http_pf_gen_number(g, ngx_http_pf_now_ms());
        ngx_http_pf_gen_key(g, "by");
        ngx_http_pf_gen_who(g, ctx);
    }

    if (ngx_http_pf_gen_map_close(g) != PF_OK) {
        return PF_ERROR;
    }

    return ngx_http_pf_db_put(ctx, NGX_HTTP_PF_DB_USERS, id,
                              ngx_http_pf_gen_text(g));
}


/* --- host calls ---------------------------------------------------------- */

/*
 * The fields a plugin gives, parsed: PF_OK, PF_INVALID (not a JSON
 * object; yajl's reason is logged) or PF_DENIED (a field of the core's).
 */

static int
ngx_http_pf_user_fields(pf_req_t *req, pf_str_t fields, const pf_val_t **set)
{
    size_t     i;
    pf_str_t   k;
    ngx_str_t  err;

    ngx_str_null(&err);
    *set = ngx_http_pf_json_parse(req->pool, (u_char *) fields.data,
                                  fields.len, 64, &err);

    if (*set == NULL || ngx_http_pf_json_type(*set) != PF_JSON_OBJECT) {
        ngx_log_error(NGX_LOG_ERR, req->log, 0,
                      "portfolio plugin \"%V\": account fields are not a "
                      "JSON object: %V", &req->plugin->name,
                      err.len ? &err : &(ngx_str_t) ngx_string("not an "
                                                               "object"));
        return PF_INVALID;
    }

    for (i = 0; i < ngx_http_pf_json_count(*set); i++) {
        k = ngx_http_pf_json_key_at(*set, i);

        if (ngx_http_pf_user_core_field(k)) {
            ngx_log_error(NGX_LOG_ERR, req->log, 0,
                          "portfolio plugin \"%V\": an account's \"%*s\" is "
                          "the core's", &req->plugin->name, k.len, k.data);
            return PF_DENIED;
        }
    }

    return PF_OK;
}


const pf_val_t *
ngx_http_pf_api_user_get(pf_req_t *req, pf_str_t id)
{
    const pf_val_t  *rec;

    if (id.len == 0 || id.len > 128
        || ngx_http_pf_load_user(req, id, &rec) != PF_OK)
    {
        return NULL;
    }

    return ngx_http_pf_json_without(req->pool, rec, "pw");
}


typedef struct {
    pf_req_t          *req;
    pf_str_t           school;
    ngx_str_t          mark;          /* "school":"<domain>" */
    pf_user_scan_pt    cb;
    void              *data;
} ngx_http_pf_user_scan_t;


static int
ngx_http_pf_user_scan_cb(void *data, pf_str_t key, pf_str_t value)
{
    ngx_http_pf_user_scan_t *us = data;

    pf_str_t         school;
    const pf_val_t  *rec;

    /*
     * The core writes every account, so another school's record lacks the
     * mark's exact text: it is skipped unparsed (a city has far more
     * accounts than a school).  A match is confirmed on the parsed field.
     */
    if (us->mark.len
        && ngx_strnstr((u_char *) value.data, (char *) us->mark.data,
                       value.len)
           == NULL)
    {
        return 0;
    }

    if (ngx_http_pf_user_parse(us->req, key, value, &rec) != PF_OK) {
        return 0;    /* logged; the others are still listed */
    }

    if (us->school.len) {
        school = ngx_http_pf_json_str(ngx_http_pf_json_get(rec, "school"));

        if (school.len != us->school.len
            || ngx_strncmp(school.data, us->school.data, school.len) != 0)
        {
            return 0;
        }
    }

    return us->cb(us->data, key,
                  ngx_http_pf_json_without(us->req->pool, rec, "pw"));
}


int
ngx_http_pf_api_user_scan(pf_req_t *req, pf_str_t school, pf_str_t prefix,
    pf_user_scan_pt cb, void *data)
{
    u_char                   *p;
    ngx_http_pf_user_scan_t   us;

    us.req = req;
    us.school = school;
    us.cb = cb;
    us.data = data;
    us.mark.len = 0;

    if (school.len) {
        if (school.len > 64) {
            return PF_ERROR;
        }

        p = ngx_pnalloc(req->pool, sizeof("\"school\":\"\"") + school.len);
        if (p == NULL) {
            return PF_ERROR;
        }

        us.mark.data = p;
        p = ngx_sprintf(p, "\"school\":\"%*s\"", school.len, school.data);
        *p = '\0';
        us.mark.len = p - us.mark.data;
    }

    return ngx_http_pf_db_scan(req, NGX_HTTP_PF_DB_USERS, prefix,
                               ngx_http_pf_user_scan_cb, &us);
}


int
ngx_http_pf_api_user_create(pf_req_t *req, pf_str_t id, pf_str_t fields,
    pf_str_t password)
{
    int              rc;
    size_t           i;
    pf_str_t         old;
    pf_gen_t        *g;
    ngx_str_t        cred;
    const pf_val_t  *set;

    if (!req->write) {
        return PF_DENIED;
    }

    if (id.len == 0 || id.len > 64 || password.len == 0) {
        return PF_ERROR;
    }

    rc = ngx_http_pf_user_fields(req, fields, &set);
    if (rc != PF_OK) {
        return rc;
    }

    if (ngx_http_pf_db_get(req, NGX_HTTP_PF_DB_USERS, id, &old) == PF_OK) {
        return PF_EXISTS;
    }

    if (ngx_http_pf_initial_credential(req->pmcf, req->pool, password, &cred)
        != PF_OK)
    {
        return PF_ERROR;
    }

    g = ngx_http_pf_gen(req->pool);
    if (g == NULL) {
        return PF_ERROR;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "id");
    ngx_http_pf_gen_string(g, id);

    for (i = 0; i < ngx_http_pf_json_count(set); i++) {
        ngx_http_pf_gen_string(g, ngx_http_pf_json_key_at(set, i));
        ngx_http_pf_gen_value(g, ngx_http_pf_json_at(set, i));
    }

    ngx_http_pf_gen_key(g, "pw");
    ngx_http_pf_gen_string(g, ngx_http_pf_str(&cred));
    ngx_http_pf_gen_key(g, "must_change");
    ngx_http_pf_gen_boolean(g, 1);

    ngx_http_pf_gen_key(g, "created");
    ngx_http_pf_gen_number(g, ngx_http_pf_now_ms());

    if (ngx_http_pf_json_get(set, "by") == NULL) {
        ngx_http_pf_gen_key(g, "by");
        ngx_http_pf_gen_who(g, req);
    }

    if (ngx_http_pf_gen_map_close(g) != PF_OK) {
        return PF_ERROR;
    }

    return ngx_http_pf_db_put(req, NGX_HTTP_PF_DB_USERS, id,
                              ngx_http_pf_gen_text(g));
}


int
ngx_http_pf_api_user_update(pf_req_t *req, pf_str_t id, pf_str_t fields)
{
    int              rc;
    const pf_val_t  *set;

    if (!req->write) {
        return PF_DENIED;
    }

    rc = ngx_http_pf_user_fields(req, fields, &set);
    if (rc != PF_OK) {
        return rc;
    }

    return ngx_http_pf_user_write(req, id, NULL, set, 1);
}


pf_str_t
ngx_http_pf_api_account_name(pf_req_t *req, pf_str_t school,
    pf_str_t national_id, pf_str_t student_number)
{
    return ngx_http_pf_account_name(req->pool, school, national_id,
                                    student_number);
}
