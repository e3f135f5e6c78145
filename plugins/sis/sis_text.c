/*
 * sis_text.c -- what an import's CSV body is, and the body as UTF-8 text.
 * School offices save files in more ways than one (SPEC S1, issue 16):
 *
 *   - an Excel workbook (.xlsx, a zip: "PK\3\4"; .xls, an OLE2 compound
 *     file: D0 CF 11 E0 A1 B1 1A E1) or a LibreOffice one (.ods, a zip
 *     whose first member is "mimetype"): refused in words, saying how to
 *     save it as CSV UTF-8;
 *   - UTF-16 (Excel's 「Unicode 文字」: a byte order mark FF FE or FE FF,
 *     or NUL bytes): refused in words;
 *   - UTF-8, with or without the BOM Excel writes: taken as it is (with
 *     the BOM a bad byte is reported on its row, sis_csv.c);
 *   - anything else is read as Big5 (CP950, what Excel writes for "CSV"
 *     on a Traditional Chinese Windows) and converted with glibc's iconv,
 *     or refused in words, with the line where it stops being text.
 *
 * iconv is CPU-only once its conversion module is loaded; the module is
 * a shared object glibc loads from disk on the first iconv_open() of a
 * process.  sis_text_check() (the plugin's load check, in the master,
 * before the workers fork) opens one conversion and keeps it, so the
 * module is loaded before any request and never unloaded: a request's
 * iconv_open() reads no file.
 */

#include <string.h>
#include <errno.h>
#include <iconv.h>

#include "sis.h"


static unsigned  sis_iconv_ready;


/* The plugin's load check: never refuses (a server without the module
   refuses Big5 files in words). */

const char *
sis_text_check(const pf_host_api_t *host)
{
    iconv_t  cd;

    if (!sis_iconv_ready) {
        cd = iconv_open("UTF-8", "CP950");

        if (cd != (iconv_t) -1) {
            /* kept open: the module stays loaded */
            sis_iconv_ready = 1;
        }
    }

    return NULL;
}


static int
sis_refuse(sis_import_t *im, const char *code, const char *message)
{
    im->file_status = 422;
    im->file_code = code;
    im->file_message = pf_cstr(message);

    return PF_INVALID;
}


#define SIS_SAVE_AS  "請在 Excel 選「檔案」→「另存新檔」，存檔類型選" \
                     "「CSV UTF-8（逗號分隔）(*.csv)」，再匯入存好的檔案。"


/* A workbook by its first bytes (a zip's first member's name tells
   .ods from .xlsx). */

static int
sis_workbook(sis_import_t *im, pf_str_t body)
{
    static const char  ole2[] = "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1";

    if (body.len >= 8 && memcmp(body.data, ole2, 8) == 0) {
        return sis_refuse(im, "excel_file",
                          "這是 Excel 97-2003 活頁簿（.xls），不是 CSV 檔："
                          SIS_SAVE_AS);
    }

    if (body.len < 4 || memcmp(body.data, "PK\x03\x04", 4) != 0) {
        return PF_OK;
    }

    /* the local header's name starts at 30 */
    if (body.len >= 38 && memcmp(body.data + 30, "mimetype", 8) == 0) {
        return sis_refuse(im, "excel_file",
                          "這是 OpenDocument 試算表（.ods），不是 CSV 檔："
                          "請選「另存新檔」，存成「文字 CSV」、字元集"
                          "「Unicode (UTF-8)」，再匯入存好的檔案。");
    }

    return sis_refuse(im, "excel_file",
                      "這是 Excel 活頁簿（.xlsx）或其他壓縮檔，不是 CSV 檔："
                      SIS_SAVE_AS);
}


/* The line (from 1) of the byte at offset off. */

static size_t
sis_line_of(pf_str_t body, size_t off)
{
    size_t       line;
    const char  *p, *last;

    line = 1;
    last = body.data + (off < body.len ? off : body.len);

    for (p = body.data; p < last; p++) {
        if (*p == '\n') {
            line++;
        }
    }

    return line;
}


/* Big5 (CP950) into UTF-8: PF_OK, or the offset it stops at in *bad. */

