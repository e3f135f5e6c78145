
/*
 * json_test.c -- unit test of ngx_http_portfolio_json.c and _json_gen.c.
 *
 * Built by build_json_test.sh against nginx's headers only (Debian's
 * nginx-dev ships no core sources), so the few core functions the JSON
 * files call are stubbed below.  The stub pool mallocs every allocation
 * separately and frees it on ngx_pfree() or pool destruction, which lets
 * valgrind see any read past an allocation or any leak; it can also be
 * told to fail after N allocations to walk the out-of-memory paths.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <stdio.h>
#include <stdlib.h>

#include "ngx_http_portfolio_module.h"


static ngx_int_t  fail_after = -1;    /* allocations left; -1: never fail */
static int        failures;
static int        checks;


/* --- stubs --- */

static void *
stub_alloc(ngx_pool_t *pool, size_t size)
{
    ngx_pool_large_t  *l;

    if (fail_after == 0) {
        return NULL;
    }

    if (fail_after > 0) {
        fail_after--;
    }

    l = malloc(sizeof(ngx_pool_large_t));
    if (l == NULL) {
        abort();
    }

    /* malloc(0) may return NULL; the pool never does */
    l->alloc = malloc(size ? size : 1);
    if (l->alloc == NULL) {
        abort();
    }

    l->next = pool->large;
    pool->large = l;

    return l->alloc;
}


ngx_pool_t *
ngx_create_pool(size_t size, ngx_log_t *log)
{
    ngx_pool_t  *pool;

    pool = calloc(1, sizeof(ngx_pool_t));
    if (pool == NULL) {
        abort();
    }

    pool->log = log;

    return pool;
}


void
ngx_destroy_pool(ngx_pool_t *pool)
{
    ngx_pool_large_t    *l, *next;
    ngx_pool_cleanup_t  *c, *cn;

    for (c = pool->cleanup; c; c = c->next) {
        if (c->handler) {
            c->handler(c->data);
        }
    }

    for (c = pool->cleanup; c; c = cn) {
        cn = c->next;
        free(c);
    }

    for (l = pool->large; l; l = next) {
        next = l->next;
        free(l->alloc);
        free(l);
    }

    free(pool);
}


void *
ngx_palloc(ngx_pool_t *pool, size_t size)
{
    return stub_alloc(pool, size);
}


void *
ngx_pnalloc(ngx_pool_t *pool, size_t size)
{
    return stub_alloc(pool, size);
}


void *
ngx_pcalloc(ngx_pool_t *pool, size_t size)
{
    void  *p;

    p = stub_alloc(pool, size);
    if (p) {
        ngx_memzero(p, size);
    }

    return p;
}


ngx_int_t
ngx_pfree(ngx_pool_t *pool, void *p)
{
    ngx_pool_large_t  *l;

    for (l = pool->large; l; l = l->next) {
        if (p == l->alloc) {
            free(l->alloc);
            l->alloc = NULL;
            return NGX_OK;
        }
    }

    return NGX_DECLINED;
}


ngx_pool_cleanup_t *
ngx_pool_cleanup_add(ngx_pool_t *p, size_t size)
{
    ngx_pool_cleanup_t  *c;

    if (fail_after == 0) {
        return NULL;
    }

    c = calloc(1, sizeof(ngx_pool_cleanup_t));
    if (c == NULL) {
        abort();
    }

    if (size) {
        c->data = stub_alloc(p, size);
    }

    c->next = p->cleanup;
    p->cleanup = c;

    return c;
}


/* Enough of ngx_sprintf() for the JSON file: "%ui" and "%s". */

u_char *
ngx_sprintf(u_char *buf, const char *fmt, ...)
{
    va_list  args;

    va_start(args, fmt);

    while (*fmt) {
        if (fmt[0] == '%' && fmt[1] == 'u' && fmt[2] == 'i') {
            buf += sprintf((char *) buf, "%lu",
                           (unsigned long) va_arg(args, ngx_uint_t));
            fmt += 3;

        } else if (fmt[0] == '%' && fmt[1] == 's') {
            buf += sprintf((char *) buf, "%s", va_arg(args, char *));
            fmt += 2;

        } else {
            *buf++ = *fmt++;
        }
    }

    va_end(args);

    return buf;
}


/* --- helpers --- */

#define CHECK(cond)                                                           \
    do {                                                                      \
        checks++;                                                             \
        if (!(cond)) {                                                        \
            failures++;                                                       \
            fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond);\
        }                                                                     \
    } while (0)


static ngx_pool_t  *pool;


