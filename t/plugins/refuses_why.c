/*
 * Test fixture: a plugin whose own check refuses the host, with a reason
 * that "nginx -t" shows (PF_PLUGIN_CHECKED).
 */
#include "portfolio_plugin.h"

static const char *
refuses_why_check(const pf_host_api_t *api)
{
    return "it refuses on purpose (t/plugins/refuses_why.c)";
}

PF_PLUGIN_CHECKED(refuses_why_check, .name = "refuses_why", .version = "0")
