/*
 * sis_kind_courses.c -- the imports of a term's classes, courses and
 * enrollments (SPEC S1, P2): sis_classes, sis_courses, sis_enrollments
 * and sis_rosters, the homeroom and course_teacher roles, and the
 * homeroom and course relations they give.
 */

#include <string.h>

#include "sis.h"


#define SIS_KINDS  "一般、補修、重修、重讀、轉學轉科、借讀、進修部（或 " \
                   "normal、make_up、retake、repeat、transfer、visiting、" \
                   "night）"


/* classes: class, name, grade, homeroom */

enum { CL_CLASS, CL_NAME, CL_GRADE, CL_HOMEROOM };

static const char *const  sis_classes_fields[] = {
    "class", "name", "grade", "homeroom", NULL
};

static const char *const  sis_classes_zh[] = {
    "班級代碼|班級|班級代號", "班級名稱", "年級", "導師|導師帳號", NULL
};


static int
sis_classes_check(sis_import_t *im)
{
    size_t      i, first;
    int64_t     grade;
    pf_map_t    seen;
    sis_row_t  *row;
    sis_res_t  *res;

    res = sis_check_start(im, &seen, 0);

    if (res == NULL) {
        return PF_ERROR;
    }

    for (i = 0; i < im->nrows; i++) {
        row = &im->rows[i];
        res[i].n[0] = -1;

        if (sis_given(row, CL_CLASS)) {
            if (!sis_class_ok(row->v[CL_CLASS])) {
                sis_bad(im, row, CL_CLASS, "「%.*s」不是班級代碼（只能有"
                        "英文字母、數字和 _ . -）", row->v[CL_CLASS]);

            } else if ((first = sis_dup(im, &seen, row->v[CL_CLASS], row))) {
                row->bad |= SIS_BIT(CL_CLASS);
                sis_error(im, row->row, CL_CLASS, "%.*s 班也在第 %zu 列",
                          PF_S(row->v[CL_CLASS]), first);
            }
        }

        if (sis_given(row, CL_GRADE)) {
            if (sis_uint(row->v[CL_GRADE], 12, &grade) != PF_OK
                || grade == 0)
            {
                sis_bad(im, row, CL_GRADE, "必須是 1 到 12 的整數，檔案中是"
                        "「%.*s」", row->v[CL_GRADE]);

            } else {
                res[i].n[0] = grade;
            }
        }

        if (sis_given(row, CL_HOMEROOM)) {
            (void) sis_teacher_ref(im, row, CL_HOMEROOM, row->v[CL_HOMEROOM],
                                   &res[i].ref);
        }
    }

    return PF_OK;
}


static int
sis_classes_apply(sis_import_t *im)
{
    size_t      i;
    sis_buf_t   b;
    sis_row_t  *row;
    sis_res_t  *res;

    res = im->aux;

    if (sis_track(im, "sis_classes", im->prefix) != PF_OK
        || sis_clear(im, "sis_classes") != PF_OK)
    {
        return PF_ERROR;
    }

    im->cleared = 1;

    for (i = 0; i < im->nrows; i++) {
        row = &im->rows[i];

        sis_term_record(im, &b, 256, "class", row->v[CL_CLASS]);
        sis_buf_key(&b, "name");
        sis_buf_str(&b, row->v[CL_NAME].len ? row->v[CL_NAME]
                                            : row->v[CL_CLASS]);
        sis_buf_key(&b, "grade");

        if (res[i].n[0] > 0) {
            sis_buf_int(&b, res[i].n[0]);

        } else {
            sis_buf_null(&b);
        }

        sis_buf_opt(&b, "homeroom", res[i].ref);
        sis_buf_close(&b, '}');

        if (sis_put(im, "sis_classes",
                    pf_key(im->req, 3, im->school, im->term,
                           row->v[CL_CLASS]),
                    &b)
            != PF_OK)
        {
            return PF_ERROR;
        }

        if (res[i].ref.len
            && sis_add_role(im, res[i].ref, PF_ROLE_HOMEROOM) != PF_OK)
        {
            return PF_ERROR;
        }
    }

    return sis_rebuild_homeroom(im);
}


const sis_kind_t  sis_kind_classes = {
    .name = "classes",
    .fields = sis_classes_fields,
    .zh = sis_classes_zh,
    .required = SIS_BIT(CL_CLASS),
    .check = sis_classes_check,
    .apply = sis_classes_apply,
};


/* courses: code, name, subject, credits, teacher, co_teachers, kind */

enum { CO_CODE, CO_NAME, CO_SUBJECT, CO_CREDITS, CO_TEACHER, CO_CO,
       CO_KIND };

