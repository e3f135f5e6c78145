/*
 * Test fixture: a plugin as one built against ABI 1.1 was, before 1.4:
 * its descriptor ends at nhooks and names its databases in "dbs", its
 * route entries end at precheck (1.0's, old10.c, at handler), and its
 * entry takes two arguments.  Those layouts are spelled out here as they
 * were; the types they hold are the current header's, unchanged since.
 * The host must read its routes with their own stride: each one is
 * exercised (t/034-boundary.t), max_body and precheck included.
 */
#include <string.h>

#include "portfolio_plugin.h"

#ifndef OLD_ABI_MINOR
#define OLD_ABI_MINOR  1
#endif


typedef struct {
    const char     *method;
    const char     *path;
    uint32_t        roles;
    uint32_t        scope;
    uint32_t        flags;
    pf_handler_pt   handler;
#if OLD_ABI_MINOR >= 1
    int64_t         max_body;
    pf_handler_pt   precheck;
#endif
} old_route_t;

typedef struct {
    uint32_t            abi_major;
    uint32_t            abi_minor;
    size_t              size;
    const char         *name;
    const char         *version;
    const char *const  *dbs;
    const old_route_t  *routes;
    size_t              nroutes;
    const pf_job_t     *jobs;
    size_t              njobs;
    const pf_hook_t    *hooks;
    size_t              nhooks;
} old_plugin_t;


static const pf_host_api_t  *old_host;


static int
old_hello(pf_req_t *req)
{
    pf_gen_t  *g;

    g = old_host->gen(req);
    old_host->map_open(g);
    old_host->key(g, "abi");
    old_host->cstring(g, OLD_ABI_MINOR ? "1.1" : "1.0");
    old_host->key(g, "user");
    old_host->string(g, old_host->user(req)->id);
    old_host->map_close(g);

    return old_host->reply(req, 200, g);
}


static int
old_add(pf_req_t *req)
{
    pf_str_t  id;

    id = old_host->str(old_host->get(old_host->body(req), "id"));

    if (id.len == 0
        || old_host->db_put(req, "old_items", id, pf_string("{}")) != PF_OK)
    {
        return old_host->error(req, 422, "invalid_field", "send an id");
    }

    return 201;
}


#if OLD_ABI_MINOR >= 1

static int
old_precheck(pf_req_t *req)
{
    if (old_host->arg(req, "refuse").len) {
        return old_host->error(req, 422, "refused_by_precheck",
                               "the precheck refused it");
    }

    return 0;
}

#endif


static int
old_count_cb(void *data, pf_str_t key, pf_str_t value)
{
    (*(int64_t *) data)++;

    return 0;
}


static int
old_count(pf_req_t *req)
{
    int64_t    n;
    pf_gen_t  *g;

    n = 0;
    (void) old_host->db_scan(req, "old_items", pf_string(""), old_count_cb,
                             &n);

    g = old_host->gen(req);
    old_host->map_open(g);
    old_host->key(g, "items");
    old_host->number(g, n);
    old_host->map_close(g);

    return old_host->reply(req, 200, g);
}


static const old_route_t  old_routes[] = {
    { .method = "GET", .path = "/old/hello", .roles = PF_ROLE_ANY,
      .scope = PF_SCOPE_SELF, .handler = old_hello },
    { .method = "POST", .path = "/old/items", .roles = PF_ROLE_ANY,
      .scope = PF_SCOPE_SELF, .flags = PF_ROUTE_WRITE, .handler = old_add,
#if OLD_ABI_MINOR >= 1
      .max_body = 64, .precheck = old_precheck
#endif
    },
    { .method = "GET", .path = "/old/items", .roles = PF_ROLE_ANY,
      .scope = PF_SCOPE_SELF, .handler = old_count },
};

static const char *const  old_dbs[] = { "old_items", NULL };

static const old_plugin_t  old_plugin = {
    .abi_major = 1, .abi_minor = OLD_ABI_MINOR, .size = sizeof(old_plugin_t),
    .name = "old1" PF_STRINGIFY(OLD_ABI_MINOR), .version = "1.0",
    .dbs = old_dbs,
    .routes = old_routes, .nroutes = sizeof(old_routes) / sizeof(old_routes[0])
};


PF_EXPORT const old_plugin_t *pf_plugin_entry(const pf_host_api_t *api,
    uint32_t host_abi);

PF_EXPORT const old_plugin_t *
pf_plugin_entry(const pf_host_api_t *api, uint32_t host_abi)
{
    if ((host_abi >> 16) != 1) {
        return NULL;
    }

    old_host = api;

    return &old_plugin;
}
