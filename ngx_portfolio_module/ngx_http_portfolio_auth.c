/*
 * ngx_http_portfolio_auth.c -- accounts (SPEC A1): password hashing, the
 * built-in routes (health, sign-in, sign-out, current user, password
 * change) and the bootstrap file that creates the first accounts.
 *
 * Hashes are scrypt (OpenSSL), computed in the task pool, never in the
 * event loop: "$scrypt$ln=15,r=8,p=1$<salt>$<hash>".  The parameters are
 * stored with each hash, so raising portfolio_password_cost keeps old
 * hashes valid.
 */

#include "ngx_http_portfolio_module.h"

#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/hmac.h>


#define NGX_HTTP_PF_SALT_LEN   16
#define NGX_HTTP_PF_KEY_LEN    32
#define NGX_HTTP_PF_SCRYPT_R   8
#define NGX_HTTP_PF_SCRYPT_P   1


typedef struct {
    pf_str_t         username;
    pf_str_t         password;
    pf_str_t         new_password;
    ngx_str_t        stored;
    ngx_str_t        new_hash;
    int64_t          fails;
    pf_str_t         uid;              /* directory account to try (A2) */
    unsigned         found:1;
    unsigned         ok:1;
    unsigned         failed:1;         /* the hash could not be computed */
    unsigned         via_uid:1;        /* the name was a directory uid */
    unsigned         skip_local:1;     /* local passwords not allowed */
    unsigned         dir_ok:1;         /* signed in by the directory */
    unsigned         dir_down:1;       /* the directory did not answer */
} ngx_http_pf_login_t;


static int ngx_http_pf_health(pf_req_t *req);
static int ngx_http_pf_me(pf_req_t *req);
static int ngx_http_pf_login(pf_req_t *req);
static int ngx_http_pf_logout(pf_req_t *req);
static int ngx_http_pf_password(pf_req_t *req);
static int ngx_http_pf_verify_post(ngx_http_pf_ctx_t *ctx,
    ngx_http_pf_login_t *lg, pf_str_t stored, pf_handler_pt write_handler);
static void ngx_http_pf_login_thread(void *data, ngx_log_t *log);
static void ngx_http_pf_login_verified(ngx_http_pf_ctx_t *ctx);
static int ngx_http_pf_login_write(pf_req_t *req);
static int ngx_http_pf_password_write(pf_req_t *req);
static int ngx_http_pf_count_failure(ngx_http_pf_ctx_t *ctx,
    ngx_http_pf_login_t *lg);
static int ngx_http_pf_user_out(ngx_http_pf_ctx_t *ctx, pf_gen_t *g);


const pf_route_t  ngx_http_pf_core_routes[] = {
    { .method = "GET", .path = "/health",
      .scope = PF_SCOPE_PUBLIC, .flags = PF_ROUTE_PUBLIC,
      .handler = ngx_http_pf_health },
    { .method = "POST", .path = "/session",
      .scope = PF_SCOPE_PUBLIC, .flags = PF_ROUTE_PUBLIC,
      .handler = ngx_http_pf_login },
    { .method = "DELETE", .path = "/session", .roles = PF_ROLE_ANY,
      .scope = PF_SCOPE_SELF, .flags = PF_ROUTE_WRITE|PF_ROUTE_PWCHANGE_OK,
      .handler = ngx_http_pf_logout },
    { .method = "GET", .path = "/me", .roles = PF_ROLE_ANY,
      .scope = PF_SCOPE_SELF, .flags = PF_ROUTE_PWCHANGE_OK,
      .handler = ngx_http_pf_me },
    { .method = "POST", .path = "/password", .roles = PF_ROLE_ANY,
      .scope = PF_SCOPE_SELF, .flags = PF_ROUTE_PWCHANGE_OK,
      .handler = ngx_http_pf_password },
};

const size_t  ngx_http_pf_core_nroutes =
    sizeof(ngx_http_pf_core_routes) / sizeof(pf_route_t);


static void
ngx_http_pf_ssl_error(ngx_log_t *log, const char *what)
{
    u_char  buf[256];

    ERR_error_string_n(ERR_get_error(), (char *) buf, sizeof(buf));
    ngx_log_error(NGX_LOG_ERR, log, 0, "%s failed: %s", what, buf);
}


static int
ngx_http_pf_scrypt(pf_str_t password, const u_char *salt, size_t salt_len,
    ngx_uint_t ln, u_char *key, ngx_log_t *log)
{
    uint64_t  n;
    uint64_t  maxmem;

    n = (uint64_t) 1 << ln;
    maxmem = 128 * NGX_HTTP_PF_SCRYPT_R * (n + NGX_HTTP_PF_SCRYPT_P + 2)
             + 1024 * 1024;

    if (EVP_PBE_scrypt(password.data, password.len, salt, salt_len, n,
                       NGX_HTTP_PF_SCRYPT_R, NGX_HTTP_PF_SCRYPT_P, maxmem,
                       key, NGX_HTTP_PF_KEY_LEN)
        != 1)
    {
        ngx_http_pf_ssl_error(log, "EVP_PBE_scrypt()");
        return PF_ERROR;
    }

    return PF_OK;
}


int
ngx_http_pf_password_hash(ngx_pool_t *pool, ngx_uint_t cost,
    pf_str_t password, ngx_str_t *out, ngx_log_t *log)
{
    u_char     salt[NGX_HTTP_PF_SALT_LEN], key[NGX_HTTP_PF_KEY_LEN], *p;
    ngx_str_t  src, dst;

    if (RAND_bytes(salt, sizeof(salt)) != 1) {
        ngx_http_pf_ssl_error(log, "RAND_bytes()");
        return PF_ERROR;
    }

    if (ngx_http_pf_scrypt(password, salt, sizeof(salt), cost, key, log)
        != PF_OK)
    {
        return PF_ERROR;
    }

    p = ngx_pnalloc(pool, 64 + ngx_base64_encoded_length(sizeof(salt))
                          + ngx_base64_encoded_length(sizeof(key)));
    if (p == NULL) {
        return PF_ERROR;
    }

    out->data = p;
    p = ngx_sprintf(p, "$scrypt$ln=%ui,r=%d,p=%d$", cost,
                    NGX_HTTP_PF_SCRYPT_R, NGX_HTTP_PF_SCRYPT_P);

    src.data = salt;
    src.len = sizeof(salt);
    dst.data = p;
    ngx_encode_base64url(&dst, &src);
    p += dst.len;
    *p++ = '$';

    src.data = key;
    src.len = sizeof(key);
    dst.data = p;
    ngx_encode_base64url(&dst, &src);
    p += dst.len;

    out->len = p - out->data;

    return PF_OK;
}


/* 1 if password matches stored, 0 if not (or stored is malformed). */

