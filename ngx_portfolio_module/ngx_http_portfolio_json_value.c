/*
 * ngx_http_portfolio_json_value.c -- reading a parsed JSON tree (_json.c
 * builds it): types, object members by key (a linear search for small
 * objects, a binary one over the parser's sorted index for big ones),
 * array items, strings and numbers.  The host API's JSON calls.
 */

#include "ngx_http_portfolio_module.h"
#include "ngx_http_portfolio_json.h"


/* Length first, then bytes: any total order does for search. */

int
ngx_http_pf_json_key_cmp(const u_char *a, size_t alen, const u_char *b,
    size_t blen)
{
    if (alen != blen) {
        return alen < blen ? -1 : 1;
    }

    return alen ? ngx_memcmp(a, b, alen) : 0;
}


int
ngx_http_pf_json_type(const pf_val_t *v)
{
    /* -1 tells a missing value from a JSON null */
    return v ? v->type : -1;
}


const pf_val_t *
ngx_http_pf_json_get(const pf_val_t *obj, const char *key)
{
    size_t       len, i, lo, hi, mid;
    ngx_int_t    rc;
    ngx_str_t   *k;

    if (obj == NULL || obj->type != PF_JSON_OBJECT || key == NULL) {
        return NULL;
    }

    len = ngx_strlen(key);

    if (obj->sorted == NULL) {
        for (i = 0; i < obj->n; i++) {
            if (ngx_http_pf_json_key_cmp(obj->keys[i].data, obj->keys[i].len,
                                         (const u_char *) key, len)
                == 0)
            {
                return &obj->items[i];
            }
        }

        return NULL;
    }

    lo = 0;
    hi = obj->n;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        k = obj->sorted[mid];

        rc = ngx_http_pf_json_key_cmp(k->data, k->len,
                                      (const u_char *) key, len);
        if (rc == 0) {
            return &obj->items[k - obj->keys];
        }

        if (rc < 0) {
            lo = mid + 1;

        } else {
            hi = mid;
        }
    }

    return NULL;
}


/*
 * A copy of an object without one key (a record shown without its
 * credential); the values are shared, not copied.  obj itself if the key
 * is not there, NULL if out of memory.
 */

const pf_val_t *
ngx_http_pf_json_without(ngx_pool_t *pool, const pf_val_t *obj,
    const char *key)
{
    size_t     i, j, len;
    pf_val_t  *copy;

    if (ngx_http_pf_json_get(obj, key) == NULL) {
        return obj;
    }

    len = ngx_strlen(key);

    copy = ngx_palloc(pool, sizeof(pf_val_t));
    if (copy == NULL) {
        return NULL;
    }

    *copy = *obj;
    copy->sorted = NULL;          /* found by a linear search instead */
    copy->items = ngx_palloc(pool, obj->n * sizeof(pf_val_t));
    copy->keys = ngx_palloc(pool, obj->n * sizeof(ngx_str_t));

    if (copy->items == NULL || copy->keys == NULL) {
        return NULL;
    }

    for (i = 0, j = 0; i < obj->n; i++) {
        if (ngx_http_pf_json_key_cmp(obj->keys[i].data, obj->keys[i].len,
                                     (const u_char *) key, len)
            == 0)
        {
            continue;
        }

        copy->items[j] = obj->items[i];
        copy->keys[j] = obj->keys[i];
        j++;
    }

    copy->n = j;

    return copy;
}


size_t
ngx_http_pf_json_count(const pf_val_t *v)
{
    if (v == NULL
        || (v->type != PF_JSON_ARRAY && v->type != PF_JSON_OBJECT))
    {
        return 0;
    }

    return v->n;
}


const pf_val_t *
ngx_http_pf_json_at(const pf_val_t *v, size_t i)
{
    if (v == NULL
        || (v->type != PF_JSON_ARRAY && v->type != PF_JSON_OBJECT)
        || i >= v->n)
    {
        return NULL;
    }

    return &v->items[i];
}


pf_str_t
ngx_http_pf_json_key_at(const pf_val_t *obj, size_t i)
{
    pf_str_t  s;

    if (obj == NULL || obj->type != PF_JSON_OBJECT || i >= obj->n) {
        s.len = 0;
        s.data = NULL;
        return s;
    }

    s.len = obj->keys[i].len;
    s.data = (const char *) obj->keys[i].data;

    return s;
}


pf_str_t
ngx_http_pf_json_str(const pf_val_t *v)
{
    pf_str_t  s;

    if (v == NULL
        || (v->type != PF_JSON_STRING && v->type != PF_JSON_NUMBER))
    {
        s.len = 0;
        s.data = NULL;
        return s;
    }

    s.len = v->str.len;
    s.data = (const char *) v->str.data;

    return s;
}


/* Only integral text: "1.0" and "1e3" are not integers here. */

int
ngx_http_pf_json_integer(const pf_val_t *v, int64_t *out)
{
    u_char      *p, *last;
    uint64_t     n, max, d;
    ngx_uint_t   neg;

    if (v == NULL || v->type != PF_JSON_NUMBER || out == NULL) {
        return PF_ERROR;
    }

    p = v->str.data;
    last = p + v->str.len;

    neg = (p < last && *p == '-');
    if (neg) {
        p++;
    }

    if (p == last) {
        return PF_ERROR;
    }

    max = neg ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;
    n = 0;

    for ( /* void */ ; p < last; p++) {
        if (*p < '0' || *p > '9') {
            return PF_ERROR;
        }

        d = *p - '0';

        if (n > (max - d) / 10) {
            return PF_ERROR;
        }

        n = n * 10 + d;
    }

    /* negated in two steps: -(int64_t) 2^63 would overflow */
    *out = (neg && n) ? -(int64_t) (n - 1) - 1 : (int64_t) n;

    return PF_OK;
}


