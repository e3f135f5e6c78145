/*
 * ngx_http_portfolio_ldap.c -- sign-on through the city's LDAP directory
 * (SPEC A2): configuration, the bind itself, RFC 4514/4515 escaping, and
 * the routes that bind a local account to its directory identity.
 *
 * A bind never runs in the event loop: it runs in a thread of
 * portfolio_ldap_pool (by default the task pool), on a fresh libldap handle
 * per attempt (handles are never shared between threads), within
 * portfolio_ldap_timeout for each connection and portfolio_ldap_op_timeout
 * for the whole attempt.  Every library error is logged with its text.
 *
 * Bindings: the user record carries "directory": "<uid>" (as verified at
 * binding time), and the "directory" database maps the uid, ASCII
 * lower-cased (uid matching is case-insensitive in the directory), to
 * {"user": "<local account>"}, so one directory account is bound to at
 * most one local account.
 *
 * With NGX_HTTP_PF_LDAP_ESCAPE_ONLY defined, only the escaping functions
 * are compiled (the unit test t/unit/ldap_escape_test.c includes this file
 * that way, without nginx or libldap).
 */

#ifndef NGX_HTTP_PF_LDAP_ESCAPE_ONLY
#include "ngx_http_portfolio_module.h"
#include <ldap.h>
#include <time.h>
#endif

#include <stddef.h>
#include <string.h>


static const char  ngx_http_pf_ldap_hex[] = "0123456789abcdef";


/*
 * RFC 4515 assertion value: "*", "(", ")", "\" and NUL must be escaped as
 * \xx; control characters, DEL and every byte of a non-ASCII character are
 * escaped too (allowed, and keeps logs readable).  dst needs 3 * len.
 */

size_t
ngx_http_pf_ldap_escape_filter(unsigned char *dst, const unsigned char *src,
    size_t len)
{
    size_t          i;
    unsigned char  *p, c;

    p = dst;

    for (i = 0; i < len; i++) {
        c = src[i];

        if (c == '*' || c == '(' || c == ')' || c == '\\' || c < 0x20
            || c >= 0x7f)
        {
            *p++ = '\\';
            *p++ = ngx_http_pf_ldap_hex[c >> 4];
            *p++ = ngx_http_pf_ldap_hex[c & 0xf];
            continue;
        }

        *p++ = c;
    }

    return p - dst;
}


/*
 * RFC 4514 attribute value in a DN: "," "+" """ "\" "<" ">" ";" and "="
 * get a backslash, so do a leading space or "#" and a trailing space; NUL
 * and other control characters are written as \xx.  UTF-8 stays as it is.
 * dst needs 3 * len.
 */

size_t
ngx_http_pf_ldap_escape_dn(unsigned char *dst, const unsigned char *src,
    size_t len)
{
    size_t          i;
    unsigned char  *p, c;

    p = dst;

    for (i = 0; i < len; i++) {
        c = src[i];

        if (c < 0x20 || c == 0x7f) {
            *p++ = '\\';
            *p++ = ngx_http_pf_ldap_hex[c >> 4];
            *p++ = ngx_http_pf_ldap_hex[c & 0xf];
            continue;
        }

        if (c == ',' || c == '+' || c == '"' || c == '\\' || c == '<'
            || c == '>' || c == ';' || c == '='
            || (i == 0 && (c == ' ' || c == '#'))
            || (i == len - 1 && c == ' '))
        {
            *p++ = '\\';
        }

        *p++ = c;
    }

    return p - dst;
}


/*
 * Expands a template with one "%s" (the escaped value) and "%%" (a "%")
 * into dst, NUL-terminated.  Returns the length, or (size_t) -1 if it
 * does not fit.
 */

static size_t
ngx_http_pf_ldap_expand(unsigned char *dst, size_t size, const char *tmpl,
    const unsigned char *value, size_t len, int filter)
{
    unsigned char  *p, *last;

    p = dst;
    last = dst + size - 1;           /* room for the NUL */

    for ( /* void */ ; *tmpl; tmpl++) {

        if (tmpl[0] == '%' && tmpl[1] == 's') {
            if ((size_t) (last - p) < 3 * len) {
                return (size_t) -1;
            }

            p += filter ? ngx_http_pf_ldap_escape_filter(p, value, len)
                        : ngx_http_pf_ldap_escape_dn(p, value, len);
            tmpl++;
            continue;
        }

        if (p == last) {
            return (size_t) -1;
        }

        if (tmpl[0] == '%' && tmpl[1] == '%') {
            tmpl++;
        }

        *p++ = (unsigned char) *tmpl;
    }

    *p = '\0';

    return p - dst;
}


#ifndef NGX_HTTP_PF_LDAP_ESCAPE_ONLY


#define NGX_HTTP_PF_LDAP_MAX_TEMPLATE   512
#define NGX_HTTP_PF_LDAP_MAX_UID        64
#define NGX_HTTP_PF_LDAP_BUF            (NGX_HTTP_PF_LDAP_MAX_TEMPLATE       \
                                         + 3 * NGX_HTTP_PF_LDAP_MAX_UID + 64)


/* POST /me/directory: what the thread and the writer share. */
typedef struct {
    pf_str_t             uid;
    pf_str_t             password;
    int64_t              fails;
    ngx_int_t            result;
} ngx_http_pf_ldap_bind_t;


static int ngx_http_pf_ldap_get(pf_req_t *req);
static int ngx_http_pf_ldap_bind(pf_req_t *req);
static void ngx_http_pf_ldap_bind_thread(void *data, ngx_log_t *log);
static void ngx_http_pf_ldap_bind_done(ngx_http_pf_ctx_t *ctx);
static int ngx_http_pf_ldap_bind_write(pf_req_t *req);
static int ngx_http_pf_ldap_unbind(pf_req_t *req);


const pf_route_t  ngx_http_pf_ldap_routes[] = {
    { .method = "GET", .path = "/me/directory", .roles = PF_ROLE_ANY,
      .scope = PF_SCOPE_SELF, .handler = ngx_http_pf_ldap_get },
    { .method = "POST", .path = "/me/directory", .roles = PF_ROLE_ANY,
      .scope = PF_SCOPE_SELF, .handler = ngx_http_pf_ldap_bind },
    { .method = "DELETE", .path = "/me/directory", .roles = PF_ROLE_ANY,
      .scope = PF_SCOPE_SELF, .flags = PF_ROUTE_WRITE,
      .handler = ngx_http_pf_ldap_unbind },
};

