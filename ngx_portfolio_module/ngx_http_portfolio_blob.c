/*
 * ngx_http_portfolio_blob.c -- the file store (SPEC Q2, AD4).
 *
 * Uploads arrive as the raw request body, which nginx spools to a
 * temporary file once the size was accepted (ngx_http_pf_prepare refuses
 * oversize bodies from Content-Length before reading any).  A task-pool
 * thread then decides the type by content, hashes (SHA-256), fsyncs and
 * renames the file to DATA/blobs/ab/cd/<sha256>, and fsyncs the directory;
 * only then does the route's handler run in the writer to record it.  A
 * file stored twice is kept once.
 *
 * Downloads are answered by the core after a plugin's read handler has
 * checked access and called host->send_file(): sendfile, byte ranges.
 */

#include "ngx_http_portfolio_module.h"

#include <openssl/sha.h>


#define NGX_HTTP_PF_BLOB_CHUNK  65536


typedef struct {
    ngx_array_t   hashes;          /* ngx_str_t, hex */
    ngx_array_t   problems;        /* ngx_str_t pairs: hex, problem */
    ngx_uint_t    checked;
} ngx_http_pf_verify_t;


static void ngx_http_pf_blob_thread(void *data, ngx_log_t *log);
static void ngx_http_pf_blob_stored(ngx_http_pf_ctx_t *ctx);
static int ngx_http_pf_blob_record(pf_req_t *req);
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


uint32_t
ngx_http_pf_blob_sniff(const u_char *p, size_t n, const char **mime,
    const char **ext)
{
    if (n >= 5 && ngx_memcmp(p, "%PDF-", 5) == 0) {
        *mime = "application/pdf";
        *ext = "pdf";
        return PF_TYPE_PDF;
    }

    if (n >= 8 && ngx_memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0) {
        *mime = "image/png";
        *ext = "png";
        return PF_TYPE_PNG;
    }

    if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff) {
        *mime = "image/jpeg";
        *ext = "jpg";
        return PF_TYPE_JPEG;
    }

    /* ISO base media: "ftyp" box first; QuickTime ("qt  ") is not MP4 */
    if (n >= 12 && ngx_memcmp(p + 4, "ftyp", 4) == 0
        && ngx_memcmp(p + 8, "qt  ", 4) != 0)
    {
        if (ngx_memcmp(p + 8, "M4A ", 4) == 0) {
            *mime = "audio/mp4";
            *ext = "m4a";

        } else {
            *mime = "video/mp4";
            *ext = "mp4";
        }

        return PF_TYPE_MP4;
    }

    /* MP3: an ID3v2 tag, or an MPEG audio frame header (sync, layer) */
    if ((n >= 3 && ngx_memcmp(p, "ID3", 3) == 0)
        || (n >= 4 && p[0] == 0xff && (p[1] & 0xe0) == 0xe0
            && (p[1] & 0x06) != 0 && (p[2] & 0xf0) != 0xf0))
    {
        *mime = "audio/mpeg";
        *ext = "mp3";
        return PF_TYPE_MP3;
    }

    return 0;
}


ngx_int_t
ngx_http_pf_blob_path(ngx_http_pf_main_conf_t *pmcf, const u_char *hex,
    u_char *buf, size_t size)
{
    u_char  *p;

    if (size < pmcf->data_dir.len + 80) {
        return NGX_ERROR;
    }

    /* two levels of 256 directories keep each one small */
    p = ngx_sprintf(buf, "%V/blobs/%*s/%*s/%*s", &pmcf->data_dir,
                    (size_t) 2, hex, (size_t) 2, hex + 2, (size_t) 64, hex);
    *p = '\0';

    return NGX_OK;
}


static const char *
ngx_http_pf_type_names(uint32_t types, u_char *buf, size_t size)
{
    u_char  *p, *last;

    p = buf;
    last = buf + size - 1;

    if (types & PF_TYPE_PDF) {
        p = ngx_slprintf(p, last, "pdf ");
    }

    if (types & PF_TYPE_JPEG) {
        p = ngx_slprintf(p, last, "jpg ");
    }

    if (types & PF_TYPE_PNG) {
        p = ngx_slprintf(p, last, "png ");
    }

    if (types & PF_TYPE_MP3) {
        p = ngx_slprintf(p, last, "mp3 ");
    }

    if (types & PF_TYPE_MP4) {
        p = ngx_slprintf(p, last, "mp4 ");
    }

    if (p > buf) {
        p--;
    }

    *p = '\0';

    return (const char *) buf;
}


