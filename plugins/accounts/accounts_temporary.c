/*
 * accounts_temporary.c -- temporary accounts (臨時帳號, SPEC A3).
 *
 * They are students' accounts named "<school>tmp<NNN>" (zlshtmp001,
 * zlshtmp002, ...; numbers are never reused), made with user_create()
 * and a random initial password shown once, which the core stores and
 * has changed at the first sign-in.  Their "expires" (ms) is at most
 * temporary_account_max_days ahead (a setting this plugin declares), and
 * the core honours it: after it the account cannot sign in (403
 * account_expired) and its sessions end (401).  Disabling sets "disabled":
 * true, which the core honours the same way (403 account_disabled).
 * Fields this plugin sets on the account:
 *
 *   "expires": ms, "disabled": true, "disabled_at": ms, "disabled_by",
 *   "temporary": {"reason", "note"?, "student"?}
 *
 * and the core adds "created", "updated" and "by".
 */

#include <stdio.h>
#include <string.h>

#include "accounts.h"
#include "pf_time.h"


#define ACC_DAY_MS          86400000LL
#define ACC_NOTE_MAX        200          /* characters */
#define ACC_PW_GROUPS       3
#define ACC_PW_GROUP_LEN    4
#define ACC_TMP_TRIES       100          /* free names looked for */


static const char *const  acc_reasons[] = {
    "on_leave", "transferred", "other", NULL
};


/*
 * "expires" of a body: ms or ISO 8601, in the future and at most
 * temporary_account_max_days from now.  Returns 0, or the status of the
 * error it set.
 */

static int
acc_expiry(pf_req_t *req, pf_str_t school, const pf_val_t *v, int64_t *out)
{
    int      rc;
    int64_t  now, days;

    rc = pf_time_field(req, v, "expires", out);
    if (rc) {
        return rc;
    }

    now = pf_host->now_ms(req);
    days = pf_host->setting_number(req, school, ACC_TMP_DAYS);

    if (*out <= now) {
        return pf_host->error(req, 422, "invalid_expiry",
                              "使用期限必須是未來的時間");
    }

    if (*out - now > days * ACC_DAY_MS) {
        return pf_host->error(req, 422, "invalid_expiry",
                              "臨時帳號的使用期限最多 %lld 天",
                              (long long) days);
    }

    return 0;
}


/* GET /schools/{school}/temporary-accounts?state=&q=&limit=&after= */

int
acc_tmp_list(pf_req_t *req)
{
    int         rc;
    pf_str_t    state;
    acc_list_t  l;

    rc = acc_list_start(req, &l);
    if (rc) {
        return rc;
    }

    l.temporary = 1;

    state = pf_host->arg(req, "state");

    if (state.len) {
        if (pf_eq(state, "active")) {
            l.state = "active";

        } else if (pf_eq(state, "expired")) {
            l.state = "expired";

        } else if (pf_eq(state, "disabled")) {
            l.state = "disabled";

        } else {
            return pf_host->error(req, 422, "invalid_field",
                                  "狀態（state）只能是 active（使用中）、"
                                  "expired（已過期）或 disabled（已停用）");
        }
    }

    return acc_list_run(req, &l, pf_host->sprintf(req, "%.*stmp",
                                                  PF_S(l.school)));
}


/* The highest NNN of "<school>tmp<NNN>" accounts of the school. */

typedef struct {
    pf_str_t    school;
    size_t      prefix_len;
    int64_t     max;
} acc_seq_t;


static int
acc_seq_cb(void *data, pf_str_t id, const pf_val_t *rec)
{
    size_t      i;
    int64_t     n;
    acc_seq_t  *s = data;

    if (id.len <= s->prefix_len || id.len - s->prefix_len > 12
        || !pf_same(pf_field(rec, "school"), s->school))
    {
        return 0;
    }

    n = 0;

    for (i = s->prefix_len; i < id.len; i++) {
        if (id.data[i] < '0' || id.data[i] > '9') {
            return 0;
        }

        n = n * 10 + (id.data[i] - '0');
    }

    if (n > s->max) {
        s->max = n;
    }

    return 0;
}


/*
 * 12 characters from /dev/urandom in three groups ("k7mq-4vzt-9xhe"),
 * an alphabet without look-alikes (no 0/o, 1/l/i): about 59 bits.
 */