const size_t  ngx_http_pf_ldap_nroutes =
    sizeof(ngx_http_pf_ldap_routes) / sizeof(pf_route_t);


/* Configuration. */

void
ngx_http_pf_ldap_create_conf(ngx_http_pf_ldap_conf_t *lc)
{
    lc->starttls = NGX_CONF_UNSET;
    lc->timeout = NGX_CONF_UNSET_MSEC;
    lc->op_timeout = NGX_CONF_UNSET_MSEC;
}


/* portfolio_ldap_url URL...; tried in order (one space-separated list). */

char *
ngx_http_pf_ldap_url(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_pf_main_conf_t *pmcf = conf;

    int          rc;
    u_char      *p;
    size_t       len;
    LDAPURLDesc *lud;
    ngx_str_t   *value;
    ngx_uint_t   i;

    if (pmcf->ldap.url.data) {
        return "is duplicate";
    }

    value = cf->args->elts;
    len = 0;

    for (i = 1; i < cf->args->nelts; i++) {
        rc = ldap_url_parse((char *) value[i].data, &lud);
        if (rc != LDAP_URL_SUCCESS) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\" is not an LDAP URL (error %d)",
                               &value[i], rc);
            return NGX_CONF_ERROR;
        }

        if (ngx_strcasecmp((u_char *) lud->lud_scheme, (u_char *) "ldaps")
            == 0)
        {
            pmcf->ldap.ldaps = 1;

        } else if (ngx_strcasecmp((u_char *) lud->lud_scheme,
                                  (u_char *) "ldap") != 0)
        {
            ldap_free_urldesc(lud);
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\": only ldap:// and ldaps:// URLs",
                               &value[i]);
            return NGX_CONF_ERROR;
        }

        if (lud->lud_host == NULL || lud->lud_host[0] == '\0') {
            ldap_free_urldesc(lud);
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\" names no host", &value[i]);
            return NGX_CONF_ERROR;
        }

        ldap_free_urldesc(lud);
        len += value[i].len + 1;
    }

    p = ngx_pnalloc(cf->pool, len);
    if (p == NULL) {
        return NGX_CONF_ERROR;
    }

    pmcf->ldap.url.data = p;

    for (i = 1; i < cf->args->nelts; i++) {
        if (i > 1) {
            *p++ = ' ';
        }

        p = ngx_cpymem(p, value[i].data, value[i].len);
    }

    *p = '\0';
    pmcf->ldap.url.len = p - pmcf->ldap.url.data;

    return NGX_CONF_OK;
}


/* A template needs exactly one "%s"; any other "%" is written "%%". */

static char *
ngx_http_pf_ldap_check_template(ngx_str_t *t)
{
    u_char      *p, *last;
    ngx_uint_t   n;

    if (t->len == 0 || t->len > NGX_HTTP_PF_LDAP_MAX_TEMPLATE) {
        return "must be 1 to 512 characters";
    }

    n = 0;
    last = t->data + t->len;

    for (p = t->data; p < last; p++) {
        if (*p != '%') {
            continue;
        }

        if (p + 1 < last && p[1] == 's') {
            n++;

        } else if (p + 1 >= last || p[1] != '%') {
            return "may contain \"%s\" (the account name) and \"%%\" only";
        }

        p++;
    }

    if (n != 1) {
        return "must contain \"%s\" (the account name) exactly once";
    }

    return NULL;
}


char *
ngx_http_pf_ldap_bind_dn(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_pf_main_conf_t *pmcf = conf;

    char       *err;
    ngx_str_t  *value;

    if (pmcf->ldap.bind_dn.data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    err = ngx_http_pf_ldap_check_template(&value[1]);
    if (err) {
        return err;
    }

    pmcf->ldap.bind_dn = value[1];    /* NUL-terminated by the parser */

    return NGX_CONF_OK;
}


/* portfolio_ldap_search BASE FILTER; */

char *
ngx_http_pf_ldap_search(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_pf_main_conf_t *pmcf = conf;

    char       *err;
    ngx_str_t  *value;

    if (pmcf->ldap.search_base.data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (value[1].len == 0 || value[1].len > NGX_HTTP_PF_LDAP_MAX_TEMPLATE) {
        return "needs a search base of 1 to 512 characters";
    }

    err = ngx_http_pf_ldap_check_template(&value[2]);
    if (err) {
        return err;
    }

    if (value[2].data[0] != '(' || value[2].data[value[2].len - 1] != ')') {
        return "needs a filter in parentheses, "
               "such as \"(&(objectClass=inetOrgPerson)(uid=%s))\"";
    }

    pmcf->ldap.search_base = value[1];
    pmcf->ldap.search_filter = value[2];

    return NGX_CONF_OK;
}


char *
ngx_http_pf_ldap_init_conf(ngx_conf_t *cf, ngx_http_pf_main_conf_t *pmcf)
{
    int                       v;
    ngx_http_pf_ldap_conf_t  *lc;

    lc = &pmcf->ldap;

    ngx_conf_init_value(lc->starttls, 0);
    ngx_conf_init_msec_value(lc->timeout, 3000);
    ngx_conf_init_msec_value(lc->op_timeout, 5000);

    if (lc->url.len == 0) {
        if (lc->bind_dn.len || lc->search_base.len || lc->service_dn.len
            || lc->service_password.len || lc->ca_file.len || lc->starttls
            || lc->pool_name.len)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "portfolio_ldap_* directives need "
                               "\"portfolio_ldap_url\"");
            return NGX_CONF_ERROR;
        }

        return NGX_CONF_OK;
    }

    if ((lc->bind_dn.len != 0) == (lc->search_base.len != 0)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"portfolio_ldap_url\" needs exactly one of "
                           "\"portfolio_ldap_bind_dn\" (a DN template) and "
                           "\"portfolio_ldap_search\" (search, then bind)");
        return NGX_CONF_ERROR;
    }

    if (lc->search_base.len
        && (lc->service_dn.len == 0 || lc->service_password.len == 0))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"portfolio_ldap_search\" needs "
                           "\"portfolio_ldap_service_dn\" and "
                           "\"portfolio_ldap_service_password\"");
        return NGX_CONF_ERROR;
    }

    if (lc->bind_dn.len && (lc->service_dn.len || lc->service_password.len)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"portfolio_ldap_service_dn\" and "
                           "\"portfolio_ldap_service_password\" go with "
                           "\"portfolio_ldap_search\", not with "
                           "\"portfolio_ldap_bind_dn\"");
        return NGX_CONF_ERROR;
    }

    if (lc->starttls && lc->ldaps) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"portfolio_ldap_starttls on\" cannot be used "
                           "with ldaps:// URLs (TLS from the start)");
        return NGX_CONF_ERROR;
    }

    if (lc->timeout == 0 || lc->op_timeout == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "portfolio_ldap_timeout and "
                           "portfolio_ldap_op_timeout must not be zero");
        return NGX_CONF_ERROR;
    }

    if (lc->ca_file.len && access((char *) lc->ca_file.data, R_OK) != 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "portfolio_ldap_ca_file \"%V\" cannot be read",
                           &lc->ca_file);
        return NGX_CONF_ERROR;
    }

    if (lc->pool_name.len == 0) {
        lc->pool_name = pmcf->task_pool_name;
    }

    lc->pool = ngx_thread_pool_add(cf, &lc->pool_name);
    if (lc->pool == NULL) {
        return NGX_CONF_ERROR;
    }

    /*
     * libldap sets up its global state on first use: do it here, before
     * the workers and their threads exist.
     */
    (void) ldap_get_option(NULL, LDAP_OPT_PROTOCOL_VERSION, &v);

    return NGX_CONF_OK;
}


