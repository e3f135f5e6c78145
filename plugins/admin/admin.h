/*
 * admin.h -- the admin plugin's own names and the calls its files share:
 * admin.c (routes, the windows it declares), admin_windows.c (windows,
 * AD3), admin_history.c (a student's history, Q4) and admin_reports.c
 * (the uncertified-outcome report, AD4).
 */

#ifndef ADMIN_H
#define ADMIN_H

#include "pf_common.h"


#define ADM_ADMINS  (PF_ROLE_SCHOOL_ADMIN|PF_ROLE_CITY_ADMIN)


/* --- admin.c ------------------------------------------------------------- */

/* The window kinds, NULL-ended: upload, certify, select. */
extern const char *const  adm_kinds[];

/* The kind k names, as adm_kinds spells it; NULL if none. */
const char *adm_kind(pf_str_t k);

/* A kind of adm_kinds in words, for messages: 上傳學習成果 ... */
const char *adm_kind_words(const char *kind);


/* --- admin_windows.c ----------------------------------------------------- */

int adm_school_windows(pf_req_t *req);
int adm_city_windows(pf_req_t *req);
int adm_window_put(pf_req_t *req);
int adm_window_delete(pf_req_t *req);


/* --- admin_history.c ----------------------------------------------------- */

int adm_history(pf_req_t *req);


/* --- admin_reports.c ----------------------------------------------------- */

int adm_uncertified(pf_req_t *req);


#endif /* ADMIN_H */
