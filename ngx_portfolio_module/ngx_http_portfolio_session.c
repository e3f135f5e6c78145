/*
 * ngx_http_portfolio_session.c -- sessions and cross-site checks.
 *
 * A session token is 32 random bytes, sent as an HttpOnly SameSite=Lax
 * cookie (or "Authorization: Bearer" for scripts).  Only its SHA-256 is
 * stored, so a copy of the database signs nobody in.  Sessions end after
 * portfolio_session_idle without use or portfolio_session_lifetime in all.
 */

#include "ngx_http_portfolio_module.h"

#include <openssl/rand.h>
#include <openssl/sha.h>


static ngx_int_t ngx_http_pf_session_token(ngx_http_pf_ctx_t *ctx,
    ngx_str_t *token);
static void ngx_http_pf_session_touch(ngx_http_pf_ctx_t *ctx);
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


static ngx_int_t
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


/*
 * What a session's records say, kept per worker so that most requests
 * neither read nor parse them.  Every committed change to a session or
 * user record bumps a counter in shared memory (ngx_http_pf_marks_t; the
 * counter of the key's bucket, after the commit and before the answer),
 * and a kept slot is used as it is only while the counters it was read
 * under are unchanged: a sign-out, a disabled account or a new role in any
 * worker is seen by the next request everywhere.  A slot is also checked
 * against the records once a second, so a change made outside this
 * shared memory (an old binary during an upgrade) is seen soon too.
 * Otherwise the records are read; when they are byte for byte the ones
 * kept, they are not parsed again.  Used in the event loop only; one cache
 * per worker (pmcf->kept, made in init_process).
 */

#define NGX_HTTP_PF_SESSIONS_KEPT  32768     /* slots, a power of 2 */
#define NGX_HTTP_PF_MARKS          65536     /* buckets, a power of 2 */
#define NGX_HTTP_PF_KEPT_TRUST     1000      /* ms */


typedef struct {
    ngx_atomic_t              all;           /* bumped for bulk changes */
    ngx_atomic_t              bucket[NGX_HTTP_PF_MARKS];
} ngx_http_pf_marks_t;


typedef struct {
    ngx_atomic_uint_t         all;
    ngx_atomic_uint_t         session;
    ngx_atomic_uint_t         user;
} ngx_http_pf_mark_t;


typedef struct {
    u_char                   *data;          /* ngx_alloc()ed */
    size_t                    len;
    size_t                    cap;
} ngx_http_pf_kept_text_t;


typedef struct {
    u_char                    hash[NGX_HTTP_PF_HASH_LEN];
    unsigned                  session_ok:1;
    unsigned                  user_ok:1;
    unsigned                  fresh:1;       /* mark and checked are set */
    unsigned                  disabled:1;
    unsigned                  has_expires:1;
    unsigned                  must_change:1;

    /* the counters it was read under, and when */
    ngx_http_pf_mark_t        mark;
    uint32_t                  user_bucket;
    ngx_msec_t                checked;

    /* the session record, and what it says */
    ngx_http_pf_kept_text_t   session;
    int64_t                   created;
    int64_t                   seen;
    ngx_str_t                 user_key;      /* in session's buffer */

    /* the user record, and what it says */
    ngx_http_pf_kept_text_t   user;
    int64_t                   expires;
    int64_t                   pw_changed;    /* 0: never */
    uint32_t                  roles;
    ngx_str_t                 id;            /* in user's buffer; NULL */
    ngx_str_t                 name;          /* data: not in the record */
    ngx_str_t                 school;
} ngx_http_pf_kept_session_t;


struct ngx_http_pf_kept_s {
    ngx_http_pf_kept_session_t  slot[NGX_HTTP_PF_SESSIONS_KEPT];
};


static void
ngx_http_pf_kept_cleanup(void *data)
{
    ngx_http_pf_kept_t *kept = data;

    ngx_uint_t  i;

    for (i = 0; i < NGX_HTTP_PF_SESSIONS_KEPT; i++) {
        if (kept->slot[i].session.data) {
            ngx_free(kept->slot[i].session.data);
        }

        if (kept->slot[i].user.data) {
            ngx_free(kept->slot[i].user.data);
        }
    }
}


/* In each worker: the empty cache, freed with the cycle. */

