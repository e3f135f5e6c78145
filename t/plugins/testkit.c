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


static const pf_host_api_t  *host;


/* POST /testkit/slow {"ms": N}: holds the writer for N ms (max 5000). */

static int
testkit_slow(pf_req_t *req)
{
    int64_t          ms;
    struct timespec  ts;

    if (host->integer(host->get(host->body(req), "ms"), &ms) != PF_OK
        || ms < 0 || ms > 5000)
    {
        return host->error(req, 422, "invalid_field", "ms must be 0..5000");
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

    return host->error(req, 504, "gate_timeout",
                       "gated write %d was not let through in 30 s", ticket);
}


static int
testkit_gate(pf_req_t *req)
{
    char       buf[16];
    int64_t    open;
    pf_str_t   arg;
    pf_gen_t  *g;

    arg = host->arg(req, "open");

    if (arg.len) {
        if (arg.len >= sizeof(buf)) {
            return host->error(req, 422, "invalid_field", "open: a number");
        }

        memcpy(buf, arg.data, arg.len);
        buf[arg.len] = '\0';
        open = strtoll(buf, NULL, 10);
        __atomic_store_n(&testkit_gate_open, (int) open, __ATOMIC_SEQ_CST);
    }

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "entered");
    host->number(g, __atomic_load_n(&testkit_gate_entered, __ATOMIC_SEQ_CST));
    host->key(g, "open");
    host->number(g, __atomic_load_n(&testkit_gate_open, __ATOMIC_SEQ_CST));
    host->map_close(g);

    return host->reply(req, 200, g);
}


/* POST /testkit/items {"id": "..."}: 409 if it exists; emits an event. */

static int
testkit_create(pf_req_t *req)
{
    pf_str_t         id, old;
    pf_gen_t        *g;
    const pf_val_t  *v;

    v = host->get(host->body(req), "id");

    if (host->type(v) != PF_JSON_STRING || host->str(v).len == 0) {
        return host->error(req, 422, "invalid_field", "id must be a string");
    }

    id = host->str(v);

    if (host->db_get(req, "testkit_items", id, &old) == PF_OK) {
        return host->error(req, 409, "conflict", "item %.*s exists",
                           (int) id.len, id.data);
    }

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "id");
    host->string(g, id);
    host->key(g, "by");
    host->string(g, host->user(req)->id);
    host->map_close(g);

    if (host->db_put(req, "testkit_items", id, host->text(g)) != PF_OK
        || host->emit(req, "testkit.created", host->body(req)) != PF_OK
        || host->audit(req, id, "testkit.created", host->text(g)) != PF_OK)
    {
        return host->error(req, 500, "internal", "could not store");
    }

    return host->reply(req, 201, g);
}


/* POST /testkit/fail: writes, then fails: the write must roll back. */

static int
testkit_fail(pf_req_t *req)
{
    (void) host->db_put(req, "testkit_items", pf_string("rolled-back"),
                        pf_string("{}"));

    return host->error(req, 422, "refused", "refused after writing");
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

    if (host->db_get(req, "testkit_counters", key, &value) == PF_OK) {
        (void) host->integer(host->parse(req, value), &n);
    }

    g = host->gen(req);
    host->number(g, n + 1);

    return host->db_put(req, "testkit_counters", key, host->text(g));
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

    host->string(g, key);
    host->raw(g, value);

    return 0;
}


/* GET /testkit/stats: the counters; also tries a write (must be denied). */

static int
testkit_stats(pf_req_t *req)
{
    int        denied;
    pf_gen_t  *g;

    denied = host->db_put(req, "testkit_items", pf_string("x"),
                          pf_string("{}")) == PF_DENIED;

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "write_in_read_denied");
    host->boolean(g, denied);
    host->key(g, "counters");
    host->map_open(g);
    (void) host->db_scan(req, "testkit_counters", pf_string(""),
                         testkit_counter_cb, g);
    host->map_close(g);
    host->key(g, "setting");
    host->number(g, host->setting_int(req, "outcome_select_per_term", -1));
    host->map_close(g);

    return host->reply(req, 200, g);
}


/* GET /testkit/students/{student}: reaches the handler only in scope. */

static int
testkit_student(pf_req_t *req)
{
    pf_gen_t  *g;

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "student");
    host->string(g, host->param(req, "student"));
    host->map_close(g);

    return host->reply(req, 200, g);
}


/*
 * POST /testkit/seed {"db": "...", "key": "...", "value": "..."}: writes
 * one record as is (value is the record's text, JSON in a string), so a
 * test can set up data another plugin reads without going through it.
 * Keys may hold "\u001f" separators.  {"records": [{"db", "key",
 * "value"}, ...]} writes several in one change.
 */

/* One {"db", "key", "value"} as is; NULL, or why it was refused. */

