/*
 * ngx_http_portfolio_json.h -- the parsed tree's layout, shared by the
 * parser (_json.c) and the accessors (_json_value.c) and by no other
 * file: the rest of the core and the plugins see pf_val_t as opaque.
 */

#ifndef NGX_HTTP_PORTFOLIO_JSON_H
#define NGX_HTTP_PORTFOLIO_JSON_H


/*
 * Objects up to this size are searched linearly; bigger ones get a sorted
 * index, so neither lookups nor the duplicate check go quadratic.
 */
#define NGX_HTTP_PF_JSON_LINEAR  8

struct pf_val_s {
    int                       type;          /* PF_JSON_* */
    ngx_str_t                 str;           /* string, or number text;
                                                NUL-terminated */
    size_t                    n;             /* items of array or object */
    pf_val_t                 *items;
    ngx_str_t                *keys;          /* object: n keys, document
                                                order, NUL-terminated */
    ngx_str_t               **sorted;        /* big object: keys in
                                                ngx_http_pf_json_cmp order */
};


int ngx_http_pf_json_key_cmp(const u_char *a, size_t alen, const u_char *b,
    size_t blen);


#endif /* NGX_HTTP_PORTFOLIO_JSON_H */
