/*
 * admin_history.c -- a student's change history (SPEC Q4): the audit
 * entries under the student, oldest first, a page at a time, for the
 * administrators of the student's school and the city.
 */

#include <stdlib.h>
#include <string.h>

#include "admin.h"


#define ADM_HISTORY_DEFAULT  1000
#define ADM_HISTORY_MAX      5000

typedef struct {
    pf_req_t   *req;
    pf_gen_t   *g;
    size_t      prefix_len;
    pf_str_t    after;
    int64_t     limit;
    int64_t     n;
    pf_str_t    next;
} adm_history_t;


static int
adm_history_cb(void *data, pf_str_t key, pf_str_t value)
{
    pf_str_t          id, by;
    adm_history_t    *h = data;
    const pf_val_t   *rec, *u;

    id.data = key.data + h->prefix_len;
    id.len = key.len - h->prefix_len;

    /* ids are the same length, so byte order is time order */
    if (h->after.len
        && (id.len < h->after.len
            || (id.len == h->after.len
                && memcmp(id.data, h->after.data, id.len) <= 0)))
    {
        return 0;
    }

    if (h->n == h->limit) {
        h->next = h->after;       /* more remain: the last id given */
        return 1;
    }

    rec = pf_host->parse(h->req, value);
    if (rec == NULL) {
        return 0;
    }

    by = pf_field(rec, "by");
    u = pf_valid_id(by) ? pf_host->user_get(h->req, by) : NULL;

    pf_host->map_open(h->g);
    pf_host->key(h->g, "id");
    pf_host->string(h->g, id);
    pf_host->key(h->g, "at");
    pf_copy_value(h->g, pf_host->get(rec, "at"));
    pf_host->key(h->g, "by");
    pf_copy_value(h->g, pf_host->get(rec, "by"));
    pf_host->key(h->g, "by_name");
    pf_copy_value(h->g, pf_host->get(u, "name"));
    pf_host->key(h->g, "action");
    pf_copy_value(h->g, pf_host->get(rec, "action"));
    pf_host->key(h->g, "detail");
    pf_copy_value(h->g, pf_host->get(rec, "detail"));
    pf_host->map_close(h->g);

    h->n++;
    h->after = id;

    return 0;
}


/* GET /students/{student}/history?after=&limit= */

int
adm_history(pf_req_t *req)
{
    char              buf[16];
    char             *end;
    pf_str_t          student, limit;
    pf_gen_t         *g;
    adm_history_t     h;
    const pf_val_t   *rec;
    const pf_user_t  *user;

    user = pf_host->user(req);
    student = pf_host->param(req, "student");

    rec = pf_valid_id(student) ? pf_host->user_get(req, student) : NULL;
    if (rec == NULL) {
        return pf_host->error(req, 404, "not_found", "找不到這位學生");
    }

    /* the scope lets related teachers through; this is for admins of the
       student's school (and the city) only */
    if (!(user->roles & PF_ROLE_CITY_ADMIN)
        && !((user->roles & PF_ROLE_SCHOOL_ADMIN)
             && pf_same(pf_field(rec, "school"), user->school)))
    {
        return pf_host->error(req, 403, "out_of_scope",
                              "只有學生所屬學校的校管理者可以查看"
                              "這位學生的異動紀錄");
    }

    memset(&h, 0, sizeof(h));
    h.req = req;
    h.limit = ADM_HISTORY_DEFAULT;
    h.after = pf_host->arg(req, "after");

    if (h.after.len && !pf_valid_id(h.after)) {
        return pf_host->error(req, 422, "invalid_field",
                              "參數 after 必須是前一頁回應中的編號");
    }

    limit = pf_host->arg(req, "limit");

    if (limit.len) {
        if (limit.len >= sizeof(buf)) {
            goto bad_limit;
        }

        memcpy(buf, limit.data, limit.len);
        buf[limit.len] = '\0';
        h.limit = strtoll(buf, &end, 10);

        if (*end != '\0' || h.limit < 1 || h.limit > ADM_HISTORY_MAX) {
            goto bad_limit;
        }
    }

    /* audit keys: "<student>\x1f<id>" */
    h.prefix_len = student.len + 1;

    g = pf_host->gen(req);
    h.g = g;

    pf_host->map_open(g);
    pf_host->key(g, "student");
    pf_host->string(g, student);
    pf_host->key(g, "name");
    pf_copy_value(g, pf_host->get(rec, "name"));
    pf_host->key(g, "history");
    pf_host->array_open(g);

    if (pf_host->audit_scan(req, student, adm_history_cb, &h) != PF_OK) {
        return pf_host->error(req, 503, "storage_unavailable",
                              "異動紀錄暫時無法讀取，請稍候再試");
    }

    pf_host->array_close(g);
    pf_host->key(g, "next");

    if (h.next.len) {
        pf_host->string(g, h.next);

    } else {
        pf_host->null(g);
    }

    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);

bad_limit:

    return pf_host->error(req, 422, "invalid_field",
                          "每頁筆數（limit）要 1 到 %d", ADM_HISTORY_MAX);
}