static const char *
testkit_put(pf_req_t *req, const pf_val_t *rec)
{
    pf_str_t         db;
    const pf_val_t  *v;

    v = host->get(rec, "value");
    db = host->str(host->get(rec, "db"));

    if (host->type(v) != PF_JSON_STRING || db.len == 0) {
        return "send db, key and value (a string)";
    }

    /* parsed strings are NUL-terminated, so db.data is a C string */
    if (host->db_put(req, db.data, host->str(host->get(rec, "key")),
                     host->str(v))
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

    body = host->body(req);
    list = host->get(body, "records");

    if (host->type(list) != PF_JSON_ARRAY) {
        refused = testkit_put(req, body);

        return refused ? host->error(req, 422, "invalid_field", "%s", refused)
                       : 200;
    }

    /* {"records": [{"db", "key", "value"}, ...]}: all in one change */
    n = host->count(list);

    for (i = 0; i < n; i++) {
        refused = testkit_put(req, host->at(list, i));

        if (refused) {
            return host->error(req, 422, "invalid_field", "record %d: %s",
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

    host->map_open(r->g);
    host->key(r->g, "key");
    host->string(r->g, key);
    host->key(r->g, "value");
    host->string(r->g, value);
    host->map_close(r->g);

    return ++r->n >= 10000;
}


static int
testkit_records(pf_req_t *req)
{
    pf_str_t            db;
    testkit_records_t   r;

    db = host->arg(req, "db");    /* decoded copies are NUL-terminated */

    if (db.len == 0) {
        return host->error(req, 422, "invalid_field", "send ?db=");
    }

    r.g = host->gen(req);
    r.n = 0;
    host->map_open(r.g);
    host->key(r.g, "records");
    host->array_open(r.g);

    if (host->db_scan(req, db.data, host->arg(req, "prefix"),
                      testkit_records_cb, &r)
        != PF_OK)
    {
        return host->error(req, 422, "invalid_field", "no such database");
    }

    host->array_close(r.g);
    host->map_close(r.g);

    return host->reply(req, 200, r.g);
}


static const pf_route_t  testkit_routes[] = {
    { "POST", "/testkit/seed", PF_ROLE_ANY, PF_SCOPE_SELF, PF_ROUTE_WRITE,
      testkit_seed },
    { "POST", "/testkit/slow", PF_ROLE_ANY, PF_SCOPE_SELF, PF_ROUTE_WRITE,
      testkit_slow },
    { "POST", "/testkit/gated", PF_ROLE_ANY, PF_SCOPE_SELF, PF_ROUTE_WRITE,
      testkit_gated },
    { "GET", "/testkit/gate", PF_ROLE_ANY, PF_SCOPE_SELF, 0, testkit_gate },
    { "POST", "/testkit/items", PF_ROLE_ANY, PF_SCOPE_SELF, PF_ROUTE_WRITE,
      testkit_create },
    { "POST", "/testkit/fail", PF_ROLE_ANY, PF_SCOPE_SELF, PF_ROUTE_WRITE,
      testkit_fail },
    { "GET", "/testkit/stats", PF_ROLE_ANY, PF_SCOPE_SELF, 0,
      testkit_stats },
    { "GET", "/testkit/records", PF_ROLE_ANY, PF_SCOPE_SELF, 0,
      testkit_records },
    { "GET", "/testkit/students/{student}",
      PF_ROLE_STUDENT|PF_ROLE_TEACHER|PF_ROLE_SCHOOL_ADMIN|PF_ROLE_CITY_ADMIN,
      PF_SCOPE_STUDENT, 0, testkit_student },
};

#ifndef TESTKIT_NO_JOB

static const pf_job_t  testkit_jobs[] = {
    { "tick", 1, testkit_job },
};

#define TESTKIT_JOBS  testkit_jobs, 1

#else
#define TESTKIT_JOBS  NULL, 0
#endif

static const pf_hook_t  testkit_hooks[] = {
    { "testkit.created", testkit_hook },
};

/* outcomes, outcome_ids, usage: so tests can seed students' uploads
   without loading the plugin that owns them (t/070-import.t) */
static const char *const  testkit_dbs[] = {
    "testkit_items", "testkit_counters",
    "outcomes", "outcome_ids", "usage", NULL
};

static const pf_plugin_t  testkit = {
    PF_ABI_MAJOR, PF_ABI_MINOR, sizeof(pf_plugin_t), "testkit", "1.0",
    testkit_dbs,
    testkit_routes, sizeof(testkit_routes) / sizeof(testkit_routes[0]),
    TESTKIT_JOBS,
    testkit_hooks, 1,
};


PF_EXPORT const pf_plugin_t *
pf_plugin_entry(const pf_host_api_t *api, uint32_t host_abi)
{
    if ((host_abi >> 16) != PF_ABI_MAJOR) {
        return NULL;
    }

    host = api;

    return &testkit;
}
