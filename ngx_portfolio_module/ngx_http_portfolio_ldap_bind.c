/*
 * ngx_http_portfolio_ldap_bind.c -- local accounts bound to directory
 * accounts (SPEC A2): what sign-in asks of a binding (_auth.c), the routes
 * that make and drop one (GET, POST, DELETE /me/directory), and the
 * bootstrap file's bindings.
 *
 * Bindings: the user record carries "directory": "<uid>" (as verified at
 * binding time), and the "directory" database maps the uid, ASCII
 * lower-cased (uid matching is case-insensitive in the directory), to
 * {"user": "<local account>"}, so one directory account is bound to at
 * most one local account.
 *
 * The bind itself runs in a thread of portfolio_ldap_pool (_ldap.c).
 *
 * A binding is the signed-in account's (ctx->user.account): a temporary
 * account acting for a student (SPEC A3) binds nothing, neither for the
 * student nor for itself -- it is short-lived, and the directory account
 * it took would be refused to the student's own account later.
 */

#include "ngx_http_portfolio_module.h"


/* POST /me/directory: what the thread and the writer share. */
typedef struct {
    pf_str_t             uid;
    pf_str_t             password;
    int64_t              fails;
    ngx_int_t            result;
} ngx_http_pf_ldap_bind_t;


static int ngx_http_pf_ldap_get(pf_req_t *req);
static int ngx_http_pf_ldap_bind(pf_req_t *req);
static void ngx_http_pf_ldap_bind_thread(void *data, ngx_log_t *log);
static void ngx_http_pf_ldap_bind_done(ngx_http_pf_ctx_t *ctx);
static int ngx_http_pf_ldap_bind_write(pf_req_t *req);
static int ngx_http_pf_ldap_unbind(pf_req_t *req);


const pf_route_t  ngx_http_pf_ldap_routes[] = {
    { .method = "GET", .path = "/me/directory", .roles = PF_ROLE_ANY,
      .scope = PF_SCOPE_SELF, .handler = ngx_http_pf_ldap_get },
    { .method = "POST", .path = "/me/directory", .roles = PF_ROLE_ANY,
      .scope = PF_SCOPE_SELF, .handler = ngx_http_pf_ldap_bind },
    { .method = "DELETE", .path = "/me/directory", .roles = PF_ROLE_ANY,
      .scope = PF_SCOPE_SELF, .flags = PF_ROUTE_WRITE,
      .handler = ngx_http_pf_ldap_unbind },
};

const size_t  ngx_http_pf_ldap_nroutes =
    sizeof(ngx_http_pf_ldap_routes) / sizeof(pf_route_t);


/* Sign-in support (_auth.c). */

/* The index key of a uid: ASCII lower case, as the directory matches. */

static pf_str_t
ngx_http_pf_ldap_key(ngx_pool_t *pool, pf_str_t uid)
{
    u_char    *p;
    size_t     i;
    pf_str_t   key;

    p = ngx_pnalloc(pool, uid.len ? uid.len : 1);
    if (p == NULL) {
        return (pf_str_t) { 0, NULL };
    }

    for (i = 0; i < uid.len; i++) {
        p[i] = ngx_tolower((u_char) uid.data[i]);
    }

    key.data = (const char *) p;
    key.len = uid.len;

    return key;
}


static ngx_uint_t
ngx_http_pf_ldap_same(pf_str_t a, pf_str_t b)
{
    return a.len == b.len
           && ngx_strncasecmp((u_char *) a.data, (u_char *) b.data, a.len)
              == 0;
}


static pf_str_t
ngx_http_pf_ldap_copy(ngx_pool_t *pool, pf_str_t s)
{
    u_char  *p;

    p = ngx_pnalloc(pool, s.len ? s.len : 1);
    if (p == NULL) {
        return (pf_str_t) { 0, NULL };
    }

    ngx_memcpy(p, s.data, s.len);

    return (pf_str_t) { s.len, (const char *) p };
}


/* The local account a directory account name is bound to, if any. */

