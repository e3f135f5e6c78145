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
 * derived: homeroom relations are rebuilt from the term's classes and
 * students after either is imported, course relations from the term's
 * courses and rosters after either, counselor relations by the counselors
 * import; each such relation is listed in sis_relidx so a rebuild removes
 * exactly what an import wrote.  Nothing students made is touched.
 */

#include <string.h>
#include <stdlib.h>

#include "sis.h"


/* What the checks resolved for a row, for the writes. */

typedef struct {
    pf_str_t        id;          /* the row's student or teacher account */
    pf_str_t        ref;         /* the other account: homeroom, teacher */
    pf_str_t       *co;          /* co-teachers' accounts */
    size_t          nco;
    pf_str_t        a;           /* grade; start date; kind */
    pf_str_t        b;           /* kind; end date */
    int64_t         n[6];        /* counts; seat; credits; grade */
} sis_res_t;

typedef struct {
    pf_str_t        id;
    const char     *err;
} sis_teacher_t;

/* the account fields an import sets */
typedef struct {
    const char     *role;
    pf_str_t        name;        /* empty: keep */
    pf_str_t        klass;       /* students only */
    pf_str_t        number;
    int64_t         seat;        /* -1: keep */
    pf_str_t        nid;         /* a new account's initial password */
} sis_acct_t;

/* one student's new part of sis_basic */
typedef struct {
    sis_buf_t       buf;
    unsigned        closed:1;
    unsigned        done:1;
} sis_part_t;


/* fields, by number, for each kind */

enum { ST_NUMBER, ST_NID, ST_NAME, ST_CLASS, ST_SEAT };
enum { TE_NID, TE_NAME };
enum { CL_CLASS, CL_NAME, CL_GRADE, CL_HOMEROOM };
enum { CO_CODE, CO_NAME, CO_SUBJECT, CO_CREDITS, CO_TEACHER, CO_CO,
       CO_KIND };
enum { EN_NUMBER, EN_CODE, EN_GRADE, EN_KIND };
enum { CA_NUMBER, CA_UNIT, CA_POST, CA_START, CA_END, CA_LEVEL };
enum { CN_TEACHER, CN_NUMBER };

#define SIS_BIT(f)  (1u << (f))

static const char *const  sis_students_fields[] = {
    "student_number", "national_id", "name", "class", "seat", NULL
};

static const char *const  sis_teachers_fields[] = {
    "national_id", "name", NULL
};

static const char *const  sis_classes_fields[] = {
    "class", "name", "grade", "homeroom", NULL
};

static const char *const  sis_courses_fields[] = {
    "code", "name", "subject", "credits", "teacher", "co_teachers", "kind",
    NULL
};

static const char *const  sis_enrollments_fields[] = {
    "student_number", "code", "grade", "kind", NULL
};

static const char *const  sis_cadres_fields[] = {
    "student_number", "unit", "post", "start", "end", "level", NULL
};

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

static const char *const  sis_counselors_fields[] = {
    "teacher", "student_number", NULL
};


static int sis_students_check(sis_import_t *im);
static int sis_students_apply(sis_import_t *im);
static int sis_teachers_check(sis_import_t *im);
static int sis_teachers_apply(sis_import_t *im);
static int sis_classes_check(sis_import_t *im);
static int sis_classes_apply(sis_import_t *im);
static int sis_courses_check(sis_import_t *im);
static int sis_courses_apply(sis_import_t *im);
static int sis_enrollments_check(sis_import_t *im);
static int sis_enrollments_apply(sis_import_t *im);
static int sis_cadres_check(sis_import_t *im);
static int sis_cadres_apply(sis_import_t *im);
static int sis_counts_check(sis_import_t *im);
static int sis_counts_apply(sis_import_t *im);
static int sis_counselors_check(sis_import_t *im);
static int sis_counselors_apply(sis_import_t *im);


static const sis_kind_t  sis_kinds[] = {
    { "students", sis_students_fields,
      SIS_BIT(ST_NUMBER)|SIS_BIT(ST_NID)|SIS_BIT(ST_NAME)|SIS_BIT(ST_CLASS),
      sis_students_check, sis_students_apply },
    { "teachers", sis_teachers_fields,
      SIS_BIT(TE_NID)|SIS_BIT(TE_NAME),
      sis_teachers_check, sis_teachers_apply },
    { "classes", sis_classes_fields,
      SIS_BIT(CL_CLASS),
      sis_classes_check, sis_classes_apply },
    { "courses", sis_courses_fields,
      SIS_BIT(CO_CODE)|SIS_BIT(CO_NAME)|SIS_BIT(CO_SUBJECT)
      |SIS_BIT(CO_CREDITS)|SIS_BIT(CO_TEACHER),
      sis_courses_check, sis_courses_apply },
    { "enrollments", sis_enrollments_fields,
      SIS_BIT(EN_NUMBER)|SIS_BIT(EN_CODE),
      sis_enrollments_check, sis_enrollments_apply },
    { "cadres", sis_cadres_fields,
      SIS_BIT(CA_NUMBER)|SIS_BIT(CA_UNIT)|SIS_BIT(CA_POST),
      sis_cadres_check, sis_cadres_apply },
    { "attendance", sis_attendance_fields,
      SIS_BIT(0),
      sis_counts_check, sis_counts_apply },
    { "rewards", sis_rewards_fields,
      SIS_BIT(0),
      sis_counts_check, sis_counts_apply },
    { "counselors", sis_counselors_fields,
      SIS_BIT(CN_TEACHER)|SIS_BIT(CN_NUMBER),
      sis_counselors_check, sis_counselors_apply },
};

#define SIS_NKINDS  (sizeof(sis_kinds) / sizeof(sis_kinds[0]))


const sis_kind_t *
sis_kind_find(pf_str_t name)
{
    size_t  i;

    for (i = 0; i < SIS_NKINDS; i++) {
        if (sis_eq(name, sis_kinds[i].name)) {
            return &sis_kinds[i];
        }
    }

    return NULL;
}


/* row helpers */

static int
sis_given(sis_row_t *row, size_t f)
{
    return !(row->bad & SIS_BIT(f)) && row->v[f].len > 0;
}


static void
sis_bad(sis_import_t *im, sis_row_t *row, size_t f, const char *fmt,
    pf_str_t value)
{
    row->bad |= SIS_BIT(f);
    sis_error(im, row->row, im->kind->fields[f], fmt, SIS_S(sis_clip(value,
                                                                     64)));
}


static sis_res_t *
sis_res(sis_import_t *im)
{
    sis_res_t  *res;

    res = sis_host->alloc(im->req, (im->nrows + 1) * sizeof(sis_res_t));

    if (res != NULL) {
        memset(res, 0, (im->nrows + 1) * sizeof(sis_res_t));
    }

    im->aux = res;

    return res;
}


/* "this term" in messages */

static pf_str_t
sis_prefix(sis_import_t *im)
{
    return sis_host->sprintf(im->req, "%.*s\x1f%.*s\x1f", SIS_S(im->school),
                             SIS_S(im->term));
}


/* Notes a key; if it was in the file already, says in which row. */

