/*
 * certification -- teachers certify course learning outcomes (SPEC P5, T1,
 * T2) and school admins name reviewers for co-taught courses and
 * stand-ins for absent teachers (AD1).
 *
 * An outcome the student sent (送出認證) is "pending" and sits in
 * cert_queue under its reviewer.  The reviewer, or an active stand-in of
 * the reviewer, records a decision (通過 pass / 不通過 fail) and an
 * optional note, seen by nobody else yet; publishing (發佈) makes the
 * outcome "passed" or "failed", takes it off the queue and tells the
 * student.  Decisions and publishing happen only inside the school's
 * certify window (AD3).
 *
 * Refusals: 403 not_reviewer (anyone but the reviewer or the stand-in),
 * 409 not_pending (a draft, or already published), 403 window_closed,
 * 422 invalid_field / note_too_long.
 *
 * Files: this one (routes, databases), cert_queue.c (the queue, its list
 * and count), cert_decide.c (decisions, publishing), cert_standins.c
 * (stand-ins), cert_reviewer.c (a course's reviewer).
 */

#include "certification.h"


#define CT_TEACHERS  (PF_ROLE_TEACHER|PF_ROLE_COURSE_TEACHER|PF_ROLE_HOMEROOM \
                      |PF_ROLE_STANDIN)
#define CT_ADMINS    (PF_ROLE_SCHOOL_ADMIN|PF_ROLE_CITY_ADMIN)


/*
 * The decision names the outcome's owner lookup with PF_SCOPE_RECORD:
 * the router answers 404 for an unknown id, and the reviewer, not the
 * owner, acts (403 not_reviewer is the handler's).
 */
static const pf_route_t  certification_routes[] = {
    { .method = "GET", .path = "/certifications", .roles = CT_TEACHERS,
      .scope = PF_SCOPE_SELF, .handler = ct_list },
    { .method = "GET", .path = "/certifications/count", .roles = CT_TEACHERS,
      .scope = PF_SCOPE_SELF, .handler = ct_count },
    { .method = "POST", .path = "/certifications/publish",
      .roles = CT_TEACHERS, .scope = PF_SCOPE_SELF, .flags = PF_ROUTE_WRITE,
      .handler = ct_publish },
    { .method = "POST", .path = "/outcomes/{id}/decision",
      .roles = CT_TEACHERS, .scope = PF_SCOPE_RECORD, .owner = pfo_owner,
      .flags = PF_ROUTE_WRITE, .handler = ct_decide },
    { .method = "GET", .path = "/schools/{school}/standins",
      .roles = CT_ADMINS, .scope = PF_SCOPE_SCHOOL,
      .handler = ct_standin_list },
    { .method = "PUT", .path = "/schools/{school}/standins/{teacher}",
      .roles = CT_ADMINS, .scope = PF_SCOPE_SCHOOL, .flags = PF_ROUTE_WRITE,
      .handler = ct_standin_set },
    { .method = "DELETE", .path = "/schools/{school}/standins/{teacher}",
      .roles = CT_ADMINS, .scope = PF_SCOPE_SCHOOL, .flags = PF_ROUTE_WRITE,
      .handler = ct_standin_delete },
    { .method = "PUT",
      .path = "/schools/{school}/terms/{term}/courses/{code}/reviewer",
      .roles = CT_ADMINS, .scope = PF_SCOPE_SCHOOL, .flags = PF_ROUTE_WRITE,
      .handler = ct_reviewer_set },
};

/*
 * Its own queue (the student plugin adds to it on 送出認證, the admin
 * reads it) and stand-ins (the student plugin reads who may review); the
 * student plugin's outcomes (decisions, publishing, a reviewer's move)
 * and ids; the sis plugin's courses, whose "reviewer" it sets.
 */
static const pf_db_t  certification_dbs[] = {
    { .name = "cert_queue", .access = PF_DB_OWN|PF_DB_SHARE_WRITE },
    { .name = "cert_standins", .access = PF_DB_OWN|PF_DB_SHARE_READ },
    { .name = "outcomes", .access = PF_DB_WRITE },
    { .name = "outcome_ids", .access = PF_DB_READ },
    { .name = "sis_courses", .access = PF_DB_WRITE },
};

PF_PLUGIN(.name = "certification", .version = "0.2.0",
          PF_DATABASES(certification_dbs), PF_ROUTES(certification_routes))
