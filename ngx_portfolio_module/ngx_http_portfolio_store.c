/*
 * ngx_http_portfolio_store.c -- the LMDB environment.
 *
 * One environment per deployment (DATA_DIR/portfolio.mdb), opened in each
 * worker after fork.  Reads in the event loop reuse one reset/renewed
 * read-only transaction (cheap: no locks); writes happen only in the writer
 * thread (see _writer.c), whose transactions LMDB serializes across
 * workers with its own lock.
 */

#include "ngx_http_portfolio_module.h"


#define NGX_HTTP_PF_MAX_DBS  128


struct ngx_http_pf_store_s {
    MDB_env                *env;
    MDB_txn                *rtxn;        /* the event loop's read txn, reset */
    ngx_uint_t              rtxn_active;
    ngx_uint_t              ndbs;
    char                  **names;       /* the core's, then the plugins' */
    MDB_dbi                *dbis;
    ngx_http_pf_watch_pt   *watch;       /* per database: told of changes */
    ngx_log_t              *log;
};


typedef struct {
    const char             *db;
    ngx_http_pf_watch_pt    handler;
} ngx_http_pf_watch_t;


static const char  *ngx_http_pf_core_dbs[] = {
    NGX_HTTP_PF_DB_USERS,
    NGX_HTTP_PF_DB_SCHOOLS,
    NGX_HTTP_PF_DB_SCHOOL_CODES,
    NGX_HTTP_PF_DB_SESSIONS,
    NGX_HTTP_PF_DB_AUTHFAIL,
    NGX_HTTP_PF_DB_RELATIONS,
    NGX_HTTP_PF_DB_SETTINGS,
    NGX_HTTP_PF_DB_AUDIT,
    NGX_HTTP_PF_DB_OUTBOX,
    NGX_HTTP_PF_DB_BLOBS,
    NGX_HTTP_PF_DB_DIRECTORY,
    NULL
};


#define NGX_HTTP_PF_CORE_NDBS                                                 \
    (sizeof(ngx_http_pf_core_dbs) / sizeof(ngx_http_pf_core_dbs[0]) - 1)


static ngx_int_t ngx_http_pf_store_open_dbs(ngx_http_pf_store_t *store,
    ngx_http_pf_main_conf_t *pmcf, ngx_pool_t *pool);
static MDB_dbi *ngx_http_pf_dbi(ngx_http_pf_ctx_t *ctx, const char *db);
static MDB_dbi *ngx_http_pf_plugin_dbi(pf_req_t *req, const char *db,
    uint32_t need);
static int ngx_http_pf_dbi_get(ngx_http_pf_ctx_t *ctx, MDB_dbi *dbi,
    const char *db, pf_str_t key, pf_str_t *value);
static int ngx_http_pf_dbi_put(ngx_http_pf_ctx_t *ctx, MDB_dbi *dbi,
    const char *db, pf_str_t key, pf_str_t value);
static int ngx_http_pf_dbi_del(ngx_http_pf_ctx_t *ctx, MDB_dbi *dbi,
    const char *db, pf_str_t key);
static int ngx_http_pf_dbi_scan(ngx_http_pf_ctx_t *ctx, MDB_dbi *dbi,
    const char *db, pf_str_t prefix, pf_scan_pt cb, void *data);


/* A database name of the core's: no plugin may declare it. */

ngx_uint_t
ngx_http_pf_store_core_db(const char *name)
{
    ngx_uint_t  i;

    for (i = 0; ngx_http_pf_core_dbs[i]; i++) {
        if (ngx_strcmp(ngx_http_pf_core_dbs[i], name) == 0) {
            return 1;
        }
    }

    return 0;
}


/*
 * Who must hear of changes to a database (the session cache, of accounts
 * and sessions): handler(ctx, key) after each put or delete, inside the
 * transaction.
 */

ngx_int_t
ngx_http_pf_store_watch(ngx_conf_t *cf, ngx_http_pf_main_conf_t *pmcf,
    const char *db, ngx_http_pf_watch_pt handler)
{
    ngx_http_pf_watch_t  *w;

    if (pmcf->watches == NULL) {
        pmcf->watches = ngx_array_create(cf->pool, 2,
                                         sizeof(ngx_http_pf_watch_t));
        if (pmcf->watches == NULL) {
            return NGX_ERROR;
        }
    }

    w = ngx_array_push(pmcf->watches);
    if (w == NULL) {
        return NGX_ERROR;
    }

    w->db = db;
    w->handler = handler;

    return NGX_OK;
}


