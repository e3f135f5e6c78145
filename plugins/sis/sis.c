/*
 * sis -- data from the school information system (校務行政系統): the
 * term imports (SPEC S1, A1: sis_import.c), a term's classes and rosters,
 * and the student's basic data (P1) and course records (P2), read-only.
 *
 * Databases are described in plugins/README.md; sis_students
 * (school␟term␟student -> {"student","student_number","name","class",
 * "seat"}) is the term's student list that class rosters and homeroom
 * relations are built from.
 */

#include <string.h>
#include <stdlib.h>

#include "sis.h"


const pf_host_api_t  *sis_host;


static const pf_val_t *
sis_user(pf_req_t *req, pf_str_t id)
{
    pf_str_t  value;

    if (id.len == 0
        || sis_host->db_get(req, "users", id, &value) != PF_OK)
    {
        return NULL;
    }

    return sis_host->parse(req, value);
}


/* A display name for an account, or null. */

static void
sis_gen_name(pf_req_t *req, pf_gen_t *g, sis_map_t *cache, pf_str_t id)
{
    pf_str_t        *name;
    const pf_val_t  *user;

    name = sis_map_get(cache, id, NULL);

    if (name == NULL) {
        name = sis_host->alloc(req, sizeof(pf_str_t));
        if (name == NULL) {
            sis_host->null(g);
            return;
        }

        user = sis_user(req, id);
        *name = sis_host->str(sis_host->get(user, "name"));

        if (user == NULL) {
            name->data = NULL;
        }

        (void) sis_map_put(cache, id, name);
    }

    if (name->data == NULL) {
        sis_host->null(g);

    } else {
        sis_host->string(g, *name);
    }
}


static void
sis_gen_val(pf_gen_t *g, const pf_val_t *v)
{
    pf_str_t  s;

    switch (sis_host->type(v)) {

    case PF_JSON_STRING:
        sis_host->string(g, sis_host->str(v));
        break;

    case PF_JSON_NUMBER:
        s = sis_host->str(v);
        sis_host->raw(g, s);
        break;

    default:
        sis_host->null(g);
        break;
    }
}


/* A stored part of a record, as it is. */

