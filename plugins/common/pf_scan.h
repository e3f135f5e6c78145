/*
 * pf_scan.h -- a database's records under a prefix, collected into arrays
 * (pf_scan.c), for handlers that read them more than once, sort them, or
 * write while they walk them: in the writer a value db_get() or db_scan()
 * answered is valid only until the next write, so what is collected is
 * copied.
 */

#ifndef PF_SCAN_H
#define PF_SCAN_H

#include "pf_common.h"


/*
 * Every key under prefix (and its value, if values is not NULL), copied,
 * in key order, with *n of them: PF_OK, or PF_ERROR (the scan failed, or
 * no memory).  The arrays hold *n + 1 entries, so none is NULL.  A prefix
 * without data (a key pf_key() or sprintf() could not build) is refused
 * rather than read as "every record": pf_string("") is that.
 */
int pf_collect(pf_req_t *req, const char *db, pf_str_t prefix,
    pf_str_t **keys, pf_str_t **values, size_t *n);


#endif /* PF_SCAN_H */
