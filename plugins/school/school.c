/*
 * school -- the school's own record and its parameters (SPEC AD2, C1).
 *
 * Parameters are stored as settings "school/<domain>/<name>" and resolved
 * by the host school -> city -> nation, so every other plugin reads them
 * with host->setting_int() and never hard-codes a limit.
 */

#include <string.h>
#include <stdlib.h>

#include "portfolio_plugin.h"


static const pf_host_api_t  *host;


/* A parameter the admin may set, with its bounds (AD2). */
typedef struct {
    const char  *name;
    int64_t      min;
    int64_t      max;
    int64_t      dflt;
    int          may_be_empty;     /* "" means "never" */
    const char  *about;
    const char  *choices;          /* a word from this list, not a number */
    const char  *dflt_word;        /* the default of such a parameter */
} school_param_t;


static const school_param_t  school_params[] = {
    { "outcome_uploads_per_term", 1, 100, 10, 0,
      "course-outcome uploads per student per term" },
    { "outcome_uploads_per_subject", 1, 50, 4, 0,
      "course-outcome uploads per subject per term" },
    { "outcome_select_per_term", 1, 10, 3, 0,
      "outcomes a student may select per term (city limit)" },
    { "outcome_select_per_year", 1, 20, 6, 0,
      "outcomes a student may select per school year (national limit)" },
    { "performance_select_per_year", 1, 30, 10, 0,
      "diverse performances a student may select per school year" },
    { "teacher_mail_hour", 0, 23, -1, 1,
      "hour of day for the uncertified-outcome e-mail; empty = never" },
    { "remind_select_outcomes_days", 0, 60, 3, 0,
      "days before the selection deadline to remind about outcomes" },
    { "remind_select_performances_days", 0, 60, 3, 0,
      "days before the selection deadline to remind about performances" },
    { "quota_student_mb", 1, 10240, 200, 0,
      "storage quota per student, in MB" },
    { "quota_teacher_mb", 1, 10240, 150, 0,
      "teacher cabinet quota, in MB" },
    { "login_methods", 0, 0, -1, 0,
      "how accounts sign in: local, directory (LDAP) or both (SPEC A2)",
      " local directory both ", "both" },
};

#define SCHOOL_NPARAMS  (sizeof(school_params) / sizeof(school_params[0]))


static const school_param_t *
school_param_find(pf_str_t name)
{
    size_t  i;

    for (i = 0; i < SCHOOL_NPARAMS; i++) {
        if (strlen(school_params[i].name) == name.len
            && memcmp(school_params[i].name, name.data, name.len) == 0)
        {
            return &school_params[i];
        }
    }

    return NULL;
}


/* GET /schools/{school}: the school record, for anyone in it. */

static int
school_get(pf_req_t *req)
{
    pf_str_t   domain, rec;
    pf_gen_t  *g;

    domain = host->param(req, "school");

    if (host->db_get(req, "schools", domain, &rec) != PF_OK) {
        return host->error(req, 404, "not_found", "no such school");
    }

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "school");
    host->raw(g, rec);
    host->map_close(g);

    return host->reply(req, 200, g);
}


/* GET /schools/{school}/settings: every parameter, effective value first. */

static int
school_settings(pf_req_t *req)
{
    size_t                 i;
    pf_str_t               v;
    pf_gen_t              *g;
    const school_param_t  *p;

    g = host->gen(req);
    host->map_open(g);
    host->key(g, "settings");
    host->array_open(g);

    for (i = 0; i < SCHOOL_NPARAMS; i++) {
        p = &school_params[i];
        /* the named school's view, also when a city admin asks */
        v = host->setting_in(req, host->param(req, "school"), p->name);

        host->map_open(g);
        host->key(g, "name");
        host->cstring(g, p->name);
        host->key(g, "value");

        if (v.len) {
            host->string(g, v);

        } else if (p->dflt_word) {
            host->cstring(g, p->dflt_word);

        } else if (p->dflt >= 0) {
            host->string(g, host->sprintf(req, "%lld", (long long) p->dflt));

        } else {
            host->cstring(g, "");
        }

        if (p->choices) {
            host->key(g, "choices");
            host->cstring(g, p->choices + 1);

        } else {
            host->key(g, "min");
            host->number(g, p->min);
            host->key(g, "max");
            host->number(g, p->max);
        }
        host->key(g, "about");
        host->cstring(g, p->about);
        host->map_close(g);
    }

    host->array_close(g);
    host->map_close(g);

    return host->reply(req, 200, g);
}


