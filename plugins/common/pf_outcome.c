/*
 * pf_outcome.c -- course learning outcomes as the plugins that handle
 * them share them; see pf_outcome.h.
 */

#include <stdint.h>
#include <string.h>

#include "pf_outcome.h"
#include "pf_time.h"


const pf_val_t *
pfo_find(pf_req_t *req, pf_str_t id, pf_str_t *key, pf_str_t *text)
{
    pf_str_t         student, k, v;
    const pf_val_t  *idx;

    if (!pf_valid_id(id)) {
        return NULL;
    }

    idx = pf_load(req, "outcome_ids", id);
    student = pf_field(idx, "student");

    if (!pf_valid_id(student)) {
        return NULL;
    }

    k = pf_key(req, 2, student, id);

    if (pf_host->db_get(req, "outcomes", k, &v) != PF_OK) {
        return NULL;
    }

    if (key) {
        *key = k;
    }

    if (text) {
        *text = v;
    }

    return pf_host->parse(req, v);
}


int
pfo_owner(pf_req_t *req, pf_str_t id, pf_str_t *owner)
{
    const pf_val_t  *idx;

    idx = pf_valid_id(id) ? pf_load(req, "outcome_ids", id) : NULL;
    *owner = pf_field(idx, "student");

    if (!pf_valid_id(*owner)) {
        return pf_host->error(req, 404, "not_found", "找不到這份學習成果");
    }

    return 0;
}


int
pfo_standin_live(const pf_val_t *s, int64_t now)
{
    return now >= pf_int(s, "from", INT64_MAX)
           && now < pf_int(s, "to", INT64_MIN);
}


int
pfo_standin_active(pf_req_t *req, pf_str_t teacher, pf_str_t me)
{
    const pf_val_t  *s;

    if (!pf_valid_id(teacher)) {
        return 0;
    }

    s = pf_load(req, "cert_standins", teacher);

    if (s == NULL || !pf_str_is(pf_host->get(s, "standin"), me)) {
        return 0;
    }

    return pfo_standin_live(s, pf_host->now_ms(req));
}


int
pfo_is_reviewer(pf_req_t *req, const pf_val_t *rec, pf_str_t me)
{
    pf_str_t  reviewer;

    reviewer = pf_field(rec, "reviewer");

    if (reviewer.len == 0) {
        return 0;
    }

    return pf_same(reviewer, me) || pfo_standin_active(req, reviewer, me);
}


int
pfo_course_teaches(const pf_val_t *course, pf_str_t me)
{
    size_t           i, n;
    const pf_val_t  *co;

    if (course == NULL) {
        return 0;
    }

    if (pf_str_is(pf_host->get(course, "teacher"), me)
        || pf_str_is(pf_host->get(course, "reviewer"), me))
    {
        return 1;
    }

    co = pf_host->get(course, "co_teachers");
    n = pf_host->type(co) == PF_JSON_ARRAY ? pf_host->count(co) : 0;

    for (i = 0; i < n; i++) {
        if (pf_str_is(pf_host->at(co, i), me)) {
            return 1;
        }
    }

    return 0;
}


int
pfo_published(const pf_val_t *rec)
{
    pf_str_t  status;

    status = pf_field(rec, "status");

    return pf_eq(status, "passed") || pf_eq(status, "failed");
}


int
pfo_undecided(const pf_val_t *rec)
{
    return pf_host->type(pf_host->get(rec, "decision")) == PF_JSON_NULL
           && pf_host->type(pf_host->get(rec, "decided_by")) == PF_JSON_NULL
           && pf_host->type(pf_host->get(rec, "decided_at")) == PF_JSON_NULL
           && pf_host->type(pf_host->get(rec, "note")) == PF_JSON_STRING
           && pf_field(rec, "note").len == 0;
}


void
pfo_gen_undecided(pf_gen_t *g)
{
    pf_host->key(g, "decision");
    pf_host->null(g);
    pf_host->key(g, "note");
    pf_host->cstring(g, "");
    pf_host->key(g, "decided_by");
    pf_host->null(g);
    pf_host->key(g, "decided_at");
    pf_host->null(g);
}


void
pfo_view(pf_req_t *req, pf_gen_t *g, const pf_val_t *rec, pf_str_t text,
    int show_decision)
{
    static const char *const  hidden[] = {
        "decision", "note", "decided_by", "decided_at", NULL
    };

    if (show_decision || pfo_published(rec) || pfo_undecided(rec)) {
        if (text.len == 0 || pf_host->raw(g, text) != PF_OK) {
            pf_copy_value(g, rec);
        }

        return;
    }

    pf_host->map_open(g);
    pf_copy_fields(g, rec, hidden);
    pfo_gen_undecided(g);
    pf_host->map_close(g);
}


int
pfo_window(pf_req_t *req, pf_str_t school, pf_str_t term, const char *kind,
    pf_str_t *why)
{
    int              i, set;
    int64_t          from, to, f, t;
    pf_str_t         name, a, b;
    const char      *words;
    const pf_val_t  *w;

    static const uint32_t  levels[] = {
        PF_LEVEL_SCHOOL, PF_LEVEL_CITY, PF_LEVEL_NATION
    };

    if (pf_host->window_open(req, school, term, kind, NULL)) {
        return 1;
    }

    name = pf_host->sprintf(req, "window/%.*s/%s", PF_S(term), kind);
    set = 0;
    from = INT64_MIN;
    to = INT64_MAX;

    for (i = 0; i < 3; i++) {
        w = pf_host->parse(req, pf_host->setting_at(req, levels[i], school,
                                                    name));

        if (w == NULL
            || pf_host->integer(pf_host->get(w, "from"), &f) != PF_OK
            || pf_host->integer(pf_host->get(w, "to"), &t) != PF_OK)
        {
            continue;
        }

        set = 1;

        if (f > from) {
            from = f;
        }

        if (t < to) {
            to = t;
        }
    }

    words = pfo_window_word(kind);

    if (!set) {
        *why = pf_host->sprintf(req, "現在不在%s的作業期間內：%.*s 學期尚未"
                                "設定%s的作業期間，請洽學校", words,
                                PF_S(term), words);

    } else if (from >= to) {
        *why = pf_host->sprintf(req, "現在不在%s的作業期間內：%.*s 學期學校、"
                                "臺北市與國教署設定的期間沒有重疊，請洽學校",
                                words, PF_S(term));

    } else {
        a = pf_tw_minutes(req, from);
        b = pf_tw_minutes(req, to);

        *why = pf_host->sprintf(req, "現在不在%s的作業期間內：%.*s 學期%s的"
                                "期間為 %.*s 至 %.*s（臺灣時間）", words,
                                PF_S(term), words, PF_S(a), PF_S(b));
    }

    return 0;
}


const char *
pfo_status_word(pf_str_t status)
{
    if (pf_eq(status, "draft")) {
        return "草稿";
    }

    if (pf_eq(status, "pending")) {
        return "待認證";
    }

    if (pf_eq(status, "passed")) {
        return "認證通過";
    }

    if (pf_eq(status, "failed")) {
        return "認證未通過";
    }

    return "其他狀態";
}


const char *
pfo_window_word(const char *kind)
{
    if (strcmp(kind, "upload") == 0) {
        return "上傳學習成果";
    }

    if (strcmp(kind, "certify") == 0) {
        return "認證學習成果";
    }

    if (strcmp(kind, "select") == 0) {
        return "勾選學習成果";
    }

    return kind;
}
