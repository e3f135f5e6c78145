/*
 * ngx_http_portfolio_blob.c -- the file store (SPEC Q2, AD4): uploads, and
 * where stored files live.
 *
 * Uploads arrive as the raw request body, which nginx spools to a
 * temporary file once the size was accepted (ngx_http_pf_prepare refuses
 * oversize bodies from Content-Length before reading any).  A task-pool
 * thread then decides the type by content, hashes (SHA-256), fsyncs and
 * renames the file to DATA/blobs/ab/cd/<sha256>, and fsyncs the directory;
 * only then does the route's handler run in the writer to record it.  A
 * file stored twice is kept once.
 *
 * Stored files are sent by _blob_send.c and re-hashed by _blob_verify.c;
 * both find them with ngx_http_pf_blob_path().
 */

#include "ngx_http_portfolio_module.h"

#include <openssl/sha.h>


static void ngx_http_pf_blob_thread(void *data, ngx_log_t *log);
static void ngx_http_pf_blob_stored(ngx_http_pf_ctx_t *ctx);
static int ngx_http_pf_blob_record(pf_req_t *req);


static uint32_t
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


/*
 * The types an upload takes, as the pages say them: 文件（pdf、jpg、png）,
 * 影音（mp3、mp4）, or the list.
 */

static const char *
ngx_http_pf_type_words(uint32_t types, u_char *buf, size_t size)
{
    u_char      *p, *last;
    ngx_uint_t   i, n;

    static const struct {
        uint32_t     type;
        const char  *name;
    } names[] = {
        { PF_TYPE_PDF, "pdf" }, { PF_TYPE_JPEG, "jpg" },
        { PF_TYPE_PNG, "png" }, { PF_TYPE_MP3, "mp3" },
        { PF_TYPE_MP4, "mp4" },
    };

    p = buf;
    last = buf + size - 1;

    if (types == PF_TYPES_DOCUMENT) {
        p = ngx_slprintf(p, last, "文件（");

    } else if (types == PF_TYPES_MEDIA) {
        p = ngx_slprintf(p, last, "影音（");
    }

    for (i = 0, n = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (types & names[i].type) {
            p = ngx_slprintf(p, last, "%s%s", n++ ? "、" : "",
                             names[i].name);
        }
    }

    if (types == PF_TYPES_DOCUMENT || types == PF_TYPES_MEDIA) {
        p = ngx_slprintf(p, last, "）");
    }

    *p = '\0';

    return (const char *) buf;
}


/* 413 file_too_large, with the upload's limit and the types it is for. */

ngx_int_t
ngx_http_pf_file_too_large(ngx_http_pf_ctx_t *ctx)
{
    u_char  words[96];

    ngx_http_pf_type_words(ctx->upload_types, words, sizeof(words));

    if (ctx->upload_max % (1024 * 1024) == 0) {
        return ngx_http_pf_error(ctx, 413, "file_too_large",
                                 "檔案太大：%s上限 %O MB，"
                                 "請縮小檔案後再上傳", words,
                                 ctx->upload_max / 1024 / 1024);
    }

    return ngx_http_pf_error(ctx, 413, "file_too_large",
                             "檔案太大：%s上限 %O 位元組，"
                             "請縮小檔案後再上傳", words, ctx->upload_max);
}


