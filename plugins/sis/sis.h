/*
 * sis.h -- shared by the files of the sis plugin (school information
 * system data: SPEC S1, A1, P1, P2).  Not part of the ABI: only this
 * plugin includes it.
 *
 *   sis.c              the plugin: databases and routes
 *   sis_read.c         classes, rosters, the P1 record, the P2 courses
 *   sis_import.c       POST .../import/{kind} and .../preview: the kinds,
 *                      the handlers, the answers
 *   sis_csv.c          an import's body into rows; the columns' names
 *   sis_text.c         what the body is: Excel, UTF-16, Big5 (iconv)
 *   sis_refs.c         what a row names: students, teachers, IDs
 *   sis_accounts.c     the accounts an import makes (host user calls)
 *   sis_relations.c    the relations an import gives (host relation calls)
 *   sis_kind_people.c  students, teachers
 *   sis_kind_courses.c classes, courses, enrollments
 *   sis_kind_basic.c   cadres, attendance, rewards (sis_basic), counselors
 *   sis_store.c        a term's stored data read into maps; the writes,
 *                      counted (and only counted in a preview)
 *   sis_buf.c          the JSON text builder of records
 *   sis_fields.c       the field rules: national ID, grades, dates, ...
 */

#ifndef SIS_H
#define SIS_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

#include "pf_common.h"
#include "pf_scan.h"


#define SIS_MAX_FIELDS      8
#define SIS_MAX_ERRORS      100          /* errors listed in a 422 */
#define SIS_MAX_BODY        (32 * 1024 * 1024)
#define SIS_MAX_CLASS       32           /* a class code's bytes */

#define SIS_BIT(f)          (1u << (f))


/*
 * A JSON text built by hand (sis_buf.c), still the fast path of imports:
 * an import writes thousands of small records and account field sets in
 * one request, and the host's generator (pf_host->gen) mallocs a yajl
 * generator of kilobytes per text that lives until the request ends and
 * checks every string's UTF-8, which the import has done once already
 * (sis_csv.c).  This costs one pool block per text.  Measured on a school
 * of 2,500 students, best of 10: creating their accounts 49 ms with the
 * field sets built here, 65 ms with the host's generator; updating them
 * 82 ms and 102 ms.
 */

typedef struct {
    pf_req_t       *req;
    char           *data;
    size_t          len;
    size_t          cap;
    int             comma;       /* a value came last: the next needs "," */
    int             failed;
} sis_buf_t;

void sis_buf_init(sis_buf_t *b, pf_req_t *req, size_t cap);
void sis_buf_add(sis_buf_t *b, const char *s, size_t n);
void sis_buf_open(sis_buf_t *b, char c);
void sis_buf_close(sis_buf_t *b, char c);
void sis_buf_key(sis_buf_t *b, const char *key);
void sis_buf_jkey(sis_buf_t *b, pf_str_t key);
void sis_buf_str(sis_buf_t *b, pf_str_t s);
void sis_buf_cstr(sis_buf_t *b, const char *s);
void sis_buf_int(sis_buf_t *b, int64_t n);
void sis_buf_rawval(sis_buf_t *b, pf_str_t json);
void sis_buf_null(sis_buf_t *b);
void sis_buf_opt(sis_buf_t *b, const char *key, pf_str_t v);
void sis_buf_value(sis_buf_t *b, const pf_val_t *v);
pf_str_t sis_buf_text(sis_buf_t *b);


/* The field rules (sis_fields.c). */

pf_str_t sis_trim(pf_str_t s);
int sis_is_digits(pf_str_t s, size_t min, size_t max);
int sis_class_ok(pf_str_t s);
int sis_uint(pf_str_t s, int64_t max, int64_t *out);
int sis_utf8_ok(const char *p, size_t len);
size_t sis_utf8_len(const char *p, size_t len);
int sis_has_ctl(pf_str_t s);
int sis_nid_check(pf_str_t s);
pf_str_t sis_nid_upper(pf_req_t *req, pf_str_t s);
int sis_nid_shaped(pf_str_t s);
int sis_grade(pf_req_t *req, pf_str_t s, pf_str_t *out);
int sis_date(pf_req_t *req, pf_str_t s, pf_str_t *out);
const char *sis_kind_ok(pf_str_t kind);
pf_str_t sis_term_words(pf_req_t *req, pf_str_t term);
int sis_check_term(pf_req_t *req, pf_str_t term);

#define SIS_NID_OK          0
#define SIS_NID_FORMAT      1
#define SIS_NID_CHECKSUM    2


/* One data row of an import, by the kind's field numbers. */

