/*
 * sis_kind_people.c -- the imports of a term's students and teachers
 * (SPEC S1, A1): their accounts (sis_accounts.c), the term's student
 * list sis_students, and the homeroom relations it gives.
 */

#include <string.h>

#include "sis.h"


/* students: student_number, national_id, name, class, seat */

enum { ST_NUMBER, ST_NID, ST_NAME, ST_CLASS, ST_SEAT };

static const char *const  sis_students_fields[] = {
    "student_number", "national_id", "name", "class", "seat", NULL
};


static int
sis_students_check(sis_import_t *im)
{
    size_t           i, first;
    int64_t          seat;
    pf_str_t         id;
    pf_map_t         numbers, nids;
    sis_row_t       *row;
    sis_res_t       *res;
    const pf_val_t  *user;

    res = sis_check_start(im, &numbers, SIS_NEED_CLASSES);

    if (res == NULL || pf_map_init(&nids, im->req, im->nrows) != PF_OK) {
        return PF_ERROR;
    }

    for (i = 0; i < im->nrows; i++) {
        row = &im->rows[i];
        res[i].n[0] = -1;

        if (sis_given(row, ST_NUMBER)) {
            if (!sis_is_digits(row->v[ST_NUMBER], 1, 20)) {
                sis_bad(im, row, ST_NUMBER, "must be digits, not \"%.*s\"",
                        row->v[ST_NUMBER]);

            } else if ((first = sis_dup(im, &numbers, row->v[ST_NUMBER], row)))
            {
                row->bad |= SIS_BIT(ST_NUMBER);
                sis_error(im, row->row, "student_number",
                          "%.*s is also in row %zu",
                          PF_S(row->v[ST_NUMBER]), first);

            } else {
                id = pf_host->account_name(im->req, im->school, pf_string(""),
                                           row->v[ST_NUMBER]);
                res[i].id = id;

                /* A1 ids of students and teachers could meet */
                user = sis_account_get(im, id);

                if (user != NULL
                    && (!pf_has_role(user, PF_ROLE_STUDENT)
                        || !pf_same(pf_field(user, "school"), im->school)))
                {
                    sis_bad(im, row, ST_NUMBER, "the account for %.*s "
                            "exists and is not this school's student",
                            row->v[ST_NUMBER]);
                }
            }
        }

        if (sis_nid_field(im, row, ST_NID)
            && (first = sis_dup(im, &nids, row->v[ST_NID], row)))
        {
            row->bad |= SIS_BIT(ST_NID);
            sis_error(im, row->row, "national_id",
                      "the same national ID as row %zu", first);
        }

        if (sis_given(row, ST_CLASS)) {
            if (!sis_class_ok(row->v[ST_CLASS])) {
                sis_bad(im, row, ST_CLASS, "\"%.*s\" is not a class code "
                        "(letters, digits, \"_\", \".\", \"-\")",
                        row->v[ST_CLASS]);

            } else if (pf_map_get(&im->classes, row->v[ST_CLASS], NULL)
                       == NULL)
            {
                sis_bad(im, row, ST_CLASS, "no class %.*s in this term "
                        "(import the classes first)", row->v[ST_CLASS]);
            }
        }

        if (sis_given(row, ST_SEAT)) {
            if (sis_uint(row->v[ST_SEAT], 999, &seat) != PF_OK || seat == 0) {
                sis_bad(im, row, ST_SEAT, "must be a whole number from 1 to "
                        "999, not \"%.*s\"", row->v[ST_SEAT]);

            } else {
                res[i].n[0] = seat;
            }
        }
    }

    return PF_OK;
}


/*
 * The accounts, the term's student list, and the homeroom relations from
 * the rows (they are what sis_students now holds for the term).
 */

