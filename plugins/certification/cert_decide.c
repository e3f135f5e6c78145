/*
 * cert_decide.c -- certifying (SPEC P5): the reviewer, or an active
 * stand-in of the reviewer, records a decision (通過 pass / 不通過 fail)
 * and an optional note, seen by nobody else yet; publishing (發佈) makes
 * the outcome "passed" or "failed", takes it off the queue and tells the
 * student.  Both only inside the school's certify window (AD3).
 */

#include <string.h>

#include "certification.h"
#include "pf_text.h"


/*
 * Refusals shared by deciding and publishing, in their order: not the
 * reviewer (403 not_reviewer: anyone but the reviewer or the stand-in),
 * not pending (409 not_pending: a draft, or already published), the
 * window (403 window_closed).  NULL: allowed.
 */

static const char *
ct_refusal(pf_req_t *req, const pf_val_t *rec, pf_str_t *why)
{
    pf_str_t  status;

    if (!pfo_is_reviewer(req, rec, pf_host->user(req)->id)) {
        *why = pf_string("只有這份學習成果的認證教師（授課教師，或學校為"
                         "合開課程指定的認證教師）或其代理人可以認證");
        return "not_reviewer";
    }

    status = pf_field(rec, "status");

    if (!pf_eq(status, "pending")) {
        *why = pf_eq(status, "draft")
               ? pf_string("學生尚未送出認證這份學習成果")
               : pf_host->sprintf(req, "這份學習成果已經發佈（%s），不能再"
                                  "變更", pfo_status_word(status));
        return "not_pending";
    }

    if (!pfo_window(req, pf_field(rec, "school"), pf_field(rec, "term"),
                    "certify", why))
    {
        return "window_closed";
    }

    return NULL;
}


static int
ct_refusal_status(const char *code)
{
    return strcmp(code, "not_pending") == 0 ? 409 : 403;
}


/* POST /outcomes/{id}/decision {"result": "pass"|"fail", "note"} */

int
ct_decide(pf_req_t *req)
{
    int64_t           now;
    pf_str_t          key, text, result, note, why, raws[6];
    pf_gen_t         *g;
    const char       *code;
    const pf_val_t   *rec, *body, *v;
    const pf_user_t  *user;

    static const char *const  keys[] = {
        "decision", "note", "decided_by", "decided_at", "updated", "by"
    };

    user = pf_host->user(req);

    /* the route's owner lookup answered 404 for an unknown id: this is an
       id whose record is gone; the reviewer, not the owner, acts */
    rec = pfo_find(req, pf_host->param(req, "id"), &key, NULL);
    if (rec == NULL) {
        return pf_host->error(req, 404, "not_found", "找不到這份學習成果");
    }

    code = ct_refusal(req, rec, &why);
    if (code) {
        return pf_host->error(req, ct_refusal_status(code), code, "%.*s",
                              PF_S(why));
    }

    body = pf_host->body(req);
    v = pf_host->get(body, "result");
    result = pf_host->str(v);

    if (pf_host->type(v) != PF_JSON_STRING
        || !(pf_eq(result, "pass") || pf_eq(result, "fail")))
    {
        return pf_host->error(req, 422, "invalid_field",
                              "請選擇「通過」(pass) 或「不通過」(fail)");
    }

    v = pf_host->get(body, "note");
    note = pf_string("");

    if (v != NULL && pf_host->type(v) != PF_JSON_NULL) {
        if (pf_host->type(v) != PF_JSON_STRING) {
            return pf_host->error(req, 422, "invalid_field",
                                  "評語須為文字");
        }

        note = pf_host->str(v);

        if (pf_has_ctl(note)) {
            return pf_host->error(req, 422, "invalid_field",
                                  "評語含有不允許的控制字元，請刪除後再送出");
        }

        if (pf_utf8_chars(note) > CT_NOTE_MAX) {
            return pf_host->error(req, 422, "note_too_long",
                                  "評語有 %zu 個字，最多 %d 個字，請刪減",
                                  pf_utf8_chars(note),
                                  CT_NOTE_MAX);
        }
    }

    now = pf_host->now_ms(req);
    raws[0] = pf_jstr(req, result);
    raws[1] = pf_jstr(req, note);
    raws[2] = pf_jstr(req, user->id);
    raws[3] = pf_jint(req, now);
    raws[4] = raws[3];
    raws[5] = raws[2];
    text = pf_rewrite(req, rec, 6, keys, raws);

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "id");
    pf_host->string(g, pf_field(rec, "id"));
    pf_host->key(g, "result");
    pf_host->string(g, result);
    pf_host->key(g, "note");
    pf_host->string(g, note);
    pf_host->map_close(g);

    if (pf_host->db_put(req, "outcomes", key, text) != PF_OK
        || pf_host->audit(req, pf_field(rec, "student"), "outcome.decided",
                          pf_host->text(g))
           != PF_OK)
    {
        return pf_host->error(req, 503, "storage_unavailable",
                              "認證結果暫時無法儲存，請稍後再試");
    }

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "outcome");
    pf_host->raw(g, text);
    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}


/* One decided outcome published: 0, or a refusal code in *code. */

