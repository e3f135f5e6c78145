/*
 * ngx_http_portfolio_router.c -- the route table and its checks.
 *
 * Every route declares its method, path, roles and scope; nothing reaches
 * a handler without passing ngx_http_pf_router_check(), so a plugin cannot
 * forget an access check the declaration already states.
 */

#include "ngx_http_portfolio_module.h"


typedef struct {
    const char   *name;
    ngx_uint_t    method;
} ngx_http_pf_method_t;


static ngx_http_pf_method_t  ngx_http_pf_methods[] = {
    { "GET",     NGX_HTTP_GET },
    { "POST",    NGX_HTTP_POST },
    { "PUT",     NGX_HTTP_PUT },
    { "PATCH",   NGX_HTTP_PATCH },
    { "DELETE",  NGX_HTTP_DELETE },
    { NULL,      0 }
};


/* Collects "GET, POST" for the Allow header of a 405. */

static void
ngx_http_pf_allow_add(ngx_http_pf_ctx_t *ctx, ngx_str_t *method)
{
    u_char  *p;

    p = ngx_pnalloc(ctx->pool, ctx->allow.len + 2 + method->len);
    if (p == NULL) {
        return;
    }

    if (ctx->allow.len) {
        ngx_memcpy(p, ctx->allow.data, ctx->allow.len);
        p[ctx->allow.len] = ',';
        p[ctx->allow.len + 1] = ' ';
        ngx_memcpy(p + ctx->allow.len + 2, method->data, method->len);
        ctx->allow.len += 2 + method->len;

    } else {
        ngx_memcpy(p, method->data, method->len);
        ctx->allow.len = method->len;
    }

    ctx->allow.data = p;
}


static ngx_int_t ngx_http_pf_split(ngx_pool_t *pool, u_char *p, u_char *last,
    ngx_array_t *segs);
static int ngx_http_pf_found(void *data, pf_str_t key, pf_str_t value);
static pf_str_t ngx_http_pf_relation_prefix(pf_req_t *req, pf_str_t viewer,
    pf_str_t student);


/*
 * What a scope promises it checks, it can check: the parameter it reads is
 * in the path, and an owner lookup is there for the scopes that use one.
 */