void
ngx_http_pf_blob_upload(ngx_http_pf_ctx_t *ctx)
{
    u_char              *p;
    ngx_temp_file_t     *tf;
    ngx_http_request_t  *r;

    r = ctx->r;

    if (r->request_body == NULL || r->request_body->temp_file == NULL) {
        ngx_http_pf_error(ctx, 400, "empty_file", "the file is empty");
        ngx_http_pf_finish(ctx);
        return;
    }

    tf = r->request_body->temp_file;

    p = ngx_pnalloc(ctx->pool, tf->file.name.len + 1);
    if (p == NULL) {
        ngx_http_pf_error(ctx, 500, "internal", "out of memory");
        ngx_http_pf_finish(ctx);
        return;
    }

    ngx_memcpy(p, tf->file.name.data, tf->file.name.len);
    p[tf->file.name.len] = '\0';
    ctx->upload_temp.data = p;
    ctx->upload_temp.len = tf->file.name.len;

    ctx->done = ngx_http_pf_blob_stored;

    if (ngx_http_pf_thread_post(ctx, ctx->pmcf->task_pool,
                                ngx_http_pf_blob_thread)
        != NGX_OK)
    {
        (void) ngx_http_pf_busy(ctx, 2, "too many uploads at once; try again "
                                "shortly");
        ngx_http_pf_finish(ctx);
    }
}


static ngx_int_t
ngx_http_pf_fsync_dir(u_char *path, u_char *slash, ngx_log_t *log)
{
    int  fd, rc;

    *slash = '\0';
    fd = open((char *) path, O_RDONLY|O_DIRECTORY);

    if (fd == -1) {
        ngx_log_error(NGX_LOG_ERR, log, ngx_errno, "open(\"%s\") failed",
                      path);
        *slash = '/';
        return NGX_ERROR;
    }

    rc = fsync(fd);
    if (rc == -1) {
        ngx_log_error(NGX_LOG_ERR, log, ngx_errno, "fsync(\"%s\") failed",
                      path);
    }

    close(fd);
    *slash = '/';

    return rc == -1 ? NGX_ERROR : NGX_OK;
}


/* Copies src to dst through a temporary name when rename() cannot. */

static ngx_int_t
ngx_http_pf_blob_copy(int in, u_char *dst, ngx_log_t *log)
{
    int       out;
    u_char    tmp[NGX_MAX_PATH], buf[NGX_HTTP_PF_BLOB_CHUNK], *p;
    ssize_t   n, w, off;

    p = ngx_snprintf(tmp, sizeof(tmp) - 1, "%s.%P.tmp", dst, ngx_pid);
    *p = '\0';

    out = open((char *) tmp, O_WRONLY|O_CREAT|O_TRUNC, 0600);
    if (out == -1) {
        ngx_log_error(NGX_LOG_ERR, log, ngx_errno, "open(\"%s\") failed", tmp);
        return NGX_ERROR;
    }

    if (lseek(in, 0, SEEK_SET) == -1) {
        goto failed;
    }

    for ( ;; ) {
        n = read(in, buf, sizeof(buf));
        if (n <= 0) {
            break;
        }

        for (off = 0; off < n; off += w) {
            w = write(out, buf + off, n - off);
            if (w <= 0) {
                goto failed;
            }
        }
    }

    if (n < 0 || fsync(out) == -1) {
        goto failed;
    }

    close(out);

    if (rename((char *) tmp, (char *) dst) == -1) {
        ngx_log_error(NGX_LOG_ERR, log, ngx_errno,
                      "rename(\"%s\", \"%s\") failed", tmp, dst);
        unlink((char *) tmp);
        return NGX_ERROR;
    }

    return NGX_OK;

failed:

    ngx_log_error(NGX_LOG_ERR, log, ngx_errno, "copying to \"%s\" failed",
                  tmp);
    close(out);
    unlink((char *) tmp);

    return NGX_ERROR;
}


