/*
 * Test fixture: a plugin built for ABI 1.4, whose setting entries end at
 * "about", before 1.5's ceiling (t/101-ceilings.t).  The host reads them
 * with their own stride and gives the member they lack its zero: the
 * setting is no ceiling, so a school may set more than the city.  The
 * 1.4 entry layout is spelled out here as it was; its types are the
 * current header's, unchanged since.
 */
#include "portfolio_plugin.h"


typedef struct {
    const char     *name;
    uint32_t        type;
    uint32_t        levels;
    int64_t         min;
    int64_t         max;
    int64_t         dflt;
    const char     *choices;
    const char     *dflt_word;
    unsigned        empty_ok;
    const char     *about;
} ceiling14_setting_t;


const pf_host_api_t  *pf_host;


static int
ceiling14_get(pf_req_t *req)
{
    pf_gen_t  *g;

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "limit");
    pf_host->number(g, pf_host->setting_number(req, pf_string(""),
                                               "ceiling14_limit"));
    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}


static const pf_route_t  ceiling14_routes[] = {
    { .method = "GET", .path = "/ceiling14", .roles = PF_ROLE_ANY,
      .scope = PF_SCOPE_SELF, .handler = ceiling14_get },
};

static const ceiling14_setting_t  ceiling14_settings[] = {
    { .name = "ceiling14_limit", .type = PF_SETTING_NUMBER,
      .levels = PF_LEVEL_CITY|PF_LEVEL_SCHOOL, .min = 1, .max = 50,
      .dflt = 5, .about = "a 1.4 plugin's number (t/101)" },
};

static const pf_plugin_t  ceiling14_descriptor = {
    .abi_major = PF_ABI_MAJOR, .abi_minor = 4, .size = sizeof(pf_plugin_t),
    .name = "ceiling14", .version = "1.4",
    .routes = ceiling14_routes, .nroutes = 1,
    .route_size = sizeof(pf_route_t),
    .settings = (const pf_setting_t *) ceiling14_settings, .nsettings = 1,
    .setting_size = sizeof(ceiling14_setting_t),
};


PF_EXPORT const pf_plugin_t *pf_plugin_entry(const pf_host_api_t *api,
    uint32_t host_abi, const char **why);

PF_EXPORT const pf_plugin_t *
pf_plugin_entry(const pf_host_api_t *api, uint32_t host_abi, const char **why)
{
    return pf_plugin_accept(api, host_abi, why, NULL, &ceiling14_descriptor);
}