/* The file name: a path, not a directory, so backups copy one file. */

static u_char *
ngx_http_pf_store_path(ngx_http_pf_main_conf_t *pmcf, u_char *buf,
    size_t size)
{
    u_char  *p;

    p = ngx_snprintf(buf, size - 1, "%V/portfolio.mdb", &pmcf->data_dir);
    *p = '\0';

    return buf;
}


static ngx_int_t
ngx_http_pf_store_env_open(ngx_http_pf_main_conf_t *pmcf, ngx_log_t *log,
    MDB_env **envp)
{
    int       rc, dead;
    u_char    path[NGX_MAX_PATH];
    MDB_env  *env;

    rc = mdb_env_create(&env);
    if (rc != 0) {
        ngx_log_error(NGX_LOG_EMERG, log, 0, "mdb_env_create() failed: %s",
                      mdb_strerror(rc));
        return NGX_ERROR;
    }

    (void) mdb_env_set_maxdbs(env, NGX_HTTP_PF_MAX_DBS);
    (void) mdb_env_set_maxreaders(env, 1024);

    rc = mdb_env_set_mapsize(env, (size_t) pmcf->map_size);
    if (rc != 0) {
        ngx_log_error(NGX_LOG_EMERG, log, 0,
                      "mdb_env_set_mapsize(%O) failed: %s",
                      pmcf->map_size, mdb_strerror(rc));
        mdb_env_close(env);
        return NGX_ERROR;
    }

    /*
     * MDB_NOTLS: the event loop's read transaction is not tied to a
     * thread slot, and read slots are reused by renew.
     * MDB_NOSUBDIR: one named file.
     * MDB_NOMETASYNC: a commit still syncs its data pages before it writes
     * the meta page (no corruption on a crash), but the meta page's own
     * flush waits for ngx_http_pf_store_sync(), called after the commit,
     * outside LMDB's write lock: the other worker's writer can go on
     * meanwhile.  Nothing is answered before that sync (durability kept).
     */
    ngx_http_pf_store_path(pmcf, path, sizeof(path));

    rc = mdb_env_open(env, (char *) path,
                      MDB_NOSUBDIR|MDB_NOTLS|MDB_NOMETASYNC, 0600);
    if (rc != 0) {
        ngx_log_error(NGX_LOG_EMERG, log, 0, "mdb_env_open(\"%s\") failed: %s",
                      path, mdb_strerror(rc));
        mdb_env_close(env);
        return NGX_ERROR;
    }

    /* reader slots left by a crashed worker would pin old pages forever */
    rc = mdb_reader_check(env, &dead);
    if (rc != 0) {
        ngx_log_error(NGX_LOG_WARN, log, 0, "mdb_reader_check() failed: %s",
                      mdb_strerror(rc));

    } else if (dead) {
        ngx_log_error(NGX_LOG_NOTICE, log, 0,
                      "portfolio store: cleared %d stale reader(s)", dead);
    }

    *envp = env;

    return NGX_OK;
}


ngx_int_t
ngx_http_pf_store_chown(ngx_cycle_t *cycle, ngx_http_pf_main_conf_t *pmcf,
    ngx_uid_t user, ngx_gid_t group)
{
    u_char  path[NGX_MAX_PATH], *p;

    ngx_http_pf_store_path(pmcf, path, sizeof(path));

    if (chown((char *) path, user, group) == -1 && ngx_errno != NGX_ENOENT) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, ngx_errno,
                      "chown(\"%s\") failed", path);
        return NGX_ERROR;
    }

    p = ngx_snprintf(path, sizeof(path) - 1, "%V/portfolio.mdb-lock",
                     &pmcf->data_dir);
    *p = '\0';

    if (chown((char *) path, user, group) == -1 && ngx_errno != NGX_ENOENT) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, ngx_errno,
                      "chown(\"%s\") failed", path);
        return NGX_ERROR;
    }

    p = ngx_snprintf(path, sizeof(path) - 1, "%V/pepper", &pmcf->data_dir);
    *p = '\0';

    if (chown((char *) path, user, group) == -1 && ngx_errno != NGX_ENOENT) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, ngx_errno,
                      "chown(\"%s\") failed", path);
        return NGX_ERROR;
    }

    return NGX_OK;
}


static void
ngx_http_pf_store_cleanup(void *data)
{
    ngx_http_pf_store_t  *store = data;

    ngx_http_pf_store_close(store);
}