/* In the task pool: type, hash, make durable, move into the store. */

static void
ngx_http_pf_blob_thread(void *data, ngx_log_t *log)
{
    ngx_http_pf_ctx_t *ctx = data;

    int           fd;
    off_t         size;
    u_char        buf[NGX_HTTP_PF_BLOB_CHUNK], path[NGX_MAX_PATH], *p;
    u_char        digest[SHA256_DIGEST_LENGTH], names[64];
    ssize_t       n;
    uint32_t      type;
    SHA256_CTX    sha;
    const char   *mime, *ext;
    struct stat   st;

    fd = open((char *) ctx->upload_temp.data, O_RDONLY);
    if (fd == -1) {
        ngx_log_error(NGX_LOG_ERR, log, ngx_errno, "open(\"%V\") failed",
                      &ctx->upload_temp);
        ngx_http_pf_error(ctx, 500, "internal", "the upload was lost");
        return;
    }

    SHA256_Init(&sha);
    size = 0;
    type = 0;
    mime = NULL;
    ext = NULL;

    for ( ;; ) {
        n = read(fd, buf, sizeof(buf));

        if (n == -1) {
            ngx_log_error(NGX_LOG_ERR, log, ngx_errno, "read(\"%V\") failed",
                          &ctx->upload_temp);
            ngx_http_pf_error(ctx, 500, "internal", "the upload was lost");
            goto done;
        }

        if (n == 0) {
            break;
        }

        if (size == 0) {
            type = ngx_http_pf_blob_sniff(buf, n, &mime, &ext);

            if (!(type & ctx->upload_types)) {
                ngx_http_pf_error(ctx, 415, "unsupported_file_type",
                                  "the file's content is not one of: %s",
                                  ngx_http_pf_type_names(ctx->upload_types,
                                                         names,
                                                         sizeof(names)));
                goto done;
            }
        }

        SHA256_Update(&sha, buf, n);
        size += n;

        if (size > ctx->upload_max) {
            ngx_http_pf_error(ctx, 413, "file_too_large",
                              "the file is larger than %O bytes",
                              ctx->upload_max);
            goto done;
        }
    }

    if (size == 0) {
        ngx_http_pf_error(ctx, 400, "empty_file", "the file is empty");
        goto done;
    }

    SHA256_Final(digest, &sha);
    ngx_hex_dump(ctx->upload_hex, digest, sizeof(digest));
    ctx->upload_hex[64] = '\0';

    if (ngx_http_pf_blob_path(ctx->pmcf, ctx->upload_hex, path, sizeof(path))
        != NGX_OK)
    {
        ngx_http_pf_error(ctx, 500, "internal", "the data path is too long");
        goto done;
    }

    /* the same content stored already: keep one copy */
    if (stat((char *) path, &st) == 0 && st.st_size == size) {
        goto stored;
    }

    if (fsync(fd) == -1) {
        ngx_log_error(NGX_LOG_ERR, log, ngx_errno, "fsync(\"%V\") failed",
                      &ctx->upload_temp);
        ngx_http_pf_error(ctx, 503, "storage_unavailable",
                          "the file could not be stored");
        goto done;
    }

    p = path + ctx->pmcf->data_dir.len + sizeof("/blobs/ab/cd") - 1;
    *p = '\0';

    if (ngx_create_full_path(path, 0700) != 0 && ngx_errno != NGX_EEXIST) {
        ngx_log_error(NGX_LOG_ERR, log, ngx_errno,
                      "creating \"%s\" failed", path);
    }

    if (mkdir((char *) path, 0700) == -1 && ngx_errno != NGX_EEXIST) {
        ngx_log_error(NGX_LOG_ERR, log, ngx_errno, "mkdir(\"%s\") failed",
                      path);
        *p = '/';
        ngx_http_pf_error(ctx, 503, "storage_unavailable",
                          "the file could not be stored");
        goto done;
    }

    *p = '/';

    if (rename((char *) ctx->upload_temp.data, (char *) path) == -1) {

        /* temp files on another file system: copy instead */
        if (ngx_errno != NGX_EXDEV
            || ngx_http_pf_blob_copy(fd, path, log) != NGX_OK)
        {
            ngx_log_error(NGX_LOG_ERR, log, ngx_errno,
                          "storing \"%s\" failed", path);
            ngx_http_pf_error(ctx, 503, "storage_unavailable",
                              "the file could not be stored");
            goto done;
        }
    }

    if (ngx_http_pf_fsync_dir(path, p, log) != NGX_OK) {
        ngx_http_pf_error(ctx, 503, "storage_unavailable",
                          "the file could not be stored");
        goto done;
    }

stored:

    ctx->upload.sha256.data = (const char *) ctx->upload_hex;
    ctx->upload.sha256.len = 64;
    ctx->upload.size = size;
    ctx->upload.type = type;
    ctx->upload.mime = mime;
    ctx->upload.ext = ext;

done:

    close(fd);
}