static const char *const  sis_courses_fields[] = {
    "code", "name", "subject", "credits", "teacher", "co_teachers", "kind",
    NULL
};

static const char *const  sis_courses_zh[] = {
    "課程代碼", "課程名稱|科目名稱", "科目|所屬科目", "學分數|學分",
    "授課教師|授課教師帳號", "協同教師|協同教學教師", "修課別|課程類別",
    NULL
};


/* Co-teachers: ";" (or ",") between them in CSV; each once, not the
   teacher. */

static int
sis_co_teachers(sis_import_t *im, sis_row_t *row, sis_res_t *res)
{
    pf_str_t     list, one, id;
    pf_list_t    co;
    const char  *p, *last, *start;

    list = row->v[CO_CO];
    pf_list_init(&co, im->req);
    p = list.data;
    last = list.data + list.len;

    while (p < last) {
        start = p;

        while (p < last && *p != ';' && *p != ',') {
            p++;
        }

        one = sis_trim((pf_str_t) { (size_t) (p - start), start });

        if (p < last) {
            p++;
        }

        if (one.len == 0
            || !sis_teacher_ref(im, row, CO_CO, one, &id)
            || pf_same(id, res->ref))
        {
            continue;
        }

        if (pf_list_add_new(&co, id) == PF_ERROR) {
            return PF_ERROR;
        }
    }

    res->co = co.items;
    res->nco = co.n;

    return PF_OK;
}


static int
sis_courses_check(sis_import_t *im)
{
    size_t       i, first;
    int64_t      credits;
    pf_map_t     seen;
    sis_row_t   *row;
    sis_res_t   *res;
    const char  *kind;

    res = sis_check_start(im, &seen, 0);

    if (res == NULL) {
        return PF_ERROR;
    }

    for (i = 0; i < im->nrows; i++) {
        row = &im->rows[i];

        if (sis_given(row, CO_CODE)) {
            if (!pf_valid_id(row->v[CO_CODE])) {
                sis_bad(im, row, CO_CODE, "「%.*s」不是課程代碼（只能有"
                        "英文字母、數字和 _ . -）", row->v[CO_CODE]);

            } else if ((first = sis_dup(im, &seen, row->v[CO_CODE], row))) {
                row->bad |= SIS_BIT(CO_CODE);
                sis_error(im, row->row, CO_CODE, "課程代碼 %.*s 也在第 %zu 列",
                          PF_S(row->v[CO_CODE]), first);
            }
        }

        if (sis_given(row, CO_CREDITS)) {
            if (sis_uint(row->v[CO_CREDITS], 30, &credits) != PF_OK) {
                sis_bad(im, row, CO_CREDITS, "必須是 0 到 30 的整數，檔案中是"
                        "「%.*s」", row->v[CO_CREDITS]);

            } else {
                res[i].n[0] = credits;
            }
        }

        if (sis_given(row, CO_TEACHER)) {
            (void) sis_teacher_ref(im, row, CO_TEACHER, row->v[CO_TEACHER],
                                   &res[i].ref);
        }

        if (sis_given(row, CO_CO)
            && sis_co_teachers(im, row, &res[i]) != PF_OK)
        {
            return PF_ERROR;
        }

        kind = "normal";

        if (sis_given(row, CO_KIND)) {
            kind = sis_kind_ok(row->v[CO_KIND]);

            if (kind == NULL) {
                sis_bad(im, row, CO_KIND, "「%.*s」不是修課別，修課別是"
                        SIS_KINDS, row->v[CO_KIND]);
            }
        }

        res[i].a = kind ? pf_cstr(kind) : pf_string("");
    }

    return PF_OK;
}


/* The reviewer (AD1) stays while they teach the course. */

static int
sis_teaches(sis_res_t *res, pf_str_t who)
{
    size_t  k;

    if (pf_same(who, res->ref)) {
        return 1;
    }

    for (k = 0; k < res->nco; k++) {
        if (pf_same(who, res->co[k])) {
            return 1;
        }
    }

    return 0;
}


