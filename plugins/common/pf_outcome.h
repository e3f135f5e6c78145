/*
 * pf_outcome.h -- what the student and certification plugins share about a
 * course learning outcome (SPEC P4, P5): finding one by id, who may act
 * on it, how it is shown, rewriting a record field-wise, windows and
 * error messages.  The record layout is plugins/README.md's.
 *
 * Include after "../common/pf_common.h" (with PF_HOST defined).  Every
 * helper is static and may be unused by one of the two plugins.
 */

#ifndef PF_OUTCOME_H
#define PF_OUTCOME_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


#define PFO_FN      static __attribute__((unused))
#define PFO_MIB     ((int64_t) 1024 * 1024)


/*
 * Errors formatted here with C printf and handed over as one "%s"
 * argument: correct whichever printf host->error() uses (the first cores
 * used nginx's, where "%lld" and "%zu" come out garbled).
 */

PFO_FN int
pfo_err(pf_req_t *req, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

PFO_FN int
pfo_err(pf_req_t *req, int status, const char *code, const char *fmt, ...)
{
    char     buf[400];
    va_list  args;

    va_start(args, fmt);
    (void) vsnprintf(buf, sizeof(buf), fmt, args);
    va_end(args);

    return PF_HOST->error(req, status, code, "%s", buf);
}


/* A string or a number as JSON text (for pfo_rewrite()). */

PFO_FN pf_str_t
pfo_jstr(pf_req_t *req, pf_str_t s)
{
    pf_gen_t  *g;

    g = PF_HOST->gen(req);
    PF_HOST->string(g, s);

    return PF_HOST->text(g);
}


PFO_FN pf_str_t
pfo_jint(pf_req_t *req, int64_t n)
{
    return PF_HOST->sprintf(req, "%lld", (long long) n);
}


PFO_FN int
pfo_str_is(const pf_val_t *v, pf_str_t s)
{
    return PF_HOST->type(v) == PF_JSON_STRING && pf_same(PF_HOST->str(v), s);
}


PFO_FN pf_str_t
pfo_field(const pf_val_t *rec, const char *name)
{
    return PF_HOST->str(PF_HOST->get(rec, name));
}


PFO_FN int64_t
pfo_int(const pf_val_t *rec, const char *name, int64_t dflt)
{
    int64_t  n;

    if (PF_HOST->integer(PF_HOST->get(rec, name), &n) != PF_OK) {
        return dflt;
    }

    return n;
}


/*
 * A record written again with some fields replaced (raw JSON texts) and
 * every other field kept as it was, in its place; replaced fields the
 * record lacked are added at the end.  Other plugins' fields survive.
 */

PFO_FN pf_str_t
pfo_rewrite(pf_req_t *req, const pf_val_t *rec, size_t n,
    const char *const *keys, const pf_str_t *raws)
{
    char      *done;
    size_t     i, k, count;
    pf_str_t   name;
    pf_gen_t  *g;

    done = PF_HOST->alloc(req, n + 1);
    if (done == NULL) {
        return (pf_str_t) { 0, NULL };
    }

    memset(done, 0, n + 1);

    g = PF_HOST->gen(req);
    PF_HOST->map_open(g);

    count = PF_HOST->type(rec) == PF_JSON_OBJECT ? PF_HOST->count(rec) : 0;

    for (i = 0; i < count; i++) {
        name = PF_HOST->key_at(rec, i);

        for (k = 0; k < n; k++) {
            if (pf_eq(name, keys[k])) {
                break;
            }
        }

        if (k < n) {
            if (!done[k]) {
                PF_HOST->key(g, keys[k]);
                PF_HOST->raw(g, raws[k]);
                done[k] = 1;
            }

            continue;
        }

        PF_HOST->string(g, name);
        pf_copy_value(g, PF_HOST->at(rec, i));
    }

    for (k = 0; k < n; k++) {
        if (!done[k]) {
            PF_HOST->key(g, keys[k]);
            PF_HOST->raw(g, raws[k]);
        }
    }

    PF_HOST->map_close(g);

    return PF_HOST->text(g);
}


/* outcome_ids -> outcomes: the record, its key, and its text. */

PFO_FN const pf_val_t *
pfo_find(pf_req_t *req, pf_str_t id, pf_str_t *key, pf_str_t *text)
{
    pf_str_t         student, k, v;
    const pf_val_t  *idx;

    if (!pf_valid_id(id)) {
        return NULL;
    }

    idx = pf_load(req, "outcome_ids", id);
    student = pfo_field(idx, "student");

    if (!pf_valid_id(student)) {
        return NULL;
    }

    k = pf_key(req, 2, student, id);

    if (PF_HOST->db_get(req, "outcomes", k, &v) != PF_OK) {
        return NULL;
    }

    if (key) {
        *key = k;
    }

    if (text) {
        *text = v;
    }

    return PF_HOST->parse(req, v);
}


/* cert_standins[teacher] names me, and now is inside its from..to. */

PFO_FN int
pfo_standin_active(pf_req_t *req, pf_str_t teacher, pf_str_t me)
{
    int64_t          now;
    const pf_val_t  *s;

    if (!pf_valid_id(teacher)) {
        return 0;
    }

    s = pf_load(req, "cert_standins", teacher);

    if (s == NULL || !pfo_str_is(PF_HOST->get(s, "standin"), me)) {
        return 0;
    }

    now = PF_HOST->now_ms(req);

    return now >= pfo_int(s, "from", INT64_MAX)
           && now < pfo_int(s, "to", INT64_MIN);
}


/* The outcome's reviewer, or an active stand-in of the reviewer. */

PFO_FN int
pfo_is_reviewer(pf_req_t *req, const pf_val_t *rec, pf_str_t me)
{
    pf_str_t  reviewer;

    reviewer = pfo_field(rec, "reviewer");

    if (reviewer.len == 0) {
        return 0;
    }

    return pf_same(reviewer, me) || pfo_standin_active(req, reviewer, me);
}


PFO_FN int
pfo_published(const pf_val_t *rec)
{
    pf_str_t  status;

    status = pfo_field(rec, "status");

    return pf_eq(status, "passed") || pf_eq(status, "failed");
}


/* The decision fields hold nothing yet (a draft, most pending ones). */

PFO_FN int
pfo_undecided(const pf_val_t *rec)
{
    return PF_HOST->type(PF_HOST->get(rec, "decision")) == PF_JSON_NULL
           && PF_HOST->type(PF_HOST->get(rec, "decided_by")) == PF_JSON_NULL
           && PF_HOST->type(PF_HOST->get(rec, "decided_at")) == PF_JSON_NULL
           && PF_HOST->type(PF_HOST->get(rec, "note")) == PF_JSON_STRING
           && pfo_field(rec, "note").len == 0;
}


/*
 * An outcome as an answer shows it.  Until it is published the decision
 * is the reviewer's alone (P5): others see it as undecided.  "text" is
 * rec as stored (or empty): what may be shown whole goes out as stored,
 * not generated again field by field (outcome lists are the heaviest
 * reads of a deadline day).
 */

PFO_FN void
pfo_view(pf_req_t *req, pf_gen_t *g, const pf_val_t *rec, pf_str_t text,
    int show_decision)
{
    static const char *const  hidden[] = {
        "decision", "note", "decided_by", "decided_at", NULL
    };

    if (show_decision || pfo_published(rec) || pfo_undecided(rec)) {
        if (text.len == 0 || PF_HOST->raw(g, text) != PF_OK) {
            pf_copy_value(g, rec);
        }

        return;
    }

    PF_HOST->map_open(g);
    pf_copy_fields(g, rec, hidden);
    PF_HOST->key(g, "decision");
    PF_HOST->null(g);
    PF_HOST->key(g, "note");
    PF_HOST->cstring(g, "");
    PF_HOST->key(g, "decided_by");
    PF_HOST->null(g);
    PF_HOST->key(g, "decided_at");
    PF_HOST->null(g);
    PF_HOST->map_close(g);
}


/* Milliseconds as Taiwan time (UTC+8), "2024/09/01 08:00". */

PFO_FN pf_str_t
pfo_time(pf_req_t *req, int64_t ms)
{
    char       buf[32];
    time_t     t;
    struct tm  tm;

    t = (time_t) (ms / 1000) + 8 * 3600;

    if (gmtime_r(&t, &tm) == NULL
        || strftime(buf, sizeof(buf), "%Y/%m/%d %H:%M", &tm) == 0)
    {
        return PF_HOST->sprintf(req, "%lld", (long long) ms);
    }

    return PF_HOST->sprintf(req, "%s", buf);
}


/*
 * Whether the school's window of this kind is open for the term (the
 * rule of pf_window_open()), and a sentence saying which window applies
 * for the error message: the span every level allows.
 */

PFO_FN int
pfo_window(pf_req_t *req, pf_str_t school, pf_str_t term, const char *kind,
    pf_str_t *why)
{
    int              i, set;
    int64_t          from, to, f, t;
    pf_str_t         key;
    const pf_val_t  *w;

    if (pf_window_open(req, school, term, kind, NULL)) {
        return 1;
    }

    set = 0;
    from = INT64_MIN;
    to = INT64_MAX;

    for (i = 0; i < 3; i++) {
        if (i == 0) {
            key = PF_HOST->sprintf(req, "school/%.*s/window/%.*s/%s",
                                   (int) school.len, school.data,
                                   (int) term.len, term.data, kind);
        } else {
            key = PF_HOST->sprintf(req, "%s/window/%.*s/%s",
                                   i == 1 ? "city" : "nation",
                                   (int) term.len, term.data, kind);
        }

        w = pf_load(req, "settings", key);
        if (w == NULL) {
            continue;
        }

        if (PF_HOST->integer(PF_HOST->get(w, "from"), &f) != PF_OK
            || PF_HOST->integer(PF_HOST->get(w, "to"), &t) != PF_OK)
        {
            continue;
        }

        set = 1;

        if (f > from) {
            from = f;
        }

        if (t < to) {
            to = t;
        }
    }

    if (!set) {
        *why = PF_HOST->sprintf(req, "no %s window is set for term %.*s",
                                kind, (int) term.len, term.data);

    } else if (from >= to) {
        *why = PF_HOST->sprintf(req, "the %s window for term %.*s is closed "
                                "(the school's, city's and nation's windows "
                                "do not overlap)", kind,
                                (int) term.len, term.data);

    } else {
        pf_str_t  a = pfo_time(req, from), b = pfo_time(req, to);

        *why = PF_HOST->sprintf(req, "the %s window for term %.*s is "
                                "%.*s to %.*s (Taiwan time); it is closed now",
                                kind, (int) term.len, term.data,
                                (int) a.len, a.data, (int) b.len, b.data);
    }

    return 0;
}


/* Terms are "<ROC year>-<semester>": 2 or 3 digits, "-", 1 or 2. */

PFO_FN int
pfo_valid_term(pf_str_t t)
{
    size_t  i;

    if (t.len < 4 || t.len > 5 || t.data[t.len - 2] != '-'
        || (t.data[t.len - 1] != '1' && t.data[t.len - 1] != '2'))
    {
        return 0;
    }

    for (i = 0; i < t.len - 2; i++) {
        if (t.data[i] < '0' || t.data[i] > '9') {
            return 0;
        }
    }

    return 1;
}


/* The user's record has the role (by its name in "roles"). */

PFO_FN int
pfo_has_role(const pf_val_t *user, const char *role)
{
    size_t           i, n;
    const pf_val_t  *roles;

    roles = PF_HOST->get(user, "roles");

    if (PF_HOST->type(roles) != PF_JSON_ARRAY) {
        return 0;
    }

    n = PF_HOST->count(roles);

    for (i = 0; i < n; i++) {
        if (pf_eq(PF_HOST->str(PF_HOST->at(roles, i)), role)) {
            return 1;
        }
    }

    return 0;
}


#endif /* PF_OUTCOME_H */