int
ngx_http_pf_ldap_resolve(ngx_http_pf_ctx_t *ctx, pf_str_t name,
    pf_str_t *account)
{
    pf_str_t         key, value;
    ngx_str_t        err;
    const pf_val_t  *rec;

    if (ctx->pmcf->ldap.url.len == 0 || name.len == 0
        || name.len > NGX_HTTP_PF_LDAP_MAX_UID)
    {
        return PF_NOT_FOUND;
    }

    key = ngx_http_pf_ldap_key(ctx->pool, name);
    if (key.data == NULL) {
        return PF_ERROR;
    }

    if (ngx_http_pf_db_get(ctx, NGX_HTTP_PF_DB_DIRECTORY, key, &value)
        != PF_OK)
    {
        return PF_NOT_FOUND;
    }

    rec = ngx_http_pf_json_parse(ctx->pool, (u_char *) value.data, value.len,
                                 4, &err);

    *account = ngx_http_pf_json_str(ngx_http_pf_json_get(rec, "user"));
    if (account->len == 0) {
        return PF_NOT_FOUND;
    }

    *account = ngx_http_pf_ldap_copy(ctx->pool, *account);

    return account->data ? PF_OK : PF_ERROR;
}


/*
 * The sign-in methods an account may use: its school's "login_methods"
 * setting (school -> city -> nation; "local", "directory" or "both", the
 * default), plus local passwords for a "break_glass" account; directory
 * sign-in only when a directory is configured.  *uid is the account's
 * binding (a copy) when directory sign-in is possible, else empty.
 */

ngx_uint_t
ngx_http_pf_login_methods(ngx_http_pf_ctx_t *ctx, const pf_val_t *rec,
    pf_str_t *uid)
{
    pf_str_t    school, v;
    ngx_uint_t  methods;

    uid->len = 0;
    uid->data = NULL;

    school = ngx_http_pf_json_str(ngx_http_pf_json_get(rec, "school"));
    v = ngx_http_pf_host_api.setting_in(ctx, school, "login_methods");

    if (v.len == 5 && ngx_strncmp(v.data, "local", 5) == 0) {
        methods = NGX_HTTP_PF_LOGIN_LOCAL;

    } else if (v.len == 9 && ngx_strncmp(v.data, "directory", 9) == 0) {
        methods = NGX_HTTP_PF_LOGIN_DIRECTORY;

    } else {
        if (v.len && !(v.len == 4 && ngx_strncmp(v.data, "both", 4) == 0)) {
            ngx_log_error(NGX_LOG_WARN, ctx->log, 0,
                          "portfolio: setting login_methods of school "
                          "\"%*s\" is \"%*s\", not local, directory or "
                          "both: both are allowed", school.len, school.data,
                          v.len, v.data);
        }

        methods = NGX_HTTP_PF_LOGIN_LOCAL|NGX_HTTP_PF_LOGIN_DIRECTORY;
    }

    if (ngx_http_pf_json_type(ngx_http_pf_json_get(rec, "break_glass"))
        == PF_JSON_TRUE)
    {
        methods |= NGX_HTTP_PF_LOGIN_LOCAL;
    }

    if (ctx->pmcf->ldap.url.len == 0) {
        methods &= ~NGX_HTTP_PF_LOGIN_DIRECTORY;
    }

    if (methods & NGX_HTTP_PF_LOGIN_DIRECTORY) {
        v = ngx_http_pf_json_str(ngx_http_pf_json_get(rec, "directory"));

        if (v.len && v.len <= NGX_HTTP_PF_LDAP_MAX_UID) {
            *uid = ngx_http_pf_ldap_copy(ctx->pool, v);
        }
    }

    return methods;
}


/* In the writer: the record still carries the binding that was used. */

ngx_uint_t
ngx_http_pf_ldap_still_bound(const pf_val_t *rec, pf_str_t uid)
{
    return ngx_http_pf_ldap_same(
               ngx_http_pf_json_str(ngx_http_pf_json_get(rec, "directory")),
               uid);
}


/* Rewrites the user record with "directory" set to uid, or without it. */

static int
ngx_http_pf_ldap_user_put(ngx_http_pf_ctx_t *ctx, const pf_val_t *rec,
    pf_str_t uid)
{
    pf_gen_t  *g;

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return PF_ERROR;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "directory");

    if (uid.len) {
        ngx_http_pf_gen_string(g, uid);

    } else {
        ngx_http_pf_gen_null(g);
    }

    if (ngx_http_pf_gen_map_close(g) != PF_OK) {
        return PF_ERROR;
    }

    return ngx_http_pf_user_update(ctx, ctx->user.account, rec,
                                   ngx_http_pf_gen_text(g), 0);
}


