/* Test fixture: a plugin built for a future ABI major version. */
#include "portfolio_plugin.h"

static const pf_plugin_t  abi2 = {
    2, 0, sizeof(pf_plugin_t), "abi2", "9.9", NULL, NULL, 0, NULL, 0, NULL, 0
};

PF_EXPORT const pf_plugin_t *
pf_plugin_entry(const pf_host_api_t *host, uint32_t host_abi)
{
    return &abi2;
}
