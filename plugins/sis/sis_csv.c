/*
 * sis_csv.c -- an import's body into rows: CSV as school systems and
 * spreadsheets export it (UTF-8 with or without a BOM, or Big5:
 * sis_text.c; a header row naming the columns in English or as the
 * school information system does, 學號, 身分證統一編號 ...; quoted fields
 * with "" escapes and embedded commas and newlines, CRLF or LF), or JSON
 * (an array of row objects, or {"rows": [...]}, with the English names).
 *
 * Rows are numbered as a spreadsheet shows them: the header is row 1 and
 * the first record after it row 2 (blank ones count but are skipped; a
 * quoted line break stays in its row); a JSON row is its element's
 * number from 1.  A message names the column as the file does.
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


/* The column of field f as the file names it (or would, in its
   language, if it lacks it). */

pf_str_t
sis_column(const sis_import_t *im, int f)
{
    const char  *zh, *bar;

    if (f < 0) {
        return pf_string("");
    }

    if (im->col[f].len) {
        return im->col[f];
    }

    if (!im->zh) {
        return pf_cstr(im->kind->fields[f]);
    }

    zh = im->kind->zh[f];
    bar = strchr(zh, '|');

    return (pf_str_t) { bar ? (size_t) (bar - zh) : strlen(zh), zh };
}


/*
 * Adds one error of field f (SIS_NO_FIELD: of the row), its message
 * after the column's name; the answer lists the first SIS_MAX_ERRORS by
 * row.
 */

