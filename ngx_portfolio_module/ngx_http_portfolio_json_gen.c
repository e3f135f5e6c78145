/*
 * ngx_http_portfolio_json_gen.c -- JSON out: a yajl_gen whose buffer lives
 * until the pool that made it dies.  Strings are checked as the parser
 * (_json.c) checks them: a record written here can always be read again.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <yajl/yajl_gen.h>

#include "ngx_http_portfolio_module.h"


struct pf_gen_s {
    yajl_gen                  gen;
};


static ngx_int_t ngx_http_pf_gen_utf8(pf_str_t s);
static void ngx_http_pf_gen_cleanup(void *data);


pf_gen_t *
ngx_http_pf_gen(ngx_pool_t *pool)
{
    pf_gen_t            *g;
    ngx_pool_cleanup_t  *cln;

    g = ngx_palloc(pool, sizeof(pf_gen_t));
    if (g == NULL) {
        return NULL;
    }

    /* registered first, so a failure here leaves nothing to free */
    cln = ngx_pool_cleanup_add(pool, 0);
    if (cln == NULL) {
        return NULL;
    }

    g->gen = yajl_gen_alloc(NULL);
    if (g->gen == NULL) {
        return NULL;
    }

    /*
     * Plugins pass arbitrary bytes: a bad string must fail the call, not
     * reach a client as invalid JSON.  "/" needs no escaping in JSON.
     */
    yajl_gen_config(g->gen, yajl_gen_beautify, 0);
    yajl_gen_config(g->gen, yajl_gen_validate_utf8, 1);
    yajl_gen_config(g->gen, yajl_gen_escape_solidus, 0);

    cln->handler = ngx_http_pf_gen_cleanup;
    cln->data = g->gen;

    return g;
}


static void
ngx_http_pf_gen_cleanup(void *data)
{
    yajl_gen_free(data);
}


int
ngx_http_pf_gen_map_open(pf_gen_t *g)
{
    if (g == NULL || yajl_gen_map_open(g->gen) != yajl_gen_status_ok) {
        return PF_ERROR;
    }

    return PF_OK;
}


int
ngx_http_pf_gen_map_close(pf_gen_t *g)
{
    if (g == NULL || yajl_gen_map_close(g->gen) != yajl_gen_status_ok) {
        return PF_ERROR;
    }

    return PF_OK;
}


int
ngx_http_pf_gen_array_open(pf_gen_t *g)
{
    if (g == NULL || yajl_gen_array_open(g->gen) != yajl_gen_status_ok) {
        return PF_ERROR;
    }

    return PF_OK;
}


int
ngx_http_pf_gen_array_close(pf_gen_t *g)
{
    if (g == NULL || yajl_gen_array_close(g->gen) != yajl_gen_status_ok) {
        return PF_ERROR;
    }

    return PF_OK;
}


/* yajl knows from its state whether a string is a key or a value. */

int
ngx_http_pf_gen_key(pf_gen_t *g, const char *key)
{
    return ngx_http_pf_gen_cstring(g, key);
}


int
ngx_http_pf_gen_string(pf_gen_t *g, pf_str_t s)
{
    if (g == NULL || (s.data == NULL && s.len)) {
        return PF_ERROR;
    }

    if (s.data == NULL) {
        s.data = "";
    }

    /*
     * Generate only what the parser accepts back: a record written with
     * an overlong form or a NUL could never be read again.
     */
    if (ngx_http_pf_gen_utf8(s) != NGX_OK) {
        return PF_ERROR;
    }

    if (yajl_gen_string(g->gen, (const unsigned char *) s.data, s.len)
        != yajl_gen_status_ok)
    {
        return PF_ERROR;
    }

    return PF_OK;
}


static ngx_int_t
ngx_http_pf_gen_utf8(pf_str_t s)
{
    const u_char  *p;

    p = (const u_char *) s.data;

    if (s.len == 0) {
        return NGX_OK;
    }

    if (ngx_strlchr((u_char *) p, (u_char *) p + s.len, '\0') != NULL) {
        return NGX_ERROR;
    }

    return ngx_http_pf_json_utf8(p, s.len);
}


int
ngx_http_pf_gen_cstring(pf_gen_t *g, const char *s)
{
    pf_str_t  str;

    if (s == NULL) {
        return PF_ERROR;
    }

    str.len = ngx_strlen(s);
    str.data = s;

    return ngx_http_pf_gen_string(g, str);
}


int
ngx_http_pf_gen_number(pf_gen_t *g, int64_t n)
{
    if (g == NULL
        || yajl_gen_integer(g->gen, (long long) n) != yajl_gen_status_ok)
    {
        return PF_ERROR;
    }

    return PF_OK;
}


int
ngx_http_pf_gen_boolean(pf_gen_t *g, int b)
{
    if (g == NULL || yajl_gen_bool(g->gen, b != 0) != yajl_gen_status_ok) {
        return PF_ERROR;
    }

    return PF_OK;
}


int
ngx_http_pf_gen_null(pf_gen_t *g)
{
    if (g == NULL || yajl_gen_null(g->gen) != yajl_gen_status_ok) {
        return PF_ERROR;
    }

    return PF_OK;
}


/*
 * yajl_gen_number() prints its bytes verbatim but still places commas
 * and refuses a value where a key must be, so any trusted JSON text goes
 * in as one value.  The text itself is not checked: the caller vouches.
 */

int
ngx_http_pf_gen_raw(pf_gen_t *g, pf_str_t json)
{
    if (g == NULL || json.data == NULL || json.len == 0) {
        return PF_ERROR;
    }

    if (yajl_gen_number(g->gen, json.data, json.len) != yajl_gen_status_ok) {
        return PF_ERROR;
    }

    return PF_OK;
}


/* The text so far; valid until the next write or the pool's end. */

pf_str_t
ngx_http_pf_gen_text(pf_gen_t *g)
{
    size_t                len;
    pf_str_t              s;
    const unsigned char  *buf;

    s.len = 0;
    s.data = NULL;

    if (g == NULL
        || yajl_gen_get_buf(g->gen, &buf, &len) != yajl_gen_status_ok)
    {
        return s;
    }

    s.len = len;
    s.data = (const char *) buf;

    return s;
}
