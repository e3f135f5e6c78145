/*
 * sis_csv.c -- an import's body into rows: CSV as school systems and
 * spreadsheets export it (UTF-8, optional BOM, a header row naming the
 * fields, quoted fields with "" escapes and embedded commas and newlines,
 * CRLF or LF), or JSON (an array of row objects, or {"rows": [...]}).
 *
 * Rows are numbered as the admin sees them: the Nth record after the
 * header (blank ones count but are skipped), or the Nth array element.
 */

#include <string.h>
#include <stdio.h>

#include "sis.h"


#define SIS_MAX_COLUMNS   256
#define SIS_MAX_VALUE     300       /* bytes; a list of teachers 2000 */
#define SIS_MAX_LIST      2000


typedef struct {
    const char     *p;
    const char     *last;
    pf_str_t       *fields;
    size_t          n;
} sis_csv_t;


/* Adds one error; the answer lists the first SIS_MAX_ERRORS by row. */

void
sis_error(sis_import_t *im, size_t row, const char *field,
    const char *fmt, ...)
{
    int         n;
    char        buf[512];
    size_t      len, cap;
    va_list     args;
    sis_err_t  *e;

    im->nerrors++;

    /* enough to sort out the first rows' errors of any file */
    if (im->nstored == 100000) {
        return;
    }

    if (im->nstored == im->errcap) {
        cap = im->errcap ? im->errcap * 2 : 32;
        e = pf_host->alloc(im->req, cap * sizeof(sis_err_t));
        if (e == NULL) {
            return;
        }

        if (im->errcap) {
            memcpy(e, im->errors, im->errcap * sizeof(sis_err_t));
        }

        im->errors = e;
        im->errcap = cap;
    }

    va_start(args, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, args);
    va_end(args);

    len = n < 0 ? 0 : (size_t) n < sizeof(buf) ? (size_t) n : sizeof(buf) - 1;

    /* a cut message must still be UTF-8 for the generator */
    while (len && !sis_utf8_ok(buf, len)) {
        len--;
    }

    e = &im->errors[im->nstored++];
    e->row = row;
    e->seq = im->nstored;
    e->field = field ? field : "";
    e->message = pf_copy(im->req, (pf_str_t) { len, buf });
}


static sis_row_t *
sis_row_add(sis_import_t *im, size_t rowno)
{
    size_t      cap;
    sis_row_t  *rows, *row;

    if (im->nrows == im->cap) {
        cap = im->cap ? im->cap * 2 : 64;
        rows = pf_host->alloc(im->req, cap * sizeof(sis_row_t));
        if (rows == NULL) {
            return NULL;
        }

        if (im->nrows) {
            memcpy(rows, im->rows, im->nrows * sizeof(sis_row_t));
        }

        im->rows = rows;
        im->cap = cap;
    }

    row = &im->rows[im->nrows++];
    memset(row, 0, sizeof(sis_row_t));
    row->row = rowno;

    return row;
}


/* What every value must be, whatever the kind: one line of UTF-8. */

static void
sis_value_set(sis_import_t *im, sis_row_t *row, size_t i, pf_str_t v)
{
    size_t  max;

    v = sis_trim(v);
    max = strcmp(im->kind->fields[i], "co_teachers") == 0 ? SIS_MAX_LIST
                                                          : SIS_MAX_VALUE;

    if (!sis_utf8_ok(v.data, v.len)) {
        sis_error(im, row->row, im->kind->fields[i],
                  "is not UTF-8 text (save the file as \"CSV UTF-8\")");

    } else if (sis_has_ctl(v)) {
        sis_error(im, row->row, im->kind->fields[i],
                  "holds control characters");

    } else if (v.len > max) {
        sis_error(im, row->row, im->kind->fields[i],
                  "is longer than %zu bytes", max);

    } else {
        row->v[i] = v;
        return;
    }

    row->bad |= 1u << i;
    row->v[i] = (pf_str_t) { 0, "" };
}


/*
 * One record from c->p into c->fields.  Returns 1 for a record, 0 at the
 * end of the body, -1 on a quoting error (message in *err).
 */

