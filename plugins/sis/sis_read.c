/*
 * sis_read.c -- what the sis plugin shows (read-only): a term's classes
 * and a class's roster (SPEC S1), the student's basic data (P1) and
 * course records (P2).
 *
 * Who sees what of a student (issue 16): the student, the school's
 * administrators, the city's, and a homeroom teacher, counselor or
 * parent see the whole record and every course with its grade.  A
 * teacher whose only relation to the student is teaching a course of
 * theirs (PF_REL_COURSE) sees what certifying needs: the student's name,
 * number, class and seat, and the courses they teach (teacher,
 * co-teacher or reviewer) with those grades -- not the grades of other
 * subjects, nor attendance, rewards and punishments, cadre posts.  Such
 * an answer says so ("view": "course"); the full one is as it was.
 *
 * sis_students (school␟term␟student -> {"student","student_number",
 * "name","class","seat"}) is the term's student list that class rosters
 * are built from.
 */

#include <string.h>
#include <stdlib.h>

#include "sis.h"
#include "pf_outcome.h"


/* A display name for an account, or null; each account read once. */

static void
sis_gen_name(pf_req_t *req, pf_gen_t *g, pf_map_t *cache, pf_str_t id)
{
    pf_str_t        *name;
    const pf_val_t  *user;

    name = pf_map_get(cache, id, NULL);

    if (name == NULL) {
        name = pf_host->alloc(req, sizeof(pf_str_t));
        if (name == NULL) {
            pf_host->null(g);
            return;
        }

        user = pf_host->user_get(req, id);
        *name = pf_field(user, "name");

        if (user == NULL) {
            name->data = NULL;
        }

        (void) pf_map_put(cache, id, name);
    }

    if (name->data == NULL) {
        pf_host->null(g);

    } else {
        pf_host->string(g, *name);
    }
}


/* A stored field as shown: a string or a number as it is, else null. */

static void
sis_gen_val(pf_gen_t *g, const pf_val_t *v)
{
    pf_str_t  s;

    switch (pf_host->type(v)) {

    case PF_JSON_STRING:
        pf_host->string(g, pf_host->str(v));
        break;

    case PF_JSON_NUMBER:
        s = pf_host->str(v);
        pf_host->raw(g, s);
        break;

    default:
        pf_host->null(g);
        break;
    }
}


/* "name": the field of rec, as sis_gen_val() shows it. */

static void
sis_gen_field(pf_gen_t *g, const pf_val_t *rec, const char *name)
{
    pf_host->key(g, name);
    sis_gen_val(g, pf_host->get(rec, name));
}


/* A class record's name, grade and homeroom, as shown. */

static void
sis_gen_class(pf_gen_t *g, const pf_val_t *cls)
{
    sis_gen_field(g, cls, "name");
    sis_gen_field(g, cls, "grade");
    sis_gen_field(g, cls, "homeroom");
}


/* "99-2" before "100-1": by year as a number, then semester. */

static int
sis_term_cmp(pf_str_t a, pf_str_t b)
{
    if (a.len != b.len) {
        return a.len < b.len ? -1 : 1;
    }

    return memcmp(a.data, b.data, a.len);
}


/* GET /schools/{school}/terms/{term}/classes: with student counts. */