ngx_int_t
ngx_http_pf_store_open(ngx_cycle_t *cycle, ngx_http_pf_main_conf_t *pmcf,
    ngx_http_pf_store_t **storep)
{
    int                   rc;
    ngx_pool_cleanup_t   *cln;
    ngx_http_pf_store_t  *store;

    store = ngx_pcalloc(cycle->pool, sizeof(ngx_http_pf_store_t));
    if (store == NULL) {
        return NGX_ERROR;
    }

    store->log = cycle->log;

    if (ngx_http_pf_store_env_open(pmcf, cycle->log, &store->env) != NGX_OK) {
        return NGX_ERROR;
    }

    cln = ngx_pool_cleanup_add(cycle->pool, 0);
    if (cln == NULL) {
        mdb_env_close(store->env);
        return NGX_ERROR;
    }

    cln->handler = ngx_http_pf_store_cleanup;
    cln->data = store;

    if (ngx_http_pf_store_open_dbs(store, pmcf, cycle->pool) != NGX_OK) {
        return NGX_ERROR;
    }

    rc = mdb_txn_begin(store->env, NULL, MDB_RDONLY, &store->rtxn);
    if (rc != 0) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "mdb_txn_begin(read) failed: %s", mdb_strerror(rc));
        return NGX_ERROR;
    }

    mdb_txn_reset(store->rtxn);

    *storep = store;

    return NGX_OK;
}


/*
 * Named databases are opened once, in one write transaction, so their
 * handles are valid in every later transaction of this process.
 */

static ngx_int_t
ngx_http_pf_store_open_dbs(ngx_http_pf_store_t *store,
    ngx_http_pf_main_conf_t *pmcf, ngx_pool_t *pool)
{
    int                   rc;
    char                **names;
    MDB_txn              *txn;
    ngx_uint_t            i, j, n;
    ngx_http_pf_watch_t  *watch;

    n = pmcf->dbs.nelts;

    for (i = 0; ngx_http_pf_core_dbs[i]; i++) {
        n++;
    }

    store->names = ngx_palloc(pool, n * sizeof(char *));
    store->dbis = ngx_palloc(pool, n * sizeof(MDB_dbi));
    if (store->names == NULL || store->dbis == NULL) {
        return NGX_ERROR;
    }

    n = 0;

    for (i = 0; ngx_http_pf_core_dbs[i]; i++) {
        store->names[n++] = (char *) ngx_http_pf_core_dbs[i];
    }

    names = pmcf->dbs.elts;

    for (i = 0; i < pmcf->dbs.nelts; i++) {
        store->names[n++] = names[i];
    }

    store->ndbs = n;

    rc = mdb_txn_begin(store->env, NULL, 0, &txn);
    if (rc != 0) {
        ngx_log_error(NGX_LOG_EMERG, store->log, 0,
                      "mdb_txn_begin() failed: %s", mdb_strerror(rc));
        return NGX_ERROR;
    }

    for (i = 0; i < store->ndbs; i++) {
        rc = mdb_dbi_open(txn, store->names[i], MDB_CREATE, &store->dbis[i]);
        if (rc != 0) {
            ngx_log_error(NGX_LOG_EMERG, store->log, 0,
                          "mdb_dbi_open(\"%s\") failed: %s",
                          store->names[i], mdb_strerror(rc));
            mdb_txn_abort(txn);
            return NGX_ERROR;
        }
    }

    rc = mdb_txn_commit(txn);
    if (rc != 0) {
        ngx_log_error(NGX_LOG_EMERG, store->log, 0,
                      "mdb_txn_commit() failed: %s", mdb_strerror(rc));
        return NGX_ERROR;
    }

    store->watch = ngx_pcalloc(pool, n * sizeof(ngx_http_pf_watch_pt));
    if (store->watch == NULL) {
        return NGX_ERROR;
    }

    watch = pmcf->watches ? pmcf->watches->elts : NULL;

    for (j = 0; pmcf->watches && j < pmcf->watches->nelts; j++) {
        for (i = 0; i < store->ndbs; i++) {
            if (ngx_strcmp(store->names[i], watch[j].db) == 0) {
                store->watch[i] = watch[j].handler;
            }
        }
    }

    return ngx_http_pf_store_sync(store->env, store->log);
}


/*
 * After a commit (MDB_NOMETASYNC): flushes the meta page, and with it the
 * commit, to disk.  A commit is durable only when this returns NGX_OK.
 */

