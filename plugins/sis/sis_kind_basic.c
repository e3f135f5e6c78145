/*
 * sis_kind_basic.c -- the imports of a student's basic data for a term
 * (SPEC P1: cadre posts, attendance, rewards and punishments, kept in
 * sis_basic) and of the term's counselors (the counselor role and
 * relations).
 *
 * sis_basic holds three parts per student and term; an import of one
 * kind replaces that part for every student of the school in the term
 * and leaves the other parts alone.  Its records are the students' parts
 * of that kind: a part a student had and the file leaves out is removed.
 */

#include <string.h>

#include "sis.h"


#define SIS_DATES  "必須是日期，寫成 2024-08-30、2024/8/30 或民國 " \
                   "113/08/30，檔案中是「%.*s」"


/* one student's new part of sis_basic */
typedef struct {
    sis_buf_t       buf;
    unsigned        closed:1;
    unsigned        done:1;
} sis_part_t;


/*
 * The student of a sis_basic key is this school's: the domain and digits
 * (a prefix scan finds more: "hs1" finds hs12's "hs120001", which is also
 * hs1's number 20001), and one of the term's students or, dropped from
 * the term since, an account of the school.
 */

static int
sis_basic_ours(sis_import_t *im, pf_str_t id)
{
    const pf_val_t  *user;

    if (!sis_is_digits((pf_str_t) { id.len - im->school.len,
                                    id.data + im->school.len }, 1, 20))
    {
        return 0;
    }

    if (pf_map_get(&im->students, id, NULL) != NULL) {
        return 1;
    }

    user = sis_account_get(im, id);

    return user != NULL && pf_same(pf_field(user, "school"), im->school);
}


/* One stored sis_basic record with the part replaced (or removed). */

static int
sis_basic_rewrite(sis_import_t *im, const char *part, pf_str_t key,
    pf_str_t value, pf_str_t newpart)
{
    size_t           k, j, written;
    pf_str_t         name;
    sis_buf_t        b;
    const pf_val_t  *rec, *v;

    static const char *const  order[] = {
        "attendance", "rewards", "cadres", NULL
    };

    rec = pf_host->parse(im->req, value);
    v = pf_host->get(rec, part);

    /* counted by the part's text, as this plugin writes it */
    if (v == NULL) {
        if (newpart.len) {
            im->records.added++;
        }

    } else if (newpart.len == 0) {
        im->records.removed++;

    } else {
        sis_buf_init(&b, im->req, newpart.len + 16);
        sis_buf_value(&b, v);

        if (pf_same(sis_buf_text(&b), newpart)) {
            im->records.unchanged++;

        } else {
            im->records.changed++;
        }
    }

    sis_buf_init(&b, im->req, value.len + newpart.len + 64);
    sis_buf_open(&b, '{');
    written = 0;

    for (k = 0; order[k]; k++) {
        if (strcmp(order[k], part) == 0) {
            if (newpart.len) {
                sis_buf_key(&b, part);
                sis_buf_rawval(&b, newpart);
                written++;
            }

            continue;
        }

        v = pf_host->get(rec, order[k]);

        if (v != NULL) {
            sis_buf_key(&b, order[k]);
            sis_buf_value(&b, v);
            written++;
        }
    }

    for (k = 0; k < pf_host->count(rec); k++) {
        name = pf_host->key_at(rec, k);

        for (j = 0; order[j] && !pf_eq(name, order[j]); j++) {
            /* only what is not one of the parts */
        }

        if (order[j] == NULL) {
            sis_buf_jkey(&b, name);
            sis_buf_value(&b, pf_host->at(rec, k));
            written++;
        }
    }

    sis_buf_close(&b, '}');

    if (written == 0) {
        return sis_db_del(im, "sis_basic", key, &value);
    }

    if (!pf_same(sis_buf_text(&b), value)) {
        return sis_put(im, "sis_basic", key, &b);
    }

    return PF_OK;
}


