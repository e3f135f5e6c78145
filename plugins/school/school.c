/*
 * school -- the schools (SPEC C1) and the school parameters (AD2) no other
 * loaded plugin reads yet.
 *
 * A city admin brings a school in with POST /city/schools (its domain,
 * name and national school code) and lists them with GET /city/schools;
 * the school's first admin comes with POST /schools/{school}/admins (the
 * accounts plugin).  The records are the core's (school_create: the domain
 * and the code are unique there, in one transaction with the write); this
 * plugin says what a good domain, name and code are, in words.
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


#define SCHOOL_DOMAIN_MIN   2
#define SCHOOL_DOMAIN_MAX   16
#define SCHOOL_NAME_MAX     60          /* characters */
#define SCHOOL_CODE_LEN     6           /* 學校代碼: six digits */


/* GET /schools/{school}: the school record, for anyone in it. */

static int
school_get(pf_req_t *req)
{
    pf_gen_t        *g;
    const pf_val_t  *rec;

    rec = pf_host->school_get(req, pf_host->param(req, "school"));

    if (rec == NULL) {
        return pf_host->error(req, 404, "not_found",
                              "找不到這所學校；請確認學校網域名稱是否正確");
    }

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "school");
    pf_copy_value(g, rec);
    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}


/* --- POST /city/schools -------------------------------------------------- */

/*
 * The domain is the prefix of every account name of the school (SPEC A1:
 * the domain, then the student number or the national ID's 9 digits), so
 * it starts and ends with a letter: were "ab1" a domain beside "ab", the
 * account "ab1234567" would be both schools'.  The core's own rule (a-z,
 * 0-9, 2 to 16) is the outer bound.  NULL, or what is wrong, in words.
 */

static const char *
school_domain_wrong(pf_str_t d)
{
    size_t  i;

    if (d.len < SCHOOL_DOMAIN_MIN || d.len > SCHOOL_DOMAIN_MAX) {
        return "要 2 到 16 個字元";
    }

    for (i = 0; i < d.len; i++) {
        if (!((d.data[i] >= 'a' && d.data[i] <= 'z')
              || (d.data[i] >= '0' && d.data[i] <= '9')))
        {
            return "只能用小寫英文字母與數字";
        }
    }

    if (d.data[0] < 'a' || d.data[d.len - 1] < 'a') {
        return "的第一個與最後一個字必須是英文字母（帳號是網域名稱接學號或"
               "身分證數字，結尾是數字會與別校的帳號混淆）";
    }

    return NULL;
}


static const char *
school_name_wrong(pf_str_t s)
{
    size_t  i, n;

    n = pf_utf8_chars(s);

    for (i = 0; i < s.len && s.data[i] == ' '; i++) { /* void */ }

    if (i == s.len) {
        return "不可空白";
    }

    if (n > SCHOOL_NAME_MAX) {
        return "最多 60 個字";
    }

    for (i = 0; i < s.len; i++) {
        if ((unsigned char) s.data[i] < 0x20 || s.data[i] == 0x7f) {
            return "不可含換行或控制字元";
        }
    }

    return NULL;
}


/* The national school code (學校代碼): six digits, as the MOE gives it. */

static int
school_code_ok(pf_str_t s)
{
    size_t  i;

    if (s.len != SCHOOL_CODE_LEN) {
        return 0;
    }

    for (i = 0; i < s.len; i++) {
        if (s.data[i] < '0' || s.data[i] > '9') {
            return 0;
        }
    }

    return 1;
}


/* A body field that must be a string: 0, or the 422 answered. */

static int
school_string(pf_req_t *req, const pf_val_t *body, const char *name,
    const char *label, pf_str_t *out)
{
    const pf_val_t  *v;

    v = pf_host->get(body, name);

    if (pf_host->type(v) != PF_JSON_STRING) {
        return pf_host->error(req, 422, "invalid_field",
                              "請填寫%s（\"%s\"，文字）", label, name);
    }

    *out = pf_host->str(v);

    return 0;
}


/* The other school that has the domain or the code, for the 409s. */

static pf_str_t
school_label(pf_req_t *req, pf_str_t domain)
{
    const pf_val_t  *rec;

    rec = pf_host->school_get(req, domain);

    return pf_host->sprintf(req, "「%.*s」（%.*s）",
                            PF_S(pf_clip(pf_field(rec, "name"), 180)),
                            PF_S(domain));
}