static pf_str_t
acc_password(pf_req_t *req)
{
    size_t          i, n, got;
    char           *p;
    FILE           *f;
    unsigned char   buf[64];

    static const char  alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
    const size_t       na = sizeof(alphabet) - 1;       /* 31 */
    const size_t       cut = 256 - 256 % (sizeof(alphabet) - 1);

    p = pf_host->alloc(req, ACC_PW_GROUPS * (ACC_PW_GROUP_LEN + 1));
    if (p == NULL) {
        return pf_string("");
    }

    f = fopen("/dev/urandom", "rb");
    if (f == NULL) {
        return pf_string("");
    }

    n = 0;

    while (n < ACC_PW_GROUPS * ACC_PW_GROUP_LEN) {
        got = fread(buf, 1, sizeof(buf), f);
        if (got == 0) {
            fclose(f);
            return pf_string("");
        }

        for (i = 0; i < got && n < ACC_PW_GROUPS * ACC_PW_GROUP_LEN; i++) {
            if (buf[i] >= cut) {
                continue;                   /* rejection: no modulo bias */
            }

            if (n && n % ACC_PW_GROUP_LEN == 0) {
                p[n + n / ACC_PW_GROUP_LEN - 1] = '-';
            }

            p[n + n / ACC_PW_GROUP_LEN] = alphabet[buf[i] % na];
            n++;
        }
    }

    fclose(f);
    memset(buf, 0, sizeof(buf));

    return (pf_str_t) { ACC_PW_GROUPS * (ACC_PW_GROUP_LEN + 1) - 1, p };
}


/* --- POST /schools/{school}/temporary-accounts --------------------------- */

typedef struct {
    pf_str_t           school;
    pf_str_t           name;
    pf_str_t           student;
    pf_str_t           note;
    const char        *reason;
    int64_t            expires;
    const pf_val_t    *srec;        /* the student's own account, or NULL */
} acc_tmp_t;


/* The body, checked in the order its refusals are answered. */

static int
acc_tmp_body(pf_req_t *req, acc_tmp_t *t)
{
    int              rc;
    size_t           i;
    pf_str_t         reason;
    const pf_val_t  *body;

    body = pf_host->body(req);

    if (pf_host->type(body) != PF_JSON_OBJECT) {
        return pf_host->error(req, 422, "invalid_field",
                              "請送出臨時帳號的資料：{\"student\"?: "
                              "學生帳號, \"name\"?: 姓名, \"expires\": "
                              "使用期限, \"reason\": 原因, \"note\"?: 備註}");
    }

    rc = acc_text(req, pf_host->get(body, "reason"), "reason", "原因", 32, 1,
                  &reason);
    if (rc) {
        return rc;
    }

    for (i = 0; acc_reasons[i]; i++) {
        if (pf_eq(reason, acc_reasons[i])) {
            t->reason = acc_reasons[i];
            break;
        }
    }

    if (t->reason == NULL) {
        return pf_host->error(req, 422, "invalid_field",
                              "原因（reason）只能是 on_leave（休學或長期請假）"
                              "、transferred（轉出）或 other（其他）");
    }

    rc = acc_text(req, pf_host->get(body, "note"), "note", "備註",
                  ACC_NOTE_MAX, 0, &t->note);
    if (rc) {
        return rc;
    }

    rc = acc_text(req, pf_host->get(body, "student"), "student", "學生帳號",
                  64, 0, &t->student);
    if (rc) {
        return rc;
    }

    if (t->student.len) {
        t->srec = acc_load_in_school(req, t->school, t->student, &rc);
        if (t->srec == NULL) {
            return rc;
        }

        if (!pf_has_role(t->srec, PF_ROLE_STUDENT)
            || acc_is_temporary(t->srec))
        {
            return pf_host->error(req, 422, "not_a_student",
                                  "%.*s 不是本校學生自己的帳號；"
                                  "請選擇本校學生",
                                  PF_S(t->student));
        }
    }

    rc = acc_text(req, pf_host->get(body, "name"), "name", "姓名",
                  ACC_NAME_MAX, t->srec == NULL, &t->name);
    if (rc) {
        return rc;
    }

    if (t->name.len == 0) {
        t->name = pf_field(t->srec, "name");
    }

    return acc_expiry(req, t->school, pf_host->get(body, "expires"),
                      &t->expires);
}


