/*
 * ngx_http_portfolio_json.c -- JSON in: yajl's event parser builds an
 * immutable tree in a pool (_json_value.c reads it).  Not yajl_tree: it
 * accepts comments and allocates with malloc.  Input is strict JSON: one
 * value, no comments, no trailing garbage, strings of valid UTF-8 without
 * NUL, no duplicate keys, bounded nesting.
 *
 * The tree's layout (pf_val_t, ngx_http_portfolio_json.h) is known to
 * this file and the accessors' (_json_value.c) only.  JSON out is
 * _json_gen.c, which checks strings with this file's UTF-8 check, so that
 * nothing is written that could not be read back.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <yajl/yajl_parse.h>

#include "ngx_http_portfolio_module.h"
#include "ngx_http_portfolio_json.h"


/* Sorted by insertion up to this size, by qsort() beyond. */
#define NGX_HTTP_PF_JSON_INSERTION  64


/* An open array or object while parsing. */
typedef struct {
    int                       type;
    ngx_uint_t                first;         /* its first item in vals */
    ngx_uint_t                first_key;     /* its first key in keys */
} ngx_http_pf_json_frame_t;


typedef struct {
    ngx_pool_t               *pool;
    ngx_uint_t                max_depth;

    /*
     * Finished values and keys of every open container, innermost last.
     * A container's items are copied out into one exact-size array when
     * it closes, so the tree never holds slack from growing.
     */
    ngx_array_t               vals;          /* pf_val_t */
    ngx_array_t               keys;          /* ngx_str_t */
    ngx_array_t               frames;        /* ngx_http_pf_json_frame_t */

    /*
     * Where strings, keys and numbers are copied: one block for the whole
     * document (its decoded texts with their NULs never outgrow it).
     */
    u_char                   *text;
    u_char                   *text_end;

    ngx_str_t                 err;           /* why a callback stopped */
} ngx_http_pf_json_ctx_t;


static void *ngx_http_pf_json_push(ngx_array_t *a);
static pf_val_t *ngx_http_pf_json_value(ngx_http_pf_json_ctx_t *ctx,
    int type);
static ngx_int_t ngx_http_pf_json_copy(ngx_http_pf_json_ctx_t *ctx,
    ngx_str_t *dst, const u_char *s, size_t len, ngx_uint_t text);
static int ngx_http_pf_json_open(ngx_http_pf_json_ctx_t *ctx, int type);
static int ngx_http_pf_json_close(ngx_http_pf_json_ctx_t *ctx);
static ngx_int_t ngx_http_pf_json_index(ngx_http_pf_json_ctx_t *ctx,
    pf_val_t *obj);
static int ngx_http_pf_json_cmp(const void *one, const void *two);
static void ngx_http_pf_json_fail(ngx_http_pf_json_ctx_t *ctx,
    yajl_handle h, u_char *data, size_t len, ngx_str_t *err);

static int ngx_http_pf_json_null(void *data);
static int ngx_http_pf_json_boolean(void *data, int b);
static int ngx_http_pf_json_number(void *data, const char *s, size_t len);
static int ngx_http_pf_json_string(void *data, const unsigned char *s,
    size_t len);
static int ngx_http_pf_json_start_map(void *data);
static int ngx_http_pf_json_map_key(void *data, const unsigned char *s,
    size_t len);
static int ngx_http_pf_json_end_map(void *data);
static int ngx_http_pf_json_start_array(void *data);
static int ngx_http_pf_json_end_array(void *data);


static const yajl_callbacks  ngx_http_pf_json_callbacks = {
    ngx_http_pf_json_null,
    ngx_http_pf_json_boolean,
    NULL,                        /* integers and doubles arrive as text, */
    NULL,                        /* so big numbers keep every digit */
    ngx_http_pf_json_number,
    ngx_http_pf_json_string,
    ngx_http_pf_json_start_map,
    ngx_http_pf_json_map_key,
    ngx_http_pf_json_end_map,
    ngx_http_pf_json_start_array,
    ngx_http_pf_json_end_array
};


