/*
 * benchkit -- a bench-only plugin (never loaded by scripts/run or the
 * tests): bulk-loads course learning outcomes for scripts/seed, and puts
 * the bench's upload drafts back afterwards for scripts/bench.
 *
 * POST /bench/schools/{school}/terms/{term}/outcomes
 *   {"document": {"sha256","size","mime","ext","name"}}
 *   One transaction: for every student of the term (sis_students) one
 *   outcome per course the student took (sis_enrollments), metadata only,
 *   each document the one stored blob named in the body.  The records are
 *   the student plugin's layout (plugins/README.md), with the indexes the
 *   other plugins keep: outcome_ids, cert_queue (pending), selections
 *   and selected (ticked), usage, and the school's blobs entry; and the
 *   audit entries the plugins write on the way (created, submitted,
 *   decided, published, selected: about 3 per outcome).  Per student and
 *   term, by the course's place k in the enrollment list (k mod 10):
 *     0,1 passed and selected   2,3 passed   4 failed
 *     5,6 pending, undecided    7 pending, decided "pass" (unpublished)
 *     8 draft with the document 9 draft without a file
 *   Refused with 409 when the school and term were loaded already.
 *
 * POST /bench/reset {"students":[…], "document": {…}, "since": ms}
 *   After the upload workloads: every draft of these students whose
 *   document is not the seed's gets the seed's document back, usage is
 *   recounted, and the schools' blobs entries stored since "since" by
 *   these students are removed; answers {"removed":[sha256…]} so the
 *   bench can delete those files.
 *
 * Only city administrators may call either.
 */

#include <string.h>
#include <stdio.h>

#include "pf_common.h"


#define BK_DB_MARK  "benchkit"
#define BK_DAY      (24LL * 3600 * 1000)


/* A JSON text built by hand into one growing buffer. */

typedef struct {
    pf_req_t   *req;
    char       *data;
    size_t      len;
    size_t      cap;
    int         failed;
} bk_buf_t;


static void
bk_add(bk_buf_t *b, const char *s, size_t n)
{
    char    *p;
    size_t   cap;

    if (b->failed) {
        return;
    }

    if (b->len + n > b->cap) {
        cap = b->cap ? b->cap : 1024;

        while (cap < b->len + n) {
            cap *= 2;
        }

        p = pf_host->alloc(b->req, cap);
        if (p == NULL) {
            b->failed = 1;
            return;
        }

        if (b->len) {
            memcpy(p, b->data, b->len);
        }

        b->data = p;
        b->cap = cap;
    }

    memcpy(b->data + b->len, s, n);
    b->len += n;
}


static void
bk_lit(bk_buf_t *b, const char *s)
{
    bk_add(b, s, strlen(s));
}


/* A JSON string of trusted text (ids, names from the import: no quotes,
   backslashes or control characters reach here unescaped). */

static void
bk_str(bk_buf_t *b, pf_str_t s)
{
    size_t  i, start;
    char    esc[8];

    bk_add(b, "\"", 1);
    start = 0;

    for (i = 0; i < s.len; i++) {
        unsigned char  c = (unsigned char) s.data[i];

        if (c == '"' || c == '\\' || c < 0x20) {
            bk_add(b, s.data + start, i - start);
            snprintf(esc, sizeof(esc), "\\u%04x", c);
            bk_add(b, esc, 6);
            start = i + 1;
        }
    }

    bk_add(b, s.data + start, s.len - start);
    bk_add(b, "\"", 1);
}


static void
bk_int(bk_buf_t *b, int64_t n)
{
    char  num[24];

    bk_add(b, num, (size_t) snprintf(num, sizeof(num), "%lld", (long long) n));
}


static pf_str_t
bk_text(bk_buf_t *b)
{
    pf_str_t  s;

    s.data = b->failed ? NULL : b->data;
    s.len = b->failed ? 0 : b->len;

    return s;
}


static pf_str_t
bk_copy(pf_req_t *req, pf_str_t s)
{
    char  *p;

    p = pf_host->alloc(req, s.len + 1);
    if (p == NULL) {
        return (pf_str_t) { 0, NULL };
    }

    memcpy(p, s.data, s.len);
    p[s.len] = '\0';

    return (pf_str_t) { s.len, p };
}


/* The last \x1f-separated part of a key. */

