/*
 * testkit -- a test-only plugin that exercises every part of the ABI the
 * shipped plugins may not: a slow write (to fill the writer queue), a
 * gated write (to order the writer's work without sleeping), a
 * conflict, a scheduled job, an event hook, scope checks and a write
 * attempted from a read handler.  Loaded only by the tests.
 * testkit_quiet.so is the same without the job (TESTKIT_NO_JOB), for the
 * tests that count the writer's queue: the job, every second, would join
 * it now and then.
 */

#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "portfolio_plugin.h"


/* POST /testkit/slow {"ms": N}: holds the writer for N ms (max 5000). */

static int
testkit_slow(pf_req_t *req)
{
    int64_t          ms;
    struct timespec  ts;

    if (pf_host->integer(pf_host->get(pf_host->body(req), "ms"), &ms) != PF_OK
        || ms < 0 || ms > 5000)
    {
        return pf_host->error(req, 422, "invalid_field", "ms must be 0..5000");
    }

    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000;
    nanosleep(&ts, NULL);

    return 200;
}


/*
 * POST /testkit/gated: holds the writer until the test lets it through,
 * so tests order the writer's work without sleeping.  Each gated write
 * takes a ticket on entry (1, 2, ...) and waits until GET /testkit/gate
 * ?open=N has opened the gate up to its ticket.  GET /testkit/gate (a
 * read: served by the event loop while the writer waits) answers
 * {"entered","open"}.  After 30 s a gated write gives up (504), so a
 * broken test cannot hold the writer for ever.  This worker's counts:
 * the tests that use it run one worker.
 */

static int  testkit_gate_entered;
static int  testkit_gate_open;


static int
testkit_gated(pf_req_t *req)
{
    int              ticket, i;
    struct timespec  ts = { 0, 1000000 };

    ticket = __atomic_add_fetch(&testkit_gate_entered, 1, __ATOMIC_SEQ_CST);

    for (i = 0; i < 30000; i++) {
        if (__atomic_load_n(&testkit_gate_open, __ATOMIC_SEQ_CST) >= ticket) {
            return 200;
        }

        nanosleep(&ts, NULL);
    }

    return pf_host->error(req, 504, "gate_timeout",
                       "gated write %d was not let through in 30 s", ticket);
}


static int
testkit_gate(pf_req_t *req)
{
    char       buf[16];
    int64_t    open;
    pf_str_t   arg;
    pf_gen_t  *g;

    arg = pf_host->arg(req, "open");

    if (arg.len) {
        if (arg.len >= sizeof(buf)) {
            return pf_host->error(req, 422, "invalid_field", "open: a number");
        }

        memcpy(buf, arg.data, arg.len);
        buf[arg.len] = '\0';
        open = strtoll(buf, NULL, 10);
        __atomic_store_n(&testkit_gate_open, (int) open, __ATOMIC_SEQ_CST);
    }

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "entered");
    pf_host->number(g,
                    __atomic_load_n(&testkit_gate_entered, __ATOMIC_SEQ_CST));
    pf_host->key(g, "open");
    pf_host->number(g, __atomic_load_n(&testkit_gate_open, __ATOMIC_SEQ_CST));
    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}


/* POST /testkit/items {"id": "..."}: 409 if it exists; emits an event. */

static int
testkit_create(pf_req_t *req)
{
    pf_str_t         id, old;
    pf_gen_t        *g;
    const pf_val_t  *v;

    v = pf_host->get(pf_host->body(req), "id");

    if (pf_host->type(v) != PF_JSON_STRING || pf_host->str(v).len == 0) {
        return pf_host->error(req, 422, "invalid_field",
                              "id must be a string");
    }

    id = pf_host->str(v);

    if (pf_host->db_get(req, "testkit_items", id, &old) == PF_OK) {
        return pf_host->error(req, 409, "conflict", "item %.*s exists",
                           (int) id.len, id.data);
    }

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "id");
    pf_host->string(g, id);
    pf_host->key(g, "by");
    pf_host->string(g, pf_host->user(req)->id);
    pf_host->map_close(g);

    if (pf_host->db_put(req, "testkit_items", id, pf_host->text(g)) != PF_OK
        || pf_host->emit(req, "testkit.created", pf_host->body(req)) != PF_OK
        || pf_host->audit(req, id, "testkit.created", pf_host->text(g))
           != PF_OK)
    {
        return pf_host->error(req, 500, "internal", "could not store");
    }

    return pf_host->reply(req, 201, g);
}


/* POST /testkit/fail: writes, then fails: the write must roll back. */