const pf_val_t *
ngx_http_pf_json_parse(ngx_pool_t *pool, u_char *data, size_t len,
    ngx_uint_t max_depth, ngx_str_t *err)
{
    pf_val_t                *root;
    yajl_status              rc;
    yajl_handle              h;
    ngx_http_pf_json_ctx_t   ctx;

    if (len == 0) {
        ngx_str_set(err, "empty body");
        return NULL;
    }

    ngx_memzero(&ctx, sizeof(ngx_http_pf_json_ctx_t));
    ctx.pool = pool;
    ctx.max_depth = max_depth;

    /* a string takes at least its two quotes; a number ends the text at
       worst: len + 1 holds every copy with its NUL */
    ctx.text = ngx_pnalloc(pool, len + 1);
    if (ctx.text == NULL) {
        ngx_str_set(err, "out of memory");
        return NULL;
    }

    ctx.text_end = ctx.text + len + 1;

    if (ngx_array_init(&ctx.vals, pool, 16, sizeof(pf_val_t)) != NGX_OK
        || ngx_array_init(&ctx.keys, pool, 16, sizeof(ngx_str_t)) != NGX_OK
        || ngx_array_init(&ctx.frames, pool, 8,
                          sizeof(ngx_http_pf_json_frame_t))
           != NGX_OK)
    {
        ngx_str_set(err, "out of memory");
        return NULL;
    }

    /*
     * The handle's own buffers come from malloc: yajl needs realloc,
     * which a pool lacks.  It is freed on every path below.  The
     * defaults are what we want: no comments, no trailing garbage, no
     * multiple or partial values.  yajl's own UTF-8 check is off: every
     * string and key goes through ngx_http_pf_json_copy()'s stricter one.
     */
    h = yajl_alloc(&ngx_http_pf_json_callbacks, NULL, &ctx);
    if (h == NULL) {
        ngx_str_set(err, "out of memory");
        return NULL;
    }

    yajl_config(h, yajl_dont_validate_strings, 1);

    rc = yajl_parse(h, data, len);

    if (rc == yajl_status_ok) {
        rc = yajl_complete_parse(h);
    }

    root = NULL;

    if (rc != yajl_status_ok) {
        ngx_http_pf_json_fail(&ctx, h, data, len, err);

    } else if (ctx.vals.nelts != 1 || ctx.frames.nelts != 0) {
        /* cannot happen after a complete parse; do not trust it blindly */
        ngx_str_set(err, "invalid JSON");

    } else {
        root = ngx_palloc(pool, sizeof(pf_val_t));
        if (root == NULL) {
            ngx_str_set(err, "out of memory");

        } else {
            *root = *(pf_val_t *) ctx.vals.elts;
        }
    }

    yajl_free(h);

    /* the stacks are garbage now; give back what the pool can free */
    ngx_pfree(pool, ctx.vals.elts);
    ngx_pfree(pool, ctx.keys.elts);
    ngx_pfree(pool, ctx.frames.elts);

    return root;
}


static void
ngx_http_pf_json_fail(ngx_http_pf_json_ctx_t *ctx, yajl_handle h,
    u_char *data, size_t len, ngx_str_t *err)
{
    size_t   n;
    u_char  *msg, *p;

    if (ctx->err.data) {
        *err = ctx->err;
        return;
    }

    msg = yajl_get_error(h, 0, data, len);
    if (msg == NULL) {
        ngx_str_set(err, "invalid JSON");
        return;
    }

    /* yajl ends its reason with ".\n"; the message is one line */
    n = ngx_strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'
                 || msg[n - 1] == ' ' || msg[n - 1] == '.'))
    {
        n--;
    }

    p = ngx_pnalloc(ctx->pool, sizeof("invalid JSON: ") - 1 + n);
    if (p == NULL) {
        ngx_str_set(err, "invalid JSON");

    } else {
        err->data = p;
        p = ngx_cpymem(p, "invalid JSON: ", sizeof("invalid JSON: ") - 1);
        p = ngx_cpymem(p, msg, n);
        err->len = p - err->data;
    }

    yajl_free_error(h, msg);
}


