/*
 * sis_fields.c -- the field rules of SPEC S1 that are the sis plugin's
 * own: the national ID and its checksum, student numbers, class codes,
 * counts, grades, dates (also in the ROC calendar), course kinds, and
 * what any imported text must be.  Terms, ids and roles are the common
 * library's (pf_valid_term, pf_valid_id, pf_has_role).
 */

#include <string.h>
#include <stdio.h>

#include "sis.h"


/* Without the spaces and tabs around it (a CSV value, a header name). */

pf_str_t
sis_trim(pf_str_t s)
{
    while (s.len && (s.data[0] == ' ' || s.data[0] == '\t')) {
        s.data++;
        s.len--;
    }

    while (s.len && (s.data[s.len - 1] == ' ' || s.data[s.len - 1] == '\t'))
    {
        s.len--;
    }

    return s;
}


/* The answer to a term in a path or ?term= that is not one. */

int
sis_check_term(pf_req_t *req, pf_str_t term)
{
    if (!pf_valid_term(term)) {
        return pf_host->error(req, 422, "invalid_term",
                              "a term is the ROC year and the semester, "
                              "like 113-1");
    }

    return 0;
}


/* Digits only, min to max of them (student numbers, the ID's body). */

int
sis_is_digits(pf_str_t s, size_t min, size_t max)
{
    size_t  i;

    if (s.len < min || s.len > max) {
        return 0;
    }

    for (i = 0; i < s.len; i++) {
        if (s.data[i] < '0' || s.data[i] > '9') {
            return 0;
        }
    }

    return 1;
}


/* A class code goes into keys: an id, at most SIS_MAX_CLASS bytes. */

int
sis_class_ok(pf_str_t s)
{
    return s.len <= SIS_MAX_CLASS && pf_valid_id(s);
}


/* A whole number 0..max; a trailing ".0" (spreadsheets) is allowed. */

int
sis_uint(pf_str_t s, int64_t max, int64_t *out)
{
    size_t   i;
    int64_t  n;

    if (s.len > 2 && s.data[s.len - 2] == '.' && s.data[s.len - 1] == '0') {
        s.len -= 2;
    }

    if (!sis_is_digits(s, 1, 12)) {
        return PF_ERROR;
    }

    n = 0;

    for (i = 0; i < s.len; i++) {
        n = n * 10 + (s.data[i] - '0');
    }

    if (n > max) {
        return PF_ERROR;
    }

    *out = n;

    return PF_OK;
}


/* Strict UTF-8: no overlong forms, surrogates, or NUL (JSON must read it
   back). */

int
sis_utf8_ok(const char *data, size_t len)
{
    size_t               n, k;
    uint32_t             cp, min;
    const unsigned char *p, *last;

    p = (const unsigned char *) data;
    last = p + len;

    while (p < last) {
        if (*p < 0x80) {
            if (*p == 0) {
                return 0;
            }

            p++;
            continue;
        }

        if ((*p & 0xe0) == 0xc0) {
            n = 1; cp = *p & 0x1f; min = 0x80;

        } else if ((*p & 0xf0) == 0xe0) {
            n = 2; cp = *p & 0x0f; min = 0x800;

        } else if ((*p & 0xf8) == 0xf0) {
            n = 3; cp = *p & 0x07; min = 0x10000;

        } else {
            return 0;
        }

        if ((size_t) (last - p) <= n) {
            return 0;
        }

        for (k = 1; k <= n; k++) {
            if ((p[k] & 0xc0) != 0x80) {
                return 0;
            }

            cp = (cp << 6) | (p[k] & 0x3f);
        }

        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return 0;
        }

        p += n + 1;
    }

    return 1;
}


/* Control characters other than the line breaks and tabs a quoted CSV
   field may hold (ids and numbers are checked by their own patterns). */

