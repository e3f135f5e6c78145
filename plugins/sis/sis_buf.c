/*
 * sis_buf.c -- the JSON text builder of the sis plugin's records and
 * account fields (sis.h says why not the host's generator).  Strings are
 * escaped as JSON needs; their UTF-8 was checked where they came in.
 */

#include <string.h>
#include <stdio.h>

#include "sis.h"


void
sis_buf_init(sis_buf_t *b, pf_req_t *req, size_t cap)
{
    b->req = req;
    b->len = 0;
    b->comma = 0;
    b->failed = 0;
    b->cap = cap ? cap : 256;
    b->data = pf_host->alloc(req, b->cap);

    if (b->data == NULL) {
        b->failed = 1;
        b->cap = 0;
    }
}


void
sis_buf_add(sis_buf_t *b, const char *s, size_t n)
{
    char    *p;
    size_t   cap;

    if (b->failed) {
        return;
    }

    if (b->len + n > b->cap) {
        cap = b->cap * 2;

        while (cap < b->len + n) {
            cap *= 2;
        }

        /* pool memory is not freed one piece at a time; doubling keeps
           the waste under the final size */
        p = pf_host->alloc(b->req, cap);
        if (p == NULL) {
            b->failed = 1;
            return;
        }

        memcpy(p, b->data, b->len);
        b->data = p;
        b->cap = cap;
    }

    memcpy(b->data + b->len, s, n);
    b->len += n;
}


static void
sis_buf_sep(sis_buf_t *b)
{
    if (b->comma) {
        sis_buf_add(b, ",", 1);
    }
}


void
sis_buf_open(sis_buf_t *b, char c)
{
    sis_buf_sep(b);
    sis_buf_add(b, &c, 1);
    b->comma = 0;
}


void
sis_buf_close(sis_buf_t *b, char c)
{
    sis_buf_add(b, &c, 1);
    b->comma = 1;
}


static void
sis_buf_quoted(sis_buf_t *b, pf_str_t s)
{
    char           esc[8];
    size_t         i, start;
    unsigned char  c;

    sis_buf_add(b, "\"", 1);
    start = 0;

    for (i = 0; i < s.len; i++) {
        c = (unsigned char) s.data[i];

        if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }

        sis_buf_add(b, s.data + start, i - start);

        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char) c;
            sis_buf_add(b, esc, 2);

        } else {
            snprintf(esc, sizeof(esc), "\\u%04x", c);
            sis_buf_add(b, esc, 6);
        }

        start = i + 1;
    }

    sis_buf_add(b, s.data + start, s.len - start);
    sis_buf_add(b, "\"", 1);
}


/* a key the code names: plain ASCII, so nothing to escape */

void
sis_buf_key(sis_buf_t *b, const char *key)
{
    sis_buf_sep(b);
    sis_buf_add(b, "\"", 1);
    sis_buf_add(b, key, strlen(key));
    sis_buf_add(b, "\":", 2);
    b->comma = 0;
}


/* a key from a stored record: escaped like any string */

void
sis_buf_jkey(sis_buf_t *b, pf_str_t key)
{
    sis_buf_sep(b);
    sis_buf_quoted(b, key);
    sis_buf_add(b, ":", 1);
    b->comma = 0;
}


void
sis_buf_str(sis_buf_t *b, pf_str_t s)
{
    sis_buf_sep(b);
    sis_buf_quoted(b, s);
    b->comma = 1;
}


void
sis_buf_cstr(sis_buf_t *b, const char *s)
{
    pf_str_t  str;

    str.data = s;
    str.len = strlen(s);
    sis_buf_str(b, str);
}


void
sis_buf_int(sis_buf_t *b, int64_t n)
{
    int   len;
    char  num[32];

    len = snprintf(num, sizeof(num), "%lld", (long long) n);
    sis_buf_rawval(b, (pf_str_t) { (size_t) len, num });
}


void
sis_buf_rawval(sis_buf_t *b, pf_str_t json)
{
    sis_buf_sep(b);
    sis_buf_add(b, json.data, json.len);
    b->comma = 1;
}


void
sis_buf_null(sis_buf_t *b)
{
    sis_buf_rawval(b, pf_string("null"));
}


/* Writes a parsed value back out (records are rewritten field-wise). */

void
sis_buf_value(sis_buf_t *b, const pf_val_t *v)
{
    size_t  i, n;

    switch (pf_host->type(v)) {

    case PF_JSON_FALSE:
        sis_buf_rawval(b, pf_string("false"));
        break;

    case PF_JSON_TRUE:
        sis_buf_rawval(b, pf_string("true"));
        break;

    case PF_JSON_NUMBER:
        sis_buf_rawval(b, pf_host->str(v));
        break;

    case PF_JSON_STRING:
        sis_buf_str(b, pf_host->str(v));
        break;

    case PF_JSON_ARRAY:
        n = pf_host->count(v);
        sis_buf_open(b, '[');

        for (i = 0; i < n; i++) {
            sis_buf_value(b, pf_host->at(v, i));
        }

        sis_buf_close(b, ']');
        break;

    case PF_JSON_OBJECT:
        n = pf_host->count(v);
        sis_buf_open(b, '{');

        for (i = 0; i < n; i++) {
            sis_buf_jkey(b, pf_host->key_at(v, i));
            sis_buf_value(b, pf_host->at(v, i));
        }

        sis_buf_close(b, '}');
        break;

    default:
        sis_buf_null(b);
        break;
    }
}


pf_str_t
sis_buf_text(sis_buf_t *b)
{
    if (b->failed) {
        return (pf_str_t) { 0, NULL };
    }

    return (pf_str_t) { b->len, b->data };
}


/* "key": the text, or null if it is empty. */

void
sis_buf_opt(sis_buf_t *b, const char *key, pf_str_t v)
{
    sis_buf_key(b, key);

    if (v.len) {
        sis_buf_str(b, v);

    } else {
        sis_buf_null(b);
    }
}