static void
sis_gen_json(pf_req_t *req, pf_gen_t *g, const pf_val_t *v)
{
    sis_buf_t  b;

    if (v == NULL) {
        sis_host->null(g);
        return;
    }

    sis_buf_init(&b, req, 256);
    sis_buf_value(&b, v);

    if (b.failed) {
        sis_host->null(g);
        return;
    }

    sis_host->raw(g, sis_buf_text(&b));
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


static int
sis_check_term(pf_req_t *req, pf_str_t term)
{
    if (!sis_term_ok(term)) {
        return sis_host->error(req, 422, "invalid_term",
                               "a term is the ROC year and the semester, "
                               "like 113-1");
    }

    return 0;
}


/* GET /schools/{school}/terms/{term}/classes: with student counts. */

static int
sis_classes_list(pf_req_t *req)
{
    int              rc;
    size_t           i, n, ns, *count;
    pf_str_t         school, term, prefix, *keys, *vals, *skeys, *svals,
                     klass;
    pf_gen_t        *g;
    sis_map_t        counts, names;
    const pf_val_t  *rec;

    school = sis_host->param(req, "school");
    term = sis_host->param(req, "term");

    if ((rc = sis_check_term(req, term))) {
        return rc;
    }

    prefix = sis_host->sprintf(req, "%.*s\x1f%.*s\x1f", SIS_S(school),
                               SIS_S(term));

    if (sis_collect(req, "sis_classes", prefix, &keys, &vals, &n) != PF_OK
        || sis_collect(req, "sis_students", prefix, &skeys, &svals, &ns)
           != PF_OK
        || sis_map_init(&counts, req, n) != PF_OK
        || sis_map_init(&names, req, n) != PF_OK)
    {
        return sis_host->error(req, 503, "storage_unavailable",
                               "the classes could not be read");
    }

    for (i = 0; i < ns; i++) {
        rec = sis_host->parse(req, svals[i]);
        klass = sis_host->str(sis_host->get(rec, "class"));
        count = sis_map_get(&counts, klass, NULL);

        if (count == NULL) {
            count = sis_host->alloc(req, sizeof(size_t));
            if (count == NULL || sis_map_put(&counts, klass, count) != PF_OK)
            {
                return sis_host->error(req, 500, "internal", "out of memory");
            }

            *count = 0;
        }

        (*count)++;
    }

    g = sis_host->gen(req);
    sis_host->map_open(g);
    sis_host->key(g, "school");
    sis_host->string(g, school);
    sis_host->key(g, "term");
    sis_host->string(g, term);
    sis_host->key(g, "classes");
    sis_host->array_open(g);

    for (i = 0; i < n; i++) {
        rec = sis_host->parse(req, vals[i]);
        klass = sis_host->str(sis_host->get(rec, "class"));
        count = sis_map_get(&counts, klass, NULL);

        sis_host->map_open(g);
        sis_host->key(g, "class");
        sis_host->string(g, klass);
        sis_host->key(g, "name");
        sis_gen_val(g, sis_host->get(rec, "name"));
        sis_host->key(g, "grade");
        sis_gen_val(g, sis_host->get(rec, "grade"));
        sis_host->key(g, "homeroom");
        sis_gen_val(g, sis_host->get(rec, "homeroom"));
        sis_host->key(g, "homeroom_name");
        sis_gen_name(req, g, &names,
                     sis_host->str(sis_host->get(rec, "homeroom")));
        sis_host->key(g, "students");
        sis_host->number(g, count ? (int64_t) *count : 0);
        sis_host->map_close(g);
    }

    sis_host->array_close(g);
    sis_host->map_close(g);

    return sis_host->reply(req, 200, g);
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


static int
sis_roster(pf_req_t *req)
{
    int               rc;
    size_t            i, n, m;
    pf_str_t          school, term, klass, prefix, value, *keys, *vals;
    pf_gen_t         *g;
    sis_member_t     *members;
    const pf_val_t   *rec, *cls;
    const pf_user_t  *user;

    school = sis_host->param(req, "school");
    term = sis_host->param(req, "term");
    klass = sis_host->param(req, "class");
    user = sis_host->user(req);

    if ((rc = sis_check_term(req, term))) {
        return rc;
    }

    prefix = sis_host->sprintf(req, "%.*s\x1f%.*s\x1f", SIS_S(school),
                               SIS_S(term));

    if (!sis_is_id(klass, 32)
        || sis_host->db_get(req, "sis_classes",
                            sis_host->sprintf(req, "%.*s%.*s", SIS_S(prefix),
                                              SIS_S(klass)),
                            &value)
           != PF_OK)
    {
        return sis_host->error(req, 404, "not_found",
                               "no such class in this term");
    }

    cls = sis_host->parse(req, value);

    /* admins and consultation teachers (P3 picks from class lists) see
       every class; a homeroom teacher sees their own */
    if (!(user->roles & (PF_ROLE_SCHOOL_ADMIN|PF_ROLE_CITY_ADMIN
                         |PF_ROLE_CONSULTANT))
        && !sis_same(sis_host->str(sis_host->get(cls, "homeroom")), user->id))
    {
        return sis_host->error(req, 403, "out_of_scope",
                               "only the homeroom teacher of this class and "
                               "the school's administrators");
    }

    if (sis_collect(req, "sis_students", prefix, &keys, &vals, &n) != PF_OK) {
        return sis_host->error(req, 503, "storage_unavailable",
                               "the roster could not be read");
    }

    members = sis_host->alloc(req, (n + 1) * sizeof(sis_member_t));
    if (members == NULL) {
        return sis_host->error(req, 500, "internal", "out of memory");
    }

    m = 0;

    for (i = 0; i < n; i++) {
        rec = sis_host->parse(req, vals[i]);

        if (!sis_same(sis_host->str(sis_host->get(rec, "class")), klass)) {
            continue;
        }

        members[m].rec = rec;
        members[m].number = sis_host->str(sis_host->get(rec,
                                                        "student_number"));

        if (sis_host->integer(sis_host->get(rec, "seat"), &members[m].seat)
            != PF_OK)
        {
            members[m].seat = INT64_MAX;        /* no seat: last */
        }

        m++;
    }

    qsort(members, m, sizeof(sis_member_t), sis_member_cmp);

    g = sis_host->gen(req);
    sis_host->map_open(g);
    sis_host->key(g, "school");
    sis_host->string(g, school);
    sis_host->key(g, "term");
    sis_host->string(g, term);
    sis_host->key(g, "class");
    sis_host->string(g, klass);
    sis_host->key(g, "name");
    sis_gen_val(g, sis_host->get(cls, "name"));
    sis_host->key(g, "grade");
    sis_gen_val(g, sis_host->get(cls, "grade"));
    sis_host->key(g, "homeroom");
    sis_gen_val(g, sis_host->get(cls, "homeroom"));
    sis_host->key(g, "students");
    sis_host->array_open(g);

    for (i = 0; i < m; i++) {
        sis_host->map_open(g);
        sis_host->key(g, "id");
        sis_gen_val(g, sis_host->get(members[i].rec, "student"));
        sis_host->key(g, "student_number");
        sis_gen_val(g, sis_host->get(members[i].rec, "student_number"));
        sis_host->key(g, "name");
        sis_gen_val(g, sis_host->get(members[i].rec, "name"));
        sis_host->key(g, "seat");
        sis_gen_val(g, sis_host->get(members[i].rec, "seat"));
        sis_host->map_close(g);
    }

    sis_host->array_close(g);
    sis_host->map_close(g);

    return sis_host->reply(req, 200, g);
}


/* The student's own account record, or an error already set. */

static const pf_val_t *
sis_student(pf_req_t *req, pf_str_t id, int *status)
{
    const pf_val_t  *user;

    user = sis_user(req, id);

    if (user == NULL || !sis_has_role(user, "student")) {
        *status = sis_host->error(req, 404, "not_found", "no such student");
        return NULL;
    }

    return user;
}


static int
sis_str_cmp(const void *one, const void *two)
{
    return sis_term_cmp(*(const pf_str_t *) one, *(const pf_str_t *) two);
}


/*
 * GET /students/{student}/record (P1): the basic data, and per term the
 * class and seat, attendance, rewards and punishments, and cadre posts.
 */

static int
sis_record(pf_req_t *req)
{
    int              status;
    size_t           i, k, nb, ne, nt;
    pf_str_t         id, school, prefix, *bkeys, *bvals, *ekeys, *terms,
                     term, value;
    pf_gen_t        *g;
    const char      *sep;
    const pf_val_t  *user, *basic, *member, *v;

    id = sis_host->param(req, "student");
    status = 0;
    user = sis_student(req, id, &status);

    if (user == NULL) {
        return status;
    }

    school = sis_host->str(sis_host->get(user, "school"));
    prefix = sis_host->sprintf(req, "%.*s\x1f", SIS_S(id));

    if (sis_collect(req, "sis_basic", prefix, &bkeys, &bvals, &nb) != PF_OK
        || sis_collect(req, "sis_enrollments", prefix, &ekeys, NULL, &ne)
           != PF_OK)
    {
        return sis_host->error(req, 503, "storage_unavailable",
                               "the record could not be read");
    }

    /* every term with basic data or courses, once */
    terms = sis_host->alloc(req, (nb + ne + 1) * sizeof(pf_str_t));
    if (terms == NULL) {
        return sis_host->error(req, 500, "internal", "out of memory");
    }

    nt = 0;

    for (i = 0; i < nb; i++) {
        terms[nt++] = (pf_str_t) { bkeys[i].len - prefix.len,
                                   bkeys[i].data + prefix.len };
    }

    for (i = 0; i < ne; i++) {
        term.data = ekeys[i].data + prefix.len;
        sep = memchr(term.data, 0x1f, ekeys[i].len - prefix.len);

        if (sep == NULL) {
            continue;
        }

        term.len = sep - term.data;
        terms[nt++] = term;
    }

    qsort(terms, nt, sizeof(pf_str_t), sis_str_cmp);

    g = sis_host->gen(req);
    sis_host->map_open(g);
    sis_host->key(g, "student");
    sis_host->map_open(g);
    sis_host->key(g, "id");
    sis_host->string(g, id);
    sis_host->key(g, "name");
    sis_gen_val(g, sis_host->get(user, "name"));
    sis_host->key(g, "school");
    sis_host->string(g, school);
    sis_host->key(g, "class");
    sis_gen_val(g, sis_host->get(user, "class"));
    sis_host->key(g, "seat");
    sis_gen_val(g, sis_host->get(user, "seat"));
    sis_host->key(g, "student_number");
    sis_gen_val(g, sis_host->get(user, "student_number"));
    sis_host->map_close(g);

    sis_host->key(g, "terms");
    sis_host->array_open(g);

    for (i = 0; i < nt; i++) {
        if (i > 0 && sis_same(terms[i], terms[i - 1])) {
            continue;
        }

        basic = NULL;

        for (k = 0; k < nb; k++) {
            if (sis_same((pf_str_t) { bkeys[k].len - prefix.len,
                                      bkeys[k].data + prefix.len },
                         terms[i]))
            {
                basic = sis_host->parse(req, bvals[k]);
                break;
            }
        }

        member = NULL;

        if (sis_host->db_get(req, "sis_students",
                             sis_host->sprintf(req, "%.*s\x1f%.*s\x1f%.*s",
                                               SIS_S(school),
                                               SIS_S(terms[i]), SIS_S(id)),
                             &value)
            == PF_OK)
        {
            member = sis_host->parse(req, value);
        }

        sis_host->map_open(g);
        sis_host->key(g, "term");
        sis_host->string(g, terms[i]);
        sis_host->key(g, "class");
        sis_gen_val(g, sis_host->get(member, "class"));
        sis_host->key(g, "seat");
        sis_gen_val(g, sis_host->get(member, "seat"));

        sis_host->key(g, "attendance");
        sis_gen_json(req, g, sis_host->get(basic, "attendance"));
        sis_host->key(g, "rewards");
        sis_gen_json(req, g, sis_host->get(basic, "rewards"));
        sis_host->key(g, "cadres");
        v = sis_host->get(basic, "cadres");

        if (v) {
            sis_gen_json(req, g, v);

        } else {
            sis_host->array_open(g);
            sis_host->array_close(g);
        }

        sis_host->map_close(g);
    }

    sis_host->array_close(g);
    sis_host->map_close(g);

    return sis_host->reply(req, 200, g);
}


/*
 * GET /students/{student}/courses[?term=] (P2): per term, each course
 * taken: code, name, subject, credits, grade, kind, teacher.
 */

typedef struct {
    pf_str_t         term;
    pf_str_t         code;
    const pf_val_t  *enr;
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


static int
sis_courses_list(pf_req_t *req)
{
    int              rc;
    size_t           i, k, n;
    pf_str_t         id, school, term, prefix, *keys, *vals, value, teacher;
    pf_gen_t        *g;
    sis_map_t        names;
    sis_taken_t     *taken;
    const pf_val_t  *user, *course, *co;

    id = sis_host->param(req, "student");
    term = sis_host->arg(req, "term");
    rc = 0;
    user = sis_student(req, id, &rc);

    if (user == NULL) {
        return rc;
    }

    if (term.len && (rc = sis_check_term(req, term))) {
        return rc;
    }

    school = sis_host->str(sis_host->get(user, "school"));
    prefix = term.len ? sis_host->sprintf(req, "%.*s\x1f%.*s\x1f", SIS_S(id),
                                          SIS_S(term))
                      : sis_host->sprintf(req, "%.*s\x1f", SIS_S(id));

    if (sis_collect(req, "sis_enrollments", prefix, &keys, &vals, &n)
        != PF_OK
        || sis_map_init(&names, req, 16) != PF_OK)
    {
        return sis_host->error(req, 503, "storage_unavailable",
                               "the course records could not be read");
    }

    taken = sis_host->alloc(req, (n + 1) * sizeof(sis_taken_t));
    if (taken == NULL) {
        return sis_host->error(req, 500, "internal", "out of memory");
    }

    for (i = 0; i < n; i++) {
        taken[i].enr = sis_host->parse(req, vals[i]);
        taken[i].term = sis_host->str(sis_host->get(taken[i].enr, "term"));
        taken[i].code = sis_host->str(sis_host->get(taken[i].enr, "code"));
    }

    qsort(taken, n, sizeof(sis_taken_t), sis_taken_cmp);

    g = sis_host->gen(req);
    sis_host->map_open(g);
    sis_host->key(g, "student");
    sis_host->string(g, id);
    sis_host->key(g, "terms");
    sis_host->array_open(g);

    for (i = 0; i < n; i++) {
        if (i == 0 || !sis_same(taken[i].term, taken[i - 1].term)) {
            if (i > 0) {
                sis_host->array_close(g);
                sis_host->map_close(g);
            }

            sis_host->map_open(g);
            sis_host->key(g, "term");
            sis_host->string(g, taken[i].term);
            sis_host->key(g, "courses");
            sis_host->array_open(g);
        }

        course = NULL;

        if (sis_host->db_get(req, "sis_courses",
                             sis_host->sprintf(req, "%.*s\x1f%.*s\x1f%.*s",
                                               SIS_S(school),
                                               SIS_S(taken[i].term),
                                               SIS_S(taken[i].code)),
                             &value)
            == PF_OK)
        {
            course = sis_host->parse(req, value);
        }

        teacher = sis_host->str(sis_host->get(course, "teacher"));

        sis_host->map_open(g);
        sis_host->key(g, "code");
        sis_host->string(g, taken[i].code);
        sis_host->key(g, "name");
        sis_gen_val(g, sis_host->get(course, "name"));
        sis_host->key(g, "subject");
        sis_gen_val(g, sis_host->get(course, "subject"));
        sis_host->key(g, "credits");
        sis_gen_val(g, sis_host->get(course, "credits"));
        sis_host->key(g, "grade");
        sis_gen_val(g, sis_host->get(taken[i].enr, "grade"));
        sis_host->key(g, "kind");
        sis_gen_val(g, sis_host->get(taken[i].enr, "kind"));
        sis_host->key(g, "teacher");
        sis_gen_val(g, sis_host->get(course, "teacher"));
        sis_host->key(g, "teacher_name");

        if (teacher.len) {
            sis_gen_name(req, g, &names, teacher);

        } else {
            sis_host->null(g);
        }

        sis_host->key(g, "co_teachers");
        sis_host->array_open(g);
        co = sis_host->get(course, "co_teachers");

        for (k = 0; k < sis_host->count(co); k++) {
            sis_host->map_open(g);
            sis_host->key(g, "id");
            sis_gen_val(g, sis_host->at(co, k));
            sis_host->key(g, "name");
            sis_gen_name(req, g, &names, sis_host->str(sis_host->at(co, k)));
            sis_host->map_close(g);
        }

        sis_host->array_close(g);
        sis_host->map_close(g);
    }

    if (n > 0) {
        sis_host->array_close(g);
        sis_host->map_close(g);
    }

    sis_host->array_close(g);
    sis_host->map_close(g);

    return sis_host->reply(req, 200, g);
}


static const pf_route_t  sis_routes[] = {
    { "POST", "/schools/{school}/terms/{term}/import/{kind}",
      PF_ROLE_SCHOOL_ADMIN|PF_ROLE_CITY_ADMIN, PF_SCOPE_SCHOOL,
      PF_ROUTE_WRITE|PF_ROUTE_RAW_BODY, sis_import, SIS_MAX_BODY,
      sis_import_precheck },
    { "GET", "/schools/{school}/terms/{term}/classes",
      PF_ROLE_TEACHER|PF_ROLE_SCHOOL_ADMIN|PF_ROLE_CITY_ADMIN,
      PF_SCOPE_SCHOOL, 0, sis_classes_list, 0, NULL },
    { "GET", "/schools/{school}/terms/{term}/classes/{class}/students",
      PF_ROLE_TEACHER|PF_ROLE_SCHOOL_ADMIN|PF_ROLE_CITY_ADMIN,
      PF_SCOPE_SCHOOL, 0, sis_roster, 0, NULL },
    { "GET", "/students/{student}/record",
      PF_ROLE_STUDENT|PF_ROLE_TEACHER|PF_ROLE_SCHOOL_ADMIN
      |PF_ROLE_CITY_ADMIN|PF_ROLE_PARENT,
      PF_SCOPE_STUDENT, 0, sis_record, 0, NULL },
    { "GET", "/students/{student}/courses",
      PF_ROLE_STUDENT|PF_ROLE_TEACHER|PF_ROLE_SCHOOL_ADMIN
      |PF_ROLE_CITY_ADMIN|PF_ROLE_PARENT,
      PF_SCOPE_STUDENT, 0, sis_courses_list, 0, NULL },
};

static const char *const  sis_dbs[] = {
    "sis_classes", "sis_courses", "sis_enrollments", "sis_rosters",
    "sis_basic", "sis_relidx", "sis_students", NULL
};

static const pf_plugin_t  sis_plugin = {
    PF_ABI_MAJOR, PF_ABI_MINOR, sizeof(pf_plugin_t),
    "sis", "0.1.0",
    sis_dbs,
    sis_routes, sizeof(sis_routes) / sizeof(sis_routes[0]),
    NULL, 0,
    NULL, 0,
};


PF_EXPORT const pf_plugin_t *
pf_plugin_entry(const pf_host_api_t *api, uint32_t host_abi)
{
    /* a host of another major, or older than the calls we use, is refused */
    if ((host_abi >> 16) != PF_ABI_MAJOR || api->size < sizeof(pf_host_api_t))
    {
        return NULL;
    }

    sis_host = api;

    return &sis_plugin;
}
