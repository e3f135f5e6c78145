/*
 * school -- the school's own record (SPEC C1) and the school parameters
 * (AD2) no other loaded plugin reads yet.
 *
 * Settings are declared by the plugins that read them (student, selection,
 * accounts, the core's login_methods), and the core serves them: GET and
 * PUT /schools/{school}/settings (ngx_http_portfolio_settings.c).  The
 * parameters declared here are the seeds' AD2 list whose readers come
 * with later issues: diverse performances (performance_select_per_year)
 * and reminders (teacher_mail_hour, remind_*); a school sets them now,
 * before those plugins read them.
 */

#include "pf_common.h"


/* GET /schools/{school}: the school record, for anyone in it. */

static int
school_get(pf_req_t *req)
{
    pf_gen_t        *g;
    const pf_val_t  *rec;

    rec = pf_host->school_get(req, pf_host->param(req, "school"));

    if (rec == NULL) {
        return pf_host->error(req, 404, "not_found", "no such school");
    }

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "school");
    pf_copy_value(g, rec);
    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}


static const pf_route_t  school_routes[] = {
    { .method = "GET", .path = "/schools/{school}", .roles = PF_ROLE_ANY,
      .scope = PF_SCOPE_SCHOOL, .handler = school_get },
};

static const pf_setting_t  school_settings[] = {
    { .name = "performance_select_per_year", .type = PF_SETTING_NUMBER,
      .levels = PF_LEVEL_CITY|PF_LEVEL_SCHOOL, .min = 1, .max = 30, .dflt = 10,
      .about = "diverse performances a student may select per school "
               "year" },
    { .name = "teacher_mail_hour", .type = PF_SETTING_NUMBER,
      .levels = PF_LEVEL_CITY|PF_LEVEL_SCHOOL, .min = 0, .max = 23, .dflt = -1,
      .empty_ok = 1,
      .about = "hour of day for the uncertified-outcome e-mail; empty = "
               "never" },
    { .name = "remind_select_outcomes_days", .type = PF_SETTING_NUMBER,
      .levels = PF_LEVEL_CITY|PF_LEVEL_SCHOOL, .min = 0, .max = 60, .dflt = 3,
      .about = "days before the selection deadline to remind about "
               "outcomes" },
    { .name = "remind_select_performances_days", .type = PF_SETTING_NUMBER,
      .levels = PF_LEVEL_CITY|PF_LEVEL_SCHOOL, .min = 0, .max = 60, .dflt = 3,
      .about = "days before the selection deadline to remind about "
               "performances" },
};

PF_PLUGIN(.name = "school", .version = "0.1.0",
          PF_ROUTES(school_routes), PF_SETTINGS(school_settings))
