/*
 * sis_import.c -- POST /schools/{school}/terms/{term}/import/{kind} and
 * POST .../import/{kind}/preview (SPEC S1, A1).
 *
 * An import is all or nothing: every row is checked first, against the
 * file itself and against what is already stored for the term, and any
 * bad row rejects the whole file (422 invalid_rows, every error with its
 * row, field and column).  Only then is anything written, in the
 * handler's one transaction.
 *
 * The preview runs the same checks and the same writes, counted and not
 * made (sis_store.c), as a read handler: in the event loop, on a read
 * snapshot, never in the writer.  It answers what the import would do:
 * the kind's records added, changed, removed; the people (accounts
 * created and updated, students leaving the term's list); the renames;
 * and what the import will ask to be confirmed.
 *
 * Nothing is removed or renamed silently (issue 16): a students file
 * that would take students off the term's list (one class's file for the
 * whole school's) is refused, 409 confirm_required with the counts,
 * unless the admin confirms it (?confirm=remove) or applies the file to
 * the classes it names only (?scope=classes); a row that gives an
 * existing account another name is refused the same way unless the
 * renames are confirmed (?confirm=rename).
 *
 * The import itself still checks in the writer: what it checks against
 * (the term's classes, students, the accounts) must be what it writes
 * over, and the ABI has no stage that runs a plugin on a read snapshot
 * and hands its result to the writer.  The preview is how a page checks
 * a file without holding the writer.
 *
 * Order of kinds for a term: teachers, classes, students, courses,
 * enrollments, then cadres, attendance, rewards, counselors in any order;
 * each refers to what the earlier ones stored (a student's class, an
 * enrollment's course and student).
 *
 * A re-import of a kind replaces that kind's data for the school and term.
 * Accounts are never deleted and roles never removed.  Relations are
 * derived (sis_relations.c).  Nothing students made is touched.
 *
 * Each kind (sis_kind_*.c) has its fields, a check that resolves and
 * reports every row, and an apply that writes.
 */

#include <string.h>
#include <stdlib.h>

#include "sis.h"


#define SIS_MAX_RENAMES     100          /* renames listed in an answer */


static const sis_kind_t *const  sis_kinds[] = {
    &sis_kind_students, &sis_kind_teachers, &sis_kind_classes,
    &sis_kind_courses, &sis_kind_enrollments, &sis_kind_cadres,
    &sis_kind_attendance, &sis_kind_rewards, &sis_kind_counselors,
};


static const sis_kind_t *
sis_kind_find(pf_str_t name)
{
    size_t  i;

    for (i = 0; i < PF_COUNT(sis_kinds); i++) {
        if (pf_eq(name, sis_kinds[i]->name)) {
            return sis_kinds[i];
        }
    }

    return NULL;
}


/* the answer to a rejected file */

static int
sis_err_cmp(const void *one, const void *two)
{
    const sis_err_t  *a = one, *b = two;

    if (a->row != b->row) {
        return a->row < b->row ? -1 : 1;
    }

    return a->seq < b->seq ? -1 : a->seq > b->seq;
}


static int
sis_rejected(sis_import_t *im)
{
    size_t     i, listed;
    pf_str_t   message;
    pf_gen_t  *g;

    qsort(im->errors, im->nstored, sizeof(sis_err_t), sis_err_cmp);
    listed = im->nstored < SIS_MAX_ERRORS ? im->nstored : SIS_MAX_ERRORS;

    message = pf_host->sprintf(im->req, "檔案中有 %zu 個錯誤，整個檔案都沒有"
                               "匯入：請修正後重新匯入整個檔案。",
                               im->nerrors);

    if (im->not_in_term) {
        /* the story: the list was replaced by one class's */
        message = pf_host->sprintf(im->req, "%.*s其中 %zu 列的學號不在%.*s"
                                   "的學生名單：如果學生名單曾被只有部分"
                                   "班級的檔案取代，請先重新匯入全校的學生"
                                   "名單。", PF_S(message), im->not_in_term,
                                   PF_S(sis_term_words(im->req, im->term)));
    }

    g = pf_host->gen(im->req);
    pf_host->map_open(g);
    pf_host->key(g, "error");
    pf_host->map_open(g);
    pf_host->key(g, "code");
    pf_host->cstring(g, "invalid_rows");
    pf_host->key(g, "message");
    pf_host->string(g, message);
    pf_host->key(g, "errors");
    pf_host->array_open(g);

    for (i = 0; i < listed; i++) {
        pf_host->map_open(g);
        pf_host->key(g, "row");
        pf_host->number(g, (int64_t) im->errors[i].row);
        pf_host->key(g, "field");
        pf_host->cstring(g, im->errors[i].f >= 0
                            ? im->kind->fields[im->errors[i].f] : "");
        pf_host->key(g, "column");
        pf_host->string(g, sis_column(im, im->errors[i].f));
        pf_host->key(g, "message");
        pf_host->string(g, im->errors[i].message);
        pf_host->map_close(g);
    }

    pf_host->array_close(g);
    pf_host->key(g, "more");
    pf_host->number(g, (int64_t) (im->nerrors - listed));
    pf_host->map_close(g);
    pf_host->map_close(g);

    return pf_host->reply(im->req, 422, g);
}