/*
 * Initial passwords from an import (SPEC A1: the last 6 characters of the
 * national ID) are kept as "$hmac-sha256$<salt>$<mac>", keyed with the
 * pepper file: thousands of accounts are created in milliseconds instead
 * of scrypt minutes in the writer, a copy of the database alone does not
 * reveal them, and the forced first change replaces them with scrypt.
 */

int
ngx_http_pf_initial_credential(ngx_http_pf_main_conf_t *pmcf,
    ngx_pool_t *pool, pf_str_t password, ngx_str_t *out)
{
    u_char        salt[NGX_HTTP_PF_SALT_LEN], mac[EVP_MAX_MD_SIZE], *p;
    u_char        msg[NGX_HTTP_PF_SALT_LEN + 256];
    ngx_str_t     src, dst;
    unsigned int  maclen;

    if (!pmcf->pepper_loaded || password.len > 256
        || RAND_bytes(salt, sizeof(salt)) != 1)
    {
        return PF_ERROR;
    }

    ngx_memcpy(msg, salt, sizeof(salt));
    ngx_memcpy(msg + sizeof(salt), password.data, password.len);

    if (HMAC(EVP_sha256(), pmcf->pepper, sizeof(pmcf->pepper), msg,
             sizeof(salt) + password.len, mac, &maclen) == NULL)
    {
        return PF_ERROR;
    }

    p = ngx_pnalloc(pool, 32 + ngx_base64_encoded_length(sizeof(salt))
                          + ngx_base64_encoded_length(maclen));
    if (p == NULL) {
        return PF_ERROR;
    }

    out->data = p;
    p = ngx_cpymem(p, "$hmac-sha256$", sizeof("$hmac-sha256$") - 1);

    src.data = salt;
    src.len = sizeof(salt);
    dst.data = p;
    ngx_encode_base64url(&dst, &src);
    p += dst.len;
    *p++ = '$';

    src.data = mac;
    src.len = maclen;
    dst.data = p;
    ngx_encode_base64url(&dst, &src);
    p += dst.len;

    out->len = p - out->data;

    return PF_OK;
}


static int
ngx_http_pf_initial_verify(ngx_http_pf_main_conf_t *pmcf, pf_str_t password,
    pf_str_t stored)
{
    u_char        salt[64], want[64], mac[EVP_MAX_MD_SIZE];
    u_char        msg[64 + 256], *p, *h, *last;
    ngx_str_t     src, dst, wdst;
    unsigned int  maclen;

    p = (u_char *) stored.data + sizeof("$hmac-sha256$") - 1;
    last = (u_char *) stored.data + stored.len;
    h = ngx_strlchr(p, last, '$');

    if (!pmcf->pepper_loaded || h == NULL || h - p > 80 || last - h > 80
        || password.len > 256)
    {
        return 0;
    }

    src.data = p;
    src.len = h - p;
    dst.data = salt;

    src.data = p;
    if (ngx_decode_base64url(&dst, &src) != NGX_OK || dst.len > 64) {
        return 0;
    }

    src.data = h + 1;
    src.len = last - h - 1;
    wdst.data = want;

    if (ngx_decode_base64url(&wdst, &src) != NGX_OK || wdst.len != 32) {
        return 0;
    }

    ngx_memcpy(msg, salt, dst.len);
    ngx_memcpy(msg + dst.len, password.data, password.len);

    if (HMAC(EVP_sha256(), pmcf->pepper, sizeof(pmcf->pepper), msg,
             dst.len + password.len, mac, &maclen) == NULL
        || maclen != 32)
    {
        return 0;
    }

    return CRYPTO_memcmp(mac, want, 32) == 0;
}


int
ngx_http_pf_password_verify(ngx_http_pf_main_conf_t *pmcf, pf_str_t password,
    pf_str_t stored, ngx_log_t *log)
{
    u_char       salt[64], want[64], key[NGX_HTTP_PF_KEY_LEN];
    u_char      *p, *last, *s, *h;
    ngx_str_t    src, dst;
    ngx_uint_t   ln;

    if (stored.len > sizeof("$hmac-sha256$") - 1
        && ngx_strncmp(stored.data, "$hmac-sha256$",
                       sizeof("$hmac-sha256$") - 1) == 0)
    {
        return ngx_http_pf_initial_verify(pmcf, password, stored);
    }

    p = (u_char *) stored.data;
    last = p + stored.len;

    if (stored.len < sizeof("$scrypt$ln=") - 1
        || ngx_strncmp(p, "$scrypt$ln=", sizeof("$scrypt$ln=") - 1) != 0)
    {
        return 0;
    }

    p += sizeof("$scrypt$ln=") - 1;
    ln = 0;

    while (p < last && *p >= '0' && *p <= '9') {
        ln = ln * 10 + (*p++ - '0');
    }

    if (ln < 1 || ln > 24) {
        return 0;
    }

    /* only r=8,p=1 are ever written */
    if ((size_t) (last - p) < sizeof(",r=8,p=1$") - 1
        || ngx_strncmp(p, ",r=8,p=1$", sizeof(",r=8,p=1$") - 1) != 0)
    {
        return 0;
    }

    s = p + sizeof(",r=8,p=1$") - 1;
    h = ngx_strlchr(s, last, '$');
    if (h == NULL) {
        return 0;
    }

    src.data = s;
    src.len = h - s;
    dst.data = salt;

    if (src.len > 80 || ngx_decode_base64url(&dst, &src) != NGX_OK) {
        return 0;
    }

    src.data = h + 1;
    src.len = last - h - 1;

    if (src.len > 80) {
        return 0;
    }

    {
        ngx_str_t  wdst;

        wdst.data = want;

        if (ngx_decode_base64url(&wdst, &src) != NGX_OK
            || wdst.len != NGX_HTTP_PF_KEY_LEN)
        {
            return 0;
        }
    }

    if (ngx_http_pf_scrypt(password, salt, dst.len, ln, key, log) != PF_OK) {
        return 0;
    }

    return CRYPTO_memcmp(key, want, NGX_HTTP_PF_KEY_LEN) == 0;
}


/* GET /health: what an operator checks first. */

