/*
 * ngx_http_portfolio_request.c -- the request path, from the content
 * handler to the answer: a handler call's context and pool, everything
 * refused before the body is read (route, session, roles, scope,
 * cross-site origin, content type, size, the route's precheck), the body,
 * the run of the route's handler (reads here on a read-only transaction,
 * writes in the writer), and the finish.
 *
 * Apart from _module.c, which only configures: this is what runs for
 * every API request.
 */

#include "ngx_http_portfolio_module.h"


static void ngx_http_pf_body_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_pf_prepare(ngx_http_pf_ctx_t *ctx);
static void ngx_http_pf_run(ngx_http_pf_ctx_t *ctx);
static ngx_int_t ngx_http_pf_read_body(ngx_http_pf_ctx_t *ctx);
static const char *ngx_http_pf_json_words(ngx_pool_t *pool,
    ngx_str_t *err);


static void
ngx_http_pf_ctx_cleanup(void *data)
{
    ngx_http_pf_ctx_t  *ctx = data;

    ngx_destroy_pool(ctx->pool);
}


/*
 * A handler call gets a pool of its own: the writer thread allocates from
 * it while the event loop keeps using r->pool.
 */

ngx_http_pf_ctx_t *
ngx_http_pf_ctx_create(ngx_http_pf_main_conf_t *pmcf, ngx_http_request_t *r,
    ngx_log_t *log)
{
    ngx_pool_t          *pool;
    ngx_http_pf_ctx_t   *ctx;
    ngx_pool_cleanup_t  *cln;

    pool = ngx_create_pool(4096, log);
    if (pool == NULL) {
        return NULL;
    }

    ctx = ngx_pcalloc(pool, sizeof(ngx_http_pf_ctx_t));
    if (ctx == NULL) {
        ngx_destroy_pool(pool);
        return NULL;
    }

    ctx->pool = pool;
    ctx->log = log;
    ctx->pmcf = pmcf;
    ctx->r = r;

    if (r == NULL) {
        return ctx;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        ngx_destroy_pool(pool);
        return NULL;
    }

    cln->handler = ngx_http_pf_ctx_cleanup;
    cln->data = ctx;

    return ctx;
}


ngx_int_t
ngx_http_pf_handler(ngx_http_request_t *r)
{
    ngx_int_t                  rc;
    ngx_http_pf_ctx_t         *ctx;
    ngx_http_pf_main_conf_t   *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_portfolio_module);

    if (pmcf->store == NULL) {
        return ngx_http_pf_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                      "storage_unavailable",
                                      "系統的資料庫尚未開啟，請稍候再試");
    }

    ctx = ngx_http_pf_ctx_create(pmcf, r, r->connection->log);
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_set_ctx(r, ctx, ngx_http_portfolio_module);

    /* our reference, released by ngx_http_pf_finish() */
    r->main->count++;

    if (ngx_http_pf_prepare(ctx) != NGX_OK) {
        if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
            /* the refused body is never stored: read and dropped */
            (void) ngx_http_discard_request_body(r);
        }

        ngx_http_pf_finish(ctx);
        return NGX_DONE;
    }

    if (r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD)) {
        rc = ngx_http_discard_request_body(r);
        if (rc != NGX_OK) {
            r->main->count--;
            return rc;
        }

        ngx_http_pf_run(ctx);
        return NGX_DONE;
    }

    if (ctx->route->route->flags & PF_ROUTE_UPLOAD) {
        /* nginx spools the file; the blob store takes it from there */
        r->request_body_in_file_only = 1;
        r->request_body_in_persistent_file = 1;
        r->request_body_in_clean_file = 1;

    } else {
        r->request_body_in_single_buf = 1;
    }

    rc = ngx_http_read_client_request_body(r, ngx_http_pf_body_handler);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        r->main->count--;
        return rc;
    }

    return NGX_DONE;
}


