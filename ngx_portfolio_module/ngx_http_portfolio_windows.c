/*
 * ngx_http_portfolio_windows.c -- whether a window (SPEC AD3) is
 * open: a setting per term (PF_SETTING_WINDOW) at each level, stored by
 * _settings.c as "<level>window/<term>/<name>" holding {"from", "to"}
 * in ms.
 */

#include "ngx_http_portfolio_module.h"


/*
 * Windows (AD3): open when at least one level sets the window and every
 * level that sets one contains now; *to is the earliest closing time of
 * the levels set (the deadline students see).
 */

static ngx_uint_t
ngx_http_pf_window_level(ngx_http_pf_ctx_t *ctx, pf_str_t value, int64_t now,
    ngx_uint_t *set, int64_t *to)
{
    int64_t          f, t;
    ngx_str_t        err;
    const pf_val_t  *w;

    if (value.data == NULL) {
        return 1;
    }

    *set = 1;

    w = ngx_http_pf_json_parse(ctx->pool, (u_char *) value.data, value.len,
                               8, &err);

    if (w == NULL
        || ngx_http_pf_json_integer(ngx_http_pf_json_get(w, "from"), &f)
           != PF_OK
        || ngx_http_pf_json_integer(ngx_http_pf_json_get(w, "to"), &t)
           != PF_OK)
    {
        return 0;
    }

    if (*to == 0 || t < *to) {
        *to = t;
    }

    return now >= f && now < t;
}


int
ngx_http_pf_window_open(ngx_http_pf_ctx_t *ctx, pf_str_t school,
    pf_str_t term, const char *name, int64_t *to)
{
    u_char      *p;
    int64_t      now, deadline;
    pf_str_t     key;
    ngx_uint_t   set, open;

    if (to) {
        *to = 0;
    }

    p = ngx_pnalloc(ctx->pool, NGX_HTTP_PF_SETTING_KEY);
    if (p == NULL || term.len > 16) {
        return 0;
    }

    key.data = (const char *) p;
    key.len = ngx_slprintf(p, p + NGX_HTTP_PF_SETTING_KEY, "window/%*s/%s",
                           term.len, term.data, name)
              - p;

    school = ngx_http_pf_setting_school(ctx, school);
    now = ngx_http_pf_now_ms();
    set = 0;
    deadline = 0;
    open = 1;

    if (school.len) {
        open &= ngx_http_pf_window_level(ctx,
                    ngx_http_pf_setting_at(ctx, PF_LEVEL_SCHOOL, school, key),
                    now, &set, &deadline);
    }

    open &= ngx_http_pf_window_level(ctx,
                ngx_http_pf_setting_at(ctx, PF_LEVEL_CITY, school, key),
                now, &set, &deadline);
    open &= ngx_http_pf_window_level(ctx,
                ngx_http_pf_setting_at(ctx, PF_LEVEL_NATION, school, key),
                now, &set, &deadline);

    if (to) {
        *to = deadline;
    }

    return set && open;
}
