/*
 * pf_common.h -- the helper library every plugin is built with
 * (the .c files of plugins/common, built into each plugin).  It
 * uses only the ABI, through pf_host (defined by PF_PLUGIN), so what two
 * plugins need is written once: strings and keys, ids, roles, records
 * rewritten field-wise, sets, and errors.
 */

#ifndef PF_COMMON_H
#define PF_COMMON_H

#include <stdarg.h>
#include <string.h>

#include "portfolio_plugin.h"


#define PF_SEP          '\x1f'

/* "%.*s" arguments for a pf_str_t */
#define PF_S(s)         (int) (s).len, (s).data


/* --- strings ------------------------------------------------------------- */

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

    return a.len == n && (n == 0 || memcmp(a.data, b, n) == 0);
}


static inline int
pf_same(pf_str_t a, pf_str_t b)
{
    return a.len == b.len
           && (a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
}


/* A NUL-terminated copy that outlives the next write (db values do not). */
pf_str_t pf_copy(pf_req_t *req, pf_str_t s);

/* At most max bytes of s, cut at a character boundary (for messages). */
pf_str_t pf_clip(pf_str_t s, size_t max);

/* UTF-8 characters in s (SPEC: text limits count characters). */
size_t pf_utf8_chars(pf_str_t s);

/* The n parts joined with \x1f into a key that lives as long as req. */
pf_str_t pf_key(pf_req_t *req, int n, ...);


/* --- ids, roles ---------------------------------------------------------- */

/* An id is [A-Za-z0-9_.-]{1,64}: safe inside keys and paths. */
int pf_valid_id(pf_str_t s);

/* The record (an account) has the role: a PF_ROLE_* bit in "roles". */
int pf_has_role(const pf_val_t *rec, uint32_t role);

/* The roles a record's "roles" array names, as PF_ROLE_* bits. */
uint32_t pf_roles(const pf_val_t *rec);


/* --- records ------------------------------------------------------------- */

/* A record of one of the plugin's databases, parsed; NULL if missing. */
const pf_val_t *pf_load(pf_req_t *req, const char *db, pf_str_t key);

/* A field as a string (or a number's text), empty if absent. */
pf_str_t pf_field(const pf_val_t *rec, const char *name);

/* A field as a whole number, or dflt. */
int64_t pf_int(const pf_val_t *rec, const char *name, int64_t dflt);

/* v is a string equal to s. */
int pf_str_is(const pf_val_t *v, pf_str_t s);

/* Writes any parsed value out again. */
int pf_copy_value(pf_gen_t *g, const pf_val_t *v);

/* Writes every field of rec except those named in skip (NULL-ended). */
void pf_copy_fields(pf_gen_t *g, const pf_val_t *rec,
    const char *const *skip);

/* A string or a whole number as JSON text (values for pf_rewrite()). */
pf_str_t pf_jstr(pf_req_t *req, pf_str_t s);
pf_str_t pf_jint(pf_req_t *req, int64_t n);

/*
 * rec written again with the n named fields replaced by raw JSON texts and
 * every other field kept as it was, in its place; named fields rec lacked
 * are added at the end.  Other plugins' fields survive.
 */
pf_str_t pf_rewrite(pf_req_t *req, const pf_val_t *rec, size_t n,
    const char *const *keys, const pf_str_t *raws);


/* --- sets and maps ------------------------------------------------------- */

/*
 * A string-keyed hash map in the request's memory (open addressing,
 * FNV-1a); keys are not copied.  As a set: pf_map_add() answers 1 for a
 * key it did not have.
 */
typedef struct {
    pf_str_t        key;
    void           *value;
} pf_slot_t;

typedef struct {
    pf_req_t       *req;
    pf_slot_t      *slots;
    size_t          cap;
    size_t          n;
} pf_map_t;

int pf_map_init(pf_map_t *m, pf_req_t *req, size_t hint);
void *pf_map_get(pf_map_t *m, pf_str_t key, int *found);
int pf_map_put(pf_map_t *m, pf_str_t key, void *value);
int pf_map_add(pf_map_t *m, pf_str_t key);


/*
 * A list of strings that grows in the request's memory, in the order
 * added; with pf_list_add_new() each at most once.
 */
typedef struct {
    pf_req_t       *req;
    pf_str_t       *items;
    size_t          n;
    size_t          cap;
} pf_list_t;

void pf_list_init(pf_list_t *l, pf_req_t *req);
int pf_list_add(pf_list_t *l, pf_str_t s);
int pf_list_add_new(pf_list_t *l, pf_str_t s);
int pf_list_has(const pf_list_t *l, pf_str_t s);


/* --- answers ------------------------------------------------------------- */

/* "school/<domain>": the audit subject of a school's own changes. */
pf_str_t pf_school_subject(pf_req_t *req, pf_str_t school);

/* 404 unless {school} names a school: 0, or the error's status. */
int pf_school_exists(pf_req_t *req, pf_str_t school);


/* --- values and query arguments ------------------------------------------ */

/* v is JSON true (absent, false or anything else is not). */
int pf_is_true(const pf_val_t *v);

/* A whole number from a query argument such as ?limit=, or -1. */
int64_t pf_arg_int(pf_str_t s);


#endif /* PF_COMMON_H */