static int
ngx_http_pf_health(pf_req_t *req)
{
    ngx_http_pf_ctx_t *ctx = req;

    size_t                 used, map_size, readers;
    pf_gen_t              *g;
    ngx_uint_t             i, ok;
    ngx_http_pf_plugin_t  *plugin;

    ok = (ngx_http_pf_store_stat(ctx->pmcf->store, &used, &map_size, &readers)
          == NGX_OK);

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return 500;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "status");
    ngx_http_pf_gen_cstring(g, ok ? "ok" : "degraded");
    ngx_http_pf_gen_key(g, "version");
    ngx_http_pf_gen_cstring(g, NGX_HTTP_PF_VERSION);
    ngx_http_pf_gen_key(g, "abi");
    ngx_http_pf_gen_cstring(g, "1.0");

    ngx_http_pf_gen_key(g, "plugins");
    ngx_http_pf_gen_array_open(g);

    if (ctx->pmcf->plugins) {
        plugin = ctx->pmcf->plugins->elts;

        for (i = 0; i < ctx->pmcf->plugins->nelts; i++) {
            ngx_http_pf_gen_map_open(g);
            ngx_http_pf_gen_key(g, "name");
            ngx_http_pf_gen_string(g, ngx_http_pf_str(&plugin[i].name));
            ngx_http_pf_gen_key(g, "version");
            ngx_http_pf_gen_cstring(g, plugin[i].desc->version
                                       ? plugin[i].desc->version : "");
            ngx_http_pf_gen_key(g, "routes");
            ngx_http_pf_gen_number(g, plugin[i].desc->nroutes);
            ngx_http_pf_gen_map_close(g);
        }
    }

    ngx_http_pf_gen_array_close(g);

    ngx_http_pf_gen_key(g, "storage");
    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "ok");
    ngx_http_pf_gen_boolean(g, ok);

    if (ok) {
        ngx_http_pf_gen_key(g, "used_bytes");
        ngx_http_pf_gen_number(g, used);
        ngx_http_pf_gen_key(g, "map_bytes");
        ngx_http_pf_gen_number(g, map_size);
        ngx_http_pf_gen_key(g, "readers");
        ngx_http_pf_gen_number(g, readers);
    }

    ngx_http_pf_gen_key(g, "pending_writes");
    ngx_http_pf_gen_number(g, ngx_http_pf_writer_pending(ctx->pmcf));
    ngx_http_pf_gen_key(g, "group_commit");
    ngx_http_pf_gen_boolean(g, ctx->pmcf->group_commit);
    ngx_http_pf_gen_map_close(g);

    /* SPEC A2; never contacts the directory */
    ngx_http_pf_gen_key(g, "directory");
    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "configured");
    ngx_http_pf_gen_boolean(g, ctx->pmcf->ldap.url.len != 0);
    ngx_http_pf_gen_map_close(g);

    ngx_http_pf_gen_key(g, "worker_pid");
    ngx_http_pf_gen_number(g, ngx_pid);

    ngx_http_pf_gen_map_close(g);

    return ngx_http_pf_reply(ctx, ok ? 200 : 503, g);
}


static int
ngx_http_pf_user_out(ngx_http_pf_ctx_t *ctx, pf_gen_t *g)
{
    ngx_http_pf_gen_key(g, "user");
    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "id");
    ngx_http_pf_gen_string(g, ctx->user.id);
    ngx_http_pf_gen_key(g, "name");
    ngx_http_pf_gen_string(g, ctx->user.name);
    ngx_http_pf_gen_key(g, "school");
    ngx_http_pf_gen_string(g, ctx->user.school);
    ngx_http_pf_gen_key(g, "roles");
    ngx_http_pf_gen_roles(g, ctx->user.roles);
    ngx_http_pf_gen_map_close(g);

    ngx_http_pf_gen_key(g, "must_change_password");
    return ngx_http_pf_gen_boolean(g, ctx->session.must_change);
}


/* GET /me: the signed-in user, roles and school. */

static int
ngx_http_pf_me(pf_req_t *req)
{
    ngx_http_pf_ctx_t *ctx = req;

    int64_t    idle, end;
    pf_gen_t  *g;

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return 500;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_user_out(ctx, g);

    idle = ctx->session.seen + (int64_t) ctx->pmcf->session_idle * 1000;
    end = ctx->session.created
          + (int64_t) ctx->pmcf->session_lifetime * 1000;

    ngx_http_pf_gen_key(g, "session");
    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "created_ms");
    ngx_http_pf_gen_number(g, ctx->session.created);
    ngx_http_pf_gen_key(g, "expires_ms");
    ngx_http_pf_gen_number(g, ngx_min(idle, end));
    ngx_http_pf_gen_map_close(g);

    ngx_http_pf_gen_map_close(g);

    return ngx_http_pf_reply(ctx, 200, g);
}


static int
ngx_http_pf_body_string(ngx_http_pf_ctx_t *ctx, const char *name,
    size_t max, pf_str_t *out)
{
    const pf_val_t  *v;

    v = ngx_http_pf_json_get(ctx->body, name);

    if (ngx_http_pf_json_type(v) != PF_JSON_STRING) {
        return ngx_http_pf_error(ctx, 422, "invalid_field",
                                 "\"%s\" must be a string", name);
    }

    *out = ngx_http_pf_json_str(v);

    if (out->len > max) {
        return ngx_http_pf_error(ctx, 422, "invalid_field",
                                 "\"%s\" is longer than %uz bytes", name, max);
    }

    return 0;
}


/*
 * Growing delay after portfolio_login_free_failures failures in a row:
 * 1 s, 2 s, 4 s ... up to portfolio_login_max_delay.  Per account, so a
 * school behind one address is not locked out by one student's typos.
 */

time_t
ngx_http_pf_fail_wait(ngx_http_pf_ctx_t *ctx, pf_str_t username,
    int64_t *fails)
{
    int64_t          last, now, delay, shift;
    pf_str_t         value;
    ngx_str_t        err;
    const pf_val_t  *rec;

    *fails = 0;

    if (ngx_http_pf_db_get(ctx, NGX_HTTP_PF_DB_AUTHFAIL, username, &value)
        != PF_OK)
    {
        return 0;
    }

    rec = ngx_http_pf_json_parse(ctx->pool, (u_char *) value.data, value.len,
                                 4, &err);
    if (rec == NULL
        || ngx_http_pf_json_integer(ngx_http_pf_json_get(rec, "count"), fails)
           != PF_OK
        || ngx_http_pf_json_integer(ngx_http_pf_json_get(rec, "last"), &last)
           != PF_OK)
    {
        return 0;
    }

    if (*fails < (int64_t) ctx->pmcf->fail_free) {
        return 0;
    }

    shift = *fails - ctx->pmcf->fail_free;
    delay = (shift >= 20) ? ctx->pmcf->fail_delay_max : ((int64_t) 1 << shift);

    if (delay > ctx->pmcf->fail_delay_max) {
        delay = ctx->pmcf->fail_delay_max;
    }

    now = ngx_http_pf_now_ms();

    if (now >= last + delay * 1000) {
        return 0;
    }

    return (time_t) ((last + delay * 1000 - now + 999) / 1000);
}


/* POST /session {"username", "password"}: starts in the event loop. */