typedef struct {
    pf_str_t        v[SIS_MAX_FIELDS];
    size_t          row;         /* as a spreadsheet numbers it: the CSV
                                    header is row 1; a JSON element's
                                    number from 1 */
    uint32_t        bad;         /* fields already reported: no more checks */
} sis_row_t;

#define SIS_NO_FIELD        (-1)

typedef struct {
    size_t          row;
    size_t          seq;         /* keeps a row's errors in field order */
    int             f;           /* the kind's field, or SIS_NO_FIELD */
    pf_str_t        message;
} sis_err_t;

typedef struct sis_import_s  sis_import_t;

typedef struct {
    const char          *name;
    const char *const   *fields;       /* the documented (English) names */
    const char *const   *zh;           /* each field's Chinese names, as
                                          school systems write them, "|"
                                          between them; the first is the
                                          templates' */
    uint32_t             required;     /* bit i: fields[i] must be given */
    uint32_t             optional;     /* bit i: a CSV may lack the column;
                                          every other column must be in
                                          the header */
    int                (*check)(sis_import_t *im);
    int                (*apply)(sis_import_t *im);
} sis_kind_t;

/* What an import adds, changes and removes of the kind's records. */
typedef struct {
    size_t          added;
    size_t          changed;
    size_t          removed;
    size_t          unchanged;
} sis_counts_t;

/* An account whose name the file changes (SPEC A1: never silently). */
typedef struct {
    size_t          row;
    pf_str_t        id;
    pf_str_t        from;
    pf_str_t        to;
} sis_rename_t;

struct sis_import_s {
    pf_req_t            *req;
    const sis_kind_t    *kind;
    size_t               nfields;
    pf_str_t             school;
    pf_str_t             term;
    pf_str_t             prefix;       /* "school␟term␟": the term's keys */

    sis_row_t           *rows;
    size_t               nrows;
    size_t               cap;

    pf_str_t             col[SIS_MAX_FIELDS];  /* each field's column as
                                                  the file names it */
    uint32_t             missing;      /* columns the header lacks */
    const char          *encoding;     /* "utf-8", "big5"; NULL: JSON */

    /* a refusal of the whole file (an Excel workbook, an encoding) */
    int                  file_status;
    const char          *file_code;
    pf_str_t             file_message;

    sis_err_t           *errors;       /* sorted by row when answered */
    size_t               nerrors;      /* all of them */
    size_t               nstored;
    size_t               errcap;
    size_t               not_in_term;  /* rows naming a student the term's
                                          list lacks */

    void                *aux;          /* what the kind's check resolved */

    pf_map_t             accounts;     /* id -> sis_known_t (sis_accounts.c) */
    pf_map_t             teachers;     /* reference -> what it names */
    pf_map_t             students;     /* this term's, id -> record text */
    pf_map_t             courses;      /* this term's, code -> sis_course_t */
    pf_map_t             classes;      /* this term's, class -> homeroom */
    unsigned             students_loaded:1;
    unsigned             courses_loaded:1;
    unsigned             classes_loaded:1;

    unsigned             zh:1;         /* the header names a column in
                                          Chinese: so do the messages */
    unsigned             dry:1;        /* a preview: count, write nothing */
    unsigned             confirm_remove:1;   /* ?confirm=remove */
    unsigned             confirm_rename:1;   /* ?confirm=rename */
    unsigned             scope_classes:1;    /* ?scope=classes (students) */

    /* the kind's records, counted as they are written (sis_store.c) */
    const char          *track_db;
    pf_str_t             track_prefix;
    pf_map_t             track;        /* key -> sis_change_t */
    unsigned             cleared:1;    /* every stored key was deleted
                                          (and counted): any other is
                                          new, no need to read it */
    void               **changes;
    size_t               nchanges;
    size_t               changecap;
    sis_counts_t         records;

    /* students: the term's list before and after (sis_kind_people.c) */
    size_t               term_before;  /* students in the term's list */
    size_t               leaving;      /* ... who would leave it */
    size_t               kept;         /* ... in classes the file does not
                                          name (?scope=classes) */
    pf_list_t            named;        /* the classes the file names */
    pf_map_t             affected;     /* students whose homeroom changes */

    sis_rename_t        *renames;
    size_t               nrenames;
    size_t               renamecap;

    size_t               created;
    size_t               updated;
};

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
    pf_str_t             code;
    pf_str_t             kind;
    pf_str_t             teacher;
    pf_str_t            *co;
    size_t               nco;
    const pf_val_t      *rec;          /* the stored record, parsed */
} sis_course_t;