/*
 * ngx_array_push() for the parse stacks: a deep or long document makes
 * them grow many times, and the outgrown block is given back at once
 * when it is a large allocation, instead of living until the pool dies.
 */

static void *
ngx_http_pf_json_push(ngx_array_t *a)
{
    void    *elts;
    size_t   size;

    if (a->nelts == a->nalloc) {
        size = a->size * a->nalloc;

        elts = ngx_palloc(a->pool, 2 * size);
        if (elts == NULL) {
            return NULL;
        }

        ngx_memcpy(elts, a->elts, size);
        ngx_pfree(a->pool, a->elts);

        a->elts = elts;
        a->nalloc *= 2;
    }

    return (u_char *) a->elts + a->size * a->nelts++;
}


/* Appends a new value to the innermost open container (or as the root). */

static pf_val_t *
ngx_http_pf_json_value(ngx_http_pf_json_ctx_t *ctx, int type)
{
    pf_val_t  *v;

    v = ngx_http_pf_json_push(&ctx->vals);
    if (v == NULL) {
        ngx_str_set(&ctx->err, "out of memory");
        return NULL;
    }

    ngx_memzero(v, sizeof(pf_val_t));
    v->type = type;

    return v;
}


/*
 * Copies yajl's transient bytes into the pool with a terminating NUL, so
 * callers may use them as C strings.  Strings and keys ("text") must be
 * strict UTF-8 without NUL: yajl's own check lets overlong forms and
 * surrogates through, and its "\u" decoding is not checked at all.
 */

static ngx_int_t
ngx_http_pf_json_copy(ngx_http_pf_json_ctx_t *ctx, ngx_str_t *dst,
    const u_char *s, size_t len, ngx_uint_t text)
{
    u_char  *p;

    if (text && len) {
        if (ngx_strlchr((u_char *) s, (u_char *) s + len, '\0') != NULL) {
            ngx_str_set(&ctx->err, "invalid JSON: NUL character in string");
            return NGX_ERROR;
        }

        if (ngx_http_pf_json_utf8(s, len) != NGX_OK) {
            ngx_str_set(&ctx->err, "invalid JSON: invalid UTF-8 in string");
            return NGX_ERROR;
        }
    }

    if ((size_t) (ctx->text_end - ctx->text) > len) {
        p = ctx->text;
        ctx->text += len + 1;

    } else {
        /* cannot happen (see ngx_http_pf_json_parse()); stay safe */
        p = ngx_pnalloc(ctx->pool, len + 1);
        if (p == NULL) {
            ngx_str_set(&ctx->err, "out of memory");
            return NGX_ERROR;
        }
    }

    if (len) {
        ngx_memcpy(p, s, len);
    }

    p[len] = '\0';

    dst->len = len;
    dst->data = p;

    return NGX_OK;
}


/* RFC 3629: shortest form only, no surrogates, nothing above U+10FFFF. */