/*
 * In the writer, after a directory sign-in of an account whose initial
 * password was never changed: that password is dropped, so the account
 * needs no change and the initial password no longer signs in.
 */

int
ngx_http_pf_ldap_retire_initial(ngx_http_pf_ctx_t *ctx, pf_str_t id,
    const pf_val_t *rec)
{
    if (ngx_http_pf_user_update(ctx, id, rec,
                                pf_string("{\"pw\":null,"
                                          "\"must_change\":false}"), 0)
        != PF_OK)
    {
        return PF_ERROR;
    }

    (void) ngx_http_pf_audit(ctx, id, "password.retired",
                             (pf_str_t) { 2, "{}" });

    return PF_OK;
}


/* The user's directory binding record, or an empty uid. */

static int
ngx_http_pf_ldap_binding(ngx_http_pf_ctx_t *ctx, const pf_val_t **rec,
    pf_str_t *uid)
{
    if (ngx_http_pf_load_user(ctx, ctx->user.account, rec) != PF_OK) {
        return PF_ERROR;
    }

    *uid = ngx_http_pf_json_str(ngx_http_pf_json_get(*rec, "directory"));

    return PF_OK;
}


/* GET /me/directory */

static int
ngx_http_pf_ldap_get(pf_req_t *req)
{
    ngx_http_pf_ctx_t *ctx = req;

    pf_str_t         uid, usable;
    pf_gen_t        *g;
    ngx_uint_t       methods;
    const pf_val_t  *rec;

    if (ngx_http_pf_ldap_binding(ctx, &rec, &uid) != PF_OK) {
        return ngx_http_pf_error(ctx, 503, "storage_unavailable",
                                 "帳號資料暫時無法讀取，請稍候再試");
    }

    methods = ngx_http_pf_login_methods(ctx, rec, &usable);

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return 500;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "configured");
    ngx_http_pf_gen_boolean(g, ctx->pmcf->ldap.url.len != 0);
    ngx_http_pf_gen_key(g, "directory");

    if (uid.len) {
        ngx_http_pf_gen_string(g, uid);
    } else {
        ngx_http_pf_gen_null(g);
    }

    ngx_http_pf_gen_key(g, "methods");
    ngx_http_pf_gen_array_open(g);

    if (methods & NGX_HTTP_PF_LOGIN_LOCAL) {
        ngx_http_pf_gen_cstring(g, "local");
    }

    if (methods & NGX_HTTP_PF_LOGIN_DIRECTORY) {
        ngx_http_pf_gen_cstring(g, "directory");
    }

    ngx_http_pf_gen_array_close(g);
    ngx_http_pf_gen_map_close(g);

    return ngx_http_pf_reply(ctx, 200, g);
}


static int
ngx_http_pf_ldap_field(ngx_http_pf_ctx_t *ctx, const char *name, size_t max,
    pf_str_t *out)
{
    size_t           i;
    const pf_val_t  *v;

    v = ngx_http_pf_json_get(ctx->body, name);

    if (ngx_http_pf_json_type(v) != PF_JSON_STRING) {
        return ngx_http_pf_error(ctx, 422, "invalid_field",
                                 "欄位 \"%s\" 必須是文字", name);
    }

    *out = ngx_http_pf_json_str(v);

    if (out->len == 0 || out->len > max) {
        return ngx_http_pf_error(ctx, 422, "invalid_field",
                                 "欄位 \"%s\" 要 1 到 %uz "
                                 "個位元組", name, max);
    }

    for (i = 0; i < out->len; i++) {
        if ((u_char) out->data[i] < 0x20) {
            return ngx_http_pf_error(ctx, 422, "invalid_field",
                                     "欄位 \"%s\" 不可含控制字元",
                                     name);
        }
    }

    return 0;
}


/*
 * POST /me/directory {"username", "password"}: binds to the directory
 * with them (in a thread), then records the binding in the writer.
 */