int
sis_classes_list(pf_req_t *req)
{
    int              rc;
    size_t           i, n, ns, *count;
    pf_str_t         school, term, prefix, *keys, *vals, *skeys, *svals,
                     klass;
    pf_gen_t        *g;
    pf_map_t        counts, names;
    const pf_val_t  *rec;

    school = pf_host->param(req, "school");
    term = pf_host->param(req, "term");

    if ((rc = sis_check_term(req, term))) {
        return rc;
    }

    prefix = pf_key(req, 3, school, term, pf_string(""));

    if (pf_collect(req, "sis_classes", prefix, &keys, &vals, &n) != PF_OK
        || pf_collect(req, "sis_students", prefix, &skeys, &svals, &ns)
           != PF_OK
        || pf_map_init(&counts, req, n) != PF_OK
        || pf_map_init(&names, req, n) != PF_OK)
    {
        return pf_host->error(req, 503, "storage_unavailable",
                               "班級資料暫時無法讀取，請稍後再試");
    }

    for (i = 0; i < ns; i++) {
        rec = pf_host->parse(req, svals[i]);
        klass = pf_host->str(pf_host->get(rec, "class"));
        count = pf_map_get(&counts, klass, NULL);

        if (count == NULL) {
            count = pf_host->alloc(req, sizeof(size_t));
            if (count == NULL || pf_map_put(&counts, klass, count) != PF_OK)
            {
                return pf_host->error(req, 500, "internal",
                                       "伺服器暫時無法處理，請稍後再試");
            }

            *count = 0;
        }

        (*count)++;
    }

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "school");
    pf_host->string(g, school);
    pf_host->key(g, "term");
    pf_host->string(g, term);
    pf_host->key(g, "classes");
    pf_host->array_open(g);

    for (i = 0; i < n; i++) {
        rec = pf_host->parse(req, vals[i]);
        klass = pf_host->str(pf_host->get(rec, "class"));
        count = pf_map_get(&counts, klass, NULL);

        pf_host->map_open(g);
        pf_host->key(g, "class");
        pf_host->string(g, klass);
        sis_gen_class(g, rec);
        pf_host->key(g, "homeroom_name");
        sis_gen_name(req, g, &names,
                     pf_host->str(pf_host->get(rec, "homeroom")));
        pf_host->key(g, "students");
        pf_host->number(g, count ? (int64_t) *count : 0);
        pf_host->map_close(g);
    }

    pf_host->array_close(g);
    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}


/* GET .../classes/{class}/students: the class's roster, by seat. */

typedef struct {
    const pf_val_t  *rec;
    int64_t          seat;
    pf_str_t         number;
} sis_member_t;


static int
sis_member_cmp(const void *one, const void *two)
{
    const sis_member_t  *a = one, *b = two;

    if (a->seat != b->seat) {
        return a->seat < b->seat ? -1 : 1;
    }

    if (a->number.len != b->number.len) {
        return a->number.len < b->number.len ? -1 : 1;
    }

    return memcmp(a->number.data, b->number.data, a->number.len);
}


int
sis_roster(pf_req_t *req)
{
    int               rc;
    size_t            i, n, m;
    pf_str_t          school, term, klass, prefix, value, *keys, *vals;
    pf_gen_t         *g;
    sis_member_t     *members;
    const pf_val_t   *rec, *cls;
    const pf_user_t  *user;

    school = pf_host->param(req, "school");
    term = pf_host->param(req, "term");
    klass = pf_host->param(req, "class");
    user = pf_host->user(req);

    if ((rc = sis_check_term(req, term))) {
        return rc;
    }

    prefix = pf_key(req, 3, school, term, pf_string(""));

    if (!sis_class_ok(klass)
        || pf_host->db_get(req, "sis_classes",
                           pf_key(req, 3, school, term, klass), &value)
           != PF_OK)
    {
        return pf_host->error(req, 404, "not_found",
                               "%.*s 學期沒有這個班級", PF_S(term));
    }

    cls = pf_host->parse(req, value);

    /* admins and consultation teachers (P3 picks from class lists) see
       every class; a homeroom teacher sees their own */
    if (!(user->roles & (PF_ROLE_SCHOOL_ADMIN|PF_ROLE_CITY_ADMIN
                         |PF_ROLE_CONSULTANT))
        && !pf_same(pf_host->str(pf_host->get(cls, "homeroom")), user->id))
    {
        return pf_host->error(req, 403, "out_of_scope",
                               "班級「%.*s」的名單只有該班導師與學校管理者"
                               "可以查看", PF_S(klass));
    }

    if (pf_collect(req, "sis_students", prefix, &keys, &vals, &n) != PF_OK) {
        return pf_host->error(req, 503, "storage_unavailable",
                               "班級名單暫時無法讀取，請稍後再試");
    }

    members = pf_host->alloc(req, (n + 1) * sizeof(sis_member_t));
    if (members == NULL) {
        return pf_host->error(req, 500, "internal",
                               "伺服器暫時無法處理，請稍後再試");
    }

    m = 0;

    for (i = 0; i < n; i++) {
        rec = pf_host->parse(req, vals[i]);

        if (!pf_same(pf_host->str(pf_host->get(rec, "class")), klass)) {
            continue;
        }

        members[m].rec = rec;
        members[m].number = pf_host->str(pf_host->get(rec,
                                                        "student_number"));

        if (pf_host->integer(pf_host->get(rec, "seat"), &members[m].seat)
            != PF_OK)
        {
            members[m].seat = INT64_MAX;        /* no seat: last */
        }

        m++;
    }

    qsort(members, m, sizeof(sis_member_t), sis_member_cmp);

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "school");
    pf_host->string(g, school);
    pf_host->key(g, "term");
    pf_host->string(g, term);
    pf_host->key(g, "class");
    pf_host->string(g, klass);
    sis_gen_class(g, cls);
    pf_host->key(g, "students");
    pf_host->array_open(g);

    for (i = 0; i < m; i++) {
        pf_host->map_open(g);
        pf_host->key(g, "id");
        sis_gen_val(g, pf_host->get(members[i].rec, "student"));
        sis_gen_field(g, members[i].rec, "student_number");
        sis_gen_field(g, members[i].rec, "name");
        sis_gen_field(g, members[i].rec, "seat");
        pf_host->map_close(g);
    }

    pf_host->array_close(g);
    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}