static int
sis_students_apply(sis_import_t *im)
{
    size_t       i;
    sis_buf_t    b;
    sis_row_t   *row;
    sis_res_t   *res;
    sis_acct_t   a;

    res = im->aux;

    if (sis_clear(im, "sis_students") != PF_OK
        || sis_rel_start(im, PF_REL_HOMEROOM) != PF_OK)
    {
        return PF_ERROR;
    }

    for (i = 0; i < im->nrows; i++) {
        row = &im->rows[i];

        memset(&a, 0, sizeof(sis_acct_t));
        a.role = PF_ROLE_STUDENT;
        a.name = row->v[ST_NAME];
        a.klass = row->v[ST_CLASS];
        a.number = row->v[ST_NUMBER];
        a.seat = res[i].n[0];
        a.nid = row->v[ST_NID];

        if (sis_account(im, res[i].id, &a) != PF_OK) {
            return PF_ERROR;
        }

        sis_buf_init(&b, im->req, 256);
        sis_buf_open(&b, '{');
        sis_buf_key(&b, "student");
        sis_buf_str(&b, res[i].id);
        sis_buf_key(&b, "student_number");
        sis_buf_str(&b, row->v[ST_NUMBER]);
        sis_buf_key(&b, "name");
        sis_buf_str(&b, row->v[ST_NAME]);
        sis_buf_key(&b, "class");
        sis_buf_str(&b, row->v[ST_CLASS]);
        sis_buf_key(&b, "seat");

        if (res[i].n[0] >= 0) {
            sis_buf_int(&b, res[i].n[0]);

        } else {
            sis_buf_null(&b);
        }

        sis_buf_close(&b, '}');

        if (sis_put(im, "sis_students",
                    pf_key(im->req, 3, im->school, im->term, res[i].id), &b)
            != PF_OK
            || sis_homeroom_add(im, res[i].id, row->v[ST_CLASS]) != PF_OK)
        {
            return PF_ERROR;
        }
    }

    return PF_OK;
}


const sis_kind_t  sis_kind_students = {
    .name = "students",
    .fields = sis_students_fields,
    .required = SIS_BIT(ST_NUMBER)|SIS_BIT(ST_NID)|SIS_BIT(ST_NAME)
                |SIS_BIT(ST_CLASS),
    .check = sis_students_check,
    .apply = sis_students_apply,
};


/* teachers: national_id, name */

enum { TE_NID, TE_NAME };

static const char *const  sis_teachers_fields[] = {
    "national_id", "name", NULL
};


static int
sis_teachers_check(sis_import_t *im)
{
    size_t           i, first;
    pf_map_t         ids;
    sis_row_t       *row;
    sis_res_t       *res;
    const pf_val_t  *user;

    res = sis_check_start(im, &ids, 0);

    if (res == NULL) {
        return PF_ERROR;
    }

    for (i = 0; i < im->nrows; i++) {
        row = &im->rows[i];

        if (!sis_nid_field(im, row, TE_NID)) {
            continue;
        }

        res[i].id = pf_host->account_name(im->req, im->school, row->v[TE_NID],
                                          pf_string(""));

        if ((first = sis_dup(im, &ids, res[i].id, row))) {
            row->bad |= SIS_BIT(TE_NID);
            sis_error(im, row->row, "national_id",
                      "the same teacher as row %zu", first);
            continue;
        }

        user = sis_account_get(im, res[i].id);

        if (user != NULL
            && (pf_has_role(user, PF_ROLE_STUDENT)
                || !pf_same(pf_field(user, "school"), im->school)))
        {
            row->bad |= SIS_BIT(TE_NID);
            sis_error(im, row->row, "national_id",
                      "the account %.*s exists and is not this school's "
                      "staff", PF_S(res[i].id));
        }
    }

    return PF_OK;
}


static int
sis_teachers_apply(sis_import_t *im)
{
    size_t       i;
    sis_res_t   *res;
    sis_acct_t   a;

    res = im->aux;

    for (i = 0; i < im->nrows; i++) {
        memset(&a, 0, sizeof(sis_acct_t));
        a.role = PF_ROLE_TEACHER;
        a.name = im->rows[i].v[TE_NAME];
        a.seat = -1;
        a.nid = im->rows[i].v[TE_NID];

        if (sis_account(im, res[i].id, &a) != PF_OK) {
            return PF_ERROR;
        }
    }

    return PF_OK;
}


const sis_kind_t  sis_kind_teachers = {
    .name = "teachers",
    .fields = sis_teachers_fields,
    .required = SIS_BIT(TE_NID)|SIS_BIT(TE_NAME),
    .check = sis_teachers_check,
    .apply = sis_teachers_apply,
};
