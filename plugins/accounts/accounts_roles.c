/*
 * accounts_roles.c -- role grants (SPEC A5, AD1): the school admin grants
 * and revokes a role by naming it; the names are the header's one table
 * (pf_role_name, pf_role_bit), and which of them a grant may give is
 * this plugin's own rule:
 *
 *   grantable here    counselor consultant outcome_submitter
 *                     performance_submitter standin university
 *                     school_admin
 *   from the import   teacher homeroom course_teacher    (422 role_from_sis)
 *   never granted     student parent city_admin     (422 role_not_grantable)
 *
 * Staff roles go to staff: an account holding "student" or "parent" gets
 * none (422 not_staff).  An administrator cannot revoke their own
 * school_admin (409 own_admin_role), so a school always keeps the one who
 * is acting.  The SIS import only ever adds roles, so a re-import keeps
 * the grants (and re-adds a revoked counselor it derives from its data).
 * A grant is user_update() of "roles" alone: every other field stays.
 */

#include <string.h>

#include "accounts.h"


#define ACC_GRANT   0        /* the school admin grants and revokes it */
#define ACC_SIS     1        /* comes from the school data import */
#define ACC_FIXED   2        /* what the account is; never granted */

typedef struct {
    uint32_t     role;       /* PF_ROLE_* */
    int          kind;       /* ACC_* */
    const char  *words;      /* what the pages call it (app.js ROLE) */
} acc_role_kind_t;

static const acc_role_kind_t  acc_role_kinds[] = {
    { .role = PF_ROLE_STUDENT, .kind = ACC_FIXED,
      .words = "學生" },
    { .role = PF_ROLE_TEACHER, .kind = ACC_SIS,
      .words = "教師" },
    { .role = PF_ROLE_HOMEROOM, .kind = ACC_SIS,
      .words = "導師" },
    { .role = PF_ROLE_COURSE_TEACHER, .kind = ACC_SIS,
      .words = "授課教師" },
    { .role = PF_ROLE_COUNSELOR, .kind = ACC_GRANT,
      .words = "輔導教師" },
    { .role = PF_ROLE_CONSULTANT, .kind = ACC_GRANT,
      .words = "課程諮詢教師" },
    { .role = PF_ROLE_OUTCOME_SUBMITTER, .kind = ACC_GRANT,
      .words = "學習成果提交人員" },
    { .role = PF_ROLE_PERF_SUBMITTER, .kind = ACC_GRANT,
      .words = "多元表現提交人員" },
    { .role = PF_ROLE_SCHOOL_ADMIN, .kind = ACC_GRANT,
      .words = "校管理者" },
    { .role = PF_ROLE_CITY_ADMIN, .kind = ACC_FIXED,
      .words = "教育局" },
    { .role = PF_ROLE_PARENT, .kind = ACC_FIXED,
      .words = "家長" },
    { .role = PF_ROLE_UNIVERSITY, .kind = ACC_GRANT,
      .words = "大學校系" },
    { .role = PF_ROLE_STANDIN, .kind = ACC_GRANT,
      .words = "代理人" },
};


/*
 * The table's entry of a role; a role it does not name (one the header
 * adds later) is fixed, and called by its name.
 */

static acc_role_kind_t
acc_role_kind(uint32_t role)
{
    size_t           i;
    acc_role_kind_t  k;

    for (i = 0; i < PF_COUNT(acc_role_kinds); i++) {
        if (acc_role_kinds[i].role == role) {
            return acc_role_kinds[i];
        }
    }

    k.role = role;
    k.kind = ACC_FIXED;
    k.words = pf_role_name(role);

    return k;
}


/* --- PUT and DELETE /schools/{school}/accounts/{account}/roles/{role} ---- */

/* {"roles": [...]}: the account's roles with role added or removed. */

