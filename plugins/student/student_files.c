/*
 * student_files.c -- an outcome's document and media file (SPEC P4, Q2)
 * and the storage quota (P10): the checks before the body is read, the
 * file's display name, recording the stored file, sending it, and the
 * space each account uses ("usage").
 */

#include <string.h>

#include "student.h"


/* --- usage and quota ----------------------------------------------------- */

void
st_usage(pf_req_t *req, pf_str_t account, st_usage_t *u)
{
    const pf_val_t  *rec;

    rec = pf_load(req, "usage", account);
    u->bytes = rec ? pf_int(rec, "bytes", 0) : 0;
    u->files = rec ? pf_int(rec, "files", 0) : 0;
}


int
st_usage_put(pf_req_t *req, pf_str_t account, st_usage_t *u)
{
    pf_gen_t  *g;

    if (u->bytes < 0) {
        u->bytes = 0;
    }

    if (u->files < 0) {
        u->files = 0;
    }

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "bytes");
    pf_host->number(g, u->bytes);
    pf_host->key(g, "files");
    pf_host->number(g, u->files);
    pf_host->map_close(g);

    return pf_host->db_put(req, "usage", account, pf_host->text(g));
}


static int64_t
st_quota(pf_req_t *req)
{
    const pf_user_t  *user;

    user = pf_host->user(req);

    if (user->roles & PF_ROLE_STUDENT) {
        return pf_host->setting_number(req, pf_string(""), "quota_student_mb")
               * PFO_MIB;
    }

    return pf_host->setting_number(req, pf_string(""), "quota_teacher_mb")
           * PFO_MIB;
}


int64_t
st_file_size(const pf_val_t *rec, const char *kind)
{
    const pf_val_t  *f;

    f = pf_host->get(rec, kind);

    if (pf_host->type(f) != PF_JSON_OBJECT) {
        return -1;
    }

    return pf_int(f, "size", 0);
}


static int
st_quota_refuse(pf_req_t *req, int64_t need, int64_t used, int64_t quota)
{
    return pf_host->error(req, 413, "quota_exceeded",
                          "儲存空間不足：這個檔案 %.1f MB，已使用 %.1f MB，"
                          "上限 %.0f MB；請刪除不需要的草稿後再上傳",
                          (double) need / PFO_MIB, (double) used / PFO_MIB,
                          (double) quota / PFO_MIB);
}


/* --- PUT /outcomes/{id}/document, PUT /outcomes/{id}/media --------------- */

/* In the event loop, before any of the body is read. */

static int
st_file_precheck(pf_req_t *req, int media)
{
    int               rc;
    int64_t           len, old, quota;
    pf_str_t          key;
    st_usage_t        u;
    const pf_val_t   *rec;
    const pf_user_t  *user;

    user = pf_host->user(req);

    rec = st_own_draft(req, &key, 1, &rc);
    if (rec == NULL) {
        return rc;
    }

    /* taken off the course by a re-import: no more files for it (the
       writer does not ask again: a file that was on its way arrives) */
    rc = st_enrolled(req, rec);
    if (rc) {
        return rc;
    }

    len = pf_host->content_length(req);
    old = st_file_size(rec, media ? "media" : "document");
    quota = st_quota(req);
    st_usage(req, user->id, &u);

    if (len > 0 && u.bytes - (old > 0 ? old : 0) + len > quota) {
        return st_quota_refuse(req, len, u.bytes, quota);
    }

    if (pf_host->upload_limit(req, media ? ST_MEDIA_MAX : ST_DOC_MAX,
                              media ? PF_TYPES_MEDIA : PF_TYPES_DOCUMENT)
        != PF_OK)
    {
        return pf_host->error(req, 500, "internal",
                              "無法開始上傳，請稍後再試");
    }

    return 0;
}


int
st_document_precheck(pf_req_t *req)
{
    return st_file_precheck(req, 0);
}


int
st_media_precheck(pf_req_t *req)
{
    return st_file_precheck(req, 1);
}


/* --- the file's name ----------------------------------------------------- */

/* Length of the UTF-8 sequence at p (valid, shortest form), or 0. */

static size_t
st_utf8_len(const unsigned char *p, size_t n)
{
    if (p[0] < 0x80) {
        return 1;
    }

    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        return n >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
    }

    if (p[0] >= 0xe0 && p[0] <= 0xef) {
        if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80
            || (p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0))
        {
            return 0;
        }

        return 3;
    }

    if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        if (n < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80
            || (p[3] & 0xc0) != 0x80 || (p[0] == 0xf0 && p[1] < 0x90)
            || (p[0] == 0xf4 && p[1] >= 0x90))
        {
            return 0;
        }

        return 4;
    }

    return 0;
}