static size_t
sis_dup(sis_import_t *im, sis_map_t *seen, pf_str_t key, sis_row_t *row)
{
    sis_row_t  *first;

    first = sis_map_get(seen, key, NULL);

    if (first != NULL) {
        return first->row;
    }

    (void) sis_map_put(seen, key, row);

    return 0;
}


/* A student of this school imported for this term, by number. */

static int
sis_student_ref(sis_import_t *im, sis_row_t *row, size_t f, pf_str_t *id)
{
    if (!sis_given(row, f)) {
        return 0;
    }

    if (!sis_is_digits(row->v[f], 1, 20)) {
        sis_bad(im, row, f, "must be digits (the student number), not "
                "\"%.*s\"", row->v[f]);
        return 0;
    }

    *id = sis_host->sprintf(im->req, "%.*s%.*s", SIS_S(im->school),
                            SIS_S(row->v[f]));

    if (sis_map_get(&im->students, *id, NULL) == NULL) {
        sis_bad(im, row, f, "no student %.*s was imported for this term "
                "(import the students first)", row->v[f]);
        return 0;
    }

    return 1;
}


/* A reference that looks like a national ID: a letter and 9 digits. */

static int
sis_nid_shaped(pf_str_t ref)
{
    return ref.len == 10 && !sis_is_digits(ref, 1, 10)
           && sis_is_digits((pf_str_t) { 9, ref.data + 1 }, 9, 9);
}


/*
 * A teacher by national ID (the account is the school's domain and its
 * 9 digits, SPEC A1) or by account id: an existing teacher account of
 * this school.
 */

static const char *
sis_teacher_find(sis_import_t *im, pf_str_t ref, pf_str_t *id)
{
    int              rc;
    pf_str_t         value;
    const pf_val_t  *user;

    if (sis_nid_shaped(ref)) {
        rc = sis_nid_check(ref);

        if (rc == SIS_NID_FORMAT) {
            return "is not valid";
        }

        if (rc == SIS_NID_CHECKSUM) {
            return "has a wrong check digit";
        }

        *id = sis_host->sprintf(im->req, "%.*s%.*s", SIS_S(im->school), 9,
                                ref.data + 1);

    } else if (sis_is_id(ref, 64)) {
        *id = ref;

    } else {
        return "is neither a national ID nor an account";
    }

    if (sis_host->db_get(im->req, "users", *id, &value) != PF_OK) {
        return "names no teacher account (import the teachers first)";
    }

    user = sis_host->parse(im->req, value);

    if (!sis_same(sis_host->str(sis_host->get(user, "school")), im->school)
        || !sis_has_role(user, "teacher"))
    {
        return "names no teacher of this school";
    }

    return NULL;
}


static int
sis_teacher_ref(sis_import_t *im, sis_row_t *row, size_t f, pf_str_t ref,
    pf_str_t *id)
{
    sis_teacher_t  *t;

    t = sis_map_get(&im->teachers, ref, NULL);

    if (t == NULL) {
        t = sis_host->alloc(im->req, sizeof(sis_teacher_t));
        if (t == NULL) {
            row->bad |= SIS_BIT(f);
            sis_error(im, row->row, im->kind->fields[f],
                      "could not be checked (out of memory)");
            return 0;
        }

        t->id = (pf_str_t) { 0, NULL };
        t->err = sis_teacher_find(im, ref, &t->id);
        (void) sis_map_put(&im->teachers, ref, t);
    }

    if (t->err) {
        row->bad |= SIS_BIT(f);

        /* national IDs are not echoed back */
        if (sis_nid_shaped(ref)) {
            sis_error(im, row->row, im->kind->fields[f],
                      "the national ID %s", t->err);

        } else {
            sis_error(im, row->row, im->kind->fields[f], "\"%.*s\" %s",
                      SIS_S(sis_clip(ref, 64)), t->err);
        }

        return 0;
    }

    *id = t->id;

    return 1;
}


/* A national ID field: format and checksum. */

static int
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
    sis_error(im, row->row, im->kind->fields[f],
              rc == SIS_NID_FORMAT
              ? "must be a national ID: a letter and 9 digits"
              : "the national ID's check digit is wrong");

    return 0;
}


/* A record built in b; a failed build is never stored. */

static int
sis_put(sis_import_t *im, const char *db, pf_str_t key, sis_buf_t *b)
{
    if (b->failed) {
        return PF_ERROR;
    }

    return sis_host->db_put(im->req, db, key, sis_buf_text(b));
}


/*
 * Accounts (SPEC A1).  A new one gets the initial password (the last 6
 * characters of the national ID, which is not stored) and must change it;
 * an existing one keeps its password, gets the imported name, class and
 * seat, and gains the role.  Unchanged records are not rewritten.
 */

