/*
 * ngx_http_portfolio_plugin.c -- loading plugins at configuration time.
 *
 * Everything that can be wrong with a plugin is found while the
 * configuration is read, so "nginx -t" names the plugin and the reason and
 * a running server is never handed a bad one: its ABI, its descriptor and
 * route table (read with the stride it was built with), the databases it
 * declares (each with one owner that shares it, never the core's), its
 * settings, jobs and hooks.  Plugins stay loaded for the life of the
 * process; a reload loads them again in the master.
 */

#include "ngx_http_portfolio_module.h"

#include <dlfcn.h>


static ngx_int_t ngx_http_pf_plugin_layout(ngx_conf_t *cf,
    ngx_http_pf_plugin_t *plugin);
static const void *ngx_http_pf_plugin_table(ngx_conf_t *cf,
    ngx_http_pf_plugin_t *plugin, const void *table, size_t n, size_t stride,
    size_t size, const char *what);
static ngx_int_t ngx_http_pf_plugin_dbs(ngx_conf_t *cf,
    ngx_http_pf_main_conf_t *pmcf, ngx_http_pf_plugin_t *plugin);
static ngx_int_t ngx_http_pf_plugin_parts(ngx_conf_t *cf,
    ngx_http_pf_plugin_t *plugin);
static ngx_http_pf_plugin_t *ngx_http_pf_db_owner(
    ngx_http_pf_main_conf_t *pmcf, const char *name, uint32_t *shared);


static void
ngx_http_pf_plugin_cleanup(void *data)
{
    void  *handle = data;

    /* dlopen() counts references: a reload's new cycle holds its own */
    (void) dlclose(handle);
}


