/*
 * cert_reviewer.c -- a course's reviewer (SPEC AD1): the school admin
 * names who certifies a (co-taught) course's outcomes, and what waits in
 * another teacher's queue moves to them.  The course is the sis plugin's
 * record (sis_courses), which it shares for this field.
 */

#include "certification.h"
#include "pf_scan.h"


/* The course whose outcomes move, and to whom. */

typedef struct {
    pf_str_t    school;
    pf_str_t    term;
    pf_str_t    code;
    pf_str_t    to;           /* the new reviewer */
    int64_t     now;
    size_t      moved;
} ct_move_t;


/*
 * The course's outcomes waiting in the queue of teacher "from", moved to
 * the new reviewer: the queue entry, the outcome's "reviewer", an audit
 * entry each.  0, or the status of the error it set.
 */

static int
ct_move(pf_req_t *req, ct_move_t *m, pf_str_t from)
{
    size_t           i, n;
    pf_str_t        *keys, *vals, id, okey, otext, raws[3];
    pf_gen_t        *g;
    const pf_val_t  *v, *rec;

    static const char *const  okeys[] = { "reviewer", "updated", "by" };

    /* copies: the cursor's memory is not ours once we write */
    if (pf_collect(req, "cert_queue", pf_key(req, 2, from, pf_string("")),
                   &keys, &vals, &n)
        != PF_OK)
    {
        return pf_host->error(req, 503, "storage_unavailable",
                              "待認證的學習成果暫時無法讀取，請稍後再試");
    }

    for (i = 0; i < n; i++) {
        v = pf_host->parse(req, vals[i]);

        if (!pf_str_is(pf_host->get(v, "term"), m->term)
            || !pf_str_is(pf_host->get(v, "code"), m->code))
        {
            continue;
        }

        id.data = keys[i].data + from.len + 1;
        id.len = keys[i].len - from.len - 1;

        rec = pfo_find(req, id, &okey, &otext);

        if (rec == NULL || !pf_same(pf_field(rec, "school"), m->school)) {
            continue;
        }

        raws[0] = pf_jstr(req, m->to);
        raws[1] = pf_jint(req, m->now);
        raws[2] = pf_jstr(req, pf_host->user(req)->id);

        g = pf_host->gen(req);
        pf_host->map_open(g);
        pf_host->key(g, "id");
        pf_host->string(g, id);
        pf_host->key(g, "from");
        pf_host->string(g, from);
        pf_host->key(g, "to");
        pf_host->string(g, m->to);
        pf_host->map_close(g);

        if (pf_host->db_del(req, "cert_queue", pf_key(req, 2, from, id))
            != PF_OK
            || pf_host->db_put(req, "cert_queue", pf_key(req, 2, m->to, id),
                               vals[i])
               != PF_OK
            || pf_host->db_put(req, "outcomes", okey,
                               pf_rewrite(req, rec, 3, okeys, raws))
               != PF_OK
            || pf_host->audit(req, pf_field(rec, "student"),
                              "outcome.reviewer_changed", pf_host->text(g))
               != PF_OK)
        {
            return pf_host->error(req, 503, "storage_unavailable",
                                  "待認證的學習成果無法轉給新的認證教師，"
                                  "請稍後再試");
        }

        m->moved++;
    }

    return 0;
}


/*
 * PUT /schools/{school}/terms/{term}/courses/{code}/reviewer
 * {"teacher": "..."} names the reviewer of a (co-taught) course; null or
 * "" goes back to the course's teacher.  Outcomes of the course waiting
 * in another teacher's queue move to the new reviewer.
 */