static int
sis_account(sis_import_t *im, pf_str_t id, sis_acct_t *a)
{
    int              rc, changed, have_name, have_class, have_seat,
                     have_number, have_updated, have_by;
    size_t           i, k, n;
    int64_t          seat;
    pf_str_t         value, key, pw;
    sis_buf_t        b;
    const pf_val_t  *user, *roles;

    rc = sis_host->db_get(im->req, "users", id, &value);

    sis_buf_init(&b, im->req, 512);

    if (rc == PF_NOT_FOUND) {
        if (a->nid.len != 10) {
            return PF_ERROR;
        }

        pw = sis_host->initial_password(im->req,
                                        (pf_str_t) { 6, a->nid.data + 4 });
        if (pw.len == 0) {
            sis_host->log(im->req, PF_LOG_ERR,
                          "sis: no initial password could be made");
            return PF_ERROR;
        }

        sis_buf_open(&b, '{');
        sis_buf_key(&b, "id");
        sis_buf_str(&b, id);
        sis_buf_key(&b, "name");
        sis_buf_str(&b, a->name);
        sis_buf_key(&b, "school");
        sis_buf_str(&b, im->school);
        sis_buf_key(&b, "roles");
        sis_buf_open(&b, '[');
        sis_buf_cstr(&b, a->role);
        sis_buf_close(&b, ']');

        if (a->klass.len) {
            sis_buf_key(&b, "class");
            sis_buf_str(&b, a->klass);
        }

        if (a->seat >= 0) {
            sis_buf_key(&b, "seat");
            sis_buf_int(&b, a->seat);
        }

        if (a->number.len) {
            sis_buf_key(&b, "student_number");
            sis_buf_str(&b, a->number);
        }

        sis_buf_key(&b, "pw");
        sis_buf_str(&b, pw);
        sis_buf_key(&b, "must_change");
        sis_buf_rawval(&b, pf_string("true"));
        sis_buf_key(&b, "created");
        sis_buf_int(&b, im->now);
        sis_buf_key(&b, "by");
        sis_buf_str(&b, im->by);
        sis_buf_close(&b, '}');

        if (sis_put(im, "users", id, &b)
            != PF_OK)
        {
            return PF_ERROR;
        }

        im->created++;

        return PF_OK;
    }

    if (rc != PF_OK) {
        return PF_ERROR;
    }

    user = sis_host->parse(im->req, value);
    if (user == NULL) {
        return PF_ERROR;
    }

    changed = !sis_has_role(user, a->role);

    if (a->name.len
        && !sis_same(sis_host->str(sis_host->get(user, "name")), a->name))
    {
        changed = 1;
    }

    if (a->klass.len
        && !sis_same(sis_host->str(sis_host->get(user, "class")), a->klass))
    {
        changed = 1;
    }

    if (a->number.len
        && !sis_same(sis_host->str(sis_host->get(user, "student_number")),
                     a->number))
    {
        changed = 1;
    }

    if (a->seat >= 0
        && (sis_host->integer(sis_host->get(user, "seat"), &seat) != PF_OK
            || seat != a->seat))
    {
        changed = 1;
    }

    if (!changed) {
        return PF_OK;
    }

    /* the same fields in the same order, pw and must_change untouched */
    have_name = have_class = have_seat = have_number = 0;
    have_updated = have_by = 0;
    n = sis_host->count(user);

    sis_buf_open(&b, '{');

    for (i = 0; i < n; i++) {
        key = sis_host->key_at(user, i);

        if (sis_eq(key, "name") && a->name.len) {
            sis_buf_key(&b, "name");
            sis_buf_str(&b, a->name);
            have_name = 1;

        } else if (sis_eq(key, "class") && a->klass.len) {
            sis_buf_key(&b, "class");
            sis_buf_str(&b, a->klass);
            have_class = 1;

        } else if (sis_eq(key, "seat") && a->seat >= 0) {
            sis_buf_key(&b, "seat");
            sis_buf_int(&b, a->seat);
            have_seat = 1;

        } else if (sis_eq(key, "student_number") && a->number.len) {
            sis_buf_key(&b, "student_number");
            sis_buf_str(&b, a->number);
            have_number = 1;

        } else if (sis_eq(key, "roles")) {
            roles = sis_host->at(user, i);
            sis_buf_key(&b, "roles");
            sis_buf_open(&b, '[');

            for (k = 0; k < sis_host->count(roles); k++) {
                sis_buf_value(&b, sis_host->at(roles, k));
            }

            if (!sis_has_role(user, a->role)) {
                sis_buf_cstr(&b, a->role);
            }

            sis_buf_close(&b, ']');

        } else if (sis_eq(key, "updated")) {
            sis_buf_key(&b, "updated");
            sis_buf_int(&b, im->now);
            have_updated = 1;

        } else if (sis_eq(key, "by")) {
            sis_buf_key(&b, "by");
            sis_buf_str(&b, im->by);
            have_by = 1;

        } else {
            sis_buf_jkey(&b, key);
            sis_buf_value(&b, sis_host->at(user, i));
        }
    }

    if (!have_name && a->name.len) {
        sis_buf_key(&b, "name");
        sis_buf_str(&b, a->name);
    }

    if (!have_class && a->klass.len) {
        sis_buf_key(&b, "class");
        sis_buf_str(&b, a->klass);
    }

    if (!have_seat && a->seat >= 0) {
        sis_buf_key(&b, "seat");
        sis_buf_int(&b, a->seat);
    }

    if (!have_number && a->number.len) {
        sis_buf_key(&b, "student_number");
        sis_buf_str(&b, a->number);
    }

    if (!have_updated) {
        sis_buf_key(&b, "updated");
        sis_buf_int(&b, im->now);
    }

    if (!have_by) {
        sis_buf_key(&b, "by");
        sis_buf_str(&b, im->by);
    }

    sis_buf_close(&b, '}');

    if (sis_put(im, "users", id, &b) != PF_OK) {
        return PF_ERROR;
    }

    im->updated++;

    return PF_OK;
}


static int
sis_add_role(sis_import_t *im, pf_str_t id, const char *role)
{
    sis_acct_t  a;

    memset(&a, 0, sizeof(sis_acct_t));
    a.role = role;
    a.seat = -1;

    return sis_account(im, id, &a);
}


/* Relations an import writes, with their index entries. */

static int
sis_rel_clear(sis_import_t *im, const char *kind)
{
    size_t       i, n;
    pf_str_t     prefix, *keys, rest, rel;
    const char  *sep;

    prefix = sis_host->sprintf(im->req, "%.*s\x1f%.*s\x1f%s\x1f",
                               SIS_S(im->school), SIS_S(im->term), kind);

    if (sis_collect(im->req, "sis_relidx", prefix, &keys, NULL, &n)
        != PF_OK)
    {
        return PF_ERROR;
    }

    for (i = 0; i < n; i++) {
        rest.data = keys[i].data + prefix.len;
        rest.len = keys[i].len - prefix.len;
        sep = memchr(rest.data, 0x1f, rest.len);

        if (sep != NULL) {
            /* viewer␟student -> viewer␟student␟term␟kind */
            rel = sis_host->sprintf(im->req, "%.*s\x1f%.*s\x1f%s", SIS_S(rest),
                                    SIS_S(im->term), kind);

            if (sis_host->db_del(im->req, "relations", rel) == PF_ERROR) {
                return PF_ERROR;
            }
        }

        if (sis_host->db_del(im->req, "sis_relidx", keys[i]) == PF_ERROR) {
            return PF_ERROR;
        }
    }

    return PF_OK;
}


static int
sis_rel_add(sis_import_t *im, const char *kind, pf_str_t viewer,
    pf_str_t student)
{
    pf_str_t  rel, idx;

    if (viewer.len == 0 || sis_same(viewer, student)) {
        return PF_OK;
    }

    rel = sis_host->sprintf(im->req, "%.*s\x1f%.*s\x1f%.*s\x1f%s",
                            SIS_S(viewer), SIS_S(student), SIS_S(im->term),
                            kind);
    idx = sis_host->sprintf(im->req, "%.*s\x1f%.*s\x1f%s\x1f%.*s\x1f%.*s",
                            SIS_S(im->school), SIS_S(im->term), kind,
                            SIS_S(viewer), SIS_S(student));

    if (sis_host->db_put(im->req, "relations", rel, pf_string("{}")) != PF_OK
        || sis_host->db_put(im->req, "sis_relidx", idx, pf_string("{}"))
           != PF_OK)
    {
        return PF_ERROR;
    }

    return PF_OK;
}


/* Homeroom: each of the term's students to the homeroom of the class. */

static int
sis_rebuild_homeroom(sis_import_t *im)
{
    size_t           i, n;
    pf_str_t         prefix, *keys, *vals, *homeroom, student;
    const pf_val_t  *rec;

    if (sis_rel_clear(im, "homeroom") != PF_OK
        || sis_load_classes(im) != PF_OK)
    {
        return PF_ERROR;
    }

    prefix = sis_prefix(im);

    if (sis_collect(im->req, "sis_students", prefix, &keys, &vals, &n)
        != PF_OK)
    {
        return PF_ERROR;
    }

    for (i = 0; i < n; i++) {
        rec = sis_host->parse(im->req, vals[i]);
        homeroom = sis_map_get(&im->classes,
                               sis_host->str(sis_host->get(rec, "class")),
                               NULL);

        if (homeroom == NULL || homeroom->len == 0) {
            continue;
        }

        student = (pf_str_t) { keys[i].len - prefix.len,
                               keys[i].data + prefix.len };

        if (sis_rel_add(im, "homeroom", *homeroom, student) != PF_OK) {
            return PF_ERROR;
        }
    }

    return PF_OK;
}