static int
st_ext_matches(const char *e, size_t n, const char *ext)
{
    char    low[8];
    size_t  i;

    if (n == 0 || n >= sizeof(low)) {
        return 0;
    }

    for (i = 0; i < n; i++) {
        low[i] = (e[i] >= 'A' && e[i] <= 'Z') ? e[i] - 'A' + 'a' : e[i];
    }

    low[n] = '\0';

    return strcmp(low, ext) == 0
           || (strcmp(ext, "jpg") == 0 && strcmp(low, "jpeg") == 0);
}


static int
st_known_ext(const char *e, size_t n)
{
    static const char *const  known[] = {
        "pdf", "png", "jpg", "mp3", "mp4", "m4a", "mov", "gif", "doc",
        "docx", "txt", "exe", NULL
    };

    size_t  i;

    for (i = 0; known[i]; i++) {
        if (st_ext_matches(e, n, known[i])) {
            return 1;
        }
    }

    return 0;
}


/*
 * The file's display name: the ?name= argument (URL-encoded UTF-8)
 * without any path, control characters or invalid UTF-8, at most 100
 * characters, ending in the extension of the type its content has (a
 * PDF named "x.png" is shown as "x.pdf"); "document.<ext>" or
 * "media.<ext>" without one.
 */

static pf_str_t
st_file_name(pf_req_t *req, pf_str_t raw, const char *ext, const char *kind)
{
    char                 *buf, *dot, *own;
    const char           *use;
    size_t                i, n, len, chars, max, extlen;
    const unsigned char  *p, *end, *start;

    /* only the last path component */
    start = (const unsigned char *) raw.data;
    end = start + raw.len;

    for (p = start; p < end; p++) {
        if (*p == '/' || *p == '\\') {
            start = p + 1;
        }
    }

    extlen = strlen(ext);

    buf = pf_host->alloc(req, (size_t) (end - start) + extlen + 2
                              + sizeof("document"));
    if (buf == NULL) {
        return pf_string("file");
    }

    len = 0;
    chars = 0;

    for (p = start; p < end; p += n) {
        n = st_utf8_len(p, (size_t) (end - p));

        if (n == 0) {
            n = 1;
            buf[len++] = '_';
            chars++;
            continue;
        }

        if (n == 1 && (*p < 0x20 || *p == 0x7f)) {
            continue;
        }

        /* no leading blanks or dots ("..", hidden files) */
        if (len == 0 && (*p == ' ' || *p == '.')) {
            continue;
        }

        memcpy(buf + len, p, n);
        len += n;
        chars++;
    }

    /* no trailing blanks or dots */
    while (len && (buf[len - 1] == ' ' || buf[len - 1] == '.')) {
        len--;
        chars--;
    }

    /* the extension: the name's own if it names the content's type
       ("scan.PNG", "photo.jpeg"), else the type's ("x.png" of a PDF is
       "x.pdf"); a known extension that lies is dropped */
    dot = NULL;
    use = ext;

    for (i = len; i > 0; i--) {
        if (buf[i - 1] == '.') {
            dot = buf + i - 1;
            break;
        }
    }

    if (dot) {
        n = len - (size_t) (dot + 1 - buf);

        if (st_ext_matches(dot + 1, n, ext)) {
            own = pf_host->alloc(req, n + 1);

            if (own) {
                memcpy(own, dot + 1, n);
                own[n] = '\0';
                use = own;
            }
        }

        if (use != ext || st_known_ext(dot + 1, n)) {
            chars -= pf_utf8_chars((pf_str_t) { len - (size_t) (dot - buf),
                                                dot });
            len = (size_t) (dot - buf);
        }
    }

    extlen = strlen(use);
    max = ST_NAME_MAX - 1 - extlen;

    /* the stem, cut to fit on a character boundary */
    while (chars > max) {
        do {
            len--;
        } while (len && ((unsigned char) buf[len] & 0xc0) == 0x80);

        chars--;
    }

    while (len && (buf[len - 1] == ' ' || buf[len - 1] == '.')) {
        len--;
    }

    if (len == 0) {
        memcpy(buf, kind, strlen(kind));
        len = strlen(kind);
    }

    buf[len++] = '.';
    memcpy(buf + len, use, extlen);
    len += extlen;

    return (pf_str_t) { len, buf };
}


/* --- recording the stored file ------------------------------------------- */

/* In the writer, after the host stored the file: record it. */