/* The student's own account record, or an error already set. */

static const pf_val_t *
sis_student(pf_req_t *req, pf_str_t id, int *status)
{
    const pf_val_t  *user;

    user = pf_host->user_get(req, id);

    if (user == NULL || !pf_has_role(user, PF_ROLE_STUDENT)) {
        *status = pf_host->error(req, 404, "not_found",
                                 "沒有這位學生（%.*s）", PF_S(id));
        return NULL;
    }

    return user;
}


/*
 * The caller sees the student only as the teacher of a course (the
 * route's PF_SCOPE_STUDENT let them this far): not the student, no
 * administrator of the student's school or of the city, no homeroom
 * teacher, counselor or parent.
 */

static int
sis_course_view(pf_req_t *req, pf_str_t student, const pf_val_t *srec)
{
    const pf_user_t  *user;

    user = pf_host->user(req);

    if (pf_same(user->id, student) || (user->roles & PF_ROLE_CITY_ADMIN)) {
        return 0;
    }

    if ((user->roles & PF_ROLE_SCHOOL_ADMIN)
        && pf_same(pf_field(srec, "school"), user->school))
    {
        return 0;
    }

    return (pf_host->relations(req, user->id, student) & ~PF_REL_COURSE)
           == 0;
}


static int
sis_str_cmp(const void *one, const void *two)
{
    return sis_term_cmp(*(const pf_str_t *) one, *(const pf_str_t *) two);
}


/*
 * GET /students/{student}/record (P1): the basic data, and per term the
 * class and seat, attendance, rewards and punishments, and cadre posts;
 * to a course teacher (sis_course_view()) the basic data and per term
 * the class and seat only.
 */