/* The bind, in a thread. */

static ngx_msec_t
ngx_http_pf_ldap_clock(void)
{
    struct timespec  ts;

    (void) clock_gettime(CLOCK_MONOTONIC, &ts);

    return (ngx_msec_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}


static void
ngx_http_pf_ldap_log(ngx_uint_t level, ngx_log_t *log, LDAP *ld, int rc,
    const char *what, const char *dn, ngx_http_pf_ldap_conf_t *lc)
{
    char        *diag;
    const char  *text;

    diag = NULL;

    if (ld) {
        (void) ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
    }

    text = (diag && diag[0]) ? diag : NULL;

    /* libldap says no more than this when a TLS handshake fails */
    if ((lc->starttls || lc->ldaps)
        && (rc == LDAP_CONNECT_ERROR
            || (text && ngx_strcmp(text, "(unknown error code)") == 0)))
    {
        text = "TLS handshake failed: is the server certificate signed by "
               "portfolio_ldap_ca_file and issued for the host in the URL?";
    }

    ngx_log_error(level, log, 0, "portfolio ldap: %s%s%s%s failed: %s (%d)%s%s",
                  what, dn ? " \"" : "", dn ? dn : "", dn ? "\"" : "",
                  ldap_err2string(rc), rc, text ? ": " : "", text ? text : "");

    if (diag) {
        ldap_memfree(diag);
    }
}


/* What a failed operation means for the sign-in. */

static ngx_int_t
ngx_http_pf_ldap_classify(int rc)
{
    switch (rc) {

    case LDAP_INVALID_CREDENTIALS:
    case LDAP_INAPPROPRIATE_AUTH:       /* no password on the entry */
    case LDAP_INVALID_DN_SYNTAX:
    case LDAP_NO_SUCH_OBJECT:
    case LDAP_UNWILLING_TO_PERFORM:     /* e.g. a locked account */
        return NGX_HTTP_PF_LDAP_INVALID;

    default:
        return NGX_HTTP_PF_LDAP_UNAVAILABLE;
    }
}


/*
 * Before each synchronous operation: what is left of the operation
 * timeout, for the whole attempt.  0 when nothing is left.
 */

static ngx_int_t
ngx_http_pf_ldap_remaining(LDAP *ld, ngx_msec_t deadline, struct timeval *tv,
    ngx_log_t *log)
{
    ngx_msec_t  now, left;

    now = ngx_http_pf_ldap_clock();

    if ((ngx_msec_int_t) (deadline - now) <= 0) {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "portfolio ldap: the directory did not answer within "
                      "portfolio_ldap_op_timeout");
        return 0;
    }

    left = deadline - now;
    tv->tv_sec = left / 1000;
    tv->tv_usec = (left % 1000) * 1000;

    if (ldap_set_option(ld, LDAP_OPT_TIMEOUT, tv) != LDAP_OPT_SUCCESS) {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "portfolio ldap: ldap_set_option(LDAP_OPT_TIMEOUT) "
                      "failed");
        return 0;
    }

    return 1;
}


static ngx_int_t
ngx_http_pf_ldap_options(ngx_http_pf_ldap_conf_t *lc, LDAP *ld,
    ngx_log_t *log)
{
    int             v, rc;
    const char     *what;
    struct timeval  tv;

    v = LDAP_VERSION3;
    what = "LDAP_OPT_PROTOCOL_VERSION";
    rc = ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v);
    if (rc != LDAP_OPT_SUCCESS) {
        goto failed;
    }

    what = "LDAP_OPT_REFERRALS";
    rc = ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
    if (rc != LDAP_OPT_SUCCESS) {
        goto failed;
    }

    tv.tv_sec = lc->timeout / 1000;
    tv.tv_usec = (lc->timeout % 1000) * 1000;
    what = "LDAP_OPT_NETWORK_TIMEOUT";
    rc = ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
    if (rc != LDAP_OPT_SUCCESS) {
        goto failed;
    }

    tv.tv_sec = lc->op_timeout / 1000;
    tv.tv_usec = (lc->op_timeout % 1000) * 1000;
    what = "LDAP_OPT_TIMEOUT";
    rc = ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv);
    if (rc != LDAP_OPT_SUCCESS) {
        goto failed;
    }

    if (!lc->starttls && !lc->ldaps) {
        return NGX_OK;
    }

    /* certificates are always checked; options of this handle only */
    v = LDAP_OPT_X_TLS_DEMAND;
    what = "LDAP_OPT_X_TLS_REQUIRE_CERT";
    rc = ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &v);
    if (rc != LDAP_OPT_SUCCESS) {
        goto failed;
    }

    if (lc->ca_file.len) {
        what = "LDAP_OPT_X_TLS_CACERTFILE";
        rc = ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, lc->ca_file.data);
        if (rc != LDAP_OPT_SUCCESS) {
            goto failed;
        }
    }

    v = 0;
    what = "LDAP_OPT_X_TLS_NEWCTX";
    rc = ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &v);
    if (rc != LDAP_OPT_SUCCESS) {
        goto failed;
    }

    return NGX_OK;