static pf_str_t
bk_last(pf_str_t key)
{
    size_t  i;

    for (i = key.len; i > 0; i--) {
        if (key.data[i - 1] == PF_SEP) {
            break;
        }
    }

    return (pf_str_t) { key.len - i, key.data + i };
}


/* Keys of a prefix scan, copied (values die at the next write). */

typedef struct {
    pf_req_t   *req;
    pf_str_t   *keys;
    pf_str_t   *values;
    size_t      n;
    size_t      cap;
    int         with_values;
    int         failed;
} bk_list_t;


static int
bk_list_cb(void *data, pf_str_t key, pf_str_t value)
{
    bk_list_t  *l = data;
    pf_str_t   *k, *v;
    size_t      cap;

    if (l->n == l->cap) {
        cap = l->cap ? l->cap * 2 : 64;
        k = pf_host->alloc(l->req, cap * sizeof(pf_str_t));
        v = pf_host->alloc(l->req, cap * sizeof(pf_str_t));

        if (k == NULL || v == NULL) {
            l->failed = 1;
            return 1;
        }

        if (l->n) {
            memcpy(k, l->keys, l->n * sizeof(pf_str_t));
            memcpy(v, l->values, l->n * sizeof(pf_str_t));
        }

        l->keys = k;
        l->values = v;
        l->cap = cap;
    }

    l->keys[l->n] = bk_copy(l->req, key);
    l->values[l->n] = l->with_values ? bk_copy(l->req, value)
                                     : (pf_str_t) { 0, NULL };
    l->n++;

    return 0;
}


static int
bk_list(pf_req_t *req, const char *db, pf_str_t prefix, int with_values,
    bk_list_t *l)
{
    memset(l, 0, sizeof(bk_list_t));
    l->req = req;
    l->with_values = with_values;

    if (pf_host->db_scan(req, db, prefix, bk_list_cb, l) != PF_OK
        || l->failed)
    {
        return PF_ERROR;
    }

    return PF_OK;
}


/* The term's courses, parsed once, found by code. */

typedef struct {
    pf_str_t          code;
    const pf_val_t   *rec;
} bk_course_t;


typedef struct {
    bk_course_t  *slots;
    size_t        cap;
} bk_courses_t;


static size_t
bk_hash(pf_str_t s)
{
    size_t  i, h;

    h = 5381;

    for (i = 0; i < s.len; i++) {
        h = h * 33 + (unsigned char) s.data[i];
    }

    return h;
}


static int
bk_courses_load(pf_req_t *req, pf_str_t school, pf_str_t term,
    bk_courses_t *c)
{
    size_t      i, h;
    pf_str_t    code;
    bk_list_t   l;

    if (bk_list(req, "sis_courses", pf_key(req, 3, school, term,
                                           pf_string("")), 1, &l)
        != PF_OK)
    {
        return PF_ERROR;
    }

    c->cap = 16;

    while (c->cap < l.n * 2) {
        c->cap *= 2;
    }

    c->slots = pf_host->alloc(req, c->cap * sizeof(bk_course_t));
    if (c->slots == NULL) {
        return PF_ERROR;
    }

    memset(c->slots, 0, c->cap * sizeof(bk_course_t));

    for (i = 0; i < l.n; i++) {
        code = bk_last(l.keys[i]);
        h = bk_hash(code) & (c->cap - 1);

        while (c->slots[h].code.len) {
            h = (h + 1) & (c->cap - 1);
        }

        c->slots[h].code = code;
        c->slots[h].rec = pf_host->parse(req, l.values[i]);
    }

    return PF_OK;
}


static const pf_val_t *
bk_course(bk_courses_t *c, pf_str_t code)
{
    size_t  h;

    h = bk_hash(code) & (c->cap - 1);

    while (c->slots[h].code.len) {
        if (pf_same(c->slots[h].code, code)) {
            return c->slots[h].rec;
        }

        h = (h + 1) & (c->cap - 1);
    }

    return NULL;
}


static pf_str_t
bk_field(const pf_val_t *rec, const char *name)
{
    return pf_host->str(pf_host->get(rec, name));
}


/* The document metadata from the body, as JSON text; size in *size. */

