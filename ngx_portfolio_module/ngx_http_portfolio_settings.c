/*
 * ngx_http_portfolio_settings.c -- settings (SPEC AD2, AD3): the declared
 * list, resolution school -> city -> nation -> default, checks, and
 * setting or clearing a level's value (windows: _windows.c).
 *
 * The core and each plugin declare the settings they read (pf_setting_t);
 * nothing else can be set through the API, and everything declared can,
 * at the levels its declaration names.  Values are stored in the core's
 * "settings" database as text: "school/<domain>/<name>", "city/<name>",
 * "nation/<name>"; a window (PF_SETTING_WINDOW) per term as
 * "<level>window/<term>/<name>" holding {"from": ms, "to": ms, ...}.
 *
 * A number declared with a ceiling (1.5, pf_setting_t.ceiling: the level
 * whose rule its default is) is a maximum down the chain: the value a
 * level sets may not exceed what the levels above it set, the default
 * standing in for the ceiling's level until that level sets one (the
 * nation's 6 outcomes a school year, the city's 3 a term, SPEC P6).  A
 * level may lower it, never raise it: a PUT above the ceiling is refused,
 * and a value stored above it (the bootstrap file, or set before the level
 * above lowered its own) reads as the least of the levels' values.
 *
 * Plugins reach these through the host API (_host.c); the core's routes
 * that read and set them are _settings_routes.c.
 */

#include "ngx_http_portfolio_module.h"


/* The core's own settings. */

static int ngx_http_pf_setting_target(ngx_http_pf_ctx_t *ctx,
    uint32_t level, pf_str_t school, pf_str_t name,
    ngx_http_pf_setting_t **s, pf_str_t *key);
static ngx_uint_t ngx_http_pf_setting_parse(pf_str_t v, int64_t *out);
static int64_t ngx_http_pf_ceiling_value(ngx_http_pf_ctx_t *ctx,
    const pf_setting_t *d, pf_str_t school);


/* The levels from the top down, as values flow (SPEC C1). */
static const uint32_t  ngx_http_pf_levels[] = {
    PF_LEVEL_NATION, PF_LEVEL_CITY, PF_LEVEL_SCHOOL
};


static const pf_setting_t  ngx_http_pf_core_settings[] = {
    { .name = "login_methods", .type = PF_SETTING_WORD,
      .levels = PF_LEVEL_CITY|PF_LEVEL_SCHOOL,
      .choices = "local directory both", .dflt_word = "both",
      .about = "how accounts sign in: local, directory (LDAP) or both "
               "(SPEC A2)" },
};


/* --- the declared list ---------------------------------------------------- */

static ngx_uint_t
ngx_http_pf_setting_name_ok(const char *name)
{
    size_t       len;
    const char  *p;

    len = name ? ngx_strlen(name) : 0;

    if (len == 0 || len > 64) {
        return 0;
    }

    for (p = name; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')
              || *p == '_'))
        {
            return 0;
        }
    }

    return 1;
}


/* A word of a space-separated list: 1 if word is one of them. */

static ngx_uint_t
ngx_http_pf_setting_word_in(const char *choices, pf_str_t word)
{
    size_t       n;
    const char  *p, *end;

    if (word.len == 0 || memchr(word.data, ' ', word.len) != NULL) {
        return 0;
    }

    for (p = choices; *p; p = end) {
        while (*p == ' ') {
            p++;
        }

        end = p;

        while (*end && *end != ' ') {
            end++;
        }

        n = end - p;

        if (n && n == word.len && ngx_strncmp(p, word.data, n) == 0) {
            return 1;
        }
    }

    return 0;
}