/* The fields of the new account; the core adds id, pw, created and by. */

static pf_str_t
acc_tmp_fields(pf_req_t *req, const acc_tmp_t *t)
{
    pf_gen_t  *g;

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "name");
    pf_host->string(g, t->name);
    pf_host->key(g, "school");
    pf_host->string(g, t->school);
    pf_host->key(g, "roles");
    pf_host->array_open(g);
    pf_host->cstring(g, pf_role_name(PF_ROLE_STUDENT));
    pf_host->array_close(g);

    if (t->srec && pf_host->get(t->srec, "class")) {
        pf_host->key(g, "class");
        pf_copy_value(g, pf_host->get(t->srec, "class"));
    }

    pf_host->key(g, "expires");
    pf_host->number(g, t->expires);
    pf_host->key(g, "temporary");
    pf_host->map_open(g);
    pf_host->key(g, "reason");
    pf_host->cstring(g, t->reason);

    if (t->note.len) {
        pf_host->key(g, "note");
        pf_host->string(g, t->note);
    }

    if (t->student.len) {
        pf_host->key(g, "student");
        pf_host->string(g, t->student);
    }

    pf_host->map_close(g);
    pf_host->map_close(g);

    return pf_host->text(g);
}


/*
 * POST /schools/{school}/temporary-accounts
 *   {"student"?, "name"?, "expires", "reason", "note"?}
 * 201 {"account", "initial_password"}: the password is shown this once.
 */

int
acc_tmp_create(pf_req_t *req)
{
    int              rc;
    int64_t          i;
    pf_str_t         prefix, fields, id, password;
    pf_gen_t        *g, *d;
    acc_seq_t        seq;
    acc_tmp_t        t;
    const pf_val_t  *saved;

    memset(&t, 0, sizeof(t));
    t.school = pf_host->param(req, "school");

    rc = pf_school_exists(req, t.school);
    if (rc) {
        return rc;
    }

    rc = acc_tmp_body(req, &t);
    if (rc) {
        return rc;
    }

    /* the next number; never one used before (accounts are not deleted) */
    memset(&seq, 0, sizeof(seq));
    seq.school = t.school;
    prefix = pf_host->sprintf(req, "%.*stmp", PF_S(t.school));
    seq.prefix_len = prefix.len;

    if (pf_host->user_scan(req, t.school, prefix, acc_seq_cb, &seq)
        != PF_OK)
    {
        pf_host->log(req, PF_LOG_ERR, "the accounts of \"%.*s\" "
                     "could not be read", PF_S(t.school));
        return pf_host->error(req, 503, "storage_unavailable",
                              "帳號資料暫時無法讀取，請稍候再試");
    }

    password = acc_password(req);

    if (password.len == 0) {
        pf_host->log(req, PF_LOG_ERR, "/dev/urandom is unreadable");
        return pf_host->error(req, 503, "unavailable",
                              "無法產生初始密碼，請稍候再試");
    }

    fields = acc_tmp_fields(req, &t);
    rc = PF_EXISTS;
    id.len = 0;

    for (i = 1; i <= ACC_TMP_TRIES && rc == PF_EXISTS; i++) {
        id = pf_host->sprintf(req, "%.*stmp%03lld", PF_S(t.school),
                              (long long) (seq.max + i));

        if (!pf_valid_id(id)) {
            break;
        }

        rc = pf_host->user_create(req, id, fields, password);
    }

    if (rc == PF_EXISTS) {
        return pf_host->error(req, 409, "conflict",
                              "臨時帳號的編號已用完，請洽系統管理者");
    }

    if (rc != PF_OK) {
        pf_host->log(req, PF_LOG_ERR, "temporary account \"%.*s\" "
                     "could not be created (%d)", PF_S(id), rc);
        return pf_host->error(req, 503, "storage_unavailable",
                              "臨時帳號沒有建立成功，請稍候再試");
    }

    d = acc_detail(req, id);
    pf_host->key(d, "student");

    if (t.student.len) {
        pf_host->string(d, t.student);

    } else {
        pf_host->null(d);
    }

    pf_host->key(d, "reason");
    pf_host->cstring(d, t.reason);
    pf_host->key(d, "expires");
    pf_host->number(d, t.expires);
    pf_host->map_close(d);

    saved = pf_host->user_get(req, id);

    if (saved == NULL
        || acc_audit(req, t.school, id, t.student,
                     "temporary_account.created", pf_host->text(d))
           != PF_OK)
    {
        return pf_host->error(req, 503, "storage_unavailable",
                              "臨時帳號沒有記錄成功，什麼都沒有變更；"
                              "請稍候再試");
    }

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "account");
    acc_gen_account(req, g, saved);
    pf_host->key(g, "initial_password");
    pf_host->string(g, password);
    pf_host->map_close(g);

    return pf_host->reply(req, 201, g);
}


