/*
 * ngx_http_portfolio_health.c -- GET /health: what an operator checks
 * first.  Version, ABI, the plugins loaded, the store's use, the writer's
 * queue and whether a directory is configured; public, and never contacts
 * the directory.
 *
 * Out of _auth.c, which holds the account routes: this one reads no
 * account.
 */

#include "ngx_http_portfolio_module.h"


static int ngx_http_pf_health(pf_req_t *req);


const pf_route_t  ngx_http_pf_health_routes[] = {
    { .method = "GET", .path = "/health",
      .scope = PF_SCOPE_PUBLIC, .flags = PF_ROUTE_PUBLIC,
      .handler = ngx_http_pf_health },
};

const size_t  ngx_http_pf_health_nroutes =
    sizeof(ngx_http_pf_health_routes) / sizeof(pf_route_t);


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