/* Course: each roster's students to the course's teacher and co-teachers. */

static int
sis_rebuild_course(sis_import_t *im)
{
    size_t         i, k, n;
    pf_str_t       prefix, *keys, rest, code, student;
    sis_map_t      courses;
    const char    *sep;
    sis_course_t  *c;

    if (sis_rel_clear(im, "course") != PF_OK
        || sis_load_course_map(im->req, im->school, im->term, &courses)
           != PF_OK)
    {
        return PF_ERROR;
    }

    prefix = sis_prefix(im);

    if (sis_collect(im->req, "sis_rosters", prefix, &keys, NULL, &n)
        != PF_OK)
    {
        return PF_ERROR;
    }

    for (i = 0; i < n; i++) {
        rest = (pf_str_t) { keys[i].len - prefix.len,
                            keys[i].data + prefix.len };
        sep = memchr(rest.data, 0x1f, rest.len);

        if (sep == NULL) {
            continue;
        }

        code = (pf_str_t) { (size_t) (sep - rest.data), rest.data };
        student = (pf_str_t) { rest.len - code.len - 1, sep + 1 };

        c = sis_map_get(&courses, code, NULL);

        if (c == NULL) {
            continue;       /* a course dropped by a courses re-import */
        }

        if (sis_rel_add(im, "course", c->teacher, student) != PF_OK) {
            return PF_ERROR;
        }

        for (k = 0; k < c->nco; k++) {
            if (sis_rel_add(im, "course", c->co[k], student) != PF_OK) {
                return PF_ERROR;
            }
        }
    }

    return PF_OK;
}


/* Deletes every key under the term's prefix in db. */

static int
sis_clear(sis_import_t *im, const char *db)
{
    size_t     i, n;
    pf_str_t  *keys;

    if (sis_collect(im->req, db, sis_prefix(im), &keys, NULL, &n) != PF_OK) {
        return PF_ERROR;
    }

    for (i = 0; i < n; i++) {
        if (sis_host->db_del(im->req, db, keys[i]) == PF_ERROR) {
            return PF_ERROR;
        }
    }

    return PF_OK;
}


/* students: student_number, national_id, name, class, seat */

