/*
 * certification.h -- the certification plugin's own types and the calls
 * its files share: certification.c (routes), cert_queue.c (the queue a
 * reviewer works through, T1, T2), cert_decide.c (decisions and
 * publishing, P5), cert_standins.c (stand-ins, AD1) and cert_reviewer.c
 * (a course's reviewer, AD1).
 */

#ifndef CERTIFICATION_H
#define CERTIFICATION_H

#include "pf_outcome.h"


#define CT_NOTE_MAX       100
#define CT_MAX_FOR        64        /* teachers one stand-in acts for */
#define CT_MAX_IDS        1000      /* outcomes in one publish request */


/* --- cert_queue.c -------------------------------------------------------- */

/*
 * The outcomes waiting in the queues of the caller and of the teachers
 * the caller stands in for now, optionally one term's: entry i is
 * outcome ids.items[i] in the queue of reviewers.items[i].
 */
typedef struct {
    pf_req_t    *req;
    pf_str_t     reviewer;      /* the queue being read */
    pf_str_t     term;
    pf_list_t    reviewers;
    pf_list_t    ids;
    pf_map_t     recs;          /* id -> the outcome (const pf_val_t *) */
} ct_queue_t;

int ct_queue(pf_req_t *req, pf_str_t term, ct_queue_t *q);

/* Entry i's outcome. */
const pf_val_t *ct_queue_rec(ct_queue_t *q, size_t i);

/* The reviewer recorded a decision (it is not published yet). */
int ct_decided(const pf_val_t *rec);

int ct_list(pf_req_t *req);
int ct_count(pf_req_t *req);


/* --- cert_decide.c ------------------------------------------------------- */

int ct_decide(pf_req_t *req);
int ct_publish(pf_req_t *req);


/* --- cert_standins.c ----------------------------------------------------- */

/* A teacher account of this school, or NULL with the refusal set. */
const pf_val_t *ct_teacher(pf_req_t *req, pf_str_t school, pf_str_t id,
    const char *what, int *status);

int ct_standin_set(pf_req_t *req);
int ct_standin_delete(pf_req_t *req);
int ct_standin_list(pf_req_t *req);


/* --- cert_reviewer.c ----------------------------------------------------- */

int ct_reviewer_set(pf_req_t *req);


#endif /* CERTIFICATION_H */