static const pf_val_t *
parse(const char *s, size_t len, ngx_uint_t depth, ngx_str_t *err)
{
    u_char  *copy;

    /* an exact-size copy, so valgrind catches reads past the end */
    copy = malloc(len ? len : 1);
    memcpy(copy, s, len);

    err->len = 0;
    err->data = NULL;

    {
        const pf_val_t  *v;

        v = ngx_http_pf_json_parse(pool, copy, len, depth, err);
        free(copy);
        return v;
    }
}


static const pf_val_t *
ok(const char *s, ngx_uint_t depth)
{
    ngx_str_t        err;
    const pf_val_t  *v;

    v = parse(s, strlen(s), depth, &err);
    if (v == NULL) {
        fprintf(stderr, "  unexpected error for %s: %.*s\n", s,
                (int) err.len, err.data);
    }

    return v;
}


/* Checks that s is refused and the message starts with want. */

static int
bad(const char *s, size_t len, ngx_uint_t depth, const char *want)
{
    ngx_str_t        err;
    const pf_val_t  *v;

    v = parse(s, len, depth, &err);
    if (v != NULL) {
        fprintf(stderr, "  accepted: %.*s\n", (int) len, s);
        return 0;
    }

    if (err.data == NULL || err.len == 0) {
        fprintf(stderr, "  no message for: %.*s\n", (int) len, s);
        return 0;
    }

    if (memchr(err.data, '\n', err.len)) {
        fprintf(stderr, "  newline in message: %.*s\n", (int) err.len,
                err.data);
        return 0;
    }

    if (want && (err.len < strlen(want)
                 || memcmp(err.data, want, strlen(want)) != 0))
    {
        fprintf(stderr, "  for %.*s want \"%s\", got \"%.*s\"\n", (int) len,
                s, want, (int) err.len, err.data);
        return 0;
    }

    return 1;
}

#define BAD(s, want)  bad(s, sizeof(s) - 1, 32, want)


static int
str_is(pf_str_t s, const char *want)
{
    return s.data && s.len == strlen(want) && memcmp(s.data, want, s.len) == 0
           && s.data[s.len] == '\0';
}


static int
text_is(pf_gen_t *g, const char *want)
{
    pf_str_t  t;

    t = ngx_http_pf_gen_text(g);

    if (t.len == strlen(want)
        && (t.len == 0 || memcmp(t.data, want, t.len) == 0))
    {
        return 1;
    }

    fprintf(stderr, "  generated %.*s\n  wanted    %s\n", (int) t.len, t.data,
            want);
    return 0;
}


static pf_str_t
S(const char *s)
{
    pf_str_t  str;

    str.len = strlen(s);
    str.data = s;

    return str;
}


/* --- tests --- */

static void
test_nested(void)
{
    int64_t          n;
    const pf_val_t  *v, *a, *o;

    v = ok("{\"a\":[1,2,{\"b\":null}],\"c\":true,\"d\":false,\"e\":\"x\","
           "\"f\":-1.5e3,\"g\":{},\"h\":[],\"\":\"\"}", 32);
    CHECK(v != NULL);
    if (v == NULL) {
        return;
    }

    CHECK(ngx_http_pf_json_type(v) == PF_JSON_OBJECT);
    CHECK(ngx_http_pf_json_count(v) == 8);
    CHECK(str_is(ngx_http_pf_json_key_at(v, 0), "a"));
    CHECK(str_is(ngx_http_pf_json_key_at(v, 7), ""));
    CHECK(ngx_http_pf_json_key_at(v, 8).data == NULL);

    a = ngx_http_pf_json_get(v, "a");
    CHECK(ngx_http_pf_json_type(a) == PF_JSON_ARRAY);
    CHECK(ngx_http_pf_json_count(a) == 3);
    CHECK(ngx_http_pf_json_integer(ngx_http_pf_json_at(a, 1), &n) == PF_OK
          && n == 2);
    CHECK(str_is(ngx_http_pf_json_str(ngx_http_pf_json_at(a, 0)), "1"));
    CHECK(ngx_http_pf_json_at(a, 3) == NULL);
    CHECK(ngx_http_pf_json_key_at(a, 0).data == NULL);
    CHECK(ngx_http_pf_json_get(a, "b") == NULL);

    o = ngx_http_pf_json_at(a, 2);
    CHECK(ngx_http_pf_json_type(o) == PF_JSON_OBJECT);
    CHECK(ngx_http_pf_json_type(ngx_http_pf_json_get(o, "b"))
          == PF_JSON_NULL);
    CHECK(ngx_http_pf_json_get(o, "c") == NULL);
    CHECK(ngx_http_pf_json_get(o, "bb") == NULL);
    CHECK(ngx_http_pf_json_get(o, NULL) == NULL);

    CHECK(ngx_http_pf_json_type(ngx_http_pf_json_get(v, "c"))
          == PF_JSON_TRUE);
    CHECK(ngx_http_pf_json_type(ngx_http_pf_json_get(v, "d"))
          == PF_JSON_FALSE);
    CHECK(str_is(ngx_http_pf_json_str(ngx_http_pf_json_get(v, "e")), "x"));
    CHECK(str_is(ngx_http_pf_json_str(ngx_http_pf_json_get(v, "f")),
                 "-1.5e3"));
    CHECK(ngx_http_pf_json_integer(ngx_http_pf_json_get(v, "f"), &n)
          == PF_ERROR);
    CHECK(ngx_http_pf_json_count(ngx_http_pf_json_get(v, "g")) == 0);
    CHECK(ngx_http_pf_json_type(ngx_http_pf_json_get(v, "g"))
          == PF_JSON_OBJECT);
    CHECK(ngx_http_pf_json_at(ngx_http_pf_json_get(v, "h"), 0) == NULL);
    CHECK(str_is(ngx_http_pf_json_str(ngx_http_pf_json_get(v, "")), ""));

    /* scalars at the top level are JSON too */
    v = ok("  \"top\"  ", 32);
    CHECK(str_is(ngx_http_pf_json_str(v), "top"));
    v = ok("42", 32);
    CHECK(ngx_http_pf_json_integer(v, &n) == PF_OK && n == 42);
    v = ok("null", 0);
    CHECK(ngx_http_pf_json_type(v) == PF_JSON_NULL);
}