ngx_int_t
ngx_http_pf_session_init(ngx_cycle_t *cycle, ngx_http_pf_main_conf_t *pmcf)
{
    ngx_pool_cleanup_t  *cln;

    cln = ngx_pool_cleanup_add(cycle->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    pmcf->kept = ngx_pcalloc(cycle->pool, sizeof(ngx_http_pf_kept_t));
    if (pmcf->kept == NULL) {
        return NGX_ERROR;
    }

    cln->handler = ngx_http_pf_kept_cleanup;
    cln->data = pmcf->kept;

    return NGX_OK;
}


/* The counters' zone; a reload keeps it (and the counts). */

static ngx_int_t
ngx_http_pf_marks_init(ngx_shm_zone_t *zone, void *data)
{
    ngx_slab_pool_t  *shpool;

    if (data) {
        zone->data = data;
        return NGX_OK;
    }

    shpool = (ngx_slab_pool_t *) zone->shm.addr;

    zone->data = ngx_slab_calloc(shpool, sizeof(ngx_http_pf_marks_t));
    if (zone->data == NULL) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_pf_session_conf(ngx_conf_t *cf, ngx_http_pf_main_conf_t *pmcf)
{
    ngx_str_t  name = ngx_string("portfolio_sessions");

    /* the counters, and room for the slab pool's own pages */
    pmcf->marks = ngx_shared_memory_add(cf, &name,
                                        ngx_align(sizeof(ngx_http_pf_marks_t),
                                                  ngx_pagesize)
                                        + 16 * ngx_pagesize,
                                        &ngx_http_portfolio_module);
    if (pmcf->marks == NULL) {
        return NGX_ERROR;
    }

    pmcf->marks->init = ngx_http_pf_marks_init;

    /* kept sessions must not outlive a change to their records */
    if (ngx_http_pf_store_watch(cf, pmcf, NGX_HTTP_PF_DB_USERS,
                                ngx_http_pf_session_changed)
        != NGX_OK
        || ngx_http_pf_store_watch(cf, pmcf, NGX_HTTP_PF_DB_SESSIONS,
                                   ngx_http_pf_session_changed)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* NULL until the zone is mapped (and with no data directory). */

static ngx_http_pf_marks_t *
ngx_http_pf_marks(ngx_http_pf_main_conf_t *pmcf)
{
    return pmcf->marks ? pmcf->marks->data : NULL;
}


static uint32_t
ngx_http_pf_mark_bucket(const u_char *key, size_t len)
{
    return ngx_crc32_short((u_char *) key, len) & (NGX_HTTP_PF_MARKS - 1);
}


/* In the writer: a session or user record was put or deleted. */

void
ngx_http_pf_session_changed(ngx_http_pf_ctx_t *ctx, pf_str_t key)
{
    if (ctx->nchanged < NGX_HTTP_PF_CHANGED_MAX) {
        ctx->changed[ctx->nchanged] =
            ngx_http_pf_mark_bucket((const u_char *) key.data, key.len);
    }

    /* one past the array means "more than fit": all of them */
    if (ctx->nchanged <= NGX_HTTP_PF_CHANGED_MAX) {
        ctx->nchanged++;
    }
}


/*
 * After the commit (rolled back or not: a bump too many only costs a
 * read), before the answer: kept copies of what changed are not used again.
 */

void
ngx_http_pf_session_committed(ngx_http_pf_ctx_t *ctx)
{
    ngx_uint_t            i;
    ngx_http_pf_marks_t  *marks;

    marks = ngx_http_pf_marks(ctx->pmcf);

    if (marks == NULL || ctx->nchanged == 0) {
        ctx->nchanged = 0;
        return;
    }

    ngx_memory_barrier();

    if (ctx->nchanged > NGX_HTTP_PF_CHANGED_MAX) {
        (void) ngx_atomic_fetch_add(&marks->all, 1);

    } else {
        for (i = 0; i < ctx->nchanged; i++) {
            (void) ngx_atomic_fetch_add(&marks->bucket[ctx->changed[i]], 1);
        }
    }

    ctx->nchanged = 0;
}


/* Room for a record's text and n more bytes; the text copied in. */

static ngx_int_t
ngx_http_pf_keep(ngx_http_pf_kept_text_t *k, pf_str_t text, size_t more)
{
    u_char  *p;

    if (k->cap < text.len + more) {
        p = ngx_alloc(text.len + more, ngx_cycle->log);
        if (p == NULL) {
            k->len = 0;
            return NGX_ERROR;
        }

        if (k->data) {
            ngx_free(k->data);
        }

        k->data = p;
        k->cap = text.len + more;
    }

    ngx_memcpy(k->data, text.data, text.len);
    k->len = text.len;

    return NGX_OK;
}


static ngx_int_t
ngx_http_pf_kept_is(ngx_http_pf_kept_text_t *k, pf_str_t text)
{
    return k->len == text.len && k->data
           && ngx_memcmp(k->data, text.data, text.len) == 0;
}


/* A string of a parsed record into the kept buffer at *p; NULL if none. */

static void
ngx_http_pf_keep_str(u_char **p, pf_str_t s, ngx_str_t *out)
{
    if (s.data == NULL) {
        out->data = NULL;
        out->len = 0;
        return;
    }

    out->data = *p;
    out->len = s.len;
    *p = ngx_cpymem(*p, s.data, s.len);
}


/* A kept string into the request's pool (the slot may be reused). */

static pf_str_t
ngx_http_pf_kept_str(ngx_http_pf_ctx_t *ctx, ngx_str_t *s)
{
    u_char  *p;

    if (s->data == NULL) {
        return (pf_str_t) { 0, NULL };
    }

    p = ngx_pnalloc(ctx->pool, s->len + 1);
    if (p == NULL) {
        return (pf_str_t) { 0, NULL };
    }

    ngx_memcpy(p, s->data, s->len);
    p[s->len] = '\0';

    return (pf_str_t) { s->len, (const char *) p };
}


/* The session record: parsed, or what was kept of the same text. */

static ngx_int_t
ngx_http_pf_session_record(ngx_http_pf_ctx_t *ctx,
    ngx_http_pf_kept_session_t *kept, pf_str_t value, int64_t *created,
    int64_t *seen, ngx_str_t *user)
{
    u_char          *p;
    pf_str_t         u;
    ngx_str_t        err;
    const pf_val_t  *rec;

    if (kept && kept->session_ok
        && ngx_memcmp(kept->hash, ctx->session.hash, NGX_HTTP_PF_HASH_LEN)
           == 0
        && ngx_http_pf_kept_is(&kept->session, value))
    {
        *created = kept->created;
        *seen = kept->seen;
        *user = kept->user_key;
        return NGX_OK;
    }

    rec = ngx_http_pf_json_parse(ctx->pool, (u_char *) value.data, value.len,
                                 8, &err);
    if (rec == NULL
        || ngx_http_pf_json_integer(ngx_http_pf_json_get(rec, "created"),
                                    created) != PF_OK
        || ngx_http_pf_json_integer(ngx_http_pf_json_get(rec, "seen"), seen)
           != PF_OK)
    {
        return NGX_DECLINED;
    }

    u = ngx_http_pf_json_str(ngx_http_pf_json_get(rec, "user"));
    user->data = (u_char *) u.data;
    user->len = u.len;

    if (kept == NULL) {
        return NGX_OK;
    }

    kept->session_ok = 0;
    kept->user_ok = 0;

    if (ngx_http_pf_keep(&kept->session, value, u.len) != NGX_OK) {
        return NGX_OK;
    }

    ngx_memcpy(kept->hash, ctx->session.hash, NGX_HTTP_PF_HASH_LEN);
    kept->created = *created;
    kept->seen = *seen;
    p = kept->session.data + value.len;
    ngx_http_pf_keep_str(&p, u, &kept->user_key);
    kept->session_ok = 1;

    return NGX_OK;
}


/* The user record: parsed, or what was kept of the same text. */

static ngx_int_t
ngx_http_pf_session_user(ngx_http_pf_ctx_t *ctx,
    ngx_http_pf_kept_session_t *kept, ngx_http_pf_kept_session_t *out,
    pf_str_t key)
{
    int              rc;
    u_char          *p;
    pf_str_t         value, id, name, school;
    const pf_val_t  *user;

    rc = ngx_http_pf_db_get(ctx, NGX_HTTP_PF_DB_USERS, key, &value);
    if (rc != PF_OK) {
        return NGX_DECLINED;
    }

    if (kept && kept->user_ok && ngx_http_pf_kept_is(&kept->user, value)) {
        *out = *kept;
        return NGX_OK;
    }

    if (ngx_http_pf_user_parse(ctx, key, value, &user) != PF_OK) {
        return NGX_DECLINED;
    }

    out->disabled = (ngx_http_pf_json_type(ngx_http_pf_json_get(user,
                                                                "disabled"))
                     == PF_JSON_TRUE);
    out->has_expires = (ngx_http_pf_json_integer(
                            ngx_http_pf_json_get(user, "expires"),
                            &out->expires)
                        == PF_OK);
    out->must_change = (ngx_http_pf_json_type(
                            ngx_http_pf_json_get(user, "must_change"))
                        == PF_JSON_TRUE);
    out->pw_changed = ngx_http_pf_user_pw_changed(user);
    out->roles = ngx_http_pf_roles_parse(ngx_http_pf_json_get(user, "roles"));

    id = ngx_http_pf_json_str(ngx_http_pf_json_get(user, "id"));
    name = ngx_http_pf_json_str(ngx_http_pf_json_get(user, "name"));
    school = ngx_http_pf_json_str(ngx_http_pf_json_get(user, "school"));

    /* the strings stay in the parsed tree, in the request's pool */
    out->id.data = (u_char *) id.data;
    out->id.len = id.len;
    out->name.data = (u_char *) name.data;
    out->name.len = name.len;
    out->school.data = (u_char *) school.data;
    out->school.len = school.len;

    if (kept == NULL) {
        return NGX_OK;
    }

    kept->user_ok = 0;

    if (ngx_http_pf_keep(&kept->user, value, id.len + name.len + school.len)
        != NGX_OK)
    {
        return NGX_OK;
    }

    kept->disabled = out->disabled;
    kept->has_expires = out->has_expires;
    kept->expires = out->expires;
    kept->must_change = out->must_change;
    kept->pw_changed = out->pw_changed;
    kept->roles = out->roles;

    p = kept->user.data + value.len;
    ngx_http_pf_keep_str(&p, id, &kept->id);
    ngx_http_pf_keep_str(&p, name, &kept->name);
    ngx_http_pf_keep_str(&p, school, &kept->school);
    kept->user_ok = 1;

    return NGX_OK;
}


/* The session as its record says; false when it has timed out. */

static ngx_uint_t
ngx_http_pf_session_live(ngx_http_pf_ctx_t *ctx, int64_t created,
    int64_t seen, int64_t now)
{
    ctx->session.valid = 1;
    ctx->session.created = created;
    ctx->session.seen = seen;

    return now - created <= (int64_t) ctx->pmcf->session_lifetime * 1000
           && now - seen <= (int64_t) ctx->pmcf->session_idle * 1000;
}


/*
 * Loads the session and its user into ctx.  No session, or a stale one, is
 * not an error here: the router decides what the route needs.  Begins the
 * request's read transaction when the records have to be read.
 */

ngx_int_t
ngx_http_pf_session_load(ngx_http_pf_ctx_t *ctx)
{
    int                          rc;
    int64_t                      now, created, seen;
    pf_str_t                     key, value;
    ngx_str_t                    token, user_key;
    uint32_t                     bucket;
    ngx_uint_t                   slot, marked;
    ngx_http_pf_mark_t           mark;
    ngx_http_pf_marks_t         *marks;
    ngx_http_pf_kept_session_t  *kept, u;

    if (ngx_http_pf_session_token(ctx, &token) != NGX_OK
        || token.len == 0 || token.len > 128)
    {
        return NGX_OK;
    }

    ngx_http_pf_sha256(token.data, token.len, ctx->session.hash);

    kept = NULL;
    marks = ngx_http_pf_marks(ctx->pmcf);
    marked = 0;
    now = ngx_http_pf_now_ms();

    if (ctx->pmcf->kept) {
        /* the key is a SHA-256: any two of its bytes are well spread */
        slot = (ctx->session.hash[0] | (ctx->session.hash[1] << 8))
               & (NGX_HTTP_PF_SESSIONS_KEPT - 1);
        kept = &ctx->pmcf->kept->slot[slot];
    }

    if (kept && marks) {
        mark.all = marks->all;
        mark.session = marks->bucket[ngx_http_pf_mark_bucket(
                                         ctx->session.hash,
                                         NGX_HTTP_PF_HASH_LEN)];

        if (kept->session_ok && kept->user_ok
            && ngx_memcmp(kept->hash, ctx->session.hash, NGX_HTTP_PF_HASH_LEN)
               == 0)
        {
            mark.user = marks->bucket[kept->user_bucket];
            marked = 1;

            if (kept->fresh
                && ngx_current_msec - kept->checked < NGX_HTTP_PF_KEPT_TRUST
                && kept->mark.all == mark.all
                && kept->mark.session == mark.session
                && kept->mark.user == mark.user)
            {
                /* nothing changed since it was read: no read, no parse */
                seen = kept->seen;
                u = *kept;

                if (!ngx_http_pf_session_live(ctx, kept->created, seen, now)) {
                    return NGX_OK;
                }

                goto live;
            }
        }

        kept->fresh = 0;

        /* the counters before the snapshot: a change after it bumps them */
        ngx_memory_barrier();
    }

    if (ngx_http_pf_store_read_begin(ctx) != NGX_OK) {
        return NGX_ERROR;
    }

    key.data = (const char *) ctx->session.hash;
    key.len = NGX_HTTP_PF_HASH_LEN;

    rc = ngx_http_pf_db_get(ctx, NGX_HTTP_PF_DB_SESSIONS, key, &value);

    if (rc == PF_NOT_FOUND) {
        return NGX_OK;
    }

    if (rc != PF_OK) {
        ngx_http_pf_error(ctx, 503, "storage_unavailable",
                          "sessions cannot be read now");
        return NGX_ERROR;
    }

    if (ngx_http_pf_session_record(ctx, kept, value, &created, &seen,
                                   &user_key)
        != NGX_OK)
    {
        ngx_log_error(NGX_LOG_ERR, ctx->log, 0,
                      "portfolio: damaged session record ignored");
        return NGX_OK;
    }

    if (!ngx_http_pf_session_live(ctx, created, seen, now)) {
        return NGX_OK;
    }

    if (ngx_http_pf_session_user(ctx, kept, &u, ngx_http_pf_str(&user_key))
        != NGX_OK)
    {
        return NGX_OK;
    }

    if (kept && kept->session_ok && kept->user_ok) {
        bucket = ngx_http_pf_mark_bucket(kept->user_key.data,
                                         kept->user_key.len);

        /* trusted from the next request on if the counters were read
           before these records (the user's is known from the second) */
        if (marked && kept->user_bucket == bucket) {
            kept->mark = mark;
            kept->checked = ngx_current_msec;
            kept->fresh = 1;
        }

        kept->user_bucket = bucket;
    }

live:

    /*
     * A disabled or expired (temporary) account loses its sessions too, and
     * a new password ends every session begun before it (the one that
     * changed it is renewed, see ngx_http_pf_session_renew()).
     */
    if (u.disabled || (u.has_expires && u.expires <= now)
        || ctx->session.created <= u.pw_changed)
    {
        return NGX_OK;
    }

    ctx->has_user = 1;
    ctx->user.id = ngx_http_pf_kept_str(ctx, &u.id);
    ctx->user.name = ngx_http_pf_kept_str(ctx, &u.name);
    ctx->user.school = ngx_http_pf_kept_str(ctx, &u.school);
    ctx->user.roles = u.roles;
    ctx->session.must_change = u.must_change;

    /* record use now and then, not on every read: reads stay lock-free */
    if (now - seen > (int64_t) ngx_min(ctx->pmcf->session_idle * 100, 60000)) {
        ngx_http_pf_session_touch(ctx);
    }

    return NGX_OK;
}


static void
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
        return ngx_http_pf_error(ctx, 500, "internal", "touch failed");
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
 * A state-changing request is refused when the browser says it comes from
 * another site: Sec-Fetch-Site other than same-origin/none, or an Origin
 * whose host is not the Host we serve.  Clients that send neither are not
 * browsers (curl, scripts) and carry no ambient credentials to abuse.
 */

ngx_int_t
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