static int
testkit_fail(pf_req_t *req)
{
    (void) pf_host->db_put(req, "testkit_items", pf_string("rolled-back"),
                        pf_string("{}"));

    return pf_host->error(req, 422, "refused", "refused after writing");
}


static int
testkit_count(pf_req_t *req, const char *name)
{
    int64_t   n;
    pf_str_t  key, value;
    pf_gen_t *g;

    key.data = name;
    key.len = strlen(name);
    n = 0;

    if (pf_host->db_get(req, "testkit_counters", key, &value) == PF_OK) {
        (void) pf_host->integer(pf_host->parse(req, value), &n);
    }

    g = pf_host->gen(req);
    pf_host->number(g, n + 1);

    return pf_host->db_put(req, "testkit_counters", key, pf_host->text(g));
}


static int
testkit_hook(pf_req_t *req, const pf_val_t *payload)
{
    return testkit_count(req, "hook");
}


#ifndef TESTKIT_NO_JOB

static int
testkit_job(pf_req_t *req)
{
    return testkit_count(req, "job") == PF_OK ? 200 : 500;
}

#endif


static int
testkit_counter_cb(void *data, pf_str_t key, pf_str_t value)
{
    pf_gen_t  *g = data;

    pf_host->string(g, key);
    pf_host->raw(g, value);

    return 0;
}


/* GET /testkit/stats: the counters; also tries a write (must be denied). */

static int
testkit_stats(pf_req_t *req)
{
    int        denied;
    pf_gen_t  *g;

    denied = pf_host->db_put(req, "testkit_items", pf_string("x"),
                          pf_string("{}")) == PF_DENIED;

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "write_in_read_denied");
    pf_host->boolean(g, denied);
    pf_host->key(g, "counters");
    pf_host->map_open(g);
    (void) pf_host->db_scan(req, "testkit_counters", pf_string(""),
                         testkit_counter_cb, g);
    pf_host->map_close(g);
    pf_host->key(g, "setting");
    /* the 1.0 call, with the caller's default, still answers */
    pf_host->number(g, pf_host->setting_int(req, "outcome_select_per_term",
                                            -1));
    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}


/* GET /testkit/students/{student}: reaches the handler only in scope. */

static int
testkit_student(pf_req_t *req)
{
    pf_gen_t  *g;

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "student");
    pf_host->string(g, pf_host->param(req, "student"));
    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}


/*
 * POST /testkit/seed {"db": "...", "key": "...", "value": "..."}: writes
 * one record as is (value is the record's text, JSON in a string), so a
 * test can set up data another plugin reads without going through it.
 * Keys may hold "\u001f" separators.  {"records": [{"db", "key",
 * "value"}, ...]} writes several in one change.  {"db", "key", "delete":
 * true} removes the record instead (what a re-import removes).
 */

/* One {"db", "key", "value"} as is; NULL, or why it was refused. */

static const char *
testkit_put(pf_req_t *req, const pf_val_t *rec)
{
    pf_str_t         db;
    const pf_val_t  *v;

    v = pf_host->get(rec, "value");
    db = pf_host->str(pf_host->get(rec, "db"));

    if (db.len && pf_host->type(pf_host->get(rec, "delete")) == PF_JSON_TRUE)
    {
        return pf_host->db_del(req, db.data,
                               pf_host->str(pf_host->get(rec, "key")))
               == PF_ERROR ? "db or key refused" : NULL;
    }

    if (pf_host->type(v) != PF_JSON_STRING || db.len == 0) {
        return "send db, key and value (a string)";
    }

    /* parsed strings are NUL-terminated, so db.data is a C string */
    if (pf_host->db_put(req, db.data, pf_host->str(pf_host->get(rec, "key")),
                     pf_host->str(v))
        != PF_OK)
    {
        return "db or key refused";
    }

    return NULL;
}


static int
testkit_seed(pf_req_t *req)
{
    size_t           i, n;
    const char      *refused;
    const pf_val_t  *body, *list;

    body = pf_host->body(req);
    list = pf_host->get(body, "records");

    if (pf_host->type(list) != PF_JSON_ARRAY) {
        refused = testkit_put(req, body);

        return refused ? pf_host->error(req, 422, "invalid_field", "%s",
                                        refused)
                       : 200;
    }

    /* {"records": [{"db", "key", "value"}, ...]}: all in one change */
    n = pf_host->count(list);

    for (i = 0; i < n; i++) {
        refused = testkit_put(req, pf_host->at(list, i));

        if (refused) {
            return pf_host->error(req, 422, "invalid_field", "record %d: %s",
                               (int) i, refused);
        }
    }

    return 200;
}


