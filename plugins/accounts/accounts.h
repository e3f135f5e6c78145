/*
 * accounts.h -- what the files of the accounts plugin share: the account
 * as administrators see it and lists of accounts (accounts.c), role
 * grants (accounts_roles.c) and temporary accounts (accounts_temporary.c).
 */

#ifndef ACCOUNTS_H
#define ACCOUNTS_H

#include "pf_common.h"


#define ACC_ADMINS          (PF_ROLE_SCHOOL_ADMIN|PF_ROLE_CITY_ADMIN)

#define ACC_NAME_MAX        50           /* a person's name, characters */

/* the setting accounts declares (A3), with its bounds and default */
#define ACC_TMP_DAYS        "temporary_account_max_days"
#define ACC_TMP_DAYS_MIN    1
#define ACC_TMP_DAYS_MAX    3660
#define ACC_TMP_DAYS_DFLT   365


/*
 * A list of a school's accounts being answered: the filters of the query
 * and where the page stands.
 */
typedef struct {
    pf_req_t          *req;
    pf_gen_t          *g;
    pf_str_t           school;
    uint32_t           role;        /* only accounts with this PF_ROLE_* */
    pf_str_t           q;
    pf_str_t           after;
    int64_t            limit;
    int64_t            n;
    pf_str_t           last;
    pf_str_t           next;
    int                temporary;   /* only temporary accounts */
    const char        *state;       /* only in this state */
} acc_list_t;


/* accounts.c */
int acc_is_disabled(const pf_val_t *rec);
int acc_is_temporary(const pf_val_t *rec);
const pf_val_t *acc_load_in_school(pf_req_t *req, pf_str_t school,
    pf_str_t id, int *status);
void acc_gen_account(pf_req_t *req, pf_gen_t *g, const pf_val_t *rec);
int acc_reply_account(pf_req_t *req, int status, const pf_val_t *rec,
    int changed);
int acc_update(pf_req_t *req, pf_str_t id, pf_str_t fields,
    const char *what, const pf_val_t **saved);
pf_gen_t *acc_detail(pf_req_t *req, pf_str_t id);
int acc_audit(pf_req_t *req, pf_str_t school, pf_str_t account,
    pf_str_t other, const char *action, pf_str_t detail);
int acc_changed(pf_req_t *req, pf_str_t school, pf_str_t id,
    const char *action, pf_str_t detail, const pf_val_t *saved);
int acc_list_start(pf_req_t *req, acc_list_t *l);
int acc_list_run(pf_req_t *req, acc_list_t *l, pf_str_t prefix);
int acc_text(pf_req_t *req, const pf_val_t *v, const char *name,
    const char *label, size_t max, int required, pf_str_t *out);
pf_str_t acc_roles_with(pf_req_t *req, const pf_val_t *rec, const char *role,
    int grant);

/* accounts_roles.c */
int acc_grant(pf_req_t *req);
int acc_revoke(pf_req_t *req);
int acc_set_role(pf_req_t *req, pf_str_t school, pf_str_t id,
    const pf_val_t *rec, uint32_t role, int grant);

/* accounts_admins.c */
int acc_admin_add(pf_req_t *req);

/* accounts_temporary.c */
int acc_tmp_list(pf_req_t *req);
int acc_tmp_create(pf_req_t *req);
int acc_tmp_extend(pf_req_t *req);
int acc_tmp_disable(pf_req_t *req);


#endif /* ACCOUNTS_H */