int
ct_reviewer_set(pf_req_t *req)
{
    int               rc, oom;
    size_t            i, n;
    int64_t           now;
    pf_str_t          school, term, code, teacher, text, newrev, ckey;
    pf_gen_t         *g;
    pf_list_t         from;
    ct_move_t         m;
    const pf_val_t   *body, *v, *course, *co;
    const pf_user_t  *user;

    static const char *const  skip[] = { "reviewer", "updated", "by", NULL };

    user = pf_host->user(req);
    school = pf_host->param(req, "school");
    term = pf_host->param(req, "term");
    code = pf_host->param(req, "code");

    if (!pf_valid_term(term) || !pf_valid_id(code)) {
        return pf_host->error(req, 404, "not_found", "沒有這門課程");
    }

    ckey = pf_key(req, 3, school, term, code);
    course = pf_load(req, "sis_courses", ckey);

    if (course == NULL) {
        return pf_host->error(req, 404, "not_found",
                              "%.*s 學期沒有課程 %.*s",
                              PF_S(term), PF_S(code));
    }

    body = pf_host->body(req);
    v = pf_host->get(body, "teacher");
    teacher = pf_host->str(v);

    if (v == NULL || pf_host->type(v) == PF_JSON_NULL
        || (pf_host->type(v) == PF_JSON_STRING && teacher.len == 0))
    {
        teacher.len = 0;

    } else if (pf_host->type(v) != PF_JSON_STRING) {
        return pf_host->error(req, 422, "invalid_field",
                              "認證教師（teacher）須為本校教師的帳號，或留空"
                              "改回授課教師");

    } else if (ct_teacher(req, school, teacher, "帳號", &rc) == NULL) {
        return rc;
    }

    newrev = teacher.len ? teacher : pf_field(course, "teacher");
    now = pf_host->now_ms(req);

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_copy_fields(g, course, skip);

    if (teacher.len) {
        pf_host->key(g, "reviewer");
        pf_host->string(g, teacher);
    }

    pf_host->key(g, "updated");
    pf_host->number(g, now);
    pf_host->key(g, "by");
    pf_host->string(g, user->id);
    pf_host->map_close(g);
    text = pf_host->text(g);

    if (pf_host->db_put(req, "sis_courses", ckey, text) != PF_OK) {
        return pf_host->error(req, 503, "storage_unavailable",
                              "課程資料暫時無法儲存，請稍後再試");
    }

    /* whose queues may hold the course's outcomes: its teachers, each
       once, at most CT_MAX_FOR of them */
    pf_list_init(&from, req);
    co = pf_host->get(course, "co_teachers");
    n = pf_host->type(co) == PF_JSON_ARRAY ? pf_host->count(co) : 0;

    oom = pf_list_add_new(&from, pf_field(course, "reviewer")) == PF_ERROR
          || pf_list_add_new(&from, pf_field(course, "teacher")) == PF_ERROR;

    for (i = 0; !oom && i < n && i + 2 < CT_MAX_FOR; i++) {
        oom = pf_list_add_new(&from, pf_host->str(pf_host->at(co, i)))
              == PF_ERROR;
    }

    if (oom) {
        return pf_host->error(req, 500, "internal",
                              "伺服器暫時無法處理，請稍後再試");
    }

    m.school = school;
    m.term = term;
    m.code = code;
    m.to = newrev;
    m.now = now;
    m.moved = 0;

    /* a course without any teacher: nobody to move the queue to */
    for (i = 0; pf_valid_id(newrev) && i < from.n; i++) {
        if (!pf_valid_id(from.items[i]) || pf_same(from.items[i], newrev)) {
            continue;
        }

        rc = ct_move(req, &m, from.items[i]);
        if (rc) {
            return rc;
        }
    }

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "term");
    pf_host->string(g, term);
    pf_host->key(g, "code");
    pf_host->string(g, code);
    pf_host->key(g, "reviewer");
    pf_host->string(g, newrev);
    pf_host->key(g, "moved");
    pf_host->number(g, (int64_t) m.moved);
    pf_host->map_close(g);

    if (pf_host->audit(req, pf_school_subject(req, school),
                       "course.reviewer_set", pf_host->text(g))
        != PF_OK)
    {
        return pf_host->error(req, 503, "storage_unavailable",
                              "這項變更暫時無法記錄，請稍後再試");
    }

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "course");
    pf_host->raw(g, text);
    pf_host->key(g, "reviewer");
    pf_host->string(g, newrev);
    pf_host->key(g, "moved");
    pf_host->number(g, (int64_t) m.moved);
    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}

