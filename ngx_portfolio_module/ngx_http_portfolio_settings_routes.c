/*
 * ngx_http_portfolio_settings_routes.c -- the routes that read and set
 * settings (SPEC AD2): GET /schools/{school}/settings, /city/settings,
 * and PUT of one setting at the school or city level, audited.
 *
 * Out of _settings.c, which they use through the same calls as the host
 * API does: every declared setting the level may set, and nothing else.
 */

#include "ngx_http_portfolio_module.h"


static int ngx_http_pf_settings_get(pf_req_t *req);
static int ngx_http_pf_settings_put(pf_req_t *req);


#define NGX_HTTP_PF_SETTERS  (PF_ROLE_SCHOOL_ADMIN|PF_ROLE_CITY_ADMIN)

const pf_route_t  ngx_http_pf_settings_routes[] = {
    { .method = "GET", .path = "/schools/{school}/settings",
      .roles = NGX_HTTP_PF_SETTERS, .scope = PF_SCOPE_SCHOOL,
      .handler = ngx_http_pf_settings_get },
    { .method = "PUT", .path = "/schools/{school}/settings/{name}",
      .roles = NGX_HTTP_PF_SETTERS, .scope = PF_SCOPE_SCHOOL,
      .flags = PF_ROUTE_WRITE, .handler = ngx_http_pf_settings_put },
    { .method = "GET", .path = "/city/settings",
      .roles = PF_ROLE_CITY_ADMIN, .scope = PF_SCOPE_CITY,
      .handler = ngx_http_pf_settings_get },
    { .method = "PUT", .path = "/city/settings/{name}",
      .roles = PF_ROLE_CITY_ADMIN, .scope = PF_SCOPE_CITY,
      .flags = PF_ROUTE_WRITE, .handler = ngx_http_pf_settings_put },
};

const size_t  ngx_http_pf_settings_nroutes =
    sizeof(ngx_http_pf_settings_routes) / sizeof(pf_route_t);


/*
 * GET /schools/{school}/settings and GET /city/settings: every declared
 * setting the level may set, with its effective value (the named
 * school's, also when a city admin asks) and its bounds or choices; a
 * ceiling number (1.5) also with the ceiling the levels above set for
 * this level (null when none limits it).
 */

static int
ngx_http_pf_settings_get(pf_req_t *req)
{
    u_char                 *n;
    pf_str_t                school;
    uint32_t                level;
    pf_gen_t               *g;
    ngx_str_t              *param;
    ngx_uint_t              i, k;
    const pf_setting_t     *d;
    ngx_http_pf_ceiling_t   c;
    ngx_http_pf_setting_t  *s;

    static const char      *levels[] = { "nation", "city", "school" };

    param = ngx_http_pf_param(req, "school");
    school = param ? ngx_http_pf_str(param) : (pf_str_t) { 0, NULL };
    level = param ? PF_LEVEL_SCHOOL : PF_LEVEL_CITY;

    g = ngx_http_pf_gen(req->pool);
    if (g == NULL) {
        return ngx_http_pf_error(req, 500, "internal",
                                 "伺服器暫時無法處理，請稍後再試");
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "settings");
    ngx_http_pf_gen_array_open(g);

    s = req->pmcf->settings.elts;

    for (i = 0; i < req->pmcf->settings.nelts; i++) {
        d = &s[i].decl;

        if (d->type == PF_SETTING_WINDOW || !(d->levels & level)) {
            continue;
        }

        ngx_http_pf_gen_map_open(g);
        ngx_http_pf_gen_key(g, "name");
        ngx_http_pf_gen_cstring(g, d->name);
        ngx_http_pf_gen_key(g, "value");
        ngx_http_pf_gen_string(g, ngx_http_pf_setting_shown(req, d, school));

        if (d->type == PF_SETTING_WORD) {
            /* each choice followed by a space, as the page reads them */
            n = ngx_pnalloc(req->pool, ngx_strlen(d->choices) + 1);
            if (n == NULL) {
                return ngx_http_pf_error(req, 500, "internal",
                                         "伺服器暫時無法處理，請稍後再試");
            }

            ngx_http_pf_gen_key(g, "choices");
            ngx_http_pf_gen_string(g, (pf_str_t) {
                                       ngx_sprintf(n, "%s ", d->choices) - n,
                                       (const char *) n });

        } else {
            ngx_http_pf_gen_key(g, "min");
            ngx_http_pf_gen_number(g, d->min);
            ngx_http_pf_gen_key(g, "max");
            ngx_http_pf_gen_number(g, d->max);
        }

        /* what the levels above allow this one, and who said so */
        if (d->ceiling) {
            ngx_http_pf_gen_key(g, "ceiling");

            if (ngx_http_pf_setting_ceiling(req, d, level, school, &c)) {
                ngx_http_pf_gen_map_open(g);
                ngx_http_pf_gen_key(g, "value");
                ngx_http_pf_gen_number(g, c.value);
                ngx_http_pf_gen_key(g, "level");
                ngx_http_pf_gen_cstring(g, levels[c.level == PF_LEVEL_NATION
                                                  ? 0 : 1]);
                ngx_http_pf_gen_key(g, "default");
                ngx_http_pf_gen_boolean(g, c.dflt);
                ngx_http_pf_gen_map_close(g);

            } else {
                ngx_http_pf_gen_null(g);
            }
        }

        ngx_http_pf_gen_key(g, "about");
        ngx_http_pf_gen_cstring(g, d->about);
        ngx_http_pf_gen_key(g, "levels");
        ngx_http_pf_gen_array_open(g);

        for (k = 0; k < 3; k++) {
            if (d->levels & (1u << k)) {
                ngx_http_pf_gen_cstring(g, levels[k]);
            }
        }

        ngx_http_pf_gen_array_close(g);
        ngx_http_pf_gen_key(g, "declared_by");

        if (s[i].plugin) {
            ngx_http_pf_gen_string(g, ngx_http_pf_str(&s[i].plugin->name));

        } else {
            ngx_http_pf_gen_cstring(g, "core");
        }

        ngx_http_pf_gen_map_close(g);
    }

    ngx_http_pf_gen_array_close(g);
    ngx_http_pf_gen_map_close(g);

    return ngx_http_pf_reply(req, 200, g);
}