ngx_int_t
ngx_http_pf_plugin_load(ngx_conf_t *cf, ngx_http_pf_main_conf_t *pmcf,
    ngx_str_t *name, ngx_str_t *path, ngx_uint_t granted)
{
    void                  *handle;
    u_char                *p;
    ngx_str_t              full;
    ngx_uint_t             i;
    const char            *err, *why;
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

    /* entries built before ABI 1.4 take two arguments and ignore "why" */
    why = NULL;
    desc = entry(&ngx_http_pf_host_api, PF_ABI_VERSION, &why);

    if (desc == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "portfolio plugin \"%V\": refused to load with "
                           "host ABI %d.%d%s%s", name, PF_ABI_MAJOR,
                           PF_ABI_MINOR, why ? ": " : "", why ? why : "");
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

    plugin = ngx_array_push(pmcf->plugins);
    if (plugin == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(plugin, sizeof(ngx_http_pf_plugin_t));
    plugin->name = *name;
    plugin->path = full;
    plugin->handle = handle;
    plugin->desc = desc;
    plugin->granted = granted ? 1 : 0;

    if (ngx_http_pf_plugin_layout(cf, plugin) != NGX_OK
        || ngx_http_pf_plugin_parts(cf, plugin) != NGX_OK
        || ngx_http_pf_plugin_dbs(cf, pmcf, plugin) != NGX_OK
        || ngx_http_pf_router_add(cf, pmcf, plugin, plugin->info.routes,
                                  plugin->info.nroutes)
           != NGX_OK
        || ngx_http_pf_settings_add(cf, pmcf, plugin, plugin->info.settings,
                                    plugin->info.nsettings)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    ngx_log_debug4(NGX_LOG_DEBUG_HTTP, cf->log, 0,
                   "portfolio plugin \"%V\" loaded from \"%V\" "
                   "(%uz routes, %uz jobs)", name, &full,
                   plugin->info.nroutes, plugin->info.njobs);

    return NGX_OK;
}


/*
 * The descriptor and its tables in this ABI's layout.  A plugin built for
 * an older minor gave a smaller descriptor and route entries of its own
 * stride: its members are copied, the rest stay zero.  A plugin of a newer
 * minor is read as far as this host knows it.
 */

static ngx_int_t
ngx_http_pf_plugin_layout(ngx_conf_t *cf, ngx_http_pf_plugin_t *plugin)
{
    size_t              need, stride;
    uint32_t            minor;
    const pf_plugin_t  *desc;

    desc = plugin->desc;
    minor = desc->abi_minor;

    need = (minor < 4) ? offsetof(pf_plugin_t, route_size)
                       : sizeof(pf_plugin_t);

    if (desc->size < need) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "portfolio plugin \"%V\": its descriptor is %uz "
                           "bytes, ABI %d.%uD's is %uz", &plugin->name,
                           desc->size, PF_ABI_MAJOR, minor, need);
        return NGX_ERROR;
    }

    ngx_memcpy(&plugin->info, desc, ngx_min(desc->size, sizeof(pf_plugin_t)));

    if (minor < 4) {
        stride = (minor == 0) ? PF_ROUTE_SIZE_1_0 : PF_ROUTE_SIZE_1_1;

    } else {
        stride = plugin->info.route_size;

        /* a stride this minor's entries cannot have is a broken build */
        if (plugin->info.nroutes
            && (stride < sizeof(pf_route_t)
                || (minor == PF_ABI_MINOR && stride != sizeof(pf_route_t))))
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "portfolio plugin \"%V\": its route entries "
                               "are %uz bytes, ABI %d.%uD's are %uz (rebuild "
                               "the plugin)", &plugin->name, stride,
                               PF_ABI_MAJOR, minor, sizeof(pf_route_t));
            return NGX_ERROR;
        }

        /* 1.4's entries end before 1.5's ceiling, which they read as 0 */
        need = (minor < 5) ? offsetof(pf_setting_t, ceiling)
                           : sizeof(pf_setting_t);

        if (plugin->info.nsettings
            && (plugin->info.setting_size < need
                || (minor == PF_ABI_MINOR
                    && plugin->info.setting_size != sizeof(pf_setting_t))))
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "portfolio plugin \"%V\": its setting entries "
                               "are %uz bytes, ABI %d.%uD's are %uz (rebuild "
                               "the plugin)", &plugin->name,
                               plugin->info.setting_size, PF_ABI_MAJOR, minor,
                               need);
            return NGX_ERROR;
        }

        if (plugin->info.dbs) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "portfolio plugin \"%V\": an ABI 1.4 plugin "
                               "declares \"databases\" with their access, "
                               "not \"dbs\"", &plugin->name);
            return NGX_ERROR;
        }
    }

    plugin->info.routes = ngx_http_pf_plugin_table(cf, plugin,
                                                   plugin->info.routes,
                                                   plugin->info.nroutes,
                                                   stride, sizeof(pf_route_t),
                                                   "routes");

    plugin->info.settings = ngx_http_pf_plugin_table(cf, plugin,
                                                     plugin->info.settings,
                                                     plugin->info.nsettings,
                                                     plugin->info.setting_size,
                                                     sizeof(pf_setting_t),
                                                     "settings");

    if ((plugin->info.nroutes && plugin->info.routes == NULL)
        || (plugin->info.nsettings && plugin->info.settings == NULL))
    {
        return NGX_ERROR;
    }

    plugin->info.route_size = sizeof(pf_route_t);
    plugin->info.setting_size = sizeof(pf_setting_t);

    return NGX_OK;
}


/* n entries of a plugin's table, each stride bytes, as entries of size. */

static const void *
ngx_http_pf_plugin_table(ngx_conf_t *cf, ngx_http_pf_plugin_t *plugin,
    const void *table, size_t n, size_t stride, size_t size, const char *what)
{
    u_char      *copy;
    ngx_uint_t   i;

    if (n == 0) {
        return NULL;
    }

    if (table == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "portfolio plugin \"%V\": descriptor counts %uz "
                           "%s it does not provide", &plugin->name, n, what);
        return NULL;
    }

    copy = ngx_pcalloc(cf->pool, n * size);
    if (copy == NULL) {
        return NULL;
    }

    for (i = 0; i < n; i++) {
        ngx_memcpy(copy + i * size, (const u_char *) table + i * stride,
                   ngx_min(stride, size));
    }

    return copy;
}