int
sis_record(pf_req_t *req)
{
    int              status, course_view;
    size_t           i, k, nb, ne, nt;
    pf_str_t         id, school, prefix, *bkeys, *bvals, *ekeys, *terms,
                     term, value;
    pf_gen_t        *g;
    const char      *sep;
    const pf_val_t  *user, *basic, *member, *v;

    id = pf_host->param(req, "student");
    status = 0;
    user = sis_student(req, id, &status);

    if (user == NULL) {
        return status;
    }

    school = pf_host->str(pf_host->get(user, "school"));
    prefix = pf_key(req, 2, id, pf_string(""));
    course_view = sis_course_view(req, id, user);

    if (pf_collect(req, "sis_basic", prefix, &bkeys, &bvals, &nb) != PF_OK
        || pf_collect(req, "sis_enrollments", prefix, &ekeys, NULL, &ne)
           != PF_OK)
    {
        return pf_host->error(req, 503, "storage_unavailable",
                               "學生基本資料暫時無法讀取，請稍後再試");
    }

    /* every term with basic data or courses, once */
    terms = pf_host->alloc(req, (nb + ne + 1) * sizeof(pf_str_t));
    if (terms == NULL) {
        return pf_host->error(req, 500, "internal",
                               "伺服器暫時無法處理，請稍後再試");
    }

    nt = 0;

    for (i = 0; i < nb; i++) {
        terms[nt++] = (pf_str_t) { bkeys[i].len - prefix.len,
                                   bkeys[i].data + prefix.len };
    }

    for (i = 0; i < ne; i++) {
        term.data = ekeys[i].data + prefix.len;
        sep = memchr(term.data, PF_SEP, ekeys[i].len - prefix.len);

        if (sep == NULL) {
            continue;
        }

        term.len = sep - term.data;
        terms[nt++] = term;
    }

    qsort(terms, nt, sizeof(pf_str_t), sis_str_cmp);

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "student");
    pf_host->map_open(g);
    pf_host->key(g, "id");
    pf_host->string(g, id);
    sis_gen_field(g, user, "name");
    pf_host->key(g, "school");
    pf_host->string(g, school);
    sis_gen_field(g, user, "class");
    sis_gen_field(g, user, "seat");
    sis_gen_field(g, user, "student_number");
    pf_host->map_close(g);

    if (course_view) {
        pf_host->key(g, "view");
        pf_host->cstring(g, "course");
    }

    pf_host->key(g, "terms");
    pf_host->array_open(g);

    for (i = 0; i < nt; i++) {
        if (i > 0 && pf_same(terms[i], terms[i - 1])) {
            continue;
        }

        basic = NULL;

        for (k = 0; !course_view && k < nb; k++) {
            if (pf_same((pf_str_t) { bkeys[k].len - prefix.len,
                                      bkeys[k].data + prefix.len },
                         terms[i]))
            {
                basic = pf_host->parse(req, bvals[k]);
                break;
            }
        }

        member = NULL;

        if (pf_host->db_get(req, "sis_students",
                            pf_key(req, 3, school, terms[i], id), &value)
            == PF_OK)
        {
            member = pf_host->parse(req, value);
        }

        pf_host->map_open(g);
        pf_host->key(g, "term");
        pf_host->string(g, terms[i]);
        sis_gen_field(g, member, "class");
        sis_gen_field(g, member, "seat");

        /* attendance and discipline are not what certifying needs */
        if (course_view) {
            pf_host->map_close(g);
            continue;
        }

        pf_host->key(g, "attendance");
        pf_copy_value(g, pf_host->get(basic, "attendance"));
        pf_host->key(g, "rewards");
        pf_copy_value(g, pf_host->get(basic, "rewards"));
        pf_host->key(g, "cadres");
        v = pf_host->get(basic, "cadres");

        if (v) {
            pf_copy_value(g, v);

        } else {
            pf_host->array_open(g);
            pf_host->array_close(g);
        }

        pf_host->map_close(g);
    }

    pf_host->array_close(g);
    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}


/*
 * GET /students/{student}/courses[?term=] (P2): per term, each course
 * taken: code, name, subject, credits, grade, kind, teacher; to a course
 * teacher (sis_course_view()) only the courses they teach.
 */

typedef struct {
    pf_str_t         term;
    pf_str_t         code;
    const pf_val_t  *enr;
    const pf_val_t  *course;
} sis_taken_t;


static int
sis_taken_cmp(const void *one, const void *two)
{
    int                 rc;
    const sis_taken_t  *a = one, *b = two;

    rc = sis_term_cmp(a->term, b->term);

    if (rc != 0) {
        return rc;
    }

    rc = memcmp(a->code.data, b->code.data,
                a->code.len < b->code.len ? a->code.len : b->code.len);

    return rc ? rc : (a->code.len > b->code.len) - (a->code.len < b->code.len);
}


/* One course taken, as the list shows it. */