void
ngx_http_pf_blob_upload(ngx_http_pf_ctx_t *ctx)
{
    u_char              *p;
    ngx_temp_file_t     *tf;
    ngx_http_request_t  *r;

    r = ctx->r;

    if (r->request_body == NULL || r->request_body->temp_file == NULL) {
        ngx_http_pf_error(ctx, 400, "empty_file",
                          "檔案是空的，請選擇有內容的檔案再上傳");
        ngx_http_pf_finish(ctx);
        return;
    }

    tf = r->request_body->temp_file;

    p = ngx_pnalloc(ctx->pool, tf->file.name.len + 1);
    if (p == NULL) {
        ngx_http_pf_error(ctx, 500, "internal",
                          "系統記憶體不足，這次上傳沒有完成；請稍候再試");
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
        (void) ngx_http_pf_busy(ctx, 2, "同時上傳的人太多，請稍候再試");
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
    u_char        digest[SHA256_DIGEST_LENGTH], names[96];
    ssize_t       n;
    uint32_t      type;
    SHA256_CTX    sha;
    const char   *mime, *ext;
    struct stat   st;

    fd = open((char *) ctx->upload_temp.data, O_RDONLY);
    if (fd == -1) {
        ngx_log_error(NGX_LOG_ERR, log, ngx_errno, "open(\"%V\") failed",
                      &ctx->upload_temp);
        ngx_http_pf_error(ctx, 500, "internal",
                          "上傳的檔案在處理時遺失，請重新上傳");
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
            ngx_http_pf_error(ctx, 500, "internal",
                              "上傳的檔案在處理時遺失，請重新上傳");
            goto done;
        }

        if (n == 0) {
            break;
        }

        if (size == 0) {
            type = ngx_http_pf_blob_sniff(buf, n, &mime, &ext);

            if (!(type & ctx->upload_types)) {
                ngx_http_pf_error(ctx, 415, "unsupported_file_type",
                                  "檔案格式不符：只接受%s；"
                                  "系統依檔案內容判斷，只改副檔名無效",
                                  ngx_http_pf_type_words(ctx->upload_types,
                                                         names,
                                                         sizeof(names)));
                goto done;
            }
        }

        SHA256_Update(&sha, buf, n);
        size += n;

        if (size > ctx->upload_max) {
            (void) ngx_http_pf_file_too_large(ctx);
            goto done;
        }
    }

    if (size == 0) {
        ngx_http_pf_error(ctx, 400, "empty_file",
                          "檔案是空的，請選擇有內容的檔案再上傳");
        goto done;
    }

    SHA256_Final(digest, &sha);
    ngx_hex_dump(ctx->upload_hex, digest, sizeof(digest));
    ctx->upload_hex[64] = '\0';

    if (ngx_http_pf_blob_path(ctx->pmcf, ctx->upload_hex, path, sizeof(path))
        != NGX_OK)
    {
        ngx_http_pf_error(ctx, 500, "internal",
                          "系統的資料路徑太長，檔案沒有儲存；"
                          "請通知系統管理者");
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
                          "檔案沒有儲存成功，請稍候再上傳一次");
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
                          "檔案沒有儲存成功，請稍候再上傳一次");
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
                              "檔案沒有儲存成功，請稍候再上傳一次");
            goto done;
        }
    }

    if (ngx_http_pf_fsync_dir(path, p, log) != NGX_OK) {
        ngx_http_pf_error(ctx, 503, "storage_unavailable",
                          "檔案沒有儲存成功，請稍候再上傳一次");
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
        return ngx_http_pf_error(ctx, 500, "internal",
                                 "系統記憶體不足，請稍候再試");
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
        return ngx_http_pf_error(ctx, 500, "internal",
                                 "系統記憶體不足，請稍候再試");
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "size");
    ngx_http_pf_gen_number(g, ctx->upload.size);
    ngx_http_pf_gen_key(g, "mime");
    ngx_http_pf_gen_cstring(g, ctx->upload.mime);
    ngx_http_pf_gen_key(g, "at");
    ngx_http_pf_gen_number(g, ngx_http_pf_now_ms());
    ngx_http_pf_gen_key(g, "by");
    ngx_http_pf_gen_string(g, ctx->user.account);
    ngx_http_pf_gen_map_close(g);

    if (ngx_http_pf_db_put(ctx, NGX_HTTP_PF_DB_BLOBS, key,
                           ngx_http_pf_gen_text(g))
        != PF_OK)
    {
        return ngx_http_pf_error(ctx, 503, "storage_unavailable",
                                 "檔案的索引沒有更新成功，請稍候再上傳一次");
    }

    return status;
}
