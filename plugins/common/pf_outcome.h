/*
 * pf_outcome.h -- what the plugins that handle course learning outcomes
 * (SPEC P4, P5, P6: student, certification, selection, admin) share: the
 * record behind an id and its owner lookup, who reviews it, how it is
 * shown, and the words of a closed window.  The record layout is
 * plugins/README.md's; its databases are the student plugin's.
 */

#ifndef PF_OUTCOME_H
#define PF_OUTCOME_H

#include "pf_common.h"


#define PFO_MIB     ((int64_t) 1024 * 1024)


/* outcome_ids -> outcomes: the record, its key and its text (NULL). */
const pf_val_t *pfo_find(pf_req_t *req, pf_str_t id, pf_str_t *key,
    pf_str_t *text);

/* The route owner lookup of an outcome {id}: its student (404 if none). */
int pfo_owner(pf_req_t *req, pf_str_t id, pf_str_t *owner);

/* A cert_standins record in force at now: inside its from..to. */
int pfo_standin_live(const pf_val_t *s, int64_t now);

/* cert_standins[teacher] names me, and now is inside its from..to. */
int pfo_standin_active(pf_req_t *req, pf_str_t teacher, pf_str_t me);

/* The outcome's reviewer, or an active stand-in of the reviewer. */
int pfo_is_reviewer(pf_req_t *req, const pf_val_t *rec, pf_str_t me);

/* The course (a sis_courses record) is me's: its teacher, a co-teacher
   or the reviewer the school named. */
int pfo_course_teaches(const pf_val_t *course, pf_str_t me);

/* Published: passed or failed. */
int pfo_published(const pf_val_t *rec);

/* The decision fields hold nothing yet (a draft, most pending ones). */
int pfo_undecided(const pf_val_t *rec);

/* Those fields, undecided, as members of the map g is writing. */
void pfo_gen_undecided(pf_gen_t *g);

/*
 * An outcome as an answer shows it.  Until it is published the decision
 * is the reviewer's alone (P5): others see it as undecided.  text is rec
 * as stored (or empty): what may be shown whole goes out as stored.
 */
void pfo_view(pf_req_t *req, pf_gen_t *g, const pf_val_t *rec, pf_str_t text,
    int show_decision);

/*
 * Whether the school's window of this name is open for the term, and if
 * not a sentence for the error message, in Traditional Chinese: the span
 * every level allows, in Taiwan time.
 */
int pfo_window(pf_req_t *req, pf_str_t school, pf_str_t term,
    const char *kind, pf_str_t *why);

/* An outcome's status in the words the pages use (草稿, 待認證 ...). */
const char *pfo_status_word(pf_str_t status);

/* A window's kind in words: 上傳學習成果, 認證學習成果, 勾選學習成果. */
const char *pfo_window_word(const char *kind);


#endif /* PF_OUTCOME_H */
