/*
 * pf_peek.h -- reading a few top-level fields of a stored record without
 * parsing it (the outcome list's fast path).  Header-only and pure (no
 * host calls), so t/unit/peek_test.c tests it alone.
 */

#ifndef PF_PEEK_H
#define PF_PEEK_H

#include <string.h>

#include "portfolio_plugin.h"


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


#endif /* PF_PEEK_H */
