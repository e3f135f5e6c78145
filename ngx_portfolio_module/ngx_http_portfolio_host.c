/*
 * ngx_http_portfolio_host.c -- the host API table plugins call, and the
 * services behind it that are not storage or JSON: settings, events,
 * audit, outbox, ids, time, logging.
 */

#include "ngx_http_portfolio_module.h"

#include <openssl/rand.h>


int64_t
ngx_http_pf_now_ms(void)
{
    struct timespec  ts;

    /* clock_gettime, not ngx_time(): the writer thread calls this too */
    (void) clock_gettime(CLOCK_REALTIME, &ts);

    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}


/*
 * Time-ordered ids: 48 bits of milliseconds and 80 random bits in
 * Crockford base32 (26 characters), so records keyed by id list in the
 * order they were made.
 */

static pf_str_t
ngx_http_pf_new_id(ngx_http_pf_ctx_t *ctx)
{
    static const char  alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /*
     * Per thread (the writer and the event loop both make ids): within one
     * millisecond the random part counts up, so ids stay in creation
     * order, as audit trails need.
     */
    static __thread int64_t  last_ms;
    static __thread u_char   last_rand[10];

    u_char      raw[16], *p;
    int64_t     ms;
    pf_str_t    id;
    ngx_int_t   k;
    ngx_uint_t  i, bit, v;

    ms = ngx_http_pf_now_ms();

    if (ms <= last_ms) {
        ms = last_ms;

        for (k = 9; k >= 0; k--) {
            if (++last_rand[k] != 0) {
                break;
            }
        }

    } else if (RAND_bytes(last_rand, 10) != 1) {
        ngx_log_error(NGX_LOG_ERR, ctx->log, 0, "RAND_bytes() failed");
        return (pf_str_t) { 0, NULL };
    }

    last_ms = ms;

    for (i = 0; i < 6; i++) {
        raw[i] = (u_char) (ms >> (40 - 8 * i));
    }

    ngx_memcpy(raw + 6, last_rand, 10);

    p = ngx_pnalloc(ctx->pool, 27);
    if (p == NULL) {
        return (pf_str_t) { 0, NULL };
    }

    /* 128 bits, read 5 at a time from the top (2 bits of padding first) */
    for (i = 0; i < 26; i++) {
        v = 0;

        for (bit = 0; bit < 5; bit++) {
            ngx_int_t  pos = (ngx_int_t) (i * 5 + bit) - 2;

            v <<= 1;

            if (pos >= 0) {
                v |= (raw[pos / 8] >> (7 - pos % 8)) & 1;
            }
        }

        p[i] = alphabet[v];
    }

    p[26] = '\0';

    id.data = (const char *) p;
    id.len = 26;

    return id;
}


/* Writes any parsed value back out (records are rewritten field-wise). */

int
ngx_http_pf_gen_value(pf_gen_t *g, const pf_val_t *v)
{
    size_t  i, n;

    switch (ngx_http_pf_json_type(v)) {

    case PF_JSON_NULL:
        return ngx_http_pf_gen_null(g);

    case PF_JSON_FALSE:
        return ngx_http_pf_gen_boolean(g, 0);

    case PF_JSON_TRUE:
        return ngx_http_pf_gen_boolean(g, 1);

    case PF_JSON_NUMBER:
        return ngx_http_pf_gen_raw(g, ngx_http_pf_json_str(v));

    case PF_JSON_STRING:
        return ngx_http_pf_gen_string(g, ngx_http_pf_json_str(v));

    case PF_JSON_ARRAY:
        n = ngx_http_pf_json_count(v);
        ngx_http_pf_gen_array_open(g);

        for (i = 0; i < n; i++) {
            if (ngx_http_pf_gen_value(g, ngx_http_pf_json_at(v, i)) != PF_OK) {
                return PF_ERROR;
            }
        }

        return ngx_http_pf_gen_array_close(g);

    case PF_JSON_OBJECT:
        n = ngx_http_pf_json_count(v);
        ngx_http_pf_gen_map_open(g);

        for (i = 0; i < n; i++) {
            if (ngx_http_pf_gen_string(g, ngx_http_pf_json_key_at(v, i))
                != PF_OK
                || ngx_http_pf_gen_value(g, ngx_http_pf_json_at(v, i))
                   != PF_OK)
            {
                return PF_ERROR;
            }
        }

        return ngx_http_pf_gen_map_close(g);

    default:
        return PF_ERROR;
    }
}