static int
sis_students_check(sis_import_t *im)
{
    size_t           i, first;
    int64_t          seat;
    pf_str_t         id, value;
    sis_map_t        numbers, nids;
    sis_row_t       *row;
    sis_res_t       *res;
    const pf_val_t  *user;

    res = sis_res(im);

    if (res == NULL
        || sis_load_classes(im) != PF_OK
        || sis_map_init(&numbers, im->req, im->nrows) != PF_OK
        || sis_map_init(&nids, im->req, im->nrows) != PF_OK)
    {
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
                          SIS_S(row->v[ST_NUMBER]), first);

            } else {
                id = sis_host->sprintf(im->req, "%.*s%.*s", SIS_S(im->school),
                                       SIS_S(row->v[ST_NUMBER]));
                res[i].id = id;

                /* A1 ids of students and teachers could meet */
                if (sis_host->db_get(im->req, "users", id, &value) == PF_OK) {
                    user = sis_host->parse(im->req, value);

                    if (!sis_has_role(user, "student")
                        || !sis_same(sis_host->str(sis_host->get(user,
                                                                 "school")),
                                     im->school))
                    {
                        sis_bad(im, row, ST_NUMBER, "the account for %.*s "
                                "exists and is not this school's student",
                                row->v[ST_NUMBER]);
                    }
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
            if (!sis_is_id(row->v[ST_CLASS], 32)) {
                sis_bad(im, row, ST_CLASS, "\"%.*s\" is not a class code "
                        "(letters, digits, \"_\", \".\", \"-\")",
                        row->v[ST_CLASS]);

            } else if (sis_map_get(&im->classes, row->v[ST_CLASS], NULL)
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


static int
sis_students_apply(sis_import_t *im)
{
    size_t       i;
    pf_str_t     prefix, key;
    sis_buf_t    b;
    sis_row_t   *row;
    sis_res_t   *res;
    sis_acct_t   a;

    res = im->aux;
    prefix = sis_prefix(im);

    if (sis_clear(im, "sis_students") != PF_OK) {
        return PF_ERROR;
    }

    for (i = 0; i < im->nrows; i++) {
        row = &im->rows[i];

        memset(&a, 0, sizeof(sis_acct_t));
        a.role = "student";
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

        key = sis_host->sprintf(im->req, "%.*s%.*s", SIS_S(prefix),
                                SIS_S(res[i].id));

        if (sis_put(im, "sis_students", key, &b)
            != PF_OK)
        {
            return PF_ERROR;
        }
    }

    return sis_rebuild_homeroom(im);
}


/* teachers: national_id, name */

static int
sis_teachers_check(sis_import_t *im)
{
    size_t           i, first;
    pf_str_t         value;
    sis_map_t        ids;
    sis_row_t       *row;
    sis_res_t       *res;
    const pf_val_t  *user;

    res = sis_res(im);

    if (res == NULL || sis_map_init(&ids, im->req, im->nrows) != PF_OK) {
        return PF_ERROR;
    }

    for (i = 0; i < im->nrows; i++) {
        row = &im->rows[i];

        if (!sis_nid_field(im, row, TE_NID)) {
            continue;
        }

        res[i].id = sis_host->sprintf(im->req, "%.*s%.*s", SIS_S(im->school),
                                      9, row->v[TE_NID].data + 1);

        if ((first = sis_dup(im, &ids, res[i].id, row))) {
            row->bad |= SIS_BIT(TE_NID);
            sis_error(im, row->row, "national_id",
                      "the same teacher as row %zu", first);
            continue;
        }

        if (sis_host->db_get(im->req, "users", res[i].id, &value) == PF_OK) {
            user = sis_host->parse(im->req, value);

            if (sis_has_role(user, "student")
                || !sis_same(sis_host->str(sis_host->get(user, "school")),
                             im->school))
            {
                row->bad |= SIS_BIT(TE_NID);
                sis_error(im, row->row, "national_id",
                          "the account %.*s exists and is not this school's "
                          "staff", SIS_S(res[i].id));
            }
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
        a.role = "teacher";
        a.name = im->rows[i].v[TE_NAME];
        a.seat = -1;
        a.nid = im->rows[i].v[TE_NID];

        if (sis_account(im, res[i].id, &a) != PF_OK) {
            return PF_ERROR;
        }
    }

    return PF_OK;
}


/* classes: class, name, grade, homeroom */

static int
sis_classes_check(sis_import_t *im)
{
    size_t      i, first;
    int64_t     grade;
    sis_map_t   seen;
    sis_row_t  *row;
    sis_res_t  *res;

    res = sis_res(im);

    if (res == NULL || sis_map_init(&seen, im->req, im->nrows) != PF_OK) {
        return PF_ERROR;
    }

    for (i = 0; i < im->nrows; i++) {
        row = &im->rows[i];
        res[i].n[0] = -1;

        if (sis_given(row, CL_CLASS)) {
            if (!sis_is_id(row->v[CL_CLASS], 32)) {
                sis_bad(im, row, CL_CLASS, "\"%.*s\" is not a class code "
                        "(letters, digits, \"_\", \".\", \"-\")",
                        row->v[CL_CLASS]);

            } else if ((first = sis_dup(im, &seen, row->v[CL_CLASS], row))) {
                row->bad |= SIS_BIT(CL_CLASS);
                sis_error(im, row->row, "class", "%.*s is also in row %zu",
                          SIS_S(row->v[CL_CLASS]), first);
            }
        }

        if (sis_given(row, CL_GRADE)) {
            if (sis_uint(row->v[CL_GRADE], 12, &grade) != PF_OK
                || grade == 0)
            {
                sis_bad(im, row, CL_GRADE, "must be a whole number from 1 "
                        "to 12, not \"%.*s\"", row->v[CL_GRADE]);

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
    pf_str_t    prefix, key;
    sis_buf_t   b;
    sis_row_t  *row;
    sis_res_t  *res;

    res = im->aux;
    prefix = sis_prefix(im);

    if (sis_clear(im, "sis_classes") != PF_OK) {
        return PF_ERROR;
    }

    for (i = 0; i < im->nrows; i++) {
        row = &im->rows[i];

        sis_buf_init(&b, im->req, 256);
        sis_buf_open(&b, '{');
        sis_buf_key(&b, "school");
        sis_buf_str(&b, im->school);
        sis_buf_key(&b, "term");
        sis_buf_str(&b, im->term);
        sis_buf_key(&b, "class");
        sis_buf_str(&b, row->v[CL_CLASS]);
        sis_buf_key(&b, "name");
        sis_buf_str(&b, row->v[CL_NAME].len ? row->v[CL_NAME]
                                            : row->v[CL_CLASS]);
        sis_buf_key(&b, "grade");

        if (res[i].n[0] > 0) {
            sis_buf_int(&b, res[i].n[0]);

        } else {
            sis_buf_null(&b);
        }

        sis_buf_key(&b, "homeroom");

        if (res[i].ref.len) {
            sis_buf_str(&b, res[i].ref);

        } else {
            sis_buf_null(&b);
        }

        sis_buf_close(&b, '}');

        key = sis_host->sprintf(im->req, "%.*s%.*s", SIS_S(prefix),
                                SIS_S(row->v[CL_CLASS]));

        if (sis_put(im, "sis_classes", key, &b)
            != PF_OK)
        {
            return PF_ERROR;
        }

        if (res[i].ref.len
            && sis_add_role(im, res[i].ref, "homeroom") != PF_OK)
        {
            return PF_ERROR;
        }
    }

    return sis_rebuild_homeroom(im);
}


/* courses: code, name, subject, credits, teacher, co_teachers, kind */

static int
sis_courses_check(sis_import_t *im)
{
    size_t       i, k, first, nco;
    int64_t      credits;
    pf_str_t     list, one, id, *co;
    sis_map_t    seen;
    sis_row_t   *row;
    sis_res_t   *res;
    const char  *p, *last, *start, *kind;

    res = sis_res(im);

    if (res == NULL || sis_map_init(&seen, im->req, im->nrows) != PF_OK) {
        return PF_ERROR;
    }

    for (i = 0; i < im->nrows; i++) {
        row = &im->rows[i];

        if (sis_given(row, CO_CODE)) {
            if (!sis_is_id(row->v[CO_CODE], 64)) {
                sis_bad(im, row, CO_CODE, "\"%.*s\" is not a course code "
                        "(letters, digits, \"_\", \".\", \"-\")",
                        row->v[CO_CODE]);

            } else if ((first = sis_dup(im, &seen, row->v[CO_CODE], row))) {
                row->bad |= SIS_BIT(CO_CODE);
                sis_error(im, row->row, "code", "%.*s is also in row %zu",
                          SIS_S(row->v[CO_CODE]), first);
            }
        }

        if (sis_given(row, CO_CREDITS)) {
            if (sis_uint(row->v[CO_CREDITS], 30, &credits) != PF_OK) {
                sis_bad(im, row, CO_CREDITS, "must be a whole number from 0 "
                        "to 30, not \"%.*s\"", row->v[CO_CREDITS]);

            } else {
                res[i].n[0] = credits;
            }
        }

        if (sis_given(row, CO_TEACHER)) {
            (void) sis_teacher_ref(im, row, CO_TEACHER, row->v[CO_TEACHER],
                                   &res[i].ref);
        }

        /* co-teachers: ";" (or ",") between them in CSV */
        if (sis_given(row, CO_CO)) {
            list = row->v[CO_CO];
            co = sis_host->alloc(im->req,
                                 (list.len / 2 + 1) * sizeof(pf_str_t));
            if (co == NULL) {
                return PF_ERROR;
            }

            nco = 0;
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
                    || sis_same(id, res[i].ref))
                {
                    continue;
                }

                for (k = 0; k < nco && !sis_same(co[k], id); k++) {
                    /* once each */
                }

                if (k == nco) {
                    co[nco++] = id;
                }
            }

            res[i].co = co;
            res[i].nco = nco;
        }

        kind = "normal";

        if (sis_given(row, CO_KIND)) {
            kind = sis_kind_ok(row->v[CO_KIND]);

            if (kind == NULL) {
                sis_bad(im, row, CO_KIND, "\"%.*s\" is not one of normal, "
                        "make_up, retake, repeat, transfer, visiting, night",
                        row->v[CO_KIND]);
            }
        }

        res[i].a = kind ? sis_host->sprintf(im->req, "%s", kind)
                        : (pf_str_t) { 0, "" };
    }

    return PF_OK;
}


static int
sis_courses_apply(sis_import_t *im)
{
    size_t           i, k, j, n;
    pf_str_t         prefix, key, *keys, *vals, *old, name, reviewer;
    sis_buf_t        b;
    sis_map_t        before;
    sis_row_t       *row;
    sis_res_t       *res;
    const pf_val_t  *rec;

    static const char *const  own[] = {
        "school", "term", "code", "name", "subject", "credits", "teacher",
        "co_teachers", "kind", NULL
    };

    res = im->aux;
    prefix = sis_prefix(im);

    /* what other plugins added to a course (the reviewer, AD1) stays */
    if (sis_collect(im->req, "sis_courses", prefix, &keys, &vals, &n)
        != PF_OK
        || sis_map_init(&before, im->req, n) != PF_OK)
    {
        return PF_ERROR;
    }

    for (i = 0; i < n; i++) {
        if (sis_map_put(&before, (pf_str_t) { keys[i].len - prefix.len,
                                              keys[i].data + prefix.len },
                        &vals[i])
            != PF_OK
            || sis_host->db_del(im->req, "sis_courses", keys[i]) == PF_ERROR)
        {
            return PF_ERROR;
        }
    }

    for (i = 0; i < im->nrows; i++) {
        row = &im->rows[i];

        sis_buf_init(&b, im->req, 512);
        sis_buf_open(&b, '{');
        sis_buf_key(&b, "school");
        sis_buf_str(&b, im->school);
        sis_buf_key(&b, "term");
        sis_buf_str(&b, im->term);
        sis_buf_key(&b, "code");
        sis_buf_str(&b, row->v[CO_CODE]);
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

        old = sis_map_get(&before, row->v[CO_CODE], NULL);
        rec = old ? sis_host->parse(im->req, *old) : NULL;

        for (k = 0; k < sis_host->count(rec); k++) {
            name = sis_host->key_at(rec, k);

            for (j = 0; own[j] && !sis_eq(name, own[j]); j++) {
                /* the import's own fields are replaced */
            }

            if (own[j]) {
                continue;
            }

            /* a reviewer who no longer teaches the course is dropped */
            if (sis_eq(name, "reviewer")) {
                reviewer = sis_host->str(sis_host->at(rec, k));

                for (j = 0; j < res[i].nco && !sis_same(reviewer,
                                                        res[i].co[j]); j++)
                {
                    /* look among the co-teachers */
                }

                if (!sis_same(reviewer, res[i].ref) && j == res[i].nco) {
                    continue;
                }
            }

            sis_buf_jkey(&b, name);
            sis_buf_value(&b, sis_host->at(rec, k));
        }

        sis_buf_close(&b, '}');

        key = sis_host->sprintf(im->req, "%.*s%.*s", SIS_S(prefix),
                                SIS_S(row->v[CO_CODE]));

        if (sis_put(im, "sis_courses", key, &b)
            != PF_OK
            || sis_add_role(im, res[i].ref, "course_teacher") != PF_OK)
        {
            return PF_ERROR;
        }

        for (k = 0; k < res[i].nco; k++) {
            if (sis_add_role(im, res[i].co[k], "course_teacher") != PF_OK) {
                return PF_ERROR;
            }
        }
    }

    return sis_rebuild_course(im);
}


/* enrollments: student_number, code, grade, kind */

static int
sis_enrollments_check(sis_import_t *im)
{
    size_t         i, first;
    pf_str_t       id, pair;
    sis_map_t      seen;
    sis_row_t     *row;
    sis_res_t     *res;
    const char    *kind;
    sis_course_t  *c;

    res = sis_res(im);

    if (res == NULL
        || sis_load_students(im) != PF_OK
        || sis_load_courses(im) != PF_OK
        || sis_map_init(&seen, im->req, im->nrows) != PF_OK)
    {
        return PF_ERROR;
    }

    for (i = 0; i < im->nrows; i++) {
        row = &im->rows[i];
        c = NULL;

        if (sis_student_ref(im, row, EN_NUMBER, &id)) {
            res[i].id = id;
        }

        if (sis_given(row, EN_CODE)) {
            c = sis_map_get(&im->courses, row->v[EN_CODE], NULL);

            if (c == NULL) {
                sis_bad(im, row, EN_CODE, "no course %.*s in this term "
                        "(import the courses first)", row->v[EN_CODE]);
            }
        }

        if (res[i].id.len && c != NULL) {
            pair = sis_host->sprintf(im->req, "%.*s\x1f%.*s", SIS_S(res[i].id),
                                     SIS_S(c->code));

            if ((first = sis_dup(im, &seen, pair, row))) {
                sis_error(im, row->row, "code", "student %.*s takes %.*s in "
                          "row %zu already", SIS_S(row->v[EN_NUMBER]),
                          SIS_S(c->code), first);
            }
        }

        res[i].a = (pf_str_t) { 0, NULL };

        if (sis_given(row, EN_GRADE)
            && sis_grade(im->req, row->v[EN_GRADE], &res[i].a) != PF_OK)
        {
            sis_bad(im, row, EN_GRADE, "must be a number from 0 to 100 (at "
                    "most two decimals) or empty, not \"%.*s\"",
                    row->v[EN_GRADE]);
        }

        kind = NULL;

        if (sis_given(row, EN_KIND)) {
            kind = sis_kind_ok(row->v[EN_KIND]);

            if (kind == NULL) {
                sis_bad(im, row, EN_KIND, "\"%.*s\" is not one of normal, "
                        "make_up, retake, repeat, transfer, visiting, night",
                        row->v[EN_KIND]);
            }
        }

        if (kind) {
            res[i].b = sis_host->sprintf(im->req, "%s", kind);

        } else if (c != NULL && c->kind.len) {
            res[i].b = c->kind;

        } else {
            res[i].b = pf_string("normal");
        }
    }

    return PF_OK;
}


static int
sis_enrollments_apply(sis_import_t *im)
{
    size_t       i, n;
    pf_str_t     prefix, key, *keys, rest, code, student;
    sis_buf_t    b;
    sis_row_t   *row;
    sis_res_t   *res;
    const char  *sep;

    res = im->aux;
    prefix = sis_prefix(im);

    /* the rosters list the term's enrollments: remove both */
    if (sis_collect(im->req, "sis_rosters", prefix, &keys, NULL, &n)
        != PF_OK)
    {
        return PF_ERROR;
    }

    for (i = 0; i < n; i++) {
        rest = (pf_str_t) { keys[i].len - prefix.len,
                            keys[i].data + prefix.len };
        sep = memchr(rest.data, 0x1f, rest.len);

        if (sep != NULL) {
            code = (pf_str_t) { (size_t) (sep - rest.data), rest.data };
            student = (pf_str_t) { rest.len - code.len - 1, sep + 1 };
            key = sis_host->sprintf(im->req, "%.*s\x1f%.*s\x1f%.*s",
                                    SIS_S(student), SIS_S(im->term),
                                    SIS_S(code));

            if (sis_host->db_del(im->req, "sis_enrollments", key)
                == PF_ERROR)
            {
                return PF_ERROR;
            }
        }

        if (sis_host->db_del(im->req, "sis_rosters", keys[i]) == PF_ERROR) {
            return PF_ERROR;
        }
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

        key = sis_host->sprintf(im->req, "%.*s\x1f%.*s\x1f%.*s",
                                SIS_S(res[i].id), SIS_S(im->term),
                                SIS_S(row->v[EN_CODE]));

        if (sis_put(im, "sis_enrollments", key, &b)
            != PF_OK)
        {
            return PF_ERROR;
        }

        key = sis_host->sprintf(im->req, "%.*s%.*s\x1f%.*s", SIS_S(prefix),
                                SIS_S(row->v[EN_CODE]), SIS_S(res[i].id));

        if (sis_host->db_put(im->req, "sis_rosters", key, pf_string("{}"))
            != PF_OK)
        {
            return PF_ERROR;
        }
    }

    return sis_rebuild_course(im);
}


/*
 * sis_basic (P1) holds three parts per student and term; an import of
 * one kind replaces that part for every student of the school in the
 * term and leaves the other parts alone.
 */

static int
sis_basic_replace(sis_import_t *im, const char *part, sis_map_t *parts)
{
    size_t           i, k, j, n, written;
    pf_str_t         *keys, *vals, id, term, name, newpart;
    sis_buf_t        b;
    sis_part_t      *p;
    const char      *sep;
    const pf_val_t  *rec, *v;

    static const char *const  order[] = {
        "attendance", "rewards", "cadres", NULL
    };

    if (sis_collect(im->req, "sis_basic", im->school, &keys, &vals, &n)
        != PF_OK)
    {
        return PF_ERROR;
    }

    for (i = 0; i < n; i++) {
        sep = memchr(keys[i].data, 0x1f, keys[i].len);

        if (sep == NULL) {
            continue;
        }

        id = (pf_str_t) { (size_t) (sep - keys[i].data), keys[i].data };
        term = (pf_str_t) { keys[i].len - id.len - 1, sep + 1 };

        /* this school's students are its domain and digits */
        if (!sis_same(term, im->term)
            || !sis_is_digits((pf_str_t) { id.len - im->school.len,
                                           id.data + im->school.len }, 1, 20))
        {
            continue;
        }

        p = sis_map_get(parts, id, NULL);
        if (p && p->buf.failed) {
            return PF_ERROR;
        }

        newpart = p ? sis_buf_text(&p->buf) : (pf_str_t) { 0, NULL };

        if (p) {
            p->done = 1;
        }

        rec = sis_host->parse(im->req, vals[i]);
        sis_buf_init(&b, im->req, vals[i].len + newpart.len + 64);
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

            v = sis_host->get(rec, order[k]);

            if (v != NULL) {
                sis_buf_key(&b, order[k]);
                sis_buf_value(&b, v);
                written++;
            }
        }

        for (k = 0; k < sis_host->count(rec); k++) {
            name = sis_host->key_at(rec, k);

            for (j = 0; order[j] && !sis_eq(name, order[j]); j++) {
                /* only what is not one of the parts */
            }

            if (order[j] == NULL) {
                sis_buf_jkey(&b, name);
                sis_buf_value(&b, sis_host->at(rec, k));
                written++;
            }
        }

        sis_buf_close(&b, '}');

        if (written == 0) {
            if (sis_host->db_del(im->req, "sis_basic", keys[i]) == PF_ERROR) {
                return PF_ERROR;
            }

        } else if (!sis_same(sis_buf_text(&b), vals[i])) {
            if (sis_put(im, "sis_basic", keys[i], &b) != PF_OK) {
                return PF_ERROR;
            }
        }
    }

    /* students who had no record for the term, in the file's order */
    for (i = 0; i < im->nrows; i++) {
        id = ((sis_res_t *) im->aux)[i].id;
        p = sis_map_get(parts, id, NULL);

        if (p == NULL || p->done) {
            continue;
        }

        p->done = 1;

        if (p->buf.failed) {
            return PF_ERROR;
        }

        sis_buf_init(&b, im->req, 256);
        sis_buf_open(&b, '{');
        sis_buf_key(&b, part);
        sis_buf_rawval(&b, sis_buf_text(&p->buf));
        sis_buf_close(&b, '}');

        if (sis_put(im, "sis_basic",
                    sis_host->sprintf(im->req, "%.*s\x1f%.*s", SIS_S(id),
                                      SIS_S(im->term)),
                    &b)
            != PF_OK)
        {
            return PF_ERROR;
        }
    }

    return PF_OK;
}


/* cadres: student_number, unit, post, start, end, level (幹部經歷) */

static int
sis_cadres_check(sis_import_t *im)
{
    size_t      i, first;
    pf_str_t    id, key;
    sis_map_t   seen;
    sis_row_t  *row;
    sis_res_t  *res;

    res = sis_res(im);

    if (res == NULL
        || sis_load_students(im) != PF_OK
        || sis_map_init(&seen, im->req, im->nrows) != PF_OK)
    {
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
            sis_bad(im, row, CA_START, "must be a date like 2024-08-30 or "
                    "113/08/30, not \"%.*s\"", row->v[CA_START]);
        }

        if (sis_given(row, CA_END)
            && sis_date(im->req, row->v[CA_END], &res[i].b) != PF_OK)
        {
            sis_bad(im, row, CA_END, "must be a date like 2025-01-20 or "
                    "114/01/20, not \"%.*s\"", row->v[CA_END]);
        }

        /* ISO dates compare as text */
        if (res[i].a.len && res[i].b.len
            && memcmp(res[i].b.data, res[i].a.data, 10) < 0)
        {
            sis_bad(im, row, CA_END, "%.*s is before the start",
                    res[i].b);
        }

        if (res[i].id.len && sis_given(row, CA_UNIT)
            && sis_given(row, CA_POST))
        {
            key = sis_host->sprintf(im->req, "%.*s\x1f%.*s\x1f%.*s\x1f%.*s",
                                    SIS_S(res[i].id), SIS_S(row->v[CA_UNIT]),
                                    SIS_S(row->v[CA_POST]), SIS_S(res[i].a));

            if ((first = sis_dup(im, &seen, key, row))) {
                sis_error(im, row->row, "post", "the same post as row %zu",
                          first);
            }
        }
    }

    return PF_OK;
}


static void
sis_buf_opt(sis_buf_t *b, const char *key, pf_str_t v)
{
    sis_buf_key(b, key);

    if (v.len) {
        sis_buf_str(b, v);

    } else {
        sis_buf_null(b);
    }
}


static int
sis_cadres_apply(sis_import_t *im)
{
    size_t       i;
    sis_map_t    parts;
    sis_row_t   *row;
    sis_res_t   *res;
    sis_part_t  *p;

    res = im->aux;

    if (sis_map_init(&parts, im->req, im->nrows) != PF_OK) {
        return PF_ERROR;
    }

    for (i = 0; i < im->nrows; i++) {
        row = &im->rows[i];
        p = sis_map_get(&parts, res[i].id, NULL);

        if (p == NULL) {
            p = sis_host->alloc(im->req, sizeof(sis_part_t));
            if (p == NULL || sis_map_put(&parts, res[i].id, p) != PF_OK) {
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
        p = sis_map_get(&parts, res[i].id, NULL);

        if (!p->closed) {
            sis_buf_close(&p->buf, ']');
            p->closed = 1;
        }
    }

    return sis_basic_replace(im, "cadres", &parts);
}


/* attendance and rewards: student_number and six counts */

static int
sis_counts_check(sis_import_t *im)
{
    size_t      i, f, first;
    int64_t     max, n;
    pf_str_t    id;
    sis_map_t   seen;
    sis_row_t  *row;
    sis_res_t  *res;

    res = sis_res(im);
    max = strcmp(im->kind->name, "attendance") == 0 ? 9999 : 999;

    if (res == NULL
        || sis_load_students(im) != PF_OK
        || sis_map_init(&seen, im->req, im->nrows) != PF_OK)
    {
        return PF_ERROR;
    }

    for (i = 0; i < im->nrows; i++) {
        row = &im->rows[i];

        if (sis_student_ref(im, row, 0, &id)) {
            res[i].id = id;

            if ((first = sis_dup(im, &seen, id, row))) {
                sis_error(im, row->row, "student_number",
                          "%.*s is also in row %zu", SIS_S(row->v[0]), first);
            }
        }

        for (f = 1; f <= 6; f++) {
            res[i].n[f - 1] = 0;

            if (!sis_given(row, f)) {
                continue;
            }

            if (sis_uint(row->v[f], max, &n) != PF_OK) {
                sis_bad(im, row, f, max == 999
                        ? "must be a whole number from 0 to 999, not "
                          "\"%.*s\""
                        : "must be a whole number from 0 to 9999, not "
                          "\"%.*s\"", row->v[f]);
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
    sis_map_t    parts;
    sis_res_t   *res;
    sis_part_t  *p;

    res = im->aux;

    if (sis_map_init(&parts, im->req, im->nrows) != PF_OK) {
        return PF_ERROR;
    }

    for (i = 0; i < im->nrows; i++) {
        p = sis_host->alloc(im->req, sizeof(sis_part_t));
        if (p == NULL || sis_map_put(&parts, res[i].id, p) != PF_OK) {
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


/* counselors: teacher, student_number (輔導教師) */

static int
sis_counselors_check(sis_import_t *im)
{
    size_t      i, first;
    pf_str_t    id, pair;
    sis_map_t   seen;
    sis_row_t  *row;
    sis_res_t  *res;

    res = sis_res(im);

    if (res == NULL
        || sis_load_students(im) != PF_OK
        || sis_map_init(&seen, im->req, im->nrows) != PF_OK)
    {
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
            pair = sis_host->sprintf(im->req, "%.*s\x1f%.*s",
                                     SIS_S(res[i].ref), SIS_S(res[i].id));

            if ((first = sis_dup(im, &seen, pair, row))) {
                sis_error(im, row->row, "student_number",
                          "the same counselor and student as row %zu",
                          first);
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

    if (sis_rel_clear(im, "counselor") != PF_OK) {
        return PF_ERROR;
    }

    for (i = 0; i < im->nrows; i++) {
        if (sis_rel_add(im, "counselor", res[i].ref, res[i].id) != PF_OK
            || sis_add_role(im, res[i].ref, "counselor") != PF_OK)
        {
            return PF_ERROR;
        }
    }

    return PF_OK;
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

    g = sis_host->gen(im->req);
    sis_host->map_open(g);
    sis_host->key(g, "error");
    sis_host->map_open(g);
    sis_host->key(g, "code");
    sis_host->cstring(g, "invalid_rows");
    sis_host->key(g, "message");
    sis_host->string(g, sis_host->sprintf(im->req, "%zu error%s in the file; "
                                          "nothing was imported",
                                          im->nerrors,
                                          im->nerrors == 1 ? "" : "s"));
    sis_host->key(g, "errors");
    sis_host->array_open(g);

    for (i = 0; i < listed; i++) {
        sis_host->map_open(g);
        sis_host->key(g, "row");
        sis_host->number(g, (int64_t) im->errors[i].row);
        sis_host->key(g, "field");
        sis_host->cstring(g, im->errors[i].field);
        sis_host->key(g, "message");
        sis_host->string(g, im->errors[i].message);
        sis_host->map_close(g);
    }

    sis_host->array_close(g);
    sis_host->key(g, "more");
    sis_host->number(g, (int64_t) (im->nerrors - listed));
    sis_host->map_close(g);
    sis_host->map_close(g);

    return sis_host->reply(im->req, 422, g);
}


/* Checks that need no body: refused before 32 MiB are read. */

static int
sis_import_target(pf_req_t *req, const sis_kind_t **kind)
{
    pf_str_t  k, term, school, value;

    k = sis_host->param(req, "kind");
    *kind = sis_kind_find(k);

    if (*kind == NULL) {
        return sis_host->error(req, 404, "unknown_kind",
                               "no import kind \"%.*s\": students, teachers, "
                               "classes, courses, enrollments, cadres, "
                               "attendance, rewards, counselors",
                               SIS_S(sis_clip(k, 32)));
    }

    term = sis_host->param(req, "term");

    if (!sis_term_ok(term)) {
        return sis_host->error(req, 422, "invalid_term",
                               "a term is the ROC year and the semester, "
                               "like 113-1");
    }

    school = sis_host->param(req, "school");

    if (sis_host->db_get(req, "schools", school, &value) != PF_OK) {
        return sis_host->error(req, 404, "not_found", "no such school");
    }

    return 0;
}


int
sis_import_precheck(pf_req_t *req)
{
    const sis_kind_t  *kind;

    return sis_import_target(req, &kind);
}


int
sis_import(pf_req_t *req)
{
    int                rc;
    size_t             i, f;
    pf_gen_t          *g;
    sis_row_t         *row;
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
    im.school = sis_host->param(req, "school");
    im.term = sis_host->param(req, "term");
    im.by = sis_host->user(req)->id;
    im.now = sis_host->now_ms(req);

    for (im.nfields = 0; kind->fields[im.nfields]; im.nfields++) {
        /* count */
    }

    if (sis_map_init(&im.teachers, req, 64) != PF_OK) {
        return sis_host->error(req, 500, "internal", "out of memory");
    }

    body = sis_host->body(req);

    rc = body ? sis_rows_json(&im, body)
              : sis_rows_csv(&im, sis_host->raw_body(req));

    if (rc != PF_OK) {
        return sis_host->error(req, 500, "internal", "out of memory");
    }

    if (im.nrows == 0 && im.nerrors == 0) {
        return sis_host->error(req, 422, "empty_file",
                               "the file has no rows");
    }

    for (i = 0; i < im.nrows; i++) {
        row = &im.rows[i];

        for (f = 0; f < im.nfields; f++) {
            if ((kind->required & SIS_BIT(f))
                && !(im.missing & SIS_BIT(f))
                && !(row->bad & SIS_BIT(f))
                && row->v[f].len == 0)
            {
                row->bad |= SIS_BIT(f);
                sis_error(&im, row->row, kind->fields[f], "is required");
            }
        }
    }

    if (kind->check(&im) != PF_OK) {
        return sis_host->error(req, 500, "internal",
                               "the file could not be checked");
    }

    if (im.nerrors) {
        return sis_rejected(&im);
    }

    if (kind->apply(&im) != PF_OK) {
        return sis_host->error(req, 503, "storage_unavailable",
                               "the import could not be stored; nothing "
                               "was changed");
    }

    (void) sis_host->audit(req, sis_host->sprintf(req, "school/%.*s",
                                                  SIS_S(im.school)),
                           sis_host->sprintf(req, "import.%s", kind->name).data,
                           sis_host->sprintf(req,
                                             "{\"term\":\"%.*s\",\"rows\":%zu}",
                                             SIS_S(im.term), im.nrows));

    g = sis_host->gen(req);
    sis_host->map_open(g);
    sis_host->key(g, "kind");
    sis_host->cstring(g, kind->name);
    sis_host->key(g, "term");
    sis_host->string(g, im.term);
    sis_host->key(g, "rows");
    sis_host->number(g, (int64_t) im.nrows);
    sis_host->key(g, "created_accounts");
    sis_host->number(g, (int64_t) im.created);
    sis_host->key(g, "updated_accounts");
    sis_host->number(g, (int64_t) im.updated);
    sis_host->map_close(g);

    return sis_host->reply(req, 200, g);
}