ngx_int_t
ngx_http_pf_store_sync(MDB_env *env, ngx_log_t *log)
{
    int  rc;

    rc = mdb_env_sync(env, 1);
    if (rc != 0) {
        ngx_log_error(NGX_LOG_ALERT, log, 0, "mdb_env_sync() failed: %s",
                      mdb_strerror(rc));
        return NGX_ERROR;
    }

    return NGX_OK;
}


void
ngx_http_pf_store_close(ngx_http_pf_store_t *store)
{
    if (store->env == NULL) {
        return;
    }

    if (store->rtxn) {
        mdb_txn_abort(store->rtxn);
        store->rtxn = NULL;
    }

    mdb_env_close(store->env);
    store->env = NULL;
}


MDB_env *
ngx_http_pf_store_env(ngx_http_pf_store_t *store)
{
    return store->env;
}


/* The event loop's snapshot for ctx; on failure ctx is answered 503. */

ngx_int_t
ngx_http_pf_store_read_begin(ngx_http_pf_ctx_t *ctx)
{
    int                   rc;
    ngx_http_pf_store_t  *store;

    store = ctx->pmcf->store;

    if (store->rtxn_active) {
        /* one read at a time in the event loop; nested use shares it */
        ctx->txn = store->rtxn;
        return NGX_OK;
    }

    rc = mdb_txn_renew(store->rtxn);
    if (rc != 0) {
        ngx_log_error(NGX_LOG_ERR, ctx->log, 0, "mdb_txn_renew() failed: %s",
                      mdb_strerror(rc));
        ctx->retry_after = 5;
        ngx_http_pf_error(ctx, 503, "storage_unavailable",
                          "系統儲存暫時無法讀取，請稍候再試");
        return NGX_ERROR;
    }

    store->rtxn_active = 1;
    ctx->txn = store->rtxn;

    return NGX_OK;
}


void
ngx_http_pf_store_read_end(ngx_http_pf_ctx_t *ctx)
{
    ngx_http_pf_store_t  *store;

    if (ctx->txn == NULL || ctx->write) {
        return;
    }

    store = ctx->pmcf->store;

    if (store->rtxn_active && ctx->txn == store->rtxn) {
        mdb_txn_reset(store->rtxn);
        store->rtxn_active = 0;
    }

    ctx->txn = NULL;
}


/* The core's own lookup: every database, by name. */

static MDB_dbi *
ngx_http_pf_dbi(ngx_http_pf_ctx_t *ctx, const char *db)
{
    ngx_uint_t            i;
    ngx_http_pf_store_t  *store;

    store = ctx->pmcf->store;

    for (i = 0; i < store->ndbs; i++) {
        if (ngx_strcmp(store->names[i], db) == 0) {
            return &store->dbis[i];
        }
    }

    ngx_log_error(NGX_LOG_ERR, ctx->log, 0,
                  "portfolio: unknown database \"%s\"", db);

    return NULL;
}


/*
 * A plugin's lookup: only what its descriptor declares, for what it
 * declares (need: PF_DB_READ, or PF_DB_WRITE to change it).  The core's
 * code on the plugin's behalf (host calls) uses ngx_http_pf_dbi().
 */

static MDB_dbi *
ngx_http_pf_plugin_dbi(pf_req_t *req, const char *db, uint32_t need)
{
    ngx_uint_t                i;
    ngx_http_pf_plugin_t     *plugin;
    ngx_http_pf_plugin_db_t  *d;

    plugin = req->plugin;

    if (plugin == NULL || plugin->all_databases) {
        return ngx_http_pf_dbi(req, db);
    }

    d = plugin->dbs.elts;

    for (i = 0; i < plugin->dbs.nelts; i++) {
        if (d[i].name != db && ngx_strcmp(d[i].name, db) != 0) {
            continue;
        }

        if ((d[i].access & need) != need) {
            ngx_log_error(NGX_LOG_ERR, req->log, 0,
                          "portfolio plugin \"%V\": database \"%s\" is "
                          "declared for reading only", &plugin->name, db);
            return NULL;
        }

        return &req->pmcf->store->dbis[NGX_HTTP_PF_CORE_NDBS + d[i].index];
    }

    ngx_log_error(NGX_LOG_ERR, req->log, 0,
                  "portfolio plugin \"%V\": database \"%s\" is not "
                  "declared by the plugin", &plugin->name, db);

    return NULL;
}


