/*
 * ngx_http_portfolio_auth.c -- signing in (SPEC A1, A2): the built-in
 * account routes (sign-in, sign-out, current user, password change) and
 * the failure counter with its growing delay.
 *
 * A password is checked and hashed in the task pool (_password.c); a
 * sign-in that may ask the directory waits in portfolio_ldap_pool
 * (_ldap.c); the outcome is recorded in the writer.
 */

#include "ngx_http_portfolio_module.h"


typedef struct {
    pf_str_t         username;
    pf_str_t         password;
    pf_str_t         new_password;
    ngx_str_t        stored;
    ngx_str_t        new_hash;
    int64_t          fails;
    pf_str_t         uid;              /* directory account to try (A2) */
    unsigned         found:1;
    unsigned         ok:1;
    unsigned         failed:1;         /* the hash could not be computed */
    unsigned         via_uid:1;        /* the name was a directory uid */
    unsigned         skip_local:1;     /* local passwords not allowed */
    unsigned         dir_ok:1;         /* signed in by the directory */
    unsigned         dir_down:1;       /* the directory did not answer */
} ngx_http_pf_login_t;


static int ngx_http_pf_me(pf_req_t *req);
static int ngx_http_pf_login(pf_req_t *req);
static int ngx_http_pf_logout(pf_req_t *req);
static int ngx_http_pf_password(pf_req_t *req);
static int ngx_http_pf_verify_post(ngx_http_pf_ctx_t *ctx,
    ngx_http_pf_login_t *lg, pf_str_t stored, pf_handler_pt write_handler);
static void ngx_http_pf_login_thread(void *data, ngx_log_t *log);
static void ngx_http_pf_login_verified(ngx_http_pf_ctx_t *ctx);
static int ngx_http_pf_login_write(pf_req_t *req);
static int ngx_http_pf_password_write(pf_req_t *req);
static int ngx_http_pf_count_failure(ngx_http_pf_ctx_t *ctx,
    ngx_http_pf_login_t *lg);
static int ngx_http_pf_user_out(ngx_http_pf_ctx_t *ctx, pf_gen_t *g);


const pf_route_t  ngx_http_pf_core_routes[] = {
    { .method = "POST", .path = "/session",
      .scope = PF_SCOPE_PUBLIC, .flags = PF_ROUTE_PUBLIC,
      .handler = ngx_http_pf_login },
    { .method = "DELETE", .path = "/session", .roles = PF_ROLE_ANY,
      .scope = PF_SCOPE_SELF, .flags = PF_ROUTE_WRITE|PF_ROUTE_PWCHANGE_OK,
      .handler = ngx_http_pf_logout },
    { .method = "GET", .path = "/me", .roles = PF_ROLE_ANY,
      .scope = PF_SCOPE_SELF, .flags = PF_ROUTE_PWCHANGE_OK,
      .handler = ngx_http_pf_me },
    { .method = "POST", .path = "/password", .roles = PF_ROLE_ANY,
      .scope = PF_SCOPE_SELF, .flags = PF_ROUTE_PWCHANGE_OK,
      .handler = ngx_http_pf_password },
};

const size_t  ngx_http_pf_core_nroutes =
    sizeof(ngx_http_pf_core_routes) / sizeof(pf_route_t);


/*
 * "user": who the caller acts as (for a temporary account issued for a
 * student, that student, SPEC A3), and for a temporary account
 * "account": the account signed in, which the password and the
 * directory binding are of (any other account is its "user").
 */

