/*
 * pf_time.c -- times as people and the API write them: ISO 8601 with an
 * offset, to and from milliseconds, and Taiwan time for messages.
 */

#define _POSIX_C_SOURCE 200809L

#include <time.h>

#include "pf_common.h"
#include "pf_time.h"


/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */

int64_t
pf_days_from_civil(int64_t y, int64_t m, int64_t d)
{
    int64_t  era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}


void
pf_civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d)
{
    int64_t  era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}


int
pf_digits(const char *p, size_t n, int64_t *out)
{
    size_t   i;
    int64_t  v;

    v = 0;

    for (i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return 0;
        }

        v = v * 10 + (p[i] - '0');
    }

    *out = v;

    return 1;
}


/*
 * Strict ISO 8601 extended format, offset required:
 *   YYYY-MM-DDTHH:MM[:SS[.fff…]](Z|±HH:MM)
 * Returns 1 and the time in ms, or 0.
 */

int
pf_iso_parse(pf_str_t s, int64_t *out)
{
    int64_t      y, mo, d, h, mi, sec, frac, oh, om, off, dim, scale;
    size_t       nfrac;
    const char  *p, *end;

    static const int  mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
                                  30, 31 };

    p = s.data;
    end = s.data + s.len;

    if (s.len < 17
        || !pf_digits(p, 4, &y) || p[4] != '-'
        || !pf_digits(p + 5, 2, &mo) || p[7] != '-'
        || !pf_digits(p + 8, 2, &d) || p[10] != 'T'
        || !pf_digits(p + 11, 2, &h) || p[13] != ':'
        || !pf_digits(p + 14, 2, &mi))
    {
        return 0;
    }

    p += 16;
    sec = 0;
    frac = 0;

    if (p < end && *p == ':') {
        if (end - p < 3 || !pf_digits(p + 1, 2, &sec)) {
            return 0;
        }

        p += 3;

        if (p < end && *p == '.') {
            p++;
            nfrac = 0;
            scale = 100;

            while (p < end && *p >= '0' && *p <= '9') {
                if (nfrac < 3) {
                    frac += (*p - '0') * scale;
                    scale /= 10;
                }

                nfrac++;
                p++;
            }

            if (nfrac == 0 || nfrac > 9) {
                return 0;
            }
        }
    }

    if (p == end) {
        return 0;                          /* the offset is required */
    }

    if (*p == 'Z' && p + 1 == end) {
        off = 0;

    } else if ((*p == '+' || *p == '-') && end - p == 6
               && pf_digits(p + 1, 2, &oh) && p[3] == ':'
               && pf_digits(p + 4, 2, &om))
    {
        if (oh > 14 || om > 59 || (oh == 14 && om > 0)) {
            return 0;
        }

        off = (oh * 60 + om) * 60000;

        if (*p == '-') {
            off = -off;
        }

    } else {
        return 0;
    }

    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59
        || sec > 59)
    {
        return 0;
    }

    dim = mdays[mo - 1];

    if (mo == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) {
        dim = 29;
    }

    if (d > dim) {
        return 0;
    }

    *out = ((pf_days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000
           + sec * 1000 + frac - off;

    /* e.g. 1970-01-01T00:00+08:00 is before the epoch */
    return *out >= 0 && *out <= PF_MAX_MS;
}


/* ms -> "2026-03-01T08:00:00+08:00" (Taiwan time). */

pf_str_t
pf_iso_format(pf_req_t *req, int64_t ms)
{
    int64_t  t, days, rem, y, m, d;

    t = ms + PF_TW_OFFSET_MS;
    days = t / 86400000;
    rem = t % 86400000;

    if (rem < 0) {
        rem += 86400000;
        days--;
    }

    pf_civil_from_days(days, &y, &m, &d);

    if (rem % 1000) {
        return pf_host->sprintf(req, "%04lld-%02lld-%02lldT%02lld:%02lld:"
                                "%02lld.%03lld+08:00", (long long) y,
                                (long long) m, (long long) d,
                                (long long) (rem / 3600000),
                                (long long) (rem / 60000 % 60),
                                (long long) (rem / 1000 % 60),
                                (long long) (rem % 1000));
    }

    return pf_host->sprintf(req, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld"
                            "+08:00", (long long) y, (long long) m,
                            (long long) d, (long long) (rem / 3600000),
                            (long long) (rem / 60000 % 60),
                            (long long) (rem / 1000 % 60));
}


/* Milliseconds as Taiwan time (UTC+8) for people: "2024/09/01 08:00". */

pf_str_t
pf_tw_minutes(pf_req_t *req, int64_t ms)
{
    char       buf[32];
    time_t     t;
    struct tm  tm;

    t = (time_t) (ms / 1000) + 8 * 3600;

    if (gmtime_r(&t, &tm) == NULL
        || strftime(buf, sizeof(buf), "%Y/%m/%d %H:%M", &tm) == 0)
    {
        return pf_host->sprintf(req, "%lld", (long long) ms);
    }

    return pf_host->sprintf(req, "%s", buf);
}


/*
 * A time in a body: whole milliseconds since 1970, or ISO 8601 text with
 * an offset.  0, or the status of the 422 invalid_field it set naming
 * the field.
 */

int
pf_time_field(pf_req_t *req, const pf_val_t *v, const char *name,
    int64_t *out)
{
    switch (pf_host->type(v)) {

    case PF_JSON_NUMBER:
        if (pf_host->integer(v, out) != PF_OK || *out < 0
            || *out > PF_MAX_MS)
        {
            return pf_host->error(req, 422, "invalid_field",
                                  "欄位 \"%s\" 的時間不正確：請用 1970 "
                                  "年起的毫秒數，或附時區的 ISO 8601 "
                                  "時間（例如 2026-03-01T08:00:00+08:00）",
                                  name);
        }

        return 0;

    case PF_JSON_STRING:
        if (!pf_iso_parse(pf_host->str(v), out)) {
            return pf_host->error(req, 422, "invalid_field",
                                  "欄位 \"%s\" 的時間格式不正確："
                                  "請用附時區的 ISO 8601 時間，例如 "
                                  "2026-03-01T08:00:00+08:00",
                                  name);
        }

        return 0;

    default:
        return pf_host->error(req, 422, "invalid_field",
                              "請填寫欄位 \"%s\" 的時間：毫秒數，"
                              "或附時區的 ISO 8601 時間"
                              "（例如 2026-03-01T08:00:00+08:00）",
                              name);
    }
}
