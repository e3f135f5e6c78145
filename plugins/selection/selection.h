/*
 * selection.h -- the selection plugin's own names and the calls its files
 * share: selection.c (routes; ticks, the limits and the indexes) and
 * selection_lists.c (the student's list, the school's report).
 */

#ifndef SELECTION_H
#define SELECTION_H

#include "pf_outcome.h"


#define SEL_DB_OUTCOMES    "outcomes"
#define SEL_DB_INDEX       "selections"
#define SEL_DB_BY_STUDENT  "selected"


/* --- selection.c --------------------------------------------------------- */

/* "113" of "113-1" (the school year); empty if no "-". */
pf_str_t sel_year(pf_str_t term);

int sel_is_true(const pf_val_t *v);

/* Selected outcomes of a student in a term and in its school year. */
int sel_count(pf_req_t *req, pf_str_t student, pf_str_t term,
    int64_t *in_term, int64_t *in_year);

/* The limits of the caller's school: per term and per school year. */
void sel_limits(pf_req_t *req, int64_t *per_term, int64_t *per_year);

/* {"term": {"term","selected","limit","text"}, "year": {...}} members. */
void sel_counters(pf_req_t *req, pf_gen_t *g, pf_str_t term,
    int64_t in_term, int64_t in_year);


/* --- selection_lists.c --------------------------------------------------- */

int sel_list(pf_req_t *req);
int sel_report(pf_req_t *req);


#endif /* SELECTION_H */