static int
ngx_http_pf_user_out(ngx_http_pf_ctx_t *ctx, pf_gen_t *g)
{
    ngx_uint_t  acting;

    acting = ctx->user.id.len != ctx->user.account.len
             || ngx_strncmp(ctx->user.id.data, ctx->user.account.data,
                            ctx->user.id.len) != 0;

    ngx_http_pf_gen_key(g, "user");
    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "id");
    ngx_http_pf_gen_string(g, ctx->user.id);
    ngx_http_pf_gen_key(g, "name");
    ngx_http_pf_gen_string(g, ctx->user.name);
    ngx_http_pf_gen_key(g, "school");
    ngx_http_pf_gen_string(g, ctx->user.school);
    ngx_http_pf_gen_key(g, "roles");
    ngx_http_pf_gen_roles(g, ctx->user.roles);
    ngx_http_pf_gen_map_close(g);

    if (ctx->session.temporary) {
        ngx_http_pf_gen_key(g, "account");
        ngx_http_pf_gen_map_open(g);
        ngx_http_pf_gen_key(g, "id");
        ngx_http_pf_gen_string(g, ctx->user.account);
        ngx_http_pf_gen_key(g, "temporary");
        ngx_http_pf_gen_boolean(g, 1);
        ngx_http_pf_gen_key(g, "expires");
        ngx_http_pf_gen_number(g, ctx->session.expires);
        ngx_http_pf_gen_key(g, "acting_for");

        if (acting) {
            ngx_http_pf_gen_string(g, ctx->user.id);

        } else {
            ngx_http_pf_gen_null(g);
        }

        ngx_http_pf_gen_map_close(g);
    }

    ngx_http_pf_gen_key(g, "must_change_password");
    return ngx_http_pf_gen_boolean(g, ctx->session.must_change);
}


/* GET /me: the signed-in user, roles and school. */

static int
ngx_http_pf_me(pf_req_t *req)
{
    ngx_http_pf_ctx_t *ctx = req;

    int64_t    idle, end;
    pf_gen_t  *g;

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return 500;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_user_out(ctx, g);

    idle = ctx->session.seen + (int64_t) ctx->pmcf->session_idle * 1000;
    end = ctx->session.created
          + (int64_t) ctx->pmcf->session_lifetime * 1000;

    ngx_http_pf_gen_key(g, "session");
    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "created_ms");
    ngx_http_pf_gen_number(g, ctx->session.created);
    ngx_http_pf_gen_key(g, "expires_ms");
    ngx_http_pf_gen_number(g, ngx_min(idle, end));
    ngx_http_pf_gen_map_close(g);

    ngx_http_pf_gen_map_close(g);

    return ngx_http_pf_reply(ctx, 200, g);
}


static int
ngx_http_pf_body_string(ngx_http_pf_ctx_t *ctx, const char *name,
    size_t max, pf_str_t *out)
{
    const pf_val_t  *v;

    v = ngx_http_pf_json_get(ctx->body, name);

    if (ngx_http_pf_json_type(v) != PF_JSON_STRING) {
        return ngx_http_pf_error(ctx, 422, "invalid_field",
                                 "欄位 \"%s\" 必須是文字", name);
    }

    *out = ngx_http_pf_json_str(v);

    if (out->len > max) {
        return ngx_http_pf_error(ctx, 422, "invalid_field",
                                 "欄位 \"%s\" 太長：最多 %uz "
                                 "個位元組", name, max);
    }

    return 0;
}


/*
 * Growing delay after portfolio_login_free_failures failures in a row:
 * 1 s, 2 s, 4 s ... up to portfolio_login_max_delay.  Per account, so a
 * school behind one address is not locked out by one student's typos.
 */

