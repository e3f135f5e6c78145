/*
 * sis_import.c -- POST /schools/{school}/terms/{term}/import/{kind}
 * (SPEC S1, A1).
 *
 * An import is all or nothing: every row is checked first, against the
 * file itself and against what is already stored for the term, and any
 * bad row rejects the whole file (422 invalid_rows, every error with its
 * row and field).  Only then is anything written, in the handler's one
 * transaction.
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
    pf_gen_t  *g;

    qsort(im->errors, im->nstored, sizeof(sis_err_t), sis_err_cmp);
    listed = im->nstored < SIS_MAX_ERRORS ? im->nstored : SIS_MAX_ERRORS;

    g = pf_host->gen(im->req);
    pf_host->map_open(g);
    pf_host->key(g, "error");
    pf_host->map_open(g);
    pf_host->key(g, "code");
    pf_host->cstring(g, "invalid_rows");
    pf_host->key(g, "message");
    pf_host->string(g, pf_host->sprintf(im->req, "%zu error%s in the file; "
                                        "nothing was imported",
                                        im->nerrors,
                                        im->nerrors == 1 ? "" : "s"));
    pf_host->key(g, "errors");
    pf_host->array_open(g);

    for (i = 0; i < listed; i++) {
        pf_host->map_open(g);
        pf_host->key(g, "row");
        pf_host->number(g, (int64_t) im->errors[i].row);
        pf_host->key(g, "field");
        pf_host->cstring(g, im->errors[i].field);
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


/* Checks that need no body: refused before 32 MiB are read. */

static int
sis_import_target(pf_req_t *req, const sis_kind_t **kind)
{
    int       rc;
    pf_str_t  k;

    k = pf_host->param(req, "kind");
    *kind = sis_kind_find(k);

    if (*kind == NULL) {
        return pf_host->error(req, 404, "unknown_kind",
                              "no import kind \"%.*s\": students, teachers, "
                              "classes, courses, enrollments, cadres, "
                              "attendance, rewards, counselors",
                              PF_S(pf_clip(k, 32)));
    }

    if ((rc = sis_check_term(req, pf_host->param(req, "term")))) {
        return rc;
    }

    return pf_school_exists(req, pf_host->param(req, "school"));
}


int
sis_import_precheck(pf_req_t *req)
{
    const sis_kind_t  *kind;

    return sis_import_target(req, &kind);
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
                sis_error(im, row->row, im->kind->fields[f], "is required");
            }
        }
    }
}


int
sis_import(pf_req_t *req)
{
    int                rc;
    pf_gen_t          *g;
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
    im.school = pf_host->param(req, "school");
    im.term = pf_host->param(req, "term");
    im.prefix = pf_key(req, 3, im.school, im.term, pf_string(""));

    for (im.nfields = 0; kind->fields[im.nfields]; im.nfields++) {
        /* count */
    }

    if (im.prefix.data == NULL
        || pf_map_init(&im.teachers, req, 64) != PF_OK
        || pf_map_init(&im.accounts, req, 64) != PF_OK)
    {
        return pf_host->error(req, 500, "internal", "out of memory");
    }

    body = pf_host->body(req);

    rc = body ? sis_rows_json(&im, body)
              : sis_rows_csv(&im, pf_host->raw_body(req));

    if (rc != PF_OK) {
        return pf_host->error(req, 500, "internal", "out of memory");
    }

    if (im.nrows == 0 && im.nerrors == 0) {
        return pf_host->error(req, 422, "empty_file",
                              "the file has no rows");
    }

    sis_required(&im);

    if (kind->check(&im) != PF_OK) {
        return pf_host->error(req, 500, "internal",
                              "the file could not be checked");
    }

    if (im.nerrors) {
        return sis_rejected(&im);
    }

    if (kind->apply(&im) != PF_OK) {
        return pf_host->error(req, 503, "storage_unavailable",
                              "the import could not be stored; nothing "
                              "was changed");
    }

    (void) pf_host->audit(req, pf_school_subject(req, im.school),
                          pf_host->sprintf(req, "import.%s",
                                           kind->name).data,
                          pf_host->sprintf(req, "{\"term\":\"%.*s\","
                                           "\"rows\":%zu}",
                                           PF_S(im.term), im.nrows));

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "kind");
    pf_host->cstring(g, kind->name);
    pf_host->key(g, "term");
    pf_host->string(g, im.term);
    pf_host->key(g, "rows");
    pf_host->number(g, (int64_t) im.nrows);
    pf_host->key(g, "created_accounts");
    pf_host->number(g, (int64_t) im.created);
    pf_host->key(g, "updated_accounts");
    pf_host->number(g, (int64_t) im.updated);
    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}
