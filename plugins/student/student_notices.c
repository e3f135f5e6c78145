/*
 * student_notices.c -- the student is told when a result is published
 * (SPEC N5, the part on the screen): the published outcomes the student
 * has not marked read (已讀), and the marks.
 *
 * A mark is the student's own record in "outcome_reads", key
 * student␟id, value {"at","by"}.  The outcome record stays the truth of
 * what was published; a published outcome never changes again, so a mark
 * never goes stale.  Marks are per outcome, not "read up to a time": a
 * result published between the page's GET and its POST stays unread,
 * because the page marks the ids it showed.
 *
 *   GET  /me/notices               the unread published outcomes
 *   POST /me/notices/read {}       marks every published one read
 *   POST /me/notices/read {"ids"}  marks those (the student's own only)
 */

#include "student.h"


#define ST_NOTICE_IDS_MAX  200


/* Published and not marked: the notices. */

typedef struct {
    pf_req_t   *req;
    pf_str_t    student;
    pf_gen_t   *g;          /* the list being written, or NULL */
    pf_list_t   ids;        /* the ids, copied (marking all) */
    int64_t     unread;
    unsigned    collect:1;
} st_notices_t;


static int
st_marked(pf_req_t *req, pf_str_t student, pf_str_t id)
{
    pf_str_t  text;

    return pf_host->db_get(req, "outcome_reads", pf_key(req, 2, student, id),
                           &text)
           == PF_OK;
}


/* What a notice says: the outcome's result, not the whole record. */

static void
st_notice_gen(pf_gen_t *g, const pf_val_t *rec)
{
    size_t           i;
    const pf_val_t  *v;

    static const char *const  fields[] = {
        "id", "term", "code", "course_name", "subject", "description",
        "status", "note", "published_at"
    };

    pf_host->map_open(g);

    for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        pf_host->key(g, fields[i]);
        v = pf_host->get(rec, fields[i]);

        if (v == NULL || pf_copy_value(g, v) != PF_OK) {
            pf_host->null(g);
        }
    }

    pf_host->map_close(g);
}


static int
st_notices_cb(void *data, pf_str_t key, pf_str_t value)
{
    pf_str_t         id;
    st_notices_t    *n = data;
    const pf_val_t  *rec;

    rec = pf_host->parse(n->req, value);

    if (rec == NULL || !pfo_published(rec)) {
        return 0;
    }

    id = pf_field(rec, "id");

    if (!pf_valid_id(id) || st_marked(n->req, n->student, id)) {
        return 0;
    }

    n->unread++;

    if (n->g) {
        st_notice_gen(n->g, rec);
    }

    if (n->collect) {
        /* a copy: the value is the cursor's, and marking writes */
        id = pf_copy(n->req, id);

        if (id.data == NULL || pf_list_add(&n->ids, id) != PF_OK) {
            return 1;
        }
    }

    return 0;
}


/*
 * The caller's unread notices counted, written into g (if not NULL) and,
 * with collect, their ids copied into n->ids: 0, or the error's status.
 */

static int
st_unread(pf_req_t *req, st_notices_t *n, pf_gen_t *g, unsigned collect)
{
    n->req = req;
    n->student = pf_host->user(req)->id;
    n->g = g;
    n->unread = 0;
    n->collect = collect;
    pf_list_init(&n->ids, req);

    if (pf_host->db_scan(req, "outcomes",
                         pf_key(req, 2, n->student, pf_string("")),
                         st_notices_cb, n)
        != PF_OK)
    {
        return pf_host->error(req, 503, "storage_unavailable",
                              "認證結果的通知暫時無法讀取，請稍後再試");
    }

    return 0;
}


/* GET /me/notices -> {"notices":[{…}],"unread"} */

int
st_notices(pf_req_t *req)
{
    int            rc;
    pf_gen_t      *g;
    st_notices_t   n;

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "notices");
    pf_host->array_open(g);

    rc = st_unread(req, &n, g, 0);
    if (rc) {
        return rc;
    }

    pf_host->array_close(g);
    pf_host->key(g, "unread");
    pf_host->number(g, n.unread);
    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}