/* PUT /schools/{school}/settings/{name}, /city/settings/{name}: {"value"} */

static int
ngx_http_pf_settings_put(pf_req_t *req)
{
    int                     rc;
    pf_str_t                school, name, value, subject, detail;
    uint32_t                level;
    pf_gen_t               *g;
    ngx_str_t              *param, why;
    const pf_val_t         *v;
    ngx_http_pf_setting_t  *s;

    param = ngx_http_pf_param(req, "school");
    school = param ? ngx_http_pf_str(param) : (pf_str_t) { 0, NULL };
    level = param ? PF_LEVEL_SCHOOL : PF_LEVEL_CITY;
    name = ngx_http_pf_str(ngx_http_pf_param(req, "name"));

    s = ngx_http_pf_setting_find(req->pmcf, name.data, name.len);

    if (s == NULL || s->decl.type == PF_SETTING_WINDOW) {
        return ngx_http_pf_error(req, 404, "unknown_setting",
                                 "沒有名為「%*s」的參數", name.len,
                                 name.data);
    }

    v = ngx_http_pf_json_get(req->body, "value");

    if (ngx_http_pf_json_type(v) != PF_JSON_NUMBER
        && ngx_http_pf_json_type(v) != PF_JSON_STRING)
    {
        return ngx_http_pf_error(req, 422, "invalid_field",
                                 "請以 {\"value\": …} 送出參數值（數字或"
                                 "文字）");
    }

    value = ngx_http_pf_json_str(v);

    rc = ngx_http_pf_setting_put(req, level, school, name, value, &why);

    switch (rc) {

    case PF_OK:
        break;

    case PF_DENIED:
        return ngx_http_pf_error(req, 403, "not_settable_here",
                                 "參數 %*s 不能由%s設定", name.len,
                                 name.data, ngx_http_pf_level_word(level));

    case PF_INVALID:
        return ngx_http_pf_error(req, 422, "out_of_range", "%V", &why);

    default:
        return ngx_http_pf_error(req, 503, "storage_unavailable",
                                 "參數暫時無法儲存，請稍後再試");
    }

    g = ngx_http_pf_gen(req->pool);
    if (g == NULL) {
        return ngx_http_pf_error(req, 500, "internal",
                                 "伺服器暫時無法處理，請稍後再試");
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "name");
    ngx_http_pf_gen_string(g, name);
    ngx_http_pf_gen_key(g, "value");
    ngx_http_pf_gen_string(g, value);
    ngx_http_pf_gen_map_close(g);
    detail = ngx_http_pf_gen_text(g);

    if (param) {
        u_char  *p;

        p = ngx_pnalloc(req->pool, sizeof("school/") - 1 + school.len);
        if (p == NULL) {
            return ngx_http_pf_error(req, 500, "internal",
                                     "伺服器暫時無法處理，請稍後再試");
        }

        subject.data = (const char *) p;
        subject.len = ngx_sprintf(p, "school/%*s", school.len, school.data)
                      - p;

    } else {
        subject = (pf_str_t) { sizeof("city") - 1, "city" };
    }

    (void) ngx_http_pf_audit(req, subject, "setting.changed", detail);

    return ngx_http_pf_settings_get(req);
}