/* the account fields an import sets */
typedef struct {
    uint32_t        role;        /* PF_ROLE_* it gains */
    pf_str_t        name;        /* empty: keep */
    pf_str_t        klass;       /* students only */
    pf_str_t        number;
    int64_t         seat;        /* -1: keep */
    pf_str_t        nid;         /* a new account's initial password */
} sis_acct_t;


/* sis_read.c: the read routes */
int sis_classes_list(pf_req_t *req);
int sis_roster(pf_req_t *req);
int sis_record(pf_req_t *req);
int sis_courses_list(pf_req_t *req);

/* sis_import.c */
int sis_import_precheck(pf_req_t *req);
int sis_import(pf_req_t *req);
int sis_import_preview(pf_req_t *req);

/* the kinds (sis_kind_*.c) */
extern const sis_kind_t  sis_kind_students;
extern const sis_kind_t  sis_kind_teachers;
extern const sis_kind_t  sis_kind_classes;
extern const sis_kind_t  sis_kind_courses;
extern const sis_kind_t  sis_kind_enrollments;
extern const sis_kind_t  sis_kind_cadres;
extern const sis_kind_t  sis_kind_attendance;
extern const sis_kind_t  sis_kind_rewards;
extern const sis_kind_t  sis_kind_counselors;

/* sis_csv.c: the body into rows */
int sis_rows_csv(sis_import_t *im, pf_str_t body);
int sis_rows_json(sis_import_t *im, const pf_val_t *body);
void sis_error(sis_import_t *im, size_t row, int f, const char *fmt, ...)
    PF_PRINTF(4, 5);
pf_str_t sis_column(const sis_import_t *im, int f);

/* sis_text.c: what the body is, in UTF-8 */
const char *sis_text_check(const pf_host_api_t *host);
int sis_text(sis_import_t *im, pf_str_t body, pf_str_t *text);

/* sis_refs.c: what a row names */
#define SIS_NEED_STUDENTS   0x1
#define SIS_NEED_COURSES    0x2
#define SIS_NEED_CLASSES    0x4

int sis_given(sis_row_t *row, size_t f);
void sis_bad(sis_import_t *im, sis_row_t *row, size_t f, const char *fmt,
    pf_str_t value);
sis_res_t *sis_check_start(sis_import_t *im, pf_map_t *seen,
    unsigned need);
size_t sis_dup(sis_import_t *im, pf_map_t *seen, pf_str_t key,
    sis_row_t *row);
int sis_student_ref(sis_import_t *im, sis_row_t *row, size_t f,
    pf_str_t *id);
int sis_teacher_ref(sis_import_t *im, sis_row_t *row, size_t f,
    pf_str_t ref, pf_str_t *id);
int sis_nid_field(sis_import_t *im, sis_row_t *row, size_t f);
int sis_a1_shared(sis_import_t *im, pf_str_t a1);

/* sis_accounts.c */
const pf_val_t *sis_account_get(sis_import_t *im, pf_str_t id);
int sis_account(sis_import_t *im, pf_str_t id, const sis_acct_t *a);
int sis_rename_check(sis_import_t *im, sis_row_t *row, pf_str_t id,
    const pf_val_t *user, pf_str_t name);
int sis_add_role(sis_import_t *im, pf_str_t id, uint32_t role);

/* sis_relations.c */
int sis_rel_clear(sis_import_t *im, uint32_t kind, pf_map_t *only);
int sis_rel_add(sis_import_t *im, uint32_t kind, pf_str_t viewer,
    pf_str_t student);
int sis_rel_start(sis_import_t *im, uint32_t kind);
int sis_homeroom_add(sis_import_t *im, pf_str_t student, pf_str_t klass);
int sis_rebuild_homeroom(sis_import_t *im);
int sis_course_add(sis_import_t *im, pf_str_t code, pf_str_t student);
int sis_rebuild_course(sis_import_t *im);

/* sis_store.c: what imports and reads share */
int sis_put(sis_import_t *im, const char *db, pf_str_t key, sis_buf_t *b);
int sis_db_put(sis_import_t *im, const char *db, pf_str_t key,
    pf_str_t value);
int sis_db_del(sis_import_t *im, const char *db, pf_str_t key,
    const pf_str_t *old);
int sis_track(sis_import_t *im, const char *db, pf_str_t prefix);
void sis_track_count(sis_import_t *im);
void sis_term_record(sis_import_t *im, sis_buf_t *b, size_t cap,
    const char *key, pf_str_t value);
int sis_clear(sis_import_t *im, const char *db);
int sis_roster_key(sis_import_t *im, pf_str_t key, pf_str_t *code,
    pf_str_t *student);
int sis_load_students(sis_import_t *im);
int sis_load_courses(sis_import_t *im);
int sis_load_classes(sis_import_t *im);

#endif /* SIS_H */