static int
sis_courses_apply(sis_import_t *im)
{
    size_t           i, k, j, n;
    pf_str_t         *keys, *vals, *old, name;
    sis_buf_t        b;
    pf_map_t         before;
    sis_row_t       *row;
    sis_res_t       *res;
    const pf_val_t  *rec;

    static const char *const  own[] = {
        "school", "term", "code", "name", "subject", "credits", "teacher",
        "co_teachers", "kind", NULL
    };

    res = im->aux;

    if (sis_track(im, "sis_courses", im->prefix) != PF_OK) {
        return PF_ERROR;
    }

    /* what other plugins added to a course (the reviewer, AD1) stays */
    if (pf_collect(im->req, "sis_courses", im->prefix, &keys, &vals, &n)
        != PF_OK
        || pf_map_init(&before, im->req, n) != PF_OK)
    {
        return PF_ERROR;
    }

    for (i = 0; i < n; i++) {
        if (pf_map_put(&before, (pf_str_t) { keys[i].len - im->prefix.len,
                                             keys[i].data + im->prefix.len },
                       &vals[i])
            != PF_OK
            || sis_db_del(im, "sis_courses", keys[i], &vals[i]) != PF_OK)
        {
            return PF_ERROR;
        }
    }

    im->cleared = 1;

    for (i = 0; i < im->nrows; i++) {
        row = &im->rows[i];

        sis_term_record(im, &b, 512, "code", row->v[CO_CODE]);
        sis_buf_key(&b, "name");
        sis_buf_str(&b, row->v[CO_NAME]);
        sis_buf_key(&b, "subject");
        sis_buf_str(&b, row->v[CO_SUBJECT]);
        sis_buf_key(&b, "credits");
        sis_buf_int(&b, res[i].n[0]);
        sis_buf_key(&b, "teacher");
        sis_buf_str(&b, res[i].ref);
        sis_buf_key(&b, "co_teachers");
        sis_buf_open(&b, '[');

        for (k = 0; k < res[i].nco; k++) {
            sis_buf_str(&b, res[i].co[k]);
        }

        sis_buf_close(&b, ']');
        sis_buf_key(&b, "kind");
        sis_buf_str(&b, res[i].a);

        old = pf_map_get(&before, row->v[CO_CODE], NULL);
        rec = old ? pf_host->parse(im->req, *old) : NULL;

        for (k = 0; k < pf_host->count(rec); k++) {
            name = pf_host->key_at(rec, k);

            for (j = 0; own[j] && !pf_eq(name, own[j]); j++) {
                /* the import's own fields are replaced */
            }

            if (own[j]
                || (pf_eq(name, "reviewer")
                    && !sis_teaches(&res[i],
                                    pf_host->str(pf_host->at(rec, k)))))
            {
                continue;
            }

            sis_buf_jkey(&b, name);
            sis_buf_value(&b, pf_host->at(rec, k));
        }

        sis_buf_close(&b, '}');

        if (sis_put(im, "sis_courses",
                    pf_key(im->req, 3, im->school, im->term, row->v[CO_CODE]),
                    &b)
            != PF_OK
            || sis_add_role(im, res[i].ref, PF_ROLE_COURSE_TEACHER) != PF_OK)
        {
            return PF_ERROR;
        }

        for (k = 0; k < res[i].nco; k++) {
            if (sis_add_role(im, res[i].co[k], PF_ROLE_COURSE_TEACHER)
                != PF_OK)
            {
                return PF_ERROR;
            }
        }
    }

    return sis_rebuild_course(im);
}


const sis_kind_t  sis_kind_courses = {
    .name = "courses",
    .fields = sis_courses_fields,
    .zh = sis_courses_zh,
    .required = SIS_BIT(CO_CODE)|SIS_BIT(CO_NAME)|SIS_BIT(CO_SUBJECT)
                |SIS_BIT(CO_CREDITS)|SIS_BIT(CO_TEACHER),
    .check = sis_courses_check,
    .apply = sis_courses_apply,
};


/* enrollments: student_number, code, grade, kind */

enum { EN_NUMBER, EN_CODE, EN_GRADE, EN_KIND };

static const char *const  sis_enrollments_fields[] = {
    "student_number", "code", "grade", "kind", NULL
};

static const char *const  sis_enrollments_zh[] = {
    "學號", "課程代碼", "成績|學期成績", "修課別", NULL
};