failed:

    ngx_log_error(NGX_LOG_ERR, log, 0,
                  "portfolio ldap: ldap_set_option(%s) failed: %s (%d)",
                  what, ldap_err2string(rc), rc);

    return NGX_ERROR;
}


/* Search-then-bind: the one entry the filter finds, as the service. */

static ngx_int_t
ngx_http_pf_ldap_find(ngx_http_pf_ldap_conf_t *lc, LDAP *ld, pf_str_t uid,
    ngx_msec_t deadline, u_char *dn, ngx_log_t *log)
{
    int              rc, n;
    char            *found;
    ngx_uint_t       level;
    char            *attrs[] = { LDAP_NO_ATTRS, NULL };
    u_char           filter[NGX_HTTP_PF_LDAP_BUF];
    size_t           len;
    LDAPMessage     *res, *e;
    struct berval    cred;
    struct timeval   tv;

    if (!ngx_http_pf_ldap_remaining(ld, deadline, &tv, log)) {
        return NGX_HTTP_PF_LDAP_UNAVAILABLE;
    }

    cred.bv_val = (char *) lc->service_password.data;
    cred.bv_len = lc->service_password.len;

    rc = ldap_sasl_bind_s(ld, (char *) lc->service_dn.data, LDAP_SASL_SIMPLE,
                          &cred, NULL, NULL, NULL);
    if (rc != LDAP_SUCCESS) {
        /* whatever the reason, it is not the user's password */
        ngx_http_pf_ldap_log(NGX_LOG_ERR, log, ld, rc,
                             "bind as the service account",
                             (char *) lc->service_dn.data, lc);
        return NGX_HTTP_PF_LDAP_UNAVAILABLE;
    }

    len = ngx_http_pf_ldap_expand(filter, sizeof(filter),
                                  (char *) lc->search_filter.data,
                                  (u_char *) uid.data, uid.len, 1);
    if (len == (size_t) -1) {
        return NGX_HTTP_PF_LDAP_INVALID;
    }

    if (!ngx_http_pf_ldap_remaining(ld, deadline, &tv, log)) {
        return NGX_HTTP_PF_LDAP_UNAVAILABLE;
    }

    res = NULL;

    /* one entry is the account; a second exceeds the size limit */
    rc = ldap_search_ext_s(ld, (char *) lc->search_base.data,
                           LDAP_SCOPE_SUBTREE, (char *) filter, attrs, 0,
                           NULL, NULL, &tv, 1, &res);

    if (rc == LDAP_SIZELIMIT_EXCEEDED) {
        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "portfolio ldap: search \"%s\" finds more than one "
                      "entry: refused", filter);
        ldap_msgfree(res);
        return NGX_HTTP_PF_LDAP_INVALID;
    }

    if (rc != LDAP_SUCCESS) {
        ngx_http_pf_ldap_log(NGX_LOG_ERR, log, ld, rc, "search",
                             (char *) filter, lc);
        ldap_msgfree(res);

        /* a missing base or a refused search is not the user's fault */
        return NGX_HTTP_PF_LDAP_UNAVAILABLE;
    }

    n = ldap_count_entries(ld, res);

    if (n != 1) {
        level = n ? NGX_LOG_WARN : NGX_LOG_INFO;
        ngx_log_error(level, log, 0,
                      "portfolio ldap: search \"%s\" finds %d entries",
                      filter, n);
        ldap_msgfree(res);
        return NGX_HTTP_PF_LDAP_INVALID;
    }

    e = ldap_first_entry(ld, res);
    found = e ? ldap_get_dn(ld, e) : NULL;

    if (found == NULL || ngx_strlen(found) >= NGX_HTTP_PF_LDAP_BUF) {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "portfolio ldap: search \"%s\": no usable DN", filter);
        if (found) {
            ldap_memfree(found);
        }

        ldap_msgfree(res);
        return NGX_HTTP_PF_LDAP_UNAVAILABLE;
    }

    (void) ngx_cpystrn(dn, (u_char *) found, NGX_HTTP_PF_LDAP_BUF);
    ldap_memfree(found);
    ldap_msgfree(res);

    return NGX_HTTP_PF_LDAP_OK;
}


/*
 * Binds as uid with password: NGX_HTTP_PF_LDAP_OK, _INVALID (wrong
 * password, no such account) or _UNAVAILABLE (down, slow, TLS, service
 * account or any other failure).  Runs in a thread.
 */