static int
st_file_store(pf_req_t *req, int media)
{
    int                 rc;
    int64_t             old, quota, now;
    pf_str_t            key, text, name, raws[4], detail;
    pf_gen_t           *g;
    st_usage_t          u;
    const char         *kind;
    const pf_val_t     *rec;
    const pf_user_t    *user;
    const pf_upload_t  *up;

    const char         *keys[3];

    user = pf_host->user(req);
    up = pf_host->upload(req);
    kind = media ? "media" : "document";

    if (up == NULL) {
        return pf_host->error(req, 500, "internal",
                              "檔案沒有存下來，請再上傳一次");
    }

    /*
     * The writer is the source of truth: draft and quota again (the owner
     * of an id never changes).  Not the window: the precheck let the
     * upload start inside it, and a file that took until after the
     * deadline to arrive is not refused (Q3: nothing sent in time is
     * lost).
     */
    rec = st_own_draft(req, &key, 0, &rc);
    if (rec == NULL) {
        return rc;
    }

    if ((up->type & (media ? PF_TYPES_MEDIA : PF_TYPES_DOCUMENT)) == 0) {
        return pf_host->error(req, 415, "unsupported_file_type",
                              "檔案格式不符：這個檔案的內容不是%s",
                              media ? "影音檔（mp3、mp4）"
                                    : "文件（pdf、jpg、png）");
    }

    old = st_file_size(rec, kind);
    quota = st_quota(req);
    st_usage(req, user->id, &u);

    if (u.bytes - (old > 0 ? old : 0) + up->size > quota) {
        return st_quota_refuse(req, up->size, u.bytes, quota);
    }

    name = st_file_name(req, pf_host->arg(req, "name"), up->ext, kind);
    now = pf_host->now_ms(req);

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "sha256");
    pf_host->string(g, up->sha256);
    pf_host->key(g, "size");
    pf_host->number(g, up->size);
    pf_host->key(g, "mime");
    pf_host->cstring(g, up->mime);
    pf_host->key(g, "ext");
    pf_host->cstring(g, up->ext);
    pf_host->key(g, "name");
    pf_host->string(g, name);
    pf_host->map_close(g);

    keys[0] = kind;
    keys[1] = "updated";
    keys[2] = "by";
    raws[0] = pf_host->text(g);
    raws[1] = pf_jint(req, now);
    raws[2] = pf_jstr(req, user->account);
    text = pf_rewrite(req, rec, 3, keys, raws);

    u.bytes += up->size - (old > 0 ? old : 0);
    u.files += old >= 0 ? 0 : 1;

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "id");
    pf_host->string(g, pf_field(rec, "id"));
    pf_host->key(g, "kind");
    pf_host->cstring(g, kind);
    pf_host->key(g, "sha256");
    pf_host->string(g, up->sha256);
    pf_host->key(g, "size");
    pf_host->number(g, up->size);
    pf_host->key(g, "name");
    pf_host->string(g, name);
    pf_host->key(g, "replaced");
    pf_host->boolean(g, old >= 0);
    pf_host->map_close(g);
    detail = pf_host->text(g);

    if (pf_host->db_put(req, "outcomes", key, text) != PF_OK
        || st_usage_put(req, user->id, &u) != PF_OK
        || pf_host->audit(req, user->id, "outcome.file_stored", detail)
           != PF_OK)
    {
        return pf_host->error(req, 503, "storage_unavailable",
                              "檔案暫時無法記錄，請稍後再試");
    }

    return st_reply_outcome(req, 200, text);
}


int
st_document_store(pf_req_t *req)
{
    return st_file_store(req, 0);
}


int
st_media_store(pf_req_t *req)
{
    return st_file_store(req, 1);
}


/* --- GET /outcomes/{id}/document, /media: the file, shown inline --------- */

static int
st_download(pf_req_t *req, const char *kind)
{
    int              acc, rc;
    pf_str_t         sha, mime, name;
    const pf_val_t  *rec, *f;

    rec = st_readable(req, &acc, &rc, NULL);
    if (rec == NULL) {
        return rc;
    }

    f = pf_host->get(rec, kind);
    sha = pf_field(f, "sha256");
    mime = pf_field(f, "mime");
    name = pf_field(f, "name");

    if (pf_host->type(f) != PF_JSON_OBJECT || sha.len != 64 || mime.len == 0) {
        return pf_host->error(req, 404, "no_file",
                              "這份學習成果沒有%s",
                              kind[0] == 'm' ? "影音檔" : "文件");
    }

    /* parsed strings are NUL-terminated: mime is a C string */
    if (pf_host->send_file(req, sha, mime.data, name, 1) != PF_OK) {
        return pf_host->error(req, 500, "internal",
                              "檔案暫時無法傳送，請稍後再試");
    }

    return 200;
}


int
st_get_document(pf_req_t *req)
{
    return st_download(req, "document");
}


int
st_get_media(pf_req_t *req)
{
    return st_download(req, "media");
}


/* --- GET /me/quota (P10) ------------------------------------------------- */

int
st_my_quota(pf_req_t *req)
{
    pf_gen_t    *g;
    st_usage_t   u;

    st_usage(req, pf_host->user(req)->id, &u);

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "used_bytes");
    pf_host->number(g, u.bytes);
    pf_host->key(g, "quota_bytes");
    pf_host->number(g, st_quota(req));
    pf_host->key(g, "files");
    pf_host->number(g, u.files);
    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}