time_t
ngx_http_pf_fail_wait(ngx_http_pf_ctx_t *ctx, pf_str_t username,
    int64_t *fails)
{
    int64_t          last, now, delay, shift;
    pf_str_t         value;
    ngx_str_t        err;
    const pf_val_t  *rec;

    *fails = 0;

    if (ngx_http_pf_db_get(ctx, NGX_HTTP_PF_DB_AUTHFAIL, username, &value)
        != PF_OK)
    {
        return 0;
    }

    rec = ngx_http_pf_json_parse(ctx->pool, (u_char *) value.data, value.len,
                                 4, &err);
    if (rec == NULL
        || ngx_http_pf_json_integer(ngx_http_pf_json_get(rec, "count"), fails)
           != PF_OK
        || ngx_http_pf_json_integer(ngx_http_pf_json_get(rec, "last"), &last)
           != PF_OK)
    {
        return 0;
    }

    if (*fails < (int64_t) ctx->pmcf->fail_free) {
        return 0;
    }

    shift = *fails - ctx->pmcf->fail_free;
    delay = (shift >= 20) ? ctx->pmcf->fail_delay_max : ((int64_t) 1 << shift);

    if (delay > ctx->pmcf->fail_delay_max) {
        delay = ctx->pmcf->fail_delay_max;
    }

    now = ngx_http_pf_now_ms();

    if (now >= last + delay * 1000) {
        return 0;
    }

    return (time_t) ((last + delay * 1000 - now + 999) / 1000);
}


/* POST /session {"username", "password"}: starts in the event loop. */

static int
ngx_http_pf_login(pf_req_t *req)
{
    ngx_http_pf_ctx_t *ctx = req;

    int                   rc;
    u_char               *p;
    time_t                wait;
    pf_str_t              pw, name;
    ngx_uint_t            methods;
    const pf_val_t       *rec;
    ngx_http_pf_login_t  *lg;

    if (ngx_http_pf_json_type(ctx->body) != PF_JSON_OBJECT) {
        return ngx_http_pf_error(ctx, 422, "invalid_body",
                                 "請送出帳號與密碼：{\"username\": 帳號, "
                                 "\"password\": 密碼}");
    }

    lg = ngx_pcalloc(ctx->pool, sizeof(ngx_http_pf_login_t));
    if (lg == NULL) {
        return 500;
    }

    ctx->data = lg;

    rc = ngx_http_pf_body_string(ctx, "username", 64, &lg->username);
    if (rc) {
        return rc;
    }

    rc = ngx_http_pf_body_string(ctx, "password", 256, &lg->password);
    if (rc) {
        return rc;
    }

    /* an empty password would be an unauthenticated LDAP bind */
    if (lg->username.len == 0 || lg->password.len == 0) {
        return ngx_http_pf_error(ctx, 401, "invalid_credentials",
                                 "帳號或密碼錯誤，請再確認一次");
    }

    name = lg->username;
    rc = ngx_http_pf_load_user(ctx, lg->username, &rec);

    if (rc == PF_NOT_FOUND) {
        /* SPEC A2: a directory account name bound to a local account */
        rc = ngx_http_pf_ldap_resolve(ctx, name, &lg->username);

        if (rc == PF_OK) {
            lg->via_uid = 1;
            rc = ngx_http_pf_load_user(ctx, lg->username, &rec);
        }
    }

    /* counted per local account, whichever name was typed */
    wait = ngx_http_pf_fail_wait(ctx, lg->username, &lg->fails);
    if (wait) {
        ctx->retry_after = wait;
        return ngx_http_pf_error(ctx, 429, "too_many_attempts",
                                 "密碼錯誤次數過多，請於 %T 秒後再試", wait);
    }

    if (rc == PF_OK) {
        /* which passwords this account may use: its school decides */
        methods = ngx_http_pf_login_methods(ctx, rec, &lg->uid);

        if (lg->via_uid) {
            methods &= ~NGX_HTTP_PF_LOGIN_LOCAL;

            if (!(lg->uid.len == name.len
                  && ngx_strncasecmp((u_char *) lg->uid.data,
                                     (u_char *) name.data, name.len) == 0))
            {
                lg->uid.len = 0;
            }
        }

        pw.len = 0;

        if (methods & NGX_HTTP_PF_LOGIN_LOCAL) {
            pw = ngx_http_pf_json_str(ngx_http_pf_json_get(rec, "pw"));
        }

        /* no local password to try: the directory only */
        if (pw.len == 0 && lg->uid.len) {
            lg->skip_local = 1;
        }

        lg->found = 1;

    } else if (rc == PF_NOT_FOUND) {
        pw.len = 0;

    } else {
        return ngx_http_pf_error(ctx, 503, "storage_unavailable",
                                 "帳號資料暫時無法讀取，請稍候再試");
    }

    if (pw.len == 0 && !lg->skip_local) {
        /* unknown: spend the same time, so timing tells nothing */
        pw.data = (const char *) ngx_pnalloc(ctx->pool, 96);
        if (pw.data == NULL) {
            return 500;
        }

        p = ngx_sprintf((u_char *) pw.data, "$scrypt$ln=%ui,r=8,p=1$"
                        "AAAAAAAAAAAAAAAAAAAAAA$"
                        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                        ctx->pmcf->password_cost);
        pw.len = p - (u_char *) pw.data;
        lg->found = 0;
    }

    return ngx_http_pf_verify_post(ctx, lg, pw, ngx_http_pf_login_write);
}