void
sis_error(sis_import_t *im, size_t row, int f, const char *fmt, ...)
{
    int         n, k;
    char        buf[640];
    size_t      len, cap;
    va_list     args;
    pf_str_t    col;
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

    col = sis_column(im, f);
    k = col.len ? snprintf(buf, sizeof(buf), "%.*s：", PF_S(pf_clip(col, 64)))
                : 0;

    if (k < 0 || (size_t) k >= sizeof(buf)) {
        k = 0;
    }

    va_start(args, fmt);
    n = vsnprintf(buf + k, sizeof(buf) - (size_t) k, fmt, args);
    va_end(args);

    len = n < 0 ? (size_t) k
                : (size_t) k + (size_t) n < sizeof(buf) ? (size_t) (k + n)
                                                        : sizeof(buf) - 1;

    /* a cut message must still be UTF-8 for the generator */
    while (len && !sis_utf8_ok(buf, len)) {
        len--;
    }

    e = &im->errors[im->nstored++];
    e->row = row;
    e->seq = im->nstored;
    e->f = f;
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
        sis_error(im, row->row, (int) i, "不是 UTF-8 文字（請把檔案另存為"
                  "「CSV UTF-8（逗號分隔）」）");

    } else if (sis_has_ctl(v)) {
        sis_error(im, row->row, (int) i, "含有控制字元");

    } else if (v.len > max) {
        sis_error(im, row->row, (int) i, "超過 %zu 個位元組", max);

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
            *err = "超過 256 欄";
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
                    *err = "有一個引號（\"）沒有結束";
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
                    *err = "無法讀取（記憶體不足）";
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
                *err = "在結束的引號（\"）後面還有文字";
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


/* The name of a column: without spaces around it, also the full-width
   space (U+3000) a Chinese header may have. */

static pf_str_t
sis_header_name(pf_str_t s)
{
    for ( ;; ) {
        s = sis_trim(s);

        if (s.len >= 3 && memcmp(s.data, "\xe3\x80\x80", 3) == 0) {
            s.data += 3;
            s.len -= 3;

        } else if (s.len >= 3
                   && memcmp(s.data + s.len - 3, "\xe3\x80\x80", 3) == 0)
        {
            s.len -= 3;

        } else {
            return s;
        }
    }
}


/* The English name in any case. */

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


/* One of the Chinese names ("學號", "身分證統一編號|身分證字號"). */

static int
sis_zh_is(pf_str_t s, const char *names)
{
    size_t       len;
    const char  *bar;

    while (*names) {
        bar = strchr(names, '|');
        len = bar ? (size_t) (bar - names) : strlen(names);

        if (s.len == len && memcmp(s.data, names, len) == 0) {
            return 1;
        }

        names += len + (bar != NULL);
    }

    return 0;
}


/* The columns the header must have, in the file's language. */

static pf_str_t
sis_columns_needed(sis_import_t *im)
{
    size_t     f;
    pf_str_t   col;
    sis_buf_t  b;

    sis_buf_init(&b, im->req, 128);

    for (f = 0; f < im->nfields; f++) {
        if (im->kind->optional & SIS_BIT(f)) {
            continue;
        }

        if (b.len) {
            sis_buf_add(&b, im->zh ? "、" : ", ", im->zh ? 3 : 2);
        }

        col = sis_column(im, (int) f);
        sis_buf_add(&b, col.data, col.len);
    }

    return sis_buf_text(&b);
}


int
sis_rows_csv(sis_import_t *im, pf_str_t body)
{
    int          rc, *col, f;
    size_t       i, ncols, rowno;
    uint32_t     seen;
    pf_str_t     name, text;
    sis_csv_t    c;
    sis_row_t   *row;
    const char  *err;

    rc = sis_text(im, body, &text);

    if (rc != PF_OK) {
        return rc == PF_INVALID ? PF_OK : PF_ERROR;
    }

    c.p = text.data;
    c.last = text.data + text.len;
    c.fields = pf_host->alloc(im->req, SIS_MAX_COLUMNS * sizeof(pf_str_t));

    if (c.fields == NULL) {
        return PF_ERROR;
    }

    /* the header, row 1: which column is which field; others are
       ignored */
    err = NULL;
    rc = sis_csv_record(im, &c, &err);

    if (rc <= 0 || sis_csv_blank(&c)) {
        if (rc < 0) {
            sis_error(im, 1, SIS_NO_FIELD, "欄位名稱列%s", err);

        } else {
            im->zh = 1;
            sis_error(im, 1, SIS_NO_FIELD, "第一列必須是欄位名稱：%.*s",
                      PF_S(sis_columns_needed(im)));
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
        name = sis_header_name(c.fields[i]);

        for (f = 0; im->kind->fields[f]; f++) {
            if (sis_name_is(name, im->kind->fields[f])) {
                break;
            }

            if (sis_zh_is(name, im->kind->zh[f])) {
                im->zh = 1;
                break;
            }
        }

        if (im->kind->fields[f] == NULL) {
            continue;
        }

        if (seen & SIS_BIT(f)) {
            sis_error(im, 1, f, "欄位名稱列有兩欄都是這個欄位（第 %zu 欄）",
                      i + 1);
            continue;
        }

        seen |= SIS_BIT(f);
        col[i] = f;
        im->col[f] = name;
    }

    for (f = 0; im->kind->fields[f]; f++) {
        if (!(seen & SIS_BIT(f)) && !(im->kind->optional & SIS_BIT(f))) {
            im->missing |= SIS_BIT(f);
        }
    }

    for (f = 0; im->kind->fields[f]; f++) {
        if (im->missing & SIS_BIT(f)) {
            sis_error(im, 1, f, "檔案缺少這一欄（欄位名稱列須有：%.*s）",
                      PF_S(sis_columns_needed(im)));
        }
    }

    for (rowno = 2; ; rowno++) {
        rc = sis_csv_record(im, &c, &err);

        if (rc == 0) {
            break;
        }

        if (rc < 0) {
            /* the rest cannot be split into records reliably */
            sis_error(im, rowno, SIS_NO_FIELD, "這一列%s（之後的內容無法"
                      "分成資料列）", err);
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
                sis_error(im, rowno, SIS_NO_FIELD, "這一列有 %zu 欄，"
                          "欄位名稱列只有 %zu 欄", c.n, ncols);
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


/*
 * JSON: strings and numbers as they are; co_teachers is an array of
 * teachers (a string is refused: it would have to be split, a guess).
 * A key a row lacks is an empty value (a required one is refused on its
 * row), as null is.
 */

int
sis_rows_json(sis_import_t *im, const pf_val_t *body)
{
    int              t, co;
    size_t           i, k, n, f;
    sis_buf_t        list;
    sis_row_t       *row;
    const pf_val_t  *rows, *item, *v, *e;

    rows = body;

    for (f = 0; f < im->nfields; f++) {
        im->col[f] = pf_cstr(im->kind->fields[f]);
    }

    if (pf_host->type(body) == PF_JSON_OBJECT) {
        rows = pf_host->get(body, "rows");
    }

    if (pf_host->type(rows) != PF_JSON_ARRAY) {
        sis_error(im, 0, SIS_NO_FIELD, "JSON 必須是資料列的陣列，或 "
                  "{\"rows\": [...]}");
        return PF_OK;
    }

    n = pf_host->count(rows);

    for (i = 0; i < n; i++) {
        item = pf_host->at(rows, i);

        if (pf_host->type(item) != PF_JSON_OBJECT) {
            sis_error(im, i + 1, SIS_NO_FIELD, "每一列必須是一個物件"
                      "（{\"欄位\": 值, ...}）");
            continue;
        }

        row = sis_row_add(im, i + 1);
        if (row == NULL) {
            return PF_ERROR;
        }

        for (f = 0; im->kind->fields[f]; f++) {
            v = pf_host->get(item, im->kind->fields[f]);
            t = pf_host->type(v);
            co = strcmp(im->kind->fields[f], "co_teachers") == 0;

            if (!co && (t == PF_JSON_STRING || t == PF_JSON_NUMBER)) {
                sis_value_set(im, row, f, pf_host->str(v));
                continue;
            }

            if (t == -1 || t == PF_JSON_NULL) {
                continue;
            }

            if (co && t == PF_JSON_ARRAY) {
                sis_buf_init(&list, im->req, 64);

                for (k = 0; k < pf_host->count(v); k++) {
                    e = pf_host->at(v, k);

                    if (pf_host->type(e) != PF_JSON_STRING
                        || memchr(pf_host->str(e).data, ';',
                                  pf_host->str(e).len)
                        || memchr(pf_host->str(e).data, ',',
                                  pf_host->str(e).len))
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

            sis_error(im, i + 1, (int) f, "%s",
                      co ? "必須是教師的陣列，每位一個字串，例如 "
                           "[\"zlsh111122222\", \"A123456789\"]"
                         : "必須是文字或數字");
            row->bad |= SIS_BIT(f);
        }
    }

    return PF_OK;
}
