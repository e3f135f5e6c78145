/*
 * ngx_http_portfolio_ldap_escape.c -- what goes from an account name into
 * a request to the directory (SPEC A2): RFC 4515 escaping of search filter
 * values, RFC 4514 escaping of DN attribute values, and the expansion of
 * the portfolio_ldap_bind_dn and portfolio_ldap_search templates with them.
 *
 * A file of its own so that the unit test can compile it alone: with
 * NGX_HTTP_PF_LDAP_ESCAPE_ONLY defined it needs neither nginx nor libldap
 * (t/unit/ldap_escape_test.c includes it that way).
 */

#ifndef NGX_HTTP_PF_LDAP_ESCAPE_ONLY
#include "ngx_http_portfolio_module.h"
#endif

#include <stddef.h>
#include <string.h>


static const char  ngx_http_pf_ldap_hex[] = "0123456789abcdef";


/*
 * RFC 4515 assertion value: "*", "(", ")", "\" and NUL must be escaped as
 * \xx; control characters, DEL and every byte of a non-ASCII character are
 * escaped too (allowed, and keeps logs readable).  dst needs 3 * len.
 */

static size_t
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

static size_t
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

size_t
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
