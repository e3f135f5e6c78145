/*
 * Test fixture: a plugin that owns two databases, one shared for reading
 * (keeper_shared) and one its own alone (keeper_private), so the tests can
 * show what other plugins may declare (borrower*.c).  POST /keeper/put
 * {"db", "key", "value"} writes either; GET /keeper/get?db=&key= reads.
 */
#include <string.h>

#include "portfolio_plugin.h"


/* GET /keeper/get?db=&key= (and borrower's /borrower/get): db_get's answer. */

static int
keeper_get(pf_req_t *req)
{
    int        rc;
    pf_str_t   value;
    pf_gen_t  *g;

    rc = pf_host->db_get(req, pf_host->arg(req, "db").data,
                         pf_host->arg(req, "key"), &value);

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "rc");
    pf_host->number(g, rc);
    pf_host->key(g, "value");

    if (rc == PF_OK) {
        pf_host->string(g, value);

    } else {
        pf_host->null(g);
    }

    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}


#ifndef KEEPER_GET_ONLY

static const char *
keeper_db(pf_str_t db)
{
    if (db.len == 13 && memcmp(db.data, "keeper_shared", 13) == 0) {
        return "keeper_shared";
    }

    if (db.len == 14 && memcmp(db.data, "keeper_private", 14) == 0) {
        return "keeper_private";
    }

    return NULL;
}


static int
keeper_put(pf_req_t *req)
{
    const char      *db;
    const pf_val_t  *body;

    body = pf_host->body(req);
    db = keeper_db(pf_host->str(pf_host->get(body, "db")));

    if (db == NULL
        || pf_host->db_put(req, db, pf_host->str(pf_host->get(body, "key")),
                           pf_host->str(pf_host->get(body, "value")))
           != PF_OK)
    {
        return pf_host->error(req, 422, "refused", "not stored");
    }

    return 204;
}


static const pf_route_t  keeper_routes[] = {
    { .method = "POST", .path = "/keeper/put", .roles = PF_ROLE_ANY,
      .scope = PF_SCOPE_SELF, .flags = PF_ROUTE_WRITE,
      .handler = keeper_put },
    { .method = "GET", .path = "/keeper/get", .roles = PF_ROLE_ANY,
      .scope = PF_SCOPE_SELF, .handler = keeper_get },
};

static const pf_db_t  keeper_dbs[] = {
    { .name = "keeper_shared", .access = PF_DB_OWN|PF_DB_SHARE_READ },
    { .name = "keeper_private", .access = PF_DB_OWN },
};

PF_PLUGIN(.name = "keeper", .version = "0",
          PF_DATABASES(keeper_dbs), PF_ROUTES(keeper_routes))

#endif
