/*
 * sis_util.c -- the sis plugin's small tools: a JSON text builder, a hash
 * map, and the field checks of SPEC S1 (national ID checksum, terms,
 * grades, dates).
 */

#include <string.h>
#include <stdio.h>

#include "sis.h"


/* JSON text builder */

void
sis_buf_init(sis_buf_t *b, pf_req_t *req, size_t cap)
{
    b->req = req;
    b->len = 0;
    b->comma = 0;
    b->failed = 0;
    b->cap = cap ? cap : 256;
    b->data = sis_host->alloc(req, b->cap);

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
        p = sis_host->alloc(b->req, cap);
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

    switch (sis_host->type(v)) {

    case PF_JSON_FALSE:
        sis_buf_rawval(b, pf_string("false"));
        break;

    case PF_JSON_TRUE:
        sis_buf_rawval(b, pf_string("true"));
        break;

    case PF_JSON_NUMBER:
        sis_buf_rawval(b, sis_host->str(v));
        break;

    case PF_JSON_STRING:
        sis_buf_str(b, sis_host->str(v));
        break;

    case PF_JSON_ARRAY:
        n = sis_host->count(v);
        sis_buf_open(b, '[');

        for (i = 0; i < n; i++) {
            sis_buf_value(b, sis_host->at(v, i));
        }

        sis_buf_close(b, ']');
        break;

    case PF_JSON_OBJECT:
        n = sis_host->count(v);
        sis_buf_open(b, '{');

        for (i = 0; i < n; i++) {
            sis_buf_jkey(b, sis_host->key_at(v, i));
            sis_buf_value(b, sis_host->at(v, i));
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


/* Hash map: open addressing, FNV-1a; keys are not copied. */

static uint64_t
sis_hash(pf_str_t key)
{
    size_t    i;
    uint64_t  h;

    h = 14695981039346656037ULL;

    for (i = 0; i < key.len; i++) {
        h ^= (unsigned char) key.data[i];
        h *= 1099511628211ULL;
    }

    return h;
}


int
sis_map_init(sis_map_t *m, pf_req_t *req, size_t hint)
{
    size_t  cap;

    cap = 16;

    while (cap < hint * 2) {
        cap *= 2;
    }

    m->req = req;
    m->n = 0;
    m->cap = cap;
    m->slots = sis_host->alloc(req, cap * sizeof(sis_slot_t));

    if (m->slots == NULL) {
        m->cap = 0;
        return PF_ERROR;
    }

    memset(m->slots, 0, cap * sizeof(sis_slot_t));

    return PF_OK;
}


static sis_slot_t *
sis_map_slot(sis_slot_t *slots, size_t cap, pf_str_t key)
{
    size_t  i;

    i = (size_t) sis_hash(key) & (cap - 1);

    while (slots[i].key.data != NULL) {
        if (sis_same(slots[i].key, key)) {
            return &slots[i];
        }

        i = (i + 1) & (cap - 1);
    }

    return &slots[i];
}


void *
sis_map_get(sis_map_t *m, pf_str_t key, int *found)
{
    sis_slot_t  *s;

    if (m->cap == 0 || key.data == NULL) {
        if (found) {
            *found = 0;
        }

        return NULL;
    }

    s = sis_map_slot(m->slots, m->cap, key);

    if (found) {
        *found = (s->key.data != NULL);
    }

    return s->key.data ? s->value : NULL;
}


int
sis_map_put(sis_map_t *m, pf_str_t key, void *value)
{
    size_t       i, cap;
    sis_slot_t  *s, *slots;

    if (m->cap == 0 || key.data == NULL) {
        return PF_ERROR;
    }

    if ((m->n + 1) * 2 > m->cap) {
        cap = m->cap * 2;
        slots = sis_host->alloc(m->req, cap * sizeof(sis_slot_t));
        if (slots == NULL) {
            return PF_ERROR;
        }

        memset(slots, 0, cap * sizeof(sis_slot_t));

        for (i = 0; i < m->cap; i++) {
            if (m->slots[i].key.data) {
                *sis_map_slot(slots, cap, m->slots[i].key) = m->slots[i];
            }
        }

        m->slots = slots;
        m->cap = cap;
    }

    s = sis_map_slot(m->slots, m->cap, key);

    if (s->key.data == NULL) {
        s->key = key;
        m->n++;
    }

    s->value = value;

    return PF_OK;
}


/* strings */

int
sis_eq(pf_str_t a, const char *b)
{
    size_t  len;

    len = strlen(b);

    return a.len == len && (len == 0 || memcmp(a.data, b, len) == 0);
}


int
sis_same(pf_str_t a, pf_str_t b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
}


/* Stored values are valid only until the next write: keep copies. */

pf_str_t
sis_copy(pf_req_t *req, pf_str_t s)
{
    char  *p;

    p = sis_host->alloc(req, s.len + 1);
    if (p == NULL) {
        return (pf_str_t) { 0, NULL };
    }

    if (s.len) {
        memcpy(p, s.data, s.len);
    }

    p[s.len] = '\0';

    return (pf_str_t) { s.len, p };
}


pf_str_t
sis_trim(pf_str_t s)
{
    while (s.len && (s.data[0] == ' ' || s.data[0] == '\t')) {
        s.data++;
        s.len--;
    }

    while (s.len && (s.data[s.len - 1] == ' ' || s.data[s.len - 1] == '\t'))
    {
        s.len--;
    }

    return s;
}


/* At most max bytes of s, cut at a character boundary (for messages). */

pf_str_t
sis_clip(pf_str_t s, size_t max)
{
    if (s.len <= max) {
        return s;
    }

    s.len = max;

    while (s.len && ((unsigned char) s.data[s.len] & 0xc0) == 0x80) {
        s.len--;
    }

    return s;
}


/* "113-1": an ROC year of 2 or 3 digits, semester 1 or 2. */

int
sis_term_ok(pf_str_t term)
{
    size_t  y;

    for (y = 0; y < term.len && term.data[y] >= '0' && term.data[y] <= '9';
         y++)
    {
        /* the year's digits */
    }

    return (y == 2 || y == 3)
           && term.data[0] != '0'
           && term.len == y + 2
           && term.data[y] == '-'
           && (term.data[y + 1] == '1' || term.data[y + 1] == '2');
}


/* Ids go into keys: [A-Za-z0-9_.-] only (plugins/README.md). */

int
sis_is_id(pf_str_t s, size_t max)
{
    size_t  i;
    char    c;

    if (s.len == 0 || s.len > max) {
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


int
sis_is_digits(pf_str_t s, size_t min, size_t max)
{
    size_t  i;

    if (s.len < min || s.len > max) {
        return 0;
    }

    for (i = 0; i < s.len; i++) {
        if (s.data[i] < '0' || s.data[i] > '9') {
            return 0;
        }
    }

    return 1;
}


/* A whole number 0..max; a trailing ".0" (spreadsheets) is allowed. */

int
sis_uint(pf_str_t s, int64_t max, int64_t *out)
{
    size_t   i;
    int64_t  n;

    if (s.len > 2 && s.data[s.len - 2] == '.' && s.data[s.len - 1] == '0') {
        s.len -= 2;
    }

    if (!sis_is_digits(s, 1, 12)) {
        return PF_ERROR;
    }

    n = 0;

    for (i = 0; i < s.len; i++) {
        n = n * 10 + (s.data[i] - '0');
    }

    if (n > max) {
        return PF_ERROR;
    }

    *out = n;

    return PF_OK;
}


/* Strict UTF-8: no overlong forms, surrogates, or NUL (JSON must read it
   back). */

int
sis_utf8_ok(const char *data, size_t len)
{
    size_t               n, k;
    uint32_t             cp, min;
    const unsigned char *p, *last;

    p = (const unsigned char *) data;
    last = p + len;

    while (p < last) {
        if (*p < 0x80) {
            if (*p == 0) {
                return 0;
            }

            p++;
            continue;
        }

        if ((*p & 0xe0) == 0xc0) {
            n = 1; cp = *p & 0x1f; min = 0x80;

        } else if ((*p & 0xf0) == 0xe0) {
            n = 2; cp = *p & 0x0f; min = 0x800;

        } else if ((*p & 0xf8) == 0xf0) {
            n = 3; cp = *p & 0x07; min = 0x10000;

        } else {
            return 0;
        }

        if ((size_t) (last - p) <= n) {
            return 0;
        }

        for (k = 1; k <= n; k++) {
            if ((p[k] & 0xc0) != 0x80) {
                return 0;
            }

            cp = (cp << 6) | (p[k] & 0x3f);
        }

        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return 0;
        }

        p += n + 1;
    }

    return 1;
}


/* Control characters other than the line breaks and tabs a quoted CSV
   field may hold (ids and numbers are checked by their own patterns). */

int
sis_has_ctl(pf_str_t s)
{
    size_t  i;
    char    c;

    for (i = 0; i < s.len; i++) {
        c = s.data[i];

        if (((unsigned char) c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            || c == 0x7f)
        {
            return 1;
        }
    }

    return 0;
}


/*
 * The national ID (身分證統一編號): a letter for the place of first
 * registration and 9 digits, the first 1 or 2 (citizens) or 8 or 9 (the
 * resident certificates of 2021, which share the checksum).  The letter
 * is worth a 2-digit number; its tens count once and its ones 9 times,
 * then the digits with weights 8 7 6 5 4 3 2 1 1; the sum is a multiple
 * of 10.
 */

int
sis_nid_check(pf_str_t s)
{
    static const int  letter[26] = {
        10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21,
        22, 35, 23, 24, 25, 26, 27, 28, 29, 32, 30, 31, 33
    };
    static const int  weight[9] = { 8, 7, 6, 5, 4, 3, 2, 1, 1 };

    int     c, v, sum;
    size_t  i;

    if (s.len != 10) {
        return SIS_NID_FORMAT;
    }

    c = s.data[0];

    if (c >= 'a' && c <= 'z') {
        c -= 'a' - 'A';
    }

    if (c < 'A' || c > 'Z' || !sis_is_digits((pf_str_t) { 9, s.data + 1 },
                                             9, 9))
    {
        return SIS_NID_FORMAT;
    }

    if (s.data[1] != '1' && s.data[1] != '2' && s.data[1] != '8'
        && s.data[1] != '9')
    {
        return SIS_NID_FORMAT;
    }

    v = letter[c - 'A'];
    sum = v / 10 + (v % 10) * 9;

    for (i = 0; i < 9; i++) {
        sum += (s.data[i + 1] - '0') * weight[i];
    }

    return sum % 10 == 0 ? SIS_NID_OK : SIS_NID_CHECKSUM;
}


/* A grade: 0..100 with at most two decimals; written back as a JSON
   number without leading zeros ("087.50" -> 87.5). */

int
sis_grade(pf_req_t *req, pf_str_t s, pf_str_t *out)
{
    size_t   i, dot, frac;
    int64_t  whole, hundredths;

    dot = s.len;
    whole = 0;
    hundredths = 0;

    for (i = 0; i < s.len; i++) {
        if (s.data[i] == '.' && dot == s.len) {
            dot = i;
            continue;
        }

        if (s.data[i] < '0' || s.data[i] > '9') {
            return PF_ERROR;
        }
    }

    frac = dot < s.len ? s.len - dot - 1 : 0;

    if (dot == 0 || dot > 3 || (dot < s.len && (frac == 0 || frac > 2))) {
        return PF_ERROR;
    }

    for (i = 0; i < dot; i++) {
        whole = whole * 10 + (s.data[i] - '0');
    }

    for (i = 0; i < 2; i++) {
        hundredths *= 10;

        if (i < frac) {
            hundredths += s.data[dot + 1 + i] - '0';
        }
    }

    if (whole > 100 || (whole == 100 && hundredths > 0)) {
        return PF_ERROR;
    }

    if (hundredths == 0) {
        *out = sis_host->sprintf(req, "%lld", (long long) whole);

    } else if (hundredths % 10 == 0) {
        *out = sis_host->sprintf(req, "%lld.%lld", (long long) whole,
                                 (long long) (hundredths / 10));

    } else {
        *out = sis_host->sprintf(req, "%lld.%02lld", (long long) whole,
                                 (long long) hundredths);
    }

    return out->len ? PF_OK : PF_ERROR;
}


/*
 * A date as YYYY-MM-DD or YYYY/MM/DD, or in the ROC calendar that school
 * systems export (113/08/30, 113-8-30); written back as YYYY-MM-DD.
 */

int
sis_date(pf_req_t *req, pf_str_t s, pf_str_t *out)
{
    static const int  mdays[12] = {
        31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
    };

    int      part[3], np, len, year, leap;
    char     sep;
    size_t   i;

    np = 0;
    len = 0;
    part[0] = part[1] = part[2] = 0;
    sep = 0;

    for (i = 0; i < s.len; i++) {
        if (s.data[i] >= '0' && s.data[i] <= '9') {
            if (++len > 4) {
                return PF_ERROR;
            }

            part[np] = part[np] * 10 + (s.data[i] - '0');
            continue;
        }

        if ((s.data[i] != '-' && s.data[i] != '/') || len == 0 || np == 2
            || (sep && s.data[i] != sep))
        {
            return PF_ERROR;
        }

        if (np == 0 && len < 2) {
            return PF_ERROR;
        }

        if (np > 0 && len > 2) {
            return PF_ERROR;
        }

        sep = s.data[i];
        np++;
        len = 0;
    }

    if (np != 2 || len == 0 || len > 2) {
        return PF_ERROR;
    }

    year = part[0];

    if (year < 1000) {
        year += 1911;           /* 民國 */
    }

    if (year < 1912 || year > 2200 || part[1] < 1 || part[1] > 12
        || part[2] < 1 || part[2] > mdays[part[1] - 1])
    {
        return PF_ERROR;
    }

    leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

    if (part[1] == 2 && part[2] == 29 && !leap) {
        return PF_ERROR;
    }

    *out = sis_host->sprintf(req, "%04d-%02d-%02d", year, part[1], part[2]);

    return out->len ? PF_OK : PF_ERROR;
}


int
sis_has_role(const pf_val_t *user, const char *role)
{
    size_t           i, n;
    const pf_val_t  *roles;

    roles = sis_host->get(user, "roles");
    n = sis_host->count(roles);

    for (i = 0; i < n; i++) {
        if (sis_eq(sis_host->str(sis_host->at(roles, i)), role)) {
            return 1;
        }
    }

    return 0;
}


/* Course kinds (plugins/README.md): the stored spelling, or NULL. */

const char *
sis_kind_ok(pf_str_t kind)
{
    static const char *const  kinds[] = {
        "normal", "make_up", "retake", "repeat", "transfer", "visiting",
        "night", NULL
    };

    size_t  i;

    for (i = 0; kinds[i]; i++) {
        if (sis_eq(kind, kinds[i])) {
            return kinds[i];
        }
    }

    return NULL;
}