static int
sis_basic_replace(sis_import_t *im, const char *part, pf_map_t *parts)
{
    size_t        i, n;
    pf_str_t      *keys, *vals, id, term, newpart;
    sis_buf_t     b;
    sis_part_t   *p;
    const char   *sep;

    if (pf_collect(im->req, "sis_basic", im->school, &keys, &vals, &n)
        != PF_OK)
    {
        return PF_ERROR;
    }

    for (i = 0; i < n; i++) {
        sep = memchr(keys[i].data, PF_SEP, keys[i].len);

        if (sep == NULL) {
            continue;
        }

        id = (pf_str_t) { (size_t) (sep - keys[i].data), keys[i].data };
        term = (pf_str_t) { keys[i].len - id.len - 1, sep + 1 };

        if (!pf_same(term, im->term) || !sis_basic_ours(im, id)) {
            continue;
        }

        p = pf_map_get(parts, id, NULL);
        if (p && p->buf.failed) {
            return PF_ERROR;
        }

        newpart = p ? sis_buf_text(&p->buf) : (pf_str_t) { 0, NULL };

        if (p) {
            p->done = 1;
        }

        if (sis_basic_rewrite(im, part, keys[i], vals[i], newpart) != PF_OK) {
            return PF_ERROR;
        }
    }

    /* students who had no record for the term, in the file's order */
    for (i = 0; i < im->nrows; i++) {
        id = ((sis_res_t *) im->aux)[i].id;
        p = pf_map_get(parts, id, NULL);

        if (p == NULL || p->done) {
            continue;
        }

        p->done = 1;

        if (p->buf.failed) {
            return PF_ERROR;
        }

        im->records.added++;
        sis_buf_init(&b, im->req, 256);
        sis_buf_open(&b, '{');
        sis_buf_key(&b, part);
        sis_buf_rawval(&b, sis_buf_text(&p->buf));
        sis_buf_close(&b, '}');

        if (sis_put(im, "sis_basic", pf_key(im->req, 2, id, im->term), &b)
            != PF_OK)
        {
            return PF_ERROR;
        }
    }

    return PF_OK;
}


/* cadres: student_number, unit, post, start, end, level (幹部經歷) */

enum { CA_NUMBER, CA_UNIT, CA_POST, CA_START, CA_END, CA_LEVEL };

static const char *const  sis_cadres_fields[] = {
    "student_number", "unit", "post", "start", "end", "level", NULL
};

static const char *const  sis_cadres_zh[] = {
    "學號", "單位|幹部單位", "職稱|幹部名稱|職務", "開始日期|起始日期",
    "結束日期", "幹部等級|層級", NULL
};


static int
sis_cadres_check(sis_import_t *im)
{
    size_t      i, first;
    pf_str_t    id, key;
    pf_map_t    seen;
    sis_row_t  *row;
    sis_res_t  *res;

    res = sis_check_start(im, &seen, SIS_NEED_STUDENTS);

    if (res == NULL) {
        return PF_ERROR;
    }

    for (i = 0; i < im->nrows; i++) {
        row = &im->rows[i];

        if (sis_student_ref(im, row, CA_NUMBER, &id)) {
            res[i].id = id;
        }

        res[i].a = res[i].b = (pf_str_t) { 0, NULL };

        if (sis_given(row, CA_START)
            && sis_date(im->req, row->v[CA_START], &res[i].a) != PF_OK)
        {
            sis_bad(im, row, CA_START, SIS_DATES, row->v[CA_START]);
        }

        if (sis_given(row, CA_END)
            && sis_date(im->req, row->v[CA_END], &res[i].b) != PF_OK)
        {
            sis_bad(im, row, CA_END, SIS_DATES, row->v[CA_END]);
        }

        /* ISO dates compare as text */
        if (res[i].a.len && res[i].b.len
            && memcmp(res[i].b.data, res[i].a.data, 10) < 0)
        {
            sis_bad(im, row, CA_END, "%.*s 早於開始日期", res[i].b);
        }

        if (res[i].id.len && sis_given(row, CA_UNIT)
            && sis_given(row, CA_POST))
        {
            key = pf_key(im->req, 4, res[i].id, row->v[CA_UNIT],
                         row->v[CA_POST], res[i].a);

            if ((first = sis_dup(im, &seen, key, row))) {
                sis_error(im, row->row, CA_POST, "與第 %zu 列是同一個幹部職務",
                          first);
            }
        }
    }

    return PF_OK;
}