static void
ngx_http_pf_body_handler(ngx_http_request_t *r)
{
    ngx_http_pf_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_portfolio_module);

    if (ctx->route->route->flags & PF_ROUTE_UPLOAD) {
        ngx_http_pf_blob_upload(ctx);

    } else if (ngx_http_pf_read_body(ctx) == NGX_OK) {
        ngx_http_pf_run(ctx);

    } else {
        ngx_http_pf_finish(ctx);
    }

    /* drops the reference ngx_http_read_client_request_body() took */
    ngx_http_finalize_request(r, NGX_DONE);
}


/* Hands the request back for a response, once, from wherever it is. */

void
ngx_http_pf_finish(ngx_http_pf_ctx_t *ctx)
{
    ngx_int_t            rc;
    ngx_http_request_t  *r;

    r = ctx->r;
    if (r == NULL) {
        return;
    }

    if (ctx->file.len && ctx->status == 200) {
        rc = ngx_http_pf_blob_send(r, ctx);

    } else {
        rc = ngx_http_pf_send(r, ctx);
    }

    ngx_http_finalize_request(r, rc);
}


static ngx_uint_t
ngx_http_pf_content_type_is(ngx_http_request_t *r, const char *type)
{
    size_t      len;
    ngx_str_t  *ct;

    if (r->headers_in.content_type == NULL) {
        return 0;
    }

    ct = &r->headers_in.content_type->value;
    len = ngx_strlen(type);

    return ct->len >= len
           && ngx_strncasecmp(ct->data, (u_char *) type, len) == 0
           && (ct->len == len || ct->data[len] == ';' || ct->data[len] == ' ');
}


/*
 * A state-changing request is refused when the browser says it comes from
 * another site: Sec-Fetch-Site other than same-origin/none, or an Origin
 * whose host is not the Host we serve.  Clients that send neither are not
 * browsers (curl, scripts) and carry no ambient credentials to abuse.
 */

