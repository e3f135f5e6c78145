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

static const char *const  sis_students_zh[] = {
    "學號", "身分證統一編號|身分證字號|身分證號|統一證號", "姓名|學生姓名",
    "班級|班級代碼|班級代號", "座號", NULL
};


/*
 * Who leaves the term's list (SPEC S1; issue 16: a file of one class
 * replaced the school's 180 students with its 3, and the next import,
 * the enrollments, was refused for the 177 it no longer knew).  Without
 * ?scope=classes every student of the list the file does not name
 * leaves it; with it only those of the classes the file names, and the
 * others are kept as they are.  The import refuses a file that would
 * remove anyone unless the admin confirms it (?confirm=remove).
 */

static int
sis_students_leaving(sis_import_t *im, pf_map_t *ids)
{
    size_t           i;
    pf_str_t         id;
    pf_slot_t       *slot;
    const pf_val_t  *rec;

    im->term_before = im->students.n;

    if (pf_map_init(&im->affected, im->req, im->nrows + 16) != PF_OK) {
        return PF_ERROR;
    }

    for (i = 0; i < im->nrows; i++) {
        id = ((sis_res_t *) im->aux)[i].id;

        if (id.len && pf_map_put(&im->affected, id, im) != PF_OK) {
            return PF_ERROR;
        }
    }

    for (i = 0; i < im->students.cap; i++) {
        slot = &im->students.slots[i];

        if (slot->key.data == NULL || pf_map_get(ids, slot->key, NULL)) {
            continue;
        }

        if (im->scope_classes) {
            rec = pf_host->parse(im->req, *(pf_str_t *) slot->value);

            if (!pf_list_has(&im->named, pf_field(rec, "class"))) {
                im->kept++;
                continue;
            }
        }

        im->leaving++;

        if (pf_map_put(&im->affected, slot->key, im) != PF_OK) {
            return PF_ERROR;
        }
    }

    return PF_OK;
}


static int
sis_students_check(sis_import_t *im)
{
    size_t           i, first;
    int64_t          seat;
    pf_str_t         id;
    pf_map_t         numbers, nids, ids;
    sis_row_t       *row;
    sis_res_t       *res;
    const pf_val_t  *user;

    res = sis_check_start(im, &numbers, SIS_NEED_CLASSES|SIS_NEED_STUDENTS);

    if (res == NULL || pf_map_init(&nids, im->req, im->nrows) != PF_OK
        || pf_map_init(&ids, im->req, im->nrows) != PF_OK)
    {
        return PF_ERROR;
    }

    pf_list_init(&im->named, im->req);

    for (i = 0; i < im->nrows; i++) {
        row = &im->rows[i];
        res[i].n[0] = -1;

        if (sis_given(row, ST_NUMBER)) {
            if (!sis_is_digits(row->v[ST_NUMBER], 1, 20)) {
                sis_bad(im, row, ST_NUMBER, "學號必須是數字，檔案中是"
                        "「%.*s」", row->v[ST_NUMBER]);

            } else if ((first = sis_dup(im, &numbers, row->v[ST_NUMBER], row)))
            {
                row->bad |= SIS_BIT(ST_NUMBER);
                sis_error(im, row->row, ST_NUMBER, "學號 %.*s 也在第 %zu 列",
                          PF_S(row->v[ST_NUMBER]), first);

            } else {
                id = pf_host->account_name(im->req, im->school, pf_string(""),
                                           row->v[ST_NUMBER]);
                res[i].id = id;

                if (pf_map_put(&ids, id, row) != PF_OK) {
                    return PF_ERROR;
                }

                /* A1 ids of students and teachers could meet */
                user = sis_account_get(im, id);

                if (user != NULL
                    && (!pf_has_role(user, PF_ROLE_STUDENT)
                        || !pf_same(pf_field(user, "school"), im->school)))
                {
                    sis_bad(im, row, ST_NUMBER, "學號 %.*s 的帳號已經有人"
                            "使用，不是本校學生的帳號", row->v[ST_NUMBER]);

                } else if (sis_rename_check(im, row, id, user,
                                            row->v[ST_NAME])
                           != PF_OK)
                {
                    return PF_ERROR;
                }
            }
        }

        if (sis_nid_field(im, row, ST_NID)) {
            row->v[ST_NID] = sis_nid_upper(im->req, row->v[ST_NID]);

            if ((first = sis_dup(im, &nids, row->v[ST_NID], row))) {
                row->bad |= SIS_BIT(ST_NID);
                sis_error(im, row->row, ST_NID, "與第 %zu 列的身分證統一編號"
                          "相同", first);
            }
        }

        if (sis_given(row, ST_CLASS)) {
            if (!sis_class_ok(row->v[ST_CLASS])) {
                sis_bad(im, row, ST_CLASS, "「%.*s」不是班級代碼（只能有"
                        "英文字母、數字和 _ . -）", row->v[ST_CLASS]);

            } else if (pf_map_get(&im->classes, row->v[ST_CLASS], NULL)
                       == NULL)
            {
                sis_bad(im, row, ST_CLASS, "本學期沒有 %.*s 班（請先匯入"
                        "班級）", row->v[ST_CLASS]);

            } else if (pf_list_add_new(&im->named, row->v[ST_CLASS])
                       == PF_ERROR)
            {
                return PF_ERROR;
            }
        }

        if (sis_given(row, ST_SEAT)) {
            if (sis_uint(row->v[ST_SEAT], 999, &seat) != PF_OK || seat == 0) {
                sis_bad(im, row, ST_SEAT, "必須是 1 到 999 的整數，檔案中是"
                        "「%.*s」", row->v[ST_SEAT]);

            } else {
                res[i].n[0] = seat;
            }
        }
    }

    return sis_students_leaving(im, &ids);
}


