/*
 * ngx_http_portfolio_password.c -- credentials (SPEC A1): password hashes
 * and their check, the initial credential of imported accounts, and the
 * pepper that keys it.
 *
 * Hashes are scrypt (OpenSSL), computed in the task pool, never in the
 * event loop: "$scrypt$ln=15,r=8,p=1$<salt>$<hash>".  The parameters are
 * stored with each hash, so raising portfolio_password_cost keeps old
 * hashes valid.
 *
 * Apart from the routes (_auth.c) and the bootstrap file (_bootstrap.c)
 * that use it: the one file that handles hashes, salts and the pepper.
 */

#include "ngx_http_portfolio_module.h"

#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/hmac.h>


#define NGX_HTTP_PF_SALT_LEN   16
#define NGX_HTTP_PF_KEY_LEN    32
#define NGX_HTTP_PF_SCRYPT_R   8
#define NGX_HTTP_PF_SCRYPT_P   1


static void
ngx_http_pf_ssl_error(ngx_log_t *log, const char *what)
{
    u_char  buf[256];

    ERR_error_string_n(ERR_get_error(), (char *) buf, sizeof(buf));
    ngx_log_error(NGX_LOG_ERR, log, 0, "%s failed: %s", what, buf);
}


static int
ngx_http_pf_scrypt(pf_str_t password, const u_char *salt, size_t salt_len,
    ngx_uint_t ln, u_char *key, ngx_log_t *log)
{
    uint64_t  n;
    uint64_t  maxmem;

    n = (uint64_t) 1 << ln;
    maxmem = 128 * NGX_HTTP_PF_SCRYPT_R * (n + NGX_HTTP_PF_SCRYPT_P + 2)
             + 1024 * 1024;

    if (EVP_PBE_scrypt(password.data, password.len, salt, salt_len, n,
                       NGX_HTTP_PF_SCRYPT_R, NGX_HTTP_PF_SCRYPT_P, maxmem,
                       key, NGX_HTTP_PF_KEY_LEN)
        != 1)
    {
        ngx_http_pf_ssl_error(log, "EVP_PBE_scrypt()");
        return PF_ERROR;
    }

    return PF_OK;
}


int
ngx_http_pf_password_hash(ngx_pool_t *pool, ngx_uint_t cost,
    pf_str_t password, ngx_str_t *out, ngx_log_t *log)
{
    u_char     salt[NGX_HTTP_PF_SALT_LEN], key[NGX_HTTP_PF_KEY_LEN], *p;
    ngx_str_t  src, dst;

    if (RAND_bytes(salt, sizeof(salt)) != 1) {
        ngx_http_pf_ssl_error(log, "RAND_bytes()");
        return PF_ERROR;
    }

    if (ngx_http_pf_scrypt(password, salt, sizeof(salt), cost, key, log)
        != PF_OK)
    {
        return PF_ERROR;
    }

    p = ngx_pnalloc(pool, 64 + ngx_base64_encoded_length(sizeof(salt))
                          + ngx_base64_encoded_length(sizeof(key)));
    if (p == NULL) {
        return PF_ERROR;
    }

    out->data = p;
    p = ngx_sprintf(p, "$scrypt$ln=%ui,r=%d,p=%d$", cost,
                    NGX_HTTP_PF_SCRYPT_R, NGX_HTTP_PF_SCRYPT_P);

    src.data = salt;
    src.len = sizeof(salt);
    dst.data = p;
    ngx_encode_base64url(&dst, &src);
    p += dst.len;
    *p++ = '$';

    src.data = key;
    src.len = sizeof(key);
    dst.data = p;
    ngx_encode_base64url(&dst, &src);
    p += dst.len;

    out->len = p - out->data;

    return PF_OK;
}


/*
 * Initial passwords from an import (SPEC A1: the last 6 characters of the
 * national ID) are kept as "$hmac-sha256$<salt>$<mac>", keyed with the
 * pepper file: thousands of accounts are created in milliseconds instead
 * of scrypt minutes in the writer, a copy of the database alone does not
 * reveal them, and the forced first change replaces them with scrypt.
 */