/* the request */

static const pf_user_t *
ngx_http_pf_api_user(pf_req_t *req)
{
    return req->has_user ? &req->user : NULL;
}


static pf_str_t
ngx_http_pf_api_param(pf_req_t *req, const char *name)
{
    ngx_str_t  *v;

    v = ngx_http_pf_param(req, name);

    return v ? ngx_http_pf_str(v) : (pf_str_t) { 0, NULL };
}


static pf_str_t
ngx_http_pf_api_arg(pf_req_t *req, const char *name)
{
    u_char      *dst, *src, *buf;
    size_t       i;
    ngx_str_t    value;

    if (req->r == NULL
        || ngx_http_arg(req->r, (u_char *) name, ngx_strlen(name), &value)
           != NGX_OK)
    {
        return (pf_str_t) { 0, NULL };
    }

    /*
     * Decoded as a browser's form encodes: "+" is a space, then every %XX
     * (a "%2B" stays a plus, a "%3F" a question mark).
     */
    buf = ngx_pnalloc(req->pool, value.len + 1);
    if (buf == NULL) {
        return (pf_str_t) { 0, NULL };
    }

    for (i = 0; i < value.len; i++) {
        buf[i] = (value.data[i] == '+') ? ' ' : value.data[i];
    }

    src = buf;
    dst = buf;
    ngx_unescape_uri(&dst, &src, value.len, 0);
    *dst = '\0';

    value.data = buf;

    return (pf_str_t) { dst - value.data, (const char *) value.data };
}


static const pf_val_t *
ngx_http_pf_api_body(pf_req_t *req)
{
    return req->body;
}


static const pf_val_t *
ngx_http_pf_api_parse(pf_req_t *req, pf_str_t json)
{
    ngx_str_t  err;

    return ngx_http_pf_json_parse(req->pool, (u_char *) json.data, json.len,
                                  64, &err);
}


static pf_gen_t *
ngx_http_pf_api_gen(pf_req_t *req)
{
    return ngx_http_pf_gen(req->pool);
}


/*
 * Plugins format like C printf (as sprintf() and log() do), not like
 * ngx_sprintf(): "%.*s" or "%lld" would come out garbled and misread the
 * arguments that follow.
 */

static int
ngx_http_pf_api_error(pf_req_t *req, int status, const char *code,
    const char *fmt, ...)
{
    char     buf[512];
    va_list  args;

    if (status < 400 || status > 599) {
        status = 500;
    }

    va_start(args, fmt);
    (void) vsnprintf(buf, sizeof(buf), fmt, args);
    va_end(args);

    return ngx_http_pf_error(req, status, code, "%s", buf);
}


/*
 * Settings before 1.4: resolved school -> city -> nation, with the default
 * the caller passes (_settings.c resolves them).
 */

static pf_str_t
ngx_http_pf_api_setting_in(pf_req_t *req, pf_str_t school, const char *name)
{
    pf_str_t  v;

    v = ngx_http_pf_setting_value(req, school,
                                  (pf_str_t) { ngx_strlen(name), name });

    return v.data ? v : (pf_str_t) { 0, NULL };
}


static pf_str_t
ngx_http_pf_api_setting(pf_req_t *req, const char *name)
{
    pf_str_t  school;

    school.data = req->user.school.data;
    school.len = req->has_user ? req->user.school.len : 0;

    return ngx_http_pf_api_setting_in(req, school, name);
}


