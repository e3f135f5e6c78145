/*
 * pf_common.h -- small helpers every plugin needs, header-only so each
 * plugin stays one self-contained shared object.  Uses only the ABI.
 *
 * Include after portfolio_plugin.h, and define PF_HOST as the expression
 * naming the plugin's host table (usually "host") before including.
 */

#ifndef PF_COMMON_H
#define PF_COMMON_H

#include <stdarg.h>
#include <string.h>

#include "portfolio_plugin.h"

#ifndef PF_HOST
#error "define PF_HOST (the plugin's const pf_host_api_t *) first"
#endif


#define PF_SEP  '\x1f'


static inline pf_str_t
pf_cstr(const char *s)
{
    pf_str_t  r;

    r.data = s;
    r.len = s ? strlen(s) : 0;

    return r;
}


static inline int
pf_eq(pf_str_t a, const char *b)
{
    size_t  n = strlen(b);

    return a.len == n && memcmp(a.data, b, n) == 0;
}


static inline int
pf_same(pf_str_t a, pf_str_t b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
}


/* Joins n parts with \x1f into a key that lives as long as the request. */

static inline pf_str_t
pf_key(pf_req_t *req, int n, ...)
{
    int        i;
    char      *p, *start;
    size_t     len;
    va_list    args;
    pf_str_t   part, key;

    len = 0;
    va_start(args, n);

    for (i = 0; i < n; i++) {
        part = va_arg(args, pf_str_t);
        len += part.len + 1;
    }

    va_end(args);

    start = PF_HOST->alloc(req, len + 1);
    if (start == NULL) {
        key.data = NULL;
        key.len = 0;
        return key;
    }

    p = start;
    va_start(args, n);

    for (i = 0; i < n; i++) {
        part = va_arg(args, pf_str_t);

        if (i) {
            *p++ = PF_SEP;
        }

        if (part.len) {
            memcpy(p, part.data, part.len);
        }

        p += part.len;
    }

    va_end(args);
    *p = '\0';

    key.data = start;
    key.len = (size_t) (p - start);

    return key;
}


/* An id is [A-Za-z0-9_.-]{1,64}: safe inside keys and paths. */

