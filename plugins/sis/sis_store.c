/*
 * sis_store.c -- a term's stored SIS data: written, cleared, and read
 * into maps for the checks of an import ("already stored for the term")
 * and for rebuilding relations.  What is read is copied (pf_collect): in
 * the writer a stored value is valid only until the next write.
 *
 * Every write of an import goes through sis_db_put() and sis_db_del().
 * The kind's own records (sis_track: one database, under a prefix) are
 * counted there, each key with the value it had before the import's
 * first write to it: added, changed, removed, unchanged (a kind that
 * deleted every stored key first says so, im->cleared, and what it
 * writes then is not read).  A preview
 * (im->dry) runs the same writes and only counts them, so its counts are
 * the import's by construction; it runs in the event loop on a read
 * snapshot, where a write would be refused anyway.
 */

#include <string.h>

#include "sis.h"


/* One counted key: its value before the import and after it. */
typedef struct {
    pf_str_t        old;
    pf_str_t        now;
    unsigned        had:1;
    unsigned        has:1;
} sis_change_t;


int
sis_track(sis_import_t *im, const char *db, pf_str_t prefix)
{
    im->track_db = db;
    im->track_prefix = prefix;

    return pf_map_init(&im->track, im->req, im->nrows + 16);
}


static int
sis_tracked(sis_import_t *im, const char *db, pf_str_t key)
{
    return im->track_db != NULL && strcmp(db, im->track_db) == 0
           && key.len >= im->track_prefix.len
           && memcmp(key.data, im->track_prefix.data, im->track_prefix.len)
              == 0;
}


/* The key's entry; the first touch keeps the stored value (old, if the
   caller read it already). */

static sis_change_t *
sis_change(sis_import_t *im, const char *db, pf_str_t key,
    const pf_str_t *old)
{
    void          **changes;
    size_t          cap;
    pf_str_t        v;
    sis_change_t   *c;

    c = pf_map_get(&im->track, key, NULL);
    if (c != NULL) {
        return c;
    }

    if (im->nchanges == im->changecap) {
        cap = im->changecap ? im->changecap * 2 : 64;
        changes = pf_host->alloc(im->req, cap * sizeof(void *));
        if (changes == NULL) {
            return NULL;
        }

        if (im->nchanges) {
            memcpy(changes, im->changes, im->nchanges * sizeof(void *));
        }

        im->changes = changes;
        im->changecap = cap;
    }

    c = pf_host->alloc(im->req, sizeof(sis_change_t));
    key = pf_copy(im->req, key);

    if (c == NULL || key.data == NULL
        || pf_map_put(&im->track, key, c) != PF_OK)
    {
        return NULL;
    }

    memset(c, 0, sizeof(sis_change_t));

    if (old != NULL) {
        c->had = 1;
        c->old = *old;

    } else if (!im->cleared
               && pf_host->db_get(im->req, db, key, &v) == PF_OK)
    {
        /* in the writer, valid only until the next write */
        c->had = 1;
        c->old = pf_copy(im->req, v);
    }

    c->has = c->had;
    c->now = c->old;
    im->changes[im->nchanges++] = c;

    return c;
}


int
sis_db_put(sis_import_t *im, const char *db, pf_str_t key, pf_str_t value)
{
    sis_change_t  *c;

    if (sis_tracked(im, db, key)) {
        c = sis_change(im, db, key, NULL);
        if (c == NULL) {
            return PF_ERROR;
        }

        c->has = 1;
        c->now = value;
    }

    if (im->dry) {
        return PF_OK;
    }

    return pf_host->db_put(im->req, db, key, value);
}


/* old: the stored value if the caller has it (NULL: read it if counted) */

int
sis_db_del(sis_import_t *im, const char *db, pf_str_t key,
    const pf_str_t *old)
{
    sis_change_t  *c;

    if (sis_tracked(im, db, key)) {
        c = sis_change(im, db, key, old);
        if (c == NULL) {
            return PF_ERROR;
        }

        c->has = 0;
    }

    if (im->dry) {
        return PF_OK;
    }

    return pf_host->db_del(im->req, db, key) == PF_ERROR ? PF_ERROR : PF_OK;
}


/* The counted keys into im->records. */

void
sis_track_count(sis_import_t *im)
{
    size_t         i;
    sis_change_t  *c;

    for (i = 0; i < im->nchanges; i++) {
        c = im->changes[i];

        if (c->had && !c->has) {
            im->records.removed++;

        } else if (!c->had && c->has) {
            im->records.added++;

        } else if (c->had) {
            if (pf_same(c->old, c->now)) {
                im->records.unchanged++;

            } else {
                im->records.changed++;
            }
        }
    }
}


/* A record built in b; a failed build is never stored. */

int
sis_put(sis_import_t *im, const char *db, pf_str_t key, sis_buf_t *b)
{
    if (b->failed) {
        pf_host->log(im->req, PF_LOG_ERR, "out of memory for a record "
                     "of %s", db);
        return PF_ERROR;
    }

    return sis_db_put(im, db, key, sis_buf_text(b));
}


/* A record of the term begun in b: {"school", "term", "<key>": value. */