static int
ngx_http_pf_ldap_bind(pf_req_t *req)
{
    ngx_http_pf_ctx_t *ctx = req;

    int                       rc;
    time_t                    wait;
    pf_str_t                  uid, account;
    ngx_uint_t                methods;
    const pf_val_t           *rec;
    ngx_http_pf_ldap_bind_t  *st;

    if (ctx->session.temporary) {
        return ngx_http_pf_error(ctx, 403, "temporary_account",
                                 "臨時帳號不能綁定臺北市單一身分驗證帳號；"
                                 "請學生以自己的帳號登入後綁定");
    }

    if (ngx_http_pf_json_type(ctx->body) != PF_JSON_OBJECT) {
        return ngx_http_pf_error(ctx, 422, "invalid_body",
                                 "請送出單一身分驗證的帳號與密碼："
                                 "{\"username\": 帳號, \"password\": 密碼}");
    }

    st = ngx_pcalloc(ctx->pool, sizeof(ngx_http_pf_ldap_bind_t));
    if (st == NULL) {
        return 500;
    }

    ctx->data = st;

    rc = ngx_http_pf_ldap_field(ctx, "username", NGX_HTTP_PF_LDAP_MAX_UID,
                                &st->uid);
    if (rc) {
        return rc;
    }

    /* an empty password never reaches the directory */
    rc = ngx_http_pf_ldap_field(ctx, "password", 256, &st->password);
    if (rc) {
        return rc;
    }

    if (ctx->pmcf->ldap.url.len == 0) {
        return ngx_http_pf_error(ctx, 404, "directory_not_configured",
                                 "本系統尚未設定臺北市單一身分驗證服務");
    }

    if (ngx_http_pf_load_user(ctx, ctx->user.account, &rec) != PF_OK) {
        return ngx_http_pf_error(ctx, 503, "storage_unavailable",
                                 "帳號資料暫時無法讀取，請稍候再試");
    }

    methods = ngx_http_pf_login_methods(ctx, rec, &uid);
    if (!(methods & NGX_HTTP_PF_LOGIN_DIRECTORY)) {
        return ngx_http_pf_error(ctx, 403, "directory_not_allowed",
                                 "本校只開放本系統帳號密碼登入，"
                                 "不能綁定單一身分驗證帳號");
    }

    wait = ngx_http_pf_fail_wait(ctx, ctx->user.account, &st->fails);
    if (wait) {
        ctx->retry_after = wait;
        return ngx_http_pf_error(ctx, 429, "too_many_attempts",
                                 "密碼錯誤次數過多，請於 %T 秒後再試", wait);
    }

    /* refused early without asking the directory; checked again later */
    rc = ngx_http_pf_ldap_resolve(ctx, st->uid, &account);
    if (rc == PF_OK
        && !(account.len == ctx->user.account.len
             && ngx_strncmp(account.data, ctx->user.account.data, account.len)
                == 0))
    {
        return ngx_http_pf_error(ctx, 409, "conflict",
                                 "這個單一身分驗證帳號已綁定本系統的其他帳號");
    }

    ctx->done = ngx_http_pf_ldap_bind_done;
    ctx->handler = ngx_http_pf_ldap_bind_write;

    if (ngx_http_pf_thread_post(ctx, ctx->pmcf->ldap.pool,
                                ngx_http_pf_ldap_bind_thread)
        != NGX_OK)
    {
        return ngx_http_pf_busy(ctx, 2, "同時登入的人太多，請稍候再試");
    }

    return 0;
}


static void
ngx_http_pf_ldap_bind_thread(void *data, ngx_log_t *log)
{
    ngx_http_pf_ctx_t *ctx = data;

    ngx_http_pf_ldap_bind_t  *st;

    st = ctx->data;
    st->result = ngx_http_pf_ldap_auth(&ctx->pmcf->ldap, st->uid,
                                       st->password, log);
}


static void
ngx_http_pf_ldap_bind_done(ngx_http_pf_ctx_t *ctx)
{
    ctx->replied = 0;
    ngx_http_pf_writer_hand(ctx);
}


/* In the writer. */