static int
sis_cadres_apply(sis_import_t *im)
{
    size_t       i;
    pf_map_t     parts;
    sis_row_t   *row;
    sis_res_t   *res;
    sis_part_t  *p;

    res = im->aux;

    if (pf_map_init(&parts, im->req, im->nrows) != PF_OK) {
        return PF_ERROR;
    }

    for (i = 0; i < im->nrows; i++) {
        row = &im->rows[i];
        p = pf_map_get(&parts, res[i].id, NULL);

        if (p == NULL) {
            p = pf_host->alloc(im->req, sizeof(sis_part_t));
            if (p == NULL || pf_map_put(&parts, res[i].id, p) != PF_OK) {
                return PF_ERROR;
            }

            p->done = 0;
            p->closed = 0;
            sis_buf_init(&p->buf, im->req, 256);
            sis_buf_open(&p->buf, '[');
        }

        sis_buf_open(&p->buf, '{');
        sis_buf_key(&p->buf, "unit");
        sis_buf_str(&p->buf, row->v[CA_UNIT]);
        sis_buf_key(&p->buf, "post");
        sis_buf_str(&p->buf, row->v[CA_POST]);
        sis_buf_opt(&p->buf, "start", res[i].a);
        sis_buf_opt(&p->buf, "end", res[i].b);
        sis_buf_opt(&p->buf, "level", row->v[CA_LEVEL]);
        sis_buf_close(&p->buf, '}');
    }

    for (i = 0; i < im->nrows; i++) {
        p = pf_map_get(&parts, res[i].id, NULL);

        if (!p->closed) {
            sis_buf_close(&p->buf, ']');
            p->closed = 1;
        }
    }

    return sis_basic_replace(im, "cadres", &parts);
}


const sis_kind_t  sis_kind_cadres = {
    .name = "cadres",
    .fields = sis_cadres_fields,
    .zh = sis_cadres_zh,
    .required = SIS_BIT(CA_NUMBER)|SIS_BIT(CA_UNIT)|SIS_BIT(CA_POST),
    .check = sis_cadres_check,
    .apply = sis_cadres_apply,
};


/* attendance and rewards: student_number and six counts */

/* 遲到 曠課 病假 公假 事假 喪假 */
static const char *const  sis_attendance_fields[] = {
    "student_number", "late", "absent", "sick", "official", "personal",
    "bereavement", NULL
};

/* 嘉獎 小功 大功 警告 小過 大過 */
static const char *const  sis_rewards_fields[] = {
    "student_number", "commendation", "minor_merit", "major_merit",
    "warning", "minor_demerit", "major_demerit", NULL
};

static const char *const  sis_attendance_zh[] = {
    "學號", "遲到", "曠課", "病假", "公假", "事假", "喪假", NULL
};

static const char *const  sis_rewards_zh[] = {
    "學號", "嘉獎", "小功", "大功", "警告", "小過", "大過", NULL
};


static int
sis_counts_check(sis_import_t *im)
{
    size_t      i, f, first;
    int64_t     max, n;
    pf_str_t    id;
    pf_map_t    seen;
    sis_row_t  *row;
    sis_res_t  *res;

    res = sis_check_start(im, &seen, SIS_NEED_STUDENTS);
    max = im->kind == &sis_kind_attendance ? 9999 : 999;

    if (res == NULL) {
        return PF_ERROR;
    }

    for (i = 0; i < im->nrows; i++) {
        row = &im->rows[i];

        if (sis_student_ref(im, row, 0, &id)) {
            res[i].id = id;

            if ((first = sis_dup(im, &seen, id, row))) {
                sis_error(im, row->row, 0, "學號 %.*s 也在第 %zu 列",
                          PF_S(row->v[0]), first);
            }
        }

        for (f = 1; f <= 6; f++) {
            res[i].n[f - 1] = 0;

            if (!sis_given(row, f)) {
                continue;
            }

            if (sis_uint(row->v[f], max, &n) != PF_OK) {
                sis_bad(im, row, f, max == 999
                        ? "必須是 0 到 999 的整數，檔案中是「%.*s」"
                        : "必須是 0 到 9999 的整數，檔案中是「%.*s」",
                        row->v[f]);
                continue;
            }

            res[i].n[f - 1] = n;
        }
    }

    return PF_OK;
}