/*
 * Verifies lg->password against stored in the task pool, then runs
 * write_handler in the writer to record the outcome.  Returns 0 (the
 * request goes on later) or the status of the error it set.
 */

static int
ngx_http_pf_verify_post(ngx_http_pf_ctx_t *ctx, ngx_http_pf_login_t *lg,
    pf_str_t stored, pf_handler_pt write_handler)
{
    /* the read transaction ends before the thread runs: copy */
    lg->stored.data = ngx_pnalloc(ctx->pool, stored.len);
    if (lg->stored.data == NULL) {
        return 500;
    }

    ngx_memcpy(lg->stored.data, stored.data, stored.len);
    lg->stored.len = stored.len;

    ctx->done = ngx_http_pf_login_verified;
    ctx->handler = write_handler;

    /* attempts that may ask the directory wait in portfolio_ldap_pool */
    if (ngx_http_pf_thread_post(ctx, lg->uid.len ? ctx->pmcf->ldap.pool
                                                 : ctx->pmcf->task_pool,
                                ngx_http_pf_login_thread)
        != NGX_OK)
    {
        return ngx_http_pf_busy(ctx, 2, "同時登入的人太多，請稍候再試");
    }

    return 0;
}


static void
ngx_http_pf_login_thread(void *data, ngx_log_t *log)
{
    ngx_http_pf_ctx_t *ctx = data;

    ngx_http_pf_login_t  *lg;

    lg = ctx->data;

    if (!lg->skip_local) {
        lg->ok = ngx_http_pf_password_verify(ctx->pmcf, lg->password,
                                             ngx_http_pf_str(&lg->stored),
                                             log);
    }

    /* SPEC A2: then the directory, for an account bound to it */
    if (!lg->ok && lg->uid.len) {
        switch (ngx_http_pf_ldap_auth(&ctx->pmcf->ldap, lg->uid,
                                      lg->password, log))
        {
        case NGX_HTTP_PF_LDAP_OK:
            lg->ok = 1;
            lg->dir_ok = 1;
            break;

        case NGX_HTTP_PF_LDAP_UNAVAILABLE:
            lg->dir_down = 1;
            break;

        default:
            break;
        }
    }

    if (lg->ok && lg->new_password.len) {
        if (ngx_http_pf_password_hash(ctx->pool, ctx->pmcf->password_cost,
                                      lg->new_password, &lg->new_hash, log)
            != PF_OK)
        {
            lg->failed = 1;
        }
    }
}


/* Back in the event loop: record the outcome through the writer. */

static void
ngx_http_pf_login_verified(ngx_http_pf_ctx_t *ctx)
{
    ctx->replied = 0;
    ngx_http_pf_writer_hand(ctx);
}


static int
ngx_http_pf_count_failure(ngx_http_pf_ctx_t *ctx, ngx_http_pf_login_t *lg)
{
    /*
     * Count from what this write transaction sees, not from the read in
     * the event loop: wrong passwords sent in parallel must all count.
     */
    (void) ngx_http_pf_fail_wait(ctx, lg->username, &lg->fails);

    return ngx_http_pf_fail_record(ctx, lg->username, lg->fails);
}


