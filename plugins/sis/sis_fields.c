/*
 * sis_fields.c -- the field rules of SPEC S1 that are the sis plugin's
 * own: the national ID (and the resident certificates' numbers) and its
 * checksum, student numbers, class codes, counts, grades, dates (also in
 * the ROC calendar), course kinds, and what any imported text must be.
 * A value outside the documented forms is refused, never guessed at.
 * Terms, ids and roles are the common library's (pf_valid_term,
 * pf_valid_id, pf_has_role).
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
                              "學期的寫法是民國學年度、「-」和第幾學期，"
                              "例如 113-1");
    }

    return 0;
}


/* "113-1" as people say it: 113學年度第1學期. */

pf_str_t
sis_term_words(pf_req_t *req, pf_str_t term)
{
    const char  *dash;

    dash = memchr(term.data, '-', term.len);

    if (dash == NULL) {
        return term;
    }

    return pf_host->sprintf(req, "%.*s學年度第%.*s學期",
                            (int) (dash - term.data), term.data,
                            (int) (term.len - (size_t) (dash - term.data) - 1),
                            dash + 1);
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
   back).  sis_utf8_len() answers how many bytes from the start are. */

size_t
sis_utf8_len(const char *data, size_t len)
{
    size_t               n, k;
    uint32_t             cp, min;
    const unsigned char *p, *start, *last;

    start = (const unsigned char *) data;
    p = start;
    last = p + len;

    while (p < last) {
        if (*p < 0x80) {
            if (*p == 0) {
                break;
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
            break;
        }

        if ((size_t) (last - p) <= n) {
            break;
        }

        for (k = 1; k <= n; k++) {
            if ((p[k] & 0xc0) != 0x80) {
                break;
            }

            cp = (cp << 6) | (p[k] & 0x3f);
        }

        if (k <= n || cp < min || cp > 0x10ffff
            || (cp >= 0xd800 && cp <= 0xdfff))
        {
            break;
        }

        p += n + 1;
    }

    return (size_t) (p - start);
}


int
sis_utf8_ok(const char *data, size_t len)
{
    return sis_utf8_len(data, len) == len;
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
 *
 * The resident certificates issued before 2021 (舊式外來人口統一證號,
 * valid until 2031) have two letters and 8 digits: the place, then A or B
 * (臺灣地區無戶籍國民, 大陸地區人民, 港澳居民: male, female) or C or D
 * (外國人: male, female).  The National Immigration Agency's rule: the
 * first letter counts as above, the second letter's number (A 10, B 11,
 * C 12, D 13) counts with its ones digit only, in the place of the first
 * digit (weight 8), then the 8 digits with weights 7 6 5 4 3 2 1 1.  So
 * AC01234567: 1 + 0*9 + 2*8 + (0*7 + 1*6 + 2*5 + 3*4 + 4*3 + 5*2 + 6*1)
 * + 7 = 80.  (The same rule as, e.g., validateOldArcIdFormat in
 * github.com/guanting112/taiwan-id-validator.)
 */

static const int  sis_letter[26] = {
    10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21,
    22, 35, 23, 24, 25, 26, 27, 28, 29, 32, 30, 31, 33
};


static int
sis_upper(int c)
{
    return c >= 'a' && c <= 'z' ? c - ('a' - 'A') : c;
}


/* A letter and 9 digits, or two letters and 8 digits (any case). */

int
sis_nid_shaped(pf_str_t s)
{
    int  c;

    if (s.len != 10) {
        return 0;
    }

    c = sis_upper(s.data[0]);

    if (c < 'A' || c > 'Z') {
        return 0;
    }

    c = sis_upper(s.data[1]);

    if (c >= 'A' && c <= 'Z') {
        return sis_is_digits((pf_str_t) { 8, s.data + 2 }, 8, 8);
    }

    return sis_is_digits((pf_str_t) { 9, s.data + 1 }, 9, 9);
}


int
sis_nid_check(pf_str_t s)
{
    static const int  weight[9] = { 8, 7, 6, 5, 4, 3, 2, 1, 1 };

    int     c, v, sum, second;
    size_t  i;

    if (!sis_nid_shaped(s)) {
        return SIS_NID_FORMAT;
    }

    c = sis_upper(s.data[0]);
    v = sis_letter[c - 'A'];
    sum = v / 10 + (v % 10) * 9;
    second = sis_upper(s.data[1]);

    if (second >= 'A' && second <= 'Z') {
        if (second > 'D') {
            return SIS_NID_FORMAT;
        }

        sum += (sis_letter[second - 'A'] % 10) * weight[0];

    } else if (second != '1' && second != '2' && second != '8'
               && second != '9')
    {
        return SIS_NID_FORMAT;

    } else {
        sum += (second - '0') * weight[0];
    }

    for (i = 1; i < 9; i++) {
        sum += (s.data[i + 1] - '0') * weight[i];
    }

    return sum % 10 == 0 ? SIS_NID_OK : SIS_NID_CHECKSUM;
}


/* The ID as it is printed: its letters upper case (a99 is A99). */

pf_str_t
sis_nid_upper(pf_req_t *req, pf_str_t s)
{
    char    *p;
    size_t   i;

    p = pf_host->alloc(req, s.len + 1);
    if (p == NULL) {
        return s;
    }

    for (i = 0; i < s.len; i++) {
        p[i] = (char) sis_upper(s.data[i]);
    }

    p[s.len] = '\0';

    return (pf_str_t) { s.len, p };
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
 * A date, in one of the documented forms only (README, the import row):
 *
 *   2024-08-30     ISO 8601: 4-digit year, 2-digit month and day
 *   2024/8/30      as spreadsheets save a date cell (2024/08/30 too)
 *   113/08/30      the ROC calendar of school systems: a 3-digit year
 *                  (民國 100 is 2011), month and day of 1 or 2 digits
 *
 * written back as YYYY-MM-DD.  Anything else is refused rather than
 * guessed at: a 2-digit year (ROC 13, or 2013?), 113-08-30, 1130830,
 * 2024-8-30, 08/30/2024, a day the month does not have.
 */

int
sis_date(pf_req_t *req, pf_str_t s, pf_str_t *out)
{
    static const int  mdays[12] = {
        31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
    };

    int      part[3], len[3], np, year, leap;
    char     sep;
    size_t   i;

    np = 0;
    part[0] = part[1] = part[2] = 0;
    len[0] = len[1] = len[2] = 0;
    sep = 0;

    for (i = 0; i < s.len; i++) {
        if (s.data[i] >= '0' && s.data[i] <= '9') {
            if (++len[np] > 4) {
                return PF_ERROR;
            }

            part[np] = part[np] * 10 + (s.data[i] - '0');
            continue;
        }

        if ((s.data[i] != '-' && s.data[i] != '/') || len[np] == 0
            || np == 2 || (sep && s.data[i] != sep))
        {
            return PF_ERROR;
        }

        sep = s.data[i];
        np++;
    }

    if (np != 2 || len[1] == 0 || len[1] > 2 || len[2] == 0 || len[2] > 2
        || s.data[0] == '0')
    {
        return PF_ERROR;
    }

    if (sep == '-') {
        /* ISO 8601 only */
        if (len[0] != 4 || len[1] != 2 || len[2] != 2) {
            return PF_ERROR;
        }

        year = part[0];

    } else if (len[0] == 4) {
        year = part[0];

    } else if (len[0] == 3) {
        year = part[0] + 1911;          /* 民國 */

    } else {
        return PF_ERROR;
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


/*
 * Course kinds (plugins/README.md): the stored spelling, or NULL.  The
 * school systems' words (修課別) are taken beside the stored ones.
 */

const char *
sis_kind_ok(pf_str_t kind)
{
    static const char *const  kinds[][2] = {
        { "normal", "一般" }, { "make_up", "補修" }, { "retake", "重修" },
        { "repeat", "重讀" }, { "transfer", "轉學轉科" },
        { "visiting", "借讀" }, { "night", "進修部" },
    };

    size_t  i;

    for (i = 0; i < PF_COUNT(kinds); i++) {
        if (pf_eq(kind, kinds[i][0]) || pf_eq(kind, kinds[i][1])) {
            return kinds[i][0];
        }
    }

    return NULL;
}