/* Back in the event loop: the route's handler records it in the writer. */

static void
ngx_http_pf_blob_stored(ngx_http_pf_ctx_t *ctx)
{
    ctx->done = NULL;

    if (ctx->replied) {
        ngx_http_pf_finish(ctx);
        return;
    }

    ctx->handler = ngx_http_pf_blob_record;
    ngx_http_pf_writer_hand(ctx);
}


/*
 * In the writer: the plugin's handler, then the school's file index that
 * file verification walks (AD4), in the same transaction.
 */

static int
ngx_http_pf_blob_record(pf_req_t *req)
{
    ngx_http_pf_ctx_t *ctx = req;

    int        status;
    u_char    *p;
    pf_str_t   key, old;
    pf_gen_t  *g;

    status = ctx->route->route->handler(ctx);

    if (status >= 400 || ctx->status >= 400) {
        return status;
    }

    p = ngx_pnalloc(ctx->pool, ctx->user.school.len + 1 + 64);
    if (p == NULL) {
        return ngx_http_pf_error(ctx, 500, "internal", "out of memory");
    }

    key.data = (const char *) p;
    p = ngx_cpymem(p, ctx->user.school.data, ctx->user.school.len);
    *p++ = 0x1f;
    p = ngx_cpymem(p, ctx->upload_hex, 64);
    key.len = p - (u_char *) key.data;

    if (ngx_http_pf_db_get(ctx, NGX_HTTP_PF_DB_BLOBS, key, &old) == PF_OK) {
        return status;
    }

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return ngx_http_pf_error(ctx, 500, "internal", "out of memory");
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "size");
    ngx_http_pf_gen_number(g, ctx->upload.size);
    ngx_http_pf_gen_key(g, "mime");
    ngx_http_pf_gen_cstring(g, ctx->upload.mime);
    ngx_http_pf_gen_key(g, "at");
    ngx_http_pf_gen_number(g, ngx_http_pf_now_ms());
    ngx_http_pf_gen_key(g, "by");
    ngx_http_pf_gen_string(g, ctx->user.id);
    ngx_http_pf_gen_map_close(g);

    if (ngx_http_pf_db_put(ctx, NGX_HTTP_PF_DB_BLOBS, key,
                           ngx_http_pf_gen_text(g))
        != PF_OK)
    {
        return ngx_http_pf_error(ctx, 503, "storage_unavailable",
                                 "the file index could not be updated");
    }

    return status;
}


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
        ngx_http_pf_error(ctx, 500, "internal", "bad file path");
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
                          "the stored file is missing; tell the school "
                          "administrator");
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


/*
 * POST /schools/{school}/files/verify (AD4): re-hashes every file the
 * school stored and reports those missing or changed.  The list is read
 * here; the hashing runs in the task pool.
 */

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
                                 "the file index cannot be read now");
    }

    ctx->data = v;
    ctx->done = ngx_http_pf_blob_verify_done;

    if (ngx_http_pf_thread_post(ctx, ctx->pmcf->task_pool,
                                ngx_http_pf_blob_verify_thread)
        != NGX_OK)
    {
        return ngx_http_pf_busy(ctx, 5, "try again shortly");
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
        ngx_http_pf_error(ctx, 500, "internal", "out of memory");
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