static int
ngx_http_pf_login(pf_req_t *req)
{
    ngx_http_pf_ctx_t *ctx = req;

    int                   rc;
    u_char               *p;
    time_t                wait;
    pf_str_t              pw, name;
    ngx_uint_t            methods;
    const pf_val_t       *rec;
    ngx_http_pf_login_t  *lg;

    if (ngx_http_pf_json_type(ctx->body) != PF_JSON_OBJECT) {
        return ngx_http_pf_error(ctx, 422, "invalid_body",
                                 "send {\"username\": ..., \"password\": ...}");
    }

    lg = ngx_pcalloc(ctx->pool, sizeof(ngx_http_pf_login_t));
    if (lg == NULL) {
        return 500;
    }

    ctx->data = lg;

    rc = ngx_http_pf_body_string(ctx, "username", 64, &lg->username);
    if (rc) {
        return rc;
    }

    rc = ngx_http_pf_body_string(ctx, "password", 256, &lg->password);
    if (rc) {
        return rc;
    }

    /* an empty password would be an unauthenticated LDAP bind */
    if (lg->username.len == 0 || lg->password.len == 0) {
        return ngx_http_pf_error(ctx, 401, "invalid_credentials",
                                 "wrong account name or password");
    }

    name = lg->username;
    rc = ngx_http_pf_load_user(ctx, lg->username, &rec);

    if (rc == PF_NOT_FOUND) {
        /* SPEC A2: a directory account name bound to a local account */
        rc = ngx_http_pf_ldap_resolve(ctx, name, &lg->username);

        if (rc == PF_OK) {
            lg->via_uid = 1;
            rc = ngx_http_pf_load_user(ctx, lg->username, &rec);
        }
    }

    /* counted per local account, whichever name was typed */
    wait = ngx_http_pf_fail_wait(ctx, lg->username, &lg->fails);
    if (wait) {
        ctx->retry_after = wait;
        return ngx_http_pf_error(ctx, 429, "too_many_attempts",
                                 "too many wrong passwords; wait %T s", wait);
    }

    if (rc == PF_OK) {
        /* which passwords this account may use: its school decides */
        methods = ngx_http_pf_login_methods(ctx, rec, &lg->uid);

        if (lg->via_uid) {
            methods &= ~NGX_HTTP_PF_LOGIN_LOCAL;

            if (!(lg->uid.len == name.len
                  && ngx_strncasecmp((u_char *) lg->uid.data,
                                     (u_char *) name.data, name.len) == 0))
            {
                lg->uid.len = 0;
            }
        }

        pw.len = 0;

        if (methods & NGX_HTTP_PF_LOGIN_LOCAL) {
            pw = ngx_http_pf_json_str(ngx_http_pf_json_get(rec, "pw"));
        }

        /* no local password to try: the directory only */
        if (pw.len == 0 && lg->uid.len) {
            lg->skip_local = 1;
        }

        lg->found = 1;

    } else if (rc == PF_NOT_FOUND) {
        pw.len = 0;

    } else {
        return ngx_http_pf_error(ctx, 503, "storage_unavailable",
                                 "accounts cannot be read now");
    }

    if (pw.len == 0 && !lg->skip_local) {
        /* unknown: spend the same time, so timing tells nothing */
        pw.data = (const char *) ngx_pnalloc(ctx->pool, 96);
        if (pw.data == NULL) {
            return 500;
        }

        p = ngx_sprintf((u_char *) pw.data, "$scrypt$ln=%ui,r=8,p=1$"
                        "AAAAAAAAAAAAAAAAAAAAAA$"
                        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                        ctx->pmcf->password_cost);
        pw.len = p - (u_char *) pw.data;
        lg->found = 0;
    }

    return ngx_http_pf_verify_post(ctx, lg, pw, ngx_http_pf_login_write);
}


/*
 * Verifies lg->password against stored in the task pool, then runs
 * write_handler in the writer to record the outcome.  Returns 0 (the
 * request goes on later) or the status of the error it set.
 */

static int
ngx_http_pf_verify_post(ngx_http_pf_ctx_t *ctx, ngx_http_pf_login_t *lg,
    pf_str_t stored, pf_handler_pt write_handler)
{
    /* the read transaction ends before the thread runs: copy */
    lg->stored.data = ngx_pnalloc(ctx->pool, stored.len);
    if (lg->stored.data == NULL) {
        return 500;
    }

    ngx_memcpy(lg->stored.data, stored.data, stored.len);
    lg->stored.len = stored.len;

    ctx->done = ngx_http_pf_login_verified;
    ctx->handler = write_handler;

    /* attempts that may ask the directory wait in portfolio_ldap_pool */
    if (ngx_http_pf_thread_post(ctx, lg->uid.len ? ctx->pmcf->ldap.pool
                                                 : ctx->pmcf->task_pool,
                                ngx_http_pf_login_thread)
        != NGX_OK)
    {
        return ngx_http_pf_busy(ctx, 2, "too many sign-ins at once; try "
                                "again");
    }

    return 0;
}


static void
ngx_http_pf_login_thread(void *data, ngx_log_t *log)
{
    ngx_http_pf_ctx_t *ctx = data;

    ngx_http_pf_login_t  *lg;

    lg = ctx->data;

    if (!lg->skip_local) {
        lg->ok = ngx_http_pf_password_verify(ctx->pmcf, lg->password,
                                             ngx_http_pf_str(&lg->stored),
                                             log);
    }

    /* SPEC A2: then the directory, for an account bound to it */
    if (!lg->ok && lg->uid.len) {
        switch (ngx_http_pf_ldap_auth(&ctx->pmcf->ldap, lg->uid,
                                      lg->password, log))
        {
        case NGX_HTTP_PF_LDAP_OK:
            lg->ok = 1;
            lg->dir_ok = 1;
            break;

        case NGX_HTTP_PF_LDAP_UNAVAILABLE:
            lg->dir_down = 1;
            break;

        default:
            break;
        }
    }

    if (lg->ok && lg->new_password.len) {
        if (ngx_http_pf_password_hash(ctx->pool, ctx->pmcf->password_cost,
                                      lg->new_password, &lg->new_hash, log)
            != PF_OK)
        {
            lg->failed = 1;
        }
    }
}


/* Back in the event loop: record the outcome through the writer. */

static void
ngx_http_pf_login_verified(ngx_http_pf_ctx_t *ctx)
{
    ctx->replied = 0;
    ngx_http_pf_writer_hand(ctx);
}


static int
ngx_http_pf_count_failure(ngx_http_pf_ctx_t *ctx, ngx_http_pf_login_t *lg)
{
    /*
     * Count from what this write transaction sees, not from the read in
     * the event loop: wrong passwords sent in parallel must all count.
     */
    (void) ngx_http_pf_fail_wait(ctx, lg->username, &lg->fails);

    return ngx_http_pf_fail_record(ctx, lg->username, lg->fails);
}


/* In the writer: one more failure after fails (as fail_wait read them). */