static ngx_int_t
ngx_http_pf_router_scope_check(ngx_conf_t *cf, const char *who,
    const pf_route_t *route)
{
    const char  *param;

    switch (route->scope) {

    case PF_SCOPE_STUDENT:
        param = "{student}";
        break;

    case PF_SCOPE_SCHOOL:
        param = "{school}";
        break;

    case PF_SCOPE_OWNER:
    case PF_SCOPE_RECORD:
        param = "{id}";

        if (route->owner == NULL) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "portfolio plugin \"%s\": route %s %s has "
                               "the scope of a record but no owner lookup",
                               who, route->method, route->path);
            return NGX_ERROR;
        }

        break;

    default:
        param = NULL;
        break;
    }

    if (route->owner
        && route->scope != PF_SCOPE_OWNER && route->scope != PF_SCOPE_RECORD)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "portfolio plugin \"%s\": route %s %s has an "
                           "owner lookup its scope does not use (only "
                           "PF_SCOPE_OWNER and PF_SCOPE_RECORD do)", who,
                           route->method, route->path);
        return NGX_ERROR;
    }

    if (param && ngx_strstr(route->path, param) == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "portfolio plugin \"%s\": route %s %s: its scope "
                           "needs a %s parameter the path does not have",
                           who, route->method, route->path, param);
        return NGX_ERROR;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_pf_router_add(ngx_conf_t *cf, ngx_http_pf_main_conf_t *pmcf,
    ngx_http_pf_plugin_t *plugin, const pf_route_t *routes, size_t n)
{
    size_t                 i, len;
    ngx_str_t             *a, *b;
    ngx_uint_t             j, k, same;
    const char            *who;
    ngx_http_pf_route_t   *rt, *other;
    ngx_http_pf_method_t  *m;

    who = plugin ? (const char *) plugin->name.data : "core";

    for (i = 0; i < n; i++) {

        if (routes[i].method == NULL || routes[i].path == NULL
            || routes[i].handler == NULL || routes[i].path[0] != '/')
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "portfolio plugin \"%s\": route %uz is "
                               "incomplete (method, path starting with "
                               "\"/\" and handler are required)", who, i);
            return NGX_ERROR;
        }

        /* a route open to everyone must say so twice */
        if ((routes[i].scope == PF_SCOPE_PUBLIC)
            != ((routes[i].flags & PF_ROUTE_PUBLIC) != 0)
            || (routes[i].roles == 0 && !(routes[i].flags & PF_ROUTE_PUBLIC)))
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "portfolio plugin \"%s\": route %s %s must "
                               "declare roles and a scope, and be public "
                               "only with both PF_SCOPE_PUBLIC and "
                               "PF_ROUTE_PUBLIC", who, routes[i].method,
                               routes[i].path);
            return NGX_ERROR;
        }

        if (routes[i].scope > PF_SCOPE_RECORD) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "portfolio plugin \"%s\": route %s %s has an "
                               "unknown scope %ud", who, routes[i].method,
                               routes[i].path, routes[i].scope);
            return NGX_ERROR;
        }

        if (ngx_http_pf_router_scope_check(cf, who, &routes[i]) != NGX_OK) {
            return NGX_ERROR;
        }

        for (m = ngx_http_pf_methods; m->name; m++) {
            if (ngx_strcmp(m->name, routes[i].method) == 0) {
                break;
            }
        }

        if (m->name == NULL) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "portfolio plugin \"%s\": route %s %s has an "
                               "unknown method", who, routes[i].method,
                               routes[i].path);
            return NGX_ERROR;
        }

        if (m->method == NGX_HTTP_GET && (routes[i].flags & PF_ROUTE_WRITE)) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "portfolio plugin \"%s\": route GET %s cannot "
                               "write (GET must be safe)", who,
                               routes[i].path);
            return NGX_ERROR;
        }

        rt = ngx_array_push(&pmcf->routes);
        if (rt == NULL) {
            return NGX_ERROR;
        }

        rt->method = m->method;
        rt->method_name.data = (u_char *) m->name;
        rt->method_name.len = ngx_strlen(m->name);
        rt->route = &routes[i];
        rt->plugin = plugin;

        if (ngx_array_init(&rt->segments, cf->pool, 4, sizeof(ngx_str_t))
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        len = ngx_strlen(routes[i].path);

        if (ngx_http_pf_split(cf->pool, (u_char *) routes[i].path,
                              (u_char *) routes[i].path + len, &rt->segments)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        /* two routes with one method and shape would shadow each other */
        other = pmcf->routes.elts;

        for (j = 0; j + 1 < pmcf->routes.nelts; j++) {
            if (other[j].method != rt->method
                || other[j].segments.nelts != rt->segments.nelts)
            {
                continue;
            }

            a = other[j].segments.elts;
            b = rt->segments.elts;
            same = 1;

            for (k = 0; k < rt->segments.nelts; k++) {
                if ((a[k].data[0] == '{') != (b[k].data[0] == '{')
                    || (a[k].data[0] != '{'
                        && (a[k].len != b[k].len
                            || ngx_strncmp(a[k].data, b[k].data, a[k].len))))
                {
                    same = 0;
                    break;
                }
            }

            if (same) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "portfolio plugin \"%s\": route %s %s is "
                                   "already served by \"%s\"", who,
                                   routes[i].method, routes[i].path,
                                   other[j].plugin
                                   ? (char *) other[j].plugin->name.data
                                   : "core");
                return NGX_ERROR;
            }
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_pf_split(ngx_pool_t *pool, u_char *p, u_char *last, ngx_array_t *segs)
{
    u_char     *start;
    ngx_str_t  *s;

    while (p < last) {
        while (p < last && *p == '/') {
            p++;
        }

        if (p == last) {
            break;
        }

        start = p;

        while (p < last && *p != '/') {
            p++;
        }

        s = ngx_array_push(segs);
        if (s == NULL) {
            return NGX_ERROR;
        }

        s->data = start;
        s->len = p - start;
    }

    return NGX_OK;
}


/*
 * Finds the route for the request's method and path.  When the path
 * matches only under other methods, *allowed says so (405, not 404).
 */

ngx_int_t
ngx_http_pf_router_match(ngx_http_pf_ctx_t *ctx, ngx_str_t *path,
    ngx_uint_t *allowed)
{
    u_char               *p, *last, *start;
    ngx_str_t             segs[16], *rs;
    ngx_uint_t            i, k, nsegs, np, method;
    ngx_http_pf_route_t  *rt;

    *allowed = 0;

    nsegs = 0;
    p = path->data;
    last = path->data + path->len;

    while (p < last) {
        while (p < last && *p == '/') {
            p++;
        }

        if (p == last) {
            break;
        }

        if (nsegs == 16) {
            return NGX_DECLINED;
        }

        start = p;

        while (p < last && *p != '/') {
            p++;
        }

        segs[nsegs].data = start;
        segs[nsegs].len = p - start;
        nsegs++;
    }

    method = ctx->r->method;
    if (method == NGX_HTTP_HEAD) {
        method = NGX_HTTP_GET;
    }

    rt = ctx->pmcf->routes.elts;

    for (i = 0; i < ctx->pmcf->routes.nelts; i++) {

        if (rt[i].segments.nelts != nsegs) {
            continue;
        }

        rs = rt[i].segments.elts;
        np = 0;

        for (k = 0; k < nsegs; k++) {
            if (rs[k].data[0] == '{') {
                if (np == NGX_HTTP_PF_MAX_PARAMS) {
                    break;
                }

                ctx->param_names[np].data = rs[k].data + 1;
                ctx->param_names[np].len = rs[k].len - 2;
                ctx->param_values[np] = segs[k];
                np++;
                continue;
            }

            if (rs[k].len != segs[k].len
                || ngx_strncmp(rs[k].data, segs[k].data, segs[k].len) != 0)
            {
                break;
            }
        }

        if (k != nsegs) {
            continue;
        }

        if (rt[i].method != method) {
            ngx_http_pf_allow_add(ctx, &rt[i].method_name);
            *allowed = 1;
            continue;
        }

        ctx->nparams = np;
        ctx->route = &rt[i];
        ctx->plugin = rt[i].plugin;

        return NGX_OK;
    }

    return NGX_DECLINED;
}


ngx_str_t *
ngx_http_pf_param(ngx_http_pf_ctx_t *ctx, const char *name)
{
    size_t      len;
    ngx_uint_t  i;

    len = ngx_strlen(name);

    for (i = 0; i < ctx->nparams; i++) {
        if (ctx->param_names[i].len == len
            && ngx_strncmp(ctx->param_names[i].data, name, len) == 0)
        {
            return &ctx->param_values[i];
        }
    }

    return NULL;
}


/*
 * The record {id} names, through the route's owner lookup (it answers 404
 * itself); PF_SCOPE_OWNER lets its owner alone go on.
 */

static int
ngx_http_pf_router_owner(ngx_http_pf_ctx_t *ctx, const pf_route_t *route)
{
    int         rc;
    pf_str_t    owner;
    ngx_str_t  *id;

    id = ngx_http_pf_param(ctx, "id");
    owner.len = 0;
    owner.data = NULL;

    rc = route->owner(ctx, ngx_http_pf_str(id), &owner);

    if (rc != 0) {
        if (!ctx->replied || rc < 400 || rc > 599) {
            ngx_log_error(NGX_LOG_ERR, ctx->log, 0,
                          "portfolio plugin \"%V\": owner lookup of %V "
                          "failed (%d) without an answer",
                          &ctx->route->plugin->name, id, rc);
            return ngx_http_pf_error(ctx, 500, "internal",
                                     "資料查詢失敗，請稍候再試");
        }

        return rc;
    }

    ctx->owner = owner;

    if (route->scope == PF_SCOPE_OWNER
        && (owner.len != ctx->user.id.len
            || ngx_strncmp(owner.data, ctx->user.id.data, owner.len) != 0))
    {
        return ngx_http_pf_error(ctx, 403, "not_owner",
                                 "只有這筆資料的擁有者可以變更它");
    }

    return 0;
}


/*
 * Session, password-change, role and scope checks.  Returns 0 to go on,
 * or the status of the error it has set.
 */

int
ngx_http_pf_router_check(ngx_http_pf_ctx_t *ctx)
{
    ngx_str_t         *v;
    const pf_route_t  *route;

    route = ctx->route->route;

    if (route->flags & PF_ROUTE_PUBLIC) {
        return 0;
    }

    if (!ctx->has_user) {
        if (ctx->session.valid) {
            return ngx_http_pf_error(ctx, 401, "session_expired",
                                     "登入已逾時，請重新登入");
        }

        return ngx_http_pf_error(ctx, 401, "unauthenticated",
                                 "請先登入");
    }

    if (ctx->session.must_change && !(route->flags & PF_ROUTE_PWCHANGE_OK)) {
        return ngx_http_pf_error(ctx, 403, "password_change_required",
                                 "請先變更初始密碼");
    }

    if ((ctx->user.roles & route->roles) == 0) {
        return ngx_http_pf_error(ctx, 403, "forbidden",
                                 "您的角色沒有使用這項功能的權限");
    }

    switch (route->scope) {

    case PF_SCOPE_SELF:
        v = ngx_http_pf_param(ctx, "user");
        if (v && (v->len != ctx->user.id.len
                  || ngx_strncmp(v->data, ctx->user.id.data, v->len) != 0))
        {
            return ngx_http_pf_error(ctx, 403, "out_of_scope",
                                     "只能查看或變更自己的資料");
        }

        break;

    case PF_SCOPE_STUDENT:
        v = ngx_http_pf_param(ctx, "student");
        if (!ngx_http_pf_can_see(ctx, ngx_http_pf_str(v))) {
            return ngx_http_pf_error(ctx, 403, "out_of_scope",
                                     "這位學生不在您的權限範圍內"
                                     "（不是您的班級、課程或輔導的學生）");
        }

        break;

    case PF_SCOPE_SCHOOL:
        v = ngx_http_pf_param(ctx, "school");
        if (!(ctx->user.roles & PF_ROLE_CITY_ADMIN)
            && (v->len != ctx->user.school.len
                || ngx_strncmp(v->data, ctx->user.school.data, v->len) != 0))
        {
            return ngx_http_pf_error(ctx, 403, "out_of_scope",
                                     "只能查看或變更本校的資料");
        }

        break;

    case PF_SCOPE_CITY:
        if (!(ctx->user.roles & PF_ROLE_CITY_ADMIN)) {
            return ngx_http_pf_error(ctx, 403, "out_of_scope",
                                     "這項功能只限教育局使用");
        }

        break;

    case PF_SCOPE_OWNER:
    case PF_SCOPE_RECORD:
        return ngx_http_pf_router_owner(ctx, route);

    default:
        break;
    }

    return 0;
}


/*
 * Who may see a student: the student, a school admin of the same school, a
 * city admin, or anyone with a relation to the student (homeroom, course,
 * counselling, parent binding) in "relations", keyed
 * "<viewer>\x1f<student>\x1f<term>\x1f<kind>" so a term's import can
 * replace its own relations; any term's relation grants the view.
 */

int
ngx_http_pf_can_see(ngx_http_pf_ctx_t *ctx, pf_str_t student)
{
    pf_str_t          prefix, value;
    ngx_uint_t        found;
    const pf_val_t   *rec, *school;

    if (!ctx->has_user || student.len == 0 || student.len > 128) {
        return 0;
    }

    if (student.len == ctx->user.id.len
        && ngx_strncmp(student.data, ctx->user.id.data, student.len) == 0)
    {
        return 1;
    }

    if (ctx->user.roles & (PF_ROLE_SCHOOL_ADMIN|PF_ROLE_CITY_ADMIN)) {
        if (ngx_http_pf_load_user(ctx, student, &rec) != PF_OK) {
            return 0;
        }

        if (ctx->user.roles & PF_ROLE_CITY_ADMIN) {
            return 1;
        }

        school = ngx_http_pf_json_get(rec, "school");
        value = ngx_http_pf_json_str(school);

        if (value.len == ctx->user.school.len
            && ngx_strncmp(value.data, ctx->user.school.data, value.len) == 0)
        {
            return 1;
        }
    }

    /* a relation of any kind and term, those not of the host's kinds too
       (the bootstrap file's "other") */
    prefix = ngx_http_pf_relation_prefix(ctx, ctx->user.id, student);
    found = 0;

    if (prefix.len == 0
        || ngx_http_pf_db_scan(ctx, NGX_HTTP_PF_DB_RELATIONS, prefix,
                               ngx_http_pf_found, &found)
           != PF_OK)
    {
        return 0;
    }

    return found;
}


static int
ngx_http_pf_found(void *data, pf_str_t key, pf_str_t value)
{
    *(ngx_uint_t *) data = 1;

    return 1;
}


/* "<viewer>\x1f<student>\x1f": every relation of the viewer to the student */

static pf_str_t
ngx_http_pf_relation_prefix(pf_req_t *req, pf_str_t viewer, pf_str_t student)
{
    u_char    *p;
    pf_str_t   prefix;

    prefix.len = 0;
    prefix.data = NULL;

    if (viewer.len == 0 || viewer.len > 128
        || student.len == 0 || student.len > 128)
    {
        return prefix;
    }

    p = ngx_pnalloc(req->pool, viewer.len + student.len + 2);
    if (p == NULL) {
        return prefix;
    }

    prefix.data = (const char *) p;
    p = ngx_cpymem(p, viewer.data, viewer.len);
    *p++ = 0x1f;
    p = ngx_cpymem(p, student.data, student.len);
    *p++ = 0x1f;
    prefix.len = p - (u_char *) prefix.data;

    return prefix;
}


/* Relations, as the host calls write and read them. */

static const char  *ngx_http_pf_relation_kinds[] = {
    "homeroom", "course", "counselor", "parent", NULL
};


static pf_str_t
ngx_http_pf_relation_key(pf_req_t *req, pf_str_t viewer, pf_str_t student,
    pf_str_t term, uint32_t kind)
{
    u_char      *p;
    pf_str_t     key, prefix;
    ngx_uint_t   k;

    key.len = 0;
    key.data = NULL;

    for (k = 0; ngx_http_pf_relation_kinds[k]; k++) {
        if (kind == (1u << k)) {
            break;
        }
    }

    if (ngx_http_pf_relation_kinds[k] == NULL || term.len == 0
        || term.len > 16)
    {
        return key;
    }

    prefix = ngx_http_pf_relation_prefix(req, viewer, student);
    if (prefix.len == 0) {
        return key;
    }

    p = ngx_pnalloc(req->pool, prefix.len + term.len + 16);
    if (p == NULL) {
        return key;
    }

    key.data = (const char *) p;
    p = ngx_cpymem(p, prefix.data, prefix.len);
    p = ngx_cpymem(p, term.data, term.len);
    *p++ = 0x1f;
    p = ngx_cpymem(p, ngx_http_pf_relation_kinds[k],
                   ngx_strlen(ngx_http_pf_relation_kinds[k]));
    key.len = p - (u_char *) key.data;

    return key;
}


int
ngx_http_pf_relation_put(pf_req_t *req, pf_str_t viewer, pf_str_t student,
    pf_str_t term, uint32_t kind)
{
    pf_str_t  key;

    key = ngx_http_pf_relation_key(req, viewer, student, term, kind);
    if (key.len == 0) {
        return PF_ERROR;
    }

    return ngx_http_pf_db_put(req, NGX_HTTP_PF_DB_RELATIONS, key,
                              (pf_str_t) { 2, "{}" });
}


int
ngx_http_pf_relation_del(pf_req_t *req, pf_str_t viewer, pf_str_t student,
    pf_str_t term, uint32_t kind)
{
    pf_str_t  key;

    key = ngx_http_pf_relation_key(req, viewer, student, term, kind);
    if (key.len == 0) {
        return PF_ERROR;
    }

    return ngx_http_pf_db_del(req, NGX_HTTP_PF_DB_RELATIONS, key);
}


static int
ngx_http_pf_relation_kind_cb(void *data, pf_str_t key, pf_str_t value)
{
    uint32_t    *kinds = data;
    const char  *p;
    ngx_uint_t   k;
    size_t       n;

    /* the kind is the key's last part */
    p = key.data + key.len;

    while (p > key.data && p[-1] != 0x1f) {
        p--;
    }

    n = key.data + key.len - p;

    for (k = 0; ngx_http_pf_relation_kinds[k]; k++) {
        if (n == ngx_strlen(ngx_http_pf_relation_kinds[k])
            && ngx_strncmp(p, ngx_http_pf_relation_kinds[k], n) == 0)
        {
            *kinds |= 1u << k;
        }
    }

    return 0;
}


uint32_t
ngx_http_pf_relations(pf_req_t *req, pf_str_t viewer, pf_str_t student)
{
    uint32_t   kinds;
    pf_str_t   prefix;

    prefix = ngx_http_pf_relation_prefix(req, viewer, student);
    if (prefix.len == 0) {
        return 0;
    }

    kinds = 0;

    if (ngx_http_pf_db_scan(req, NGX_HTTP_PF_DB_RELATIONS, prefix,
                            ngx_http_pf_relation_kind_cb, &kinds)
        != PF_OK)
    {
        return 0;
    }

    return kinds;
}