int
ngx_http_pf_initial_credential(ngx_http_pf_main_conf_t *pmcf,
    ngx_pool_t *pool, pf_str_t password, ngx_str_t *out)
{
    u_char        salt[NGX_HTTP_PF_SALT_LEN], mac[EVP_MAX_MD_SIZE], *p;
    u_char        msg[NGX_HTTP_PF_SALT_LEN + 256];
    ngx_str_t     src, dst;
    unsigned int  maclen;

    if (!pmcf->pepper_loaded || password.len > 256
        || RAND_bytes(salt, sizeof(salt)) != 1)
    {
        return PF_ERROR;
    }

    ngx_memcpy(msg, salt, sizeof(salt));
    ngx_memcpy(msg + sizeof(salt), password.data, password.len);

    if (HMAC(EVP_sha256(), pmcf->pepper, sizeof(pmcf->pepper), msg,
             sizeof(salt) + password.len, mac, &maclen) == NULL)
    {
        return PF_ERROR;
    }

    p = ngx_pnalloc(pool, 32 + ngx_base64_encoded_length(sizeof(salt))
                          + ngx_base64_encoded_length(maclen));
    if (p == NULL) {
        return PF_ERROR;
    }

    out->data = p;
    p = ngx_cpymem(p, "$hmac-sha256$", sizeof("$hmac-sha256$") - 1);

    src.data = salt;
    src.len = sizeof(salt);
    dst.data = p;
    ngx_encode_base64url(&dst, &src);
    p += dst.len;
    *p++ = '$';

    src.data = mac;
    src.len = maclen;
    dst.data = p;
    ngx_encode_base64url(&dst, &src);
    p += dst.len;

    out->len = p - out->data;

    return PF_OK;
}


static int
ngx_http_pf_initial_verify(ngx_http_pf_main_conf_t *pmcf, pf_str_t password,
    pf_str_t stored)
{
    u_char        salt[64], want[64], mac[EVP_MAX_MD_SIZE];
    u_char        msg[64 + 256], *p, *h, *last;
    ngx_str_t     src, dst, wdst;
    unsigned int  maclen;

    p = (u_char *) stored.data + sizeof("$hmac-sha256$") - 1;
    last = (u_char *) stored.data + stored.len;
    h = ngx_strlchr(p, last, '$');

    if (!pmcf->pepper_loaded || h == NULL || h - p > 80 || last - h > 80
        || password.len > 256)
    {
        return 0;
    }

    src.data = p;
    src.len = h - p;
    dst.data = salt;

    src.data = p;
    if (ngx_decode_base64url(&dst, &src) != NGX_OK || dst.len > 64) {
        return 0;
    }

    src.data = h + 1;
    src.len = last - h - 1;
    wdst.data = want;

    if (ngx_decode_base64url(&wdst, &src) != NGX_OK || wdst.len != 32) {
        return 0;
    }

    ngx_memcpy(msg, salt, dst.len);
    ngx_memcpy(msg + dst.len, password.data, password.len);

    if (HMAC(EVP_sha256(), pmcf->pepper, sizeof(pmcf->pepper), msg,
             dst.len + password.len, mac, &maclen) == NULL
        || maclen != 32)
    {
        return 0;
    }

    return CRYPTO_memcmp(mac, want, 32) == 0;
}


/* 1 if password matches stored, 0 if not (or stored is malformed). */

