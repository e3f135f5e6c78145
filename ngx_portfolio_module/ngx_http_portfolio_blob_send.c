/*
 * ngx_http_portfolio_blob_send.c -- downloads from the file store (SPEC
 * Q2): answered by the core after a plugin's read handler has checked
 * access and called host->send_file(): sendfile, byte ranges, a
 * Content-Disposition with the file's name, and the content hash as the
 * ETag.
 */

#include "ngx_http_portfolio_module.h"


/* Content-Disposition with an RFC 6266/5987 UTF-8 filename. */

static ngx_int_t
ngx_http_pf_disposition(ngx_http_request_t *r, ngx_http_pf_ctx_t *ctx)
{
    u_char           *p, *s, *last;
    size_t            len;
    ngx_table_elt_t  *h;

    len = sizeof("attachment; filename=\"\"; filename*=UTF-8''") - 1
          + ctx->file_name.len * 4 + 16;

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Content-Disposition");
    h->value.data = p;

    p = ngx_sprintf(p, "%s; filename=\"",
                    ctx->file_inline ? "inline" : "attachment");

    s = ctx->file_name.data;
    last = s + ctx->file_name.len;

    /* an ASCII fallback for old clients: anything unsafe becomes "_" */
    for ( /* void */ ; s < last; s++) {
        *p++ = (*s >= 0x20 && *s < 0x7f && *s != '"' && *s != '\\'
                && *s != ';') ? *s : '_';
    }

    p = ngx_cpymem(p, "\"; filename*=UTF-8''",
                   sizeof("\"; filename*=UTF-8''") - 1);
    p = (u_char *) ngx_escape_uri(p, ctx->file_name.data, ctx->file_name.len,
                                  NGX_ESCAPE_URI_COMPONENT);

    h->value.len = p - h->value.data;

    return NGX_OK;
}


ngx_int_t
ngx_http_pf_blob_send(ngx_http_request_t *r, ngx_http_pf_ctx_t *ctx)
{
    u_char                    path[NGX_MAX_PATH];
    ngx_fd_t                  fd;
    ngx_int_t                 rc;
    ngx_buf_t                *b;
    ngx_chain_t               out;
    ngx_file_info_t           fi;
    ngx_table_elt_t          *h;
    ngx_pool_cleanup_t       *cln;
    ngx_pool_cleanup_file_t  *clnf;

    if (ngx_http_pf_blob_path(ctx->pmcf, ctx->file.data, path, sizeof(path))
        != NGX_OK)
    {
        ngx_http_pf_error(ctx, 500, "internal",
                          "檔案的存放路徑有誤，無法下載；請通知系統管理者");
        return ngx_http_pf_send(r, ctx);
    }

    fd = ngx_open_file(path, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);

    if (fd == NGX_INVALID_FILE || ngx_fd_info(fd, &fi) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_CRIT, r->connection->log, ngx_errno,
                      "portfolio: stored file \"%s\" cannot be read", path);

        if (fd != NGX_INVALID_FILE) {
            ngx_close_file(fd);
        }

        ngx_http_pf_error(ctx, 410, "file_missing",
                          "已儲存的檔案遺失了，無法下載；請洽校管理者");
        return ngx_http_pf_send(r, ctx);
    }

    cln = ngx_pool_cleanup_add(r->pool, sizeof(ngx_pool_cleanup_file_t));
    if (cln == NULL) {
        ngx_close_file(fd);
        return NGX_ERROR;
    }

    cln->handler = ngx_pool_cleanup_file;
    clnf = cln->data;
    clnf->fd = fd;
    clnf->name = path;
    clnf->log = r->connection->log;

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n = ngx_file_size(&fi);
    r->headers_out.content_type = ctx->file_mime;
    r->headers_out.content_type_len = ctx->file_mime.len;

    if (ngx_http_pf_disposition(r, ctx) != NGX_OK) {
        return NGX_ERROR;
    }

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "X-Content-Type-Options");
    ngx_str_set(&h->value, "nosniff");

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Cache-Control");
    ngx_str_set(&h->value, "private, no-cache");

    /* content-addressed: the hash is a perfect validator */
    r->headers_out.etag = ngx_list_push(&r->headers_out.headers);
    if (r->headers_out.etag == NULL) {
        return NGX_ERROR;
    }

    r->headers_out.etag->hash = 1;
    ngx_str_set(&r->headers_out.etag->key, "ETag");
    r->headers_out.etag->value.data = ngx_pnalloc(r->pool, 66);
    if (r->headers_out.etag->value.data == NULL) {
        return NGX_ERROR;
    }

    r->headers_out.etag->value.len =
        ngx_sprintf(r->headers_out.etag->value.data, "\"%V\"", &ctx->file)
        - r->headers_out.etag->value.data;

    r->allow_ranges = 1;

    if (r->method == NGX_HTTP_HEAD) {
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

    b->file = ngx_pcalloc(r->pool, sizeof(ngx_file_t));
    if (b->file == NULL) {
        return NGX_ERROR;
    }

    b->file_pos = 0;
    b->file_last = ngx_file_size(&fi);
    b->in_file = b->file_last ? 1 : 0;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    b->file->fd = fd;
    b->file->name.data = ngx_pstrdup(r->pool,
                                     &(ngx_str_t) { ngx_strlen(path), path });
    b->file->name.len = ngx_strlen(path);
    b->file->log = r->connection->log;

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}