static int
sis_csv_record(sis_import_t *im, sis_csv_t *c, const char **err)
{
    char        *out, *o;
    size_t       escapes;
    const char  *p, *last, *start, *q;

    p = c->p;
    last = c->last;
    c->n = 0;

    if (p >= last) {
        return 0;
    }

    for ( ;; ) {
        if (c->n == SIS_MAX_COLUMNS) {
            *err = "has more than 256 fields";
            return -1;
        }

        /* spaces before an opening quote do not make it a plain field */
        q = p;

        while (q < last && (*q == ' ' || *q == '\t')) {
            q++;
        }

        if (q < last && *q == '"') {
            start = ++q;
            escapes = 0;

            for ( ;; ) {
                while (q < last && *q != '"') {
                    q++;
                }

                if (q >= last) {
                    *err = "has a quoted field that is not closed";
                    return -1;
                }

                if (q + 1 < last && q[1] == '"') {
                    escapes++;
                    q += 2;
                    continue;
                }

                break;
            }

            if (escapes == 0) {
                c->fields[c->n] = (pf_str_t) { (size_t) (q - start), start };

            } else {
                out = pf_host->alloc(im->req, (size_t) (q - start));
                if (out == NULL) {
                    *err = "could not be read (out of memory)";
                    return -1;
                }

                for (o = out, p = start; p < q; p++) {
                    *o++ = *p;

                    if (*p == '"') {
                        p++;            /* "" is one quote */
                    }
                }

                c->fields[c->n] = (pf_str_t) { (size_t) (o - out), out };
            }

            p = q + 1;

            while (p < last && (*p == ' ' || *p == '\t')) {
                p++;
            }

            if (p < last && *p != ',' && *p != '\r' && *p != '\n') {
                *err = "has text after a closing quote";
                return -1;
            }

        } else {
            start = p;

            while (p < last && *p != ',' && *p != '\r' && *p != '\n') {
                p++;
            }

            c->fields[c->n] = (pf_str_t) { (size_t) (p - start), start };
        }

        c->n++;

        if (p < last && *p == ',') {
            p++;
            continue;
        }

        break;
    }

    if (p < last && *p == '\r') {
        p++;
    }

    if (p < last && *p == '\n') {
        p++;
    }

    c->p = p;

    return 1;
}


static int
sis_csv_blank(sis_csv_t *c)
{
    size_t  i;

    for (i = 0; i < c->n; i++) {
        if (sis_trim(c->fields[i]).len) {
            return 0;
        }
    }

    return 1;
}


static int
sis_name_is(pf_str_t s, const char *name)
{
    size_t  i, len;
    char    a;

    len = strlen(name);

    if (s.len != len) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        a = s.data[i];

        if (a >= 'A' && a <= 'Z') {
            a += 'a' - 'A';
        }

        if (a != name[i]) {
            return 0;
        }
    }

    return 1;
}


