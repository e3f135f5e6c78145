/* Test fixture: a plugin that refuses the host without saying why. */
#include "portfolio_plugin.h"

PF_EXPORT const pf_plugin_t *pf_plugin_entry(const pf_host_api_t *host,
    uint32_t host_abi, const char **why);

PF_EXPORT const pf_plugin_t *
pf_plugin_entry(const pf_host_api_t *host, uint32_t host_abi,
    const char **why)
{
    return NULL;
}