static int64_t
ngx_http_pf_setting_number_or(pf_str_t v, int64_t dflt)
{
    ngx_int_t  n;

    if (v.len == 0) {
        return dflt;
    }

    if (v.data[0] == '-') {
        n = ngx_atoi((u_char *) v.data + 1, v.len - 1);
        return n == NGX_ERROR ? dflt : -n;
    }

    n = ngx_atoi((u_char *) v.data, v.len);

    return n == NGX_ERROR ? dflt : n;
}


static int64_t
ngx_http_pf_api_setting_int(pf_req_t *req, const char *name, int64_t dflt)
{
    return ngx_http_pf_setting_number_or(ngx_http_pf_api_setting(req, name),
                                         dflt);
}


static int64_t
ngx_http_pf_api_setting_int_in(pf_req_t *req, pf_str_t school,
    const char *name, int64_t dflt)
{
    return ngx_http_pf_setting_number_or(
               ngx_http_pf_api_setting_in(req, school, name), dflt);
}


static pf_str_t
ngx_http_pf_api_setting_at(pf_req_t *req, uint32_t level, pf_str_t school,
    pf_str_t name)
{
    return ngx_http_pf_setting_at(req, level, school, name);
}


static int
ngx_http_pf_api_setting_put(pf_req_t *req, uint32_t level, pf_str_t school,
    pf_str_t name, pf_str_t value)
{
    if (!req->write) {
        return PF_DENIED;
    }

    return ngx_http_pf_setting_put(req, level, school, name, value, NULL);
}


static int
ngx_http_pf_api_setting_del(pf_req_t *req, uint32_t level, pf_str_t school,
    pf_str_t name)
{
    if (!req->write) {
        return PF_DENIED;
    }

    return ngx_http_pf_setting_del(req, level, school, name);
}


static int
ngx_http_pf_api_can_see(pf_req_t *req, pf_str_t student)
{
    return ngx_http_pf_can_see(req, student);
}


/* events: hooks of every plugin, in load order, in the same transaction */

static int
ngx_http_pf_emit(ngx_http_pf_ctx_t *ctx, const char *event,
    const pf_val_t *payload)
{
    int                    rc;
    ngx_uint_t             i, j;
    const pf_plugin_t     *desc;
    ngx_http_pf_plugin_t  *plugin, *caller;

    if (!ctx->write || ctx->pmcf->plugins == NULL) {
        return ctx->write ? PF_OK : PF_DENIED;
    }

    plugin = ctx->pmcf->plugins->elts;

    for (i = 0; i < ctx->pmcf->plugins->nelts; i++) {
        desc = &plugin[i].info;

        for (j = 0; j < desc->nhooks; j++) {
            if (ngx_strcmp(desc->hooks[j].event, event) != 0) {
                continue;
            }

            /* the hook reaches its own plugin's databases */
            caller = ctx->plugin;
            ctx->plugin = &plugin[i];
            rc = desc->hooks[j].run(ctx, payload);
            ctx->plugin = caller;

            if (rc != PF_OK) {
                ngx_log_error(NGX_LOG_ERR, ctx->log, 0,
                              "portfolio plugin \"%V\": hook for \"%s\" "
                              "failed (%d)", &plugin[i].name, event, rc);
                return rc;
            }
        }
    }

    return PF_OK;
}


/* Who a change is by: the caller, or "system" for a job or the master. */

int
ngx_http_pf_gen_who(pf_gen_t *g, ngx_http_pf_ctx_t *ctx)
{
    if (ctx->has_user) {
        return ngx_http_pf_gen_string(g, ctx->user.account);
    }

    return ngx_http_pf_gen_cstring(g, "system");
}


/*
 * Audit trail: "<subject>\x1f<id>" -> {"at", "by", "action", "detail"}.
 * A subject's history is one prefix scan, oldest first.
 */