ngx_int_t
ngx_http_pf_settings_add(ngx_conf_t *cf, ngx_http_pf_main_conf_t *pmcf,
    ngx_http_pf_plugin_t *plugin, const pf_setting_t *decls, size_t n)
{
    size_t                  i;
    ngx_str_t               who;
    ngx_uint_t              ok;
    const pf_setting_t     *d;
    ngx_http_pf_setting_t  *s;

    if (plugin) {
        who = plugin->name;

    } else {
        ngx_str_set(&who, "core");
    }

    for (i = 0; i < n; i++) {
        d = &decls[i];

        if (!ngx_http_pf_setting_name_ok(d->name)) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "portfolio plugin \"%V\": setting %uz needs a "
                               "name of 1 to 64 of a-z, 0-9 and \"_\"", &who,
                               i);
            return NGX_ERROR;
        }

        switch (d->type) {

        case PF_SETTING_NUMBER:
            ok = d->min <= d->max
                 && ((d->dflt >= d->min && d->dflt <= d->max)
                     || (d->empty_ok && d->dflt == -1));
            break;

        case PF_SETTING_WORD:
            ok = d->choices && d->dflt_word
                 && ngx_http_pf_setting_word_in(d->choices,
                                                (pf_str_t) {
                                                    ngx_strlen(d->dflt_word),
                                                    d->dflt_word });
            break;

        case PF_SETTING_WINDOW:
            ok = 1;
            break;

        default:
            ok = 0;
        }

        /* a ceiling: one level, of a number that is never "never" */
        if (d->ceiling
            && (d->type != PF_SETTING_NUMBER || d->empty_ok
                || (d->ceiling & ~PF_LEVELS_ALL)
                || (d->ceiling & (d->ceiling - 1))))
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "portfolio plugin \"%V\": setting \"%s\" has "
                               "a ceiling: it must be one level "
                               "(PF_LEVEL_*) of a number that may not be "
                               "empty", &who, d->name);
            return NGX_ERROR;
        }

        if (!ok || d->levels == 0 || (d->levels & ~PF_LEVELS_ALL)
            || d->about == NULL)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "portfolio plugin \"%V\": setting \"%s\" needs "
                               "a type, levels, a line about it and a default "
                               "its bounds or choices allow", &who, d->name);
            return NGX_ERROR;
        }

        s = ngx_http_pf_setting_find(pmcf, d->name, ngx_strlen(d->name));

        if (s) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "portfolio plugin \"%V\": setting \"%s\" is "
                               "declared by \"%s\" already", &who, d->name,
                               s->plugin ? (char *) s->plugin->name.data
                                         : "core");
            return NGX_ERROR;
        }

        s = ngx_array_push(&pmcf->settings);
        if (s == NULL) {
            return NGX_ERROR;
        }

        s->decl = *d;
        s->plugin = plugin;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_pf_settings_init(ngx_conf_t *cf, ngx_http_pf_main_conf_t *pmcf)
{
    if (ngx_array_init(&pmcf->settings, cf->pool, 16,
                       sizeof(ngx_http_pf_setting_t))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_pf_settings_add(cf, pmcf, NULL, ngx_http_pf_core_settings,
                                    sizeof(ngx_http_pf_core_settings)
                                    / sizeof(pf_setting_t));
}


ngx_http_pf_setting_t *
ngx_http_pf_setting_find(ngx_http_pf_main_conf_t *pmcf, const char *name,
    size_t len)
{
    ngx_uint_t              i;
    ngx_http_pf_setting_t  *s;

    s = pmcf->settings.elts;

    for (i = 0; i < pmcf->settings.nelts; i++) {
        if (ngx_strlen(s[i].decl.name) == len
            && ngx_strncmp(s[i].decl.name, name, len) == 0)
        {
            return &s[i];
        }
    }

    return NULL;
}


/*
 * The declaration a stored name is of: "quota_student_mb", or a window's
 * "window/<term>/<name>" (*term set).
 */

static ngx_http_pf_setting_t *
ngx_http_pf_setting_of(ngx_http_pf_main_conf_t *pmcf, pf_str_t name,
    pf_str_t *term)
{
    const char             *p, *slash;
    ngx_http_pf_setting_t  *s;

    term->len = 0;
    term->data = NULL;

    if (name.len > sizeof("window/") - 1
        && ngx_strncmp(name.data, "window/", sizeof("window/") - 1) == 0)
    {
        p = name.data + sizeof("window/") - 1;
        slash = memchr(p, '/', name.data + name.len - p);

        if (slash == NULL || !pf_valid_term((pf_str_t) { slash - p, p })) {
            return NULL;
        }

        term->data = p;
        term->len = slash - p;
        slash++;

        s = ngx_http_pf_setting_find(pmcf, slash,
                                     name.data + name.len - slash);

        return (s && s->decl.type == PF_SETTING_WINDOW) ? s : NULL;
    }

    s = ngx_http_pf_setting_find(pmcf, name.data, name.len);

    return (s && s->decl.type != PF_SETTING_WINDOW) ? s : NULL;
}


/* --- values -------------------------------------------------------------- */

static pf_str_t
ngx_http_pf_setting_key(ngx_http_pf_ctx_t *ctx, uint32_t level,
    pf_str_t school, pf_str_t name)
{
    u_char    *p, *last;
    pf_str_t   key;

    key.len = 0;
    key.data = NULL;

    if (name.len > 128 || school.len > 64) {
        return key;
    }

    p = ngx_pnalloc(ctx->pool, NGX_HTTP_PF_SETTING_KEY);
    if (p == NULL) {
        return key;
    }

    key.data = (const char *) p;
    last = p + NGX_HTTP_PF_SETTING_KEY;

    switch (level) {

    case PF_LEVEL_SCHOOL:
        if (school.len == 0) {
            key.data = NULL;
            return key;
        }

        p = ngx_slprintf(p, last, "school/%*s/%*s", school.len, school.data,
                         name.len, name.data);
        break;

    case PF_LEVEL_CITY:
        p = ngx_slprintf(p, last, "city/%*s", name.len, name.data);
        break;

    case PF_LEVEL_NATION:
        p = ngx_slprintf(p, last, "nation/%*s", name.len, name.data);
        break;

    default:
        key.data = NULL;
        return key;
    }

    key.len = p - (u_char *) key.data;

    return key;
}


/* One level's own value; empty when the level does not set it. */

pf_str_t
ngx_http_pf_setting_at(ngx_http_pf_ctx_t *ctx, uint32_t level,
    pf_str_t school, pf_str_t name)
{
    pf_str_t  key, value;

    key = ngx_http_pf_setting_key(ctx, level, school, name);

    if (key.len == 0
        || ngx_http_pf_db_get(ctx, NGX_HTTP_PF_DB_SETTINGS, key, &value)
           != PF_OK)
    {
        return (pf_str_t) { 0, NULL };
    }

    return value;
}


/*
 * school -> city -> nation; empty when no level sets it.  A ceiling
 * number is the least of the levels' values instead (never empty).
 */

pf_str_t
ngx_http_pf_setting_value(ngx_http_pf_ctx_t *ctx, pf_str_t school,
    pf_str_t name)
{
    u_char                 *p;
    pf_str_t                v;
    ngx_http_pf_setting_t  *s;

    s = ngx_http_pf_setting_find(ctx->pmcf, name.data, name.len);

    if (s && s->decl.ceiling) {
        p = ngx_pnalloc(ctx->pool, NGX_INT64_LEN);
        if (p == NULL) {
            return (pf_str_t) { 0, NULL };
        }

        v.data = (const char *) p;
        v.len = ngx_sprintf(p, "%L",
                            ngx_http_pf_ceiling_value(ctx, &s->decl, school))
                - p;

        return v;
    }

    if (school.len) {
        v = ngx_http_pf_setting_at(ctx, PF_LEVEL_SCHOOL, school, name);
        if (v.data) {
            return v;
        }
    }

    v = ngx_http_pf_setting_at(ctx, PF_LEVEL_CITY, school, name);
    if (v.data) {
        return v;
    }

    return ngx_http_pf_setting_at(ctx, PF_LEVEL_NATION, school, name);
}


/* --- ceilings (1.5) ------------------------------------------------------ */

/* A level as the words of a message name it (the seeds': 國教署→臺北市→學校). */

const char *
ngx_http_pf_level_word(uint32_t level)
{
    switch (level) {

    case PF_LEVEL_NATION:
        return "國教署";

    case PF_LEVEL_CITY:
        return "教育局";

    default:
        return "學校";
    }
}


/*
 * A level's value of a ceiling number: its own, when it sets one the
 * declaration allows, else the default when the default is this level's
 * rule.  1 with *n (and *dflt if it is the default), 0 when it has none.
 */

static ngx_uint_t
ngx_http_pf_ceiling_level(ngx_http_pf_ctx_t *ctx, const pf_setting_t *d,
    uint32_t level, pf_str_t school, int64_t *n, ngx_uint_t *dflt)
{
    pf_str_t  v;

    *dflt = 0;
    v = ngx_http_pf_setting_at(ctx, level, school,
                               (pf_str_t) { ngx_strlen(d->name), d->name });

    if (v.len && v.len <= 20 && ngx_http_pf_setting_parse(v, n)
        && *n >= d->min && *n <= d->max)
    {
        return 1;
    }

    if (level == d->ceiling) {
        *n = d->dflt;
        *dflt = 1;
        return 1;
    }

    return 0;
}


/*
 * The ceiling of a level's value: the least value of the levels above it
 * (the nearest of equal ones, whom the level deals with).  1 with it in
 * *c, 0 when nothing above limits the level (or the setting is no
 * ceiling).
 */

ngx_uint_t
ngx_http_pf_setting_ceiling(ngx_http_pf_ctx_t *ctx, const pf_setting_t *d,
    uint32_t level, pf_str_t school, ngx_http_pf_ceiling_t *c)
{
    int64_t     n;
    ngx_uint_t  i, dflt, found;

    if (d->type != PF_SETTING_NUMBER || d->ceiling == 0) {
        return 0;
    }

    found = 0;

    for (i = 0; i < 3 && ngx_http_pf_levels[i] < level; i++) {
        if (!ngx_http_pf_ceiling_level(ctx, d, ngx_http_pf_levels[i], school,
                                       &n, &dflt))
        {
            continue;
        }

        if (!found || n <= c->value) {
            c->value = n;
            c->level = ngx_http_pf_levels[i];
            c->dflt = dflt;
            found = 1;
        }
    }

    return found;
}


/* A ceiling number as a school (or, with none, the city) has it. */

static int64_t
ngx_http_pf_ceiling_value(ngx_http_pf_ctx_t *ctx, const pf_setting_t *d,
    pf_str_t school)
{
    int64_t                n;
    uint32_t               level;
    ngx_uint_t             dflt, capped;
    ngx_http_pf_ceiling_t  c;

    level = school.len ? PF_LEVEL_SCHOOL : PF_LEVEL_CITY;
    capped = ngx_http_pf_setting_ceiling(ctx, d, level, school, &c);

    if (ngx_http_pf_ceiling_level(ctx, d, level, school, &n, &dflt)) {
        return (capped && c.value < n) ? c.value : n;
    }

    return capped ? c.value : d->dflt;
}


/*
 * A value above the ceiling of the level it is put at: PF_INVALID with
 * *why naming the ceiling and who set it; PF_OK otherwise.
 */

static int
ngx_http_pf_ceiling_check(ngx_http_pf_ctx_t *ctx, const pf_setting_t *d,
    uint32_t level, pf_str_t school, pf_str_t value, ngx_str_t *why)
{
    u_char                 *p;
    int64_t                 n;
    ngx_http_pf_ceiling_t   c;

    if (!ngx_http_pf_setting_parse(value, &n)
        || !ngx_http_pf_setting_ceiling(ctx, d, level, school, &c)
        || n <= c.value)
    {
        return PF_OK;
    }

    p = ngx_pnalloc(ctx->pool, 512);
    if (p == NULL) {
        return PF_ERROR;
    }

    why->data = p;
    why->len = ngx_slprintf(p, p + 512, "數值超出上限：參數 %s 最多為 %L（您"
                            "填的是 %L）。這是%s%s的上限，%s只能在此之內調低，"
                            "不能調高",
                            d->name, c.value, n,
                            ngx_http_pf_level_word(c.level),
                            c.dflt ? "規定" : "設定",
                            ngx_http_pf_level_word(level))
               - p;

    return PF_INVALID;
}


pf_str_t
ngx_http_pf_setting_school(ngx_http_pf_ctx_t *ctx, pf_str_t school)
{
    if (school.len == 0 && ctx->has_user) {
        return ctx->user.school;
    }

    return school;
}


/* A whole number in text, "-" allowed; 0 if it is not one. */

static ngx_uint_t
ngx_http_pf_setting_parse(pf_str_t v, int64_t *out)
{
    ngx_int_t  n;

    if (v.len && v.data[0] == '-') {
        n = ngx_atoi((u_char *) v.data + 1, v.len - 1);
        *out = -n;

    } else {
        n = ngx_atoi((u_char *) v.data, v.len);
        *out = n;
    }

    return n != NGX_ERROR;
}


static ngx_http_pf_setting_t *
ngx_http_pf_setting_declared(ngx_http_pf_ctx_t *ctx, const char *name,
    uint32_t type)
{
    ngx_http_pf_setting_t  *s;

    s = ngx_http_pf_setting_find(ctx->pmcf, name, ngx_strlen(name));

    if (s == NULL || s->decl.type != type) {
        ngx_log_error(NGX_LOG_ERR, ctx->log, 0,
                      "portfolio: setting \"%s\" is not declared as a %s by "
                      "any loaded plugin", name,
                      type == PF_SETTING_NUMBER ? "number" : "word");
        return NULL;
    }

    return s;
}


int64_t
ngx_http_pf_setting_number(ngx_http_pf_ctx_t *ctx, pf_str_t school,
    const char *name)
{
    int64_t                 n;
    pf_str_t                v;
    ngx_http_pf_setting_t  *s;

    s = ngx_http_pf_setting_declared(ctx, name, PF_SETTING_NUMBER);
    if (s == NULL) {
        return 0;
    }

    v = ngx_http_pf_setting_value(ctx, ngx_http_pf_setting_school(ctx, school),
                                  (pf_str_t) { ngx_strlen(name), name });

    if (v.data == NULL) {
        return s->decl.dflt;
    }

    if (v.len == 0) {
        return s->decl.empty_ok ? -1 : s->decl.dflt;
    }

    /* set outside the API (the bootstrap file) to what the declaration
       refuses: the default applies, as the settings page shows */
    if (!ngx_http_pf_setting_parse(v, &n)
        || n < s->decl.min || n > s->decl.max)
    {
        return s->decl.dflt;
    }

    return n;
}


pf_str_t
ngx_http_pf_setting_word(ngx_http_pf_ctx_t *ctx, pf_str_t school,
    const char *name)
{
    pf_str_t                v;
    ngx_http_pf_setting_t  *s;

    s = ngx_http_pf_setting_declared(ctx, name, PF_SETTING_WORD);
    if (s == NULL) {
        return (pf_str_t) { 0, NULL };
    }

    v = ngx_http_pf_setting_value(ctx, ngx_http_pf_setting_school(ctx, school),
                                  (pf_str_t) { ngx_strlen(name), name });

    if (!ngx_http_pf_setting_word_in(s->decl.choices, v)) {
        v.data = s->decl.dflt_word;
        v.len = ngx_strlen(v.data);
    }

    return v;
}


/*
 * Whether value is one the declaration allows: PF_OK, or PF_INVALID with
 * *why saying why in words (for the settings routes' answer).
 */

static int
ngx_http_pf_setting_check(ngx_http_pf_ctx_t *ctx, const pf_setting_t *d,
    pf_str_t value, ngx_str_t *why)
{
    int64_t          n, f, t;
    u_char          *p;
    ngx_str_t        err;
    const pf_val_t  *w;

    p = ngx_pnalloc(ctx->pool, 512);
    if (p == NULL) {
        return PF_ERROR;
    }

    why->data = p;

    if (d->type == PF_SETTING_WINDOW) {
        w = ngx_http_pf_json_parse(ctx->pool, (u_char *) value.data,
                                   value.len, 8, &err);

        if (w == NULL
            || ngx_http_pf_json_integer(ngx_http_pf_json_get(w, "from"), &f)
               != PF_OK
            || ngx_http_pf_json_integer(ngx_http_pf_json_get(w, "to"), &t)
               != PF_OK
            || f < 0 || f >= t)
        {
            why->len = ngx_slprintf(p, p + 512, "作業期間須為 {\"from\": "
                                    "毫秒, \"to\": 毫秒}，且開始早於結束")
                       - p;
            return PF_INVALID;
        }

        return PF_OK;
    }

    if (value.len == 0) {
        if (d->empty_ok) {
            return PF_OK;
        }

        why->len = ngx_slprintf(p, p + 512, "參數 %s 不可空白", d->name)
                   - p;
        return PF_INVALID;
    }

    if (d->type == PF_SETTING_WORD) {
        if (ngx_http_pf_setting_word_in(d->choices, value)) {
            return PF_OK;
        }

        why->len = ngx_slprintf(p, p + 512, "參數 %s 須為下列其中之一：%s",
                                d->name, d->choices)
                   - p;
        return PF_INVALID;
    }

    if (value.len > 20 || !ngx_http_pf_setting_parse(value, &n)
        || n < d->min || n > d->max)
    {
        /* the value as sent, when short: never cut inside a character */
        why->len = (value.len <= 24
                    ? ngx_slprintf(p, p + 512, "數值超出允許的範圍：參數 %s "
                                   "須為 %L 到 %L 的整數（您填的是「%*s」）",
                                   d->name, d->min, d->max, value.len,
                                   value.data)
                    : ngx_slprintf(p, p + 512, "數值超出允許的範圍：參數 %s "
                                   "須為 %L 到 %L 的整數",
                                   d->name, d->min, d->max))
                   - p;
        return PF_INVALID;
    }

    return PF_OK;
}


/*
 * Sets a level's value of a declared setting: PF_INVALID for a name no
 * loaded plugin declares or a value its declaration refuses (*why, if
 * given, says why), PF_DENIED at a level the declaration does not name.
 * The caller audits the change, in its own words.
 */

int
ngx_http_pf_setting_put(ngx_http_pf_ctx_t *ctx, uint32_t level,
    pf_str_t school, pf_str_t name, pf_str_t value, ngx_str_t *why)
{
    int                     rc;
    pf_str_t                key;
    ngx_str_t               reason;
    ngx_http_pf_setting_t  *s;

    rc = ngx_http_pf_setting_target(ctx, level, school, name, &s, &key);
    if (rc != PF_OK) {
        return rc;
    }

    rc = ngx_http_pf_setting_check(ctx, &s->decl, value, why ? why : &reason);
    if (rc != PF_OK) {
        return rc;
    }

    rc = ngx_http_pf_ceiling_check(ctx, &s->decl, level, school, value,
                                   why ? why : &reason);
    if (rc != PF_OK) {
        return rc;
    }

    return ngx_http_pf_db_put(ctx, NGX_HTTP_PF_DB_SETTINGS, key, value);
}


/* Removes a level's value: PF_NOT_FOUND if it set none (else as put). */

int
ngx_http_pf_setting_del(ngx_http_pf_ctx_t *ctx, uint32_t level,
    pf_str_t school, pf_str_t name)
{
    int                     rc;
    pf_str_t                key;
    ngx_http_pf_setting_t  *s;

    rc = ngx_http_pf_setting_target(ctx, level, school, name, &s, &key);
    if (rc != PF_OK) {
        return rc;
    }

    return ngx_http_pf_db_del(ctx, NGX_HTTP_PF_DB_SETTINGS, key);
}


/*
 * What a change of a level's value names: the declaration (PF_INVALID if
 * none), a level it allows (PF_DENIED if not), and the stored key.
 */

static int
ngx_http_pf_setting_target(ngx_http_pf_ctx_t *ctx, uint32_t level,
    pf_str_t school, pf_str_t name, ngx_http_pf_setting_t **s, pf_str_t *key)
{
    pf_str_t  term;

    *s = ngx_http_pf_setting_of(ctx->pmcf, name, &term);
    if (*s == NULL) {
        return PF_INVALID;
    }

    if (!((*s)->decl.levels & level)) {
        return PF_DENIED;
    }

    *key = ngx_http_pf_setting_key(ctx, level, school, name);

    return key->len ? PF_OK : PF_ERROR;
}


/*
 * The value a setting has for a school (or the city) as the settings page
 * shows it: the level's own or the one it inherits, unless its
 * declaration refuses it (a value the bootstrap file set), else the
 * default; "" for an empty ("never") number.
 */

pf_str_t
ngx_http_pf_setting_shown(ngx_http_pf_ctx_t *ctx, const pf_setting_t *d,
    pf_str_t school)
{
    u_char     *p;
    pf_str_t    v;
    ngx_str_t   why;

    v = ngx_http_pf_setting_value(ctx, school,
                                  (pf_str_t) { ngx_strlen(d->name), d->name });

    if (v.data && ngx_http_pf_setting_check(ctx, d, v, &why) == PF_OK) {
        return v;
    }

    if (d->type == PF_SETTING_WORD) {
        return (pf_str_t) { ngx_strlen(d->dflt_word), d->dflt_word };
    }

    if (d->empty_ok && d->dflt == -1) {
        return (pf_str_t) { 0, "" };
    }

    p = ngx_pnalloc(ctx->pool, NGX_INT64_LEN);
    if (p == NULL) {
        return (pf_str_t) { 0, "" };
    }

    return (pf_str_t) { ngx_sprintf(p, "%L", d->dflt) - p, (const char *) p };
}