/*
 * The accounts, the term's student list, and the homeroom relations from
 * the rows (they are what sis_students now holds for the term): all of
 * the list replaced, or with ?scope=classes the students of the classes
 * the file names and those it names.
 */

static int
sis_students_apply(sis_import_t *im)
{
    size_t       i;
    sis_buf_t    b;
    pf_slot_t   *slot;
    sis_row_t   *row;
    sis_res_t   *res;
    sis_acct_t   a;

    res = im->aux;

    if (sis_track(im, "sis_students", im->prefix) != PF_OK) {
        return PF_ERROR;
    }

    if (!im->scope_classes) {
        if (sis_clear(im, "sis_students") != PF_OK
            || sis_rel_start(im, PF_REL_HOMEROOM) != PF_OK)
        {
            return PF_ERROR;
        }

    } else {
        for (i = 0; i < im->students.cap; i++) {
            slot = &im->students.slots[i];

            if (slot->key.data != NULL
                && pf_map_get(&im->affected, slot->key, NULL)
                && sis_db_del(im, "sis_students",
                              pf_key(im->req, 3, im->school, im->term,
                                     slot->key),
                              slot->value)
                   != PF_OK)
            {
                return PF_ERROR;
            }
        }

        if (sis_rel_clear(im, PF_REL_HOMEROOM, &im->affected) != PF_OK) {
            return PF_ERROR;
        }
    }

    /* every stored student a row names was deleted above */
    im->cleared = 1;

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
    .zh = sis_students_zh,
    .required = SIS_BIT(ST_NUMBER)|SIS_BIT(ST_NID)|SIS_BIT(ST_NAME)
                |SIS_BIT(ST_CLASS)|SIS_BIT(ST_SEAT),
    .check = sis_students_check,
    .apply = sis_students_apply,
};


/*
 * teachers: national_id, name, and optionally account.  A teacher's A1
 * account name is the domain and the 9 characters after the ID's first
 * letter, so two IDs that differ only in that letter give one name: the
 * file is refused with both rows named, and the admin gives one of them
 * another account in the account column (帳號), which must start with
 * the school's domain and must not look like another ID's A1 name.  A
 * later import must name that account again for that teacher: without
 * it the row is refused: sis_a1 remembers the A1 names given to another
 * account (sis_refs.c), and a reference by national ID to such a name is
 * refused in every file (the account says who is meant).
 */

enum { TE_NID, TE_NAME, TE_ACCOUNT };

static const char *const  sis_teachers_fields[] = {
    "national_id", "name", "account", NULL
};

static const char *const  sis_teachers_zh[] = {
    "身分證統一編號|身分證字號|身分證號|統一證號", "姓名|教師姓名",
    "帳號|教師帳號", NULL
};


/* The account column: "" if it is fine, else why not. */

static const char *
sis_teacher_account(sis_import_t *im, pf_str_t account, pf_str_t a1)
{
    pf_str_t  tail;

    if (!pf_valid_id(account) || account.len <= im->school.len
        || memcmp(account.data, im->school.data, im->school.len) != 0)
    {
        return "帳號必須以本校網域名稱開頭，其後只能有英文字母、數字和 "
               "_ . -";
    }

    tail = (pf_str_t) { account.len - im->school.len,
                        account.data + im->school.len };

    /* the domain and an ID's 9 characters: another person's A1 name */
    if (!pf_same(account, a1) && tail.len == 9
        && (sis_is_digits(tail, 9, 9)
            || (((tail.data[0] | 0x20) >= 'a' && (tail.data[0] | 0x20) <= 'z')
                && sis_is_digits((pf_str_t) { 8, tail.data + 1 }, 8, 8))))
    {
        return "這個帳號是另一個身分證統一編號的預設帳號，請改用別的"
               "名稱（例如在預設帳號後加 -2）";
    }

    return "";
}


/* Row here and row other are two people who would have one account. */