int
ngx_http_pf_audit(ngx_http_pf_ctx_t *ctx, pf_str_t subject,
    const char *action, pf_str_t detail)
{
    u_char    *p;
    pf_str_t   id, key;
    pf_gen_t  *g;

    if (!ctx->write) {
        return PF_DENIED;
    }

    id = ngx_http_pf_new_id(ctx);
    if (id.len == 0 || subject.len == 0 || subject.len > 256) {
        return PF_ERROR;
    }

    p = ngx_pnalloc(ctx->pool, subject.len + 1 + id.len);
    if (p == NULL) {
        return PF_ERROR;
    }

    key.data = (const char *) p;
    p = ngx_cpymem(p, subject.data, subject.len);
    *p++ = 0x1f;
    p = ngx_cpymem(p, id.data, id.len);
    key.len = p - (u_char *) key.data;

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return PF_ERROR;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "at");
    ngx_http_pf_gen_number(g, ngx_http_pf_now_ms());
    ngx_http_pf_gen_key(g, "by");
    ngx_http_pf_gen_who(g, ctx);
    ngx_http_pf_gen_key(g, "action");
    ngx_http_pf_gen_cstring(g, action);
    ngx_http_pf_gen_key(g, "detail");

    if (detail.len == 0 || ngx_http_pf_gen_raw(g, detail) != PF_OK) {
        ngx_http_pf_gen_null(g);
    }

    if (ngx_http_pf_gen_map_close(g) != PF_OK) {
        return PF_ERROR;
    }

    return ngx_http_pf_db_put(ctx, NGX_HTTP_PF_DB_AUDIT, key,
                              ngx_http_pf_gen_text(g));
}


static int
ngx_http_pf_api_audit_scan(pf_req_t *req, pf_str_t subject, pf_scan_pt cb,
    void *data)
{
    u_char    *p;
    pf_str_t   prefix;

    if (subject.len == 0 || subject.len > 256) {
        return PF_ERROR;
    }

    p = ngx_pnalloc(req->pool, subject.len + 1);
    if (p == NULL) {
        return PF_ERROR;
    }

    prefix.data = (const char *) p;
    p = ngx_cpymem(p, subject.data, subject.len);
    *p++ = 0x1f;
    prefix.len = p - (u_char *) prefix.data;

    return ngx_http_pf_db_scan(req, NGX_HTTP_PF_DB_AUDIT, prefix, cb, data);
}


static pf_str_t
ngx_http_pf_api_record_owner(pf_req_t *req)
{
    return req->owner;
}


static int
ngx_http_pf_api_outbox(pf_req_t *req, const char *kind, pf_str_t payload)
{
    pf_str_t   id;
    pf_gen_t  *g;

    if (!req->write) {
        return PF_DENIED;
    }

    id = ngx_http_pf_new_id(req);
    g = ngx_http_pf_gen(req->pool);

    if (id.len == 0 || g == NULL) {
        return PF_ERROR;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "kind");
    ngx_http_pf_gen_cstring(g, kind);
    ngx_http_pf_gen_key(g, "at");
    ngx_http_pf_gen_number(g, ngx_http_pf_now_ms());
    ngx_http_pf_gen_key(g, "tries");
    ngx_http_pf_gen_number(g, 0);
    ngx_http_pf_gen_key(g, "payload");

    if (ngx_http_pf_gen_raw(g, payload) != PF_OK
        || ngx_http_pf_gen_map_close(g) != PF_OK)
    {
        return PF_ERROR;
    }

    return ngx_http_pf_db_put(req, NGX_HTTP_PF_DB_OUTBOX, id,
                              ngx_http_pf_gen_text(g));
}


static int64_t
ngx_http_pf_api_now_ms(pf_req_t *req)
{
    return ngx_http_pf_now_ms();
}


static void *
ngx_http_pf_api_alloc(pf_req_t *req, size_t size)
{
    return ngx_palloc(req->pool, size);
}