static int
ngx_http_pf_ldap_bind_write(pf_req_t *req)
{
    ngx_http_pf_ctx_t *ctx = req;

    time_t                    wait;
    pf_str_t                  key, old, okey, value, account;
    pf_gen_t                 *g;
    ngx_str_t                 err;
    const pf_val_t           *rec, *idx;
    ngx_http_pf_ldap_bind_t  *st;

    st = ctx->data;

    if (st->result == NGX_HTTP_PF_LDAP_UNAVAILABLE) {
        ctx->retry_after = NGX_HTTP_PF_LDAP_RETRY_AFTER;
        return ngx_http_pf_error(ctx, 503, "directory_unavailable",
                                 "臺北市單一身分驗證服務暫時無法連線，"
                                 "請稍候再試");
    }

    wait = ngx_http_pf_fail_wait(ctx, ctx->user.account, &st->fails);
    if (wait) {
        ctx->retry_after = wait;
        return ngx_http_pf_error(ctx, 429, "too_many_attempts",
                                 "密碼錯誤次數過多，請於 %T 秒後再試", wait);
    }

    if (st->result != NGX_HTTP_PF_LDAP_OK) {
        if (ngx_http_pf_fail_record(ctx, ctx->user.account, st->fails)
            != PF_OK)
        {
            return ngx_http_pf_error(ctx, 503, "storage_unavailable",
                                     "系統暫時無法處理，請稍候再試");
        }

        return ngx_http_pf_error(ctx, 403, "invalid_credentials",
                                 "單一身分驗證服務不接受這組帳號與密碼，"
                                 "請再確認一次");
    }

    key = ngx_http_pf_ldap_key(ctx->pool, st->uid);
    if (key.data == NULL) {
        return 500;
    }

    if (ngx_http_pf_db_get(ctx, NGX_HTTP_PF_DB_DIRECTORY, key, &value)
        == PF_OK)
    {
        idx = ngx_http_pf_json_parse(ctx->pool, (u_char *) value.data,
                                     value.len, 4, &err);
        account = ngx_http_pf_json_str(ngx_http_pf_json_get(idx, "user"));

        if (!(account.len == ctx->user.account.len
              && ngx_strncmp(account.data, ctx->user.account.data, account.len)
                 == 0))
        {
            return ngx_http_pf_error(ctx, 409, "conflict",
                                     "這個單一身分驗證帳號已綁定本系統的"
                                     "其他帳號");
        }
    }

    if (ngx_http_pf_ldap_binding(ctx, &rec, &old) != PF_OK) {
        return ngx_http_pf_error(ctx, 503, "storage_unavailable",
                                 "帳號資料暫時無法讀取，請稍候再試");
    }

    if (old.len && !ngx_http_pf_ldap_same(old, st->uid)) {
        okey = ngx_http_pf_ldap_key(ctx->pool, old);
        if (okey.data == NULL) {
            return 500;
        }

        (void) ngx_http_pf_db_del(ctx, NGX_HTTP_PF_DB_DIRECTORY, okey);
    }

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return 500;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "user");
    ngx_http_pf_gen_string(g, ctx->user.account);
    ngx_http_pf_gen_key(g, "uid");
    ngx_http_pf_gen_string(g, st->uid);
    ngx_http_pf_gen_key(g, "at");
    ngx_http_pf_gen_number(g, ngx_http_pf_now_ms());
    ngx_http_pf_gen_map_close(g);

    if (ngx_http_pf_ldap_user_put(ctx, rec, st->uid) != PF_OK
        || ngx_http_pf_db_put(ctx, NGX_HTTP_PF_DB_DIRECTORY, key,
                              ngx_http_pf_gen_text(g))
           != PF_OK)
    {
        return ngx_http_pf_error(ctx, 503, "storage_unavailable",
                                 "綁定沒有儲存成功，請稍候再試");
    }

    if (st->fails) {
        (void) ngx_http_pf_db_del(ctx, NGX_HTTP_PF_DB_AUTHFAIL,
                                  ctx->user.account);
    }

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return 500;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "uid");
    ngx_http_pf_gen_string(g, st->uid);
    ngx_http_pf_gen_map_close(g);

    (void) ngx_http_pf_audit(ctx, ctx->user.account, "directory.bound",
                             ngx_http_pf_gen_text(g));

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return 500;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "directory");
    ngx_http_pf_gen_string(g, st->uid);
    ngx_http_pf_gen_map_close(g);

    return ngx_http_pf_reply(ctx, 200, g);
}


/* DELETE /me/directory, in the writer. */