int
sis_rows_csv(sis_import_t *im, pf_str_t body)
{
    int          rc, *col, f;
    size_t       i, ncols, rowno;
    uint32_t     seen;
    pf_str_t     name;
    sis_csv_t    c;
    sis_row_t   *row;
    const char  *err;

    c.p = body.data;
    c.last = body.data + body.len;
    c.fields = pf_host->alloc(im->req, SIS_MAX_COLUMNS * sizeof(pf_str_t));

    if (c.fields == NULL) {
        return PF_ERROR;
    }

    if (body.len >= 3 && memcmp(body.data, "\xef\xbb\xbf", 3) == 0) {
        c.p += 3;
    }

    /* the header: which column is which field; others are ignored */
    err = NULL;
    rc = sis_csv_record(im, &c, &err);

    if (rc <= 0 || sis_csv_blank(&c)) {
        if (rc < 0) {
            sis_error(im, 0, "", "the header %s", err);

        } else {
            sis_error(im, 0, "", "the first line must name the fields: %s",
                      "see the import's documentation");
        }

        return PF_OK;
    }

    ncols = c.n;
    col = pf_host->alloc(im->req, ncols * sizeof(int));
    if (col == NULL) {
        return PF_ERROR;
    }

    seen = 0;

    for (i = 0; i < ncols; i++) {
        col[i] = -1;
        name = sis_trim(c.fields[i]);

        for (f = 0; im->kind->fields[f]; f++) {
            if (sis_name_is(name, im->kind->fields[f])) {
                break;
            }
        }

        if (im->kind->fields[f] == NULL) {
            continue;
        }

        if (seen & (1u << f)) {
            sis_error(im, 0, im->kind->fields[f],
                      "the header names this column twice");
            continue;
        }

        seen |= 1u << f;
        col[i] = f;
    }

    for (f = 0; im->kind->fields[f]; f++) {
        if ((im->kind->required & (1u << f)) && !(seen & (1u << f))) {
            sis_error(im, 0, im->kind->fields[f],
                      "the header has no column \"%s\"",
                      im->kind->fields[f]);
            im->missing |= 1u << f;
        }
    }

    for (rowno = 1; ; rowno++) {
        rc = sis_csv_record(im, &c, &err);

        if (rc == 0) {
            break;
        }

        if (rc < 0) {
            /* the rest cannot be split into records reliably */
            sis_error(im, rowno, "", "the row %s", err);
            break;
        }

        if (sis_csv_blank(&c)) {
            continue;
        }

        row = sis_row_add(im, rowno);
        if (row == NULL) {
            return PF_ERROR;
        }

        for (i = ncols; i < c.n; i++) {
            if (sis_trim(c.fields[i]).len) {
                sis_error(im, rowno, "", "has %zu fields; the header has %zu",
                          c.n, ncols);
                break;
            }
        }

        for (i = 0; i < ncols && i < c.n; i++) {
            if (col[i] >= 0) {
                sis_value_set(im, row, (size_t) col[i], c.fields[i]);
            }
        }
    }

    return PF_OK;
}


/* JSON: strings and numbers as they are; co_teachers may be an array. */

int
sis_rows_json(sis_import_t *im, const pf_val_t *body)
{
    int              t;
    size_t           i, k, n, f;
    sis_buf_t        list;
    sis_row_t       *row;
    const pf_val_t  *rows, *item, *v, *e;

    rows = body;

    if (pf_host->type(body) == PF_JSON_OBJECT) {
        rows = pf_host->get(body, "rows");
    }

    if (pf_host->type(rows) != PF_JSON_ARRAY) {
        sis_error(im, 0, "", "send an array of rows, or {\"rows\": [...]}");
        return PF_OK;
    }

    n = pf_host->count(rows);

    for (i = 0; i < n; i++) {
        item = pf_host->at(rows, i);

        if (pf_host->type(item) != PF_JSON_OBJECT) {
            sis_error(im, i + 1, "", "a row must be an object");
            continue;
        }

        row = sis_row_add(im, i + 1);
        if (row == NULL) {
            return PF_ERROR;
        }

        for (f = 0; im->kind->fields[f]; f++) {
            v = pf_host->get(item, im->kind->fields[f]);
            t = pf_host->type(v);

            if (t == PF_JSON_STRING || t == PF_JSON_NUMBER) {
                sis_value_set(im, row, f, pf_host->str(v));
                continue;
            }

            if (t == -1 || t == PF_JSON_NULL) {
                continue;
            }

            if (t == PF_JSON_ARRAY
                && strcmp(im->kind->fields[f], "co_teachers") == 0)
            {
                sis_buf_init(&list, im->req, 64);

                for (k = 0; k < pf_host->count(v); k++) {
                    e = pf_host->at(v, k);

                    if (pf_host->type(e) != PF_JSON_STRING
                        && pf_host->type(e) != PF_JSON_NUMBER)
                    {
                        break;
                    }

                    if (k) {
                        sis_buf_add(&list, ";", 1);
                    }

                    sis_buf_add(&list, pf_host->str(e).data,
                                pf_host->str(e).len);
                }

                if (k == pf_host->count(v) && !list.failed) {
                    sis_value_set(im, row, f, sis_buf_text(&list));
                    continue;
                }
            }

            sis_error(im, i + 1, im->kind->fields[f], "%s",
                      t == PF_JSON_ARRAY
                      && strcmp(im->kind->fields[f], "co_teachers") == 0
                      ? "must be a list of teachers"
                      : "must be text or a number");
            row->bad |= 1u << f;
        }
    }

    return PF_OK;
}