static int
school_create(pf_req_t *req)
{
    int               rc;
    pf_str_t          domain, name, code, other;
    pf_gen_t         *g, *d;
    const char       *wrong;
    const pf_val_t   *body, *rec;
    const pf_user_t  *user;

    body = pf_host->body(req);
    user = pf_host->user(req);

    if (pf_host->type(body) != PF_JSON_OBJECT) {
        return pf_host->error(req, 422, "invalid_body",
                              "請送出學校資料：{\"domain\": 學校網域名稱, "
                              "\"name\": 學校名稱, \"code\": 學校代碼}");
    }

    if ((rc = school_string(req, body, "domain", "學校網域名稱", &domain))
        || (rc = school_string(req, body, "name", "學校名稱", &name))
        || (rc = school_string(req, body, "code", "學校代碼", &code)))
    {
        return rc;
    }

    wrong = school_domain_wrong(domain);

    if (wrong) {
        return pf_host->error(req, 422, "invalid_domain",
                              "學校網域名稱「%.*s」不正確：網域名稱%s，"
                              "例如 zlsh", PF_S(pf_clip(domain, 64)), wrong);
    }

    /* the city's own accounts are of the "school" the city admins are in */
    if (pf_same(domain, user->school)) {
        return pf_host->error(req, 422, "invalid_domain",
                              "學校網域名稱「%.*s」是教育局帳號所屬的名稱，"
                              "不能給學校使用；請改用學校自己的網域名稱",
                              PF_S(domain));
    }

    wrong = school_name_wrong(name);

    if (wrong) {
        return pf_host->error(req, 422, "invalid_name",
                              "學校名稱%s，例如 臺北市立中崙高級中學", wrong);
    }

    if (!school_code_ok(code)) {
        return pf_host->error(req, 422, "invalid_code",
                              "學校代碼「%.*s」不正確：學校代碼是教育部編定"
                              "的 6 位數字，例如 313302",
                              PF_S(pf_clip(code, 32)));
    }

    if (pf_host->school_get(req, domain) != NULL) {
        return pf_host->error(req, 409, "domain_taken",
                              "學校網域名稱 %.*s 已由「%.*s」使用；每所學校"
                              "的網域名稱不同，請確認後改用其他名稱",
                              PF_S(domain),
                              PF_S(pf_clip(pf_field(pf_host->school_get(
                                  req, domain), "name"), 180)));
    }

    other = pf_host->school_by_code(req, code);

    if (other.len) {
        return pf_host->error(req, 409, "code_taken",
                              "學校代碼 %.*s 已是%.*s的代碼；每所學校的代碼"
                              "不同，請確認代碼是否正確",
                              PF_S(code), PF_S(school_label(req, other)));
    }

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "name");
    pf_host->string(g, name);
    pf_host->key(g, "code");
    pf_host->string(g, code);
    pf_host->map_close(g);

    rc = pf_host->school_create(req, domain, pf_host->text(g));

    if (rc == PF_EXISTS) {
        /* checked above, in this same transaction: cannot happen */
        return pf_host->error(req, 409, "conflict",
                              "學校網域名稱或學校代碼已被使用；請重新整理"
                              "後再試");
    }

    rec = rc == PF_OK ? pf_host->school_get(req, domain) : NULL;

    d = pf_host->gen(req);
    pf_host->map_open(d);
    pf_host->key(d, "domain");
    pf_host->string(d, domain);
    pf_host->key(d, "name");
    pf_host->string(d, name);
    pf_host->key(d, "code");
    pf_host->string(d, code);
    pf_host->map_close(d);

    if (rec == NULL
        || pf_host->audit(req, pf_school_subject(req, domain),
                          "school.created", pf_host->text(d))
           != PF_OK)
    {
        pf_host->log(req, PF_LOG_ERR, "school \"%.*s\" could not be "
                     "created (%d)", PF_S(domain), rc);
        return pf_host->error(req, 503, "storage_unavailable",
                              "學校資料沒有儲存成功，什麼都沒有變更；請稍候"
                              "再試");
    }

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "school");
    pf_copy_value(g, rec);
    pf_host->map_close(g);

    return pf_host->reply(req, 201, g);
}


/* --- GET /city/schools --------------------------------------------------- */

static int
school_list_cb(void *data, pf_str_t key, pf_str_t value)
{
    pf_gen_t  *g = data;

    pf_host->raw(g, value);

    return 0;
}


static int
school_list(pf_req_t *req)
{
    pf_gen_t  *g;

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "schools");
    pf_host->array_open(g);

    if (pf_host->school_scan(req, school_list_cb, g) != PF_OK) {
        pf_host->log(req, PF_LOG_ERR, "the schools could not be read");
        return pf_host->error(req, 503, "storage_unavailable",
                              "學校清單暫時無法讀取；請稍候再試");
    }

    pf_host->array_close(g);
    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}


static const pf_route_t  school_routes[] = {
    { .method = "GET", .path = "/schools/{school}", .roles = PF_ROLE_ANY,
      .scope = PF_SCOPE_SCHOOL, .handler = school_get },
    { .method = "GET", .path = "/city/schools", .roles = PF_ROLE_CITY_ADMIN,
      .scope = PF_SCOPE_CITY, .handler = school_list },
    { .method = "POST", .path = "/city/schools",
      .roles = PF_ROLE_CITY_ADMIN, .scope = PF_SCOPE_CITY,
      .flags = PF_ROUTE_WRITE, .handler = school_create },
};

static const pf_setting_t  school_settings[] = {
    { .name = "performance_select_per_year", .type = PF_SETTING_NUMBER,
      .levels = PF_LEVEL_CITY|PF_LEVEL_SCHOOL, .min = 1, .max = 30, .dflt = 10,
      .ceiling = PF_LEVEL_NATION,
      .about = "diverse performances a student may select per school "
               "year (national limit)" },
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
