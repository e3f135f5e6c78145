/*
 * ngx_http_portfolio_writer.c -- every write runs here.
 *
 * Write handlers wait in a queue owned by the event loop.  One thread task
 * at a time per worker takes the whole queue (up to portfolio_batch_size)
 * and runs each handler inside its own nested transaction of one parent
 * transaction: a handler that fails rolls back alone, the others commit
 * together with a single fsync (group commit).  Responses go out only
 * after that commit and the sync of its meta page (ngx_http_pf_store_sync(),
 * outside LMDB's write lock) return, so an answered write is durable.  Since a
 * handler reads and writes inside the same transaction, rules such as "at
 * most 3 selected" hold however many requests race.
 *
 * With portfolio_group_commit off each handler gets its own top-level
 * transaction and fsync (for measuring what batching buys).
 *
 * The queue belongs to the event loop, but the thread, once it holds
 * LMDB's write lock (which it may have waited for while the other worker
 * committed), tops its batch up with what arrived meanwhile: those
 * requests ride this commit instead of waiting for the next one.  A mutex
 * guards the queue and the batch's length for that.
 */

#include "ngx_http_portfolio_module.h"


struct ngx_http_pf_writer_s {
    ngx_http_pf_main_conf_t  *pmcf;
    MDB_env                  *env;
    ngx_thread_mutex_t        mutex;           /* waiting, nwaiting, nbatch */
    ngx_queue_t               waiting;
    ngx_uint_t                nwaiting;
    ngx_thread_task_t        *task;
    ngx_http_pf_ctx_t       **batch;
    ngx_uint_t                nbatch;
    unsigned                  running:1;
    ngx_log_t                *log;
    ngx_array_t               timers;          /* ngx_event_t, jobs */
};


/* committed, but fdatasync failed */
#define NGX_HTTP_PF_UNSURE                                                    \
    "變更可能已儲存，但磁碟沒有確認；請先重新整理確認結果，再決定是否重做"


typedef struct {
    ngx_http_pf_writer_t     *writer;
    const pf_job_t           *job;
    ngx_http_pf_plugin_t     *plugin;          /* NULL: the core's */
    ngx_event_t               ev;
} ngx_http_pf_job_timer_t;


static const pf_job_t  ngx_http_pf_core_jobs[] = {
    { .name = "session-sweep", .interval = 600,
      .run = ngx_http_pf_session_sweep },
};


static void ngx_http_pf_writer_start(ngx_http_pf_writer_t *w);
static void ngx_http_pf_writer_take(ngx_http_pf_writer_t *w, ngx_log_t *log);
static void ngx_http_pf_writer_cleanup(void *data);
static void ngx_http_pf_writer_thread(void *data, ngx_log_t *log);
static void ngx_http_pf_writer_done(ngx_event_t *ev);
static void ngx_http_pf_run_one(ngx_http_pf_ctx_t *ctx, MDB_txn *parent,
    MDB_env *env);
static void ngx_http_pf_writer_fail(ngx_http_pf_writer_t *w,
    const char *message);
static void ngx_http_pf_ctx_fail(ngx_http_pf_ctx_t *ctx,
    const char *message);
static void ngx_http_pf_job_handler(ngx_event_t *ev);
static void ngx_http_pf_task_done(ngx_event_t *ev);