static ngx_int_t
ngx_http_pf_csrf_check(ngx_http_request_t *r)
{
    u_char           *p, *last;
    ngx_str_t         name, value, host;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;
    ngx_uint_t        i;

    ngx_str_set(&name, "sec-fetch-site");
    ngx_str_null(&value);
    ngx_str_null(&host);

    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */ ; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].key.len == sizeof("Sec-Fetch-Site") - 1
            && ngx_strncasecmp(h[i].key.data, (u_char *) "Sec-Fetch-Site",
                               sizeof("Sec-Fetch-Site") - 1) == 0)
        {
            value = h[i].value;

            if (!(value.len == sizeof("same-origin") - 1
                  && ngx_strncasecmp(value.data, (u_char *) "same-origin",
                                     value.len) == 0)
                && !(value.len == sizeof("none") - 1
                     && ngx_strncasecmp(value.data, (u_char *) "none",
                                        value.len) == 0))
            {
                return NGX_DECLINED;
            }
        }

        if (h[i].key.len == sizeof("Origin") - 1
            && ngx_strncasecmp(h[i].key.data, (u_char *) "Origin",
                               sizeof("Origin") - 1) == 0)
        {
            host = h[i].value;
        }
    }

    if (host.len == 0) {
        return NGX_OK;
    }

    /* Origin: scheme "://" host[:port]; compare host[:port] with Host */
    p = ngx_strlchr(host.data, host.data + host.len, ':');
    if (p == NULL || host.data + host.len - p < 3 || p[1] != '/' || p[2] != '/')
    {
        return NGX_DECLINED;    /* "null" and other opaque origins */
    }

    p += 3;
    last = host.data + host.len;

    if (r->headers_in.host == NULL) {
        return NGX_DECLINED;
    }

    value = r->headers_in.host->value;

    if ((size_t) (last - p) != value.len
        || ngx_strncasecmp(p, value.data, value.len) != 0)
    {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/*
 * Everything that can be refused before the body is read: route, session,
 * roles, scope, cross-site origin, content type, size, and the route's
 * own precheck (limits, windows, counts).  So a refused upload is never
 * stored, not even in a temporary file.
 */

static ngx_int_t
ngx_http_pf_prepare(ngx_http_pf_ctx_t *ctx)
{
    off_t                     limit;
    ngx_str_t                 path, prefix;
    ngx_uint_t                allowed;
    ngx_http_request_t       *r;
    const pf_route_t         *route;
    ngx_http_pf_loc_conf_t   *plcf;
    ngx_http_core_loc_conf_t *clcf;

    r = ctx->r;
    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);
    plcf = ngx_http_get_module_loc_conf(r, ngx_http_portfolio_module);

    /*
     * Routes are relative to the API's root: the location's name, or
     * portfolio_api_prefix for "location = /api/session" and regex
     * locations: "/api/me" -> "/me".
     */
    prefix = plcf->prefix.data ? plcf->prefix : clcf->name;

    while (prefix.len && prefix.data[prefix.len - 1] == '/') {
        prefix.len--;
    }

    path = r->uri;

    if (path.len > prefix.len
        && ngx_strncmp(path.data, prefix.data, prefix.len) == 0
        && path.data[prefix.len] == '/')
    {
        path.data += prefix.len;
        path.len -= prefix.len;
    }

    if (ngx_http_pf_router_match(ctx, &path, &allowed) != NGX_OK) {
        if (allowed) {
            ngx_http_pf_error(ctx, 405, "method_not_allowed",
                              "這個網址不接受 %V 操作",
                              &r->method_name);
        } else {
            ngx_http_pf_error(ctx, 404, "not_found",
                              "伺服器沒有這項功能（沒有這個網址）；"
                              "請確認網址，或請系統管理者載入提供它的外掛");
        }

        goto failed;
    }

    route = ctx->route->route;

    /* the session first: it reads the records only when it must */
    if (ngx_http_pf_session_load(ctx) != NGX_OK) {
        goto failed;
    }

    if (ngx_http_pf_store_read_begin(ctx) != NGX_OK) {
        goto failed;
    }

    if (ngx_http_pf_router_check(ctx) != 0) {
        goto failed;
    }

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {

        if (ngx_http_pf_csrf_check(r) != NGX_OK) {
            ngx_http_pf_error(ctx, 403, "cross_site_request",
                              "為了安全，變更資料只接受從本系統的頁面送出；"
                              "請從本系統的頁面操作");
            goto failed;
        }

        if (route->flags & PF_ROUTE_UPLOAD) {
            /* types a cross-site form could send without a preflight */
            if (r->headers_in.content_type == NULL
                || ngx_http_pf_content_type_is(r, "text/plain")
                || ngx_http_pf_content_type_is(r, "multipart/form-data")
                || ngx_http_pf_content_type_is(r,
                                    "application/x-www-form-urlencoded"))
            {
                ngx_http_pf_error(ctx, 415, "unsupported_media_type",
                                  "請直接以檔案作為上傳內容送出，"
                                  "類型用檔案本身的或 "
                                  "application/octet-stream");
                goto failed;
            }

            if (r->headers_in.content_length_n < 0) {
                ngx_http_pf_error(ctx, 411, "length_required",
                                  "上傳檔案時須附上檔案大小"
                                  "（Content-Length）；請重新選擇檔案上傳");
                goto failed;
            }

            if (r->headers_in.content_length_n == 0) {
                ngx_http_pf_error(ctx, 400, "empty_file",
                                  "檔案是空的，請選擇有內容的檔案再上傳");
                goto failed;
            }

            ctx->upload_max = route->max_body ? route->max_body
                                              : 10 * 1024 * 1024;
            ctx->upload_types = PF_TYPES_DOCUMENT|PF_TYPES_MEDIA;

        } else if (r->headers_in.content_length_n > 0
                   || r->headers_in.chunked    /* -1 is "no body" too */
                   || (r->method & (NGX_HTTP_POST|NGX_HTTP_PUT
                                    |NGX_HTTP_PATCH)))
        {
            if (!ngx_http_pf_content_type_is(r, "application/json")
                && !((route->flags & PF_ROUTE_RAW_BODY)
                     && ngx_http_pf_content_type_is(r, "text/csv")))
            {
                ngx_http_pf_error(ctx, 415, "unsupported_media_type",
                                  (route->flags & PF_ROUTE_RAW_BODY)
                                  ? "資料格式不符：請以 application/json "
                                    "或 text/csv 送出"
                                  : "資料格式不符：請以 application/json "
                                    "送出");
                goto failed;
            }

            limit = route->max_body ? route->max_body
                                    : (off_t) plcf->json_max_size;

            if (r->headers_in.content_length_n > limit) {
                ngx_http_pf_error(ctx, 413, "body_too_large",
                                  "送出的資料太大：上限 %O 位元組", limit);
                goto failed;
            }
        }
    }

    if (route->precheck) {
        ctx->prechecking = 1;

        if (route->precheck(ctx) != 0) {
            ctx->prechecking = 0;

            if (!ctx->replied) {
                ngx_http_pf_error(ctx, 500, "internal",
                                  "系統發生錯誤（檢查沒有說明原因），"
                                  "請稍候再試");
            }

            goto failed;
        }

        ctx->prechecking = 0;
    }

    if ((route->flags & PF_ROUTE_UPLOAD)
        && r->headers_in.content_length_n > ctx->upload_max)
    {
        (void) ngx_http_pf_file_too_large(ctx);
        goto failed;
    }

    ngx_http_pf_store_read_end(ctx);

    ctx->handler = route->handler;

    return NGX_OK;

failed:

    ngx_http_pf_store_read_end(ctx);

    return NGX_ERROR;
}


