/*
 * Unit test of the directory escaping in ngx_http_portfolio_ldap_escape.c:
 * RFC 4515 (search filter values) and RFC 4514 (DN attribute values), and
 * the template expansion that uses them.  Built without nginx or libldap:
 * the file is included with NGX_HTTP_PF_LDAP_ESCAPE_ONLY.
 * Usage: t/unit/build_test.sh ldap_escape [--valgrind]
 */

#include <stdio.h>
#include <string.h>

#define NGX_HTTP_PF_LDAP_ESCAPE_ONLY 1
#include "ngx_http_portfolio_ldap_escape.c"


static int  checks, failed;


static void
check(const char *what, const char *got, size_t glen, const char *want,
    size_t wlen)
{
    checks++;

    if (glen == wlen && memcmp(got, want, wlen) == 0) {
        return;
    }

    failed++;
    printf("FAIL %s: got \"%.*s\" (%zu), want \"%.*s\" (%zu)\n", what,
           (int) glen, got, glen, (int) wlen, want, wlen);
}


static void
filter(const char *in, size_t len, const char *want)
{
    unsigned char  out[256];
    size_t         n;

    n = ngx_http_pf_ldap_escape_filter(out, (const unsigned char *) in, len);
    check("filter", (char *) out, n, want, strlen(want));
}


static void
dn(const char *in, size_t len, const char *want)
{
    unsigned char  out[256];
    size_t         n;

    n = ngx_http_pf_ldap_escape_dn(out, (const unsigned char *) in, len);
    check("dn", (char *) out, n, want, strlen(want));
}


#define F(s, w)  filter(s, sizeof(s) - 1, w)
#define D(s, w)  dn(s, sizeof(s) - 1, w)


int
main(void)
{
    unsigned char  buf[64];
    size_t         n;

    /* RFC 4515: * ( ) \ NUL must be \xx */
    F("lee", "lee");
    F("*", "\\2a");
    F("*)(uid=*", "\\2a\\29\\28uid=\\2a");
    F("a(b)c", "a\\28b\\29c");
    F("a\\b", "a\\5cb");
    F("le\\65e", "le\\5c65e");
    F("a\0b", "a\\00b");
    F("st*r", "st\\2ar");
    F("", "");
    /* controls, DEL and non-ASCII bytes are escaped too */
    F("a\nb\x7f", "a\\0ab\\7f");
    F("\xe7\x8e\x8b", "\\e7\\8e\\8b");
    /* what needs no escaping in a filter stays */
    F("a,b=c+d;<e>\"#", "a,b=c+d;<e>\"#");

    /* RFC 4514: , + " \ < > ; = get a backslash */
    D("lee", "lee");
    D("admin,ou=x", "admin\\,ou\\=x");
    D("a+b", "a\\+b");
    D("a\"b", "a\\\"b");
    D("a\\b", "a\\\\b");
    D("<a>", "\\<a\\>");
    D("a;b", "a\\;b");
    /* leading space or #, trailing space */
    D("#x", "\\#x");
    D("x#", "x#");
    D(" x ", "\\ x\\ ");
    D(" ", "\\ ");
    D("a b", "a b");
    D("  ", "\\ \\ ");
    /* NUL and controls as \xx, UTF-8 kept */
    D("a\0b", "a\\00b");
    D("a\nb", "a\\0ab");
    D("\xe7\x8e\x8b", "\xe7\x8e\x8b");
    D("*)(uid=*", "*)(uid\\=*");
    D("", "");

    /* templates */
    n = ngx_http_pf_ldap_expand(buf, sizeof(buf), "uid=%s,ou=people",
                                (const unsigned char *) "a,b", 3, 0);
    check("expand dn", (char *) buf, n, "uid=a\\,b,ou=people", 18);
    n = ngx_http_pf_ldap_expand(buf, sizeof(buf), "(&(uid=%s)(x=100%%))",
                                (const unsigned char *) "*", 1, 1);
    check("expand filter", (char *) buf, n, "(&(uid=\\2a)(x=100%))", 20);
    checks++;
    if (buf[n] != '\0') {
        failed++;
        printf("FAIL expand: not NUL-terminated\n");
    }

    /* too long for the buffer: refused, never truncated */
    n = ngx_http_pf_ldap_expand(buf, 16, "uid=%s,ou=people",
                                (const unsigned char *) "abcdef", 6, 0);
    checks++;
    if (n != (size_t) -1) {
        failed++;
        printf("FAIL expand: overflow not refused (%zu)\n", n);
    }

    n = ngx_http_pf_ldap_expand(buf, 8, "(uid=%s)",
                                (const unsigned char *) "**", 2, 1);
    checks++;
    if (n != (size_t) -1) {
        failed++;
        printf("FAIL expand: escaped overflow not refused (%zu)\n", n);
    }

    /* room is checked for the worst case (3 bytes a byte) plus the NUL */
    n = ngx_http_pf_ldap_expand(buf, 9, "u=%s", (const unsigned char *) "ab",
                                2, 0);
    check("expand fits", (char *) buf, n, "u=ab", 4);
    n = ngx_http_pf_ldap_expand(buf, 8, "u=%s", (const unsigned char *) "ab",
                                2, 0);
    checks++;
    if (n != (size_t) -1) {
        failed++;
        printf("FAIL expand: worst case not reserved (%zu)\n", n);
    }

    printf("%d checks, %d failed\n", checks, failed);

    return failed ? 1 : 0;
}
