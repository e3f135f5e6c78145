/*
 * sis_refs.c -- what the rows of an import name, checked for the kinds:
 * fields given or not, duplicates within the file, students by number,
 * teachers by national ID (or resident certificate number) or account,
 * national IDs.  Account names are
 * the host's A1 rule (pf_host->account_name); the accounts themselves are
 * read once per import (sis_accounts.c).
 */

#include <string.h>

#include "sis.h"


/* What a teacher reference (a national ID or an account) names. */
typedef struct {
    pf_str_t        id;
    const char     *err;
} sis_teacher_t;


int
sis_given(sis_row_t *row, size_t f)
{
    return !(row->bad & SIS_BIT(f)) && row->v[f].len > 0;
}


/* Reports field f of the row with fmt, which quotes the value once. */

void
sis_bad(sis_import_t *im, sis_row_t *row, size_t f, const char *fmt,
    pf_str_t value)
{
    row->bad |= SIS_BIT(f);
    sis_error(im, row->row, (int) f, fmt, PF_S(pf_clip(value, 64)));
}


/*
 * What a check starts with: one sis_res_t per row, zeroed (im->aux, for
 * the kind's writes), the map of what the file names (sis_dup), and what
 * of the term's stored data the rows refer to (SIS_NEED_*).  NULL without
 * memory or if the stored data cannot be read.
 */

sis_res_t *
sis_check_start(sis_import_t *im, pf_map_t *seen, unsigned need)
{
    sis_res_t  *res;

    res = pf_host->alloc(im->req, (im->nrows + 1) * sizeof(sis_res_t));
    if (res == NULL) {
        return NULL;
    }

    memset(res, 0, (im->nrows + 1) * sizeof(sis_res_t));
    im->aux = res;

    if (pf_map_init(seen, im->req, im->nrows) != PF_OK
        || ((need & SIS_NEED_STUDENTS) && sis_load_students(im) != PF_OK)
        || ((need & SIS_NEED_COURSES) && sis_load_courses(im) != PF_OK)
        || ((need & SIS_NEED_CLASSES) && sis_load_classes(im) != PF_OK))
    {
        return NULL;
    }

    return res;
}


/* Notes a key; if it was in the file already, says in which row. */

size_t
sis_dup(sis_import_t *im, pf_map_t *seen, pf_str_t key, sis_row_t *row)
{
    sis_row_t  *first;

    first = pf_map_get(seen, key, NULL);

    if (first != NULL) {
        return first->row;
    }

    (void) pf_map_put(seen, key, row);

    return 0;
}


/* A student of this school imported for this term, by number. */

int
sis_student_ref(sis_import_t *im, sis_row_t *row, size_t f, pf_str_t *id)
{
    if (!sis_given(row, f)) {
        return 0;
    }

    if (!sis_is_digits(row->v[f], 1, 20)) {
        sis_bad(im, row, f, "必須是學號（數字），檔案中是「%.*s」",
                row->v[f]);
        return 0;
    }

    *id = pf_host->account_name(im->req, im->school, pf_string(""),
                                row->v[f]);

    if (pf_map_get(&im->students, *id, NULL) == NULL) {
        im->not_in_term++;
        sis_bad(im, row, f, "學號 %.*s 不在本學期的學生名單（請先匯入學生）",
                row->v[f]);
        return 0;
    }

    return 1;
}


/*
 * sis_a1 ("A1 name␟account", {}): the A1 names a teachers import gave
 * another account for (the account column), because two people's IDs
 * give that one name.  Such a name no longer says who is meant: a
 * reference by national ID that gives it is refused (the account says
 * who), and so is a teachers row without the account column.
 */

static int
sis_a1_found(void *data, pf_str_t key, pf_str_t value)
{
    *(int *) data = 1;

    return 1;
}


int
sis_a1_shared(sis_import_t *im, pf_str_t a1)
{
    int  found;

    found = 0;
    (void) pf_host->db_scan(im->req, "sis_a1",
                            pf_key(im->req, 2, a1, pf_string("")),
                            sis_a1_found, &found);

    return found;
}


/*
 * A teacher by national ID (the A1 account name) or by account id: an
 * existing teacher account of this school.
 */

static const char *
sis_teacher_find(sis_import_t *im, pf_str_t ref, pf_str_t *id)
{
    int              rc;
    const pf_val_t  *user;

    if (sis_nid_shaped(ref)) {
        rc = sis_nid_check(ref);

        if (rc == SIS_NID_FORMAT) {
            return "不是有效的號碼";
        }

        if (rc == SIS_NID_CHECKSUM) {
            return "的檢查碼不正確";
        }

        *id = pf_host->account_name(im->req, im->school,
                                    sis_nid_upper(im->req, ref),
                                    pf_string(""));

    } else if (pf_valid_id(ref)) {
        *id = ref;

    } else {
        return "既不是身分證統一編號，也不是帳號";
    }

    if (id->len == 0) {
        return "不是有效的號碼";
    }

    if (sis_nid_shaped(ref) && sis_a1_shared(im, *id)) {
        return "對應的帳號不只一位教師使用（匯入教師時曾另指定帳號）："
               "請改寫教師的帳號";
    }

    user = sis_account_get(im, *id);

    if (user == NULL) {
        return "沒有對應的教師帳號（請先匯入教師）";
    }

    if (!pf_same(pf_field(user, "school"), im->school)
        || !pf_has_role(user, PF_ROLE_TEACHER))
    {
        return "不是本校教師的帳號";
    }

    return NULL;
}


/* A teacher named in field f (ref: the field, or one of its list). */

int
sis_teacher_ref(sis_import_t *im, sis_row_t *row, size_t f, pf_str_t ref,
    pf_str_t *id)
{
    sis_teacher_t  *t;

    t = pf_map_get(&im->teachers, ref, NULL);

    if (t == NULL) {
        t = pf_host->alloc(im->req, sizeof(sis_teacher_t));
        if (t == NULL) {
            row->bad |= SIS_BIT(f);
            sis_error(im, row->row, (int) f, "無法檢查（記憶體不足）");
            return 0;
        }

        t->id = (pf_str_t) { 0, NULL };
        t->err = sis_teacher_find(im, ref, &t->id);
        (void) pf_map_put(&im->teachers, ref, t);
    }

    if (t->err) {
        row->bad |= SIS_BIT(f);

        /* national IDs are not echoed back */
        if (sis_nid_shaped(ref)) {
            sis_error(im, row->row, (int) f, "這個身分證統一編號%s",
                      t->err);

        } else {
            sis_error(im, row->row, (int) f, "「%.*s」%s",
                      PF_S(pf_clip(ref, 64)), t->err);
        }

        return 0;
    }

    *id = t->id;

    return 1;
}


/* A national ID field: format and checksum. */

int
sis_nid_field(sis_import_t *im, sis_row_t *row, size_t f)
{
    int  rc;

    if (!sis_given(row, f)) {
        return 0;
    }

    rc = sis_nid_check(row->v[f]);

    if (rc == SIS_NID_OK) {
        return 1;
    }

    row->bad |= SIS_BIT(f);
    sis_error(im, row->row, (int) f, "%s",
              rc == SIS_NID_FORMAT
              ? "必須是身分證統一編號或居留證的統一證號：1 個英文字母加 "
                "9 位數字，或舊式的 2 個英文字母加 8 位數字"
              : "身分證統一編號的檢查碼不正確");

    return 0;
}