static ngx_int_t
ngx_http_pf_plugin_parts(ngx_conf_t *cf, ngx_http_pf_plugin_t *plugin)
{
    ngx_uint_t          i;
    const pf_plugin_t  *info;

    info = &plugin->info;

    if (info->name == NULL
        || ngx_strlen(info->name) != plugin->name.len
        || ngx_strncmp(info->name, plugin->name.data, plugin->name.len) != 0)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "portfolio plugin \"%V\": \"%V\" calls itself "
                           "\"%s\"", &plugin->name, &plugin->path,
                           info->name ? info->name : "(nothing)");
        return NGX_ERROR;
    }

    if ((info->njobs && info->jobs == NULL)
        || (info->nhooks && info->hooks == NULL)
        || (info->ndatabases && info->databases == NULL))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "portfolio plugin \"%V\": descriptor counts "
                           "entries it does not provide", &plugin->name);
        return NGX_ERROR;
    }

    for (i = 0; i < info->njobs; i++) {
        if (info->jobs[i].run == NULL || info->jobs[i].interval == 0
            || info->jobs[i].name == NULL)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "portfolio plugin \"%V\": job %ui needs a "
                               "name, an interval and a function",
                               &plugin->name, i);
            return NGX_ERROR;
        }
    }

    for (i = 0; i < info->nhooks; i++) {
        if (info->hooks[i].run == NULL || info->hooks[i].event == NULL) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "portfolio plugin \"%V\": hook %ui needs an "
                               "event and a function", &plugin->name, i);
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* --- databases ----------------------------------------------------------- */

static ngx_int_t
ngx_http_pf_plugin_db_add(ngx_conf_t *cf, ngx_http_pf_main_conf_t *pmcf,
    ngx_http_pf_plugin_t *plugin, const char *name, uint32_t access)
{
    char                    **have, **slot;
    size_t                    len;
    u_char                   *p;
    ngx_uint_t                i;
    ngx_http_pf_plugin_t     *owner;
    ngx_http_pf_plugin_db_t  *d;

    len = name ? ngx_strlen(name) : 0;

    if (len == 1 && name[0] == '*') {
        if (!plugin->granted) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "portfolio plugin \"%V\": it asks for every "
                               "database (\"*\"); list it with "
                               "\"all_databases\" to allow that (test kits "
                               "only)", &plugin->name);
            return NGX_ERROR;
        }

        plugin->all_databases = 1;
        return NGX_OK;
    }

    for (p = (u_char *) name; len && p < (u_char *) name + len; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')
              || *p == '_'))
        {
            break;
        }
    }

    if (len == 0 || len > 64 || p != (u_char *) name + len) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "portfolio plugin \"%V\": database name \"%s\" "
                           "must be 1 to 64 of a-z, 0-9 and \"_\"",
                           &plugin->name, name ? name : "");
        return NGX_ERROR;
    }

    switch (access & ~(uint32_t) PF_DB_SHARE_WRITE) {

    case PF_DB_READ:
    case PF_DB_WRITE:
        if (access & PF_DB_SHARE_WRITE) {
            goto bad_access;
        }

        break;

    case PF_DB_OWN:
        break;

    default:
        goto bad_access;
    }

    if (ngx_http_pf_store_core_db(name)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "portfolio plugin \"%V\": database \"%s\" is the "
                           "core's; plugins reach its records through host "
                           "calls (user_get, setting_number, audit_scan ...)",
                           &plugin->name, name);
        return NGX_ERROR;
    }

    if ((access & PF_DB_OWN) == PF_DB_OWN) {
        owner = ngx_http_pf_db_owner(pmcf, name, NULL);

        if (owner) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "portfolio plugin \"%V\": database \"%s\" is "
                               "\"%V\"'s already: a database has one owner",
                               &plugin->name, name, &owner->name);
            return NGX_ERROR;
        }
    }

    d = plugin->dbs.elts;

    for (i = 0; i < plugin->dbs.nelts; i++) {
        if (ngx_strcmp(d[i].name, name) == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "portfolio plugin \"%V\": database \"%s\" is "
                               "declared twice", &plugin->name, name);
            return NGX_ERROR;
        }
    }

    d = ngx_array_push(&plugin->dbs);
    if (d == NULL) {
        return NGX_ERROR;
    }

    d->name = name;
    d->access = access;

    /* every database once in the store's list; d->index is its place */
    have = pmcf->dbs.elts;

    for (i = 0; i < pmcf->dbs.nelts; i++) {
        if (ngx_strcmp(have[i], name) == 0) {
            break;
        }
    }

    if (i == pmcf->dbs.nelts) {
        slot = ngx_array_push(&pmcf->dbs);
        if (slot == NULL) {
            return NGX_ERROR;
        }

        *slot = (char *) name;
    }

    d->index = i;

    return NGX_OK;