static void
test_accessors_null(void)
{
    int64_t          n;
    const pf_val_t  *v;

    CHECK(ngx_http_pf_json_type(NULL) == -1);
    CHECK(ngx_http_pf_json_get(NULL, "a") == NULL);
    CHECK(ngx_http_pf_json_count(NULL) == 0);
    CHECK(ngx_http_pf_json_at(NULL, 0) == NULL);
    CHECK(ngx_http_pf_json_key_at(NULL, 0).data == NULL);
    CHECK(ngx_http_pf_json_key_at(NULL, 0).len == 0);
    CHECK(ngx_http_pf_json_str(NULL).data == NULL);
    CHECK(ngx_http_pf_json_integer(NULL, &n) == PF_ERROR);

    v = ok("true", 32);
    CHECK(ngx_http_pf_json_count(v) == 0);
    CHECK(ngx_http_pf_json_at(v, 0) == NULL);
    CHECK(ngx_http_pf_json_get(v, "a") == NULL);
    CHECK(ngx_http_pf_json_str(v).data == NULL);
    CHECK(ngx_http_pf_json_str(v).len == 0);

    v = ok("\"5\"", 32);
    CHECK(ngx_http_pf_json_integer(v, &n) == PF_ERROR);
    CHECK(ngx_http_pf_json_count(v) == 0);

    v = ok("[1]", 32);
    CHECK(ngx_http_pf_json_str(v).data == NULL);
}


static void
test_unicode(void)
{
    const pf_val_t  *v;

    v = ok("\"\\u4e2d\"", 32);
    CHECK(str_is(ngx_http_pf_json_str(v), "\xe4\xb8\xad"));

    v = ok("\"\xe4\xb8\xad\xe6\x96\x87\"", 32);
    CHECK(str_is(ngx_http_pf_json_str(v), "\xe4\xb8\xad\xe6\x96\x87"));

    /* a surrogate pair becomes one 4-byte sequence */
    v = ok("\"\\ud83d\\ude00\"", 32);
    CHECK(str_is(ngx_http_pf_json_str(v), "\xf0\x9f\x98\x80"));

    v = ok("{\"\\u00e9\":\"a\\n\\\"\\\\\\/\\t\"}", 32);
    CHECK(str_is(ngx_http_pf_json_key_at(v, 0), "\xc3\xa9"));
    CHECK(str_is(ngx_http_pf_json_str(ngx_http_pf_json_get(v, "\xc3\xa9")),
                 "a\n\"\\/\t"));

    /* invalid UTF-8: our check (yajl's own is off, being weaker) */
    CHECK(BAD("\"\xff\"", "invalid JSON: invalid UTF-8"));
    CHECK(BAD("\"\xe4\xb8\"", "invalid JSON"));
    CHECK(BAD("\"\x80\"", "invalid JSON"));
    CHECK(BAD("\"\xc0\xaf\"", "invalid JSON: invalid UTF-8"));
    CHECK(BAD("\"\xed\xa0\x80\"", "invalid JSON: invalid UTF-8"));
    CHECK(BAD("\"\xf4\x90\x80\x80\"", "invalid JSON"));
    CHECK(BAD("\"\xf8\x88\x80\x80\x80\"", "invalid JSON"));
    CHECK(BAD("{\"\xc0\xaf\":1}", "invalid JSON: invalid UTF-8"));
    CHECK(BAD("\"\\udc00\"", "invalid JSON: invalid UTF-8"));

    /* NUL, escaped or overlong, in values and keys */
    CHECK(BAD("\"a\\u0000b\"", "invalid JSON: NUL character"));
    CHECK(BAD("{\"a\\u0000\":1}", "invalid JSON: NUL character"));
    CHECK(BAD("[\"\xc0\x80\"]", "invalid JSON"));

    /* raw control characters are not JSON */
    CHECK(BAD("\"a\tb\"", "invalid JSON: lexical error"));
}


