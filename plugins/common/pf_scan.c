/*
 * pf_scan.c -- a database's records under a prefix, collected; see
 * pf_scan.h.
 */

#include <string.h>

#include "pf_scan.h"


typedef struct {
    pf_req_t       *req;
    int             values;
    pf_str_t       *keys;
    pf_str_t       *vals;
    size_t          n;
    size_t          cap;
    int             failed;
} pf_collect_t;


static int
pf_collect_cb(void *data, pf_str_t key, pf_str_t value)
{
    size_t         cap;
    pf_str_t      *k, *v;
    pf_collect_t  *c = data;

    /* one spare entry: the arrays are never NULL, even empty */
    if (c->n + 1 >= c->cap) {
        cap = c->cap * 2;
        k = pf_host->alloc(c->req, cap * sizeof(pf_str_t));
        v = c->values ? pf_host->alloc(c->req, cap * sizeof(pf_str_t)) : k;

        if (k == NULL || v == NULL) {
            c->failed = 1;
            return 1;
        }

        memcpy(k, c->keys, c->n * sizeof(pf_str_t));

        if (c->values) {
            memcpy(v, c->vals, c->n * sizeof(pf_str_t));
        }

        c->keys = k;
        c->vals = v;
        c->cap = cap;
    }

    c->keys[c->n] = pf_copy(c->req, key);

    if (c->values) {
        c->vals[c->n] = pf_copy(c->req, value);
    }

    if (c->keys[c->n].data == NULL
        || (c->values && c->vals[c->n].data == NULL))
    {
        c->failed = 1;
        return 1;
    }

    c->n++;

    return 0;
}


int
pf_collect(pf_req_t *req, const char *db, pf_str_t prefix, pf_str_t **keys,
    pf_str_t **values, size_t *n)
{
    pf_collect_t  c;

    if (prefix.data == NULL) {
        pf_host->log(req, PF_LOG_ERR, "%s: no prefix to scan (out of memory)",
                     db);
        return PF_ERROR;
    }

    memset(&c, 0, sizeof(pf_collect_t));
    c.req = req;
    c.values = (values != NULL);
    c.cap = 64;
    c.keys = pf_host->alloc(req, c.cap * sizeof(pf_str_t));
    c.vals = c.values ? pf_host->alloc(req, c.cap * sizeof(pf_str_t))
                      : c.keys;

    if (c.keys == NULL || c.vals == NULL) {
        pf_host->log(req, PF_LOG_ERR, "%s: out of memory", db);
        return PF_ERROR;
    }

    /* the host logs a failed scan (and a database not declared) */
    if (pf_host->db_scan(req, db, prefix, pf_collect_cb, &c) != PF_OK) {
        return PF_ERROR;
    }

    if (c.failed) {
        pf_host->log(req, PF_LOG_ERR, "%s: out of memory", db);
        return PF_ERROR;
    }

    *keys = c.keys;

    if (values) {
        *values = c.vals;
    }

    *n = c.n;

    return PF_OK;
}
