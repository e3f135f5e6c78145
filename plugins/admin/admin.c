/*
 * admin -- school and city administration: windows (作業期間, SPEC AD3),
 * a student's change history (Q4) and the uncertified-outcome report
 * (AD4).
 *
 * Windows are the settings this plugin declares (PF_SETTING_WINDOW
 * "upload", "certify", "select"), one per term at each level:
 * "window/<term>/<kind>" of the school, the city and the nation, each
 * {"from": ms, "to": ms} (this plugin adds "updated" and "by").  An
 * action is inside its window when every level that sets one contains
 * now (the host's window_open()).  A school's window must lie inside the
 * city's and the nation's for the same term and kind when those are set,
 * and the city's inside the nation's.  Nobody sets the nation's through
 * this API (the ministry's dates come in as settings).
 *
 * Times are accepted as milliseconds since the epoch or as ISO 8601 text
 * with an offset ("2026-03-01T08:00:00+08:00", "…Z"); answers give both,
 * the text in Taiwan time (+08:00).
 *
 * Files: this one (routes, declarations), admin_windows.c,
 * admin_history.c, admin_reports.c.
 */

#include "admin.h"


const char *const  adm_kinds[] = { "upload", "certify", "select", NULL };

/* what the pages call them (app.js WINDOW_KIND), in adm_kinds' order */
static const char *const  adm_kind_names[] = {
    "上傳學習成果", "認證學習成果", "勾選學習成果"
};


const char *
adm_kind(pf_str_t k)
{
    size_t  i;

    for (i = 0; adm_kinds[i]; i++) {
        if (pf_eq(k, adm_kinds[i])) {
            return adm_kinds[i];
        }
    }

    return NULL;
}


const char *
adm_kind_words(const char *kind)
{
    size_t  i;

    for (i = 0; adm_kinds[i]; i++) {
        if (kind == adm_kinds[i]) {
            return adm_kind_names[i];
        }
    }

    return kind;
}


static const pf_route_t  adm_routes[] = {
    { .method = "GET", .path = "/schools/{school}/terms/{term}/windows",
      .roles = PF_ROLE_ANY, .scope = PF_SCOPE_SCHOOL,
      .handler = adm_school_windows },
    { .method = "PUT", .path = "/schools/{school}/terms/{term}/windows/{kind}",
      .roles = ADM_ADMINS, .scope = PF_SCOPE_SCHOOL, .flags = PF_ROUTE_WRITE,
      .handler = adm_window_put },
    { .method = "DELETE",
      .path = "/schools/{school}/terms/{term}/windows/{kind}",
      .roles = ADM_ADMINS, .scope = PF_SCOPE_SCHOOL, .flags = PF_ROUTE_WRITE,
      .handler = adm_window_delete },

    { .method = "GET", .path = "/city/terms/{term}/windows",
      .roles = PF_ROLE_CITY_ADMIN, .scope = PF_SCOPE_CITY,
      .handler = adm_city_windows },
    { .method = "PUT", .path = "/city/terms/{term}/windows/{kind}",
      .roles = PF_ROLE_CITY_ADMIN, .scope = PF_SCOPE_CITY,
      .flags = PF_ROUTE_WRITE, .handler = adm_window_put },
    { .method = "DELETE", .path = "/city/terms/{term}/windows/{kind}",
      .roles = PF_ROLE_CITY_ADMIN, .scope = PF_SCOPE_CITY,
      .flags = PF_ROUTE_WRITE, .handler = adm_window_delete },

    { .method = "GET", .path = "/students/{student}/history",
      .roles = ADM_ADMINS, .scope = PF_SCOPE_STUDENT,
      .handler = adm_history },
    { .method = "GET", .path = "/schools/{school}/reports/uncertified",
      .roles = ADM_ADMINS, .scope = PF_SCOPE_SCHOOL,
      .handler = adm_uncertified },
};

/* The student plugin's outcomes and the certification's queue, read for
   the report; windows and history are the host's (settings, audit). */
static const pf_db_t  adm_dbs[] = {
    { .name = "outcomes", .access = PF_DB_READ },
    { .name = "cert_queue", .access = PF_DB_READ },
};

static const pf_setting_t  adm_settings[] = {
    { .name = "upload", .type = PF_SETTING_WINDOW,
      .levels = PF_LEVEL_CITY|PF_LEVEL_SCHOOL,
      .about = "when students upload course outcomes and send them for "
               "certification (SPEC AD3)" },
    { .name = "certify", .type = PF_SETTING_WINDOW,
      .levels = PF_LEVEL_CITY|PF_LEVEL_SCHOOL,
      .about = "when teachers certify and publish course outcomes "
               "(SPEC AD3)" },
    { .name = "select", .type = PF_SETTING_WINDOW,
      .levels = PF_LEVEL_CITY|PF_LEVEL_SCHOOL,
      .about = "when students select course outcomes for the central "
               "database (SPEC AD3)" },
};

PF_PLUGIN(.name = "admin", .version = "0.2.0",
          PF_DATABASES(adm_dbs), PF_ROUTES(adm_routes),
          PF_SETTINGS(adm_settings))
