/*
 * ngx_http_portfolio_session.c -- sessions: the token a request carries,
 * the session records (made at sign-in, renewed after a password change,
 * touched now and then, deleted at sign-out), the cookie, and the job that
 * sweeps expired ones.
 *
 * A session token is 32 random bytes, sent as an HttpOnly SameSite=Lax
 * cookie (or "Authorization: Bearer" for scripts).  Only its SHA-256 is
 * stored, so a copy of the database signs nobody in.  Sessions end after
 * portfolio_session_idle without use or portfolio_session_lifetime in all.
 *
 * Loading a request's session, through the per-worker cache, is
 * _session_cache.c's.
 */

#include "ngx_http_portfolio_module.h"

#include <openssl/rand.h>
#include <openssl/sha.h>


static int ngx_http_pf_session_sweep_cb(void *data, pf_str_t key,
    pf_str_t value);
static int ngx_http_pf_session_touch_handler(pf_req_t *req);


void
ngx_http_pf_sha256(const u_char *data, size_t len, u_char *out)
{
    SHA256(data, len, out);
}


/* The cookie's name: "__Host-" over TLS, so no subdomain can plant it. */

static ngx_str_t
ngx_http_pf_cookie_name(ngx_http_pf_ctx_t *ctx)
{
    u_char     *p;
    ngx_str_t   name;

    name = ctx->pmcf->cookie_name;

#if (NGX_HTTP_SSL)
    if (ctx->r && ctx->r->connection->ssl) {
        p = ngx_pnalloc(ctx->pool, sizeof("__Host-") - 1 + name.len);
        if (p != NULL) {
            ngx_memcpy(p, "__Host-", sizeof("__Host-") - 1);
            ngx_memcpy(p + sizeof("__Host-") - 1, name.data, name.len);
            name.data = p;
            name.len += sizeof("__Host-") - 1;
        }
    }
#else
    (void) p;
#endif

    return name;
}