ngx_int_t
ngx_http_pf_ldap_auth(ngx_http_pf_ldap_conf_t *lc, pf_str_t uid,
    pf_str_t password, ngx_log_t *log)
{
    int              rc;
    LDAP            *ld;
    u_char           dn[NGX_HTTP_PF_LDAP_BUF];
    size_t           len;
    ngx_int_t        result;
    ngx_msec_t       deadline;
    struct berval    cred;
    struct timeval   tv;

    /* an empty password would be an "unauthenticated bind": a success */
    if (password.len == 0 || uid.len == 0
        || uid.len > NGX_HTTP_PF_LDAP_MAX_UID)
    {
        ngx_log_error(NGX_LOG_INFO, log, 0,
                      "portfolio ldap: empty or overlong account name or "
                      "password not sent to the directory");
        return NGX_HTTP_PF_LDAP_INVALID;
    }

    if (lc->url.len == 0) {
        return NGX_HTTP_PF_LDAP_UNAVAILABLE;
    }

    deadline = ngx_http_pf_ldap_clock() + lc->op_timeout;

    ld = NULL;
    rc = ldap_initialize(&ld, (char *) lc->url.data);
    if (rc != LDAP_SUCCESS) {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "portfolio ldap: ldap_initialize(\"%s\") failed: %s (%d)",
                      lc->url.data, ldap_err2string(rc), rc);
        return NGX_HTTP_PF_LDAP_UNAVAILABLE;
    }

    result = NGX_HTTP_PF_LDAP_UNAVAILABLE;

    if (ngx_http_pf_ldap_options(lc, ld, log) != NGX_OK) {
        goto done;
    }

    if (lc->starttls) {
        if (!ngx_http_pf_ldap_remaining(ld, deadline, &tv, log)) {
            goto done;
        }

        rc = ldap_start_tls_s(ld, NULL, NULL);
        if (rc != LDAP_SUCCESS) {
            ngx_http_pf_ldap_log(NGX_LOG_ERR, log, ld, rc, "StartTLS with",
                                 (char *) lc->url.data, lc);
            goto done;
        }
    }

    if (lc->search_base.len) {
        result = ngx_http_pf_ldap_find(lc, ld, uid, deadline, dn, log);
        if (result != NGX_HTTP_PF_LDAP_OK) {
            goto done;
        }

        result = NGX_HTTP_PF_LDAP_UNAVAILABLE;

    } else {
        len = ngx_http_pf_ldap_expand(dn, sizeof(dn),
                                      (char *) lc->bind_dn.data,
                                      (u_char *) uid.data, uid.len, 0);
        if (len == (size_t) -1) {
            result = NGX_HTTP_PF_LDAP_INVALID;
            goto done;
        }
    }

    if (!ngx_http_pf_ldap_remaining(ld, deadline, &tv, log)) {
        goto done;
    }

    cred.bv_val = (char *) password.data;
    cred.bv_len = password.len;

    rc = ldap_sasl_bind_s(ld, (char *) dn, LDAP_SASL_SIMPLE, &cred, NULL,
                          NULL, NULL);

    if (rc == LDAP_SUCCESS) {
        ngx_log_error(NGX_LOG_INFO, log, 0,
                      "portfolio ldap: bind as \"%s\" succeeded", dn);
        result = NGX_HTTP_PF_LDAP_OK;
        goto done;
    }

    result = ngx_http_pf_ldap_classify(rc);

    ngx_http_pf_ldap_log(result == NGX_HTTP_PF_LDAP_INVALID ? NGX_LOG_INFO
                                                            : NGX_LOG_ERR,
                         log, ld, rc, "bind as", (char *) dn, lc);

done:

    rc = ldap_unbind_ext_s(ld, NULL, NULL);
    if (rc != LDAP_SUCCESS && result == NGX_HTTP_PF_LDAP_OK) {
        ngx_log_error(NGX_LOG_INFO, log, 0,
                      "portfolio ldap: unbind: %s (%d)", ldap_err2string(rc),
                      rc);
    }

    return result;
}


/* Sign-in support (_auth.c). */

/* The index key of a uid: ASCII lower case, as the directory matches. */

static pf_str_t
ngx_http_pf_ldap_key(ngx_pool_t *pool, pf_str_t uid)
{
    u_char    *p;
    size_t     i;
    pf_str_t   key;

    p = ngx_pnalloc(pool, uid.len ? uid.len : 1);
    if (p == NULL) {
        return (pf_str_t) { 0, NULL };
    }

    for (i = 0; i < uid.len; i++) {
        p[i] = ngx_tolower((u_char) uid.data[i]);
    }

    key.data = (const char *) p;
    key.len = uid.len;

    return key;
}


static ngx_uint_t
ngx_http_pf_ldap_same(pf_str_t a, pf_str_t b)
{
    return a.len == b.len
           && ngx_strncasecmp((u_char *) a.data, (u_char *) b.data, a.len)
              == 0;
}


static pf_str_t
ngx_http_pf_ldap_copy(ngx_pool_t *pool, pf_str_t s)
{
    u_char  *p;

    p = ngx_pnalloc(pool, s.len ? s.len : 1);
    if (p == NULL) {
        return (pf_str_t) { 0, NULL };
    }

    ngx_memcpy(p, s.data, s.len);

    return (pf_str_t) { s.len, (const char *) p };
}


/* The local account a directory account name is bound to, if any. */

int
ngx_http_pf_ldap_resolve(ngx_http_pf_ctx_t *ctx, pf_str_t name,
    pf_str_t *account)
{
    pf_str_t         key, value;
    ngx_str_t        err;
    const pf_val_t  *rec;

    if (ctx->pmcf->ldap.url.len == 0 || name.len == 0
        || name.len > NGX_HTTP_PF_LDAP_MAX_UID)
    {
        return PF_NOT_FOUND;
    }

    key = ngx_http_pf_ldap_key(ctx->pool, name);
    if (key.data == NULL) {
        return PF_ERROR;
    }

    if (ngx_http_pf_db_get(ctx, NGX_HTTP_PF_DB_DIRECTORY, key, &value)
        != PF_OK)
    {
        return PF_NOT_FOUND;
    }

    rec = ngx_http_pf_json_parse(ctx->pool, (u_char *) value.data, value.len,
                                 4, &err);

    *account = ngx_http_pf_json_str(ngx_http_pf_json_get(rec, "user"));
    if (account->len == 0) {
        return PF_NOT_FOUND;
    }

    *account = ngx_http_pf_ldap_copy(ctx->pool, *account);

    return account->data ? PF_OK : PF_ERROR;
}


/*
 * The sign-in methods an account may use: its school's "login_methods"
 * setting (school -> city -> nation; "local", "directory" or "both", the
 * default), plus local passwords for a "break_glass" account; directory
 * sign-in only when a directory is configured.  *uid is the account's
 * binding (a copy) when directory sign-in is possible, else empty.
 */

