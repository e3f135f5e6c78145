/*
 * ngx_http_portfolio_reply.c -- responses.  Every API answer is JSON; every
 * error is {"error": {"code": "...", "message": "..."}} with its status.
 */

#include "ngx_http_portfolio_module.h"


static ngx_int_t ngx_http_pf_add_header(ngx_http_request_t *r,
    const char *name, ngx_str_t *value);


int
ngx_http_pf_reply(ngx_http_pf_ctx_t *ctx, int status, pf_gen_t *g)
{
    pf_str_t  text;

    ctx->status = status;
    ctx->replied = 1;

    if (g == NULL) {
        ngx_str_set(&ctx->out, "{}");
        return status;
    }

    text = ngx_http_pf_gen_text(g);

    /* copy: the generator's buffer moves if it is written again */
    ctx->out.data = ngx_pnalloc(ctx->pool, text.len);
    if (ctx->out.data == NULL) {
        ctx->status = 500;
        ngx_str_set(&ctx->out, "{\"error\":{\"code\":\"internal\","
                               "\"message\":\"out of memory\"}}");
        return 500;
    }

    ngx_memcpy(ctx->out.data, text.data, text.len);
    ctx->out.len = text.len;

    return status;
}


static int
ngx_http_pf_set_error(ngx_http_pf_ctx_t *ctx, int status, const char *code,
    const char *fmt, va_list args)
{
    u_char     buf[512], *last;
    pf_str_t   msg;
    pf_gen_t  *g;

    last = ngx_vslprintf(buf, buf + sizeof(buf), fmt, args);

    msg.data = (const char *) buf;
    msg.len = last - buf;

    g = ngx_http_pf_gen(ctx->pool);

    if (g == NULL
        || ngx_http_pf_gen_map_open(g) != PF_OK
        || ngx_http_pf_gen_key(g, "error") != PF_OK
        || ngx_http_pf_gen_map_open(g) != PF_OK
        || ngx_http_pf_gen_key(g, "code") != PF_OK
        || ngx_http_pf_gen_cstring(g, code) != PF_OK
        || ngx_http_pf_gen_key(g, "message") != PF_OK
        || ngx_http_pf_gen_string(g, msg) != PF_OK
        || ngx_http_pf_gen_map_close(g) != PF_OK
        || ngx_http_pf_gen_map_close(g) != PF_OK)
    {
        /* a message with invalid UTF-8 from a plugin, say */
        ctx->status = status;
        ctx->replied = 1;
        ngx_str_set(&ctx->out, "{\"error\":{\"code\":\"internal\","
                               "\"message\":\"the error could not be "
                               "encoded\"}}");
        return status;
    }

    return ngx_http_pf_reply(ctx, status, g);
}


int
ngx_http_pf_error(ngx_http_pf_ctx_t *ctx, int status, const char *code,
    const char *fmt, ...)
{
    int      rc;
    va_list  args;

    va_start(args, fmt);
    rc = ngx_http_pf_set_error(ctx, status, code, fmt, args);
    va_end(args);

    return rc;
}


/* Before a handler context exists: the store down, say. */

ngx_int_t
ngx_http_pf_send_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *code, const char *message)
{
    ngx_http_pf_ctx_t  ctx;

    ngx_memzero(&ctx, sizeof(ngx_http_pf_ctx_t));
    ctx.pool = r->pool;
    ctx.log = r->connection->log;
    ctx.r = r;

    ngx_http_pf_error(&ctx, status, code, "%s", message);

    if (status == NGX_HTTP_SERVICE_UNAVAILABLE) {
        ctx.retry_after = 5;
    }

    return ngx_http_pf_send(r, &ctx);
}


ngx_int_t
ngx_http_pf_send(ngx_http_request_t *r, ngx_http_pf_ctx_t *ctx)
{
    u_char       *p;
    ngx_int_t     rc;
    ngx_str_t     v;
    ngx_buf_t    *b;
    ngx_chain_t   out;

    if (!ctx->replied) {
        ngx_http_pf_error(ctx, 500, "internal",
                          "系統發生錯誤（沒有產生回應），請稍候再試");
    }

    r->headers_out.status = ctx->status;
    r->headers_out.content_length_n = ctx->out.len;
    ngx_str_set(&r->headers_out.content_type, "application/json");
    r->headers_out.content_type_len = r->headers_out.content_type.len;
    ngx_str_set(&r->headers_out.charset, "utf-8");

    /* answers are per user: never cached, never sniffed as HTML */
    ngx_str_set(&v, "no-store");
    if (ngx_http_pf_add_header(r, "Cache-Control", &v) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_str_set(&v, "nosniff");
    if (ngx_http_pf_add_header(r, "X-Content-Type-Options", &v) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ctx->set_cookie.len
        && ngx_http_pf_add_header(r, "Set-Cookie", &ctx->set_cookie) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (ctx->status == NGX_HTTP_NOT_ALLOWED && ctx->allow.len
        && ngx_http_pf_add_header(r, "Allow", &ctx->allow) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (ctx->retry_after) {
        p = ngx_pnalloc(r->pool, NGX_TIME_T_LEN);
        if (p == NULL) {
            return NGX_ERROR;
        }

        v.data = p;
        v.len = ngx_sprintf(p, "%T", ctx->retry_after) - p;

        if (ngx_http_pf_add_header(r, "Retry-After", &v) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    if (r->method == NGX_HTTP_HEAD || ctx->out.len == 0) {
        r->header_only = 1;
    }

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_ERROR;
    }

    b->pos = ctx->out.data;
    b->last = ctx->out.data + ctx->out.len;
    b->memory = 1;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


static ngx_int_t
ngx_http_pf_add_header(ngx_http_request_t *r, const char *name,
    ngx_str_t *value)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    h->key.data = (u_char *) name;
    h->key.len = ngx_strlen(name);
    h->value = *value;

    return NGX_OK;
}


/*
 * 503 busy with Retry-After: a queue (the writer's, a thread pool's) is
 * full.  Nothing was done; the client may send it again after retry s.
 */

int
ngx_http_pf_busy(ngx_http_pf_ctx_t *ctx, time_t retry, const char *message)
{
    ctx->done = NULL;
    ctx->retry_after = retry;

    return ngx_http_pf_error(ctx, 503, "busy", "%s", message);
}