ngx_int_t
ngx_http_pf_session_token(ngx_http_pf_ctx_t *ctx, ngx_str_t *token)
{
    ngx_str_t            name;
    ngx_table_elt_t     *h;
    ngx_http_request_t  *r;

    r = ctx->r;
    h = r->headers_in.authorization;

    if (h && h->value.len > sizeof("Bearer ") - 1
        && ngx_strncasecmp(h->value.data, (u_char *) "Bearer ",
                           sizeof("Bearer ") - 1) == 0)
    {
        token->data = h->value.data + sizeof("Bearer ") - 1;
        token->len = h->value.len - (sizeof("Bearer ") - 1);
        return NGX_OK;
    }

    name = ngx_http_pf_cookie_name(ctx);

    if (ngx_http_parse_multi_header_lines(&r->headers_in.cookies, &name, token)
        == NGX_DECLINED)
    {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/* The session's "seen" time, written later by a job in the writer. */

void
ngx_http_pf_session_touch(ngx_http_pf_ctx_t *ctx)
{
    u_char             *hash;
    ngx_http_pf_ctx_t  *job;

    job = ngx_http_pf_ctx_create(ctx->pmcf, NULL, ngx_cycle->log);
    if (job == NULL) {
        return;
    }

    hash = ngx_pnalloc(job->pool, NGX_HTTP_PF_HASH_LEN);
    if (hash == NULL) {
        ngx_destroy_pool(job->pool);
        return;
    }

    ngx_memcpy(hash, ctx->session.hash, NGX_HTTP_PF_HASH_LEN);
    job->data = hash;
    job->handler = ngx_http_pf_session_touch_handler;

    if (ngx_http_pf_writer_post(job) != NGX_OK) {
        /* busy: the next request will try again */
        ngx_destroy_pool(job->pool);
    }
}


static int
ngx_http_pf_session_put(ngx_http_pf_ctx_t *ctx, u_char *hash, pf_str_t user,
    int64_t created, int64_t seen)
{
    pf_str_t   key;
    pf_gen_t  *g;

    g = ngx_http_pf_gen(ctx->pool);

    if (g == NULL
        || ngx_http_pf_gen_map_open(g) != PF_OK
        || ngx_http_pf_gen_key(g, "user") != PF_OK
        || ngx_http_pf_gen_string(g, user) != PF_OK
        || ngx_http_pf_gen_key(g, "created") != PF_OK
        || ngx_http_pf_gen_number(g, created) != PF_OK
        || ngx_http_pf_gen_key(g, "seen") != PF_OK
        || ngx_http_pf_gen_number(g, seen) != PF_OK
        || ngx_http_pf_gen_map_close(g) != PF_OK)
    {
        return PF_ERROR;
    }

    key.data = (const char *) hash;
    key.len = NGX_HTTP_PF_HASH_LEN;

    return ngx_http_pf_db_put(ctx, NGX_HTTP_PF_DB_SESSIONS, key,
                              ngx_http_pf_gen_text(g));
}


/* In the writer. */

static int
ngx_http_pf_session_touch_handler(pf_req_t *req)
{
    ngx_http_pf_ctx_t *ctx = req;

    int64_t          created;
    pf_str_t         key, value;
    ngx_str_t        err;
    const pf_val_t  *rec;

    key.data = ctx->data;
    key.len = NGX_HTTP_PF_HASH_LEN;

    if (ngx_http_pf_db_get(ctx, NGX_HTTP_PF_DB_SESSIONS, key, &value)
        != PF_OK)
    {
        return 200;    /* signed out meanwhile */
    }

    rec = ngx_http_pf_json_parse(ctx->pool, (u_char *) value.data, value.len,
                                 8, &err);
    if (rec == NULL
        || ngx_http_pf_json_integer(ngx_http_pf_json_get(rec, "created"),
                                    &created) != PF_OK)
    {
        return 200;
    }

    if (ngx_http_pf_session_put(ctx, ctx->data,
                                ngx_http_pf_json_str(
                                    ngx_http_pf_json_get(rec, "user")),
                                created, ngx_http_pf_now_ms())
        != PF_OK)
    {
        return ngx_http_pf_error(ctx, 500, "internal",
                                 "系統發生錯誤（登入狀態無法更新），"
                                 "請稍候再試");
    }

    return 200;
}


/*
 * In the writer: a new session for user; *token is what the client gets.
 * It begins after not_before (the user's last password change: a session
 * begun no later than that is over).
 */

int
ngx_http_pf_session_create(ngx_http_pf_ctx_t *ctx, pf_str_t user,
    int64_t not_before, ngx_str_t *token)
{
    u_char     raw[NGX_HTTP_PF_SID_BYTES];
    int64_t    now;
    ngx_str_t  src;

    if (RAND_bytes(raw, sizeof(raw)) != 1) {
        ngx_log_error(NGX_LOG_ERR, ctx->log, 0, "RAND_bytes() failed");
        return PF_ERROR;
    }

    token->data = ngx_pnalloc(ctx->pool,
                              ngx_base64_encoded_length(sizeof(raw)));
    if (token->data == NULL) {
        return PF_ERROR;
    }

    src.data = raw;
    src.len = sizeof(raw);
    ngx_encode_base64url(token, &src);

    ngx_http_pf_sha256(token->data, token->len, ctx->session.hash);

    now = ngx_max(ngx_http_pf_now_ms(), not_before + 1);

    return ngx_http_pf_session_put(ctx, ctx->session.hash, user, now, now);
}


/*
 * In the writer, after the user's password changed at "changed": the
 * request's own session begins again after it, so it outlives the others.
 */

int
ngx_http_pf_session_renew(ngx_http_pf_ctx_t *ctx, pf_str_t user,
    int64_t changed)
{
    return ngx_http_pf_session_put(ctx, ctx->session.hash, user, changed + 1,
                                   changed + 1);
}


int
ngx_http_pf_session_delete(ngx_http_pf_ctx_t *ctx)
{
    pf_str_t  key;

    key.data = (const char *) ctx->session.hash;
    key.len = NGX_HTTP_PF_HASH_LEN;

    return ngx_http_pf_db_del(ctx, NGX_HTTP_PF_DB_SESSIONS, key);
}


/* Set-Cookie for token; a NULL token clears the cookie. */

void
ngx_http_pf_session_cookie(ngx_http_pf_ctx_t *ctx, ngx_str_t *token,
    time_t max_age)
{
    u_char     *p;
    size_t      len;
    ngx_str_t   name, empty = ngx_null_string;

    if (token == NULL) {
        token = &empty;
        max_age = 0;
    }

    name = ngx_http_pf_cookie_name(ctx);

    len = name.len + 1 + token->len
          + sizeof("; Path=/; Max-Age=; HttpOnly; SameSite=Lax; Secure") - 1
          + NGX_TIME_T_LEN;

    p = ngx_pnalloc(ctx->pool, len);
    if (p == NULL) {
        return;
    }

    ctx->set_cookie.data = p;
    p = ngx_sprintf(p, "%V=%V; Path=/; Max-Age=%T; HttpOnly; SameSite=Lax",
                    &name, token, max_age);

#if (NGX_HTTP_SSL)
    if (ctx->r && ctx->r->connection->ssl) {
        p = ngx_cpymem(p, "; Secure", sizeof("; Secure") - 1);
    }
#endif

    ctx->set_cookie.len = p - ctx->set_cookie.data;
}


/*
 * A core job, every ten minutes in one worker: delete sessions past their
 * idle or absolute end, so the sessions database does not grow forever.
 * At most 10000 a run, to keep the writer's batch short.
 */

typedef struct {
    ngx_http_pf_ctx_t  *ctx;
    int64_t             now;
    ngx_array_t         dead;           /* u_char[32] */
} ngx_http_pf_sweep_t;


static int
ngx_http_pf_session_sweep_cb(void *data, pf_str_t key, pf_str_t value)
{
    ngx_http_pf_sweep_t *sw = data;

    u_char          *h;
    int64_t          created, seen;
    ngx_str_t        err;
    const pf_val_t  *rec;

    if (key.len != NGX_HTTP_PF_HASH_LEN) {
        return 0;
    }

    rec = ngx_http_pf_json_parse(sw->ctx->pool, (u_char *) value.data,
                                 value.len, 8, &err);

    if (rec != NULL
        && ngx_http_pf_json_integer(ngx_http_pf_json_get(rec, "created"),
                                    &created) == PF_OK
        && ngx_http_pf_json_integer(ngx_http_pf_json_get(rec, "seen"), &seen)
           == PF_OK
        && sw->now - created
           <= (int64_t) sw->ctx->pmcf->session_lifetime * 1000
        && sw->now - seen <= (int64_t) sw->ctx->pmcf->session_idle * 1000)
    {
        return 0;
    }

    h = ngx_array_push(&sw->dead);
    if (h == NULL) {
        return 1;
    }

    ngx_memcpy(h, key.data, NGX_HTTP_PF_HASH_LEN);

    return sw->dead.nelts >= 10000;
}


int
ngx_http_pf_session_sweep(pf_req_t *req)
{
    ngx_http_pf_ctx_t *ctx = req;

    u_char               *h;
    pf_str_t              key, all;
    ngx_uint_t            i;
    ngx_http_pf_sweep_t   sw;

    sw.ctx = ctx;
    sw.now = ngx_http_pf_now_ms();

    if (ngx_array_init(&sw.dead, ctx->pool, 64, NGX_HTTP_PF_HASH_LEN)
        != NGX_OK)
    {
        return 500;
    }

    all.data = "";
    all.len = 0;

    if (ngx_http_pf_db_scan(ctx, NGX_HTTP_PF_DB_SESSIONS, all,
                            ngx_http_pf_session_sweep_cb, &sw)
        != PF_OK)
    {
        return 500;
    }

    h = sw.dead.elts;

    for (i = 0; i < sw.dead.nelts; i++) {
        key.data = (const char *) h + i * NGX_HTTP_PF_HASH_LEN;
        key.len = NGX_HTTP_PF_HASH_LEN;
        (void) ngx_http_pf_db_del(ctx, NGX_HTTP_PF_DB_SESSIONS, key);
    }

    if (sw.dead.nelts) {
        ngx_log_error(NGX_LOG_INFO, ctx->log, 0,
                      "portfolio: %ui expired session(s) removed",
                      sw.dead.nelts);
    }

    return 200;
}
