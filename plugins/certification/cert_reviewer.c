/*
 * cert_reviewer.c -- a course's reviewer (SPEC AD1): the school admin
 * names who certifies a (co-taught) course's outcomes, and what waits in
 * another teacher's queue moves to them.  The course is the sis plugin's
 * record (sis_courses), which it shares for this field.
 */

#include "certification.h"


/*
 * PUT /schools/{school}/terms/{term}/courses/{code}/reviewer
 * {"teacher": "..."} names the reviewer of a (co-taught) course; null or
 * "" goes back to the course's teacher.  Outcomes of the course waiting
 * in another teacher's queue move to the new reviewer.
 */

/* The course's entries in one teacher's queue: ids and values, copied. */

typedef struct {
    pf_req_t   *req;
    pf_str_t    from;
    pf_str_t    term;
    pf_str_t    code;
    pf_list_t   ids;
    pf_list_t   vals;
} ct_move_t;


static int
ct_move_cb(void *data, pf_str_t key, pf_str_t value)
{
    ct_move_t       *m = data;
    pf_str_t         id;
    const pf_val_t  *v;

    v = pf_host->parse(m->req, value);

    if (!pf_str_is(pf_host->get(v, "term"), m->term)
        || !pf_str_is(pf_host->get(v, "code"), m->code))
    {
        return 0;
    }

    /* copies: the cursor's memory is not ours once we write */
    id.data = key.data + m->from.len + 1;
    id.len = key.len - m->from.len - 1;

    return pf_list_add(&m->ids, pf_copy(m->req, id)) != PF_OK
           || pf_list_add(&m->vals, pf_copy(m->req, value)) != PF_OK;
}


int
ct_reviewer_set(pf_req_t *req)
{
    int               rc, oom;
    size_t            i, k, n, moved;
    int64_t           now;
    pf_str_t          school, term, code, teacher, text, newrev, ckey;
    pf_str_t          okey, otext, raws[3];
    pf_gen_t         *g;
    pf_list_t         from;
    ct_move_t         m;
    const pf_val_t   *body, *v, *course, *co, *rec;
    const pf_user_t  *user;

    static const char *const  skip[] = { "reviewer", "updated", "by", NULL };
    static const char *const  okeys[] = { "reviewer", "updated", "by" };

    user = pf_host->user(req);
    school = pf_host->param(req, "school");
    term = pf_host->param(req, "term");
    code = pf_host->param(req, "code");

    if (!pf_valid_term(term) || !pf_valid_id(code)) {
        return pf_host->error(req, 404, "not_found", "no such course");
    }

    ckey = pf_key(req, 3, school, term, code);
    course = pf_load(req, "sis_courses", ckey);

    if (course == NULL) {
        return pf_host->error(req, 404, "not_found",
                              "no course %.*s in term %.*s",
                              PF_S(code), PF_S(term));
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
                              "\"teacher\" must name a teacher account, or "
                              "be null");

    } else if (ct_teacher(req, school, teacher, "account", &rc) == NULL) {
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
                              "the course could not be stored");
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
        return pf_host->error(req, 500, "internal", "out of memory");
    }

    moved = 0;

    /* a course without any teacher: nobody to move the queue to */
    if (!pf_valid_id(newrev)) {
        from.n = 0;
    }

    for (i = 0; i < from.n; i++) {
        if (!pf_valid_id(from.items[i]) || pf_same(from.items[i], newrev)) {
            continue;
        }

        m.req = req;
        m.from = from.items[i];
        m.term = term;
        m.code = code;
        pf_list_init(&m.ids, req);
        pf_list_init(&m.vals, req);

        if (pf_host->db_scan(req, "cert_queue",
                             pf_key(req, 2, m.from, pf_string("")),
                             ct_move_cb, &m)
            != PF_OK)
        {
            return pf_host->error(req, 503, "storage_unavailable",
                                  "the queue cannot be read now");
        }

        for (k = 0; k < m.ids.n; k++) {
            rec = pfo_find(req, m.ids.items[k], &okey, &otext);

            if (rec == NULL || !pf_same(pf_field(rec, "school"), school)) {
                continue;
            }

            raws[0] = pf_jstr(req, newrev);
            raws[1] = pf_jint(req, now);
            raws[2] = pf_jstr(req, user->id);

            g = pf_host->gen(req);
            pf_host->map_open(g);
            pf_host->key(g, "id");
            pf_host->string(g, m.ids.items[k]);
            pf_host->key(g, "from");
            pf_host->string(g, m.from);
            pf_host->key(g, "to");
            pf_host->string(g, newrev);
            pf_host->map_close(g);

            if (pf_host->db_del(req, "cert_queue",
                                pf_key(req, 2, m.from, m.ids.items[k]))
                != PF_OK
                || pf_host->db_put(req, "cert_queue",
                                   pf_key(req, 2, newrev, m.ids.items[k]),
                                   m.vals.items[k])
                   != PF_OK
                || pf_host->db_put(req, "outcomes", okey,
                                   pf_rewrite(req, rec, 3, okeys, raws))
                   != PF_OK
                || pf_host->audit(req, pf_field(rec, "student"),
                                  "outcome.reviewer_changed", pf_host->text(g))
                   != PF_OK)
            {
                return pf_host->error(req, 503, "storage_unavailable",
                                      "the queue could not be moved");
            }

            moved++;
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
    pf_host->number(g, (int64_t) moved);
    pf_host->map_close(g);

    if (pf_host->audit(req, pf_school_subject(req, school),
                       "course.reviewer_set", pf_host->text(g))
        != PF_OK)
    {
        return pf_host->error(req, 503, "storage_unavailable",
                              "the change could not be recorded");
    }

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "course");
    pf_host->raw(g, text);
    pf_host->key(g, "reviewer");
    pf_host->string(g, newrev);
    pf_host->key(g, "moved");
    pf_host->number(g, (int64_t) moved);
    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}