static void
test_depth(void)
{
    ngx_uint_t   i;
    char        *deep;

    CHECK(ok("[[[1]]]", 3) != NULL);
    CHECK(ok("{\"a\":{\"b\":[1]}}", 3) != NULL);
    CHECK(ok("[[[]],[[]],{\"a\":[]}]", 3) != NULL);
    CHECK(bad("[[[[1]]]]", 9, 3, "JSON nesting deeper than 3"));
    CHECK(bad("{\"a\":{\"b\":[{}]}}", 16, 3, "JSON nesting deeper than 3"));
    CHECK(bad("[[[]],[[[]]]]", 13, 3, "JSON nesting deeper than 3"));
    CHECK(bad("[]", 2, 0, "JSON nesting deeper than 0"));
    CHECK(ok("1", 0) != NULL);

    /* far deeper than the limit: stopped early, nothing leaks */
    deep = malloc(200001);
    for (i = 0; i < 100000; i++) {
        deep[i] = '[';
        deep[200000 - 1 - i] = ']';
    }
    deep[200000] = '\0';

    CHECK(bad(deep, 200000, 32, "JSON nesting deeper than 32"));
    CHECK(bad(deep, 200000, 1000, "JSON nesting deeper than 1000"));

    /* 1000 '[' then 1000 ']': exactly at the limit */
    memmove(deep + 1000, deep + 100000, 1000);
    CHECK(parse(deep, 2000, 1000, &(ngx_str_t) { 0, NULL }) != NULL);
    CHECK(bad(deep, 2000, 999, "JSON nesting deeper than 999"));

    free(deep);
}


