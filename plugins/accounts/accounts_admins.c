/*
 * accounts_admins.c -- a school's first admin (SPEC C1, A1, A5): the city
 * admin who brought a school in names the person who will run it.
 *
 *   POST /schools/{school}/admins {"national_id", "name"}
 *
 * The account is the A1 one (the domain and the national ID's 9 digits),
 * so the teachers import later finds the same account.  A new account is
 * made as the import would make a teacher's (the initial password the
 * last 6 characters of the national ID, changed at the first sign-in)
 * with the roles teacher and school_admin: 201 {"account", "changed",
 * "created"}.  An account that is
 * already the school's staff gains school_admin (200, "changed"); a
 * student's, a parent's or a temporary account is refused, and so is a
 * disabled one.  The national ID is checked, letter and check digit, so
 * a mistyped one makes no account; it is not stored, and not echoed.
 */

#include <string.h>

#include "accounts.h"


/*
 * The national ID (身分證統一編號): a letter worth 10 to 35 in the order
 * below, then 9 digits, the first 1 or 2 (citizens) or 8 or 9 (resident
 * certificates of 2021).  The letter's tens count once, its ones 9 times,
 * the digits with weights 8 to 1 and the last 1; the sum ends in 0.
 */

static int
acc_nid_ok(pf_str_t s)
{
    int          c, sum, value;
    size_t       i;
    const char  *at;

    static const char  letters[] = "ABCDEFGHJKLMNPQRSTUVXYWZIO";

    c = s.len == 10 ? s.data[0] & ~0x20 : 0;     /* upper case */

    if (c < 'A' || c > 'Z' || strchr("1289", s.data[1]) == NULL) {
        return 0;
    }

    at = strchr(letters, c);
    value = 10 + (int) (at - letters);
    sum = value / 10 + value % 10 * 9;

    for (i = 1; i < 10; i++) {
        if (s.data[i] < '0' || s.data[i] > '9') {
            return 0;
        }

        sum += (s.data[i] - '0') * (i < 9 ? (int) (9 - i) : 1);
    }

    return sum % 10 == 0;
}


/* {"name", "school", "roles": ["teacher", "school_admin"]} */

static pf_str_t
acc_admin_fields(pf_req_t *req, pf_str_t school, pf_str_t name)
{
    pf_gen_t  *g;

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "name");
    pf_host->string(g, name);
    pf_host->key(g, "school");
    pf_host->string(g, school);
    pf_host->key(g, "roles");
    pf_host->array_open(g);
    pf_host->cstring(g, pf_role_name(PF_ROLE_TEACHER));
    pf_host->cstring(g, pf_role_name(PF_ROLE_SCHOOL_ADMIN));
    pf_host->array_close(g);
    pf_host->map_close(g);

    return pf_host->text(g);
}


/* An existing account: school_admin added, or why not. */

static int
acc_admin_existing(pf_req_t *req, pf_str_t school, pf_str_t id,
    const pf_val_t *rec)
{
    if (!pf_same(pf_field(rec, "school"), school)) {
        return pf_host->error(req, 409, "conflict",
                              "帳號 %.*s 屬於另一所學校（%.*s），不能成為"
                              "這所學校的校管理者", PF_S(id),
                              PF_S(pf_clip(pf_field(rec, "school"), 64)));
    }

    if (pf_has_role(rec, PF_ROLE_STUDENT|PF_ROLE_PARENT)
        || acc_is_temporary(rec))
    {
        return pf_host->error(req, 422, "not_staff",
                              "帳號 %.*s 是學生、家長或臨時帳號，不能成為校"
                              "管理者；請填寫教職員的身分證字號", PF_S(id));
    }

    if (acc_is_disabled(rec)) {
        return pf_host->error(req, 409, "account_disabled",
                              "帳號 %.*s 已停用，不能成為校管理者", PF_S(id));
    }

    return acc_set_role(req, school, id, rec, PF_ROLE_SCHOOL_ADMIN, 1);
}


int
acc_admin_add(pf_req_t *req)
{
    int              rc;
    pf_str_t         school, nid, name, id, password;
    pf_gen_t        *g, *d;
    const pf_val_t  *body, *rec, *saved;

    school = pf_host->param(req, "school");

    rc = pf_school_exists(req, school);
    if (rc) {
        return rc;
    }

    body = pf_host->body(req);

    if (pf_host->type(body) != PF_JSON_OBJECT) {
        return pf_host->error(req, 422, "invalid_body",
                              "請送出校管理者的資料：{\"national_id\": "
                              "身分證字號, \"name\": 姓名}");
    }

    rc = acc_text(req, pf_host->get(body, "national_id"), "national_id",
                  "身分證字號", 10, 1, &nid);
    if (rc) {
        return rc;
    }

    if (!acc_nid_ok(nid)) {
        return pf_host->error(req, 422, "invalid_national_id",
                              "身分證字號不正確：要 1 個英文字母接 9 位"
                              "數字，且檢查碼要正確；請再核對一次");
    }

    id = pf_host->account_name(req, school, nid, pf_string(""));
    rec = pf_valid_id(id) ? pf_host->user_get(req, id) : NULL;

    if (rec != NULL) {
        return acc_admin_existing(req, school, id, rec);
    }

    rc = acc_text(req, pf_host->get(body, "name"), "name", "姓名",
                  ACC_NAME_MAX, 1, &name);
    if (rc) {
        return rc;
    }

    /* SPEC A1: the last 6 characters of the national ID, changed at the
       first sign-in */
    password = (pf_str_t) { 6, nid.data + 4 };

    rc = pf_valid_id(id)
         ? pf_host->user_create(req, id, acc_admin_fields(req, school, name),
                                password)
         : PF_INVALID;

    saved = rc == PF_OK ? pf_host->user_get(req, id) : NULL;

    d = acc_detail(req, id);
    pf_host->key(d, "roles");
    pf_copy_value(d, pf_host->get(saved, "roles"));
    pf_host->map_close(d);

    if (saved == NULL
        || acc_audit(req, school, id, pf_string(""), "school_admin.created",
                     pf_host->text(d))
           != PF_OK)
    {
        pf_host->log(req, PF_LOG_ERR, "the admin account \"%.*s\" could "
                     "not be created (%d)", PF_S(id), rc);
        return pf_host->error(req, 503, "storage_unavailable",
                              "校管理者帳號沒有建立成功，什麼都沒有變更；"
                              "請稍候再試");
    }

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "account");
    acc_gen_account(req, g, saved);
    pf_host->key(g, "changed");
    pf_host->boolean(g, 1);
    pf_host->key(g, "created");
    pf_host->boolean(g, 1);
    pf_host->map_close(g);

    return pf_host->reply(req, 201, g);
}