int
ngx_http_pf_fail_record(ngx_http_pf_ctx_t *ctx, pf_str_t username,
    int64_t fails)
{
    pf_gen_t  *g;

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return PF_ERROR;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "count");
    ngx_http_pf_gen_number(g, fails + 1);
    ngx_http_pf_gen_key(g, "last");
    ngx_http_pf_gen_number(g, ngx_http_pf_now_ms());
    ngx_http_pf_gen_map_close(g);

    /* the 401 must still commit this */
    ctx->keep = 1;

    return ngx_http_pf_db_put(ctx, NGX_HTTP_PF_DB_AUTHFAIL, username,
                              ngx_http_pf_gen_text(g));
}


/* In the writer. */

static int
ngx_http_pf_login_write(pf_req_t *req)
{
    ngx_http_pf_ctx_t *ctx = req;

    time_t                wait;
    int64_t               expires;
    pf_gen_t             *g;
    ngx_str_t             token;
    const pf_val_t       *rec, *v;
    ngx_http_pf_login_t  *lg;

    lg = ctx->data;

    /*
     * Check the delay again where writes are serialized: attempts sent in
     * parallel all passed the check in the event loop before any failure
     * was recorded.
     */
    wait = lg->found ? ngx_http_pf_fail_wait(ctx, lg->username, &lg->fails)
                     : 0;
    if (wait) {
        ctx->retry_after = wait;
        return ngx_http_pf_error(ctx, 429, "too_many_attempts",
                                 "too many wrong passwords; wait %T s", wait);
    }

    if (!lg->ok && lg->dir_down) {
        /* the password may have been right: nothing is counted */
        ctx->retry_after = NGX_HTTP_PF_LDAP_RETRY_AFTER;
        return ngx_http_pf_error(ctx, 503, "directory_unavailable",
                                 "the directory cannot be reached now; "
                                 "try again shortly");
    }

    if (!lg->ok || !lg->found) {
        if (lg->found && ngx_http_pf_count_failure(ctx, lg) != PF_OK) {
            return ngx_http_pf_error(ctx, 503, "storage_unavailable",
                                     "try again");
        }

        return ngx_http_pf_error(ctx, 401, "invalid_credentials",
                                 "wrong account name or password");
    }

    /* read again inside the write transaction: it may have changed */
    if (ngx_http_pf_load_user(ctx, lg->username, &rec) != PF_OK
        || (lg->dir_ok && !ngx_http_pf_ldap_still_bound(rec, lg->uid)))
    {
        return ngx_http_pf_error(ctx, 401, "invalid_credentials",
                                 "wrong account name or password");
    }

    v = ngx_http_pf_json_get(rec, "disabled");
    if (ngx_http_pf_json_type(v) == PF_JSON_TRUE) {
        return ngx_http_pf_error(ctx, 403, "account_disabled",
                                 "this account is disabled");
    }

    if (ngx_http_pf_json_integer(ngx_http_pf_json_get(rec, "expires"),
                                 &expires) == PF_OK
        && expires <= ngx_http_pf_now_ms())
    {
        return ngx_http_pf_error(ctx, 403, "account_expired",
                                 "this temporary account has expired");
    }

    if (lg->fails) {
        (void) ngx_http_pf_db_del(ctx, NGX_HTTP_PF_DB_AUTHFAIL, lg->username);
    }

    if (ngx_http_pf_session_create(ctx, lg->username,
                                   ngx_http_pf_user_pw_changed(rec), &token)
        != PF_OK)
    {
        return ngx_http_pf_error(ctx, 503, "storage_unavailable",
                                 "the session could not be stored");
    }

    ctx->has_user = 1;
    ctx->user.id = ngx_http_pf_json_str(ngx_http_pf_json_get(rec, "id"));
    ctx->user.name = ngx_http_pf_json_str(ngx_http_pf_json_get(rec, "name"));
    ctx->user.school = ngx_http_pf_json_str(ngx_http_pf_json_get(rec,
                                                                 "school"));
    ctx->user.roles = ngx_http_pf_roles_parse(ngx_http_pf_json_get(rec,
                                                                   "roles"));
    v = ngx_http_pf_json_get(rec, "must_change");
    ctx->session.must_change = (ngx_http_pf_json_type(v) == PF_JSON_TRUE);

    /* SPEC A2: a directory sign-in retires an unchanged initial password */
    if (lg->dir_ok && ctx->session.must_change) {
        if (ngx_http_pf_ldap_retire_initial(ctx, lg->username, rec)
            != PF_OK)
        {
            return ngx_http_pf_error(ctx, 503, "storage_unavailable",
                                     "the account could not be stored");
        }

        ctx->session.must_change = 0;
    }

    ngx_http_pf_session_cookie(ctx, &token, ctx->pmcf->session_lifetime);

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return 500;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_user_out(ctx, g);
    ngx_http_pf_gen_map_close(g);

    return ngx_http_pf_reply(ctx, 200, g);
}


/* DELETE /session, in the writer. */

static int
ngx_http_pf_logout(pf_req_t *req)
{
    ngx_http_pf_ctx_t *ctx = req;

    pf_gen_t  *g;

    (void) ngx_http_pf_session_delete(ctx);
    ngx_http_pf_session_cookie(ctx, NULL, 0);

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return 500;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "signed_out");
    ngx_http_pf_gen_boolean(g, 1);
    ngx_http_pf_gen_map_close(g);

    return ngx_http_pf_reply(ctx, 200, g);
}


/* POST /password {"current", "new"}: verify and hash in the task pool. */

