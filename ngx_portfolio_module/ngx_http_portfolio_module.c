/*
 * ngx_http_portfolio_module.c -- the module itself: directives,
 * configuration (main and location), and the lifecycle (init_module in the
 * master, init_process and exit_process in each worker).
 *
 * A request is served by _request.c, whose content handler portfolio_api
 * installs.
 */

#include "ngx_http_portfolio_module.h"


static void *ngx_http_pf_create_main_conf(ngx_conf_t *cf);
static char *ngx_http_pf_init_main_conf(ngx_conf_t *cf, void *conf);
static void *ngx_http_pf_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_pf_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static char *ngx_http_pf_api(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
static char *ngx_http_pf_plugin(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_pf_conf_set_path(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_pf_cookie_name(ngx_conf_t *cf, void *post, void *data);
static char *ngx_http_pf_map_size(ngx_conf_t *cf, void *post, void *data);
static ngx_int_t ngx_http_pf_init_module(ngx_cycle_t *cycle);
static ngx_int_t ngx_http_pf_init_process(ngx_cycle_t *cycle);
static void ngx_http_pf_exit_process(ngx_cycle_t *cycle);


static ngx_conf_num_bounds_t  ngx_http_pf_cost_bounds = {
    ngx_conf_check_num_bounds, 10, 22
};

static ngx_conf_num_bounds_t  ngx_http_pf_depth_bounds = {
    ngx_conf_check_num_bounds, 1, 256
};

static ngx_conf_num_bounds_t  ngx_http_pf_queue_bounds = {
    ngx_conf_check_num_bounds, 1, 1048576
};

static ngx_conf_num_bounds_t  ngx_http_pf_batch_bounds = {
    ngx_conf_check_num_bounds, 1, 65536
};

static ngx_conf_num_bounds_t  ngx_http_pf_fail_bounds = {
    ngx_conf_check_num_bounds, 1, 1000
};

static ngx_conf_post_t  ngx_http_pf_cookie_name_post = {
    ngx_http_pf_cookie_name
};

static ngx_conf_post_t  ngx_http_pf_map_size_post = {
    ngx_http_pf_map_size
};


static ngx_command_t  ngx_http_pf_commands[] = {

    { ngx_string("portfolio_data_dir"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_pf_conf_set_path,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_pf_main_conf_t, data_dir),
      NULL },

    { ngx_string("portfolio_map_size"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_off_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_pf_main_conf_t, map_size),
      &ngx_http_pf_map_size_post },

    { ngx_string("portfolio_plugin"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE23,
      ngx_http_pf_plugin,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("portfolio_writer_pool"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_pf_main_conf_t, writer_pool_name),
      NULL },

    { ngx_string("portfolio_task_pool"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_pf_main_conf_t, task_pool_name),
      NULL },

    { ngx_string("portfolio_group_commit"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_pf_main_conf_t, group_commit),
      NULL },

    { ngx_string("portfolio_write_queue"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_pf_main_conf_t, write_queue),
      &ngx_http_pf_queue_bounds },

    { ngx_string("portfolio_batch_size"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_pf_main_conf_t, batch_max),
      &ngx_http_pf_batch_bounds },

    { ngx_string("portfolio_password_cost"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_pf_main_conf_t, password_cost),
      &ngx_http_pf_cost_bounds },

    { ngx_string("portfolio_login_free_failures"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_pf_main_conf_t, fail_free),
      &ngx_http_pf_fail_bounds },

    { ngx_string("portfolio_login_max_delay"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_pf_main_conf_t, fail_delay_max),
      NULL },

    { ngx_string("portfolio_session_idle"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_pf_main_conf_t, session_idle),
      NULL },

    { ngx_string("portfolio_session_lifetime"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_pf_main_conf_t, session_lifetime),
      NULL },

    { ngx_string("portfolio_cookie_name"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_pf_main_conf_t, cookie_name),
      &ngx_http_pf_cookie_name_post },

    { ngx_string("portfolio_bootstrap"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_pf_conf_set_path,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_pf_main_conf_t, bootstrap),
      NULL },

    /* the city's LDAP directory (SPEC A2, _ldap.c) */
    { ngx_string("portfolio_ldap_url"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_pf_ldap_url,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("portfolio_ldap_bind_dn"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_pf_ldap_bind_dn,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("portfolio_ldap_search"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE2,
      ngx_http_pf_ldap_search,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("portfolio_ldap_service_dn"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_pf_main_conf_t, ldap.service_dn),
      NULL },

    { ngx_string("portfolio_ldap_service_password"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_pf_main_conf_t, ldap.service_password),
      NULL },

    { ngx_string("portfolio_ldap_starttls"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_pf_main_conf_t, ldap.starttls),
      NULL },

    { ngx_string("portfolio_ldap_ca_file"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_pf_conf_set_path,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_pf_main_conf_t, ldap.ca_file),
      NULL },

    { ngx_string("portfolio_ldap_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_pf_main_conf_t, ldap.timeout),
      NULL },

    { ngx_string("portfolio_ldap_op_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_pf_main_conf_t, ldap.op_timeout),
      NULL },

    { ngx_string("portfolio_ldap_pool"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_pf_main_conf_t, ldap.pool_name),
      NULL },

    { ngx_string("portfolio_api"),
      NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_http_pf_api,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("portfolio_api_prefix"),
      NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_pf_loc_conf_t, prefix),
      NULL },

    { ngx_string("portfolio_json_max_size"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_pf_loc_conf_t, json_max_size),
      NULL },

    { ngx_string("portfolio_json_max_depth"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_pf_loc_conf_t, json_max_depth),
      &ngx_http_pf_depth_bounds },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_pf_module_ctx = {
    NULL,                                  /* preconfiguration */
    NULL,                                  /* postconfiguration */

    ngx_http_pf_create_main_conf,          /* create main configuration */
    ngx_http_pf_init_main_conf,            /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_pf_create_loc_conf,           /* create location configuration */
    ngx_http_pf_merge_loc_conf             /* merge location configuration */
};


ngx_module_t  ngx_http_portfolio_module = {
    NGX_MODULE_V1,
    &ngx_http_pf_module_ctx,               /* module context */
    ngx_http_pf_commands,                  /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    ngx_http_pf_init_module,               /* init module */
    ngx_http_pf_init_process,              /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_pf_exit_process,              /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};




static void *
ngx_http_pf_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_pf_main_conf_t  *pmcf;

    pmcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_pf_main_conf_t));
    if (pmcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     pmcf->data_dir = { 0, NULL };
     *     pmcf->writer_pool_name = { 0, NULL };
     *     pmcf->task_pool_name = { 0, NULL };
     *     pmcf->cookie_name = { 0, NULL };
     *     pmcf->bootstrap = { 0, NULL };
     *     pmcf->plugins = NULL;
     */

    pmcf->map_size = NGX_CONF_UNSET;
    pmcf->group_commit = NGX_CONF_UNSET;
    pmcf->write_queue = NGX_CONF_UNSET_UINT;
    pmcf->batch_max = NGX_CONF_UNSET_UINT;
    pmcf->password_cost = NGX_CONF_UNSET_UINT;
    pmcf->fail_free = NGX_CONF_UNSET_UINT;
    pmcf->fail_delay_max = NGX_CONF_UNSET;
    pmcf->session_idle = NGX_CONF_UNSET;
    pmcf->session_lifetime = NGX_CONF_UNSET;
    ngx_http_pf_ldap_create_conf(&pmcf->ldap);

    if (ngx_array_init(&pmcf->routes, cf->pool, 32,
                       sizeof(ngx_http_pf_route_t))
        != NGX_OK)
    {
        return NULL;
    }

    if (ngx_array_init(&pmcf->dbs, cf->pool, 16, sizeof(char *)) != NGX_OK
        || ngx_http_pf_settings_init(cf, pmcf) != NGX_OK)
    {
        return NULL;
    }

    /* the core's own routes come first, so plugins cannot shadow them */
    if (ngx_http_pf_router_add(cf, pmcf, NULL, ngx_http_pf_health_routes,
                               ngx_http_pf_health_nroutes)
        != NGX_OK
        || ngx_http_pf_router_add(cf, pmcf, NULL, ngx_http_pf_core_routes,
                                  ngx_http_pf_core_nroutes)
           != NGX_OK
        || ngx_http_pf_router_add(cf, pmcf, NULL, ngx_http_pf_blob_routes,
                                  ngx_http_pf_blob_nroutes)
           != NGX_OK
        || ngx_http_pf_router_add(cf, pmcf, NULL, ngx_http_pf_ldap_routes,
                                  ngx_http_pf_ldap_nroutes)
           != NGX_OK
        || ngx_http_pf_router_add(cf, pmcf, NULL, ngx_http_pf_settings_routes,
                                  ngx_http_pf_settings_nroutes)
           != NGX_OK)
    {
        return NULL;
    }

    return pmcf;
}


static char *
ngx_http_pf_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_pf_main_conf_t *pmcf = conf;

    ngx_conf_init_value(pmcf->map_size, (off_t) 4 * 1024 * 1024 * 1024);
    ngx_conf_init_value(pmcf->group_commit, 1);
    ngx_conf_init_uint_value(pmcf->write_queue, 4096);
    ngx_conf_init_uint_value(pmcf->batch_max, 512);
    ngx_conf_init_uint_value(pmcf->password_cost, 15);
    ngx_conf_init_uint_value(pmcf->fail_free, 5);
    ngx_conf_init_value(pmcf->fail_delay_max, 900);
    ngx_conf_init_value(pmcf->session_idle, 1800);
    ngx_conf_init_value(pmcf->session_lifetime, 43200);

    if (pmcf->session_idle <= 0 || pmcf->session_lifetime <= 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "portfolio_session_idle and "
                           "portfolio_session_lifetime must be positive");
        return NGX_CONF_ERROR;
    }

    if (ngx_http_pf_plugins_check(cf, pmcf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    if (pmcf->api_used && pmcf->data_dir.data == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"portfolio_api\" is on but "
                           "\"portfolio_data_dir\" is not set");
        return NGX_CONF_ERROR;
    }

    /* so "nginx -t" already fails on a bootstrap file it cannot use */
    if (pmcf->bootstrap.len
        && ngx_http_pf_bootstrap_read(cf->temp_pool, cf->log, &pmcf->bootstrap)
           == NULL)
    {
        return NGX_CONF_ERROR;
    }

    if (pmcf->cookie_name.data == NULL) {
        ngx_str_set(&pmcf->cookie_name, "pf_session");
    }

    if (pmcf->data_dir.data && ngx_http_pf_session_conf(cf, pmcf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    if (pmcf->writer_pool_name.data == NULL) {
        ngx_str_set(&pmcf->writer_pool_name, "default");
    }

    if (pmcf->task_pool_name.data == NULL) {
        ngx_str_set(&pmcf->task_pool_name, "default");
    }

    /* adding a pool here makes nginx check it exists ("default" always
       does, with 32 threads) */
    pmcf->writer_pool = ngx_thread_pool_add(cf, &pmcf->writer_pool_name);
    if (pmcf->writer_pool == NULL) {
        return NGX_CONF_ERROR;
    }

    pmcf->task_pool = ngx_thread_pool_add(cf, &pmcf->task_pool_name);
    if (pmcf->task_pool == NULL) {
        return NGX_CONF_ERROR;
    }

    return ngx_http_pf_ldap_init_conf(cf, pmcf);
}


static void *
ngx_http_pf_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_pf_loc_conf_t  *plcf;

    plcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_pf_loc_conf_t));
    if (plcf == NULL) {
        return NULL;
    }

    plcf->api = NGX_CONF_UNSET;
    plcf->json_max_size = NGX_CONF_UNSET_SIZE;
    plcf->json_max_depth = NGX_CONF_UNSET_UINT;

    return plcf;
}


static char *
ngx_http_pf_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_pf_loc_conf_t *prev = parent;
    ngx_http_pf_loc_conf_t *conf = child;

    ngx_conf_merge_value(conf->api, prev->api, 0);

    if (conf->prefix.data == NULL) {
        conf->prefix = prev->prefix;
    }
    ngx_conf_merge_size_value(conf->json_max_size, prev->json_max_size,
                              64 * 1024);
    ngx_conf_merge_uint_value(conf->json_max_depth, prev->json_max_depth, 32);

    if (conf->api && conf->regex && conf->prefix.data == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"portfolio_api\" in a regex location needs "
                           "\"portfolio_api_prefix\"");
        return NGX_CONF_ERROR;
    }

    if (conf->json_max_size == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "portfolio_json_max_size must not be zero");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_pf_api(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_pf_loc_conf_t *plcf = conf;

    char                      *rv;
    ngx_http_core_loc_conf_t  *clcf;
    ngx_http_pf_main_conf_t   *pmcf;

    rv = ngx_conf_set_flag_slot(cf, cmd, conf);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    if (!plcf->api) {
        return NGX_CONF_OK;
    }

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_portfolio_module);
    pmcf->api_used = 1;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    /* a regex location has no prefix to strip: it needs one named */
    plcf->regex = clcf->regex ? 1 : 0;

    clcf->handler = ngx_http_pf_handler;

    return NGX_CONF_OK;
}


static char *
ngx_http_pf_plugin(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_pf_main_conf_t *pmcf = conf;

    ngx_str_t   *value;
    ngx_uint_t   granted;

    value = cf->args->elts;
    granted = 0;

    /* "all_databases": the test kit, which seeds and reads any record */
    if (cf->args->nelts == 4) {
        if (ngx_strcmp(value[3].data, "all_databases") != 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\" (only "
                               "\"all_databases\")", &value[3]);
            return NGX_CONF_ERROR;
        }

        granted = 1;
    }

    if (ngx_http_pf_plugin_load(cf, pmcf, &value[1], &value[2], granted)
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* A path relative to the prefix, NUL-terminated for open() and LMDB. */

static char *
ngx_http_pf_conf_set_path(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    char  *p = conf;

    u_char     *s;
    ngx_str_t  *field, *value, name;

    field = (ngx_str_t *) (p + cmd->offset);

    if (field->data) {
        return "is duplicate";
    }

    value = cf->args->elts;
    name = value[1];

    if (name.len == 0) {
        return "must not be empty";
    }

    if (ngx_conf_full_name(cf->cycle, &name, 0) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    /* no trailing slash: LMDB and log lines name the directory plainly */
    while (name.len > 1 && name.data[name.len - 1] == '/') {
        name.len--;
    }

    s = ngx_pnalloc(cf->pool, name.len + 1);
    if (s == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memcpy(s, name.data, name.len);
    s[name.len] = '\0';

    field->data = s;
    field->len = name.len;

    return NGX_CONF_OK;
}


static char *
ngx_http_pf_cookie_name(ngx_conf_t *cf, void *post, void *data)
{
    ngx_str_t  *name = data;

    u_char  *p;

    if (name->len == 0 || name->len > 64) {
        return "must be 1 to 64 characters";
    }

    /* a cookie name is an RFC 6265 token */
    for (p = name->data; p < name->data + name->len; p++) {
        if (!(isalnum(*p) || *p == '_' || *p == '-' || *p == '.')) {
            return "may contain only letters, digits, \"_\", \"-\" and \".\"";
        }
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_pf_map_size(ngx_conf_t *cf, void *post, void *data)
{
    off_t  *sp = data;

    if (*sp < 1024 * 1024) {
        return "must be at least 1m";
    }

    if ((uint64_t) *sp > (uint64_t) NGX_MAX_SIZE_T_VALUE) {
        return "is too large for this system";
    }

    return NGX_CONF_OK;
}


/*
 * init_module runs in the master before workers fork (and again on every
 * reload): create the data directory for the worker user and apply the
 * bootstrap file, so the first request already finds its accounts.  The
 * environment is closed again before the fork (LMDB handles must not
 * cross fork()).
 */

static ngx_int_t
ngx_http_pf_init_module(ngx_cycle_t *cycle)
{
    ngx_core_conf_t          *ccf;
    ngx_http_pf_main_conf_t  *pmcf;

    pmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_portfolio_module);
    if (pmcf == NULL || pmcf->data_dir.data == NULL || ngx_test_config) {
        return NGX_OK;
    }

    if (ngx_create_full_path(pmcf->data_dir.data, 0700) != 0
        && ngx_errno != NGX_EEXIST)
    {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, ngx_errno,
                      ngx_create_dir_n " \"%s\" failed", pmcf->data_dir.data);
        return NGX_ERROR;
    }

    if (ngx_create_dir(pmcf->data_dir.data, 0700) == NGX_FILE_ERROR
        && ngx_errno != NGX_EEXIST)
    {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, ngx_errno,
                      ngx_create_dir_n " \"%s\" failed", pmcf->data_dir.data);
        return NGX_ERROR;
    }

    if (ngx_http_pf_pepper(cycle, pmcf, 1) != NGX_OK
        || ngx_http_pf_bootstrap(cycle, pmcf) != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* workers run as the "user" directive says; they must own the files */
    ccf = (ngx_core_conf_t *) ngx_get_conf(cycle->conf_ctx, ngx_core_module);

    if (geteuid() == 0 && ccf->user != (ngx_uid_t) NGX_CONF_UNSET_UINT) {
        if (chown((char *) pmcf->data_dir.data, ccf->user, ccf->group) == -1) {
            ngx_log_error(NGX_LOG_EMERG, cycle->log, ngx_errno,
                          "chown(\"%s\") failed", pmcf->data_dir.data);
            return NGX_ERROR;
        }

        if (ngx_http_pf_store_chown(cycle, pmcf, ccf->user, ccf->group)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_pf_init_process(ngx_cycle_t *cycle)
{
    ngx_http_pf_main_conf_t  *pmcf;

    pmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_portfolio_module);
    if (pmcf == NULL || pmcf->data_dir.data == NULL) {
        return NGX_OK;
    }

    if (ngx_process != NGX_PROCESS_WORKER
        && ngx_process != NGX_PROCESS_SINGLE)
    {
        return NGX_OK;
    }

    if (ngx_http_pf_pepper(cycle, pmcf, 0) != NGX_OK
        || ngx_http_pf_store_open(cycle, pmcf, &pmcf->store) != NGX_OK
        || ngx_http_pf_session_init(cycle, pmcf) != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_pf_writer_init(cycle, pmcf);
}


static void
ngx_http_pf_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_pf_main_conf_t  *pmcf;

    pmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_portfolio_module);
    if (pmcf == NULL || pmcf->store == NULL) {
        return;
    }

    ngx_http_pf_store_close(pmcf->store);
    pmcf->store = NULL;
}
