/* Test fixture: a plugin built for a future ABI major version. */
#include "portfolio_plugin.h"

static const pf_plugin_t  abi2 = {
    .abi_major = 2, .abi_minor = 0, .size = sizeof(pf_plugin_t),
    .name = "abi2", .version = "9.9"
};

PF_EXPORT const pf_plugin_t *pf_plugin_entry(const pf_host_api_t *host,
    uint32_t host_abi, const char **why);

PF_EXPORT const pf_plugin_t *
pf_plugin_entry(const pf_host_api_t *host, uint32_t host_abi,
    const char **why)
{
    return &abi2;
}