static void
sis_gen_taken(pf_req_t *req, pf_gen_t *g, pf_map_t *names, sis_taken_t *t)
{
    size_t           k;
    pf_str_t         teacher;
    const pf_val_t  *co;

    teacher = pf_host->str(pf_host->get(t->course, "teacher"));

    pf_host->map_open(g);
    pf_host->key(g, "code");
    pf_host->string(g, t->code);
    sis_gen_field(g, t->course, "name");
    sis_gen_field(g, t->course, "subject");
    sis_gen_field(g, t->course, "credits");
    sis_gen_field(g, t->enr, "grade");
    sis_gen_field(g, t->enr, "kind");
    sis_gen_field(g, t->course, "teacher");
    pf_host->key(g, "teacher_name");

    if (teacher.len) {
        sis_gen_name(req, g, names, teacher);

    } else {
        pf_host->null(g);
    }

    pf_host->key(g, "co_teachers");
    pf_host->array_open(g);
    co = pf_host->get(t->course, "co_teachers");

    for (k = 0; k < pf_host->count(co); k++) {
        pf_host->map_open(g);
        pf_host->key(g, "id");
        sis_gen_val(g, pf_host->at(co, k));
        pf_host->key(g, "name");
        sis_gen_name(req, g, names, pf_host->str(pf_host->at(co, k)));
        pf_host->map_close(g);
    }

    pf_host->array_close(g);
    pf_host->map_close(g);
}


int
sis_courses_list(pf_req_t *req)
{
    int              rc, course_view;
    size_t           i, m, n;
    pf_str_t         id, school, term, prefix, *keys, *vals, value, me;
    pf_gen_t        *g;
    pf_map_t         names;
    sis_taken_t     *taken;
    const pf_val_t  *user;

    id = pf_host->param(req, "student");
    term = pf_host->arg(req, "term");
    rc = 0;
    user = sis_student(req, id, &rc);

    if (user == NULL) {
        return rc;
    }

    if (term.len && (rc = sis_check_term(req, term))) {
        return rc;
    }

    school = pf_host->str(pf_host->get(user, "school"));
    prefix = term.len ? pf_key(req, 3, id, term, pf_string(""))
                      : pf_key(req, 2, id, pf_string(""));
    course_view = sis_course_view(req, id, user);
    me = pf_host->user(req)->id;

    if (pf_collect(req, "sis_enrollments", prefix, &keys, &vals, &n)
        != PF_OK
        || pf_map_init(&names, req, 16) != PF_OK)
    {
        return pf_host->error(req, 503, "storage_unavailable",
                               "修課紀錄暫時無法讀取，請稍後再試");
    }

    taken = pf_host->alloc(req, (n + 1) * sizeof(sis_taken_t));
    if (taken == NULL) {
        return pf_host->error(req, 500, "internal",
                               "伺服器暫時無法處理，請稍後再試");
    }

    /* the courses taken, each with its record; a course teacher's own */
    m = 0;

    for (i = 0; i < n; i++) {
        taken[m].enr = pf_host->parse(req, vals[i]);
        taken[m].term = pf_host->str(pf_host->get(taken[m].enr, "term"));
        taken[m].code = pf_host->str(pf_host->get(taken[m].enr, "code"));
        taken[m].course = NULL;

        if (pf_host->db_get(req, "sis_courses",
                            pf_key(req, 3, school, taken[m].term,
                                   taken[m].code),
                            &value)
            == PF_OK)
        {
            taken[m].course = pf_host->parse(req, value);
        }

        /* the course is the caller's: teacher, co-teacher or reviewer */
        if (course_view && !pfo_course_teaches(taken[m].course, me)) {
            continue;
        }

        m++;
    }

    qsort(taken, m, sizeof(sis_taken_t), sis_taken_cmp);

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "student");
    pf_host->string(g, id);

    if (course_view) {
        pf_host->key(g, "view");
        pf_host->cstring(g, "course");
    }

    pf_host->key(g, "terms");
    pf_host->array_open(g);

    for (i = 0; i < m; i++) {
        if (i == 0 || !pf_same(taken[i].term, taken[i - 1].term)) {
            if (i > 0) {
                pf_host->array_close(g);
                pf_host->map_close(g);
            }

            pf_host->map_open(g);
            pf_host->key(g, "term");
            pf_host->string(g, taken[i].term);
            pf_host->key(g, "courses");
            pf_host->array_open(g);
        }

        sis_gen_taken(req, g, &names, &taken[i]);
    }

    if (m > 0) {
        pf_host->array_close(g);
        pf_host->map_close(g);
    }

    pf_host->array_close(g);
    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}