static pf_str_t
bk_document(pf_req_t *req, const pf_val_t *doc, int64_t *size)
{
    bk_buf_t   b;
    pf_str_t   sha;

    sha = bk_field(doc, "sha256");

    if (sha.len != 64
        || pf_host->integer(pf_host->get(doc, "size"), size) != PF_OK
        || *size <= 0)
    {
        return (pf_str_t) { 0, NULL };
    }

    memset(&b, 0, sizeof(b));
    b.req = req;
    bk_lit(&b, "{\"sha256\":");
    bk_str(&b, sha);
    bk_lit(&b, ",\"size\":");
    bk_int(&b, *size);
    bk_lit(&b, ",\"mime\":");
    bk_str(&b, bk_field(doc, "mime"));
    bk_lit(&b, ",\"ext\":");
    bk_str(&b, bk_field(doc, "ext"));
    bk_lit(&b, ",\"name\":");
    bk_str(&b, bk_field(doc, "name"));
    bk_lit(&b, "}");

    return bk_text(&b);
}


/*
 * The audit entries the plugins would have written for an outcome that
 * reached step k mod 10 (see the top): a city's audit trail holds them,
 * and each durable write inserts beside them, so the bench's writes meet
 * a tree of that size.  "at" and "by" are the seed's own (the time it ran,
 * the administrator who ran it): nothing in the bench reads them.
 */

static int
bk_audit(pf_req_t *req, pf_str_t student, pf_str_t id, pf_str_t term,
    pf_str_t code, pf_str_t course_name, pf_str_t reviewer, int64_t k)
{
    bk_buf_t  name;

#define BK_ID  (int) id.len, id.data

    if (pf_host->audit(req, student, "outcome.created",
                       pf_host->sprintf(req, "{\"id\":\"%.*s\","
                                        "\"term\":\"%.*s\","
                                        "\"code\":\"%.*s\"}", BK_ID,
                                        (int) term.len, term.data,
                                        (int) code.len, code.data))
        != PF_OK)
    {
        return PF_ERROR;
    }

    if (k <= 7
        && pf_host->audit(req, student, "outcome.submitted",
                          pf_host->sprintf(req, "{\"id\":\"%.*s\","
                                           "\"reviewer\":\"%.*s\"}", BK_ID,
                                           (int) reviewer.len, reviewer.data))
           != PF_OK)
    {
        return PF_ERROR;
    }

    if ((k <= 4 || k == 7)
        && pf_host->audit(req, student, "outcome.decided",
                          pf_host->sprintf(req, "{\"id\":\"%.*s\","
                                           "\"result\":\"%s\","
                                           "\"note\":\"\"}", BK_ID,
                                           k == 4 ? "fail" : "pass"))
           != PF_OK)
    {
        return PF_ERROR;
    }

    if (k <= 4
        && pf_host->audit(req, student, "outcome.published",
                          pf_host->sprintf(req, "{\"id\":\"%.*s\","
                                           "\"status\":\"%s\"}", BK_ID,
                                           k == 4 ? "failed" : "passed"))
           != PF_OK)
    {
        return PF_ERROR;
    }

    if (k > 1) {
        return PF_OK;
    }

    /* the course name as a JSON string (names may hold any text) */
    memset(&name, 0, sizeof(name));
    name.req = req;
    bk_str(&name, course_name);
    course_name = bk_text(&name);

    if (course_name.len == 0
        || pf_host->audit(req, student, "outcome.selected",
                          pf_host->sprintf(req, "{\"id\":\"%.*s\","
                                           "\"term\":\"%.*s\","
                                           "\"code\":\"%.*s\","
                                           "\"course_name\":%.*s}",
                                           BK_ID, (int) term.len, term.data,
                                           (int) code.len, code.data,
                                           (int) course_name.len,
                                           course_name.data))
           != PF_OK)
    {
        return PF_ERROR;
    }

#undef BK_ID

    return PF_OK;
}


static const char *const  bk_descriptions[10] = {
    "實驗報告：自由落體與重力加速度的測量",
    "專題小論文：社區老街的變遷與保存",
    "讀書心得：從《論語》看現代人際關係",
    "數學建模：以函數描述校園用電量",
    "英文簡報：介紹臺灣的夜市文化",
    "程式作品：以 Python 分析空氣品質資料",
    "藝術創作：以水彩描繪校園一角",
    "體育成果：籃球運球技巧的自我訓練紀錄",
    "化學實驗：酸鹼滴定與指示劑的選擇",
    "地理踏查：河川流域的土地利用調查",
};