int
ngx_http_pf_db_get(ngx_http_pf_ctx_t *ctx, const char *db, pf_str_t key,
    pf_str_t *value)
{
    return ngx_http_pf_dbi_get(ctx, ngx_http_pf_dbi(ctx, db), db, key, value);
}


int
ngx_http_pf_db_put(ngx_http_pf_ctx_t *ctx, const char *db, pf_str_t key,
    pf_str_t value)
{
    return ngx_http_pf_dbi_put(ctx, ngx_http_pf_dbi(ctx, db), db, key, value);
}


int
ngx_http_pf_db_del(ngx_http_pf_ctx_t *ctx, const char *db, pf_str_t key)
{
    return ngx_http_pf_dbi_del(ctx, ngx_http_pf_dbi(ctx, db), db, key);
}


int
ngx_http_pf_db_scan(ngx_http_pf_ctx_t *ctx, const char *db,
    pf_str_t prefix, pf_scan_pt cb, void *data)
{
    return ngx_http_pf_dbi_scan(ctx, ngx_http_pf_dbi(ctx, db), db, prefix, cb,
                                data);
}


/* The host calls: a database the plugin did not declare is PF_DENIED. */

int
ngx_http_pf_plugin_db_get(pf_req_t *req, const char *db, pf_str_t key,
    pf_str_t *value)
{
    MDB_dbi  *dbi;

    dbi = ngx_http_pf_plugin_dbi(req, db, PF_DB_READ);

    return dbi ? ngx_http_pf_dbi_get(req, dbi, db, key, value) : PF_DENIED;
}


int
ngx_http_pf_plugin_db_put(pf_req_t *req, const char *db, pf_str_t key,
    pf_str_t value)
{
    MDB_dbi  *dbi;

    dbi = ngx_http_pf_plugin_dbi(req, db, PF_DB_WRITE);

    return dbi ? ngx_http_pf_dbi_put(req, dbi, db, key, value) : PF_DENIED;
}


int
ngx_http_pf_plugin_db_del(pf_req_t *req, const char *db, pf_str_t key)
{
    MDB_dbi  *dbi;

    dbi = ngx_http_pf_plugin_dbi(req, db, PF_DB_WRITE);

    return dbi ? ngx_http_pf_dbi_del(req, dbi, db, key) : PF_DENIED;
}


int
ngx_http_pf_plugin_db_scan(pf_req_t *req, const char *db, pf_str_t prefix,
    pf_scan_pt cb, void *data)
{
    MDB_dbi  *dbi;

    dbi = ngx_http_pf_plugin_dbi(req, db, PF_DB_READ);

    return dbi ? ngx_http_pf_dbi_scan(req, dbi, db, prefix, cb, data)
               : PF_DENIED;
}


static int
ngx_http_pf_dbi_get(ngx_http_pf_ctx_t *ctx, MDB_dbi *dbi, const char *db,
    pf_str_t key, pf_str_t *value)
{
    int       rc;
    MDB_val   k, v;

    if (dbi == NULL || ctx->txn == NULL || key.len == 0 || key.len > 511) {
        return PF_ERROR;
    }

    k.mv_size = key.len;
    k.mv_data = (void *) key.data;

    rc = mdb_get(ctx->txn, *dbi, &k, &v);

    if (rc == MDB_NOTFOUND) {
        return PF_NOT_FOUND;
    }

    if (rc != 0) {
        ngx_log_error(NGX_LOG_ERR, ctx->log, 0, "mdb_get(%s) failed: %s",
                      db, mdb_strerror(rc));
        return PF_ERROR;
    }

    value->len = v.mv_size;
    value->data = v.mv_data;

    return PF_OK;
}


/* Whoever watches the database hears of the change (the session cache). */

static void
ngx_http_pf_store_changed(ngx_http_pf_ctx_t *ctx, MDB_dbi *dbi, pf_str_t key)
{
    ngx_http_pf_store_t   *store;
    ngx_http_pf_watch_pt   handler;

    store = ctx->pmcf->store;
    handler = store->watch[dbi - store->dbis];

    if (handler) {
        handler(ctx, key);
    }
}