static void
test_duplicates(void)
{
    int              i, j;
    char             buf[64], *p, *big;
    const pf_val_t  *v;

    CHECK(BAD("{\"a\":1,\"a\":2}", "invalid JSON: duplicate key"));
    CHECK(BAD("{\"a\":1,\"b\":{\"c\":1,\"c\":1}}", "invalid JSON: duplicate"));
    /* the same key after decoding is the same key */
    CHECK(BAD("{\"a\":1,\"\\u0061\":2}", "invalid JSON: duplicate key"));
    /* same key in different objects is fine */
    CHECK(ok("[{\"a\":1},{\"a\":2},{\"a\":{\"a\":3}}]", 32) != NULL);
    CHECK(ok("{\"a\":1,\"A\":2,\"aa\":3,\"\":4}", 32) != NULL);

    /* objects past the linear limit go through the sorted index */
    big = malloc(2000 * 24 + 16);
    p = big;
    *p++ = '{';
    for (i = 0; i < 2000; i++) {
        p += sprintf(p, "%s\"k%d\":%d", i ? "," : "", (i * 7919) % 2000, i);
    }
    *p++ = '}';

    v = parse(big, p - big, 32, &(ngx_str_t) { 0, NULL });
    CHECK(v != NULL);
    CHECK(ngx_http_pf_json_count(v) == 2000);

    for (i = 0; v && i < 2000; i++) {
        int64_t  n;

        sprintf(buf, "k%d", (i * 7919) % 2000);
        CHECK(ngx_http_pf_json_integer(ngx_http_pf_json_get(v, buf), &n)
              == PF_OK && n == i);
    }

    CHECK(ngx_http_pf_json_get(v, "k2000") == NULL);
    CHECK(ngx_http_pf_json_get(v, "k") == NULL);
    CHECK(ngx_http_pf_json_get(v, "") == NULL);
    CHECK(ngx_http_pf_json_get(v, "zzzzzzzzzzzzzzzzzzz") == NULL);

    /* a duplicate anywhere in a big object */
    for (j = 9; j <= 12; j++) {
        p = big;
        *p++ = '{';
        for (i = 0; i < j; i++) {
            p += sprintf(p, "%s\"k%d\":%d", i ? "," : "", i, i);
        }
        p += sprintf(p, ",\"k%d\":0}", j / 2);
        CHECK(bad(big, p - big, 32, "invalid JSON: duplicate key"));
    }

    /* sizes sorted by insertion (up to 64) and by qsort beyond (keys in
       a scrambled order: 71 is prime to every size): every
       key found, none invented, a duplicate found wherever it is */
    for (j = 9; j <= 70; j++) {
        p = big;
        *p++ = '{';
        for (i = 0; i < j; i++) {
            p += sprintf(p, "%s\"m%d\":%d", i ? "," : "", (i * 71) % j, i);
        }
        *p++ = '}';

        v = parse(big, p - big, 32, &(ngx_str_t) { 0, NULL });
        CHECK(v != NULL);

        for (i = 0; v && i < j; i++) {
            int64_t  n;

            sprintf(buf, "m%d", (i * 71) % j);
            CHECK(ngx_http_pf_json_integer(ngx_http_pf_json_get(v, buf), &n)
                  == PF_OK && n == i);
        }

        sprintf(buf, "m%d", j);
        CHECK(v == NULL || ngx_http_pf_json_get(v, buf) == NULL);

        p--;
        p += sprintf(p, ",\"m%d\":0}", (j * 5) / 7);
        CHECK(bad(big, p - big, 32, "invalid JSON: duplicate key"));
    }

    /* 9 distinct keys, then a 10th: no false duplicates at the edge */
    CHECK(ok("{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,"
             "\"h\":8,\"i\":9}", 32) != NULL);
    v = ok("{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,"
           "\"h\":8}", 32);
    CHECK(str_is(ngx_http_pf_json_str(ngx_http_pf_json_get(v, "h")), "8"));

    free(big);
}


static void
test_syntax(void)
{
    ngx_str_t  err;

    CHECK(bad("", 0, 32, "empty body"));
    CHECK(parse("", 0, 32, &err) == NULL
          && err.len == sizeof("empty body") - 1);

    CHECK(BAD("   ", "invalid JSON"));
    CHECK(BAD("{} x", "invalid JSON: parse error: trailing garbage"));
    CHECK(BAD("1 2", "invalid JSON"));
    CHECK(BAD("{}{}", "invalid JSON"));
    CHECK(BAD("[1] ]", "invalid JSON"));
    CHECK(BAD("/* c */ {}", "invalid JSON: lexical error"));
    CHECK(BAD("{} // c", "invalid JSON"));
    CHECK(BAD("[1, /* c */ 2]", "invalid JSON"));
    CHECK(BAD("[1", "invalid JSON: parse error: premature EOF"));
    CHECK(BAD("[1,]", "invalid JSON"));
    CHECK(BAD("{\"a\"}", "invalid JSON"));
    CHECK(BAD("{a:1}", "invalid JSON"));
    CHECK(BAD("'a'", "invalid JSON: lexical error: invalid char in json text"));
    CHECK(BAD("01", "invalid JSON"));
    CHECK(BAD("1.", "invalid JSON"));
    CHECK(BAD("-", "invalid JSON"));
    CHECK(BAD("NaN", "invalid JSON"));
    CHECK(BAD("tru", "invalid JSON"));
    CHECK(BAD("\"abc", "invalid JSON"));
    CHECK(BAD("[1]\0", "invalid JSON"));

    /* the exact message the brief promises */
    CHECK(parse("x", 1, 32, &err) == NULL
          && err.len == sizeof("invalid JSON: lexical error: invalid char in"
                               " json text") - 1
          && memcmp(err.data, "invalid JSON: lexical error: invalid char in"
                    " json text", err.len) == 0);

    CHECK(ok(" \t\r\n[ 1 , 2 ]\n ", 32) != NULL);
}