/*
 * GET /testkit/records?db=...&prefix=...: every record of a database whose
 * key starts with prefix (URL-encoded; "%1F" for the separator), as
 * {"records": [{"key", "value"}]} with each value as its stored text, so
 * a test can check what a plugin wrote (audit entries, queues, usage).
 */

typedef struct {
    pf_gen_t  *g;
    int        n;
} testkit_records_t;


static int
testkit_records_cb(void *data, pf_str_t key, pf_str_t value)
{
    testkit_records_t  *r = data;

    pf_host->map_open(r->g);
    pf_host->key(r->g, "key");
    pf_host->string(r->g, key);
    pf_host->key(r->g, "value");
    pf_host->string(r->g, value);
    pf_host->map_close(r->g);

    return ++r->n >= 10000;
}


static int
testkit_records(pf_req_t *req)
{
    pf_str_t            db;
    testkit_records_t   r;

    db = pf_host->arg(req, "db");    /* decoded copies are NUL-terminated */

    if (db.len == 0) {
        return pf_host->error(req, 422, "invalid_field", "send ?db=");
    }

    r.g = pf_host->gen(req);
    r.n = 0;
    pf_host->map_open(r.g);
    pf_host->key(r.g, "records");
    pf_host->array_open(r.g);

    if (pf_host->db_scan(req, db.data, pf_host->arg(req, "prefix"),
                      testkit_records_cb, &r)
        != PF_OK)
    {
        return pf_host->error(req, 422, "invalid_field", "no such database");
    }

    pf_host->array_close(r.g);
    pf_host->map_close(r.g);

    return pf_host->reply(req, 200, r.g);
}


static const pf_route_t  testkit_routes[] = {
    { .method = "POST", .path = "/testkit/seed", .roles = PF_ROLE_ANY,
      .scope = PF_SCOPE_SELF, .flags = PF_ROUTE_WRITE,
      .handler = testkit_seed },
    { .method = "POST", .path = "/testkit/slow", .roles = PF_ROLE_ANY,
      .scope = PF_SCOPE_SELF, .flags = PF_ROUTE_WRITE,
      .handler = testkit_slow },
    { .method = "POST", .path = "/testkit/gated", .roles = PF_ROLE_ANY,
      .scope = PF_SCOPE_SELF, .flags = PF_ROUTE_WRITE,
      .handler = testkit_gated },
    { .method = "GET", .path = "/testkit/gate", .roles = PF_ROLE_ANY,
      .scope = PF_SCOPE_SELF, .handler = testkit_gate },
    { .method = "POST", .path = "/testkit/items", .roles = PF_ROLE_ANY,
      .scope = PF_SCOPE_SELF, .flags = PF_ROUTE_WRITE,
      .handler = testkit_create },
    { .method = "POST", .path = "/testkit/fail", .roles = PF_ROLE_ANY,
      .scope = PF_SCOPE_SELF, .flags = PF_ROUTE_WRITE,
      .handler = testkit_fail },
    { .method = "GET", .path = "/testkit/stats", .roles = PF_ROLE_ANY,
      .scope = PF_SCOPE_SELF, .handler = testkit_stats },
    { .method = "GET", .path = "/testkit/records", .roles = PF_ROLE_ANY,
      .scope = PF_SCOPE_SELF, .handler = testkit_records },
    { .method = "GET", .path = "/testkit/students/{student}",
      .roles = PF_ROLE_STUDENT|PF_ROLE_TEACHER|PF_ROLE_SCHOOL_ADMIN
               |PF_ROLE_CITY_ADMIN,
      .scope = PF_SCOPE_STUDENT, .handler = testkit_student },
};

#ifndef TESTKIT_NO_JOB

static const pf_job_t  testkit_jobs[] = {
    { .name = "tick", .interval = 1, .run = testkit_job },
};

#define TESTKIT_JOBS  PF_JOBS(testkit_jobs),

#else
#define TESTKIT_JOBS
#endif

static const pf_hook_t  testkit_hooks[] = {
    { .event = "testkit.created", .run = testkit_hook },
};

/*
 * Its own databases, and every other one ("*"): the seed and records
 * routes write and read any record, so tests set up and check what other
 * plugins keep.  Accepted only with "all_databases" on its
 * portfolio_plugin line.
 */
static const pf_db_t  testkit_dbs[] = {
    { .name = "testkit_items", .access = PF_DB_OWN },
    { .name = "testkit_counters", .access = PF_DB_OWN },
    { .name = "*", .access = PF_DB_WRITE },
};

PF_PLUGIN(.name = "testkit", .version = "1.0",
          PF_DATABASES(testkit_dbs),
          PF_ROUTES(testkit_routes),
          TESTKIT_JOBS
          PF_HOOKS(testkit_hooks))