static pf_str_t
ngx_http_pf_api_sprintf(pf_req_t *req, const char *fmt, ...)
{
    int       n;
    char     *p;
    va_list   args;

    /* C printf semantics for plugins, not nginx's %V family */
    va_start(args, fmt);
    n = vsnprintf(NULL, 0, fmt, args);
    va_end(args);

    if (n < 0) {
        return (pf_str_t) { 0, NULL };
    }

    p = ngx_pnalloc(req->pool, n + 1);
    if (p == NULL) {
        return (pf_str_t) { 0, NULL };
    }

    va_start(args, fmt);
    (void) vsnprintf(p, n + 1, fmt, args);
    va_end(args);

    return (pf_str_t) { (size_t) n, p };
}


static void
ngx_http_pf_api_log(pf_req_t *req, int level, const char *fmt, ...)
{
    char     buf[1024];
    va_list  args;

    if (level < NGX_LOG_EMERG || level > NGX_LOG_DEBUG) {
        level = NGX_LOG_ERR;
    }

    va_start(args, fmt);
    (void) vsnprintf(buf, sizeof(buf), fmt, args);
    va_end(args);

    /* the plugin whose code is running, so no plugin names itself */
    if (req->plugin) {
        ngx_log_error((ngx_uint_t) level, req->log, 0,
                      "portfolio plugin \"%V\": %s", &req->plugin->name, buf);
        return;
    }

    ngx_log_error((ngx_uint_t) level, req->log, 0, "portfolio: %s", buf);
}


static int64_t
ngx_http_pf_api_content_length(pf_req_t *req)
{
    return req->r ? req->r->headers_in.content_length_n : -1;
}


static pf_str_t
ngx_http_pf_api_raw_body(pf_req_t *req)
{
    return ngx_http_pf_str(&req->raw_body);
}


static const pf_upload_t *
ngx_http_pf_api_upload(pf_req_t *req)
{
    return req->upload.sha256.len ? &req->upload : NULL;
}


/* Only a precheck may set limits: after it the body is already coming. */

static int
ngx_http_pf_api_upload_limit(pf_req_t *req, int64_t max_bytes,
    uint32_t types)
{
    if (!req->prechecking || max_bytes <= 0 || types == 0) {
        return PF_DENIED;
    }

    req->upload_max = max_bytes;
    req->upload_types = types;

    return PF_OK;
}


static int
ngx_http_pf_api_send_file(pf_req_t *req, pf_str_t sha256, const char *mime,
    pf_str_t filename, int inline_)
{
    size_t   i;
    u_char  *p;

    if (req->write || req->r == NULL || sha256.len != 64 || mime == NULL) {
        return PF_DENIED;
    }

    /* the hash names a file on disk: hex digits only */
    for (i = 0; i < 64; i++) {
        if (!((sha256.data[i] >= '0' && sha256.data[i] <= '9')
              || (sha256.data[i] >= 'a' && sha256.data[i] <= 'f')))
        {
            return PF_ERROR;
        }
    }

    p = ngx_pnalloc(req->pool, 65 + ngx_strlen(mime) + filename.len);
    if (p == NULL) {
        return PF_ERROR;
    }

    req->file.data = p;
    req->file.len = 64;
    p = ngx_cpymem(p, sha256.data, 64);
    *p++ = '\0';

    req->file_mime.data = p;
    req->file_mime.len = ngx_strlen(mime);
    p = ngx_cpymem(p, mime, req->file_mime.len);

    req->file_name.data = p;
    req->file_name.len = filename.len;
    ngx_memcpy(p, filename.data, filename.len);

    req->file_inline = inline_ ? 1 : 0;

    return PF_OK;
}


static pf_str_t
ngx_http_pf_api_initial_password(pf_req_t *req, pf_str_t password)
{
    ngx_str_t  out;

    if (password.len == 0
        || ngx_http_pf_initial_credential(req->pmcf, req->pool, password,
                                          &out)
           != PF_OK)
    {
        return (pf_str_t) { 0, NULL };
    }

    return ngx_http_pf_str(&out);
}