/*
 * POST /me/notices/read {} or {"ids":[…]} -> {"read":[ids],"skipped":
 * [{"id","reason"}],"unread"}.  An id that is not the student's own
 * published outcome is skipped as "not_found" (another student's outcome
 * is looked for under this student's key, so it is not found either: the
 * answer says nothing of it) or "not_published"; one already marked is
 * neither read again nor skipped.
 */

int
st_notices_read(pf_req_t *req)
{
    int               rc;
    size_t            i, n, nread;
    int64_t           now;
    pf_str_t          id, mark, student, detail;
    pf_gen_t         *g, *read, *skip;
    pf_list_t         ids;
    st_notices_t      all;
    const pf_val_t   *body, *list, *v, *rec;
    const pf_user_t  *user;

    user = pf_host->user(req);
    student = user->id;
    body = pf_host->body(req);
    list = pf_host->get(body, "ids");

    if (body != NULL && pf_host->type(body) != PF_JSON_OBJECT) {
        return pf_host->error(req, 422, "invalid_body",
                              "送出的資料不正確：全部標示為已讀請送 {}，"
                              "只標示幾份請送 {\"ids\": [...]}");
    }

    pf_list_init(&ids, req);

    if (list == NULL || pf_host->type(list) == PF_JSON_NULL) {
        rc = st_unread(req, &all, NULL, 1);
        if (rc) {
            return rc;
        }

        ids = all.ids;

    } else {
        n = pf_host->type(list) == PF_JSON_ARRAY ? pf_host->count(list) : 0;

        if (n == 0 || n > ST_NOTICE_IDS_MAX) {
            return pf_host->error(req, 422, "invalid_field",
                                  "「ids」要列出 1 到 %d 份學習成果的編號",
                                  ST_NOTICE_IDS_MAX);
        }

        for (i = 0; i < n; i++) {
            v = pf_host->at(list, i);

            if (pf_host->type(v) != PF_JSON_STRING) {
                return pf_host->error(req, 422, "invalid_field",
                                      "「ids」要列出學習成果的編號（文字）");
            }

            if (pf_list_add_new(&ids, pf_host->str(v)) == PF_ERROR) {
                return pf_host->error(req, 500, "internal",
                                      "系統暫時無法處理，請稍後再試");
            }
        }
    }

    now = pf_host->now_ms(req);

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "at");
    pf_host->number(g, now);
    pf_host->key(g, "by");
    pf_host->string(g, user->account.len ? user->account : user->id);
    pf_host->map_close(g);
    mark = pf_host->text(g);

    read = pf_host->gen(req);
    pf_host->array_open(read);
    skip = pf_host->gen(req);
    pf_host->array_open(skip);
    nread = 0;

    for (i = 0; i < ids.n; i++) {
        id = ids.items[i];
        rec = pf_valid_id(id)
              ? pf_load(req, "outcomes", pf_key(req, 2, student, id))
              : NULL;

        if (rec == NULL || !pfo_published(rec)) {
            pf_host->map_open(skip);
            pf_host->key(skip, "id");
            pf_host->string(skip, id);
            pf_host->key(skip, "reason");
            pf_host->cstring(skip, rec ? "not_published" : "not_found");
            pf_host->map_close(skip);
            continue;
        }

        if (st_marked(req, student, id)) {
            continue;
        }

        if (pf_host->db_put(req, "outcome_reads",
                            pf_key(req, 2, student, id), mark)
            != PF_OK)
        {
            return pf_host->error(req, 503, "storage_unavailable",
                                  "暫時無法標示為已讀，請稍後再試");
        }

        pf_host->string(read, id);
        nread++;
    }

    pf_host->array_close(read);
    pf_host->array_close(skip);

    detail = pf_host->sprintf(req, "{\"read\":%.*s}",
                              PF_S(pf_host->text(read)));

    if (nread
        && pf_host->audit(req, student, "notices.read", detail) != PF_OK)
    {
        return pf_host->error(req, 503, "storage_unavailable",
                              "這項變更暫時無法記錄，請稍後再試");
    }

    /* what is left unread: the marks just written are in the snapshot */
    rc = st_unread(req, &all, NULL, 0);
    if (rc) {
        return rc;
    }

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "read");
    pf_host->raw(g, pf_host->text(read));
    pf_host->key(g, "skipped");
    pf_host->raw(g, pf_host->text(skip));
    pf_host->key(g, "unread");
    pf_host->number(g, all.unread);
    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}