static int
sis_from_big5(sis_import_t *im, pf_str_t body, pf_str_t *text, size_t *bad)
{
    char     *in, *out, *buf;
    size_t    inleft, outleft, cap, rc;
    iconv_t   cd;

    *bad = 0;

    if (!sis_iconv_ready) {
        return PF_DENIED;
    }

    cd = iconv_open("UTF-8", "CP950");
    if (cd == (iconv_t) -1) {
        return PF_DENIED;
    }

    /* 2 bytes of Big5 are 3 of UTF-8, and ASCII stays 1 */
    cap = body.len + body.len / 2 + 16;
    buf = pf_host->alloc(im->req, cap);

    if (buf == NULL) {
        iconv_close(cd);
        return PF_ERROR;
    }

    in = (char *) body.data;
    inleft = body.len;
    out = buf;
    outleft = cap;

    rc = iconv(cd, &in, &inleft, &out, &outleft);
    iconv_close(cd);

    if (rc == (size_t) -1) {
        *bad = body.len - inleft;
        return errno == E2BIG ? PF_ERROR : PF_INVALID;
    }

    *text = (pf_str_t) { (size_t) (out - buf), buf };

    return PF_OK;
}


/*
 * The body as UTF-8 text (its BOM cut off): PF_OK with *text, PF_INVALID
 * with the refusal in im->file_*, PF_ERROR without memory.
 */

int
sis_text(sis_import_t *im, pf_str_t body, pf_str_t *text)
{
    int     rc;
    size_t  bad, good, i;

    im->encoding = "utf-8";

    if ((rc = sis_workbook(im, body)) != PF_OK) {
        return rc;
    }

    if ((body.len >= 2 && ((unsigned char) body.data[0] == 0xff
                           || (unsigned char) body.data[0] == 0xfe)
         && ((unsigned char) body.data[1] == 0xfe
             || (unsigned char) body.data[1] == 0xff))
        || memchr(body.data, '\0', body.len) != NULL)
    {
        return sis_refuse(im, "bad_encoding",
                          "這是 UTF-16 文字檔（例如 Excel 的「Unicode 文字」）"
                          "或不是文字檔，不是 CSV UTF-8 檔：" SIS_SAVE_AS);
    }

    if (body.len >= 3 && memcmp(body.data, "\xef\xbb\xbf", 3) == 0) {
        /* said to be UTF-8: a bad byte is its row's error */
        *text = (pf_str_t) { body.len - 3, body.data + 3 };
        return PF_OK;
    }

    if (sis_utf8_ok(body.data, body.len)) {
        *text = body;
        return PF_OK;
    }

    good = sis_utf8_len(body.data, body.len);
    rc = sis_from_big5(im, body, text, &bad);

    if (rc == PF_OK) {
        im->encoding = "big5";
        return PF_OK;
    }

    if (rc == PF_ERROR) {
        return PF_ERROR;
    }

    if (rc == PF_DENIED) {
        return sis_refuse(im, "bad_encoding",
                          "檔案不是 UTF-8 文字，這台伺服器也無法轉換 Big5："
                          SIS_SAVE_AS);
    }

    /* UTF-8 Chinese before the first bad byte: UTF-8 with a bad byte */
    for (i = 0; i < good && (unsigned char) body.data[i] < 0x80; i++) {
        /* ASCII */
    }

    im->file_status = 422;
    im->file_code = "bad_encoding";

    if (i < good) {
        im->file_message = pf_host->sprintf(im->req,
                          "檔案是 UTF-8 文字，但第 %zu 行有不是 UTF-8 的"
                          "位元組（檔案可能損壞，或混用了兩種編碼）："
                          SIS_SAVE_AS, sis_line_of(body, good));
        return PF_INVALID;
    }

    im->file_message = pf_host->sprintf(im->req,
                          "檔案不是 UTF-8 文字，也不是 Big5（CP950）文字"
                          "（第 %zu 行起無法讀取）：" SIS_SAVE_AS,
                          sis_line_of(body, bad));

    return PF_INVALID;
}
