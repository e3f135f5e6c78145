/* Test fixture: a route that forgets to declare roles and scope. */
#include "portfolio_plugin.h"

static int
badroute_get(pf_req_t *req)
{
    return 200;
}

static const pf_route_t  badroute_routes[] = {
    { "GET", "/open", 0, PF_SCOPE_SELF, 0, badroute_get },
};

static const pf_plugin_t  badroute = {
    PF_ABI_MAJOR, PF_ABI_MINOR, sizeof(pf_plugin_t), "badroute", "0",
    NULL, badroute_routes, 1, NULL, 0, NULL, 0
};

PF_EXPORT const pf_plugin_t *
pf_plugin_entry(const pf_host_api_t *host, uint32_t host_abi)
{
    return &badroute;
}