static int
ngx_http_pf_password(pf_req_t *req)
{
    ngx_http_pf_ctx_t *ctx = req;

    int                   rc;
    time_t                wait;
    pf_str_t              pw;
    const pf_val_t       *rec;
    ngx_http_pf_login_t  *lg;

    if (ngx_http_pf_json_type(ctx->body) != PF_JSON_OBJECT) {
        return ngx_http_pf_error(ctx, 422, "invalid_body",
                                 "send {\"current\": ..., \"new\": ...}");
    }

    lg = ngx_pcalloc(ctx->pool, sizeof(ngx_http_pf_login_t));
    if (lg == NULL) {
        return 500;
    }

    ctx->data = lg;
    lg->username = ctx->user.id;

    rc = ngx_http_pf_body_string(ctx, "current", 256, &lg->password);
    if (rc) {
        return rc;
    }

    rc = ngx_http_pf_body_string(ctx, "new", 256, &lg->new_password);
    if (rc) {
        return rc;
    }

    if (ngx_utf8_length((u_char *) lg->new_password.data,
                        lg->new_password.len) < 8)
    {
        return ngx_http_pf_error(ctx, 422, "weak_password",
                                 "the new password needs at least 8 "
                                 "characters");
    }

    if (lg->new_password.len == lg->password.len
        && ngx_strncmp(lg->new_password.data, lg->password.data,
                       lg->password.len) == 0)
    {
        return ngx_http_pf_error(ctx, 422, "weak_password",
                                 "the new password must differ from the "
                                 "current one");
    }

    if (ngx_strlcasestrn((u_char *) lg->new_password.data,
                         (u_char *) lg->new_password.data
                         + lg->new_password.len,
                         (u_char *) lg->username.data, lg->username.len - 1)
        != NULL)
    {
        return ngx_http_pf_error(ctx, 422, "weak_password",
                                 "the new password must not contain the "
                                 "account name");
    }

    wait = ngx_http_pf_fail_wait(ctx, lg->username, &lg->fails);
    if (wait) {
        ctx->retry_after = wait;
        return ngx_http_pf_error(ctx, 429, "too_many_attempts",
                                 "too many wrong passwords; wait %T s", wait);
    }

    if (ngx_http_pf_load_user(ctx, lg->username, &rec) != PF_OK) {
        return ngx_http_pf_error(ctx, 503, "storage_unavailable",
                                 "accounts cannot be read now");
    }

    pw = ngx_http_pf_json_str(ngx_http_pf_json_get(rec, "pw"));
    lg->found = 1;

    return ngx_http_pf_verify_post(ctx, lg, pw, ngx_http_pf_password_write);
}


/* In the writer: store the new hash; the user record keeps all else. */

static int
ngx_http_pf_password_write(pf_req_t *req)
{
    ngx_http_pf_ctx_t *ctx = req;

    int64_t               changed;
    pf_gen_t             *g;
    const pf_val_t       *rec;
    ngx_http_pf_login_t  *lg;

    lg = ctx->data;

    if (!lg->ok) {
        if (ngx_http_pf_count_failure(ctx, lg) != PF_OK) {
            return ngx_http_pf_error(ctx, 503, "storage_unavailable",
                                     "try again");
        }

        return ngx_http_pf_error(ctx, 403, "wrong_password",
                                 "the current password is wrong");
    }

    if (lg->failed) {
        return ngx_http_pf_error(ctx, 500, "internal",
                                 "the password could not be hashed");
    }

    if (ngx_http_pf_load_user(ctx, lg->username, &rec) != PF_OK) {
        return ngx_http_pf_error(ctx, 404, "not_found", "no such account");
    }

    changed = ngx_http_pf_now_ms();

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return 500;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "pw");
    ngx_http_pf_gen_string(g, ngx_http_pf_str(&lg->new_hash));
    ngx_http_pf_gen_key(g, "must_change");
    ngx_http_pf_gen_boolean(g, 0);
    ngx_http_pf_gen_key(g, "pw_changed");
    ngx_http_pf_gen_number(g, changed);
    ngx_http_pf_gen_map_close(g);

    /* every other session of the account ends with the old password */
    if (ngx_http_pf_user_update(ctx, lg->username, rec,
                                ngx_http_pf_gen_text(g), 0)
        != PF_OK
        || ngx_http_pf_session_renew(ctx, lg->username, changed) != PF_OK)
    {
        return ngx_http_pf_error(ctx, 503, "storage_unavailable",
                                 "the password could not be stored");
    }

    if (lg->fails) {
        (void) ngx_http_pf_db_del(ctx, NGX_HTTP_PF_DB_AUTHFAIL, lg->username);
    }

    (void) ngx_http_pf_audit(ctx, lg->username, "password.changed",
                             (pf_str_t) { 2, "{}" });

    ctx->session.must_change = 0;

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return 500;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "changed");
    ngx_http_pf_gen_boolean(g, 1);
    ngx_http_pf_gen_map_close(g);

    return ngx_http_pf_reply(ctx, 200, g);
}


/*
 * The bootstrap file (portfolio_bootstrap): schools, accounts, relations
 * and settings an empty deployment needs before anyone can sign in, such
 * as the city's first administrator or the demo school.  Applied by the
 * master at start and reload; what exists already is left alone, so it
 * never overwrites a changed password.
 *
 * Account names follow SPEC A1 when "id" is absent: a student is the school
 * domain + student number, anyone else the domain + the 9 digits of the
 * national ID.  The initial password is the last 6 characters of the
 * national ID (or "password"), and must be changed at first sign-in
 * unless "must_change" is false (a break-glass administrator).
 */

static int
ngx_http_pf_bootstrap_user(ngx_http_pf_ctx_t *ctx, const pf_val_t *u,
    ngx_uint_t *created)
{
    uint32_t         roles;
    pf_str_t         id, school, nid, number, pw, existing, dir;
    pf_gen_t        *g;
    ngx_str_t        hash;
    const pf_val_t  *v;

    school = ngx_http_pf_json_str(ngx_http_pf_json_get(u, "school"));
    nid = ngx_http_pf_json_str(ngx_http_pf_json_get(u, "national_id"));
    number = ngx_http_pf_json_str(ngx_http_pf_json_get(u, "student_number"));
    id = ngx_http_pf_json_str(ngx_http_pf_json_get(u, "id"));
    pw = ngx_http_pf_json_str(ngx_http_pf_json_get(u, "password"));
    roles = ngx_http_pf_roles_parse(ngx_http_pf_json_get(u, "roles"));

    if (id.len == 0) {
        id = ngx_http_pf_account_name(ctx->pool, school, nid,
                                      (roles & PF_ROLE_STUDENT)
                                      ? number : (pf_str_t) { 0, NULL });
    }

    if (id.len == 0 || id.len > 64 || school.len == 0 || roles == 0) {
        ngx_log_error(NGX_LOG_EMERG, ctx->log, 0,
                      "portfolio_bootstrap: every user needs \"school\", "
                      "\"roles\" and an \"id\", a student number or a "
                      "10-character national ID");
        return PF_ERROR;
    }

    if (ngx_http_pf_db_get(ctx, NGX_HTTP_PF_DB_USERS, id, &existing)
        == PF_OK)
    {
        return PF_OK;
    }

    if (pw.len == 0) {
        if (nid.len < 6) {
            ngx_log_error(NGX_LOG_EMERG, ctx->log, 0,
                          "portfolio_bootstrap: user \"%*s\" needs a "
                          "\"national_id\" or a \"password\"", id.len,
                          id.data);
            return PF_ERROR;
        }

        pw.data = nid.data + nid.len - 6;
        pw.len = 6;
    }

    if (ngx_http_pf_password_hash(ctx->pool, ctx->pmcf->password_cost, pw,
                                  &hash, ctx->log)
        != PF_OK)
    {
        return PF_ERROR;
    }

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return PF_ERROR;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "id");
    ngx_http_pf_gen_string(g, id);
    ngx_http_pf_gen_key(g, "name");
    ngx_http_pf_gen_string(g, ngx_http_pf_json_str(
                                  ngx_http_pf_json_get(u, "name")));
    ngx_http_pf_gen_key(g, "school");
    ngx_http_pf_gen_string(g, school);
    ngx_http_pf_gen_key(g, "roles");
    ngx_http_pf_gen_roles(g, roles);

    if (number.len) {
        ngx_http_pf_gen_key(g, "student_number");
        ngx_http_pf_gen_string(g, number);
    }

    v = ngx_http_pf_json_get(u, "class");
    if (v) {
        ngx_http_pf_gen_key(g, "class");
        ngx_http_pf_gen_value(g, v);
    }

    ngx_http_pf_gen_key(g, "pw");
    ngx_http_pf_gen_string(g, ngx_http_pf_str(&hash));
    ngx_http_pf_gen_key(g, "must_change");
    ngx_http_pf_gen_boolean(g, ngx_http_pf_json_type(
                                   ngx_http_pf_json_get(u, "must_change"))
                               != PF_JSON_FALSE);
    ngx_http_pf_gen_key(g, "created");
    ngx_http_pf_gen_number(g, ngx_http_pf_now_ms());
    ngx_http_pf_gen_key(g, "by");
    ngx_http_pf_gen_cstring(g, "bootstrap");

    /* SPEC A2: local sign-in even where the school uses the directory */
    if (ngx_http_pf_json_type(ngx_http_pf_json_get(u, "break_glass"))
        == PF_JSON_TRUE)
    {
        ngx_http_pf_gen_key(g, "break_glass");
        ngx_http_pf_gen_boolean(g, 1);
    }

    /* SPEC A2: the directory account it is bound to */
    dir = ngx_http_pf_json_str(ngx_http_pf_json_get(u, "directory"));
    if (dir.len) {
        ngx_http_pf_gen_key(g, "directory");
        ngx_http_pf_gen_string(g, dir);
    }

    if (ngx_http_pf_gen_map_close(g) != PF_OK
        || ngx_http_pf_db_put(ctx, NGX_HTTP_PF_DB_USERS, id,
                              ngx_http_pf_gen_text(g)) != PF_OK
        || (dir.len && ngx_http_pf_ldap_bootstrap_bind(ctx, id, dir) != PF_OK))
    {
        return PF_ERROR;
    }

    (*created)++;

    return PF_OK;
}