static int
bk_outcomes(pf_req_t *req)
{
    size_t            i, j, k, nstudents, noutcomes;
    int64_t           now, t0, size, ubytes, ufiles;
    pf_str_t          school, term, doc, mark, student, code, id, reviewer;
    pf_str_t          kind, key, text, ekind, sha;
    bk_buf_t          b;
    bk_list_t         students, enrol;
    bk_courses_t      courses;
    const pf_val_t   *course, *body, *u;
    const pf_user_t  *user;

    user = pf_host->user(req);
    school = pf_host->param(req, "school");
    term = pf_host->param(req, "term");
    body = pf_host->body(req);

    if (!pf_valid_id(school) || !pf_valid_id(term)) {
        return pf_host->error(req, 404, "not_found", "no such school or term");
    }

    doc = bk_document(req, pf_host->get(body, "document"), &size);
    sha = bk_field(pf_host->get(body, "document"), "sha256");

    if (doc.len == 0) {
        return pf_host->error(req, 422, "invalid_field",
                              "send {\"document\": {\"sha256\", \"size\", "
                              "\"mime\", \"ext\", \"name\"}}");
    }

    mark = pf_key(req, 2, school, term);

    if (pf_host->db_get(req, BK_DB_MARK, mark, &text) == PF_OK) {
        return pf_host->error(req, 409, "conflict",
                              "outcomes of %.*s %.*s were loaded already",
                              (int) school.len, school.data,
                              (int) term.len, term.data);
    }

    if (bk_list(req, "sis_students", pf_key(req, 3, school, term,
                                            pf_string("")), 0, &students)
        != PF_OK
        || bk_courses_load(req, school, term, &courses) != PF_OK)
    {
        return pf_host->error(req, 503, "storage_unavailable", "cannot read");
    }

    now = pf_host->now_ms(req);
    noutcomes = 0;
    nstudents = 0;

    for (i = 0; i < students.n; i++) {
        student = bk_last(students.keys[i]);

        if (bk_list(req, "sis_enrollments", pf_key(req, 3, student, term,
                                                   pf_string("")), 1, &enrol)
            != PF_OK)
        {
            return pf_host->error(req, 503, "storage_unavailable",
                                  "cannot read enrollments");
        }

        ubytes = 0;
        ufiles = 0;
        k = 0;

        for (j = 0; j < enrol.n; j++) {
            code = bk_last(enrol.keys[j]);
            course = bk_course(&courses, code);

            if (course == NULL) {
                continue;
            }

            reviewer = bk_field(course, "reviewer");
            if (reviewer.len == 0) {
                reviewer = bk_field(course, "teacher");
            }

            ekind = bk_field(pf_host->parse(req, enrol.values[j]), "kind");
            kind = ekind.len ? ekind : bk_field(course, "kind");
            if (kind.len == 0) {
                kind = pf_string("normal");
            }

            id = pf_host->new_id(req);
            if (id.len == 0) {
                return pf_host->error(req, 500, "internal", "no id");
            }

            /* made a month ago, sent a week later, decided after that */
            t0 = now - 30 * BK_DAY + (int64_t) (i * 37 + j) * 1000;

            memset(&b, 0, sizeof(b));
            b.req = req;
            bk_lit(&b, "{\"id\":");
            bk_str(&b, id);
            bk_lit(&b, ",\"student\":");
            bk_str(&b, student);
            bk_lit(&b, ",\"school\":");
            bk_str(&b, school);
            bk_lit(&b, ",\"term\":");
            bk_str(&b, term);
            bk_lit(&b, ",\"code\":");
            bk_str(&b, code);
            bk_lit(&b, ",\"course_name\":");
            bk_str(&b, bk_field(course, "name"));
            bk_lit(&b, ",\"subject\":");
            bk_str(&b, bk_field(course, "subject"));
            bk_lit(&b, ",\"kind\":");
            bk_str(&b, kind);
            bk_lit(&b, ",\"description\":");
            bk_str(&b, pf_cstr(bk_descriptions[(i + k) % 10]));
            bk_lit(&b, ",\"document\":");

            if (k % 10 == 9) {
                bk_lit(&b, "null");

            } else {
                bk_add(&b, doc.data, doc.len);
                ubytes += size;
                ufiles++;
            }

            bk_lit(&b, ",\"media\":null,\"status\":");

            switch (k % 10) {
            case 0: case 1: case 2: case 3:
                bk_lit(&b, "\"passed\"");
                break;
            case 4:
                bk_lit(&b, "\"failed\"");
                break;
            case 5: case 6: case 7:
                bk_lit(&b, "\"pending\"");
                break;
            default:
                bk_lit(&b, "\"draft\"");
            }

            bk_lit(&b, ",\"reviewer\":");
            bk_str(&b, reviewer);

            if (k % 10 <= 4 || k % 10 == 7) {
                bk_lit(&b, k % 10 == 4 ? ",\"decision\":\"fail\""
                                       : ",\"decision\":\"pass\"");
                bk_lit(&b, ",\"note\":\"\",\"decided_by\":");
                bk_str(&b, reviewer);
                bk_lit(&b, ",\"decided_at\":");
                bk_int(&b, t0 + 10 * BK_DAY);

            } else {
                bk_lit(&b, ",\"decision\":null,\"note\":\"\","
                           "\"decided_by\":null,\"decided_at\":null");
            }

            bk_lit(&b, ",\"submitted_at\":");

            if (k % 10 <= 7) {
                bk_int(&b, t0 + 7 * BK_DAY);

            } else {
                bk_lit(&b, "null");
            }

            bk_lit(&b, ",\"published_at\":");

            if (k % 10 <= 4) {
                bk_int(&b, t0 + 11 * BK_DAY);

            } else {
                bk_lit(&b, "null");
            }

            if (k % 10 <= 1) {
                bk_lit(&b, ",\"selected\":true,\"selected_at\":");
                bk_int(&b, t0 + 12 * BK_DAY);

            } else {
                bk_lit(&b, ",\"selected\":false,\"selected_at\":null");
            }

            bk_lit(&b, ",\"created\":");
            bk_int(&b, t0);
            bk_lit(&b, ",\"updated\":");
            bk_int(&b, t0 + 12 * BK_DAY);
            bk_lit(&b, ",\"by\":");
            bk_str(&b, k % 10 <= 1 || k % 10 >= 8 ? student : reviewer);
            bk_lit(&b, "}");

            text = bk_text(&b);
            key = pf_key(req, 2, student, id);

            if (text.len == 0
                || pf_host->db_put(req, "outcomes", key, text) != PF_OK
                || pf_host->db_put(req, "outcome_ids", id,
                                   pf_host->sprintf(req,
                                                    "{\"student\":\"%.*s\"}",
                                                    (int) student.len,
                                                    student.data))
                   != PF_OK)
            {
                return pf_host->error(req, 503, "storage_unavailable",
                                      "cannot store outcomes");
            }

            if (bk_audit(req, student, id, term, code,
                         bk_field(course, "name"), reviewer, k % 10)
                != PF_OK)
            {
                return pf_host->error(req, 503, "storage_unavailable",
                                      "cannot store the audit trail");
            }

            if (k % 10 >= 5 && k % 10 <= 7
                && pf_host->db_put(req, "cert_queue",
                                   pf_key(req, 2, reviewer, id),
                                   pf_host->sprintf(req,
                                                    "{\"student\":\"%.*s\","
                                                    "\"term\":\"%.*s\","
                                                    "\"code\":\"%.*s\"}",
                                                    (int) student.len,
                                                    student.data,
                                                    (int) term.len, term.data,
                                                    (int) code.len, code.data))
                   != PF_OK)
            {
                return pf_host->error(req, 503, "storage_unavailable",
                                      "cannot store the queue");
            }

            if (k % 10 <= 1
                && pf_host->db_put(req, "selections",
                                   pf_key(req, 4, school, term, student, id),
                                   pf_host->sprintf(req,
                                                    "{\"student\":\"%.*s\","
                                                    "\"id\":\"%.*s\","
                                                    "\"term\":\"%.*s\","
                                                    "\"selected_at\":%lld}",
                                                    (int) student.len,
                                                    student.data,
                                                    (int) id.len, id.data,
                                                    (int) term.len, term.data,
                                                    (long long)
                                                    (t0 + 12 * BK_DAY)))
                   != PF_OK)
            {
                return pf_host->error(req, 503, "storage_unavailable",
                                      "cannot store selections");
            }

            /* the selection plugin's by-student index, as its ticks
             * leave it (else the bench's first tick of each student
             * would fill it in from the records) */
            if (k % 10 <= 1
                && pf_host->db_put(req, "selected",
                                   pf_key(req, 3, student, term, id),
                                   pf_host->sprintf(req, "%lld",
                                                    (long long)
                                                    (t0 + 12 * BK_DAY)))
                   != PF_OK)
            {
                return pf_host->error(req, 503, "storage_unavailable",
                                      "cannot store selections");
            }

            k++;
            noutcomes++;
        }

        if (k == 0) {
            continue;
        }

        nstudents++;

        /* the student's "selected" index is complete (selection.c) */
        if (pf_host->db_put(req, "selected", student, pf_string("1"))
            != PF_OK)
        {
            return pf_host->error(req, 503, "storage_unavailable",
                                  "cannot store selections");
        }

        /* usage adds up over the terms loaded */
        u = pf_load(req, "usage", student);

        if (u != NULL) {
            int64_t  n;

            if (pf_host->integer(pf_host->get(u, "bytes"), &n) == PF_OK) {
                ubytes += n;
            }

            if (pf_host->integer(pf_host->get(u, "files"), &n) == PF_OK) {
                ufiles += n;
            }
        }

        if (pf_host->db_put(req, "usage", student,
                            pf_host->sprintf(req, "{\"bytes\":%lld,"
                                             "\"files\":%lld}",
                                             (long long) ubytes,
                                             (long long) ufiles))
            != PF_OK)
        {
            return pf_host->error(req, 503, "storage_unavailable",
                                  "cannot store usage");
        }
    }

    key = pf_key(req, 2, school, sha);

    if (pf_host->db_get(req, "blobs", key, &text) != PF_OK
        && pf_host->db_put(req, "blobs", key,
                           pf_host->sprintf(req, "{\"size\":%lld,"
                                            "\"mime\":\"%.*s\","
                                            "\"at\":%lld,\"by\":\"%.*s\"}",
                                            (long long) size,
                                            (int) bk_field(pf_host->get(body,
                                                     "document"), "mime").len,
                                            bk_field(pf_host->get(body,
                                                                  "document"),
                                                     "mime").data,
                                            (long long) now,
                                            (int) user->id.len, user->id.data))
           != PF_OK)
    {
        return pf_host->error(req, 503, "storage_unavailable",
                              "cannot store the blob entry");
    }

    text = pf_host->sprintf(req, "{\"students\":%zu,\"outcomes\":%zu}",
                            nstudents, noutcomes);

    if (pf_host->db_put(req, BK_DB_MARK, mark, text) != PF_OK
        || pf_host->audit(req, pf_host->sprintf(req, "school/%.*s",
                                                (int) school.len, school.data),
                          "bench.outcomes_loaded", text)
           != PF_OK)
    {
        return pf_host->error(req, 503, "storage_unavailable",
                              "cannot store the mark");
    }

    {
        pf_gen_t  *g = pf_host->gen(req);

        pf_host->map_open(g);
        pf_host->key(g, "students");
        pf_host->number(g, (int64_t) nstudents);
        pf_host->key(g, "outcomes");
        pf_host->number(g, (int64_t) noutcomes);
        pf_host->map_close(g);

        return pf_host->reply(req, 200, g);
    }
}


