/*
 * Test fixture: an ABI 1.4 descriptor whose route table says its entries
 * are 1.1's size: a broken build the host must refuse, not misread.
 */
#include "portfolio_plugin.h"

static int
badstride_get(pf_req_t *req)
{
    return 200;
}

static const pf_route_t  badstride_routes[] = {
    { .method = "GET", .path = "/badstride", .roles = PF_ROLE_ANY,
      .scope = PF_SCOPE_SELF, .handler = badstride_get },
};

PF_PLUGIN(.name = "badstride", .version = "0",
          .routes = badstride_routes, .nroutes = 1,
          .route_size = PF_ROUTE_SIZE_1_1)