static int
ngx_http_pf_dbi_put(ngx_http_pf_ctx_t *ctx, MDB_dbi *dbi, const char *db,
    pf_str_t key, pf_str_t value)
{
    int       rc;
    MDB_val   k, v;

    if (!ctx->write) {
        ngx_log_error(NGX_LOG_ERR, ctx->log, 0,
                      "portfolio: write to \"%s\" outside a write handler",
                      db);
        return PF_DENIED;
    }

    if (dbi == NULL || key.len == 0 || key.len > 511) {
        return PF_ERROR;
    }

    k.mv_size = key.len;
    k.mv_data = (void *) key.data;
    v.mv_size = value.len;
    v.mv_data = (void *) value.data;

    rc = mdb_put(ctx->txn, *dbi, &k, &v, 0);

    if (rc == MDB_MAP_FULL) {
        ngx_log_error(NGX_LOG_CRIT, ctx->log, 0,
                      "portfolio store is full: raise portfolio_map_size");
        return PF_FULL;
    }

    if (rc != 0) {
        ngx_log_error(NGX_LOG_ERR, ctx->log, 0, "mdb_put(%s) failed: %s",
                      db, mdb_strerror(rc));
        return PF_ERROR;
    }

    ngx_http_pf_store_changed(ctx, dbi, key);

    return PF_OK;
}


static int
ngx_http_pf_dbi_del(ngx_http_pf_ctx_t *ctx, MDB_dbi *dbi, const char *db,
    pf_str_t key)
{
    int       rc;
    MDB_val   k;

    if (!ctx->write) {
        return PF_DENIED;
    }

    if (dbi == NULL || key.len == 0 || key.len > 511) {
        return PF_ERROR;
    }

    k.mv_size = key.len;
    k.mv_data = (void *) key.data;

    rc = mdb_del(ctx->txn, *dbi, &k, NULL);

    if (rc == MDB_NOTFOUND) {
        return PF_NOT_FOUND;
    }

    if (rc != 0) {
        ngx_log_error(NGX_LOG_ERR, ctx->log, 0, "mdb_del(%s) failed: %s",
                      db, mdb_strerror(rc));
        return PF_ERROR;
    }

    ngx_http_pf_store_changed(ctx, dbi, key);

    return PF_OK;
}


/* Walks the keys that start with prefix, in key order. */

static int
ngx_http_pf_dbi_scan(ngx_http_pf_ctx_t *ctx, MDB_dbi *dbi, const char *db,
    pf_str_t prefix, pf_scan_pt cb, void *data)
{
    int          rc;
    MDB_val      k, v;
    pf_str_t     key, value;
    MDB_cursor  *cur;

    if (dbi == NULL || ctx->txn == NULL) {
        return PF_ERROR;
    }

    rc = mdb_cursor_open(ctx->txn, *dbi, &cur);
    if (rc != 0) {
        ngx_log_error(NGX_LOG_ERR, ctx->log, 0,
                      "mdb_cursor_open(%s) failed: %s", db, mdb_strerror(rc));
        return PF_ERROR;
    }

    if (prefix.len) {
        k.mv_size = prefix.len;
        k.mv_data = (void *) prefix.data;
        rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);

    } else {
        rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    }

    while (rc == 0) {
        if (k.mv_size < prefix.len
            || ngx_memcmp(k.mv_data, prefix.data, prefix.len) != 0)
        {
            break;
        }

        key.len = k.mv_size;
        key.data = k.mv_data;
        value.len = v.mv_size;
        value.data = v.mv_data;

        if (cb(data, key, value) != 0) {
            break;
        }

        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }

    mdb_cursor_close(cur);

    if (rc != 0 && rc != MDB_NOTFOUND) {
        ngx_log_error(NGX_LOG_ERR, ctx->log, 0, "mdb_cursor_get(%s) failed: %s",
                      db, mdb_strerror(rc));
        return PF_ERROR;
    }

    return PF_OK;
}


ngx_int_t
ngx_http_pf_store_stat(ngx_http_pf_store_t *store, size_t *used,
    size_t *map_size, size_t *readers)
{
    int           rc;
    MDB_stat      st;
    MDB_envinfo   info;

    rc = mdb_env_info(store->env, &info);
    if (rc == 0) {
        rc = mdb_env_stat(store->env, &st);
    }

    if (rc != 0) {
        ngx_log_error(NGX_LOG_ERR, store->log, 0, "mdb_env_info() failed: %s",
                      mdb_strerror(rc));
        return NGX_ERROR;
    }

    *used = (info.me_last_pgno + 1) * (size_t) st.ms_psize;
    *map_size = info.me_mapsize;
    *readers = info.me_numreaders;

    return NGX_OK;
}