int
ngx_http_pf_password_verify(ngx_http_pf_main_conf_t *pmcf, pf_str_t password,
    pf_str_t stored, ngx_log_t *log)
{
    u_char       salt[64], want[64], key[NGX_HTTP_PF_KEY_LEN];
    u_char      *p, *last, *s, *h;
    ngx_str_t    src, dst;
    ngx_uint_t   ln;

    if (stored.len > sizeof("$hmac-sha256$") - 1
        && ngx_strncmp(stored.data, "$hmac-sha256$",
                       sizeof("$hmac-sha256$") - 1) == 0)
    {
        return ngx_http_pf_initial_verify(pmcf, password, stored);
    }

    p = (u_char *) stored.data;
    last = p + stored.len;

    if (stored.len < sizeof("$scrypt$ln=") - 1
        || ngx_strncmp(p, "$scrypt$ln=", sizeof("$scrypt$ln=") - 1) != 0)
    {
        return 0;
    }

    p += sizeof("$scrypt$ln=") - 1;
    ln = 0;

    while (p < last && *p >= '0' && *p <= '9') {
        ln = ln * 10 + (*p++ - '0');
    }

    if (ln < 1 || ln > 24) {
        return 0;
    }

    /* only r=8,p=1 are ever written */
    if ((size_t) (last - p) < sizeof(",r=8,p=1$") - 1
        || ngx_strncmp(p, ",r=8,p=1$", sizeof(",r=8,p=1$") - 1) != 0)
    {
        return 0;
    }

    s = p + sizeof(",r=8,p=1$") - 1;
    h = ngx_strlchr(s, last, '$');
    if (h == NULL) {
        return 0;
    }

    src.data = s;
    src.len = h - s;
    dst.data = salt;

    if (src.len > 80 || ngx_decode_base64url(&dst, &src) != NGX_OK) {
        return 0;
    }

    src.data = h + 1;
    src.len = last - h - 1;

    if (src.len > 80) {
        return 0;
    }

    {
        ngx_str_t  wdst;

        wdst.data = want;

        if (ngx_decode_base64url(&wdst, &src) != NGX_OK
            || wdst.len != NGX_HTTP_PF_KEY_LEN)
        {
            return 0;
        }
    }

    if (ngx_http_pf_scrypt(password, salt, dst.len, ln, key, log) != PF_OK) {
        return 0;
    }

    return CRYPTO_memcmp(key, want, NGX_HTTP_PF_KEY_LEN) == 0;
}


/*
 * The pepper: 32 random bytes in DATA/pepper, made once by the master and
 * kept outside the database, so a copy of portfolio.mdb alone does not
 * let anyone test initial passwords offline.
 */

ngx_int_t
ngx_http_pf_pepper(ngx_cycle_t *cycle, ngx_http_pf_main_conf_t *pmcf,
    ngx_uint_t create)
{
    int      fd;
    u_char   path[NGX_MAX_PATH], *p;
    ssize_t  n;

    p = ngx_snprintf(path, sizeof(path) - 1, "%V/pepper", &pmcf->data_dir);
    *p = '\0';

    fd = open((char *) path, O_RDONLY);

    if (fd == -1 && ngx_errno == NGX_ENOENT && create) {
        if (RAND_bytes(pmcf->pepper, sizeof(pmcf->pepper)) != 1) {
            return NGX_ERROR;
        }

        fd = open((char *) path, O_WRONLY|O_CREAT|O_EXCL, 0600);
        if (fd == -1) {
            ngx_log_error(NGX_LOG_EMERG, cycle->log, ngx_errno,
                          "open(\"%s\") failed", path);
            return NGX_ERROR;
        }

        n = write(fd, pmcf->pepper, sizeof(pmcf->pepper));

        if (n != (ssize_t) sizeof(pmcf->pepper) || fsync(fd) == -1) {
            ngx_log_error(NGX_LOG_EMERG, cycle->log, ngx_errno,
                          "writing \"%s\" failed", path);
            close(fd);
            unlink((char *) path);
            return NGX_ERROR;
        }

        close(fd);
        pmcf->pepper_loaded = 1;

        return NGX_OK;
    }

    if (fd == -1) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, ngx_errno,
                      "open(\"%s\") failed", path);
        return NGX_ERROR;
    }

    n = read(fd, pmcf->pepper, sizeof(pmcf->pepper));
    close(fd);

    if (n != (ssize_t) sizeof(pmcf->pepper)) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "\"%s\" is damaged: expected %uz bytes", path,
                      sizeof(pmcf->pepper));
        return NGX_ERROR;
    }

    pmcf->pepper_loaded = 1;

    return NGX_OK;
}
