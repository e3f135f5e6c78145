/*
 * ngx_http_portfolio_ldap.c -- the city's LDAP directory (SPEC A2): its
 * directives and configuration, and the client that binds to it.
 *
 * A bind never runs in the event loop: it runs in a thread of
 * portfolio_ldap_pool (by default the task pool), on a fresh libldap handle
 * per attempt (handles are never shared between threads), within
 * portfolio_ldap_timeout for each connection and portfolio_ldap_op_timeout
 * for the whole attempt.  Every library error is logged with its text.
 *
 * The bindings of local accounts to directory accounts, and the routes
 * that make them, are in _ldap_bind.c; the escaping of what is sent, in
 * _ldap_escape.c.
 */

#include "ngx_http_portfolio_module.h"
#include <ldap.h>
#include <time.h>


#define NGX_HTTP_PF_LDAP_MAX_TEMPLATE   512
#define NGX_HTTP_PF_LDAP_BUF            (NGX_HTTP_PF_LDAP_MAX_TEMPLATE       \
                                         + 3 * NGX_HTTP_PF_LDAP_MAX_UID + 64)


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
