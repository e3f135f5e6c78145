/*
 * sis_store.c -- reading a term's stored SIS data into maps, for the
 * checks of an import ("already stored for the term") and for rebuilding
 * relations.  Everything read is copied: in the writer a stored value is
 * valid only until the next write.
 */

#include <string.h>

#include "sis.h"


typedef struct {
    pf_req_t       *req;
    int             values;
    pf_str_t       *keys;
    pf_str_t       *vals;
    size_t          n;
    size_t          cap;
    int             failed;
} sis_collect_t;


static int
sis_collect_cb(void *data, pf_str_t key, pf_str_t value)
{
    size_t          cap;
    pf_str_t       *k, *v;
    sis_collect_t  *c = data;

    if (c->n == c->cap) {
        cap = c->cap ? c->cap * 2 : 64;
        k = sis_host->alloc(c->req, cap * sizeof(pf_str_t));
        v = c->values ? sis_host->alloc(c->req, cap * sizeof(pf_str_t)) : k;

        if (k == NULL || v == NULL) {
            c->failed = 1;
            return 1;
        }

        if (c->n) {
            memcpy(k, c->keys, c->n * sizeof(pf_str_t));

            if (c->values) {
                memcpy(v, c->vals, c->n * sizeof(pf_str_t));
            }
        }

        c->keys = k;
        c->vals = v;
        c->cap = cap;
    }

    c->keys[c->n] = sis_copy(c->req, key);

    if (c->values) {
        c->vals[c->n] = sis_copy(c->req, value);
    }

    if (c->keys[c->n].data == NULL
        || (c->values && c->vals[c->n].data == NULL))
    {
        c->failed = 1;
        return 1;
    }

    c->n++;

    return 0;
}


/* Every key (and value, if asked) under prefix, copied, in key order. */

int
sis_collect(pf_req_t *req, const char *db, pf_str_t prefix, pf_str_t **keys,
    pf_str_t **values, size_t *n)
{
    sis_collect_t  c;

    memset(&c, 0, sizeof(sis_collect_t));
    c.req = req;
    c.values = (values != NULL);

    if (sis_host->db_scan(req, db, prefix, sis_collect_cb, &c) != PF_OK
        || c.failed)
    {
        return PF_ERROR;
    }

    *keys = c.keys;

    if (values) {
        *values = c.vals;
    }

    *n = c.n;

    return PF_OK;
}


/* This term's students: id -> sis_students record text. */

int
sis_load_students(sis_import_t *im)
{
    size_t     i, n;
    pf_str_t   prefix, *keys, *vals, *id;

    if (im->students_loaded) {
        return PF_OK;
    }

    prefix = sis_host->sprintf(im->req, "%.*s\x1f%.*s\x1f", SIS_S(im->school),
                               SIS_S(im->term));

    if (sis_collect(im->req, "sis_students", prefix, &keys, &vals, &n)
        != PF_OK
        || sis_map_init(&im->students, im->req, n) != PF_OK)
    {
        return PF_ERROR;
    }

    for (i = 0; i < n; i++) {
        id = sis_host->alloc(im->req, sizeof(pf_str_t));
        if (id == NULL) {
            return PF_ERROR;
        }

        *id = vals[i];

        if (sis_map_put(&im->students,
                        (pf_str_t) { keys[i].len - prefix.len,
                                     keys[i].data + prefix.len }, id)
            != PF_OK)
        {
            return PF_ERROR;
        }
    }

    im->students_loaded = 1;

    return PF_OK;
}


/* This term's classes: class -> homeroom account (empty if none). */

int
sis_load_classes(sis_import_t *im)
{
    size_t           i, n;
    pf_str_t         prefix, *keys, *vals, *homeroom;
    const pf_val_t  *rec;

    prefix = sis_host->sprintf(im->req, "%.*s\x1f%.*s\x1f", SIS_S(im->school),
                               SIS_S(im->term));

    if (sis_collect(im->req, "sis_classes", prefix, &keys, &vals, &n)
        != PF_OK
        || sis_map_init(&im->classes, im->req, n) != PF_OK)
    {
        return PF_ERROR;
    }

    for (i = 0; i < n; i++) {
        rec = sis_host->parse(im->req, vals[i]);
        homeroom = sis_host->alloc(im->req, sizeof(pf_str_t));

        if (homeroom == NULL) {
            return PF_ERROR;
        }

        *homeroom = sis_host->str(sis_host->get(rec, "homeroom"));

        if (sis_map_put(&im->classes,
                        (pf_str_t) { keys[i].len - prefix.len,
                                     keys[i].data + prefix.len }, homeroom)
            != PF_OK)
        {
            return PF_ERROR;
        }
    }

    im->classes_loaded = 1;

    return PF_OK;
}


/* A term's courses: code -> sis_course_t (teacher, co-teachers, kind). */

int
sis_load_course_map(pf_req_t *req, pf_str_t school, pf_str_t term,
    sis_map_t *map)
{
    size_t           i, k, n;
    pf_str_t         prefix, *keys, *vals;
    sis_course_t    *c;
    const pf_val_t  *co;

    prefix = sis_host->sprintf(req, "%.*s\x1f%.*s\x1f", SIS_S(school),
                               SIS_S(term));

    if (sis_collect(req, "sis_courses", prefix, &keys, &vals, &n) != PF_OK
        || sis_map_init(map, req, n) != PF_OK)
    {
        return PF_ERROR;
    }

    for (i = 0; i < n; i++) {
        c = sis_host->alloc(req, sizeof(sis_course_t));
        if (c == NULL) {
            return PF_ERROR;
        }

        c->rec = sis_host->parse(req, vals[i]);
        c->code = (pf_str_t) { keys[i].len - prefix.len,
                               keys[i].data + prefix.len };
        c->kind = sis_host->str(sis_host->get(c->rec, "kind"));
        c->teacher = sis_host->str(sis_host->get(c->rec, "teacher"));

        co = sis_host->get(c->rec, "co_teachers");
        c->nco = sis_host->count(co);
        c->co = sis_host->alloc(req, (c->nco + 1) * sizeof(pf_str_t));

        if (c->co == NULL) {
            return PF_ERROR;
        }

        for (k = 0; k < c->nco; k++) {
            c->co[k] = sis_host->str(sis_host->at(co, k));
        }

        if (sis_map_put(map, c->code, c) != PF_OK) {
            return PF_ERROR;
        }
    }

    return PF_OK;
}


int
sis_load_courses(sis_import_t *im)
{
    if (im->courses_loaded) {
        return PF_OK;
    }

    if (sis_load_course_map(im->req, im->school, im->term, &im->courses)
        != PF_OK)
    {
        return PF_ERROR;
    }

    im->courses_loaded = 1;

    return PF_OK;
}