static int
sis_enrollments_check(sis_import_t *im)
{
    size_t         i, first;
    pf_str_t       id, pair;
    pf_map_t       seen;
    sis_row_t     *row;
    sis_res_t     *res;
    const char    *kind;
    sis_course_t  *c;

    res = sis_check_start(im, &seen, SIS_NEED_STUDENTS|SIS_NEED_COURSES);

    if (res == NULL) {
        return PF_ERROR;
    }

    for (i = 0; i < im->nrows; i++) {
        row = &im->rows[i];
        c = NULL;

        if (sis_student_ref(im, row, EN_NUMBER, &id)) {
            res[i].id = id;
        }

        if (sis_given(row, EN_CODE)) {
            c = pf_map_get(&im->courses, row->v[EN_CODE], NULL);

            if (c == NULL) {
                sis_bad(im, row, EN_CODE, "本學期沒有課程 %.*s（請先匯入"
                        "課程）", row->v[EN_CODE]);
            }
        }

        if (res[i].id.len && c != NULL) {
            pair = pf_key(im->req, 2, res[i].id, c->code);

            if ((first = sis_dup(im, &seen, pair, row))) {
                sis_error(im, row->row, EN_CODE, "學號 %.*s 修 %.*s 已在第 "
                          "%zu 列", PF_S(row->v[EN_NUMBER]), PF_S(c->code),
                          first);
            }
        }

        res[i].a = (pf_str_t) { 0, NULL };

        if (sis_given(row, EN_GRADE)
            && sis_grade(im->req, row->v[EN_GRADE], &res[i].a) != PF_OK)
        {
            sis_bad(im, row, EN_GRADE, "必須是 0 到 100 的數字（最多兩位"
                    "小數）或空白，檔案中是「%.*s」", row->v[EN_GRADE]);
        }

        kind = NULL;

        if (sis_given(row, EN_KIND)) {
            kind = sis_kind_ok(row->v[EN_KIND]);

            if (kind == NULL) {
                sis_bad(im, row, EN_KIND, "「%.*s」不是修課別，修課別是"
                        SIS_KINDS, row->v[EN_KIND]);
            }
        }

        if (kind) {
            res[i].b = pf_cstr(kind);

        } else if (c != NULL && c->kind.len) {
            res[i].b = c->kind;

        } else {
            res[i].b = pf_string("normal");
        }
    }

    return PF_OK;
}


/*
 * The enrollments, the rosters that list them, and the course relations
 * from the rows (they are what sis_rosters now holds for the term).
 */

static int
sis_enrollments_apply(sis_import_t *im)
{
    size_t       i, n;
    pf_str_t     *keys, code, student;
    sis_buf_t    b;
    sis_row_t   *row;
    sis_res_t   *res;

    res = im->aux;

    if (sis_track(im, "sis_enrollments", pf_string("")) != PF_OK) {
        return PF_ERROR;
    }

    /* the rosters list the term's enrollments: remove both */
    if (pf_collect(im->req, "sis_rosters", im->prefix, &keys, NULL, &n)
        != PF_OK)
    {
        return PF_ERROR;
    }

    for (i = 0; i < n; i++) {
        if (sis_roster_key(im, keys[i], &code, &student)) {
            if (sis_db_del(im, "sis_enrollments",
                           pf_key(im->req, 3, student, im->term, code), NULL)
                != PF_OK)
            {
                return PF_ERROR;
            }
        }

        if (sis_db_del(im, "sis_rosters", keys[i], NULL) != PF_OK) {
            return PF_ERROR;
        }
    }

    /* the rosters list every stored enrollment of the term */
    im->cleared = 1;

    if (sis_rel_start(im, PF_REL_COURSE) != PF_OK) {
        return PF_ERROR;
    }

    for (i = 0; i < im->nrows; i++) {
        row = &im->rows[i];

        sis_buf_init(&b, im->req, 192);
        sis_buf_open(&b, '{');
        sis_buf_key(&b, "student");
        sis_buf_str(&b, res[i].id);
        sis_buf_key(&b, "term");
        sis_buf_str(&b, im->term);
        sis_buf_key(&b, "code");
        sis_buf_str(&b, row->v[EN_CODE]);
        sis_buf_key(&b, "grade");

        if (res[i].a.len) {
            sis_buf_rawval(&b, res[i].a);

        } else {
            sis_buf_null(&b);
        }

        sis_buf_key(&b, "kind");
        sis_buf_str(&b, res[i].b);
        sis_buf_close(&b, '}');

        if (sis_put(im, "sis_enrollments",
                    pf_key(im->req, 3, res[i].id, im->term, row->v[EN_CODE]),
                    &b)
            != PF_OK
            || sis_db_put(im, "sis_rosters",
                          pf_key(im->req, 4, im->school, im->term,
                                 row->v[EN_CODE], res[i].id),
                          pf_string("{}"))
               != PF_OK
            || sis_course_add(im, row->v[EN_CODE], res[i].id) != PF_OK)
        {
            return PF_ERROR;
        }
    }

    return PF_OK;
}


const sis_kind_t  sis_kind_enrollments = {
    .name = "enrollments",
    .fields = sis_enrollments_fields,
    .zh = sis_enrollments_zh,
    .required = SIS_BIT(EN_NUMBER)|SIS_BIT(EN_CODE),
    .optional = SIS_BIT(EN_KIND),
    .check = sis_enrollments_check,
    .apply = sis_enrollments_apply,
};