static int
ngx_http_pf_ldap_unbind(pf_req_t *req)
{
    ngx_http_pf_ctx_t *ctx = req;

    pf_str_t         old, key, value, account, uid;
    pf_gen_t        *g;
    ngx_str_t        err;
    ngx_uint_t       methods;
    const pf_val_t  *rec, *idx;

    if (ngx_http_pf_ldap_binding(ctx, &rec, &old) != PF_OK) {
        return ngx_http_pf_error(ctx, 503, "storage_unavailable",
                                 "帳號資料暫時無法讀取，請稍候再試");
    }

    if (old.len == 0) {
        return ngx_http_pf_error(ctx, 404, "not_found",
                                 "您的帳號沒有綁定單一身分驗證帳號");
    }

    /* never leave an account nobody can sign in to */
    methods = ngx_http_pf_login_methods(ctx, rec, &uid);

    if (!(methods & NGX_HTTP_PF_LOGIN_LOCAL)) {
        return ngx_http_pf_error(ctx, 403, "directory_required",
                                 "本校只開放以單一身分驗證登入，不能解除綁定");
    }

    if (ngx_http_pf_json_str(ngx_http_pf_json_get(rec, "pw")).len == 0) {
        return ngx_http_pf_error(ctx, 403, "directory_required",
                                 "這個帳號沒有本系統的密碼，"
                                 "解除綁定後將無法登入；"
                                 "請先請校管理者設定密碼");
    }

    key = ngx_http_pf_ldap_key(ctx->pool, old);
    if (key.data == NULL) {
        return 500;
    }

    if (ngx_http_pf_db_get(ctx, NGX_HTTP_PF_DB_DIRECTORY, key, &value)
        == PF_OK)
    {
        idx = ngx_http_pf_json_parse(ctx->pool, (u_char *) value.data,
                                     value.len, 4, &err);
        account = ngx_http_pf_json_str(ngx_http_pf_json_get(idx, "user"));

        if (account.len == ctx->user.account.len
            && ngx_strncmp(account.data, ctx->user.account.data, account.len)
               == 0)
        {
            (void) ngx_http_pf_db_del(ctx, NGX_HTTP_PF_DB_DIRECTORY, key);
        }
    }

    if (ngx_http_pf_ldap_user_put(ctx, rec, (pf_str_t) { 0, NULL })
        != PF_OK)
    {
        return ngx_http_pf_error(ctx, 503, "storage_unavailable",
                                 "帳號資料沒有儲存成功，請稍候再試");
    }

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return 500;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "uid");
    ngx_http_pf_gen_string(g, old);
    ngx_http_pf_gen_map_close(g);

    (void) ngx_http_pf_audit(ctx, ctx->user.account, "directory.unbound",
                             ngx_http_pf_gen_text(g));

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return 500;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "directory");
    ngx_http_pf_gen_null(g);
    ngx_http_pf_gen_map_close(g);

    return ngx_http_pf_reply(ctx, 200, g);
}


/*
 * The bootstrap file's "directory" for a new user: its index entry.  In
 * the master's bootstrap transaction.
 */

int
ngx_http_pf_ldap_bootstrap_bind(ngx_http_pf_ctx_t *ctx, pf_str_t id,
    pf_str_t uid)
{
    pf_str_t   key, value;
    pf_gen_t  *g;

    if (uid.len == 0 || uid.len > NGX_HTTP_PF_LDAP_MAX_UID) {
        ngx_log_error(NGX_LOG_EMERG, ctx->log, 0,
                      "portfolio_bootstrap: user \"%*s\": \"directory\" "
                      "must be 1 to %d bytes", id.len, id.data,
                      NGX_HTTP_PF_LDAP_MAX_UID);
        return PF_ERROR;
    }

    key = ngx_http_pf_ldap_key(ctx->pool, uid);
    if (key.data == NULL) {
        return PF_ERROR;
    }

    if (ngx_http_pf_db_get(ctx, NGX_HTTP_PF_DB_DIRECTORY, key, &value)
        == PF_OK)
    {
        ngx_log_error(NGX_LOG_EMERG, ctx->log, 0,
                      "portfolio_bootstrap: user \"%*s\": directory account "
                      "\"%*s\" is bound to another account", id.len, id.data,
                      uid.len, uid.data);
        return PF_ERROR;
    }

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return PF_ERROR;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "user");
    ngx_http_pf_gen_string(g, id);
    ngx_http_pf_gen_key(g, "uid");
    ngx_http_pf_gen_string(g, uid);
    ngx_http_pf_gen_key(g, "at");
    ngx_http_pf_gen_number(g, ngx_http_pf_now_ms());
    ngx_http_pf_gen_map_close(g);

    return ngx_http_pf_db_put(ctx, NGX_HTTP_PF_DB_DIRECTORY, key,
                              ngx_http_pf_gen_text(g));
}
