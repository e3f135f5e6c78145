/*
 * sis -- data from the school information system (校務行政系統): the
 * term imports and their previews (SPEC S1, A1: sis_import.c), a term's
 * classes and rosters,
 * and the student's basic data (P1) and course records (P2), read-only
 * (sis_read.c).  sis.h lists the files.
 *
 * Databases are described in plugins/README.md.  sis owns them all;
 * sis_courses is shared for writing (certification sets a course's
 * "reviewer") and sis_enrollments for reading (student).  Accounts,
 * relations and schools are the core's, reached through host calls.
 */

#include "sis.h"


static const pf_route_t  sis_routes[] = {
    { .method = "POST", .path = "/schools/{school}/terms/{term}/import/{kind}",
      .roles = PF_ROLE_SCHOOL_ADMIN|PF_ROLE_CITY_ADMIN,
      .scope = PF_SCOPE_SCHOOL, .flags = PF_ROUTE_WRITE|PF_ROUTE_RAW_BODY,
      .handler = sis_import, .max_body = SIS_MAX_BODY,
      .precheck = sis_import_precheck },
    /* no PF_ROUTE_WRITE: a read handler, on a read snapshot */
    { .method = "POST",
      .path = "/schools/{school}/terms/{term}/import/{kind}/preview",
      .roles = PF_ROLE_SCHOOL_ADMIN|PF_ROLE_CITY_ADMIN,
      .scope = PF_SCOPE_SCHOOL, .flags = PF_ROUTE_RAW_BODY,
      .handler = sis_import_preview, .max_body = SIS_MAX_BODY,
      .precheck = sis_import_precheck },
    { .method = "GET", .path = "/schools/{school}/terms/{term}/classes",
      .roles = PF_ROLE_TEACHER|PF_ROLE_SCHOOL_ADMIN|PF_ROLE_CITY_ADMIN,
      .scope = PF_SCOPE_SCHOOL, .handler = sis_classes_list },
    { .method = "GET",
      .path = "/schools/{school}/terms/{term}/classes/{class}/students",
      .roles = PF_ROLE_TEACHER|PF_ROLE_SCHOOL_ADMIN|PF_ROLE_CITY_ADMIN,
      .scope = PF_SCOPE_SCHOOL, .handler = sis_roster },
    { .method = "GET", .path = "/students/{student}/record",
      .roles = PF_ROLE_STUDENT|PF_ROLE_TEACHER|PF_ROLE_SCHOOL_ADMIN
               |PF_ROLE_CITY_ADMIN|PF_ROLE_PARENT,
      .scope = PF_SCOPE_STUDENT, .handler = sis_record },
    { .method = "GET", .path = "/students/{student}/courses",
      .roles = PF_ROLE_STUDENT|PF_ROLE_TEACHER|PF_ROLE_SCHOOL_ADMIN
               |PF_ROLE_CITY_ADMIN|PF_ROLE_PARENT,
      .scope = PF_SCOPE_STUDENT, .handler = sis_courses_list },
};

static const pf_db_t  sis_dbs[] = {
    { .name = "sis_classes", .access = PF_DB_OWN },
    { .name = "sis_courses", .access = PF_DB_OWN|PF_DB_SHARE_WRITE },
    { .name = "sis_enrollments", .access = PF_DB_OWN|PF_DB_SHARE_READ },
    { .name = "sis_rosters", .access = PF_DB_OWN },
    { .name = "sis_basic", .access = PF_DB_OWN },
    { .name = "sis_relidx", .access = PF_DB_OWN },
    { .name = "sis_students", .access = PF_DB_OWN },
    { .name = "sis_a1", .access = PF_DB_OWN },
};

/* the check loads iconv's Big5 module before any request (sis_text.c) */
PF_PLUGIN_CHECKED(sis_text_check, .name = "sis", .version = "0.3.0",
                  PF_DATABASES(sis_dbs), PF_ROUTES(sis_routes))