static int
sis_counts_apply(sis_import_t *im)
{
    size_t       i, f;
    pf_map_t     parts;
    sis_res_t   *res;
    sis_part_t  *p;

    res = im->aux;

    if (pf_map_init(&parts, im->req, im->nrows) != PF_OK) {
        return PF_ERROR;
    }

    for (i = 0; i < im->nrows; i++) {
        p = pf_host->alloc(im->req, sizeof(sis_part_t));
        if (p == NULL || pf_map_put(&parts, res[i].id, p) != PF_OK) {
            return PF_ERROR;
        }

        p->done = 0;
        p->closed = 1;
        sis_buf_init(&p->buf, im->req, 160);
        sis_buf_open(&p->buf, '{');

        for (f = 1; f <= 6; f++) {
            sis_buf_key(&p->buf, im->kind->fields[f]);
            sis_buf_int(&p->buf, res[i].n[f - 1]);
        }

        sis_buf_close(&p->buf, '}');
    }

    return sis_basic_replace(im, im->kind->name, &parts);
}


const sis_kind_t  sis_kind_attendance = {
    .name = "attendance",
    .fields = sis_attendance_fields,
    .zh = sis_attendance_zh,
    .required = SIS_BIT(0),
    .check = sis_counts_check,
    .apply = sis_counts_apply,
};

const sis_kind_t  sis_kind_rewards = {
    .name = "rewards",
    .fields = sis_rewards_fields,
    .zh = sis_rewards_zh,
    .required = SIS_BIT(0),
    .check = sis_counts_check,
    .apply = sis_counts_apply,
};


/* counselors: teacher, student_number (輔導教師) */

enum { CN_TEACHER, CN_NUMBER };

static const char *const  sis_counselors_fields[] = {
    "teacher", "student_number", NULL
};

static const char *const  sis_counselors_zh[] = {
    "輔導教師|輔導教師帳號", "學號", NULL
};


static int
sis_counselors_check(sis_import_t *im)
{
    size_t      i, first;
    pf_str_t    id, pair;
    pf_map_t    seen;
    sis_row_t  *row;
    sis_res_t  *res;

    res = sis_check_start(im, &seen, SIS_NEED_STUDENTS);

    if (res == NULL) {
        return PF_ERROR;
    }

    for (i = 0; i < im->nrows; i++) {
        row = &im->rows[i];

        if (sis_given(row, CN_TEACHER)) {
            (void) sis_teacher_ref(im, row, CN_TEACHER, row->v[CN_TEACHER],
                                   &res[i].ref);
        }

        if (sis_student_ref(im, row, CN_NUMBER, &id)) {
            res[i].id = id;
        }

        if (res[i].id.len && res[i].ref.len) {
            pair = pf_key(im->req, 2, res[i].ref, res[i].id);

            if ((first = sis_dup(im, &seen, pair, row))) {
                sis_error(im, row->row, CN_NUMBER, "與第 %zu 列是同一位輔導"
                          "教師和學生", first);
            }
        }
    }

    return PF_OK;
}


static int
sis_counselors_apply(sis_import_t *im)
{
    size_t      i;
    sis_res_t  *res;

    res = im->aux;

    /* the records: the term's counselor relations */
    if (sis_track(im, "sis_relidx",
                  pf_key(im->req, 4, im->school, im->term,
                         pf_string("counselor"), pf_string("")))
        != PF_OK
        || sis_rel_clear(im, PF_REL_COUNSELOR, NULL) != PF_OK)
    {
        return PF_ERROR;
    }

    im->cleared = 1;

    for (i = 0; i < im->nrows; i++) {
        if (sis_rel_add(im, PF_REL_COUNSELOR, res[i].ref, res[i].id) != PF_OK
            || sis_add_role(im, res[i].ref, PF_ROLE_COUNSELOR) != PF_OK)
        {
            return PF_ERROR;
        }
    }

    return PF_OK;
}


const sis_kind_t  sis_kind_counselors = {
    .name = "counselors",
    .fields = sis_counselors_fields,
    .zh = sis_counselors_zh,
    .required = SIS_BIT(CN_TEACHER)|SIS_BIT(CN_NUMBER),
    .check = sis_counselors_check,
    .apply = sis_counselors_apply,
};