static void
test_integers(void)
{
    int64_t          n;
    const pf_val_t  *v;

    v = ok("[9223372036854775807,-9223372036854775808,9223372036854775808,"
           "-9223372036854775809,123456789012345678901234567890,1.0,1e3,"
           "-0,0,-17,1E2,0.5,100000000000000000000]", 32);
    CHECK(v != NULL);
    if (v == NULL) {
        return;
    }

    n = 0;
    CHECK(ngx_http_pf_json_integer(ngx_http_pf_json_at(v, 0), &n) == PF_OK
          && n == INT64_MAX);
    CHECK(ngx_http_pf_json_integer(ngx_http_pf_json_at(v, 1), &n) == PF_OK
          && n == INT64_MIN);
    CHECK(ngx_http_pf_json_integer(ngx_http_pf_json_at(v, 2), &n)
          == PF_ERROR);
    CHECK(ngx_http_pf_json_integer(ngx_http_pf_json_at(v, 3), &n)
          == PF_ERROR);
    CHECK(ngx_http_pf_json_integer(ngx_http_pf_json_at(v, 4), &n)
          == PF_ERROR);
    CHECK(str_is(ngx_http_pf_json_str(ngx_http_pf_json_at(v, 4)),
                 "123456789012345678901234567890"));
    CHECK(ngx_http_pf_json_integer(ngx_http_pf_json_at(v, 5), &n)
          == PF_ERROR);
    CHECK(ngx_http_pf_json_integer(ngx_http_pf_json_at(v, 6), &n)
          == PF_ERROR);
    CHECK(ngx_http_pf_json_integer(ngx_http_pf_json_at(v, 7), &n) == PF_OK
          && n == 0);
    CHECK(ngx_http_pf_json_integer(ngx_http_pf_json_at(v, 8), &n) == PF_OK
          && n == 0);
    CHECK(ngx_http_pf_json_integer(ngx_http_pf_json_at(v, 9), &n) == PF_OK
          && n == -17);
    CHECK(ngx_http_pf_json_integer(ngx_http_pf_json_at(v, 10), &n)
          == PF_ERROR);
    CHECK(ngx_http_pf_json_integer(ngx_http_pf_json_at(v, 11), &n)
          == PF_ERROR);
    CHECK(ngx_http_pf_json_integer(ngx_http_pf_json_at(v, 12), &n)
          == PF_ERROR);
    CHECK(ngx_http_pf_json_integer(ngx_http_pf_json_at(v, 0), NULL)
          == PF_ERROR);
}