ngx_uint_t
ngx_http_pf_login_methods(ngx_http_pf_ctx_t *ctx, const pf_val_t *rec,
    pf_str_t *uid)
{
    pf_str_t    school, v;
    ngx_uint_t  methods;

    uid->len = 0;
    uid->data = NULL;

    school = ngx_http_pf_json_str(ngx_http_pf_json_get(rec, "school"));
    v = ngx_http_pf_host_api.setting_in(ctx, school, "login_methods");

    if (v.len == 5 && ngx_strncmp(v.data, "local", 5) == 0) {
        methods = NGX_HTTP_PF_LOGIN_LOCAL;

    } else if (v.len == 9 && ngx_strncmp(v.data, "directory", 9) == 0) {
        methods = NGX_HTTP_PF_LOGIN_DIRECTORY;

    } else {
        if (v.len && !(v.len == 4 && ngx_strncmp(v.data, "both", 4) == 0)) {
            ngx_log_error(NGX_LOG_WARN, ctx->log, 0,
                          "portfolio: setting login_methods of school "
                          "\"%*s\" is \"%*s\", not local, directory or "
                          "both: both are allowed", school.len, school.data,
                          v.len, v.data);
        }

        methods = NGX_HTTP_PF_LOGIN_LOCAL|NGX_HTTP_PF_LOGIN_DIRECTORY;
    }

    if (ngx_http_pf_json_type(ngx_http_pf_json_get(rec, "break_glass"))
        == PF_JSON_TRUE)
    {
        methods |= NGX_HTTP_PF_LOGIN_LOCAL;
    }

    if (ctx->pmcf->ldap.url.len == 0) {
        methods &= ~NGX_HTTP_PF_LOGIN_DIRECTORY;
    }

    if (methods & NGX_HTTP_PF_LOGIN_DIRECTORY) {
        v = ngx_http_pf_json_str(ngx_http_pf_json_get(rec, "directory"));

        if (v.len && v.len <= NGX_HTTP_PF_LDAP_MAX_UID) {
            *uid = ngx_http_pf_ldap_copy(ctx->pool, v);
        }
    }

    return methods;
}


/* In the writer: the record still carries the binding that was used. */

ngx_uint_t
ngx_http_pf_ldap_still_bound(const pf_val_t *rec, pf_str_t uid)
{
    return ngx_http_pf_ldap_same(
               ngx_http_pf_json_str(ngx_http_pf_json_get(rec, "directory")),
               uid);
}


/* Rewrites the user record with "directory" set to uid, or without it. */

static int
ngx_http_pf_ldap_user_put(ngx_http_pf_ctx_t *ctx, const pf_val_t *rec,
    pf_str_t uid)
{
    pf_gen_t  *g;

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return PF_ERROR;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "directory");

    if (uid.len) {
        ngx_http_pf_gen_string(g, uid);

    } else {
        ngx_http_pf_gen_null(g);
    }

    if (ngx_http_pf_gen_map_close(g) != PF_OK) {
        return PF_ERROR;
    }

    return ngx_http_pf_user_update(ctx, ctx->user.id, rec,
                                   ngx_http_pf_gen_text(g), 0);
}


/*
 * In the writer, after a directory sign-in of an account whose initial
 * password was never changed: that password is dropped, so the account
 * needs no change and the initial password no longer signs in.
 */

int
ngx_http_pf_ldap_retire_initial(ngx_http_pf_ctx_t *ctx, pf_str_t id,
    const pf_val_t *rec)
{
    if (ngx_http_pf_user_update(ctx, id, rec,
                                pf_string("{\"pw\":null,"
                                          "\"must_change\":false}"), 0)
        != PF_OK)
    {
        return PF_ERROR;
    }

    (void) ngx_http_pf_audit(ctx, id, "password.retired",
                             (pf_str_t) { 2, "{}" });

    return PF_OK;
}


/* The user's directory binding record, or an empty uid. */

static int
ngx_http_pf_ldap_binding(ngx_http_pf_ctx_t *ctx, const pf_val_t **rec,
    pf_str_t *uid)
{
    if (ngx_http_pf_load_user(ctx, ctx->user.id, rec) != PF_OK) {
        return PF_ERROR;
    }

    *uid = ngx_http_pf_json_str(ngx_http_pf_json_get(*rec, "directory"));

    return PF_OK;
}


/* GET /me/directory */

static int
ngx_http_pf_ldap_get(pf_req_t *req)
{
    ngx_http_pf_ctx_t *ctx = req;

    pf_str_t         uid, usable;
    pf_gen_t        *g;
    ngx_uint_t       methods;
    const pf_val_t  *rec;

    if (ngx_http_pf_ldap_binding(ctx, &rec, &uid) != PF_OK) {
        return ngx_http_pf_error(ctx, 503, "storage_unavailable",
                                 "the account cannot be read now");
    }

    methods = ngx_http_pf_login_methods(ctx, rec, &usable);

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return 500;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "configured");
    ngx_http_pf_gen_boolean(g, ctx->pmcf->ldap.url.len != 0);
    ngx_http_pf_gen_key(g, "directory");

    if (uid.len) {
        ngx_http_pf_gen_string(g, uid);
    } else {
        ngx_http_pf_gen_null(g);
    }

    ngx_http_pf_gen_key(g, "methods");
    ngx_http_pf_gen_array_open(g);

    if (methods & NGX_HTTP_PF_LOGIN_LOCAL) {
        ngx_http_pf_gen_cstring(g, "local");
    }

    if (methods & NGX_HTTP_PF_LOGIN_DIRECTORY) {
        ngx_http_pf_gen_cstring(g, "directory");
    }

    ngx_http_pf_gen_array_close(g);
    ngx_http_pf_gen_map_close(g);

    return ngx_http_pf_reply(ctx, 200, g);
}


static int
ngx_http_pf_ldap_field(ngx_http_pf_ctx_t *ctx, const char *name, size_t max,
    pf_str_t *out)
{
    size_t           i;
    const pf_val_t  *v;

    v = ngx_http_pf_json_get(ctx->body, name);

    if (ngx_http_pf_json_type(v) != PF_JSON_STRING) {
        return ngx_http_pf_error(ctx, 422, "invalid_field",
                                 "\"%s\" must be a string", name);
    }

    *out = ngx_http_pf_json_str(v);

    if (out->len == 0 || out->len > max) {
        return ngx_http_pf_error(ctx, 422, "invalid_field",
                                 "\"%s\" must be 1 to %uz bytes", name, max);
    }

    for (i = 0; i < out->len; i++) {
        if ((u_char) out->data[i] < 0x20) {
            return ngx_http_pf_error(ctx, 422, "invalid_field",
                                     "\"%s\" contains a control character",
                                     name);
        }
    }

    return 0;
}


/*
 * POST /me/directory {"username", "password"}: binds to the directory
 * with them (in a thread), then records the binding in the writer.
 */