/* What the admin must confirm before the import writes (0: nothing). */

#define SIS_NEED_REMOVE     0x1u
#define SIS_NEED_RENAME     0x2u

static unsigned
sis_needs(sis_import_t *im)
{
    unsigned  needs;

    needs = 0;

    if (im->leaving && !im->confirm_remove) {
        needs |= SIS_NEED_REMOVE;
    }

    if (im->nrenames && !im->confirm_rename) {
        needs |= SIS_NEED_RENAME;
    }

    return needs;
}


/* "confirm": [what must be confirmed] */

static void
sis_gen_confirm(pf_gen_t *g, unsigned needs)
{
    pf_host->key(g, "confirm");
    pf_host->array_open(g);

    if (needs & SIS_NEED_REMOVE) {
        pf_host->cstring(g, "remove");
    }

    if (needs & SIS_NEED_RENAME) {
        pf_host->cstring(g, "rename");
    }

    pf_host->array_close(g);
}


/* The classes the file names: "101、102、103" (the first 20). */

static pf_str_t
sis_named_words(sis_import_t *im)
{
    size_t     i;
    sis_buf_t  b;

    sis_buf_init(&b, im->req, 64);

    for (i = 0; i < im->named.n && i < 20; i++) {
        if (i) {
            sis_buf_add(&b, "、", 3);
        }

        sis_buf_add(&b, im->named.items[i].data, im->named.items[i].len);
    }

    if (im->named.n > 20) {
        sis_buf_add(&b, " 等", 4);
    }

    return sis_buf_text(&b);
}


/* The fields both answers share: the term's list, the renames. */

static void
sis_gen_people(sis_import_t *im, pf_gen_t *g)
{
    size_t  i;

    if (im->kind == &sis_kind_students) {
        pf_host->key(g, "scope");
        pf_host->cstring(g, im->scope_classes ? "classes" : "all");
        pf_host->key(g, "classes");
        pf_host->array_open(g);

        for (i = 0; i < im->named.n; i++) {
            pf_host->string(g, im->named.items[i]);
        }

        pf_host->array_close(g);
        pf_host->key(g, "term_students");
        pf_host->number(g, (int64_t) im->term_before);
        pf_host->key(g, "stay");
        pf_host->number(g, (int64_t) (im->term_before - im->leaving));
        pf_host->key(g, "remove");
        pf_host->number(g, (int64_t) im->leaving);
        pf_host->key(g, "kept");
        pf_host->number(g, (int64_t) im->kept);
    }

    pf_host->key(g, "renamed");
    pf_host->array_open(g);

    for (i = 0; i < im->nrenames && i < SIS_MAX_RENAMES; i++) {
        pf_host->map_open(g);
        pf_host->key(g, "row");
        pf_host->number(g, (int64_t) im->renames[i].row);
        pf_host->key(g, "account");
        pf_host->string(g, im->renames[i].id);
        pf_host->key(g, "from");
        pf_host->string(g, im->renames[i].from);
        pf_host->key(g, "to");
        pf_host->string(g, im->renames[i].to);
        pf_host->map_close(g);
    }

    pf_host->array_close(g);
}


/* 409 confirm_required: what would be removed or renamed, in words. */

static int
sis_unconfirmed(sis_import_t *im, unsigned needs)
{
    pf_str_t   message, term;
    pf_gen_t  *g;

    term = sis_term_words(im->req, im->term);
    message = pf_string("");

    if (needs & SIS_NEED_REMOVE) {
        message = pf_host->sprintf(im->req,
                      "這個學生名單會把 %zu 位學生移出%.*s的名單（目前 %zu "
                      "位，留下 %zu 位）。如果檔案只有部分班級，請改為只"
                      "更新檔案中的班級（%.*s）；確定要移出這 %zu 位學生，"
                      "請確認移出後再匯入。", im->leaving, PF_S(term),
                      im->term_before, im->term_before - im->leaving,
                      PF_S(sis_named_words(im)), im->leaving);
    }

    if (needs & SIS_NEED_RENAME) {
        message = pf_host->sprintf(im->req,
                      "%.*s檔案會改變 %zu 個現有帳號的姓名（例如第 %zu 列，"
                      "帳號 %.*s：「%.*s」改為「%.*s」）。同一人改名，請確認"
                      "更名後再匯入；若是不同的人，請不要確認：教師請在「帳號"
                      "」欄為新的一位另指定帳號。", PF_S(message),
                      im->nrenames, im->renames[0].row,
                      PF_S(im->renames[0].id), PF_S(im->renames[0].from),
                      PF_S(im->renames[0].to));
    }

    g = pf_host->gen(im->req);
    pf_host->map_open(g);
    pf_host->key(g, "error");
    pf_host->map_open(g);
    pf_host->key(g, "code");
    pf_host->cstring(g, "confirm_required");
    pf_host->key(g, "message");
    pf_host->string(g, message);
    sis_gen_confirm(g, needs);
    sis_gen_people(im, g);
    pf_host->map_close(g);
    pf_host->map_close(g);

    return pf_host->reply(im->req, 409, g);
}


