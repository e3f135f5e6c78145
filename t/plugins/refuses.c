/* Test fixture: a plugin that refuses the host (returns no descriptor). */
#include "portfolio_plugin.h"

PF_EXPORT const pf_plugin_t *
pf_plugin_entry(const pf_host_api_t *host, uint32_t host_abi)
{
    return NULL;
}
