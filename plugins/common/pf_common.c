/*
 * pf_common.c -- the helper library every plugin is built with; see
 * pf_common.h.
 */

#include <stdlib.h>
#include <string.h>

#include "pf_common.h"


/* --- strings ------------------------------------------------------------- */

pf_str_t
pf_copy(pf_req_t *req, pf_str_t s)
{
    char  *p;

    p = pf_host->alloc(req, s.len + 1);
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
pf_clip(pf_str_t s, size_t max)
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


size_t
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


pf_str_t
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

    start = pf_host->alloc(req, len + 1);
    if (start == NULL) {
        return (pf_str_t) { 0, NULL };
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


/* --- ids, roles ---------------------------------------------------------- */

int
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


uint32_t
pf_roles(const pf_val_t *rec)
{
    size_t           i, n;
    uint32_t         bits;
    const pf_val_t  *roles;

    roles = pf_host->get(rec, "roles");

    if (pf_host->type(roles) != PF_JSON_ARRAY) {
        return 0;
    }

    bits = 0;
    n = pf_host->count(roles);

    for (i = 0; i < n; i++) {
        bits |= pf_role_bit(pf_host->str(pf_host->at(roles, i)));
    }

    return bits;
}


int
pf_has_role(const pf_val_t *rec, uint32_t role)
{
    return (pf_roles(rec) & role) != 0;
}


/* --- records ------------------------------------------------------------- */

const pf_val_t *
pf_load(pf_req_t *req, const char *db, pf_str_t key)
{
    pf_str_t  value;

    if (pf_host->db_get(req, db, key, &value) != PF_OK) {
        return NULL;
    }

    return pf_host->parse(req, value);
}


pf_str_t
pf_field(const pf_val_t *rec, const char *name)
{
    return pf_host->str(pf_host->get(rec, name));
}


int64_t
pf_int(const pf_val_t *rec, const char *name, int64_t dflt)
{
    int64_t  n;

    if (pf_host->integer(pf_host->get(rec, name), &n) != PF_OK) {
        return dflt;
    }

    return n;
}


int
pf_str_is(const pf_val_t *v, pf_str_t s)
{
    return pf_host->type(v) == PF_JSON_STRING && pf_same(pf_host->str(v), s);
}


int
pf_copy_value(pf_gen_t *g, const pf_val_t *v)
{
    size_t  i, n;

    switch (pf_host->type(v)) {

    case PF_JSON_NULL:
        return pf_host->null(g);

    case PF_JSON_FALSE:
        return pf_host->boolean(g, 0);

    case PF_JSON_TRUE:
        return pf_host->boolean(g, 1);

    case PF_JSON_NUMBER:
        return pf_host->raw(g, pf_host->str(v));

    case PF_JSON_STRING:
        return pf_host->string(g, pf_host->str(v));

    case PF_JSON_ARRAY:
        n = pf_host->count(v);
        pf_host->array_open(g);

        for (i = 0; i < n; i++) {
            pf_copy_value(g, pf_host->at(v, i));
        }

        return pf_host->array_close(g);

    case PF_JSON_OBJECT:
        n = pf_host->count(v);
        pf_host->map_open(g);

        for (i = 0; i < n; i++) {
            pf_host->string(g, pf_host->key_at(v, i));
            pf_copy_value(g, pf_host->at(v, i));
        }

        return pf_host->map_close(g);

    default:
        return pf_host->null(g);
    }
}


void
pf_copy_fields(pf_gen_t *g, const pf_val_t *rec, const char *const *skip)
{
    size_t     i, n, k;
    pf_str_t   name;

    n = pf_host->count(rec);

    for (i = 0; i < n; i++) {
        name = pf_host->key_at(rec, i);

        for (k = 0; skip && skip[k]; k++) {
            if (pf_eq(name, skip[k])) {
                break;
            }
        }

        if (skip && skip[k]) {
            continue;
        }

        pf_host->string(g, name);
        pf_copy_value(g, pf_host->at(rec, i));
    }
}


pf_str_t
pf_jstr(pf_req_t *req, pf_str_t s)
{
    pf_gen_t  *g;

    g = pf_host->gen(req);
    pf_host->string(g, s);

    return pf_host->text(g);
}


pf_str_t
pf_jint(pf_req_t *req, int64_t n)
{
    return pf_host->sprintf(req, "%lld", (long long) n);
}


pf_str_t
pf_rewrite(pf_req_t *req, const pf_val_t *rec, size_t n,
    const char *const *keys, const pf_str_t *raws)
{
    char      *done;
    size_t     i, k, count;
    pf_str_t   name;
    pf_gen_t  *g;

    done = pf_host->alloc(req, n + 1);
    if (done == NULL) {
        return (pf_str_t) { 0, NULL };
    }

    memset(done, 0, n + 1);

    g = pf_host->gen(req);
    pf_host->map_open(g);

    count = pf_host->type(rec) == PF_JSON_OBJECT ? pf_host->count(rec) : 0;

    for (i = 0; i < count; i++) {
        name = pf_host->key_at(rec, i);

        for (k = 0; k < n; k++) {
            if (pf_eq(name, keys[k])) {
                break;
            }
        }

        if (k < n) {
            if (!done[k]) {
                pf_host->key(g, keys[k]);
                pf_host->raw(g, raws[k]);
                done[k] = 1;
            }

            continue;
        }

        pf_host->string(g, name);
        pf_copy_value(g, pf_host->at(rec, i));
    }

    for (k = 0; k < n; k++) {
        if (!done[k]) {
            pf_host->key(g, keys[k]);
            pf_host->raw(g, raws[k]);
        }
    }

    pf_host->map_close(g);

    return pf_host->text(g);
}


/* --- sets and maps ------------------------------------------------------- */

static uint64_t
pf_hash(pf_str_t key)
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
pf_map_init(pf_map_t *m, pf_req_t *req, size_t hint)
{
    size_t  cap;

    cap = 16;

    while (cap < hint * 2) {
        cap *= 2;
    }

    m->req = req;
    m->n = 0;
    m->cap = cap;
    m->slots = pf_host->alloc(req, cap * sizeof(pf_slot_t));

    if (m->slots == NULL) {
        m->cap = 0;
        return PF_ERROR;
    }

    memset(m->slots, 0, cap * sizeof(pf_slot_t));

    return PF_OK;
}


static pf_slot_t *
pf_map_slot(pf_slot_t *slots, size_t cap, pf_str_t key)
{
    size_t  i;

    i = (size_t) pf_hash(key) & (cap - 1);

    while (slots[i].key.data != NULL) {
        if (pf_same(slots[i].key, key)) {
            return &slots[i];
        }

        i = (i + 1) & (cap - 1);
    }

    return &slots[i];
}


void *
pf_map_get(pf_map_t *m, pf_str_t key, int *found)
{
    pf_slot_t  *s;

    if (m->cap == 0 || key.data == NULL) {
        if (found) {
            *found = 0;
        }

        return NULL;
    }

    s = pf_map_slot(m->slots, m->cap, key);

    if (found) {
        *found = (s->key.data != NULL);
    }

    return s->key.data ? s->value : NULL;
}


int
pf_map_put(pf_map_t *m, pf_str_t key, void *value)
{
    size_t      i, cap;
    pf_slot_t  *s, *slots;

    if (m->cap == 0 || key.data == NULL) {
        return PF_ERROR;
    }

    if ((m->n + 1) * 2 > m->cap) {
        cap = m->cap * 2;
        slots = pf_host->alloc(m->req, cap * sizeof(pf_slot_t));
        if (slots == NULL) {
            return PF_ERROR;
        }

        memset(slots, 0, cap * sizeof(pf_slot_t));

        for (i = 0; i < m->cap; i++) {
            if (m->slots[i].key.data) {
                *pf_map_slot(slots, cap, m->slots[i].key) = m->slots[i];
            }
        }

        m->slots = slots;
        m->cap = cap;
    }

    s = pf_map_slot(m->slots, m->cap, key);

    if (s->key.data == NULL) {
        s->key = key;
        m->n++;
    }

    s->value = value;

    return PF_OK;
}


/* 1 if the key is new (now added), 0 if it was there, PF_ERROR. */

int
pf_map_add(pf_map_t *m, pf_str_t key)
{
    int  found;

    (void) pf_map_get(m, key, &found);

    if (found) {
        return 0;
    }

    return pf_map_put(m, key, NULL) == PF_OK ? 1 : PF_ERROR;
}


void
pf_list_init(pf_list_t *l, pf_req_t *req)
{
    l->req = req;
    l->items = NULL;
    l->n = 0;
    l->cap = 0;
}


int
pf_list_add(pf_list_t *l, pf_str_t s)
{
    size_t     cap;
    pf_str_t  *items;

    if (l->n == l->cap) {
        cap = l->cap ? l->cap * 2 : 16;
        items = pf_host->alloc(l->req, cap * sizeof(pf_str_t));
        if (items == NULL) {
            return PF_ERROR;
        }

        if (l->n) {
            memcpy(items, l->items, l->n * sizeof(pf_str_t));
        }

        l->items = items;
        l->cap = cap;
    }

    l->items[l->n++] = s;

    return PF_OK;
}


int
pf_list_has(const pf_list_t *l, pf_str_t s)
{
    size_t  i;

    for (i = 0; i < l->n; i++) {
        if (pf_same(l->items[i], s)) {
            return 1;
        }
    }

    return 0;
}


/* Adds s unless the list has it: 1 added, 0 there already, PF_ERROR. */

int
pf_list_add_new(pf_list_t *l, pf_str_t s)
{
    if (pf_list_has(l, s)) {
        return 0;
    }

    return pf_list_add(l, s) == PF_OK ? 1 : PF_ERROR;
}


/* --- answers ------------------------------------------------------------- */

pf_str_t
pf_school_subject(pf_req_t *req, pf_str_t school)
{
    return pf_host->sprintf(req, "school/%.*s", PF_S(school));
}


int
pf_school_exists(pf_req_t *req, pf_str_t school)
{
    if (!pf_valid_id(school) || pf_host->school_get(req, school) == NULL) {
        return pf_host->error(req, 404, "not_found",
                              "找不到這所學校；請確認學校網域名稱是否正確");
    }

    return 0;
}


/* --- values and query arguments ------------------------------------------ */

int
pf_is_true(const pf_val_t *v)
{
    return pf_host->type(v) == PF_JSON_TRUE;
}


int64_t
pf_arg_int(pf_str_t s)
{
    char       buf[24];
    char      *end;
    long long  n;

    if (s.len == 0 || s.len >= sizeof(buf)) {
        return -1;
    }

    memcpy(buf, s.data, s.len);
    buf[s.len] = '\0';
    n = strtoll(buf, &end, 10);

    return (*end != '\0' || end == buf || n < 0) ? -1 : (int64_t) n;
}
