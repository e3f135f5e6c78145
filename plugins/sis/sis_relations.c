/*
 * sis_relations.c -- the relations an import gives (who may see whom:
 * PF_REL_HOMEROOM, PF_REL_COURSE, PF_REL_COUNSELOR), through the host's
 * relation calls, each listed in sis_relidx
 * ("school␟term␟kind␟viewer␟student") so that a re-import removes
 * exactly what an import of the term wrote.
 *
 * Homeroom relations are rebuilt from the term's classes and students
 * after either is imported, course relations from the term's courses and
 * rosters after either, counselor relations by the counselors import.
 * An import of the students (or enrollments) gives them from its own
 * rows rather than reading back the records it has just written.
 *
 * A preview (im->dry) writes no relation: relations are not what its
 * counts are about.
 */

#include <string.h>

#include "sis.h"


/* The kind's name in sis_relidx keys (as the relations keys spell it). */

static pf_str_t
sis_rel_name(uint32_t kind)
{
    switch (kind) {

    case PF_REL_HOMEROOM:
        return pf_string("homeroom");

    case PF_REL_COURSE:
        return pf_string("course");

    default:
        return pf_string("counselor");
    }
}


/* Removes the relations of this kind the term's imports gave (only: to
   these students alone). */

int
sis_rel_clear(sis_import_t *im, uint32_t kind, pf_map_t *only)
{
    size_t       i, n;
    pf_str_t     prefix, *keys, rest, viewer, student;
    const char  *sep;

    prefix = pf_key(im->req, 4, im->school, im->term, sis_rel_name(kind),
                    pf_string(""));

    if (pf_collect(im->req, "sis_relidx", prefix, &keys, NULL, &n)
        != PF_OK)
    {
        return PF_ERROR;
    }

    for (i = 0; i < n; i++) {
        rest.data = keys[i].data + prefix.len;
        rest.len = keys[i].len - prefix.len;
        sep = memchr(rest.data, PF_SEP, rest.len);

        /* viewer␟student */
        if (sep != NULL) {
            viewer = (pf_str_t) { (size_t) (sep - rest.data), rest.data };
            student = (pf_str_t) { rest.len - viewer.len - 1, sep + 1 };

            if (only != NULL && pf_map_get(only, student, NULL) == NULL) {
                continue;
            }

            if (!im->dry
                && pf_host->relation_del(im->req, viewer, student, im->term,
                                         kind)
                   == PF_ERROR)
            {
                return PF_ERROR;
            }
        }

        if (sis_db_del(im, "sis_relidx", keys[i], NULL) != PF_OK) {
            return PF_ERROR;
        }
    }

    return PF_OK;
}


int
sis_rel_add(sis_import_t *im, uint32_t kind, pf_str_t viewer,
    pf_str_t student)
{
    pf_str_t  idx;

    if (viewer.len == 0 || pf_same(viewer, student)) {
        return PF_OK;
    }

    idx = pf_key(im->req, 5, im->school, im->term, sis_rel_name(kind), viewer,
                 student);

    if ((!im->dry
         && pf_host->relation_put(im->req, viewer, student, im->term, kind)
            != PF_OK)
        || sis_db_put(im, "sis_relidx", idx, pf_string("{}")) != PF_OK)
    {
        return PF_ERROR;
    }

    return PF_OK;
}


/*
 * Before the homeroom or course relations are given again: the old ones
 * removed, and the term's classes or courses that say who gets them.
 */

int
sis_rel_start(sis_import_t *im, uint32_t kind)
{
    if (sis_rel_clear(im, kind, NULL) != PF_OK
        || (kind == PF_REL_HOMEROOM ? sis_load_classes(im)
                                    : sis_load_courses(im))
           != PF_OK)
    {
        return PF_ERROR;
    }

    return PF_OK;
}


/* Homeroom: each of the term's students to the homeroom of the class. */


int
sis_homeroom_add(sis_import_t *im, pf_str_t student, pf_str_t klass)
{
    pf_str_t  *homeroom;

    homeroom = pf_map_get(&im->classes, klass, NULL);

    if (homeroom == NULL || homeroom->len == 0) {
        return PF_OK;
    }

    return sis_rel_add(im, PF_REL_HOMEROOM, *homeroom, student);
}


/* After the classes changed: from the term's stored students. */

int
sis_rebuild_homeroom(sis_import_t *im)
{
    size_t           i, n;
    pf_str_t         *keys, *vals;
    const pf_val_t  *rec;

    if (sis_rel_start(im, PF_REL_HOMEROOM) != PF_OK
        || pf_collect(im->req, "sis_students", im->prefix, &keys, &vals, &n)
           != PF_OK)
    {
        return PF_ERROR;
    }

    for (i = 0; i < n; i++) {
        rec = pf_host->parse(im->req, vals[i]);

        if (sis_homeroom_add(im, (pf_str_t) { keys[i].len - im->prefix.len,
                                              keys[i].data + im->prefix.len },
                             pf_field(rec, "class"))
            != PF_OK)
        {
            return PF_ERROR;
        }
    }

    return PF_OK;
}


/* Course: each roster's students to the course's teacher and co-teachers. */

int
sis_course_add(sis_import_t *im, pf_str_t code, pf_str_t student)
{
    size_t         k;
    sis_course_t  *c;

    c = pf_map_get(&im->courses, code, NULL);

    if (c == NULL) {
        return PF_OK;           /* a course dropped by a courses re-import */
    }

    if (sis_rel_add(im, PF_REL_COURSE, c->teacher, student) != PF_OK) {
        return PF_ERROR;
    }

    for (k = 0; k < c->nco; k++) {
        if (sis_rel_add(im, PF_REL_COURSE, c->co[k], student) != PF_OK) {
            return PF_ERROR;
        }
    }

    return PF_OK;
}


/* After the courses changed: from the term's stored rosters. */

int
sis_rebuild_course(sis_import_t *im)
{
    size_t     i, n;
    pf_str_t  *keys, code, student;

    if (sis_rel_start(im, PF_REL_COURSE) != PF_OK
        || pf_collect(im->req, "sis_rosters", im->prefix, &keys, NULL, &n)
           != PF_OK)
    {
        return PF_ERROR;
    }

    for (i = 0; i < n; i++) {
        if (sis_roster_key(im, keys[i], &code, &student)
            && sis_course_add(im, code, student) != PF_OK)
        {
            return PF_ERROR;
        }
    }

    return PF_OK;
}