static inline int
pf_valid_id(pf_str_t s)
{
    size_t  i;
    char    c;

    if (s.len == 0 || s.len > 64) {
        return 0;
    }

    for (i = 0; i < s.len; i++) {
        c = s.data[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
        {
            return 0;
        }
    }

    return 1;
}


/* A record from a database, parsed; NULL if missing. */

static inline const pf_val_t *
pf_load(pf_req_t *req, const char *db, pf_str_t key)
{
    pf_str_t  value;

    if (PF_HOST->db_get(req, db, key, &value) != PF_OK) {
        return NULL;
    }

    return PF_HOST->parse(req, value);
}


/* Writes any parsed value out again. */

static int
pf_copy_value(pf_gen_t *g, const pf_val_t *v)
{
    size_t  i, n;

    switch (PF_HOST->type(v)) {

    case PF_JSON_NULL:
        return PF_HOST->null(g);

    case PF_JSON_FALSE:
        return PF_HOST->boolean(g, 0);

    case PF_JSON_TRUE:
        return PF_HOST->boolean(g, 1);

    case PF_JSON_NUMBER:
        return PF_HOST->raw(g, PF_HOST->str(v));

    case PF_JSON_STRING:
        return PF_HOST->string(g, PF_HOST->str(v));

    case PF_JSON_ARRAY:
        n = PF_HOST->count(v);
        PF_HOST->array_open(g);

        for (i = 0; i < n; i++) {
            pf_copy_value(g, PF_HOST->at(v, i));
        }

        return PF_HOST->array_close(g);

    case PF_JSON_OBJECT:
        n = PF_HOST->count(v);
        PF_HOST->map_open(g);

        for (i = 0; i < n; i++) {
            PF_HOST->string(g, PF_HOST->key_at(v, i));
            pf_copy_value(g, PF_HOST->at(v, i));
        }

        return PF_HOST->map_close(g);

    default:
        return PF_HOST->null(g);
    }
}


/* Writes every field of rec except those named in skip (NULL-ended). */

static inline void
pf_copy_fields(pf_gen_t *g, const pf_val_t *rec, const char *const *skip)
{
    size_t     i, n, k;
    pf_str_t   name;

    n = PF_HOST->count(rec);

    for (i = 0; i < n; i++) {
        name = PF_HOST->key_at(rec, i);

        for (k = 0; skip && skip[k]; k++) {
            if (pf_eq(name, skip[k])) {
                break;
            }
        }

        if (skip && skip[k]) {
            continue;
        }

        PF_HOST->string(g, name);
        pf_copy_value(g, PF_HOST->at(rec, i));
    }
}


/*
 * Windows (SPEC AD3): "<level>window/<term>/<kind>" settings holding
 * {"from": ms, "to": ms} at school, city and nation level.  Open when at
 * least one level sets a window and every level that sets one contains
 * now.  *to is the earliest closing time (the deadline students see).
 * Returns 1 open, 0 closed.
 */

static inline int
pf_window_level(pf_req_t *req, pf_str_t key, int64_t now, int *set,
    int64_t *to)
{
    int64_t          f, t;
    const pf_val_t  *w;

    w = pf_load(req, "settings", key);
    if (w == NULL) {
        return 1;
    }

    *set = 1;

    if (PF_HOST->integer(PF_HOST->get(w, "from"), &f) != PF_OK
        || PF_HOST->integer(PF_HOST->get(w, "to"), &t) != PF_OK)
    {
        return 0;
    }

    if (*to == 0 || t < *to) {
        *to = t;
    }

    return now >= f && now < t;
}


static inline int
pf_window_open(pf_req_t *req, pf_str_t school, pf_str_t term,
    const char *kind, int64_t *to)
{
    int       set, open;
    int64_t   now, deadline;
    pf_str_t  key;

    now = PF_HOST->now_ms(req);
    set = 0;
    deadline = 0;
    open = 1;

    key = PF_HOST->sprintf(req, "school/%.*s/window/%.*s/%s",
                           (int) school.len, school.data,
                           (int) term.len, term.data, kind);
    open &= pf_window_level(req, key, now, &set, &deadline);

    key = PF_HOST->sprintf(req, "city/window/%.*s/%s",
                           (int) term.len, term.data, kind);
    open &= pf_window_level(req, key, now, &set, &deadline);

    key = PF_HOST->sprintf(req, "nation/window/%.*s/%s",
                           (int) term.len, term.data, kind);
    open &= pf_window_level(req, key, now, &set, &deadline);

    if (to) {
        *to = deadline;
    }

    return set && open;
}


/* Count of UTF-8 characters (SPEC: descriptions are counted in characters). */

static inline size_t
pf_utf8_chars(pf_str_t s)
{
    size_t  i, n;

    n = 0;

    for (i = 0; i < s.len; i++) {
        if (((unsigned char) s.data[i] & 0xc0) != 0x80) {
            n++;
        }
    }

    return n;
}


/*
 * Peeking at a stored record without parsing it: the raw text of the
 * values of some top-level keys of a JSON object, as stored (strings with
 * their quotes).  Lists answer most records as stored, so building a tree
 * only to read three fields was most of their cost.  Lenient about what
 * it skips (the store holds what the host generated) but never reads past
 * the text; PF_ERROR (the caller parses instead) on anything it does not
 * follow, on a wanted key seen twice, or on an escaped key.
 */

static inline int
pf_peek_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}


static inline size_t
pf_peek_skip_ws(pf_str_t s, size_t i)
{
    while (i < s.len && pf_peek_ws(s.data[i])) {
        i++;
    }

    return i;
}


/*
 * From an opening quote: the index after the closing one, 0 if none.
 * "escaped" (keys only) says whether the string holds an escape.
 */