static void
sis_teachers_clash(sis_import_t *im, size_t here, size_t other,
    pf_str_t id)
{
    sis_error(im, here, TE_NID, "與第 %zu 列的身分證統一編號不同，卻會使用"
              "同一個帳號 %.*s（兩個號碼只差開頭的英文字母，或指定了同一個"
              "帳號）：請在「%.*s」欄為其中一位另指定帳號，例如 %.*s-2",
              other, PF_S(id), PF_S(sis_column(im, TE_ACCOUNT)), PF_S(id));
}


static int
sis_teachers_check(sis_import_t *im)
{
    size_t           i;
    pf_str_t         a1;
    pf_map_t         ids;
    sis_row_t       *row, *first;
    sis_res_t       *res;
    const char      *why;
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

        row->v[TE_NID] = sis_nid_upper(im->req, row->v[TE_NID]);
        a1 = pf_host->account_name(im->req, im->school, row->v[TE_NID],
                                   pf_string(""));

        if (a1.len == 0) {
            row->bad |= SIS_BIT(TE_NID);
            sis_error(im, row->row, TE_NID, "無法由這個號碼得出帳號");
            continue;
        }

        res[i].id = a1;

        if (sis_given(row, TE_ACCOUNT)) {
            why = sis_teacher_account(im, row->v[TE_ACCOUNT], a1);

            if (why[0]) {
                row->bad |= SIS_BIT(TE_ACCOUNT);
                sis_error(im, row->row, TE_ACCOUNT, "「%.*s」不能用：%s",
                          PF_S(pf_clip(row->v[TE_ACCOUNT], 64)), why);
                continue;
            }

            res[i].id = row->v[TE_ACCOUNT];

        } else if (sis_a1_shared(im, a1)) {
            row->bad |= SIS_BIT(TE_NID);
            sis_error(im, row->row, TE_NID, "這個號碼的預設帳號 %.*s 也對應"
                      "另一位教師（曾在「%.*s」欄另指定帳號）：請在「%.*s」"
                      "欄寫明這位教師的帳號", PF_S(a1),
                      PF_S(sis_column(im, TE_ACCOUNT)),
                      PF_S(sis_column(im, TE_ACCOUNT)));
            continue;
        }

        first = pf_map_get(&ids, res[i].id, NULL);

        if (first == NULL) {
            (void) pf_map_put(&ids, res[i].id, row);

        } else if (pf_same(first->v[TE_NID], row->v[TE_NID])) {
            row->bad |= SIS_BIT(TE_NID);
            sis_error(im, row->row, TE_NID, "與第 %zu 列是同一位教師（身分證"
                      "統一編號相同）", first->row);
            continue;

        } else {
            /* two people, one account: both rows say so */
            row->bad |= SIS_BIT(TE_NID);
            sis_teachers_clash(im, first->row, row->row, res[i].id);
            sis_teachers_clash(im, row->row, first->row, res[i].id);
            continue;
        }

        user = sis_account_get(im, res[i].id);

        if (user != NULL
            && (pf_has_role(user, PF_ROLE_STUDENT)
                || !pf_same(pf_field(user, "school"), im->school)))
        {
            row->bad |= SIS_BIT(TE_NID);
            sis_error(im, row->row, TE_NID, "帳號 %.*s 已經有人使用，不是"
                      "本校教職員的帳號", PF_S(res[i].id));

        } else if (sis_rename_check(im, row, res[i].id, user,
                                    row->v[TE_NAME])
                   != PF_OK)
        {
            return PF_ERROR;
        }
    }

    return PF_OK;
}


static int
sis_teachers_apply(sis_import_t *im)
{
    size_t       i;
    pf_str_t     a1;
    sis_res_t   *res;
    sis_acct_t   a;

    res = im->aux;

    for (i = 0; i < im->nrows; i++) {
        a1 = pf_host->account_name(im->req, im->school,
                                   im->rows[i].v[TE_NID], pf_string(""));

        /* an A1 name given to another account: it says who no longer */
        if (!pf_same(a1, res[i].id)
            && sis_db_put(im, "sis_a1", pf_key(im->req, 2, a1, res[i].id),
                          pf_string("{}"))
               != PF_OK)
        {
            return PF_ERROR;
        }

        memset(&a, 0, sizeof(sis_acct_t));
        a.role = PF_ROLE_TEACHER;
        a.name = im->rows[i].v[TE_NAME];
        a.seat = -1;
        a.nid = im->rows[i].v[TE_NID];

        if (sis_account(im, res[i].id, &a) != PF_OK) {
            return PF_ERROR;
        }
    }

    /* the teachers' records are their accounts */
    im->records.added = im->created;
    im->records.changed = im->updated;
    im->records.unchanged = im->nrows - im->created - im->updated;

    return PF_OK;
}


const sis_kind_t  sis_kind_teachers = {
    .name = "teachers",
    .fields = sis_teachers_fields,
    .zh = sis_teachers_zh,
    .required = SIS_BIT(TE_NID)|SIS_BIT(TE_NAME),
    .optional = SIS_BIT(TE_ACCOUNT),
    .check = sis_teachers_check,
    .apply = sis_teachers_apply,
};