static int
ngx_http_pf_ldap_bind(pf_req_t *req)
{
    ngx_http_pf_ctx_t *ctx = req;

    int                       rc;
    time_t                    wait;
    pf_str_t                  uid, account;
    ngx_uint_t                methods;
    const pf_val_t           *rec;
    ngx_http_pf_ldap_bind_t  *st;

    if (ngx_http_pf_json_type(ctx->body) != PF_JSON_OBJECT) {
        return ngx_http_pf_error(ctx, 422, "invalid_body",
                                 "send {\"username\": ..., \"password\": ...} "
                                 "of your directory account");
    }

    st = ngx_pcalloc(ctx->pool, sizeof(ngx_http_pf_ldap_bind_t));
    if (st == NULL) {
        return 500;
    }

    ctx->data = st;

    rc = ngx_http_pf_ldap_field(ctx, "username", NGX_HTTP_PF_LDAP_MAX_UID,
                                &st->uid);
    if (rc) {
        return rc;
    }

    /* an empty password never reaches the directory */
    rc = ngx_http_pf_ldap_field(ctx, "password", 256, &st->password);
    if (rc) {
        return rc;
    }

    if (ctx->pmcf->ldap.url.len == 0) {
        return ngx_http_pf_error(ctx, 404, "directory_not_configured",
                                 "no directory is configured");
    }

    if (ngx_http_pf_load_user(ctx, ctx->user.id, &rec) != PF_OK) {
        return ngx_http_pf_error(ctx, 503, "storage_unavailable",
                                 "the account cannot be read now");
    }

    methods = ngx_http_pf_login_methods(ctx, rec, &uid);
    if (!(methods & NGX_HTTP_PF_LOGIN_DIRECTORY)) {
        return ngx_http_pf_error(ctx, 403, "directory_not_allowed",
                                 "your school signs in with local "
                                 "passwords only");
    }

    wait = ngx_http_pf_fail_wait(ctx, ctx->user.id, &st->fails);
    if (wait) {
        ctx->retry_after = wait;
        return ngx_http_pf_error(ctx, 429, "too_many_attempts",
                                 "too many wrong passwords; wait %T s", wait);
    }

    /* refused early without asking the directory; checked again later */
    rc = ngx_http_pf_ldap_resolve(ctx, st->uid, &account);
    if (rc == PF_OK
        && !(account.len == ctx->user.id.len
             && ngx_strncmp(account.data, ctx->user.id.data, account.len)
                == 0))
    {
        return ngx_http_pf_error(ctx, 409, "conflict",
                                 "this directory account is bound to "
                                 "another account");
    }

    ctx->done = ngx_http_pf_ldap_bind_done;
    ctx->handler = ngx_http_pf_ldap_bind_write;

    if (ngx_http_pf_thread_post(ctx, ctx->pmcf->ldap.pool,
                                ngx_http_pf_ldap_bind_thread)
        != NGX_OK)
    {
        return ngx_http_pf_busy(ctx, 2, "too many sign-ins at once; try "
                                "again");
    }

    return 0;
}


static void
ngx_http_pf_ldap_bind_thread(void *data, ngx_log_t *log)
{
    ngx_http_pf_ctx_t *ctx = data;

    ngx_http_pf_ldap_bind_t  *st;

    st = ctx->data;
    st->result = ngx_http_pf_ldap_auth(&ctx->pmcf->ldap, st->uid,
                                       st->password, log);
}


static void
ngx_http_pf_ldap_bind_done(ngx_http_pf_ctx_t *ctx)
{
    ctx->replied = 0;
    ngx_http_pf_writer_hand(ctx);
}


/* In the writer. */

static int
ngx_http_pf_ldap_bind_write(pf_req_t *req)
{
    ngx_http_pf_ctx_t *ctx = req;

    time_t                    wait;
    pf_str_t                  key, old, okey, value, account;
    pf_gen_t                 *g;
    ngx_str_t                 err;
    const pf_val_t           *rec, *idx;
    ngx_http_pf_ldap_bind_t  *st;

    st = ctx->data;

    if (st->result == NGX_HTTP_PF_LDAP_UNAVAILABLE) {
        ctx->retry_after = NGX_HTTP_PF_LDAP_RETRY_AFTER;
        return ngx_http_pf_error(ctx, 503, "directory_unavailable",
                                 "the directory cannot be reached now; "
                                 "try again shortly");
    }

    wait = ngx_http_pf_fail_wait(ctx, ctx->user.id, &st->fails);
    if (wait) {
        ctx->retry_after = wait;
        return ngx_http_pf_error(ctx, 429, "too_many_attempts",
                                 "too many wrong passwords; wait %T s", wait);
    }

    if (st->result != NGX_HTTP_PF_LDAP_OK) {
        if (ngx_http_pf_fail_record(ctx, ctx->user.id, st->fails) != PF_OK) {
            return ngx_http_pf_error(ctx, 503, "storage_unavailable",
                                     "try again");
        }

        return ngx_http_pf_error(ctx, 403, "invalid_credentials",
                                 "the directory did not accept that account "
                                 "name and password");
    }

    key = ngx_http_pf_ldap_key(ctx->pool, st->uid);
    if (key.data == NULL) {
        return 500;
    }

    if (ngx_http_pf_db_get(ctx, NGX_HTTP_PF_DB_DIRECTORY, key, &value)
        == PF_OK)
    {
        idx = ngx_http_pf_json_parse(ctx->pool, (u_char *) value.data,
                                     value.len, 4, &err);
        account = ngx_http_pf_json_str(ngx_http_pf_json_get(idx, "user"));

        if (!(account.len == ctx->user.id.len
              && ngx_strncmp(account.data, ctx->user.id.data, account.len)
                 == 0))
        {
            return ngx_http_pf_error(ctx, 409, "conflict",
                                     "this directory account is bound to "
                                     "another account");
        }
    }

    if (ngx_http_pf_ldap_binding(ctx, &rec, &old) != PF_OK) {
        return ngx_http_pf_error(ctx, 503, "storage_unavailable",
                                 "the account cannot be read now");
    }

    if (old.len && !ngx_http_pf_ldap_same(old, st->uid)) {
        okey = ngx_http_pf_ldap_key(ctx->pool, old);
        if (okey.data == NULL) {
            return 500;
        }

        (void) ngx_http_pf_db_del(ctx, NGX_HTTP_PF_DB_DIRECTORY, okey);
    }

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return 500;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "user");
    ngx_http_pf_gen_string(g, ctx->user.id);
    ngx_http_pf_gen_key(g, "uid");
    ngx_http_pf_gen_string(g, st->uid);
    ngx_http_pf_gen_key(g, "at");
    ngx_http_pf_gen_number(g, ngx_http_pf_now_ms());
    ngx_http_pf_gen_map_close(g);

    if (ngx_http_pf_ldap_user_put(ctx, rec, st->uid) != PF_OK
        || ngx_http_pf_db_put(ctx, NGX_HTTP_PF_DB_DIRECTORY, key,
                              ngx_http_pf_gen_text(g))
           != PF_OK)
    {
        return ngx_http_pf_error(ctx, 503, "storage_unavailable",
                                 "the binding could not be stored");
    }

    if (st->fails) {
        (void) ngx_http_pf_db_del(ctx, NGX_HTTP_PF_DB_AUTHFAIL, ctx->user.id);
    }

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return 500;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "uid");
    ngx_http_pf_gen_string(g, st->uid);
    ngx_http_pf_gen_map_close(g);

    (void) ngx_http_pf_audit(ctx, ctx->user.id, "directory.bound",
                             ngx_http_pf_gen_text(g));

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return 500;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "directory");
    ngx_http_pf_gen_string(g, st->uid);
    ngx_http_pf_gen_map_close(g);

    return ngx_http_pf_reply(ctx, 200, g);
}


