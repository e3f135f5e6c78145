/*
 * pf_time.h -- times as people and the API write them (pf_time.c).
 */

#ifndef PF_TIME_H
#define PF_TIME_H

#include "portfolio_plugin.h"


#define PF_MAX_MS        253402300799999LL    /* 9999-12-31T23:59:59.999Z */
#define PF_TW_OFFSET_MS  (8 * 3600 * 1000LL)  /* Asia/Taipei, no DST */


/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t pf_days_from_civil(int64_t y, int64_t m, int64_t d);
void pf_civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d);

/* n digits at p as a number: 1, or 0 if one is not a digit. */
int pf_digits(const char *p, size_t n, int64_t *out);

/*
 * Strict ISO 8601 extended format, offset required:
 *   YYYY-MM-DDTHH:MM[:SS[.fff...]](Z|+-HH:MM)
 * Returns 1 and the time in ms, or 0.
 */
int pf_iso_parse(pf_str_t s, int64_t *out);

/* ms -> "2026-03-01T08:00:00+08:00" (Taiwan time). */
pf_str_t pf_iso_format(pf_req_t *req, int64_t ms);

/* ms -> "2026/03/01 08:00" (Taiwan time, for messages). */
pf_str_t pf_tw_minutes(pf_req_t *req, int64_t ms);

/* A time in a body, ms or ISO 8601: 0, or the status of the 422 it set. */
int pf_time_field(pf_req_t *req, const pf_val_t *v, const char *name,
    int64_t *out);


#endif /* PF_TIME_H */
