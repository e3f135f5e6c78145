/*
 * student.h -- the student plugin's own constants and the calls its files
 * share: student.c (routes; creating, changing, sending and deleting an
 * outcome), student_access.c (who sees what), student_files.c (files and
 * the quota) and student_list.c (lists and one outcome).
 */

#ifndef STUDENT_H
#define STUDENT_H

#include "pf_outcome.h"


#define ST_DOC_MAX        (4 * PFO_MIB)
#define ST_MEDIA_MAX      (10 * PFO_MIB)
#define ST_DESC_MAX       100
#define ST_NAME_MAX       100

/* what a caller may do with an outcome */
#define ST_NONE           0
#define ST_VIEW           1     /* may see the student: submitted ones */
#define ST_REVIEW         2     /* the reviewer or an active stand-in */
#define ST_OWNER          3


/* --- student.c ----------------------------------------------------------- */

/*
 * The outcome {id} names, if it is a draft (and, with need_window, inside
 * the upload window): the route's owner lookup let only its owner this
 * far.  NULL with *status set otherwise.
 */
const pf_val_t *st_own_draft(pf_req_t *req, pf_str_t *key, int need_window,
    int *status);

/* {"outcome": text} */
int st_reply_outcome(pf_req_t *req, int status, pf_str_t text);

/* The outcome uses up an upload place: every one but a failed one. */
int st_counts(const pf_val_t *rec);

/* The outcome's course is still taken: 0, or the 422 not_enrolled set. */
int st_enrolled(pf_req_t *req, const pf_val_t *rec);


/* --- student_access.c ---------------------------------------------------- */

/* The sis_courses record of an outcome's course, NULL if none. */
const pf_val_t *st_course(pf_req_t *req, const pf_val_t *rec);

/* The caller sees every submitted outcome of the student. */
int st_full_viewer(pf_req_t *req, pf_str_t student);

/* ST_*: full is -1 (worked out here) or st_full_viewer()'s answer. */
int st_access(pf_req_t *req, const pf_val_t *rec, int full);

/* The outcome {id} names, if the caller may see it (*acc); *text as
   stored.  NULL with *status set otherwise. */
const pf_val_t *st_readable(pf_req_t *req, int *acc, int *status,
    pf_str_t *text);


/* --- student_files.c ----------------------------------------------------- */

typedef struct {
    int64_t  bytes;
    int64_t  files;
} st_usage_t;

void st_usage(pf_req_t *req, pf_str_t account, st_usage_t *u);
int st_usage_put(pf_req_t *req, pf_str_t account, st_usage_t *u);

/* The size of the outcome's document or media file, -1 if it has none. */
int64_t st_file_size(const pf_val_t *rec, const char *kind);

int st_document_precheck(pf_req_t *req);
int st_media_precheck(pf_req_t *req);
int st_document_store(pf_req_t *req);
int st_media_store(pf_req_t *req);
int st_get_document(pf_req_t *req);
int st_get_media(pf_req_t *req);
int st_my_quota(pf_req_t *req);


/* --- student_list.c ------------------------------------------------------ */

int st_list_mine(pf_req_t *req);
int st_list_student(pf_req_t *req);
int st_get(pf_req_t *req);


/* --- student_notices.c --------------------------------------------------- */

int st_notices(pf_req_t *req);
int st_notices_read(pf_req_t *req);


#endif /* STUDENT_H */