static void
test_gen(void)
{
    pf_str_t         t, nul;
    pf_gen_t        *g;
    const pf_val_t  *v;
    ngx_str_t        err;

    g = ngx_http_pf_gen(pool);
    CHECK(g != NULL);

    CHECK(text_is(g, ""));
    CHECK(ngx_http_pf_gen_map_open(g) == PF_OK);
    CHECK(ngx_http_pf_gen_key(g, "a") == PF_OK);
    CHECK(ngx_http_pf_gen_array_open(g) == PF_OK);
    CHECK(ngx_http_pf_gen_raw(g, S("{\"x\":[1,2]}")) == PF_OK);
    CHECK(ngx_http_pf_gen_number(g, 1) == PF_OK);
    CHECK(ngx_http_pf_gen_raw(g, S("[true]")) == PF_OK);
    CHECK(ngx_http_pf_gen_raw(g, S("\"r\"")) == PF_OK);
    CHECK(ngx_http_pf_gen_array_close(g) == PF_OK);
    CHECK(ngx_http_pf_gen_key(g, "raw") == PF_OK);
    CHECK(ngx_http_pf_gen_raw(g, S("{\"y\":null}")) == PF_OK);
    /* raw text is a value, never a key */
    CHECK(ngx_http_pf_gen_raw(g, S("\"k\"")) == PF_ERROR);
    CHECK(ngx_http_pf_gen_number(g, 5) == PF_ERROR);
    CHECK(ngx_http_pf_gen_key(g, "s") == PF_OK);
    CHECK(ngx_http_pf_gen_cstring(g, "\xe4\xb8\xad\"\\/\n\x01") == PF_OK);
    CHECK(ngx_http_pf_gen_key(g, "n") == PF_OK);
    CHECK(ngx_http_pf_gen_null(g) == PF_OK);
    CHECK(ngx_http_pf_gen_key(g, "b") == PF_OK);
    CHECK(ngx_http_pf_gen_boolean(g, 7) == PF_OK);
    CHECK(ngx_http_pf_gen_key(g, "f") == PF_OK);
    CHECK(ngx_http_pf_gen_boolean(g, 0) == PF_OK);
    CHECK(ngx_http_pf_gen_key(g, "min") == PF_OK);
    CHECK(ngx_http_pf_gen_number(g, INT64_MIN) == PF_OK);
    CHECK(ngx_http_pf_gen_key(g, "e") == PF_OK);
    CHECK(ngx_http_pf_gen_string(g, (pf_str_t) { 0, NULL }) == PF_OK);
    CHECK(ngx_http_pf_gen_key(g, "m") == PF_OK);
    CHECK(ngx_http_pf_gen_map_open(g) == PF_OK);
    CHECK(ngx_http_pf_gen_map_close(g) == PF_OK);
    CHECK(ngx_http_pf_gen_map_close(g) == PF_OK);

    CHECK(text_is(g, "{\"a\":[{\"x\":[1,2]},1,[true],\"r\"],"
                  "\"raw\":{\"y\":null},"
                  "\"s\":\"\xe4\xb8\xad\\\"\\\\/\\n\\u0001\","
                  "\"n\":null,\"b\":true,\"f\":false,"
                  "\"min\":-9223372036854775808,\"e\":\"\",\"m\":{}}"));

    /* round trip */
    t = ngx_http_pf_gen_text(g);
    v = parse(t.data, t.len, 32, &err);
    CHECK(v != NULL);
    CHECK(str_is(ngx_http_pf_json_str(ngx_http_pf_json_get(v, "s")),
                 "\xe4\xb8\xad\"\\/\n\x01"));
    CHECK(ngx_http_pf_json_count(ngx_http_pf_json_get(v, "a")) == 4);
    CHECK(ngx_http_pf_json_type(ngx_http_pf_json_get(
              ngx_http_pf_json_get(v, "raw"), "y")) == PF_JSON_NULL);

    /* complete: nothing more may follow */
    CHECK(ngx_http_pf_gen_null(g) == PF_ERROR);

    /* raw values only, in an array: commas still right */
    g = ngx_http_pf_gen(pool);
    CHECK(ngx_http_pf_gen_array_open(g) == PF_OK);
    CHECK(ngx_http_pf_gen_raw(g, S("{}")) == PF_OK);
    CHECK(ngx_http_pf_gen_raw(g, S("[]")) == PF_OK);
    CHECK(ngx_http_pf_gen_map_open(g) == PF_OK);
    CHECK(ngx_http_pf_gen_key(g, "k") == PF_OK);
    CHECK(ngx_http_pf_gen_raw(g, S("[1,{\"z\":2}]")) == PF_OK);
    CHECK(ngx_http_pf_gen_key(g, "l") == PF_OK);
    CHECK(ngx_http_pf_gen_raw(g, S("3")) == PF_OK);
    CHECK(ngx_http_pf_gen_map_close(g) == PF_OK);
    CHECK(ngx_http_pf_gen_raw(g, (pf_str_t) { 0, "" }) == PF_ERROR);
    CHECK(ngx_http_pf_gen_raw(g, (pf_str_t) { 0, NULL }) == PF_ERROR);
    CHECK(ngx_http_pf_gen_array_close(g) == PF_OK);
    CHECK(text_is(g, "[{},[],{\"k\":[1,{\"z\":2}],\"l\":3}]"));

    /* a raw value alone */
    g = ngx_http_pf_gen(pool);
    CHECK(ngx_http_pf_gen_raw(g, S("{\"a\":1}")) == PF_OK);
    CHECK(text_is(g, "{\"a\":1}"));

    /* bad strings fail and leave the generator usable */
    g = ngx_http_pf_gen(pool);
    CHECK(ngx_http_pf_gen_array_open(g) == PF_OK);
    CHECK(ngx_http_pf_gen_cstring(g, "\xff") == PF_ERROR);
    CHECK(ngx_http_pf_gen_cstring(g, "\xe4\xb8") == PF_ERROR);
    CHECK(ngx_http_pf_gen_cstring(g, "\xc0\xaf") == PF_ERROR);
    CHECK(ngx_http_pf_gen_cstring(g, "\xed\xa0\x80") == PF_ERROR);
    CHECK(ngx_http_pf_gen_cstring(g, "a\x80") == PF_ERROR);
    nul.len = 3;
    nul.data = "a\0b";
    CHECK(ngx_http_pf_gen_string(g, nul) == PF_ERROR);
    CHECK(ngx_http_pf_gen_string(g, (pf_str_t) { 1, NULL }) == PF_ERROR);
    CHECK(ngx_http_pf_gen_cstring(g, NULL) == PF_ERROR);
    CHECK(ngx_http_pf_gen_cstring(g, "ok") == PF_OK);
    CHECK(ngx_http_pf_gen_array_close(g) == PF_OK);
    CHECK(text_is(g, "[\"ok\"]"));

    /* keys must be strings */
    g = ngx_http_pf_gen(pool);
    CHECK(ngx_http_pf_gen_map_open(g) == PF_OK);
    CHECK(ngx_http_pf_gen_null(g) == PF_ERROR);
    CHECK(ngx_http_pf_gen_boolean(g, 1) == PF_ERROR);
    CHECK(ngx_http_pf_gen_map_open(g) == PF_ERROR);
    CHECK(ngx_http_pf_gen_key(g, "\xff") == PF_ERROR);

    /* NULL generators fail safely */
    CHECK(ngx_http_pf_gen_map_open(NULL) == PF_ERROR);
    CHECK(ngx_http_pf_gen_map_close(NULL) == PF_ERROR);
    CHECK(ngx_http_pf_gen_array_open(NULL) == PF_ERROR);
    CHECK(ngx_http_pf_gen_array_close(NULL) == PF_ERROR);
    CHECK(ngx_http_pf_gen_key(NULL, "a") == PF_ERROR);
    CHECK(ngx_http_pf_gen_string(NULL, S("a")) == PF_ERROR);
    CHECK(ngx_http_pf_gen_cstring(NULL, "a") == PF_ERROR);
    CHECK(ngx_http_pf_gen_number(NULL, 1) == PF_ERROR);
    CHECK(ngx_http_pf_gen_boolean(NULL, 1) == PF_ERROR);
    CHECK(ngx_http_pf_gen_null(NULL) == PF_ERROR);
    CHECK(ngx_http_pf_gen_raw(NULL, S("1")) == PF_ERROR);
    CHECK(ngx_http_pf_gen_text(NULL).data == NULL);
}