static void
sis_gen_counts(pf_gen_t *g, const char *key, size_t added, size_t changed,
    size_t removed, size_t unchanged)
{
    pf_host->key(g, key);
    pf_host->map_open(g);
    pf_host->key(g, "added");
    pf_host->number(g, (int64_t) added);
    pf_host->key(g, "changed");
    pf_host->number(g, (int64_t) changed);
    pf_host->key(g, "removed");
    pf_host->number(g, (int64_t) removed);

    if (unchanged != (size_t) -1) {
        pf_host->key(g, "unchanged");
        pf_host->number(g, (int64_t) unchanged);
    }

    pf_host->map_close(g);
}


/* The answer of an import, or of its preview (im->dry). */

static int
sis_answer(sis_import_t *im)
{
    pf_gen_t  *g;

    g = pf_host->gen(im->req);
    pf_host->map_open(g);
    pf_host->key(g, "kind");
    pf_host->cstring(g, im->kind->name);
    pf_host->key(g, "term");
    pf_host->string(g, im->term);

    if (im->dry) {
        pf_host->key(g, "preview");
        pf_host->boolean(g, 1);
    }

    pf_host->key(g, "rows");
    pf_host->number(g, (int64_t) im->nrows);
    pf_host->key(g, "created_accounts");
    pf_host->number(g, (int64_t) im->created);
    pf_host->key(g, "updated_accounts");
    pf_host->number(g, (int64_t) im->updated);
    sis_gen_counts(g, "records", im->records.added, im->records.changed,
                   im->records.removed, im->records.unchanged);
    sis_gen_counts(g, "people", im->created, im->updated,
                   im->kind == &sis_kind_students ? im->leaving : 0,
                   (size_t) -1);
    pf_host->key(g, "encoding");

    if (im->encoding) {
        pf_host->cstring(g, im->encoding);

    } else {
        pf_host->null(g);
    }

    sis_gen_people(im, g);

    if (im->dry) {
        /* what the import of this file will ask to be confirmed */
        sis_gen_confirm(g, sis_needs(im));
    }

    pf_host->map_close(g);

    return pf_host->reply(im->req, 200, g);
}


/* Checks that need no body: refused before 32 MiB are read. */

static int
sis_import_target(pf_req_t *req, const sis_kind_t **kind)
{
    int       rc;
    pf_str_t  k, school;

    k = pf_host->param(req, "kind");
    *kind = sis_kind_find(k);

    if (*kind == NULL) {
        return pf_host->error(req, 404, "unknown_kind",
                              "沒有「%.*s」這種匯入資料：可匯入 teachers"
                              "（教師）、classes（班級）、students（學生）、"
                              "courses（課程）、enrollments（修課與成績）、"
                              "cadres（幹部經歷）、attendance（出缺勤）、"
                              "rewards（獎懲）、counselors（輔導教師）",
                              PF_S(pf_clip(k, 32)));
    }

    if ((rc = sis_check_term(req, pf_host->param(req, "term")))) {
        return rc;
    }

    school = pf_host->param(req, "school");

    if (!pf_valid_id(school) || pf_host->school_get(req, school) == NULL) {
        return pf_host->error(req, 404, "not_found", "沒有這所學校");
    }

    return 0;
}


/* ?confirm=remove,rename and ?scope=all|classes */