/* PUT /schools/{school}/settings/{name} {"value": "..."}: in the writer. */

static int
school_set(pf_req_t *req)
{
    char                   buf[32];
    char                  *end;
    long long              n;
    pf_str_t               school, name, value, key, detail;
    const pf_val_t        *body, *v;
    const school_param_t  *p;

    school = host->param(req, "school");
    name = host->param(req, "name");

    p = school_param_find(name);
    if (p == NULL) {
        return host->error(req, 404, "unknown_setting",
                           "no parameter named \"%.*s\"", (int) name.len,
                           name.data);
    }

    body = host->body(req);
    v = host->get(body, "value");

    if (host->type(v) == PF_JSON_NUMBER || host->type(v) == PF_JSON_STRING) {
        value = host->str(v);

    } else {
        return host->error(req, 422, "invalid_field",
                           "\"value\" must be a number or a string");
    }

    if (value.len == 0) {
        if (!p->may_be_empty) {
            return host->error(req, 422, "out_of_range",
                               "%s may not be empty", p->name);
        }

    } else if (p->choices) {
        /* a whole word of the list: " both " is in " local directory both " */
        if (value.len + 2 >= sizeof(buf)) {
            return host->error(req, 422, "out_of_range",
                               "%s must be one of:%s", p->name, p->choices);
        }

        buf[0] = ' ';
        memcpy(buf + 1, value.data, value.len);
        buf[value.len + 1] = ' ';
        buf[value.len + 2] = '\0';

        if (strchr(buf + 1, ' ') != buf + value.len + 1
            || strstr(p->choices, buf) == NULL)
        {
            return host->error(req, 422, "out_of_range",
                               "%s must be one of:%s", p->name, p->choices);
        }

    } else {
        if (value.len >= sizeof(buf)) {
            return host->error(req, 422, "out_of_range",
                               "%s must be %lld to %lld", p->name,
                               (long long) p->min, (long long) p->max);
        }

        memcpy(buf, value.data, value.len);
        buf[value.len] = '\0';
        n = strtoll(buf, &end, 10);

        if (*end != '\0' || end == buf || n < p->min || n > p->max) {
            return host->error(req, 422, "out_of_range",
                               "%s must be a whole number from %lld to %lld",
                               p->name, (long long) p->min,
                               (long long) p->max);
        }
    }

    key = host->sprintf(req, "school/%.*s/%s", (int) school.len, school.data,
                        p->name);

    if (host->db_put(req, "settings", key, value) != PF_OK) {
        return host->error(req, 503, "storage_unavailable",
                           "the setting could not be stored");
    }

    detail = host->sprintf(req, "{\"name\":\"%s\",\"value\":\"%.*s\"}",
                           p->name, (int) value.len, value.data);
    (void) host->audit(req, host->sprintf(req, "school/%.*s",
                                          (int) school.len, school.data),
                       "setting.changed", detail);

    return school_settings(req);
}


static const pf_route_t  school_routes[] = {
    { "GET", "/schools/{school}", PF_ROLE_ANY, PF_SCOPE_SCHOOL, 0,
      school_get },
    { "GET", "/schools/{school}/settings",
      PF_ROLE_SCHOOL_ADMIN|PF_ROLE_CITY_ADMIN, PF_SCOPE_SCHOOL, 0,
      school_settings },
    { "PUT", "/schools/{school}/settings/{name}",
      PF_ROLE_SCHOOL_ADMIN|PF_ROLE_CITY_ADMIN, PF_SCOPE_SCHOOL,
      PF_ROUTE_WRITE, school_set },
};

static const char *const  school_dbs[] = { NULL };

static const pf_plugin_t  school_plugin = {
    PF_ABI_MAJOR, PF_ABI_MINOR, sizeof(pf_plugin_t),
    "school", "0.1.0",
    school_dbs,
    school_routes, sizeof(school_routes) / sizeof(school_routes[0]),
    NULL, 0,
    NULL, 0,
};


PF_EXPORT const pf_plugin_t *
pf_plugin_entry(const pf_host_api_t *api, uint32_t host_abi)
{
    /* a host of another major, or older than the calls we use, is refused */
    if ((host_abi >> 16) != PF_ABI_MAJOR || api->size < sizeof(pf_host_api_t))
    {
        return NULL;
    }

    host = api;

    return &school_plugin;
}