/* Every allocation failure point: an error, no crash, nothing leaked. */

static void
test_oom(void)
{
    ngx_int_t         i;
    ngx_str_t         err;
    pf_gen_t         *g;
    const pf_val_t   *v;
    static const char doc[] = "{\"a\":[1,2,{\"b\":\"c\"}],\"d\":{\"e\":1,"
        "\"f\":2,\"g\":3,\"h\":4,\"i\":5,\"j\":6,\"k\":7,\"l\":8,\"m\":9,"
        "\"n\":10},\"o\":[[],[[[\"deep\"]]]]}";

    for (i = 0; i < 1000; i++) {
        fail_after = i;
        v = parse(doc, sizeof(doc) - 1, 32, &err);
        fail_after = -1;

        if (v) {
            break;
        }

        CHECK(err.len > 0);
    }

    CHECK(v != NULL);
    CHECK(i > 10);

    for (i = 0; i < 3; i++) {
        fail_after = i;
        g = ngx_http_pf_gen(pool);
        fail_after = -1;
        CHECK(g == NULL || i > 0);
    }
}


/* Byte mutations of a valid document: whatever comes back is sane. */

static void
test_mutations(void)
{
    int              c, accepted, refused;
    size_t           i;
    ngx_str_t        err;
    const pf_val_t  *v;
    char             buf[128];
    static const char doc[] = "{\"a\":[1,-2.5e3,{\"b\":null}],\"c\":true,"
        "\"d\":\"\\u4e2d\xe6\x96\x87\",\"e\":[]}";
    static const int  bytes[] = { 0, '"', '\\', '{', '}', '[', ']', ',', ':',
                                  '/', '*', 'u', '0', 'e', '-', 0x80, 0xc0,
                                  0xe4, 0xff, ' ' };

    accepted = 0;
    refused = 0;

    for (i = 0; i < sizeof(doc) - 1; i++) {
        for (c = 0; c < (int) (sizeof(bytes) / sizeof(bytes[0])); c++) {
            memcpy(buf, doc, sizeof(doc) - 1);
            buf[i] = (char) bytes[c];

            v = parse(buf, sizeof(doc) - 1, 32, &err);
            if (v) {
                accepted++;
                CHECK(ngx_http_pf_json_type(v) >= PF_JSON_NULL);

            } else {
                refused++;
                CHECK(err.len > 0);
            }

            /* and every prefix */
            v = parse(buf, i, 32, &err);
            CHECK(v != NULL || err.len > 0);
        }
    }

    CHECK(accepted > 0 && refused > 0);
}


int
main(void)
{
    pool = ngx_create_pool(4096, NULL);

    test_nested();
    test_accessors_null();
    test_unicode();
    test_depth();
    test_duplicates();
    test_syntax();
    test_integers();
    test_gen();
    test_oom();
    test_mutations();

    ngx_destroy_pool(pool);

    printf("%d checks, %d failed\n", checks, failures);

    return failures ? 1 : 0;
}
