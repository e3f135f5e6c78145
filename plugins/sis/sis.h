/*
 * sis.h -- shared by the files of the sis plugin (school information
 * system data: SPEC S1, P1, P2).  Not part of the ABI: only this plugin
 * includes it.
 */

#ifndef SIS_H
#define SIS_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

#include "portfolio_plugin.h"


#define SIS_MAX_FIELDS      8
#define SIS_MAX_ERRORS      100          /* errors listed in a 422 */
#define SIS_MAX_BODY        (32 * 1024 * 1024)

/* "%.*s" arguments for a pf_str_t */
#define SIS_S(s)            (int) (s).len, (s).data


extern const pf_host_api_t  *sis_host;


/* A JSON text built by hand: records are small and many, and a yajl
   generator per record would cost kilobytes each. */

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
void sis_buf_value(sis_buf_t *b, const pf_val_t *v);
pf_str_t sis_buf_text(sis_buf_t *b);


/* A string-keyed hash map in the request's memory. */

typedef struct {
    pf_str_t        key;
    void           *value;
} sis_slot_t;

typedef struct {
    pf_req_t       *req;
    sis_slot_t     *slots;
    size_t          cap;
    size_t          n;
} sis_map_t;

int sis_map_init(sis_map_t *m, pf_req_t *req, size_t hint);
void *sis_map_get(sis_map_t *m, pf_str_t key, int *found);
int sis_map_put(sis_map_t *m, pf_str_t key, void *value);


/* Small checks and helpers (sis_util.c). */

int sis_eq(pf_str_t a, const char *b);
int sis_same(pf_str_t a, pf_str_t b);
pf_str_t sis_copy(pf_req_t *req, pf_str_t s);
pf_str_t sis_trim(pf_str_t s);
pf_str_t sis_clip(pf_str_t s, size_t max);
int sis_term_ok(pf_str_t term);
int sis_is_id(pf_str_t s, size_t max);
int sis_is_digits(pf_str_t s, size_t min, size_t max);
int sis_uint(pf_str_t s, int64_t max, int64_t *out);
int sis_utf8_ok(const char *p, size_t len);
int sis_has_ctl(pf_str_t s);
int sis_nid_check(pf_str_t s);
int sis_grade(pf_req_t *req, pf_str_t s, pf_str_t *out);
int sis_date(pf_req_t *req, pf_str_t s, pf_str_t *out);
int sis_has_role(const pf_val_t *user, const char *role);
const char *sis_kind_ok(pf_str_t kind);

#define SIS_NID_OK          0
#define SIS_NID_FORMAT      1
#define SIS_NID_CHECKSUM    2


/* One data row of an import, by the kind's field numbers. */

typedef struct {
    pf_str_t        v[SIS_MAX_FIELDS];
    size_t          row;         /* 1-based data row; the header is 0 */
    uint32_t        bad;         /* fields already reported: no more checks */
} sis_row_t;

typedef struct {
    size_t          row;
    size_t          seq;         /* keeps a row's errors in field order */
    const char     *field;
    pf_str_t        message;
} sis_err_t;

typedef struct sis_import_s  sis_import_t;

typedef struct {
    const char          *name;
    const char *const   *fields;
    uint32_t             required;     /* bit i: fields[i] must be given */
    int                (*check)(sis_import_t *im);
    int                (*apply)(sis_import_t *im);
} sis_kind_t;

struct sis_import_s {
    pf_req_t            *req;
    const sis_kind_t    *kind;
    size_t               nfields;
    pf_str_t             school;
    pf_str_t             term;
    pf_str_t             by;
    int64_t              now;

    sis_row_t           *rows;
    size_t               nrows;
    size_t               cap;

    uint32_t             missing;      /* required columns the header lacks */

    sis_err_t           *errors;       /* sorted by row when answered */
    size_t               nerrors;      /* all of them */
    size_t               nstored;
    size_t               errcap;

    void                *aux;          /* what the kind's check resolved */

    sis_map_t            teachers;     /* reference -> sis_teacher_t */
    sis_map_t            students;     /* this term's, id -> record text */
    sis_map_t            courses;      /* this term's, code -> sis_course_t */
    sis_map_t            classes;      /* this term's, class -> homeroom */
    unsigned             students_loaded:1;
    unsigned             courses_loaded:1;
    unsigned             classes_loaded:1;

    size_t               created;
    size_t               updated;
};

typedef struct {
    pf_str_t             code;
    pf_str_t             kind;
    pf_str_t             teacher;
    pf_str_t            *co;
    size_t               nco;
    const pf_val_t      *rec;          /* the stored record, parsed */
} sis_course_t;


/* sis_csv.c: the body into rows */
int sis_rows_csv(sis_import_t *im, pf_str_t body);
int sis_rows_json(sis_import_t *im, const pf_val_t *body);
void sis_error(sis_import_t *im, size_t row, const char *field,
    const char *fmt, ...);

/* sis_import.c */
const sis_kind_t *sis_kind_find(pf_str_t name);
int sis_import_precheck(pf_req_t *req);
int sis_import(pf_req_t *req);

/* sis_store.c: what imports and reads share */
int sis_load_students(sis_import_t *im);
int sis_load_courses(sis_import_t *im);
int sis_load_classes(sis_import_t *im);
int sis_load_course_map(pf_req_t *req, pf_str_t school, pf_str_t term,
    sis_map_t *map);
int sis_collect(pf_req_t *req, const char *db, pf_str_t prefix,
    pf_str_t **keys, pf_str_t **values, size_t *n);

#endif /* SIS_H */