static int
ct_publish_one(pf_req_t *req, pf_str_t id, const char **code, pf_str_t *why)
{
    int64_t           now;
    pf_str_t          key, text, decision, raws[5];
    pf_gen_t         *g;
    const pf_val_t   *rec, *payload;
    const pf_user_t  *user;

    static const char *const  keys[] = {
        "status", "published_at", "updated", "by"
    };

    user = pf_host->user(req);

    rec = pfo_find(req, id, &key, NULL);
    if (rec == NULL) {
        *code = "not_found";
        *why = pf_string("找不到這份學習成果");
        return 1;
    }

    *code = ct_refusal(req, rec, why);
    if (*code) {
        return 1;
    }

    decision = pf_field(rec, "decision");

    if (!ct_decided(rec)) {
        *code = "undecided";
        *why = pf_string("尚未選擇通過或不通過，請先選擇再發佈");
        return 1;
    }

    now = pf_host->now_ms(req);
    raws[0] = pf_eq(decision, "pass") ? pf_string("\"passed\"")
                                      : pf_string("\"failed\"");
    raws[1] = pf_jint(req, now);
    raws[2] = raws[1];
    raws[3] = pf_jstr(req, user->id);
    text = pf_rewrite(req, rec, 4, keys, raws);
    payload = pf_host->parse(req, text);

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "id");
    pf_host->string(g, id);
    pf_host->key(g, "status");
    pf_host->raw(g, raws[0]);
    pf_host->map_close(g);

    if (pf_host->db_put(req, "outcomes", key, text) != PF_OK
        || pf_host->audit(req, pf_field(rec, "student"), "outcome.published",
                          pf_host->text(g))
           != PF_OK)
    {
        return -1;
    }

    (void) pf_host->db_del(req, "cert_queue",
                           pf_key(req, 2, pf_field(rec, "reviewer"), id));

    if (pf_host->emit(req, "outcome.published", payload) != PF_OK) {
        return -2;
    }

    return 0;
}


/* POST /certifications/publish {"ids": [...]} or {"all": true} (發佈) */

int
ct_publish(pf_req_t *req)
{
    int              rc, oom;
    size_t           i, n, published, skipped, closed;
    pf_str_t         id, why, closed_why;
    pf_gen_t        *g, *pub, *skip;
    pf_list_t        ids;
    ct_queue_t       q;
    const char      *code;
    const pf_val_t  *body, *list, *all, *rec;

    body = pf_host->body(req);
    list = pf_host->get(body, "ids");
    all = pf_host->get(body, "all");
    pf_list_init(&ids, req);
    oom = 0;

    if (pf_host->type(all) == PF_JSON_TRUE) {
        if (ct_queue(req, pf_string(""), &q) != PF_OK) {
            return pf_host->error(req, 503, "storage_unavailable",
                                  "待認證的學習成果暫時無法讀取，請稍後"
                                  "再試");
        }

        for (i = 0; !oom && i < q.ids.n; i++) {
            rec = ct_queue_rec(&q, i);

            /* every decided one; the undecided wait */
            if (ct_decided(rec)) {
                oom = pf_list_add(&ids, pf_field(rec, "id")) != PF_OK;
            }
        }

    } else if (pf_host->type(list) == PF_JSON_ARRAY) {
        n = pf_host->count(list);

        if (n == 0 || n > CT_MAX_IDS) {
            return pf_host->error(req, 422, "invalid_field",
                                  "一次可發佈 1 到 %d 份學習成果（ids）",
                                  CT_MAX_IDS);
        }

        for (i = 0; !oom && i < n; i++) {
            if (pf_host->type(pf_host->at(list, i)) != PF_JSON_STRING) {
                return pf_host->error(req, 422, "invalid_field",
                                      "要發佈的學習成果（ids）須為編號");
            }

            oom = pf_list_add(&ids, pf_host->str(pf_host->at(list, i)))
                  != PF_OK;
        }

    } else {
        return pf_host->error(req, 422, "invalid_field",
                              "請指定要發佈的學習成果 {\"ids\": [...]}，"
                              "或全部發佈 {\"all\": true}");
    }

    if (oom) {
        return pf_host->error(req, 500, "internal",
                              "伺服器暫時無法處理，請稍後再試");
    }

    pub = pf_host->gen(req);
    pf_host->array_open(pub);
    skip = pf_host->gen(req);
    pf_host->array_open(skip);

    published = 0;
    skipped = 0;
    closed = 0;
    closed_why = pf_string("");

    for (i = 0; i < ids.n; i++) {
        id = ids.items[i];
        code = NULL;

        rc = ct_publish_one(req, id, &code, &why);

        if (rc < 0) {
            return pf_host->error(req, rc == -2 ? 500 : 503,
                                  rc == -2 ? "internal"
                                           : "storage_unavailable",
                                  "發佈沒有完成，一份都沒有發佈；請稍後"
                                  "再試");
        }

        if (rc == 0) {
            pf_host->string(pub, id);
            published++;
            continue;
        }

        skipped++;

        if (strcmp(code, "window_closed") == 0) {
            closed++;
            closed_why = why;
        }

        pf_host->map_open(skip);
        pf_host->key(skip, "id");
        pf_host->string(skip, id);
        pf_host->key(skip, "reason");
        pf_host->cstring(skip, code);
        pf_host->key(skip, "message");
        pf_host->string(skip, why);
        pf_host->map_close(skip);
    }

    /* nothing could be published only because the window is shut */
    if (published == 0 && closed && closed == skipped) {
        return pf_host->error(req, 403, "window_closed", "%.*s",
                              PF_S(closed_why));
    }

    pf_host->array_close(pub);
    pf_host->array_close(skip);

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "published");
    pf_host->raw(g, pf_host->text(pub));
    pf_host->key(g, "skipped");
    pf_host->raw(g, pf_host->text(skip));
    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}

