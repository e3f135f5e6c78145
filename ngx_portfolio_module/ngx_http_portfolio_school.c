/*
 * ngx_http_portfolio_school.c -- schools (SPEC C1): the core's "schools"
 * records, keyed by domain, and the index of their national school codes
 * ("school_codes": code -> domain), so that no two schools share a domain
 * or a code.  The host calls school_get, school_create, school_scan and
 * school_by_code, and the bootstrap file, go through here.
 */

#include "ngx_http_portfolio_module.h"


/* A domain is the A1 prefix of every account name: [a-z0-9], 2 to 16. */

ngx_uint_t
ngx_http_pf_school_domain_ok(pf_str_t domain)
{
    size_t  i;

    if (domain.len < 2 || domain.len > 16) {
        return 0;
    }

    for (i = 0; i < domain.len; i++) {
        if (!((domain.data[i] >= 'a' && domain.data[i] <= 'z')
              || (domain.data[i] >= '0' && domain.data[i] <= '9')))
        {
            return 0;
        }
    }

    return 1;
}


/* The domain that has a national school code; empty if none. */

pf_str_t
ngx_http_pf_school_by_code(ngx_http_pf_ctx_t *ctx, pf_str_t code)
{
    pf_str_t  domain;

    if (code.len == 0 || code.len > 32
        || ngx_http_pf_db_get(ctx, NGX_HTTP_PF_DB_SCHOOL_CODES, code, &domain)
           != PF_OK)
    {
        return (pf_str_t) { 0, NULL };
    }

    return domain;
}


/*
 * Stores a school: {"domain", <fields>, "created", "by"}, and its code in
 * the index.  PF_EXISTS if the domain or the code is another school's.
 */

int
ngx_http_pf_school_put(ngx_http_pf_ctx_t *ctx, pf_str_t domain,
    const pf_val_t *fields)
{
    size_t     i;
    pf_str_t   code, k, old;
    pf_gen_t  *g;

    code = ngx_http_pf_json_str(ngx_http_pf_json_get(fields, "code"));

    if (ngx_http_pf_db_get(ctx, NGX_HTTP_PF_DB_SCHOOLS, domain, &old)
        == PF_OK
        || ngx_http_pf_school_by_code(ctx, code).len)
    {
        return PF_EXISTS;
    }

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return PF_ERROR;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "domain");
    ngx_http_pf_gen_string(g, domain);

    for (i = 0; i < ngx_http_pf_json_count(fields); i++) {
        k = ngx_http_pf_json_key_at(fields, i);

        if ((k.len == 6 && ngx_strncmp(k.data, "domain", 6) == 0)
            || (k.len == 7 && ngx_strncmp(k.data, "created", 7) == 0)
            || (k.len == 2 && ngx_strncmp(k.data, "by", 2) == 0))
        {
            continue;
        }

        ngx_http_pf_gen_string(g, k);
        ngx_http_pf_gen_value(g, ngx_http_pf_json_at(fields, i));
    }

    ngx_http_pf_gen_key(g, "created");
    ngx_http_pf_gen_number(g, ngx_http_pf_now_ms());
    ngx_http_pf_gen_key(g, "by");
    ngx_http_pf_gen_who(g, ctx);

    if (ngx_http_pf_gen_map_close(g) != PF_OK
        || ngx_http_pf_db_put(ctx, NGX_HTTP_PF_DB_SCHOOLS, domain,
                              ngx_http_pf_gen_text(g))
           != PF_OK
        || (code.len
            && ngx_http_pf_db_put(ctx, NGX_HTTP_PF_DB_SCHOOL_CODES, code,
                                  domain)
               != PF_OK))
    {
        return PF_ERROR;
    }

    return PF_OK;
}


/* --- host calls ----------------------------------------------------------- */

const pf_val_t *
ngx_http_pf_api_school_get(pf_req_t *req, pf_str_t domain)
{
    pf_str_t         rec;
    ngx_str_t        err;
    const pf_val_t  *v;

    if (domain.len == 0 || domain.len > 64
        || ngx_http_pf_db_get(req, NGX_HTTP_PF_DB_SCHOOLS, domain, &rec)
           != PF_OK)
    {
        return NULL;
    }

    v = ngx_http_pf_json_parse(req->pool, (u_char *) rec.data, rec.len, 16,
                               &err);
    if (v == NULL) {
        ngx_log_error(NGX_LOG_ERR, req->log, 0,
                      "portfolio: school record \"%*s\" is damaged: %V",
                      domain.len, domain.data, &err);
    }

    return v;
}


int
ngx_http_pf_api_school_create(pf_req_t *req, pf_str_t domain,
    pf_str_t fields)
{
    ngx_str_t        err;
    const pf_val_t  *set;

    if (!req->write) {
        return PF_DENIED;
    }

    set = ngx_http_pf_json_parse(req->pool, (u_char *) fields.data,
                                 fields.len, 16, &err);

    if (set == NULL || ngx_http_pf_json_type(set) != PF_JSON_OBJECT
        || ngx_http_pf_json_str(ngx_http_pf_json_get(set, "name")).len == 0
        || ngx_http_pf_json_str(ngx_http_pf_json_get(set, "code")).len == 0
        || !ngx_http_pf_school_domain_ok(domain))
    {
        return PF_INVALID;
    }

    return ngx_http_pf_school_put(req, domain, set);
}


int
ngx_http_pf_api_school_scan(pf_req_t *req, pf_scan_pt cb, void *data)
{
    return ngx_http_pf_db_scan(req, NGX_HTTP_PF_DB_SCHOOLS,
                               (pf_str_t) { 0, NULL }, cb, data);
}


pf_str_t
ngx_http_pf_api_school_by_code(pf_req_t *req, pf_str_t code)
{
    return ngx_http_pf_school_by_code(req, code);
}