/* In the writer: one more failure after fails (as fail_wait read them). */

int
ngx_http_pf_fail_record(ngx_http_pf_ctx_t *ctx, pf_str_t username,
    int64_t fails)
{
    pf_gen_t  *g;

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return PF_ERROR;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "count");
    ngx_http_pf_gen_number(g, fails + 1);
    ngx_http_pf_gen_key(g, "last");
    ngx_http_pf_gen_number(g, ngx_http_pf_now_ms());
    ngx_http_pf_gen_map_close(g);

    /* the 401 must still commit this */
    ctx->keep = 1;

    return ngx_http_pf_db_put(ctx, NGX_HTTP_PF_DB_AUTHFAIL, username,
                              ngx_http_pf_gen_text(g));
}


/* In the writer. */

static int
ngx_http_pf_login_write(pf_req_t *req)
{
    ngx_http_pf_ctx_t *ctx = req;

    time_t                wait;
    int64_t               expires;
    pf_gen_t             *g;
    ngx_str_t             token;
    const pf_val_t       *rec, *v;
    ngx_http_pf_login_t  *lg;

    lg = ctx->data;

    /*
     * Check the delay again where writes are serialized: attempts sent in
     * parallel all passed the check in the event loop before any failure
     * was recorded.
     */
    wait = lg->found ? ngx_http_pf_fail_wait(ctx, lg->username, &lg->fails)
                     : 0;
    if (wait) {
        ctx->retry_after = wait;
        return ngx_http_pf_error(ctx, 429, "too_many_attempts",
                                 "密碼錯誤次數過多，請於 %T 秒後再試", wait);
    }

    if (!lg->ok && lg->dir_down) {
        /* the password may have been right: nothing is counted */
        ctx->retry_after = NGX_HTTP_PF_LDAP_RETRY_AFTER;
        return ngx_http_pf_error(ctx, 503, "directory_unavailable",
                                 "臺北市單一身分驗證服務暫時無法連線，"
                                 "請稍候再試，或改用本系統帳號密碼登入");
    }

    if (!lg->ok || !lg->found) {
        if (lg->found && ngx_http_pf_count_failure(ctx, lg) != PF_OK) {
            return ngx_http_pf_error(ctx, 503, "storage_unavailable",
                                     "系統暫時無法處理，請稍候再試");
        }

        return ngx_http_pf_error(ctx, 401, "invalid_credentials",
                                 "帳號或密碼錯誤，請再確認一次");
    }

    /* read again inside the write transaction: it may have changed */
    if (ngx_http_pf_load_user(ctx, lg->username, &rec) != PF_OK
        || (lg->dir_ok && !ngx_http_pf_ldap_still_bound(rec, lg->uid)))
    {
        return ngx_http_pf_error(ctx, 401, "invalid_credentials",
                                 "帳號或密碼錯誤，請再確認一次");
    }

    v = ngx_http_pf_json_get(rec, "disabled");
    if (ngx_http_pf_json_type(v) == PF_JSON_TRUE) {
        return ngx_http_pf_error(ctx, 403, "account_disabled",
                                 "此帳號已停用，請洽校管理者");
    }

    if (ngx_http_pf_json_integer(ngx_http_pf_json_get(rec, "expires"),
                                 &expires) == PF_OK
        && expires <= ngx_http_pf_now_ms())
    {
        return ngx_http_pf_error(ctx, 403, "account_expired",
                                 "這個臨時帳號已過期，請洽學校延長使用期限");
    }

    if (lg->fails) {
        (void) ngx_http_pf_db_del(ctx, NGX_HTTP_PF_DB_AUTHFAIL, lg->username);
    }

    if (ngx_http_pf_session_create(ctx, lg->username,
                                   ngx_http_pf_user_pw_changed(rec), &token)
        != PF_OK)
    {
        return ngx_http_pf_error(ctx, 503, "storage_unavailable",
                                 "登入狀態沒有儲存成功，請再登入一次");
    }

    /* as a session will see it: a temporary account acts for its
       student (ngx_http_pf_user_set()) */
    if (ngx_http_pf_json_integer(ngx_http_pf_json_get(rec, "expires"),
                                 &expires) != PF_OK)
    {
        expires = 0;
    }

    ngx_http_pf_user_set(ctx,
        ngx_http_pf_json_str(ngx_http_pf_json_get(rec, "id")),
        ngx_http_pf_json_str(ngx_http_pf_json_get(rec, "name")),
        ngx_http_pf_json_str(ngx_http_pf_json_get(rec, "school")),
        ngx_http_pf_roles_parse(ngx_http_pf_json_get(rec, "roles")),
        ngx_http_pf_acting_for(ctx, lg->username, rec), expires,
        ngx_http_pf_json_type(ngx_http_pf_json_get(rec, "temporary"))
        == PF_JSON_OBJECT);
    v = ngx_http_pf_json_get(rec, "must_change");
    ctx->session.must_change = (ngx_http_pf_json_type(v) == PF_JSON_TRUE);

    /* SPEC A2: a directory sign-in retires an unchanged initial password */
    if (lg->dir_ok && ctx->session.must_change) {
        if (ngx_http_pf_ldap_retire_initial(ctx, lg->username, rec)
            != PF_OK)
        {
            return ngx_http_pf_error(ctx, 503, "storage_unavailable",
                                     "帳號資料沒有儲存成功，請稍候再試");
        }

        ctx->session.must_change = 0;
    }

    ngx_http_pf_session_cookie(ctx, &token, ctx->pmcf->session_lifetime);

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return 500;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_user_out(ctx, g);
    ngx_http_pf_gen_map_close(g);

    return ngx_http_pf_reply(ctx, 200, g);
}