int
sis_has_ctl(pf_str_t s)
{
    size_t  i;
    char    c;

    for (i = 0; i < s.len; i++) {
        c = s.data[i];

        if (((unsigned char) c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            || c == 0x7f)
        {
            return 1;
        }
    }

    return 0;
}


/*
 * The national ID (身分證統一編號): a letter for the place of first
 * registration and 9 digits, the first 1 or 2 (citizens) or 8 or 9 (the
 * resident certificates of 2021, which share the checksum).  The letter
 * is worth a 2-digit number; its tens count once and its ones 9 times,
 * then the digits with weights 8 7 6 5 4 3 2 1 1; the sum is a multiple
 * of 10.
 */

int
sis_nid_check(pf_str_t s)
{
    static const int  letter[26] = {
        10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21,
        22, 35, 23, 24, 25, 26, 27, 28, 29, 32, 30, 31, 33
    };
    static const int  weight[9] = { 8, 7, 6, 5, 4, 3, 2, 1, 1 };

    int     c, v, sum;
    size_t  i;

    if (s.len != 10) {
        return SIS_NID_FORMAT;
    }

    c = s.data[0];

    if (c >= 'a' && c <= 'z') {
        c -= 'a' - 'A';
    }

    if (c < 'A' || c > 'Z' || !sis_is_digits((pf_str_t) { 9, s.data + 1 },
                                             9, 9))
    {
        return SIS_NID_FORMAT;
    }

    if (s.data[1] != '1' && s.data[1] != '2' && s.data[1] != '8'
        && s.data[1] != '9')
    {
        return SIS_NID_FORMAT;
    }

    v = letter[c - 'A'];
    sum = v / 10 + (v % 10) * 9;

    for (i = 0; i < 9; i++) {
        sum += (s.data[i + 1] - '0') * weight[i];
    }

    return sum % 10 == 0 ? SIS_NID_OK : SIS_NID_CHECKSUM;
}


/* A grade: 0..100 with at most two decimals; written back as a JSON
   number without leading zeros ("087.50" -> 87.5). */

int
sis_grade(pf_req_t *req, pf_str_t s, pf_str_t *out)
{
    size_t   i, dot, frac;
    int64_t  whole, hundredths;

    dot = s.len;
    whole = 0;
    hundredths = 0;

    for (i = 0; i < s.len; i++) {
        if (s.data[i] == '.' && dot == s.len) {
            dot = i;
            continue;
        }

        if (s.data[i] < '0' || s.data[i] > '9') {
            return PF_ERROR;
        }
    }

    frac = dot < s.len ? s.len - dot - 1 : 0;

    if (dot == 0 || dot > 3 || (dot < s.len && (frac == 0 || frac > 2))) {
        return PF_ERROR;
    }

    for (i = 0; i < dot; i++) {
        whole = whole * 10 + (s.data[i] - '0');
    }

    for (i = 0; i < 2; i++) {
        hundredths *= 10;

        if (i < frac) {
            hundredths += s.data[dot + 1 + i] - '0';
        }
    }

    if (whole > 100 || (whole == 100 && hundredths > 0)) {
        return PF_ERROR;
    }

    if (hundredths == 0) {
        *out = pf_host->sprintf(req, "%lld", (long long) whole);

    } else if (hundredths % 10 == 0) {
        *out = pf_host->sprintf(req, "%lld.%lld", (long long) whole,
                                 (long long) (hundredths / 10));

    } else {
        *out = pf_host->sprintf(req, "%lld.%02lld", (long long) whole,
                                 (long long) hundredths);
    }

    return out->len ? PF_OK : PF_ERROR;
}


/*
 * A date as YYYY-MM-DD or YYYY/MM/DD, or in the ROC calendar that school
 * systems export (113/08/30, 113-8-30); written back as YYYY-MM-DD.
 */

int
sis_date(pf_req_t *req, pf_str_t s, pf_str_t *out)
{
    static const int  mdays[12] = {
        31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
    };

    int      part[3], np, len, year, leap;
    char     sep;
    size_t   i;

    np = 0;
    len = 0;
    part[0] = part[1] = part[2] = 0;
    sep = 0;

    for (i = 0; i < s.len; i++) {
        if (s.data[i] >= '0' && s.data[i] <= '9') {
            if (++len > 4) {
                return PF_ERROR;
            }

            part[np] = part[np] * 10 + (s.data[i] - '0');
            continue;
        }

        if ((s.data[i] != '-' && s.data[i] != '/') || len == 0 || np == 2
            || (sep && s.data[i] != sep))
        {
            return PF_ERROR;
        }

        if (np == 0 && len < 2) {
            return PF_ERROR;
        }

        if (np > 0 && len > 2) {
            return PF_ERROR;
        }

        sep = s.data[i];
        np++;
        len = 0;
    }

    if (np != 2 || len == 0 || len > 2) {
        return PF_ERROR;
    }

    year = part[0];

    if (year < 1000) {
        year += 1911;           /* 民國 */
    }

    if (year < 1912 || year > 2200 || part[1] < 1 || part[1] > 12
        || part[2] < 1 || part[2] > mdays[part[1] - 1])
    {
        return PF_ERROR;
    }

    leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

    if (part[1] == 2 && part[2] == 29 && !leap) {
        return PF_ERROR;
    }

    *out = pf_host->sprintf(req, "%04d-%02d-%02d", year, part[1], part[2]);

    return out->len ? PF_OK : PF_ERROR;
}


/* Course kinds (plugins/README.md): the stored spelling, or NULL. */

const char *
sis_kind_ok(pf_str_t kind)
{
    static const char *const  kinds[] = {
        "normal", "make_up", "retake", "repeat", "transfer", "visiting",
        "night", NULL
    };

    size_t  i;

    for (i = 0; kinds[i]; i++) {
        if (pf_eq(kind, kinds[i])) {
            return kinds[i];
        }
    }

    return NULL;
}