const pf_host_api_t  ngx_http_pf_host_api = {
    .abi_major = PF_ABI_MAJOR,
    .abi_minor = PF_ABI_MINOR,
    .size = sizeof(pf_host_api_t),

    .user = ngx_http_pf_api_user,
    .param = ngx_http_pf_api_param,
    .arg = ngx_http_pf_api_arg,
    .body = ngx_http_pf_api_body,

    .parse = ngx_http_pf_api_parse,
    .type = ngx_http_pf_json_type,
    .get = ngx_http_pf_json_get,
    .count = ngx_http_pf_json_count,
    .at = ngx_http_pf_json_at,
    .key_at = ngx_http_pf_json_key_at,
    .str = ngx_http_pf_json_str,
    .integer = ngx_http_pf_json_integer,

    .gen = ngx_http_pf_api_gen,
    .map_open = ngx_http_pf_gen_map_open,
    .map_close = ngx_http_pf_gen_map_close,
    .array_open = ngx_http_pf_gen_array_open,
    .array_close = ngx_http_pf_gen_array_close,
    .key = ngx_http_pf_gen_key,
    .string = ngx_http_pf_gen_string,
    .cstring = ngx_http_pf_gen_cstring,
    .number = ngx_http_pf_gen_number,
    .boolean = ngx_http_pf_gen_boolean,
    .null = ngx_http_pf_gen_null,
    .raw = ngx_http_pf_gen_raw,
    .text = ngx_http_pf_gen_text,

    .reply = ngx_http_pf_reply,
    .error = ngx_http_pf_api_error,

    .db_get = ngx_http_pf_plugin_db_get,
    .db_put = ngx_http_pf_plugin_db_put,
    .db_del = ngx_http_pf_plugin_db_del,
    .db_scan = ngx_http_pf_plugin_db_scan,

    .setting = ngx_http_pf_api_setting,
    .setting_int = ngx_http_pf_api_setting_int,

    .can_see = ngx_http_pf_api_can_see,

    .emit = ngx_http_pf_emit,
    .audit = ngx_http_pf_audit,
    .outbox = ngx_http_pf_api_outbox,

    .now_ms = ngx_http_pf_api_now_ms,
    .new_id = ngx_http_pf_new_id,
    .alloc = ngx_http_pf_api_alloc,
    .sprintf = ngx_http_pf_api_sprintf,
    .log = ngx_http_pf_api_log,

    /* 1.1 */
    .content_length = ngx_http_pf_api_content_length,
    .raw_body = ngx_http_pf_api_raw_body,
    .upload = ngx_http_pf_api_upload,
    .upload_limit = ngx_http_pf_api_upload_limit,
    .send_file = ngx_http_pf_api_send_file,

    /* 1.2 */
    .initial_password = ngx_http_pf_api_initial_password,

    /* 1.3 */
    .setting_in = ngx_http_pf_api_setting_in,
    .setting_int_in = ngx_http_pf_api_setting_int_in,

    /* 1.4 */
    .user_get = ngx_http_pf_api_user_get,
    .user_scan = ngx_http_pf_api_user_scan,
    .user_create = ngx_http_pf_api_user_create,
    .user_update = ngx_http_pf_api_user_update,
    .account_name = ngx_http_pf_api_account_name,
    .school_get = ngx_http_pf_api_school_get,
    .relation_put = ngx_http_pf_relation_put,
    .relation_del = ngx_http_pf_relation_del,
    .relations = ngx_http_pf_relations,
    .audit_scan = ngx_http_pf_api_audit_scan,
    .setting_number = ngx_http_pf_setting_number,
    .setting_word = ngx_http_pf_setting_word,
    .window_open = ngx_http_pf_window_open,
    .setting_at = ngx_http_pf_api_setting_at,
    .setting_put = ngx_http_pf_api_setting_put,
    .setting_del = ngx_http_pf_api_setting_del,
    .record_owner = ngx_http_pf_api_record_owner,

    /* 1.5 */
    .school_create = ngx_http_pf_api_school_create,
    .school_scan = ngx_http_pf_api_school_scan,
    .school_by_code = ngx_http_pf_api_school_by_code,
};