/*
 * Runs the handler: reads here on a read-only transaction, writes in the
 * writer thread.  Ends by calling ngx_http_pf_finish() now or later.
 */

static void
ngx_http_pf_run(ngx_http_pf_ctx_t *ctx)
{
    int  status;

    if (ctx->route->route->flags & PF_ROUTE_WRITE) {
        ngx_http_pf_writer_hand(ctx);
        return;
    }

    if (ngx_http_pf_store_read_begin(ctx) != NGX_OK) {
        ngx_http_pf_finish(ctx);
        return;
    }

    status = ctx->handler(ctx);

    ngx_http_pf_store_read_end(ctx);

    /* built-in routes may continue in a thread: status 0 means "later" */
    if (status == 0 && ctx->route->plugin == NULL) {
        return;
    }

    if (status < 100 || status > 599) {
        ngx_log_error(NGX_LOG_ERR, ctx->log, 0,
                      "portfolio: handler returned status %d", status);
        ngx_http_pf_error(ctx, 500, "internal",
                          "系統發生錯誤，這次操作沒有完成；請稍候再試");

    } else if (!ctx->replied) {
        ngx_http_pf_reply(ctx, status, NULL);
    }

    ngx_http_pf_finish(ctx);
}


/* The body of a JSON (or, where the route allows, CSV) request. */