/* --- PUT and DELETE /schools/{school}/temporary-accounts/{account} ------- */

/*
 * The temporary account {account} of {school} (both set in *school and
 * *id); NULL and a 404 in *status if there is none.
 */

static const pf_val_t *
acc_tmp_load(pf_req_t *req, pf_str_t *school, pf_str_t *id, int *status)
{
    const pf_val_t  *rec;

    *school = pf_host->param(req, "school");
    *id = pf_host->param(req, "account");

    *status = pf_school_exists(req, *school);
    if (*status) {
        return NULL;
    }

    rec = acc_load_in_school(req, *school, *id, status);

    if (rec != NULL && !acc_is_temporary(rec)) {
        *status = pf_host->error(req, 404, "not_found",
                                 "%.*s 不是臨時帳號",
                                 PF_S(*id));
        return NULL;
    }

    return rec;
}


/* PUT /schools/{school}/temporary-accounts/{account} {"expires"} */

int
acc_tmp_extend(pf_req_t *req)
{
    int              rc;
    int64_t          expires, before;
    pf_str_t         school, id, fields;
    pf_gen_t        *d;
    const pf_val_t  *rec, *body, *saved;

    rec = acc_tmp_load(req, &school, &id, &rc);
    if (rec == NULL) {
        return rc;
    }

    if (acc_is_disabled(rec)) {
        return pf_host->error(req, 409, "account_disabled",
                              "已停用的臨時帳號不能再啟用；"
                              "請另外核發一個新的臨時帳號");
    }

    body = pf_host->body(req);

    if (pf_host->type(body) != PF_JSON_OBJECT) {
        return pf_host->error(req, 422, "invalid_field",
                              "請送出新的使用期限：{\"expires\": 使用期限}");
    }

    rc = acc_expiry(req, school, pf_host->get(body, "expires"), &expires);
    if (rc) {
        return rc;
    }

    before = pf_int(rec, "expires", 0);
    fields = pf_host->sprintf(req, "{\"expires\":%lld}", (long long) expires);

    rc = acc_update(req, id, fields, "帳號資料", &saved);
    if (rc) {
        return rc;
    }

    d = acc_detail(req, id);
    pf_host->key(d, "expires");
    pf_host->number(d, expires);
    pf_host->key(d, "previous");
    pf_host->number(d, before);
    pf_host->map_close(d);

    return acc_changed(req, school, id, "temporary_account.expiry_changed",
                       pf_host->text(d), saved);
}


/* DELETE /schools/{school}/temporary-accounts/{account}: disables it. */

int
acc_tmp_disable(pf_req_t *req)
{
    int              rc;
    pf_str_t         school, id, fields;
    pf_gen_t        *g, *d;
    const pf_val_t  *rec, *saved;

    rec = acc_tmp_load(req, &school, &id, &rc);
    if (rec == NULL) {
        return rc;
    }

    if (acc_is_disabled(rec)) {
        return acc_reply_account(req, 200, rec, 0);
    }

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "disabled");
    pf_host->boolean(g, 1);
    pf_host->key(g, "disabled_at");
    pf_host->number(g, pf_host->now_ms(req));
    pf_host->key(g, "disabled_by");
    pf_host->string(g, pf_host->user(req)->id);
    pf_host->map_close(g);
    fields = pf_host->text(g);

    rc = acc_update(req, id, fields, "帳號資料", &saved);
    if (rc) {
        return rc;
    }

    d = acc_detail(req, id);
    pf_host->map_close(d);

    return acc_changed(req, school, id, "temporary_account.disabled",
                       pf_host->text(d), saved);
}