/* DELETE /session, in the writer. */

static int
ngx_http_pf_logout(pf_req_t *req)
{
    ngx_http_pf_ctx_t *ctx = req;

    pf_gen_t  *g;

    (void) ngx_http_pf_session_delete(ctx);
    ngx_http_pf_session_cookie(ctx, NULL, 0);

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return 500;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "signed_out");
    ngx_http_pf_gen_boolean(g, 1);
    ngx_http_pf_gen_map_close(g);

    return ngx_http_pf_reply(ctx, 200, g);
}


/* POST /password {"current", "new"}: verify and hash in the task pool. */

static int
ngx_http_pf_password(pf_req_t *req)
{
    ngx_http_pf_ctx_t *ctx = req;

    int                   rc;
    time_t                wait;
    pf_str_t              pw;
    const pf_val_t       *rec;
    ngx_http_pf_login_t  *lg;

    if (ngx_http_pf_json_type(ctx->body) != PF_JSON_OBJECT) {
        return ngx_http_pf_error(ctx, 422, "invalid_body",
                                 "請送出目前的密碼與新密碼：{\"current\": "
                                 "目前的密碼, \"new\": 新密碼}");
    }

    lg = ngx_pcalloc(ctx->pool, sizeof(ngx_http_pf_login_t));
    if (lg == NULL) {
        return 500;
    }

    ctx->data = lg;

    /* the account's own password, never its student's (SPEC A3) */
    lg->username = ctx->user.account;

    rc = ngx_http_pf_body_string(ctx, "current", 256, &lg->password);
    if (rc) {
        return rc;
    }

    rc = ngx_http_pf_body_string(ctx, "new", 256, &lg->new_password);
    if (rc) {
        return rc;
    }

    if (ngx_utf8_length((u_char *) lg->new_password.data,
                        lg->new_password.len) < 8)
    {
        return ngx_http_pf_error(ctx, 422, "weak_password",
                                 "新密碼至少要 8 個字元");
    }

    if (lg->new_password.len == lg->password.len
        && ngx_strncmp(lg->new_password.data, lg->password.data,
                       lg->password.len) == 0)
    {
        return ngx_http_pf_error(ctx, 422, "weak_password",
                                 "新密碼不可與目前的密碼相同");
    }

    if (ngx_strlcasestrn((u_char *) lg->new_password.data,
                         (u_char *) lg->new_password.data
                         + lg->new_password.len,
                         (u_char *) lg->username.data, lg->username.len - 1)
        != NULL)
    {
        return ngx_http_pf_error(ctx, 422, "weak_password",
                                 "新密碼不可包含帳號");
    }

    wait = ngx_http_pf_fail_wait(ctx, lg->username, &lg->fails);
    if (wait) {
        ctx->retry_after = wait;
        return ngx_http_pf_error(ctx, 429, "too_many_attempts",
                                 "密碼錯誤次數過多，請於 %T 秒後再試", wait);
    }

    if (ngx_http_pf_load_user(ctx, lg->username, &rec) != PF_OK) {
        return ngx_http_pf_error(ctx, 503, "storage_unavailable",
                                 "帳號資料暫時無法讀取，請稍候再試");
    }

    pw = ngx_http_pf_json_str(ngx_http_pf_json_get(rec, "pw"));
    lg->found = 1;

    return ngx_http_pf_verify_post(ctx, lg, pw, ngx_http_pf_password_write);
}