/* DELETE /me/directory, in the writer. */

static int
ngx_http_pf_ldap_unbind(pf_req_t *req)
{
    ngx_http_pf_ctx_t *ctx = req;

    pf_str_t         old, key, value, account, uid;
    pf_gen_t        *g;
    ngx_str_t        err;
    ngx_uint_t       methods;
    const pf_val_t  *rec, *idx;

    if (ngx_http_pf_ldap_binding(ctx, &rec, &old) != PF_OK) {
        return ngx_http_pf_error(ctx, 503, "storage_unavailable",
                                 "the account cannot be read now");
    }

    if (old.len == 0) {
        return ngx_http_pf_error(ctx, 404, "not_found",
                                 "no directory account is bound");
    }

    /* never leave an account nobody can sign in to */
    methods = ngx_http_pf_login_methods(ctx, rec, &uid);

    if (!(methods & NGX_HTTP_PF_LOGIN_LOCAL)) {
        return ngx_http_pf_error(ctx, 403, "directory_required",
                                 "your school signs in through the "
                                 "directory only");
    }

    if (ngx_http_pf_json_str(ngx_http_pf_json_get(rec, "pw")).len == 0) {
        return ngx_http_pf_error(ctx, 403, "directory_required",
                                 "this account has no local password; "
                                 "ask the school admin to set one first");
    }

    key = ngx_http_pf_ldap_key(ctx->pool, old);
    if (key.data == NULL) {
        return 500;
    }

    if (ngx_http_pf_db_get(ctx, NGX_HTTP_PF_DB_DIRECTORY, key, &value)
        == PF_OK)
    {
        idx = ngx_http_pf_json_parse(ctx->pool, (u_char *) value.data,
                                     value.len, 4, &err);
        account = ngx_http_pf_json_str(ngx_http_pf_json_get(idx, "user"));

        if (account.len == ctx->user.id.len
            && ngx_strncmp(account.data, ctx->user.id.data, account.len) == 0)
        {
            (void) ngx_http_pf_db_del(ctx, NGX_HTTP_PF_DB_DIRECTORY, key);
        }
    }

    if (ngx_http_pf_ldap_user_put(ctx, rec, (pf_str_t) { 0, NULL })
        != PF_OK)
    {
        return ngx_http_pf_error(ctx, 503, "storage_unavailable",
                                 "the account could not be stored");
    }

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return 500;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "uid");
    ngx_http_pf_gen_string(g, old);
    ngx_http_pf_gen_map_close(g);

    (void) ngx_http_pf_audit(ctx, ctx->user.id, "directory.unbound",
                             ngx_http_pf_gen_text(g));

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return 500;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "directory");
    ngx_http_pf_gen_null(g);
    ngx_http_pf_gen_map_close(g);

    return ngx_http_pf_reply(ctx, 200, g);
}


/*
 * The bootstrap file's "directory" for a new user: its index entry.  In
 * the master's bootstrap transaction.
 */

int
ngx_http_pf_ldap_bootstrap_bind(ngx_http_pf_ctx_t *ctx, pf_str_t id,
    pf_str_t uid)
{
    pf_str_t   key, value;
    pf_gen_t  *g;

    if (uid.len == 0 || uid.len > NGX_HTTP_PF_LDAP_MAX_UID) {
        ngx_log_error(NGX_LOG_EMERG, ctx->log, 0,
                      "portfolio_bootstrap: user \"%*s\": \"directory\" "
                      "must be 1 to %d bytes", id.len, id.data,
                      NGX_HTTP_PF_LDAP_MAX_UID);
        return PF_ERROR;
    }

    key = ngx_http_pf_ldap_key(ctx->pool, uid);
    if (key.data == NULL) {
        return PF_ERROR;
    }

    if (ngx_http_pf_db_get(ctx, NGX_HTTP_PF_DB_DIRECTORY, key, &value)
        == PF_OK)
    {
        ngx_log_error(NGX_LOG_EMERG, ctx->log, 0,
                      "portfolio_bootstrap: user \"%*s\": directory account "
                      "\"%*s\" is bound to another account", id.len, id.data,
                      uid.len, uid.data);
        return PF_ERROR;
    }

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return PF_ERROR;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "user");
    ngx_http_pf_gen_string(g, id);
    ngx_http_pf_gen_key(g, "uid");
    ngx_http_pf_gen_string(g, uid);
    ngx_http_pf_gen_key(g, "at");
    ngx_http_pf_gen_number(g, ngx_http_pf_now_ms());
    ngx_http_pf_gen_map_close(g);

    return ngx_http_pf_db_put(ctx, NGX_HTTP_PF_DB_DIRECTORY, key,
                              ngx_http_pf_gen_text(g));
}


#endif /* NGX_HTTP_PF_LDAP_ESCAPE_ONLY */