ngx_int_t
ngx_http_pf_json_utf8(const u_char *p, size_t len)
{
    u_char         c;
    uint32_t       u, min;
    ngx_uint_t     n;
    const u_char  *last;

    last = p + len;

    while (p < last) {

        /* ASCII, most of any record, eight bytes at a time */
        while (last - p >= 8) {
            uint64_t  w;

            ngx_memcpy(&w, p, 8);

            if (w & 0x8080808080808080ULL) {
                break;
            }

            p += 8;
        }

        if (p == last) {
            break;
        }

        c = *p++;

        if (c < 0x80) {
            continue;
        }

        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            u = c & 0x1f;
            min = 0x80;

        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            u = c & 0x0f;
            min = 0x800;

        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            u = c & 0x07;
            min = 0x10000;

        } else {
            return NGX_ERROR;
        }

        if ((size_t) (last - p) < n) {
            return NGX_ERROR;
        }

        while (n--) {
            c = *p++;

            if ((c & 0xc0) != 0x80) {
                return NGX_ERROR;
            }

            u = (u << 6) | (c & 0x3f);
        }

        if (u < min || u > 0x10ffff || (u >= 0xd800 && u <= 0xdfff)) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static int
ngx_http_pf_json_null(void *data)
{
    return ngx_http_pf_json_value(data, PF_JSON_NULL) != NULL;
}


static int
ngx_http_pf_json_boolean(void *data, int b)
{
    return ngx_http_pf_json_value(data, b ? PF_JSON_TRUE : PF_JSON_FALSE)
           != NULL;
}


static int
ngx_http_pf_json_number(void *data, const char *s, size_t len)
{
    pf_val_t                *v;
    ngx_http_pf_json_ctx_t  *ctx;

    ctx = data;

    v = ngx_http_pf_json_value(ctx, PF_JSON_NUMBER);
    if (v == NULL) {
        return 0;
    }

    return ngx_http_pf_json_copy(ctx, &v->str, (const u_char *) s, len, 0)
           == NGX_OK;
}


static int
ngx_http_pf_json_string(void *data, const unsigned char *s, size_t len)
{
    pf_val_t                *v;
    ngx_http_pf_json_ctx_t  *ctx;

    ctx = data;

    v = ngx_http_pf_json_value(ctx, PF_JSON_STRING);
    if (v == NULL) {
        return 0;
    }

    return ngx_http_pf_json_copy(ctx, &v->str, s, len, 1) == NGX_OK;
}


static int
ngx_http_pf_json_start_map(void *data)
{
    return ngx_http_pf_json_open(data, PF_JSON_OBJECT);
}


static int
ngx_http_pf_json_map_key(void *data, const unsigned char *s, size_t len)
{
    ngx_str_t               *key;
    ngx_http_pf_json_ctx_t  *ctx;

    ctx = data;

    key = ngx_http_pf_json_push(&ctx->keys);
    if (key == NULL) {
        ngx_str_set(&ctx->err, "out of memory");
        return 0;
    }

    return ngx_http_pf_json_copy(ctx, key, s, len, 1) == NGX_OK;
}


static int
ngx_http_pf_json_end_map(void *data)
{
    return ngx_http_pf_json_close(data);
}


static int
ngx_http_pf_json_start_array(void *data)
{
    return ngx_http_pf_json_open(data, PF_JSON_ARRAY);
}


static int
ngx_http_pf_json_end_array(void *data)
{
    return ngx_http_pf_json_close(data);
}


static int
ngx_http_pf_json_open(ngx_http_pf_json_ctx_t *ctx, int type)
{
    u_char                    *p;
    ngx_http_pf_json_frame_t  *f;

    /*
     * Checked before yajl goes deeper: its own stack is unbounded.
     * max_depth containers may nest; 0 allows scalars only.
     */
    if (ctx->frames.nelts >= ctx->max_depth) {
        p = ngx_pnalloc(ctx->pool,
                        sizeof("JSON nesting deeper than ") - 1
                        + NGX_INT_T_LEN);
        if (p == NULL) {
            ngx_str_set(&ctx->err, "JSON nesting too deep");
            return 0;
        }

        ctx->err.data = p;
        ctx->err.len = ngx_sprintf(p, "JSON nesting deeper than %ui",
                                   ctx->max_depth)
                       - p;
        return 0;
    }

    f = ngx_http_pf_json_push(&ctx->frames);
    if (f == NULL) {
        ngx_str_set(&ctx->err, "out of memory");
        return 0;
    }

    f->type = type;
    f->first = ctx->vals.nelts;
    f->first_key = ctx->keys.nelts;

    return 1;
}


/* Moves the innermost container's items into the tree. */

static int
ngx_http_pf_json_close(ngx_http_pf_json_ctx_t *ctx)
{
    pf_val_t                  *v, obj;
    ngx_uint_t                 first, first_key;
    ngx_http_pf_json_frame_t  *f;

    f = (ngx_http_pf_json_frame_t *) ctx->frames.elts
        + --ctx->frames.nelts;

    first = f->first;
    first_key = f->first_key;

    ngx_memzero(&obj, sizeof(pf_val_t));
    obj.type = f->type;
    obj.n = ctx->vals.nelts - first;

    if (obj.type == PF_JSON_OBJECT && ctx->keys.nelts - first_key != obj.n) {
        ngx_str_set(&ctx->err, "invalid JSON");
        return 0;
    }

    if (obj.n) {
        obj.items = ngx_palloc(ctx->pool, obj.n * sizeof(pf_val_t));
        if (obj.items == NULL) {
            ngx_str_set(&ctx->err, "out of memory");
            return 0;
        }

        ngx_memcpy(obj.items, (pf_val_t *) ctx->vals.elts + first,
                   obj.n * sizeof(pf_val_t));

        if (obj.type == PF_JSON_OBJECT) {
            obj.keys = ngx_palloc(ctx->pool, obj.n * sizeof(ngx_str_t));
            if (obj.keys == NULL) {
                ngx_str_set(&ctx->err, "out of memory");
                return 0;
            }

            ngx_memcpy(obj.keys, (ngx_str_t *) ctx->keys.elts + first_key,
                       obj.n * sizeof(ngx_str_t));

            if (ngx_http_pf_json_index(ctx, &obj) != NGX_OK) {
                return 0;
            }
        }
    }

    ctx->vals.nelts = first;
    ctx->keys.nelts = first_key;

    v = ngx_http_pf_json_value(ctx, obj.type);
    if (v == NULL) {
        return 0;
    }

    *v = obj;

    return 1;
}


/*
 * Rejects duplicate keys: which one wins differs between JSON readers,
 * so a duplicate could mean one thing to a check and another to its use.
 */

static ngx_int_t
ngx_http_pf_json_index(ngx_http_pf_json_ctx_t *ctx, pf_val_t *obj)
{
    size_t       i, j;
    ngx_str_t   *k, **sorted;

    if (obj->n <= NGX_HTTP_PF_JSON_LINEAR) {
        for (i = 1; i < obj->n; i++) {
            for (j = 0; j < i; j++) {
                if (ngx_http_pf_json_key_cmp(obj->keys[i].data,
                                             obj->keys[i].len,
                                             obj->keys[j].data,
                                             obj->keys[j].len)
                    == 0)
                {
                    goto duplicate;
                }
            }
        }

        return NGX_OK;
    }

    sorted = ngx_palloc(ctx->pool, obj->n * sizeof(ngx_str_t *));
    if (sorted == NULL) {
        ngx_str_set(&ctx->err, "out of memory");
        return NGX_ERROR;
    }

    if (obj->n <= NGX_HTTP_PF_JSON_INSERTION) {
        /* a record's few dozen keys: no qsort(), which mallocs */
        for (i = 0; i < obj->n; i++) {
            k = &obj->keys[i];

            for (j = i;
                 j > 0 && ngx_http_pf_json_key_cmp(sorted[j - 1]->data,
                                                   sorted[j - 1]->len,
                                                   k->data, k->len) > 0;
                 j--)
            {
                sorted[j] = sorted[j - 1];
            }

            sorted[j] = k;
        }

    } else {
        for (i = 0; i < obj->n; i++) {
            sorted[i] = &obj->keys[i];
        }

        ngx_qsort(sorted, obj->n, sizeof(ngx_str_t *), ngx_http_pf_json_cmp);
    }

    for (i = 1; i < obj->n; i++) {
        if (ngx_http_pf_json_cmp(&sorted[i - 1], &sorted[i]) == 0) {
            goto duplicate;
        }
    }

    obj->sorted = sorted;

    return NGX_OK;

duplicate:

    ngx_str_set(&ctx->err, "invalid JSON: duplicate key in object");
    return NGX_ERROR;
}


static int
ngx_http_pf_json_cmp(const void *one, const void *two)
{
    ngx_str_t  *a, *b;

    a = *(ngx_str_t **) one;
    b = *(ngx_str_t **) two;

    return ngx_http_pf_json_key_cmp(a->data, a->len, b->data, b->len);
}
