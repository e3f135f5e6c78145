/*
 * cert_standins.c -- stand-ins (SPEC AD1): the school admin names a
 * teacher who certifies for an absent one between two times; the
 * teacher checks the admin's routes share.
 */

#include "certification.h"


/* The roles a record must name to be a teacher here. */
#define CT_TEACHER_ROLES  (PF_ROLE_TEACHER|PF_ROLE_COURSE_TEACHER          \
                           |PF_ROLE_HOMEROOM)


const pf_val_t *
ct_teacher(pf_req_t *req, pf_str_t school, pf_str_t id, const char *what,
    int *status)
{
    const pf_val_t  *u;

    u = pf_valid_id(id) ? pf_host->user_get(req, id) : NULL;

    if (u == NULL || !pf_same(pf_field(u, "school"), school)
        || !pf_has_role(u, CT_TEACHER_ROLES))
    {
        *status = pf_host->error(req, 422, "not_a_teacher",
                                 "%s %.*s 不是本校（%.*s）的教師",
                                 what, PF_S(id), PF_S(school));
        return NULL;
    }

    return u;
}


/* "standin", "from" and "to", as members of the map g is writing. */

static void
ct_standin_gen(pf_gen_t *g, pf_str_t standin, int64_t from, int64_t to)
{
    pf_host->key(g, "standin");
    pf_host->string(g, standin);
    pf_host->key(g, "from");
    pf_host->number(g, from);
    pf_host->key(g, "to");
    pf_host->number(g, to);
}


/* PUT /schools/{school}/standins/{teacher} {"standin","from","to"} */

int
ct_standin_set(pf_req_t *req)
{
    int               rc;
    int64_t           from, to;
    pf_str_t          school, teacher, standin, text;
    pf_gen_t         *g;
    const pf_val_t   *body, *v;
    const pf_user_t  *user;

    user = pf_host->user(req);
    school = pf_host->param(req, "school");
    teacher = pf_host->param(req, "teacher");
    body = pf_host->body(req);

    if (ct_teacher(req, school, teacher, "帳號", &rc) == NULL) {
        return rc;
    }

    v = pf_host->get(body, "standin");
    standin = pf_host->str(v);

    if (pf_host->type(v) != PF_JSON_STRING) {
        return pf_host->error(req, 422, "invalid_field",
                              "請指定代理人（standin）：本校教師的帳號");
    }

    if (ct_teacher(req, school, standin, "代理人", &rc) == NULL) {
        return rc;
    }

    if (pf_same(standin, teacher)) {
        return pf_host->error(req, 422, "invalid_field",
                              "教師不能擔任自己的代理人");
    }

    if (pf_host->integer(pf_host->get(body, "from"), &from) != PF_OK
        || pf_host->integer(pf_host->get(body, "to"), &to) != PF_OK
        || from < 0 || to <= from)
    {
        return pf_host->error(req, 422, "invalid_field",
                              "代理期間不正確：開始（from）與結束（to）須為"
                              "毫秒時間，且開始早於結束");
    }

    g = pf_host->gen(req);
    pf_host->map_open(g);
    ct_standin_gen(g, standin, from, to);
    pf_host->key(g, "school");
    pf_host->string(g, school);
    pf_host->key(g, "updated");
    pf_host->number(g, pf_host->now_ms(req));
    pf_host->key(g, "by");
    pf_host->string(g, user->id);
    pf_host->map_close(g);
    text = pf_host->text(g);

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "teacher");
    pf_host->string(g, teacher);
    ct_standin_gen(g, standin, from, to);
    pf_host->map_close(g);

    if (pf_host->db_put(req, "cert_standins", teacher, text) != PF_OK
        || pf_host->audit(req, pf_school_subject(req, school), "standin.set",
                          pf_host->text(g))
           != PF_OK)
    {
        return pf_host->error(req, 503, "storage_unavailable",
                              "代理人暫時無法儲存，請稍後再試");
    }

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "teacher");
    pf_host->string(g, teacher);
    pf_host->key(g, "standin");
    pf_host->raw(g, text);
    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}


/* DELETE /schools/{school}/standins/{teacher} */

int
ct_standin_delete(pf_req_t *req)
{
    pf_str_t         school, teacher;
    pf_gen_t        *g;
    const pf_val_t  *s;

    school = pf_host->param(req, "school");
    teacher = pf_host->param(req, "teacher");

    s = pf_valid_id(teacher) ? pf_load(req, "cert_standins", teacher) : NULL;

    if (s == NULL || !pf_same(pf_field(s, "school"), school)) {
        return pf_host->error(req, 404, "not_found",
                              "這位教師沒有設定代理人");
    }

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "teacher");
    pf_host->string(g, teacher);
    pf_host->key(g, "standin");
    pf_host->string(g, pf_field(s, "standin"));
    pf_host->map_close(g);

    if (pf_host->db_del(req, "cert_standins", teacher) != PF_OK
        || pf_host->audit(req, pf_school_subject(req, school),
                          "standin.removed", pf_host->text(g))
           != PF_OK)
    {
        return pf_host->error(req, 503, "storage_unavailable",
                              "代理人暫時無法刪除，請稍後再試");
    }

    return pf_host->reply(req, 200, g);
}


/* GET /schools/{school}/standins */

typedef struct {
    pf_req_t   *req;
    pf_gen_t   *g;
    pf_str_t    school;
    int64_t     now;
} ct_standins_t;


static int
ct_standins_cb(void *data, pf_str_t key, pf_str_t value)
{
    ct_standins_t   *l = data;
    const pf_val_t  *s;

    s = pf_host->parse(l->req, value);

    if (s == NULL || !pf_same(pf_field(s, "school"), l->school)) {
        return 0;
    }

    pf_host->map_open(l->g);
    pf_host->key(l->g, "teacher");
    pf_host->string(l->g, key);
    pf_copy_fields(l->g, s, NULL);
    pf_host->key(l->g, "active");
    pf_host->boolean(l->g, pfo_standin_live(s, l->now));
    pf_host->map_close(l->g);

    return 0;
}


int
ct_standin_list(pf_req_t *req)
{
    pf_gen_t       *g;
    ct_standins_t   l;

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "standins");
    pf_host->array_open(g);

    l.req = req;
    l.g = g;
    l.school = pf_host->param(req, "school");
    l.now = pf_host->now_ms(req);

    if (pf_host->db_scan(req, "cert_standins", pf_string(""), ct_standins_cb,
                         &l)
        != PF_OK)
    {
        return pf_host->error(req, 503, "storage_unavailable",
                              "代理人資料暫時無法讀取，請稍後再試");
    }

    pf_host->array_close(g);
    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}