ngx_int_t
ngx_http_pf_writer_init(ngx_cycle_t *cycle, ngx_http_pf_main_conf_t *pmcf)
{
    ngx_uint_t                i, j;
    ngx_pool_cleanup_t       *cln;
    const pf_plugin_t        *desc;
    ngx_http_pf_plugin_t     *plugin;
    ngx_http_pf_writer_t     *w;
    ngx_http_pf_job_timer_t  *t;

    w = ngx_pcalloc(cycle->pool, sizeof(ngx_http_pf_writer_t));
    if (w == NULL) {
        return NGX_ERROR;
    }

    w->pmcf = pmcf;
    w->env = ngx_http_pf_store_env(pmcf->store);
    w->log = cycle->log;
    ngx_queue_init(&w->waiting);

    cln = ngx_pool_cleanup_add(cycle->pool, 0);
    if (cln == NULL
        || ngx_thread_mutex_create(&w->mutex, cycle->log) != NGX_OK)
    {
        return NGX_ERROR;
    }

    cln->handler = ngx_http_pf_writer_cleanup;
    cln->data = w;

    w->batch = ngx_palloc(cycle->pool,
                          pmcf->batch_max * sizeof(ngx_http_pf_ctx_t *));
    if (w->batch == NULL) {
        return NGX_ERROR;
    }

    w->task = ngx_thread_task_alloc(cycle->pool, 0);
    if (w->task == NULL) {
        return NGX_ERROR;
    }

    w->task->ctx = w;
    w->task->handler = ngx_http_pf_writer_thread;
    w->task->event.handler = ngx_http_pf_writer_done;
    w->task->event.data = w;

    pmcf->writer = w;

    /* scheduled jobs run in one worker only: the first */
    if (ngx_process == NGX_PROCESS_WORKER && ngx_worker != 0) {
        return NGX_OK;
    }

    if (ngx_array_init(&w->timers, cycle->pool, 4,
                       sizeof(ngx_http_pf_job_timer_t))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    plugin = pmcf->plugins ? pmcf->plugins->elts : NULL;

    for (i = 0; pmcf->plugins && i < pmcf->plugins->nelts; i++) {
        desc = &plugin[i].info;

        for (j = 0; j < desc->njobs; j++) {
            t = ngx_array_push(&w->timers);
            if (t == NULL) {
                return NGX_ERROR;
            }

            ngx_memzero(t, sizeof(ngx_http_pf_job_timer_t));
            t->writer = w;
            t->job = &desc->jobs[j];
            t->plugin = &plugin[i];
            t->ev.handler = ngx_http_pf_job_handler;
            t->ev.data = t;
            t->ev.log = cycle->log;
            /* jobs must not keep a worker from exiting on reload */
            t->ev.cancelable = 1;
        }
    }

    /* the core's own job: sweeping expired sessions */
    t = ngx_array_push(&w->timers);
    if (t == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(t, sizeof(ngx_http_pf_job_timer_t));
    t->writer = w;
    t->job = &ngx_http_pf_core_jobs[0];
    t->ev.handler = ngx_http_pf_job_handler;
    t->ev.data = t;
    t->ev.log = cycle->log;
    t->ev.cancelable = 1;

    /* the array no longer moves: arm the timers */
    t = w->timers.elts;

    for (i = 0; i < w->timers.nelts; i++) {
        ngx_add_timer(&t[i].ev, (ngx_msec_t) t[i].job->interval * 1000);
    }

    return NGX_OK;
}


static void
ngx_http_pf_writer_cleanup(void *data)
{
    ngx_http_pf_writer_t *w = data;

    (void) ngx_thread_mutex_destroy(&w->mutex, w->log);
}


ngx_uint_t
ngx_http_pf_writer_pending(ngx_http_pf_main_conf_t *pmcf)
{
    ngx_uint_t             n;
    ngx_http_pf_writer_t  *w;

    w = pmcf->writer;

    if (w == NULL) {
        return 0;
    }

    (void) ngx_thread_mutex_lock(&w->mutex, w->log);
    n = w->nwaiting + w->nbatch;
    (void) ngx_thread_mutex_unlock(&w->mutex, w->log);

    return n;
}


ngx_int_t
ngx_http_pf_writer_post(ngx_http_pf_ctx_t *ctx)
{
    ngx_http_pf_writer_t  *w;

    w = ctx->pmcf->writer;

    if (w == NULL) {
        return NGX_DECLINED;
    }

    /* under the mutex: the thread may take it the moment it is queued */
    (void) ngx_thread_mutex_lock(&w->mutex, w->log);

    if (w->nwaiting >= ctx->pmcf->write_queue) {
        (void) ngx_thread_mutex_unlock(&w->mutex, w->log);
        return NGX_DECLINED;
    }

    ctx->queued = 1;

    /* keeps the request alive even if the client goes away meanwhile */
    if (ctx->r) {
        ctx->r->main->blocked++;
    }

    ngx_queue_insert_tail(&w->waiting, &ctx->queue);
    w->nwaiting++;

    (void) ngx_thread_mutex_unlock(&w->mutex, w->log);

    if (!w->running) {
        ngx_http_pf_writer_start(w);
    }

    return NGX_OK;
}


static void
ngx_http_pf_writer_start(ngx_http_pf_writer_t *w)
{
    ngx_uint_t          i;
    ngx_http_pf_ctx_t  *ctx;

    w->nbatch = 0;

    ngx_http_pf_writer_take(w, w->log);

    if (w->nbatch == 0) {
        return;
    }

    w->running = 1;

    if (ngx_thread_task_post(w->pmcf->writer_pool, w->task) == NGX_OK) {
        return;
    }

    /* the pool's own queue is full: refuse this batch, nothing was done */
    for (i = 0; i < w->nbatch; i++) {
        ctx = w->batch[i];
        (void) ngx_http_pf_busy(ctx, 2,
                                "系統忙碌中（等待處理的變更太多），"
                                "請稍候再試");
    }

    ngx_http_pf_writer_done(&w->task->event);
}


/* Moves waiting requests into the batch, up to portfolio_batch_size. */

static void
ngx_http_pf_writer_take(ngx_http_pf_writer_t *w, ngx_log_t *log)
{
    ngx_queue_t  *q;

    (void) ngx_thread_mutex_lock(&w->mutex, log);

    while (!ngx_queue_empty(&w->waiting) && w->nbatch < w->pmcf->batch_max) {
        q = ngx_queue_head(&w->waiting);
        ngx_queue_remove(q);
        w->nwaiting--;

        w->batch[w->nbatch++] = ngx_queue_data(q, ngx_http_pf_ctx_t, queue);
    }

    (void) ngx_thread_mutex_unlock(&w->mutex, log);
}


/* In the thread. */

static void
ngx_http_pf_writer_thread(void *data, ngx_log_t *log)
{
    ngx_http_pf_writer_t *w = data;

    int                 rc;
    MDB_txn            *parent;
    ngx_uint_t          i;

    if (!w->pmcf->group_commit) {
        for (i = 0; i < w->nbatch; i++) {
            ngx_http_pf_run_one(w->batch[i], NULL, w->env);
        }

        return;
    }

    rc = mdb_txn_begin(w->env, NULL, 0, &parent);
    if (rc != 0) {
        ngx_log_error(NGX_LOG_ERR, log, 0, "mdb_txn_begin() failed: %s",
                      mdb_strerror(rc));

        for (i = 0; i < w->nbatch; i++) {
            ngx_http_pf_error(w->batch[i], 503, "storage_unavailable",
                              "變更沒有儲存成功，什麼都沒有變更；請稍候再試");
        }

        return;
    }

    /* the lock is ours: what came while waiting for it joins this commit */
    ngx_http_pf_writer_take(w, log);

    for (i = 0; i < w->nbatch; i++) {
        ngx_http_pf_run_one(w->batch[i], parent, w->env);
    }

    rc = mdb_txn_commit(parent);
    if (rc == 0) {
        /* the lock is free again; the answers wait for the disk */
        if (ngx_http_pf_store_sync(w->env, log) != NGX_OK) {
            ngx_http_pf_writer_fail(w, NGX_HTTP_PF_UNSURE);
        }

        return;
    }

    ngx_log_error(NGX_LOG_ERR, log, 0, "mdb_txn_commit() failed: %s",
                  mdb_strerror(rc));

    /* the whole batch is lost: say so to each one that thought it won */
    ngx_http_pf_writer_fail(w, "變更沒有儲存成功，什麼都沒有變更；"
                               "請稍候再試");
}


/*
 * Tells each request of the batch that thought it won that it did not:
 * the commit failed, or (NGX_HTTP_PF_UNSURE) the disk did not confirm it
 * and whether the change survives a crash is unknown.
 */

static void
ngx_http_pf_writer_fail(ngx_http_pf_writer_t *w, const char *message)
{
    ngx_uint_t          i;
    ngx_http_pf_ctx_t  *ctx;

    for (i = 0; i < w->nbatch; i++) {
        ctx = w->batch[i];

        if (ctx->status < 400 || ctx->keep) {
            ngx_http_pf_ctx_fail(ctx, message);
        }
    }
}


static void
ngx_http_pf_ctx_fail(ngx_http_pf_ctx_t *ctx, const char *message)
{
    ctx->set_cookie.len = 0;
    ngx_http_pf_error(ctx, 503, "storage_unavailable", "%s", message);
    ctx->retry_after = 2;
}


/*
 * One handler in its own (nested or top-level) transaction.  A status of
 * 400 or more rolls its changes back.
 */

static void
ngx_http_pf_run_one(ngx_http_pf_ctx_t *ctx, MDB_txn *parent, MDB_env *env)
{
    int       rc, status;
    MDB_txn  *txn;

    if (ctx->replied && ctx->status >= 400) {
        return;    /* refused before it got here */
    }

    rc = mdb_txn_begin(env, parent, 0, &txn);
    if (rc != 0) {
        ngx_log_error(NGX_LOG_ERR, ctx->log, 0, "mdb_txn_begin() failed: %s",
                      mdb_strerror(rc));
        ngx_http_pf_error(ctx, 503, "storage_unavailable",
                          "變更沒有儲存成功，請稍候再試");
        return;
    }

    ctx->txn = txn;
    ctx->write = 1;
    ctx->replied = 0;

    status = ctx->handler(ctx);

    if (status < 100 || status > 599) {
        ngx_log_error(NGX_LOG_ERR, ctx->log, 0,
                      "portfolio: handler returned status %d", status);
        ngx_http_pf_error(ctx, 500, "internal",
                          "系統發生錯誤，這次操作沒有完成；請稍候再試");
        status = 500;
    }

    if (!ctx->replied) {
        ngx_http_pf_reply(ctx, status, NULL);
    }

    if (ctx->status >= 400 && !ctx->keep) {
        mdb_txn_abort(txn);

    } else {
        rc = mdb_txn_commit(txn);

        if (rc != 0) {
            ngx_log_error(NGX_LOG_ERR, ctx->log, 0,
                          "mdb_txn_commit() failed: %s", mdb_strerror(rc));
            ctx->set_cookie.len = 0;
            ngx_http_pf_error(ctx, rc == MDB_MAP_FULL ? 507 : 503,
                              "storage_unavailable",
                              "變更沒有儲存成功，請稍候再試");

        } else if (parent == NULL
                   && ngx_http_pf_store_sync(env, ctx->log) != NGX_OK)
        {
            /* group commit off: every change is its own durable commit */
            ngx_http_pf_ctx_fail(ctx, NGX_HTTP_PF_UNSURE);
        }
    }

    ctx->txn = NULL;
    ctx->write = 0;
}


/* Back in the event loop: answer the batch, then start the next one. */

static void
ngx_http_pf_writer_done(ngx_event_t *ev)
{
    ngx_http_pf_writer_t *w = ev->data;

    ngx_uint_t           i, n;
    ngx_connection_t    *c;
    ngx_http_pf_ctx_t   *ctx;
    ngx_http_request_t  *r;

    n = w->nbatch;
    w->running = 0;

    for (i = 0; i < n; i++) {
        ctx = w->batch[i];
        ctx->queued = 0;
        r = ctx->r;

        /* committed (or not): sessions kept by the workers see it first */
        ngx_http_pf_session_committed(ctx);

        if (r == NULL) {
            /* a job: nobody waits for it */
            if (ctx->status >= 400) {
                ngx_log_error(NGX_LOG_ERR, w->log, 0,
                              "portfolio job failed with status %ui: %V",
                              ctx->status, &ctx->out);
            }

            ngx_destroy_pool(ctx->pool);
            continue;
        }

        r->main->blocked--;
        c = r->connection;

        if (ctx->done) {
            ctx->done(ctx);

        } else {
            ngx_http_pf_finish(ctx);
        }

        ngx_http_run_posted_requests(c);
    }

    w->nbatch = 0;

    if (!ngx_queue_empty(&w->waiting)) {
        ngx_http_pf_writer_start(w);
    }
}


static void
ngx_http_pf_job_handler(ngx_event_t *ev)
{
    ngx_http_pf_job_timer_t *t = ev->data;

    ngx_http_pf_ctx_t  *ctx;

    if (ngx_exiting || ngx_terminate || ngx_quit) {
        return;
    }

    ctx = ngx_http_pf_ctx_create(t->writer->pmcf, NULL, ev->log);

    if (ctx != NULL) {
        ctx->handler = t->job->run;
        ctx->plugin = t->plugin;

        if (ngx_http_pf_writer_post(ctx) != NGX_OK) {
            ngx_log_error(NGX_LOG_WARN, ev->log, 0,
                          "portfolio job \"%s\" skipped: writer queue full",
                          t->job->name);
            ngx_destroy_pool(ctx->pool);
        }
    }

    ngx_add_timer(ev, (ngx_msec_t) t->job->interval * 1000);
}


/*
 * Work that may wait (password hashing, LDAP binds, file checks) goes to
 * a thread pool: the task pool or portfolio_ldap_pool.  ctx->done goes on
 * in the event loop.  NGX_DECLINED: the pool's queue is full.
 */

ngx_int_t
ngx_http_pf_thread_post(ngx_http_pf_ctx_t *ctx, ngx_thread_pool_t *pool,
    void (*handler)(void *data, ngx_log_t *log))
{
    ngx_thread_task_t  *task;

    task = ngx_thread_task_alloc(ctx->pool, 0);
    if (task == NULL) {
        return NGX_ERROR;
    }

    task->ctx = ctx;
    task->handler = handler;
    task->event.handler = ngx_http_pf_task_done;
    task->event.data = ctx;

    if (ngx_thread_task_post(pool, task) != NGX_OK) {
        return NGX_DECLINED;
    }

    if (ctx->r) {
        ctx->r->main->blocked++;
    }

    return NGX_OK;
}


/*
 * Hands ctx to the writer, or, when too many changes wait, answers 503
 * busy with Retry-After and finishes it.
 */

void
ngx_http_pf_writer_hand(ngx_http_pf_ctx_t *ctx)
{
    ctx->done = NULL;

    if (ngx_http_pf_writer_post(ctx) != NGX_OK) {
        (void) ngx_http_pf_busy(ctx, 2, "等待處理的變更太多，請稍候再試");
        ngx_http_pf_finish(ctx);
    }
}


static void
ngx_http_pf_task_done(ngx_event_t *ev)
{
    ngx_http_pf_ctx_t *ctx = ev->data;

    ngx_connection_t  *c;

    c = ctx->r->connection;
    ctx->r->main->blocked--;

    ctx->done(ctx);

    ngx_http_run_posted_requests(c);
}
