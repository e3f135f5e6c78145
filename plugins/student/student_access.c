/*
 * student_access.c -- who sees what of a student's outcomes: the student
 * everything; a school admin of the student's school, a city admin, and a
 * homeroom teacher, counselor or parent every submitted one; a teacher
 * related to the student only as a course teacher the submitted ones of
 * the courses they teach (teacher, co-teacher or reviewer); the reviewer
 * and an active stand-in the ones they certify.
 */

#include "student.h"


const pf_val_t *
st_course(pf_req_t *req, const pf_val_t *rec)
{
    return pf_load(req, "sis_courses",
                   pf_key(req, 3, pf_field(rec, "school"),
                          pf_field(rec, "term"), pf_field(rec, "code")));
}


int
st_full_viewer(pf_req_t *req, pf_str_t student)
{
    const pf_user_t  *user;
    const pf_val_t   *s;

    user = pf_host->user(req);

    if (pf_same(user->id, student) || (user->roles & PF_ROLE_CITY_ADMIN)) {
        return 1;
    }

    if (user->roles & PF_ROLE_SCHOOL_ADMIN) {
        s = pf_host->user_get(req, student);

        if (s && pf_same(pf_field(s, "school"), user->school)) {
            return 1;
        }
    }

    /* a homeroom teacher, counselor or parent; a course teacher only
       sees the courses they teach (st_teaches()) */
    return (pf_host->relations(req, user->id, student) & ~PF_REL_COURSE)
           != 0;
}


static int
st_teaches(pf_req_t *req, const pf_val_t *rec, pf_str_t me)
{
    return pf_str_is(pf_host->get(rec, "reviewer"), me)
           || pfo_course_teaches(st_course(req, rec), me);
}


int
st_access(pf_req_t *req, const pf_val_t *rec, int full)
{
    pf_str_t          student;
    const pf_user_t  *user;

    user = pf_host->user(req);
    student = pf_field(rec, "student");

    if (pf_same(student, user->id)) {
        return ST_OWNER;
    }

    /* a draft is the student's alone: 送出認證 makes it visible */
    if (pf_eq(pf_field(rec, "status"), "draft")) {
        return ST_NONE;
    }

    if (pfo_is_reviewer(req, rec, user->id)) {
        return ST_REVIEW;
    }

    if (!pf_host->can_see(req, student)) {
        return ST_NONE;
    }

    if (full < 0) {
        full = st_full_viewer(req, student);
    }

    if (full || st_teaches(req, rec, user->id)) {
        return ST_VIEW;
    }

    return ST_NONE;
}


/*
 * The routes on an outcome {id} that others may read (PF_SCOPE_RECORD):
 * the router's owner lookup answered 404 for an unknown id; this is the
 * rule for everyone but the owner.
 */

const pf_val_t *
st_readable(pf_req_t *req, int *acc, int *status, pf_str_t *text)
{
    const pf_val_t  *rec;

    rec = pfo_find(req, pf_host->param(req, "id"), NULL, text);

    /* an id whose record is gone */
    if (rec == NULL) {
        *status = pf_host->error(req, 404, "not_found",
                                 "找不到這份學習成果");
        return NULL;
    }

    *acc = st_access(req, rec, -1);

    if (*acc == ST_NONE) {
        *status = pf_host->error(req, 403, "out_of_scope",
                                 "您沒有權限查看這份學習成果");
        return NULL;
    }

    return rec;
}