static ngx_int_t
ngx_http_pf_read_body(ngx_http_pf_ctx_t *ctx)
{
    u_char                  *p, *buf;
    off_t                    limit;
    size_t                   len;
    ssize_t                  n;
    ngx_str_t                err;
    ngx_buf_t               *b;
    ngx_chain_t             *cl;
    ngx_http_request_t      *r;
    ngx_http_pf_loc_conf_t  *plcf;

    r = ctx->r;
    plcf = ngx_http_get_module_loc_conf(r, ngx_http_portfolio_module);

    if (r->request_body == NULL || r->request_body->bufs == NULL) {
        if (r->method & (NGX_HTTP_POST|NGX_HTTP_PUT|NGX_HTTP_PATCH)) {
            ngx_http_pf_error(ctx, 400, "bad_request",
                              "這個操作需要送出 JSON 資料");
            return NGX_ERROR;
        }

        return NGX_OK;
    }

    len = 0;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        len += ngx_buf_size(cl->buf);
    }

    /* chunked bodies had no Content-Length to refuse them early */
    limit = ctx->route->route->max_body ? ctx->route->route->max_body
                                        : (off_t) plcf->json_max_size;

    if ((off_t) len > limit) {
        ngx_http_pf_error(ctx, 413, "body_too_large",
                          "送出的資料太大：上限 %O 位元組", limit);
        return NGX_ERROR;
    }

    buf = ngx_pnalloc(ctx->pool, len + 1);
    if (buf == NULL) {
        ngx_http_pf_error(ctx, 500, "internal", "系統記憶體不足，請稍候再試");
        return NGX_ERROR;
    }

    p = buf;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;

        if (b->in_file) {
            /* a spooled body, already in the page cache */
            n = ngx_read_file(b->file, p, (size_t) (b->file_last - b->file_pos),
                              b->file_pos);
            if (n == NGX_ERROR) {
                ngx_http_pf_error(ctx, 500, "internal",
                                  "送出的資料沒有完整收到，請再送一次");
                return NGX_ERROR;
            }

            p += n;
            continue;
        }

        p = ngx_cpymem(p, b->pos, b->last - b->pos);
    }

    *p = '\0';
    ctx->raw_body.data = buf;
    ctx->raw_body.len = p - buf;

    if (!ngx_http_pf_content_type_is(r, "application/json")) {
        return NGX_OK;    /* text/csv, for PF_ROUTE_RAW_BODY routes */
    }

    ctx->body = ngx_http_pf_json_parse(ctx->pool, buf, p - buf,
                                       plcf->json_max_depth, &err);
    if (ctx->body == NULL) {
        ngx_log_error(NGX_LOG_INFO, ctx->log, 0,
                      "portfolio: the body is not JSON: %V", &err);
        ngx_http_pf_error(ctx, 400, "bad_json",
                          "送出的資料不是正確的 JSON（%s），"
                          "請檢查後重新送出",
                          ngx_http_pf_json_words(ctx->pool, &err));
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * The parser's reason (English, for the log) in words for the answer
 * (the needles lower case, as ngx_strlcasestrn() wants them);
 * yajl's own reasons ("lexical error: ...") are all a matter of form.
 */

static const char *
ngx_http_pf_json_words(ngx_pool_t *pool, ngx_str_t *err)
{
    u_char      *p, *d, *end;
    size_t       i;
    ngx_uint_t   depth;

    static const struct {
        const char  *says;
        const char  *words;
    } reasons[] = {
        { "empty body", "內容是空的" },
        { "duplicate key", "同一個物件裡有重複的欄位名稱" },
        { "nesting", "層次太深" },
        { "nul character", "文字中有 NUL 字元" },
        { "invalid utf-8", "文字不是 UTF-8 編碼" },
        { "utf8", "文字不是 UTF-8 編碼" },
        { "out of memory", "系統記憶體不足" },
    };

    /* "JSON nesting deeper than N": the depth allowed is a specific */
    end = err->data + err->len;
    d = ngx_strlcasestrn(err->data, end, (u_char *) "deeper than ", 11);

    if (d != NULL) {
        for (d += 12, depth = 0; d < end && *d >= '0' && *d <= '9'; d++) {
            depth = depth * 10 + (*d - '0');
        }

        p = ngx_pnalloc(pool, 64);

        if (p != NULL && depth) {
            *ngx_snprintf(p, 63, "層次太深：最多 %ui 層", depth) = '\0';
            return (const char *) p;
        }
    }

    for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
        if (ngx_strlcasestrn(err->data, err->data + err->len,
                             (u_char *) reasons[i].says,
                             ngx_strlen(reasons[i].says) - 1)
            != NULL)
        {
            return reasons[i].words;
        }
    }

    return "格式錯誤";
}