static int
ngx_http_pf_bootstrap_apply(ngx_http_pf_ctx_t *ctx, const pf_val_t *doc,
    ngx_uint_t *created)
{
    u_char          *p;
    size_t           i, n;
    pf_str_t         key, viewer, student, domain, kind, existing;
    pf_gen_t        *g;
    const pf_val_t  *list, *item;

    /*
     * Like accounts, schools, relations and settings are only created when
     * missing: the file is applied again at every reload and must not undo
     * what was changed since (a school's parameters, say).
     */

    list = ngx_http_pf_json_get(doc, "schools");
    n = ngx_http_pf_json_count(list);

    for (i = 0; i < n; i++) {
        item = ngx_http_pf_json_at(list, i);
        domain = ngx_http_pf_json_str(ngx_http_pf_json_get(item, "domain"));

        if (domain.len == 0 || domain.len > 32) {
            ngx_log_error(NGX_LOG_EMERG, ctx->log, 0,
                          "portfolio_bootstrap: school %uz needs a "
                          "\"domain\" of 1 to 32 characters", i);
            return PF_ERROR;
        }

        if (ngx_http_pf_db_get(ctx, NGX_HTTP_PF_DB_SCHOOLS, domain, &existing)
            == PF_OK)
        {
            continue;
        }

        g = ngx_http_pf_gen(ctx->pool);
        if (g == NULL || ngx_http_pf_gen_value(g, item) != PF_OK
            || ngx_http_pf_db_put(ctx, NGX_HTTP_PF_DB_SCHOOLS, domain,
                                  ngx_http_pf_gen_text(g)) != PF_OK)
        {
            return PF_ERROR;
        }
    }

    list = ngx_http_pf_json_get(doc, "users");
    n = ngx_http_pf_json_count(list);

    for (i = 0; i < n; i++) {
        if (ngx_http_pf_bootstrap_user(ctx, ngx_http_pf_json_at(list, i),
                                       created)
            != PF_OK)
        {
            return PF_ERROR;
        }
    }

    list = ngx_http_pf_json_get(doc, "relations");
    n = ngx_http_pf_json_count(list);

    for (i = 0; i < n; i++) {
        item = ngx_http_pf_json_at(list, i);
        viewer = ngx_http_pf_json_str(ngx_http_pf_json_get(item, "viewer"));
        student = ngx_http_pf_json_str(ngx_http_pf_json_get(item, "student"));

        if (viewer.len == 0 || student.len == 0 || viewer.len > 128
            || student.len > 128)
        {
            ngx_log_error(NGX_LOG_EMERG, ctx->log, 0,
                          "portfolio_bootstrap: relation %uz needs "
                          "\"viewer\" and \"student\"", i);
            return PF_ERROR;
        }

        kind = ngx_http_pf_json_str(ngx_http_pf_json_get(item, "kind"));
        if (kind.len == 0 || kind.len > 32) {
            kind.data = "other";
            kind.len = 5;
        }

        /* "*": not from any term's import, so no import replaces it */
        p = ngx_pnalloc(ctx->pool, viewer.len + student.len + kind.len + 4);
        if (p == NULL) {
            return PF_ERROR;
        }

        key.data = (const char *) p;
        p = ngx_cpymem(p, viewer.data, viewer.len);
        *p++ = 0x1f;
        p = ngx_cpymem(p, student.data, student.len);
        *p++ = 0x1f;
        *p++ = '*';
        *p++ = 0x1f;
        p = ngx_cpymem(p, kind.data, kind.len);
        key.len = p - (u_char *) key.data;

        if (ngx_http_pf_db_get(ctx, NGX_HTTP_PF_DB_RELATIONS, key, &existing)
            == PF_OK)
        {
            continue;
        }

        g = ngx_http_pf_gen(ctx->pool);
        if (g == NULL || ngx_http_pf_gen_value(g, item) != PF_OK
            || ngx_http_pf_db_put(ctx, NGX_HTTP_PF_DB_RELATIONS, key,
                                  ngx_http_pf_gen_text(g)) != PF_OK)
        {
            return PF_ERROR;
        }
    }

    list = ngx_http_pf_json_get(doc, "settings");
    n = ngx_http_pf_json_count(list);

    for (i = 0; i < n; i++) {
        key = ngx_http_pf_json_key_at(list, i);
        item = ngx_http_pf_json_at(list, i);

        if (ngx_http_pf_db_get(ctx, NGX_HTTP_PF_DB_SETTINGS, key, &existing)
            == PF_OK)
        {
            continue;
        }

        if (ngx_http_pf_db_put(ctx, NGX_HTTP_PF_DB_SETTINGS, key,
                               ngx_http_pf_json_str(item))
            != PF_OK)
        {
            return PF_ERROR;
        }
    }

    return PF_OK;
}


