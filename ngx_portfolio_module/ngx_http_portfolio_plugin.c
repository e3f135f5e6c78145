/*
 * ngx_http_portfolio_plugin.c -- loading plugins at configuration time.
 *
 * Everything that can be wrong with a plugin is found while the
 * configuration is read, so "nginx -t" names the plugin and the reason and
 * a running server is never handed a bad one.  Plugins stay loaded for the
 * life of the process; a reload loads them again in the master.
 */

#include "ngx_http_portfolio_module.h"

#include <dlfcn.h>


static void
ngx_http_pf_plugin_cleanup(void *data)
{
    void  *handle = data;

    /* dlopen() counts references: a reload's new cycle holds its own */
    (void) dlclose(handle);
}


static ngx_int_t
ngx_http_pf_add_dbs(ngx_conf_t *cf, ngx_http_pf_main_conf_t *pmcf,
    ngx_str_t *name, const char *const *dbs)
{
    char        **slot, **have;
    size_t        len;
    ngx_uint_t    i, j;

    for (i = 0; dbs && dbs[i]; i++) {
        len = ngx_strlen(dbs[i]);

        if (len == 0 || len > 64) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "portfolio plugin \"%V\": database name "
                               "\"%s\" must be 1 to 64 bytes", name, dbs[i]);
            return NGX_ERROR;
        }

        /* two plugins may share a database; list it once */
        have = pmcf->dbs.elts;

        for (j = 0; j < pmcf->dbs.nelts; j++) {
            if (ngx_strcmp(have[j], dbs[i]) == 0) {
                break;
            }
        }

        if (j < pmcf->dbs.nelts) {
            continue;
        }

        slot = ngx_array_push(&pmcf->dbs);
        if (slot == NULL) {
            return NGX_ERROR;
        }

        *slot = (char *) dbs[i];
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_pf_plugin_load(ngx_conf_t *cf, ngx_http_pf_main_conf_t *pmcf,
    ngx_str_t *name, ngx_str_t *path)
{
    void                  *handle;
    u_char                *p;
    ngx_str_t              full;
    ngx_uint_t             i;
    const char            *err;
    ngx_pool_cleanup_t    *cln;
    const pf_plugin_t     *desc;
    pf_plugin_entry_pt     entry;
    ngx_http_pf_plugin_t  *plugin;

    if (name->len == 0 || name->len > 64) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "portfolio plugin name must be 1 to 64 "
                           "characters");
        return NGX_ERROR;
    }

    for (p = name->data; p < name->data + name->len; p++) {
        if (!(isalnum(*p) || *p == '_' || *p == '-')) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "portfolio plugin name \"%V\" may contain only "
                               "letters, digits, \"_\" and \"-\"", name);
            return NGX_ERROR;
        }
    }

    if (pmcf->plugins == NULL) {
        pmcf->plugins = ngx_array_create(cf->pool, NGX_HTTP_PF_MAX_PLUGINS,
                                         sizeof(ngx_http_pf_plugin_t));
        if (pmcf->plugins == NULL) {
            return NGX_ERROR;
        }
    }

    /* routes point into this array: it is sized once and never grows */
    if (pmcf->plugins->nelts == NGX_HTTP_PF_MAX_PLUGINS) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "too many portfolio plugins (at most %d)",
                           NGX_HTTP_PF_MAX_PLUGINS);
        return NGX_ERROR;
    }

    plugin = pmcf->plugins->elts;

    for (i = 0; i < pmcf->plugins->nelts; i++) {
        if (plugin[i].name.len == name->len
            && ngx_strncmp(plugin[i].name.data, name->data, name->len) == 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "portfolio plugin \"%V\" is listed twice",
                               name);
            return NGX_ERROR;
        }
    }

    full = *path;

    if (ngx_conf_full_name(cf->cycle, &full, 0) != NGX_OK) {
        return NGX_ERROR;
    }

    /* NUL-terminated copies: dlopen() and log lines want C strings */
    p = ngx_pnalloc(cf->pool, full.len + 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(p, full.data, full.len);
    p[full.len] = '\0';
    full.data = p;

    handle = dlopen((char *) full.data, RTLD_NOW|RTLD_LOCAL);
    if (handle == NULL) {
        err = dlerror();
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "portfolio plugin \"%V\": cannot load \"%V\": %s",
                           name, &full, err ? err : "unknown error");
        return NGX_ERROR;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        (void) dlclose(handle);
        return NGX_ERROR;
    }

    cln->handler = ngx_http_pf_plugin_cleanup;
    cln->data = handle;

    (void) dlerror();
    entry = (pf_plugin_entry_pt) dlsym(handle, PF_ENTRY_SYMBOL);

    if (entry == NULL) {
        err = dlerror();
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "portfolio plugin \"%V\": \"%V\" has no entry "
                           "point \"%s\": %s", name, &full, PF_ENTRY_SYMBOL,
                           err ? err : "symbol is NULL");
        return NGX_ERROR;
    }

    desc = entry(&ngx_http_pf_host_api, PF_ABI_VERSION);

    if (desc == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "portfolio plugin \"%V\": refused to load with "
                           "host ABI %d.%d", name, PF_ABI_MAJOR, PF_ABI_MINOR);
        return NGX_ERROR;
    }

    if (desc->abi_major != PF_ABI_MAJOR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "portfolio plugin \"%V\": built for ABI %uD.%uD, "
                           "this module has ABI %d.%d (the major version must "
                           "match; rebuild the plugin)", name,
                           desc->abi_major, desc->abi_minor,
                           PF_ABI_MAJOR, PF_ABI_MINOR);
        return NGX_ERROR;
    }

    /* a descriptor smaller than ABI 1.0's lacks members we read */
    if (desc->size < sizeof(pf_plugin_t)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "portfolio plugin \"%V\": descriptor is %uz bytes, "
                           "ABI %d.0 needs %uz", name, desc->size,
                           PF_ABI_MAJOR, sizeof(pf_plugin_t));
        return NGX_ERROR;
    }

    if (desc->name == NULL
        || ngx_strlen(desc->name) != name->len
        || ngx_strncmp(desc->name, name->data, name->len) != 0)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "portfolio plugin \"%V\": \"%V\" calls itself "
                           "\"%s\"", name, &full,
                           desc->name ? desc->name : "(nothing)");
        return NGX_ERROR;
    }

    if ((desc->nroutes && desc->routes == NULL)
        || (desc->njobs && desc->jobs == NULL)
        || (desc->nhooks && desc->hooks == NULL))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "portfolio plugin \"%V\": descriptor counts "
                           "entries it does not provide", name);
        return NGX_ERROR;
    }

    for (i = 0; i < desc->njobs; i++) {
        if (desc->jobs[i].run == NULL || desc->jobs[i].interval == 0
            || desc->jobs[i].name == NULL)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "portfolio plugin \"%V\": job %ui needs a "
                               "name, an interval and a function", name, i);
            return NGX_ERROR;
        }
    }

    for (i = 0; i < desc->nhooks; i++) {
        if (desc->hooks[i].run == NULL || desc->hooks[i].event == NULL) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "portfolio plugin \"%V\": hook %ui needs an "
                               "event and a function", name, i);
            return NGX_ERROR;
        }
    }

    plugin = ngx_array_push(pmcf->plugins);
    if (plugin == NULL) {
        return NGX_ERROR;
    }

    plugin->name = *name;
    plugin->path = full;
    plugin->handle = handle;
    plugin->desc = desc;

    if (ngx_http_pf_add_dbs(cf, pmcf, name, desc->dbs) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_http_pf_router_add(cf, pmcf, plugin, desc->routes, desc->nroutes)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    ngx_log_debug4(NGX_LOG_DEBUG_HTTP, cf->log, 0,
                   "portfolio plugin \"%V\" loaded from \"%V\" "
                   "(%uz routes, %uz jobs)", name, &full, desc->nroutes,
                   desc->njobs);

    return NGX_OK;
}