static inline size_t
pf_peek_string(pf_str_t s, size_t i, int *escaped)
{
    const char  *q, *b, *start;

    start = s.data + i + 1;

    for (i++; i < s.len; i = q - s.data + 1) {
        q = memchr(s.data + i, '"', s.len - i);
        if (q == NULL) {
            return 0;
        }

        /* an even run of backslashes before it: the closing quote */
        for (b = q; b > s.data + i && b[-1] == '\\'; b--) { /* void */ }

        if (((q - b) & 1) == 0) {
            if (escaped && memchr(start, '\\', q - start) != NULL) {
                *escaped = 1;
            }

            return q - s.data + 1;
        }
    }

    return 0;
}


/* One value from i: the index after it, 0 if it does not end. */

static inline size_t
pf_peek_value(pf_str_t s, size_t i)
{
    size_t  depth;

    if (i >= s.len) {
        return 0;
    }

    if (s.data[i] == '"') {
        return pf_peek_string(s, i, NULL);
    }

    if (s.data[i] != '{' && s.data[i] != '[') {
        while (i < s.len && s.data[i] != ',' && s.data[i] != '}'
               && s.data[i] != ']' && !pf_peek_ws(s.data[i]))
        {
            i++;
        }

        return i;
    }

    depth = 0;

    while (i < s.len) {
        switch (s.data[i]) {

        case '"':
            i = pf_peek_string(s, i, NULL);
            if (i == 0) {
                return 0;
            }
            continue;

        case '{':
        case '[':
            depth++;
            break;

        case '}':
        case ']':
            if (--depth == 0) {
                return i + 1;
            }
            break;
        }

        i++;
    }

    return 0;
}


/*
 * names: NULL-terminated, at most 16; out[k] is names[k]'s raw value, len 0
 * if absent.
 */

static inline int
pf_peek(pf_str_t s, const char *const *names, pf_str_t *out)
{
    int     esc;
    size_t  i, k, key, end, n, lens[16];

    for (k = 0; names[k]; k++) {
        if (k == 16) {
            return PF_ERROR;
        }

        lens[k] = strlen(names[k]);
        out[k].data = NULL;
        out[k].len = 0;
    }

    i = pf_peek_skip_ws(s, 0);

    if (i >= s.len || s.data[i] != '{') {
        return PF_ERROR;
    }

    i = pf_peek_skip_ws(s, i + 1);

    if (i < s.len && s.data[i] == '}') {
        return PF_OK;
    }

    for ( ;; ) {
        if (i >= s.len || s.data[i] != '"') {
            return PF_ERROR;
        }

        esc = 0;
        key = i + 1;
        end = pf_peek_string(s, i, &esc);

        if (end == 0 || esc) {
            return PF_ERROR;
        }

        n = end - 1 - key;
        i = pf_peek_skip_ws(s, end);

        if (i >= s.len || s.data[i] != ':') {
            return PF_ERROR;
        }

        i = pf_peek_skip_ws(s, i + 1);
        end = pf_peek_value(s, i);

        if (end == 0 || end == i) {
            return PF_ERROR;
        }

        for (k = 0; names[k]; k++) {
            if (lens[k] == n && names[k][0] == s.data[key]
                && memcmp(names[k], s.data + key, n) == 0)
            {
                if (out[k].len) {
                    return PF_ERROR;
                }

                out[k].data = s.data + i;
                out[k].len = end - i;
                break;
            }
        }

        i = pf_peek_skip_ws(s, end);

        if (i < s.len && s.data[i] == ',') {
            i = pf_peek_skip_ws(s, i + 1);
            continue;
        }

        if (i < s.len && s.data[i] == '}'
            && pf_peek_skip_ws(s, i + 1) == s.len)
        {
            return PF_OK;
        }

        return PF_ERROR;
    }
}


/*
 * A peeked value is this string: quoted, nothing escaped (an escape may
 * spell the same string another way: the caller parses then).  1 yes,
 * 0 no, -1 cannot tell.
 */

static inline int
pf_peek_is(pf_str_t raw, pf_str_t s)
{
    if (raw.len < 2 || raw.data[0] != '"') {
        return 0;
    }

    if (memchr(raw.data, '\\', raw.len) != NULL) {
        return -1;
    }

    return raw.len == s.len + 2 && memcmp(raw.data + 1, s.data, s.len) == 0;
}


#endif /* PF_COMMON_H */