/* ---- POST /bench/reset ------------------------------------------------ */

static int
bk_reset(pf_req_t *req)
{
    size_t            i, j, nremoved, nreset;
    int64_t           size, since, at, bytes, files, n;
    pf_str_t          doc, sha, student, school, key, text;
    pf_gen_t         *g;
    bk_list_t         outs, blobs;
    const pf_val_t   *body, *list, *rec, *d, *m, *ref;

    static const char *const  skip[] = { "document", NULL };

    body = pf_host->body(req);
    list = pf_host->get(body, "students");
    doc = bk_document(req, pf_host->get(body, "document"), &size);
    sha = bk_field(pf_host->get(body, "document"), "sha256");

    if (doc.len == 0 || pf_host->type(list) != PF_JSON_ARRAY
        || pf_host->integer(pf_host->get(body, "since"), &since) != PF_OK)
    {
        return pf_host->error(req, 422, "invalid_field",
                              "send students, document and since");
    }

    nreset = 0;
    nremoved = 0;

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "removed");
    pf_host->array_open(g);

    for (i = 0; i < pf_host->count(list); i++) {
        student = pf_host->str(pf_host->at(list, i));

        if (!pf_valid_id(student)
            || bk_list(req, "outcomes", pf_key(req, 2, student,
                                               pf_string("")), 1, &outs)
               != PF_OK)
        {
            continue;
        }

        bytes = 0;
        files = 0;
        school = (pf_str_t) { 0, NULL };

        for (j = 0; j < outs.n; j++) {
            rec = pf_host->parse(req, outs.values[j]);
            d = pf_host->get(rec, "document");
            m = pf_host->get(rec, "media");
            school = bk_field(rec, "school");

            if (pf_host->type(d) == PF_JSON_OBJECT
                && pf_eq(bk_field(rec, "status"), "draft")
                && !pf_same(bk_field(d, "sha256"), sha))
            {
                /* the draft gets the seed's document back */
                {
                    pf_gen_t  *r = pf_host->gen(req);

                    pf_host->map_open(r);
                    pf_copy_fields(r, rec, skip);
                    pf_host->key(r, "document");
                    pf_host->raw(r, doc);
                    pf_host->map_close(r);
                    text = pf_host->text(r);
                }

                if (pf_host->db_put(req, "outcomes", outs.keys[j], text)
                    != PF_OK)
                {
                    return pf_host->error(req, 503, "storage_unavailable",
                                          "cannot store");
                }

                bytes += size;
                files++;
                nreset++;

            } else if (pf_host->type(d) == PF_JSON_OBJECT
                       && pf_host->integer(pf_host->get(d, "size"), &n)
                          == PF_OK)
            {
                bytes += n;
                files++;
            }

            if (pf_host->type(m) == PF_JSON_OBJECT
                && pf_host->integer(pf_host->get(m, "size"), &n) == PF_OK)
            {
                bytes += n;
                files++;
            }
        }

        if (pf_host->db_put(req, "usage", student,
                            pf_host->sprintf(req, "{\"bytes\":%lld,"
                                             "\"files\":%lld}",
                                             (long long) bytes,
                                             (long long) files))
            != PF_OK)
        {
            return pf_host->error(req, 503, "storage_unavailable",
                                  "cannot store usage");
        }

        if (school.len == 0
            || bk_list(req, "blobs", pf_key(req, 2, school, pf_string("")),
                       1, &blobs)
               != PF_OK)
        {
            continue;
        }

        for (j = 0; j < blobs.n; j++) {
            ref = pf_host->parse(req, blobs.values[j]);

            if (!pf_same(bk_field(ref, "by"), student)
                || pf_host->integer(pf_host->get(ref, "at"), &at) != PF_OK
                || at < since
                || pf_same(bk_last(blobs.keys[j]), sha))
            {
                continue;
            }

            key = blobs.keys[j];

            if (pf_host->db_del(req, "blobs", key) == PF_ERROR) {
                return pf_host->error(req, 503, "storage_unavailable",
                                      "cannot remove");
            }

            pf_host->string(g, bk_last(key));
            nremoved++;
        }
    }

    pf_host->array_close(g);
    pf_host->key(g, "reset");
    pf_host->number(g, (int64_t) nreset);
    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}


static const pf_route_t  bk_routes[] = {
    { .method = "POST",
      .path = "/bench/schools/{school}/terms/{term}/outcomes",
      .roles = PF_ROLE_CITY_ADMIN, .scope = PF_SCOPE_CITY,
      .flags = PF_ROUTE_WRITE, .handler = bk_outcomes },
    { .method = "POST", .path = "/bench/reset", .roles = PF_ROLE_CITY_ADMIN,
      .scope = PF_SCOPE_CITY, .flags = PF_ROUTE_WRITE, .handler = bk_reset,
      .max_body = 1024 * 1024 },
};

/*
 * Its own marks, and every other database ("*"): it writes what the
 * plugins would have written (outcomes, queues, indexes, the core's file
 * index), so nginx.conf.in lists it with "all_databases".  Bench only.
 */
static const pf_db_t  bk_dbs[] = {
    { .name = BK_DB_MARK, .access = PF_DB_OWN },
    { .name = "*", .access = PF_DB_WRITE },
};

PF_PLUGIN(.name = "benchkit", .version = "1.0",
          PF_DATABASES(bk_dbs), PF_ROUTES(bk_routes))
