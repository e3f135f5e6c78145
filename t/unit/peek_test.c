/*
 * Unit test of pf_peek() (plugins/common/pf_peek.h): the raw values of
 * top-level keys of a stored record, read without parsing it, and every
 * text it must refuse (so the caller parses) rather than misread.
 * Usage: t/unit/build_test.sh peek [--valgrind]
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portfolio_plugin.h"

#include "../../plugins/common/pf_peek.h"


static int  checks, failed;

static const char *const  names[] = { "student", "term", "note", NULL };


/* want: the three raw values joined by '|', or NULL for PF_ERROR */

static void
peek(const char *json, const char *want)
{
    int       rc;
    char      got[512], *copy;
    size_t    len;
    pf_str_t  s, out[3];

    /* a copy of exactly the text: reading past it shows under valgrind */
    len = strlen(json);
    copy = malloc(len ? len : 1);
    memcpy(copy, json, len);
    s.data = copy;
    s.len = len;

    rc = pf_peek(s, names, out);

    if (rc == PF_OK) {
        snprintf(got, sizeof(got), "%.*s|%.*s|%.*s",
                 (int) out[0].len, out[0].data ? out[0].data : "",
                 (int) out[1].len, out[1].data ? out[1].data : "",
                 (int) out[2].len, out[2].data ? out[2].data : "");
    }

    free(copy);
    checks++;

    if (want == NULL ? rc == PF_ERROR
                     : rc == PF_OK && strcmp(got, want) == 0)
    {
        return;
    }

    failed++;
    printf("FAIL %s: got %s, want %s\n", json,
           rc == PF_OK ? got : "error", want ? want : "error");
}


static void
is(const char *raw, const char *s, int want)
{
    int       got;
    pf_str_t  r, v;

    r.data = raw;
    r.len = strlen(raw);
    v.data = s;
    v.len = strlen(s);

    got = pf_peek_is(r, v);
    checks++;

    if (got != want) {
        failed++;
        printf("FAIL pf_peek_is(%s, %s): got %d, want %d\n", raw, s, got,
               want);
    }
}


int
main(void)
{
    /* what the host stores */
    peek("{\"id\":\"01J\",\"student\":\"s1\",\"term\":\"113-1\",\"note\":\"\"}",
         "\"s1\"|\"113-1\"|\"\"");
    peek("{}", "||");
    peek("{\"term\":null}", "|null|");
    peek("{\"a\":{\"term\":\"x\",\"b\":[1,{\"note\":2}]},\"term\":\"113-2\"}",
         "|\"113-2\"|");
    peek("{\"a\":\"}{][,\\\"term\\\":1\",\"note\":\"a\\\\\"}",
         "||\"a\\\\\"");
    peek("{\"note\":\"x\\\"}\\\\\",\"term\":1}", "|1|\"x\\\"}\\\\\"");
    peek("{\"note\":\"\\\\\\\"\",\"term\":2}", "|2|\"\\\\\\\"\"");
    peek("{\"note\":\"\\\\\",\"term\":\"\\\"\"}", "|\"\\\"\"|\"\\\\\"");
    peek("{\"student\":-1.5e3,\"term\":true,\"note\":[]}",
         "-1.5e3|true|[]");
    peek(" { \"term\" : \"113-1\" , \"note\" : 1 } \n", "|\"113-1\"|1");

    /* refused: the caller parses and decides */
    peek("", NULL);
    peek("[]", NULL);
    peek("{", NULL);
    peek("{\"term\"", NULL);
    peek("{\"term\":", NULL);
    peek("{\"term\":\"113-1", NULL);
    peek("{\"term\":\"113-1\"", NULL);
    peek("{\"term\":\"113-1\",}", NULL);
    peek("{\"term\":{\"a\":[1,2}", NULL);
    peek("{\"term\":1}x", NULL);
    peek("{\"term\":1,\"term\":2}", NULL);
    peek("{\"te\\u0072m\":1}", NULL);
    peek("{\"term\"1}", NULL);
    peek("{term:1}", NULL);
    peek("{\"term\":1 2}", NULL);
    peek("{\"term\":,\"note\":1}", NULL);

    is("\"113-1\"", "113-1", 1);
    is("\"113-2\"", "113-1", 0);
    is("\"113-1 \"", "113-1", 0);
    is("null", "null", 0);
    is("\"\"", "", 1);
    is("\"11\\u0033-1\"", "113-1", -1);
    is("\"", "", 0);

    printf("%d checks, %d failed\n", checks, failed);

    return failed ? 1 : 0;
}