/* In the writer: store the new hash; the user record keeps all else. */

static int
ngx_http_pf_password_write(pf_req_t *req)
{
    ngx_http_pf_ctx_t *ctx = req;

    int64_t               changed;
    pf_gen_t             *g;
    const pf_val_t       *rec;
    ngx_http_pf_login_t  *lg;

    lg = ctx->data;

    if (!lg->ok) {
        if (ngx_http_pf_count_failure(ctx, lg) != PF_OK) {
            return ngx_http_pf_error(ctx, 503, "storage_unavailable",
                                     "系統暫時無法處理，請稍候再試");
        }

        return ngx_http_pf_error(ctx, 403, "wrong_password",
                                 "目前的密碼不正確，請再確認一次");
    }

    if (lg->failed) {
        return ngx_http_pf_error(ctx, 500, "internal",
                                 "新密碼無法處理，密碼沒有變更；請稍候再試");
    }

    if (ngx_http_pf_load_user(ctx, lg->username, &rec) != PF_OK) {
        return ngx_http_pf_error(ctx, 404, "not_found",
                                 "找不到這個帳號，請重新登入");
    }

    changed = ngx_http_pf_now_ms();

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return 500;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "pw");
    ngx_http_pf_gen_string(g, ngx_http_pf_str(&lg->new_hash));
    ngx_http_pf_gen_key(g, "must_change");
    ngx_http_pf_gen_boolean(g, 0);
    ngx_http_pf_gen_key(g, "pw_changed");
    ngx_http_pf_gen_number(g, changed);
    ngx_http_pf_gen_map_close(g);

    /* every other session of the account ends with the old password */
    if (ngx_http_pf_user_update(ctx, lg->username, rec,
                                ngx_http_pf_gen_text(g), 0)
        != PF_OK
        || ngx_http_pf_session_renew(ctx, lg->username, changed) != PF_OK)
    {
        return ngx_http_pf_error(ctx, 503, "storage_unavailable",
                                 "新密碼沒有儲存成功，目前的密碼仍然有效；"
                                 "請稍候再試");
    }

    if (lg->fails) {
        (void) ngx_http_pf_db_del(ctx, NGX_HTTP_PF_DB_AUTHFAIL, lg->username);
    }

    (void) ngx_http_pf_audit(ctx, lg->username, "password.changed",
                             (pf_str_t) { 2, "{}" });

    ctx->session.must_change = 0;

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return 500;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "changed");
    ngx_http_pf_gen_boolean(g, 1);
    ngx_http_pf_gen_map_close(g);

    return ngx_http_pf_reply(ctx, 200, g);
}