void
sis_term_record(sis_import_t *im, sis_buf_t *b, size_t cap, const char *key,
    pf_str_t value)
{
    sis_buf_init(b, im->req, cap);
    sis_buf_open(b, '{');
    sis_buf_key(b, "school");
    sis_buf_str(b, im->school);
    sis_buf_key(b, "term");
    sis_buf_str(b, im->term);
    sis_buf_key(b, key);
    sis_buf_str(b, value);
}


/* Deletes every key under the term's prefix in db (counted ones with
   the values they had). */

int
sis_clear(sis_import_t *im, const char *db)
{
    int        counted;
    size_t     i, n;
    pf_str_t  *keys, *vals;

    counted = im->track_db != NULL && strcmp(db, im->track_db) == 0;

    if (pf_collect(im->req, db, im->prefix, &keys, counted ? &vals : NULL, &n)
        != PF_OK)
    {
        return PF_ERROR;
    }

    for (i = 0; i < n; i++) {
        if (sis_db_del(im, db, keys[i], counted ? &vals[i] : NULL)
            != PF_OK)
        {
            return PF_ERROR;
        }
    }

    return PF_OK;
}


/* The part of a key after the term's prefix. */

static pf_str_t
sis_after_prefix(sis_import_t *im, pf_str_t key)
{
    return (pf_str_t) { key.len - im->prefix.len, key.data + im->prefix.len };
}


/* A sis_rosters key of the term: its course and student; 0 if not one. */

int
sis_roster_key(sis_import_t *im, pf_str_t key, pf_str_t *code,
    pf_str_t *student)
{
    pf_str_t     rest;
    const char  *sep;

    rest = sis_after_prefix(im, key);
    sep = memchr(rest.data, PF_SEP, rest.len);

    if (sep == NULL) {
        return 0;
    }

    *code = (pf_str_t) { (size_t) (sep - rest.data), rest.data };
    *student = (pf_str_t) { rest.len - code->len - 1, sep + 1 };

    return 1;
}


/* This term's students: id -> sis_students record text. */

int
sis_load_students(sis_import_t *im)
{
    size_t     i, n;
    pf_str_t   *keys, *vals;

    if (im->students_loaded) {
        return PF_OK;
    }

    if (pf_collect(im->req, "sis_students", im->prefix, &keys, &vals, &n)
        != PF_OK
        || pf_map_init(&im->students, im->req, n) != PF_OK)
    {
        return PF_ERROR;
    }

    for (i = 0; i < n; i++) {
        if (pf_map_put(&im->students, sis_after_prefix(im, keys[i]), &vals[i])
            != PF_OK)
        {
            return PF_ERROR;
        }
    }

    im->students_loaded = 1;

    return PF_OK;
}


/*
 * This term's classes: class -> homeroom account (empty if none).  An
 * import of the classes reads them after writing them; any other reads
 * them once.
 */

int
sis_load_classes(sis_import_t *im)
{
    size_t           i, n;
    pf_str_t         *keys, *vals, *homeroom;
    const pf_val_t  *rec;

    if (im->classes_loaded) {
        return PF_OK;
    }

    if (pf_collect(im->req, "sis_classes", im->prefix, &keys, &vals, &n)
        != PF_OK
        || pf_map_init(&im->classes, im->req, n) != PF_OK)
    {
        return PF_ERROR;
    }

    for (i = 0; i < n; i++) {
        rec = pf_host->parse(im->req, vals[i]);
        homeroom = pf_host->alloc(im->req, sizeof(pf_str_t));

        if (homeroom == NULL) {
            return PF_ERROR;
        }

        *homeroom = pf_field(rec, "homeroom");

        if (pf_map_put(&im->classes, sis_after_prefix(im, keys[i]), homeroom)
            != PF_OK)
        {
            return PF_ERROR;
        }
    }

    im->classes_loaded = 1;

    return PF_OK;
}


/*
 * This term's courses: code -> sis_course_t (teacher, co-teachers,
 * kind).  An import of the courses reads them after writing them; any
 * other reads them once.
 */

int
sis_load_courses(sis_import_t *im)
{
    size_t           i, k, n;
    pf_str_t         *keys, *vals;
    sis_course_t    *c;
    const pf_val_t  *co;

    if (im->courses_loaded) {
        return PF_OK;
    }

    if (pf_collect(im->req, "sis_courses", im->prefix, &keys, &vals, &n)
        != PF_OK
        || pf_map_init(&im->courses, im->req, n) != PF_OK)
    {
        return PF_ERROR;
    }

    for (i = 0; i < n; i++) {
        c = pf_host->alloc(im->req, sizeof(sis_course_t));
        if (c == NULL) {
            return PF_ERROR;
        }

        c->rec = pf_host->parse(im->req, vals[i]);
        c->code = sis_after_prefix(im, keys[i]);
        c->kind = pf_field(c->rec, "kind");
        c->teacher = pf_field(c->rec, "teacher");

        co = pf_host->get(c->rec, "co_teachers");
        c->nco = pf_host->count(co);
        c->co = pf_host->alloc(im->req, (c->nco + 1) * sizeof(pf_str_t));

        if (c->co == NULL) {
            return PF_ERROR;
        }

        for (k = 0; k < c->nco; k++) {
            c->co[k] = pf_host->str(pf_host->at(co, k));
        }

        if (pf_map_put(&im->courses, c->code, c) != PF_OK) {
            return PF_ERROR;
        }
    }

    im->courses_loaded = 1;

    return PF_OK;
}
