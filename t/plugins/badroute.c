/* Test fixture: a route that forgets to declare roles and scope. */
#include "portfolio_plugin.h"

static int
badroute_get(pf_req_t *req)
{
    return 200;
}

static const pf_route_t  badroute_routes[] = {
    { .method = "GET", .path = "/open", .scope = PF_SCOPE_SELF,
      .handler = badroute_get },
};

PF_PLUGIN(.name = "badroute", .version = "0", PF_ROUTES(badroute_routes))
