/*
 * ngx_http_portfolio_session_cache.c -- a request's session, loaded
 * through the per-worker cache of what its records say.
 *
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
 *
 * Loading is the cache's one reader, so it lives here; the session
 * records themselves, the token and the cookie are _session.c's.
 *
 * A temporary account issued for a student (SPEC A3: "temporary":
 * {"student": id} in its record) acts for that student: ctx->user.id is
 * the student, so every plugin's rule of "own data" applies as the
 * student's, with the student role alone (whatever else the account was
 * granted); ctx->user.account stays the account signed in, and whatever
 * is about the account itself -- its session and this cache, /me,
 * /password, the directory binding, the failure delay, who a change is
 * by -- uses the account.  One issued by name, or for an account that is
 * no student of its school, acts as itself.  ngx_http_pf_user_set() is
 * the one place that says so, for a session loaded here and for a
 * sign-in (_auth.c).
 */

#include "ngx_http_portfolio_module.h"


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
    unsigned                  temporary:1;

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
    ngx_str_t                 student;       /* a temporary account's, or
                                                empty */
} ngx_http_pf_kept_session_t;


struct ngx_http_pf_kept_s {
    ngx_http_pf_kept_session_t  slot[NGX_HTTP_PF_SESSIONS_KEPT];
};


static void ngx_http_pf_session_changed(ngx_http_pf_ctx_t *ctx,
    pf_str_t key);


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

static void
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
    pf_str_t         value, id, name, school, student;
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
    out->temporary = (ngx_http_pf_json_type(ngx_http_pf_json_get(user,
                                                                 "temporary"))
                      == PF_JSON_OBJECT);

    id = ngx_http_pf_json_str(ngx_http_pf_json_get(user, "id"));
    name = ngx_http_pf_json_str(ngx_http_pf_json_get(user, "name"));
    school = ngx_http_pf_json_str(ngx_http_pf_json_get(user, "school"));

    /* the student's record is read once, with the account's: a
       student stays the student of a school */
    student = ngx_http_pf_acting_for(ctx, id, user);

    /* the strings stay in the parsed tree, in the request's pool */
    out->id.data = (u_char *) id.data;
    out->id.len = id.len;
    out->name.data = (u_char *) name.data;
    out->name.len = name.len;
    out->school.data = (u_char *) school.data;
    out->school.len = school.len;
    out->student.data = (u_char *) student.data;
    out->student.len = student.len;

    if (kept == NULL) {
        return NGX_OK;
    }

    kept->user_ok = 0;

    if (ngx_http_pf_keep(&kept->user, value,
                         id.len + name.len + school.len + student.len)
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
    kept->temporary = out->temporary;

    p = kept->user.data + value.len;
    ngx_http_pf_keep_str(&p, id, &kept->id);
    ngx_http_pf_keep_str(&p, name, &kept->name);
    ngx_http_pf_keep_str(&p, school, &kept->school);
    ngx_http_pf_keep_str(&p, student, &kept->student);
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
                          "登入狀態暫時無法讀取，請稍後再試");
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

    ngx_http_pf_user_set(ctx, ngx_http_pf_kept_str(ctx, &u.id),
                         ngx_http_pf_kept_str(ctx, &u.name),
                         ngx_http_pf_kept_str(ctx, &u.school), u.roles,
                         ngx_http_pf_kept_str(ctx, &u.student),
                         u.has_expires ? u.expires : 0, u.temporary);
    ctx->session.must_change = u.must_change;

    /* record use now and then, not on every read: reads stay lock-free */
    if (now - seen > (int64_t) ngx_min(ctx->pmcf->session_idle * 100, 60000)) {
        ngx_http_pf_session_touch(ctx);
    }

    return NGX_OK;
}


/*
 * The student a temporary account acts for (SPEC A3): its record's
 * "temporary": {"student"}, when that is a student's own account of the
 * same school (not another temporary one); empty otherwise, and then the
 * account acts as itself.
 */

pf_str_t
ngx_http_pf_acting_for(ngx_http_pf_ctx_t *ctx, pf_str_t id,
    const pf_val_t *user)
{
    pf_str_t         student, school, his;
    const pf_val_t  *tmp, *rec;

    tmp = ngx_http_pf_json_get(user, "temporary");
    student = ngx_http_pf_json_str(ngx_http_pf_json_get(tmp, "student"));

    if (ngx_http_pf_json_type(tmp) != PF_JSON_OBJECT || student.len == 0) {
        return (pf_str_t) { 0, NULL };
    }

    school = ngx_http_pf_json_str(ngx_http_pf_json_get(user, "school"));

    if (student.len > 64
        || (student.len == id.len
            && ngx_strncmp(student.data, id.data, id.len) == 0)
        || ngx_http_pf_load_user(ctx, student, &rec) != PF_OK)
    {
        goto itself;
    }

    his = ngx_http_pf_json_str(ngx_http_pf_json_get(rec, "school"));

    if (!(ngx_http_pf_roles_parse(ngx_http_pf_json_get(rec, "roles"))
          & PF_ROLE_STUDENT)
        || ngx_http_pf_json_type(ngx_http_pf_json_get(rec, "temporary"))
           == PF_JSON_OBJECT
        || his.len != school.len
        || ngx_strncmp(his.data, school.data, his.len) != 0)
    {
        goto itself;
    }

    return student;

itself:

    ngx_log_error(NGX_LOG_WARN, ctx->log, 0,
                  "portfolio: temporary account \"%*s\" names \"%*s\", "
                  "no student of its school: it acts as itself",
                  id.len, id.data, student.len, student.data);

    return (pf_str_t) { 0, NULL };
}


/*
 * The signed-in caller into ctx: the account (id), and for a temporary
 * account acting for a student, the student as ctx->user.id with the
 * student role alone (the account's other grants are not the
 * student's).  The account itself is ctx->user.account.
 */

void
ngx_http_pf_user_set(ngx_http_pf_ctx_t *ctx, pf_str_t id, pf_str_t name,
    pf_str_t school, uint32_t roles, pf_str_t student, int64_t expires,
    ngx_uint_t temporary)
{
    ctx->has_user = 1;
    ctx->user.account = id;
    ctx->user.name = name;
    ctx->user.school = school;
    ctx->session.temporary = temporary ? 1 : 0;
    ctx->session.expires = expires;

    if (temporary && student.len) {
        ctx->user.id = student;
        ctx->user.roles = roles & PF_ROLE_STUDENT;
        return;
    }

    ctx->user.id = id;
    ctx->user.roles = roles;
}
