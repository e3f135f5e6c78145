/*
 * ngx_http_portfolio_blob_verify.c -- POST /schools/{school}/files/verify
 * (AD4): re-hashes every file the school stored and reports those missing
 * or changed.  The list is read in the event loop; the hashing runs in the
 * task pool.
 */

#include "ngx_http_portfolio_module.h"

#include <openssl/sha.h>


typedef struct {
    ngx_array_t   hashes;          /* ngx_str_t, hex */
    ngx_array_t   problems;        /* ngx_str_t pairs: hex, problem */
    ngx_uint_t    checked;
} ngx_http_pf_verify_t;


static int ngx_http_pf_blob_verify(pf_req_t *req);
static void ngx_http_pf_blob_verify_thread(void *data, ngx_log_t *log);
static void ngx_http_pf_blob_verify_done(ngx_http_pf_ctx_t *ctx);


const pf_route_t  ngx_http_pf_blob_routes[] = {
    { .method = "POST", .path = "/schools/{school}/files/verify",
      .roles = PF_ROLE_SCHOOL_ADMIN|PF_ROLE_CITY_ADMIN,
      .scope = PF_SCOPE_SCHOOL, .handler = ngx_http_pf_blob_verify },
};

const size_t  ngx_http_pf_blob_nroutes =
    sizeof(ngx_http_pf_blob_routes) / sizeof(pf_route_t);


static int
ngx_http_pf_blob_collect(void *data, pf_str_t key, pf_str_t value)
{
    ngx_http_pf_verify_t *v = data;

    u_char     *p;
    ngx_str_t  *h;

    p = ngx_strlchr((u_char *) key.data, (u_char *) key.data + key.len, 0x1f);
    if (p == NULL || (u_char *) key.data + key.len - p - 1 != 64) {
        return 0;
    }

    h = ngx_array_push(&v->hashes);
    if (h == NULL) {
        return 1;
    }

    h->data = ngx_pnalloc(v->hashes.pool, 65);
    if (h->data == NULL) {
        return 1;
    }

    ngx_memcpy(h->data, p + 1, 64);
    h->data[64] = '\0';
    h->len = 64;

    return 0;
}


static int
ngx_http_pf_blob_verify(pf_req_t *req)
{
    ngx_http_pf_ctx_t *ctx = req;

    u_char                *p;
    pf_str_t               prefix, school;
    ngx_http_pf_verify_t  *v;

    v = ngx_pcalloc(ctx->pool, sizeof(ngx_http_pf_verify_t));
    if (v == NULL
        || ngx_array_init(&v->hashes, ctx->pool, 64, sizeof(ngx_str_t))
           != NGX_OK
        || ngx_array_init(&v->problems, ctx->pool, 8, sizeof(ngx_str_t))
           != NGX_OK)
    {
        return 500;
    }

    school = ngx_http_pf_host_api.param(ctx, "school");

    p = ngx_pnalloc(ctx->pool, school.len + 1);
    if (p == NULL) {
        return 500;
    }

    ngx_memcpy(p, school.data, school.len);
    p[school.len] = 0x1f;
    prefix.data = (const char *) p;
    prefix.len = school.len + 1;

    if (ngx_http_pf_db_scan(ctx, NGX_HTTP_PF_DB_BLOBS, prefix,
                            ngx_http_pf_blob_collect, v)
        != PF_OK)
    {
        return ngx_http_pf_error(ctx, 503, "storage_unavailable",
                                 "檔案的索引暫時無法讀取，請稍候再試");
    }

    ctx->data = v;
    ctx->done = ngx_http_pf_blob_verify_done;

    if (ngx_http_pf_thread_post(ctx, ctx->pmcf->task_pool,
                                ngx_http_pf_blob_verify_thread)
        != NGX_OK)
    {
        return ngx_http_pf_busy(ctx, 5, "系統忙碌中，請稍候再驗證");
    }

    return 0;
}


static void
ngx_http_pf_blob_verify_thread(void *data, ngx_log_t *log)
{
    ngx_http_pf_ctx_t *ctx = data;

    int                    fd;
    u_char                 path[NGX_MAX_PATH], buf[NGX_HTTP_PF_BLOB_CHUNK];
    u_char                 digest[SHA256_DIGEST_LENGTH], hex[65];
    ssize_t                n;
    ngx_str_t             *h, *pr;
    ngx_uint_t             i;
    SHA256_CTX             sha;
    ngx_http_pf_verify_t  *v;

    v = ctx->data;
    h = v->hashes.elts;

    for (i = 0; i < v->hashes.nelts; i++) {
        v->checked++;

        if (ngx_http_pf_blob_path(ctx->pmcf, h[i].data, path, sizeof(path))
            != NGX_OK)
        {
            continue;
        }

        fd = open((char *) path, O_RDONLY);

        if (fd == -1) {
            pr = ngx_array_push_n(&v->problems, 2);
            if (pr == NULL) {
                return;
            }

            pr[0] = h[i];
            ngx_str_set(&pr[1], "missing");
            continue;
        }

        SHA256_Init(&sha);

        while ((n = read(fd, buf, sizeof(buf))) > 0) {
            SHA256_Update(&sha, buf, n);
        }

        close(fd);
        SHA256_Final(digest, &sha);
        ngx_hex_dump(hex, digest, sizeof(digest));

        if (n < 0 || ngx_memcmp(hex, h[i].data, 64) != 0) {
            pr = ngx_array_push_n(&v->problems, 2);
            if (pr == NULL) {
                return;
            }

            pr[0] = h[i];

            if (n < 0) {
                ngx_str_set(&pr[1], "unreadable");

            } else {
                ngx_str_set(&pr[1], "changed");
            }
        }
    }
}


static void
ngx_http_pf_blob_verify_done(ngx_http_pf_ctx_t *ctx)
{
    pf_gen_t              *g;
    ngx_str_t             *pr;
    ngx_uint_t             i;
    ngx_http_pf_verify_t  *v;

    v = ctx->data;
    ctx->done = NULL;

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        ngx_http_pf_error(ctx, 500, "internal", "系統記憶體不足，請稍候再試");
        ngx_http_pf_finish(ctx);
        return;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "checked");
    ngx_http_pf_gen_number(g, v->checked);
    ngx_http_pf_gen_key(g, "ok");
    ngx_http_pf_gen_number(g, v->checked - v->problems.nelts / 2);
    ngx_http_pf_gen_key(g, "problems");
    ngx_http_pf_gen_array_open(g);

    pr = v->problems.elts;

    for (i = 0; i + 1 < v->problems.nelts; i += 2) {
        ngx_http_pf_gen_map_open(g);
        ngx_http_pf_gen_key(g, "sha256");
        ngx_http_pf_gen_string(g, ngx_http_pf_str(&pr[i]));
        ngx_http_pf_gen_key(g, "problem");
        ngx_http_pf_gen_string(g, ngx_http_pf_str(&pr[i + 1]));
        ngx_http_pf_gen_map_close(g);

        ngx_log_error(NGX_LOG_CRIT, ctx->log, 0,
                      "portfolio: stored file %V is %V", &pr[i], &pr[i + 1]);
    }

    ngx_http_pf_gen_array_close(g);
    ngx_http_pf_gen_map_close(g);

    ngx_http_pf_reply(ctx, 200, g);
    ngx_http_pf_finish(ctx);
}