bad_access:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "portfolio plugin \"%V\": database \"%s\" has an "
                       "unknown access 0x%xD (PF_DB_OWN, with PF_DB_SHARE_"
                       "READ or _WRITE, PF_DB_READ or PF_DB_WRITE)",
                       &plugin->name, name, access);
    return NGX_ERROR;
}


static ngx_int_t
ngx_http_pf_plugin_dbs(ngx_conf_t *cf, ngx_http_pf_main_conf_t *pmcf,
    ngx_http_pf_plugin_t *plugin)
{
    ngx_uint_t          i;
    const pf_plugin_t  *info;

    info = &plugin->info;

    if (ngx_array_init(&plugin->dbs, cf->pool, 4,
                       sizeof(ngx_http_pf_plugin_db_t))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* before 1.4 a plugin listed names only: each its own */
    for (i = 0; info->dbs && info->dbs[i]; i++) {
        if (ngx_http_pf_plugin_db_add(cf, pmcf, plugin, info->dbs[i],
                                      PF_DB_OWN)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    for (i = 0; i < info->ndatabases; i++) {
        if (ngx_http_pf_plugin_db_add(cf, pmcf, plugin,
                                      info->databases[i].name,
                                      info->databases[i].access)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* The loaded plugin that owns a database, and how it shares it. */

static ngx_http_pf_plugin_t *
ngx_http_pf_db_owner(ngx_http_pf_main_conf_t *pmcf, const char *name,
    uint32_t *shared)
{
    ngx_uint_t                i, j;
    ngx_http_pf_plugin_t     *plugin;
    ngx_http_pf_plugin_db_t  *d;

    plugin = pmcf->plugins->elts;

    for (i = 0; i < pmcf->plugins->nelts; i++) {
        d = plugin[i].dbs.elts;

        for (j = 0; j < plugin[i].dbs.nelts; j++) {
            if ((d[j].access & PF_DB_OWN) == PF_DB_OWN
                && ngx_strcmp(d[j].name, name) == 0)
            {
                if (shared) {
                    *shared = d[j].access & PF_DB_SHARE_WRITE;
                }

                return &plugin[i];
            }
        }
    }

    return NULL;
}


/*
 * Once every plugin is loaded: each database a plugin reads or writes
 * without owning it is owned by a loaded plugin that shares it for that.
 */

ngx_int_t
ngx_http_pf_plugins_check(ngx_conf_t *cf, ngx_http_pf_main_conf_t *pmcf)
{
    uint32_t                  shared;
    ngx_uint_t                i, j;
    ngx_http_pf_plugin_t     *plugin, *owner;
    ngx_http_pf_plugin_db_t  *d;

    if (pmcf->plugins == NULL) {
        return NGX_OK;
    }

    plugin = pmcf->plugins->elts;

    for (i = 0; i < pmcf->plugins->nelts; i++) {
        d = plugin[i].dbs.elts;

        for (j = 0; j < plugin[i].dbs.nelts; j++) {
            if ((d[j].access & PF_DB_OWN) == PF_DB_OWN) {
                continue;
            }

            shared = 0;
            owner = ngx_http_pf_db_owner(pmcf, d[j].name, &shared);

            if (owner == NULL) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "portfolio plugin \"%V\": database \"%s\" "
                                   "is declared by no loaded plugin as its "
                                   "own; load the plugin that owns it",
                                   &plugin[i].name, d[j].name);
                return NGX_ERROR;
            }

            if (d[j].access == PF_DB_WRITE
                ? shared != PF_DB_SHARE_WRITE : shared == 0)
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "portfolio plugin \"%V\": database \"%s\" "
                                   "is \"%V\"'s, which does not share it "
                                   "for %s", &plugin[i].name, d[j].name,
                                   &owner->name,
                                   d[j].access == PF_DB_WRITE
                                   ? "writing" : "reading");
                return NGX_ERROR;
            }
        }
    }

    return NGX_OK;
}