static int
sis_import_args(pf_req_t *req, const sis_kind_t *kind, sis_import_t *im)
{
    pf_str_t     arg, word;
    const char  *p, *last, *start;

    arg = pf_host->arg(req, "scope");

    if (arg.len && !pf_eq(arg, "all")) {
        if (!pf_eq(arg, "classes") || kind != &sis_kind_students) {
            return pf_host->error(req, 422, "invalid_scope",
                                  "scope 只能是 all（整個學期的名單）或 "
                                  "classes（只更新檔案中的班級，只用於學生"
                                  "名單）");
        }

        if (im) {
            im->scope_classes = 1;
        }
    }

    arg = pf_host->arg(req, "confirm");
    p = arg.data;
    last = arg.data + arg.len;

    while (p < last) {
        start = p;

        while (p < last && *p != ',') {
            p++;
        }

        word = (pf_str_t) { (size_t) (p - start), start };

        if (p < last) {
            p++;
        }

        if (pf_eq(word, "remove")) {
            if (im) {
                im->confirm_remove = 1;
            }

        } else if (pf_eq(word, "rename")) {
            if (im) {
                im->confirm_rename = 1;
            }

        } else if (word.len) {
            return pf_host->error(req, 422, "invalid_confirm",
                                  "confirm 只能是 remove（確認移出學生）、"
                                  "rename（確認更名），或兩者以逗號分隔");
        }
    }

    return 0;
}


int
sis_import_precheck(pf_req_t *req)
{
    int                rc;
    const sis_kind_t  *kind;

    if ((rc = sis_import_target(req, &kind))) {
        return rc;
    }

    return sis_import_args(req, kind, NULL);
}


/* Every required field a row left empty (unless its column is missing). */

static void
sis_required(sis_import_t *im)
{
    size_t      i, f;
    sis_row_t  *row;

    for (i = 0; i < im->nrows; i++) {
        row = &im->rows[i];

        for (f = 0; f < im->nfields; f++) {
            if ((im->kind->required & SIS_BIT(f))
                && !(im->missing & SIS_BIT(f))
                && !(row->bad & SIS_BIT(f))
                && row->v[f].len == 0)
            {
                row->bad |= SIS_BIT(f);
                sis_error(im, row->row, (int) f, "必須填寫");
            }
        }
    }
}


static int
sis_run(pf_req_t *req, unsigned dry)
{
    int                rc;
    sis_import_t       im;
    const pf_val_t    *body;
    const sis_kind_t  *kind;

    rc = sis_import_target(req, &kind);
    if (rc != 0) {
        return rc;
    }

    memset(&im, 0, sizeof(sis_import_t));
    im.req = req;
    im.kind = kind;
    im.dry = dry;
    im.school = pf_host->param(req, "school");
    im.term = pf_host->param(req, "term");
    im.prefix = pf_key(req, 3, im.school, im.term, pf_string(""));

    if ((rc = sis_import_args(req, kind, &im))) {
        return rc;
    }

    for (im.nfields = 0; kind->fields[im.nfields]; im.nfields++) {
        /* count */
    }

    if (im.prefix.data == NULL
        || pf_map_init(&im.teachers, req, 64) != PF_OK
        || pf_map_init(&im.accounts, req, 64) != PF_OK)
    {
        return pf_host->error(req, 500, "internal", "記憶體不足，無法匯入");
    }

    body = pf_host->body(req);

    rc = body ? sis_rows_json(&im, body)
              : sis_rows_csv(&im, pf_host->raw_body(req));

    if (rc != PF_OK) {
        return pf_host->error(req, 500, "internal", "記憶體不足，無法讀取"
                              "檔案");
    }

    if (im.file_status) {
        return pf_host->error(req, im.file_status, im.file_code, "%.*s",
                              PF_S(im.file_message));
    }

    if (im.nrows == 0 && im.nerrors == 0) {
        return pf_host->error(req, 422, "empty_file",
                              "檔案中沒有資料列：第一列是欄位名稱，資料從"
                              "第二列開始");
    }

    sis_required(&im);

    if (kind->check(&im) != PF_OK) {
        return pf_host->error(req, 500, "internal", "無法檢查檔案（記憶體"
                              "不足或資料無法讀取），沒有任何資料被變更");
    }

    if (im.nerrors) {
        return sis_rejected(&im);
    }

    if (!dry && sis_needs(&im)) {
        return sis_unconfirmed(&im, sis_needs(&im));
    }

    if (kind->apply(&im) != PF_OK) {
        return pf_host->error(req, dry ? 500 : 503,
                              dry ? "internal" : "storage_unavailable",
                              "%s", dry ? "無法預覽這次匯入，沒有任何資料"
                                          "被變更"
                                        : "匯入無法儲存，沒有任何資料被"
                                          "變更，請稍候再試");
    }

    sis_track_count(&im);

    if (!dry) {
        (void) pf_host->audit(req, pf_school_subject(req, im.school),
                              pf_host->sprintf(req, "import.%s",
                                               kind->name).data,
                              pf_host->sprintf(req, "{\"term\":\"%.*s\","
                                               "\"rows\":%zu}",
                                               PF_S(im.term), im.nrows));
    }

    return sis_answer(&im);
}


int
sis_import(pf_req_t *req)
{
    return sis_run(req, 0);
}


int
sis_import_preview(pf_req_t *req)
{
    return sis_run(req, 1);
}