/* Reads and parses the bootstrap file; NULL (logged) if it is unusable. */

const pf_val_t *
ngx_http_pf_bootstrap_read(ngx_pool_t *pool, ngx_log_t *log, ngx_str_t *path)
{
    u_char           *buf;
    ssize_t           n;
    ngx_fd_t          fd;
    ngx_str_t         err;
    ngx_file_t        file;
    ngx_file_info_t   fi;
    const pf_val_t   *doc;

    fd = ngx_open_file(path->data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        ngx_log_error(NGX_LOG_EMERG, log, ngx_errno,
                      ngx_open_file_n " \"%s\" failed", path->data);
        return NULL;
    }

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR
        || ngx_file_size(&fi) > 64 * 1024 * 1024)
    {
        ngx_log_error(NGX_LOG_EMERG, log, ngx_errno,
                      "portfolio_bootstrap \"%s\": cannot stat, or larger "
                      "than 64m", path->data);
        ngx_close_file(fd);
        return NULL;
    }

    buf = ngx_pnalloc(pool, ngx_file_size(&fi) + 1);
    if (buf == NULL) {
        ngx_close_file(fd);
        return NULL;
    }

    ngx_memzero(&file, sizeof(ngx_file_t));
    file.fd = fd;
    file.name = *path;
    file.log = log;

    n = ngx_read_file(&file, buf, ngx_file_size(&fi), 0);
    ngx_close_file(fd);

    if (n == NGX_ERROR) {
        return NULL;
    }

    doc = ngx_http_pf_json_parse(pool, buf, n, 16, &err);
    if (doc == NULL || ngx_http_pf_json_type(doc) != PF_JSON_OBJECT) {
        ngx_log_error(NGX_LOG_EMERG, log, 0,
                      "portfolio_bootstrap \"%s\": %V", path->data,
                      doc ? &(ngx_str_t) ngx_string("not a JSON object")
                          : &err);
        return NULL;
    }

    return doc;
}


ngx_int_t
ngx_http_pf_bootstrap(ngx_cycle_t *cycle, ngx_http_pf_main_conf_t *pmcf)
{
    int                   rc;
    MDB_txn              *txn;
    ngx_int_t             result;
    ngx_uint_t            created;
    const pf_val_t       *doc;
    ngx_http_pf_ctx_t    *ctx;
    ngx_http_pf_store_t  *store;

    /* opening here also checks the data directory and map size early */
    if (ngx_http_pf_store_open(cycle, pmcf, &store) != NGX_OK) {
        return NGX_ERROR;
    }

    result = NGX_ERROR;
    pmcf->store = store;

    ctx = ngx_http_pf_ctx_create(pmcf, NULL, cycle->log);
    if (ctx == NULL) {
        goto close;
    }

    if (pmcf->bootstrap.len == 0) {
        result = NGX_OK;
        goto done;
    }

    doc = ngx_http_pf_bootstrap_read(ctx->pool, cycle->log, &pmcf->bootstrap);
    if (doc == NULL) {
        goto done;
    }

    rc = mdb_txn_begin(ngx_http_pf_store_env(store), NULL, 0, &txn);
    if (rc != 0) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "mdb_txn_begin() failed: %s", mdb_strerror(rc));
        goto done;
    }

    ctx->txn = txn;
    ctx->write = 1;
    created = 0;

    if (ngx_http_pf_bootstrap_apply(ctx, doc, &created) != PF_OK) {
        mdb_txn_abort(txn);
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "portfolio_bootstrap \"%s\" not applied",
                      pmcf->bootstrap.data);
        goto done;
    }

    rc = mdb_txn_commit(txn);
    if (rc != 0) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "mdb_txn_commit() failed: %s", mdb_strerror(rc));
        goto done;
    }

    ngx_http_pf_session_committed(ctx);

    if (ngx_http_pf_store_sync(ngx_http_pf_store_env(store), cycle->log)
        != NGX_OK)
    {
        goto done;
    }

    if (created) {
        ngx_log_error(NGX_LOG_NOTICE, cycle->log, 0,
                      "portfolio_bootstrap: %ui account(s) created", created);
    }

    result = NGX_OK;

done:

    if (ctx) {
        ngx_destroy_pool(ctx->pool);
    }

close:

    ngx_http_pf_store_close(store);
    pmcf->store = NULL;

    return result;
}


/*
 * The pepper: 32 random bytes in DATA/pepper, made once by the master and
 * kept outside the database, so a copy of portfolio.mdb alone does not
 * let anyone test initial passwords offline.
 */

ngx_int_t
ngx_http_pf_pepper(ngx_cycle_t *cycle, ngx_http_pf_main_conf_t *pmcf,
    ngx_uint_t create)
{
    int      fd;
    u_char   path[NGX_MAX_PATH], *p;
    ssize_t  n;

    p = ngx_snprintf(path, sizeof(path) - 1, "%V/pepper", &pmcf->data_dir);
    *p = '\0';

    fd = open((char *) path, O_RDONLY);

    if (fd == -1 && ngx_errno == NGX_ENOENT && create) {
        if (RAND_bytes(pmcf->pepper, sizeof(pmcf->pepper)) != 1) {
            return NGX_ERROR;
        }

        fd = open((char *) path, O_WRONLY|O_CREAT|O_EXCL, 0600);
        if (fd == -1) {
            ngx_log_error(NGX_LOG_EMERG, cycle->log, ngx_errno,
                          "open(\"%s\") failed", path);
            return NGX_ERROR;
        }

        n = write(fd, pmcf->pepper, sizeof(pmcf->pepper));

        if (n != (ssize_t) sizeof(pmcf->pepper) || fsync(fd) == -1) {
            ngx_log_error(NGX_LOG_EMERG, cycle->log, ngx_errno,
                          "writing \"%s\" failed", path);
            close(fd);
            unlink((char *) path);
            return NGX_ERROR;
        }

        close(fd);
        pmcf->pepper_loaded = 1;

        return NGX_OK;
    }

    if (fd == -1) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, ngx_errno,
                      "open(\"%s\") failed", path);
        return NGX_ERROR;
    }

    n = read(fd, pmcf->pepper, sizeof(pmcf->pepper));
    close(fd);

    if (n != (ssize_t) sizeof(pmcf->pepper)) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "\"%s\" is damaged: expected %uz bytes", path,
                      sizeof(pmcf->pepper));
        return NGX_ERROR;
    }

    pmcf->pepper_loaded = 1;

    return NGX_OK;
}