pf_str_t
acc_roles_with(pf_req_t *req, const pf_val_t *rec, const char *role,
    int grant)
{
    size_t           i, n;
    pf_gen_t        *g;
    const pf_val_t  *roles;

    roles = pf_host->get(rec, "roles");
    n = pf_host->type(roles) == PF_JSON_ARRAY ? pf_host->count(roles) : 0;

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "roles");
    pf_host->array_open(g);

    for (i = 0; i < n; i++) {
        if (!grant && pf_eq(pf_host->str(pf_host->at(roles, i)), role)) {
            continue;
        }

        pf_copy_value(g, pf_host->at(roles, i));
    }

    if (grant) {
        pf_host->cstring(g, role);
    }

    pf_host->array_close(g);
    pf_host->map_close(g);

    return pf_host->text(g);
}


/*
 * The account rec (id, of school) with role added (grant) or removed:
 * stored, audited under the school and the account, and answered; an
 * account that already is as asked is answered unchanged.
 */

int
acc_set_role(pf_req_t *req, pf_str_t school, pf_str_t id,
    const pf_val_t *rec, uint32_t role, int grant)
{
    int              rc;
    pf_str_t         fields;
    pf_gen_t        *d;
    const char      *rname;
    const pf_val_t  *saved;

    rname = pf_role_name(role);

    if (pf_has_role(rec, role) == grant) {
        return acc_reply_account(req, 200, rec, 0);      /* as asked */
    }

    fields = acc_roles_with(req, rec, rname, grant);

    rc = acc_update(req, id, fields, "角色", &saved);
    if (rc) {
        return rc;
    }

    d = acc_detail(req, id);
    pf_host->key(d, "role");
    pf_host->cstring(d, rname);
    pf_host->key(d, "roles");
    pf_copy_value(d, pf_host->get(saved, "roles"));
    pf_host->map_close(d);

    return acc_changed(req, school, id,
                       grant ? "role.granted" : "role.revoked",
                       pf_host->text(d), saved);
}


static int
acc_role_change(pf_req_t *req, int grant)
{
    int               rc;
    uint32_t          role;
    pf_str_t          school, id, name;
    const char       *rname;
    const pf_val_t   *rec;
    acc_role_kind_t   kind;
    const pf_user_t  *user;

    user = pf_host->user(req);
    school = pf_host->param(req, "school");
    id = pf_host->param(req, "account");
    name = pf_host->param(req, "role");

    rc = pf_school_exists(req, school);
    if (rc) {
        return rc;
    }

    role = pf_role_bit(name);

    if (role == 0) {
        return pf_host->error(req, 404, "unknown_role",
                              "沒有名為 \"%.*s\" 的角色；可授予的角色如"
                              "輔導教師（counselor）、校管理者"
                              "（school_admin）",
                              PF_S(pf_clip(name, 64)));
    }

    rname = pf_role_name(role);
    kind = acc_role_kind(role);

    if (kind.kind == ACC_SIS) {
        return pf_host->error(req, 422, "role_from_sis",
                              "「%s」（%s）由校務行政系統的資料匯入帶入，"
                              "不能在這裡授予或取消；請修正匯入的資料",
                              kind.words, rname);
    }

    if (kind.kind == ACC_FIXED) {
        return pf_host->error(req, 422, "role_not_grantable",
                              "「%s」（%s）是帳號本身的身分，"
                              "不能授予或取消", kind.words, rname);
    }

    rec = acc_load_in_school(req, school, id, &rc);
    if (rec == NULL) {
        return rc;
    }

    if (grant && pf_has_role(rec, PF_ROLE_STUDENT|PF_ROLE_PARENT)) {
        return pf_host->error(req, 422, "not_staff",
                              "「%s」（%s）只能授予教職員；帳號 %.*s "
                              "是學生或家長的帳號", kind.words, rname,
                              PF_S(id));
    }

    if (!grant && role == PF_ROLE_SCHOOL_ADMIN && pf_same(id, user->id)) {
        return pf_host->error(req, 409, "own_admin_role",
                              "不能取消自己的校管理者角色；"
                              "請由另一位校管理者取消");
    }

    return acc_set_role(req, school, id, rec, role, grant);
}


int
acc_grant(pf_req_t *req)
{
    return acc_role_change(req, 1);
}


int
acc_revoke(pf_req_t *req)
{
    return acc_role_change(req, 0);
}
