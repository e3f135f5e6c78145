/*
 * ngx_http_portfolio_bootstrap.c -- the bootstrap file (portfolio_bootstrap):
 * schools, accounts, relations and settings an empty deployment needs
 * before anyone can sign in, such as the city's first administrator or the
 * demo school.  Applied by the master at start and reload; what exists
 * already is left alone, so it never overwrites a changed password.
 *
 * Out of _auth.c: it runs in the master, in a write transaction of its
 * own, before any request is served; it shares no code with the sign-in
 * routes.
 */

#include "ngx_http_portfolio_module.h"


static ngx_int_t ngx_http_pf_bootstrap_schools_ok(const pf_val_t *doc,
    ngx_log_t *log, ngx_str_t *path);


/*
 * Account names follow SPEC A1 when "id" is absent: a student is the school
 * domain + student number, anyone else the domain + the 9 digits of the
 * national ID.  The initial password is the last 6 characters of the
 * national ID (or "password"), and must be changed at first sign-in
 * unless "must_change" is false (a break-glass administrator).
 */

static int
ngx_http_pf_bootstrap_user(ngx_http_pf_ctx_t *ctx, const pf_val_t *u,
    ngx_uint_t *created)
{
    uint32_t         roles;
    pf_str_t         id, school, nid, number, pw, existing, dir;
    pf_gen_t        *g;
    ngx_str_t        hash;
    const pf_val_t  *v;

    school = ngx_http_pf_json_str(ngx_http_pf_json_get(u, "school"));
    nid = ngx_http_pf_json_str(ngx_http_pf_json_get(u, "national_id"));
    number = ngx_http_pf_json_str(ngx_http_pf_json_get(u, "student_number"));
    id = ngx_http_pf_json_str(ngx_http_pf_json_get(u, "id"));
    pw = ngx_http_pf_json_str(ngx_http_pf_json_get(u, "password"));
    roles = ngx_http_pf_roles_parse(ngx_http_pf_json_get(u, "roles"));

    if (id.len == 0) {
        id = ngx_http_pf_account_name(ctx->pool, school, nid,
                                      (roles & PF_ROLE_STUDENT)
                                      ? number : (pf_str_t) { 0, NULL });
    }

    if (id.len == 0 || id.len > 64 || school.len == 0 || roles == 0) {
        ngx_log_error(NGX_LOG_EMERG, ctx->log, 0,
                      "portfolio_bootstrap: every user needs \"school\", "
                      "\"roles\" and an \"id\", a student number or a "
                      "10-character national ID");
        return PF_ERROR;
    }

    if (ngx_http_pf_db_get(ctx, NGX_HTTP_PF_DB_USERS, id, &existing)
        == PF_OK)
    {
        return PF_OK;
    }

    if (pw.len == 0) {
        if (nid.len < 6) {
            ngx_log_error(NGX_LOG_EMERG, ctx->log, 0,
                          "portfolio_bootstrap: user \"%*s\" needs a "
                          "\"national_id\" or a \"password\"", id.len,
                          id.data);
            return PF_ERROR;
        }

        pw.data = nid.data + nid.len - 6;
        pw.len = 6;
    }

    if (ngx_http_pf_password_hash(ctx->pool, ctx->pmcf->password_cost, pw,
                                  &hash, ctx->log)
        != PF_OK)
    {
        return PF_ERROR;
    }

    g = ngx_http_pf_gen(ctx->pool);
    if (g == NULL) {
        return PF_ERROR;
    }

    ngx_http_pf_gen_map_open(g);
    ngx_http_pf_gen_key(g, "id");
    ngx_http_pf_gen_string(g, id);
    ngx_http_pf_gen_key(g, "name");
    ngx_http_pf_gen_string(g, ngx_http_pf_json_str(
                                  ngx_http_pf_json_get(u, "name")));
    ngx_http_pf_gen_key(g, "school");
    ngx_http_pf_gen_string(g, school);
    ngx_http_pf_gen_key(g, "roles");
    ngx_http_pf_gen_roles(g, roles);

    if (number.len) {
        ngx_http_pf_gen_key(g, "student_number");
        ngx_http_pf_gen_string(g, number);
    }

    v = ngx_http_pf_json_get(u, "class");
    if (v) {
        ngx_http_pf_gen_key(g, "class");
        ngx_http_pf_gen_value(g, v);
    }

    ngx_http_pf_gen_key(g, "pw");
    ngx_http_pf_gen_string(g, ngx_http_pf_str(&hash));
    ngx_http_pf_gen_key(g, "must_change");
    ngx_http_pf_gen_boolean(g, ngx_http_pf_json_type(
                                   ngx_http_pf_json_get(u, "must_change"))
                               != PF_JSON_FALSE);
    ngx_http_pf_gen_key(g, "created");
    ngx_http_pf_gen_number(g, ngx_http_pf_now_ms());
    ngx_http_pf_gen_key(g, "by");
    ngx_http_pf_gen_cstring(g, "bootstrap");

    /* SPEC A2: local sign-in even where the school uses the directory */
    if (ngx_http_pf_json_type(ngx_http_pf_json_get(u, "break_glass"))
        == PF_JSON_TRUE)
    {
        ngx_http_pf_gen_key(g, "break_glass");
        ngx_http_pf_gen_boolean(g, 1);
    }

    /* SPEC A2: the directory account it is bound to */
    dir = ngx_http_pf_json_str(ngx_http_pf_json_get(u, "directory"));
    if (dir.len) {
        ngx_http_pf_gen_key(g, "directory");
        ngx_http_pf_gen_string(g, dir);
    }

    if (ngx_http_pf_gen_map_close(g) != PF_OK
        || ngx_http_pf_db_put(ctx, NGX_HTTP_PF_DB_USERS, id,
                              ngx_http_pf_gen_text(g)) != PF_OK
        || (dir.len && ngx_http_pf_ldap_bootstrap_bind(ctx, id, dir) != PF_OK))
    {
        return PF_ERROR;
    }

    (*created)++;

    return PF_OK;
}


static int
ngx_http_pf_bootstrap_code_cb(void *data, pf_str_t key, pf_str_t value)
{
    ngx_http_pf_ctx_t *ctx = data;

    pf_str_t          code, domain;
    ngx_str_t         err;
    const pf_val_t   *rec;

    rec = ngx_http_pf_json_parse(ctx->pool, (u_char *) value.data, value.len,
                                 16, &err);
    code = ngx_http_pf_json_str(ngx_http_pf_json_get(rec, "code"));

    if (code.len == 0 || code.len > 32) {
        return 0;
    }

    domain = ngx_http_pf_school_by_code(ctx, code);

    if (domain.len == 0) {
        (void) ngx_http_pf_db_put(ctx, NGX_HTTP_PF_DB_SCHOOL_CODES, code,
                                  key);

    } else if (domain.len != key.len
               || ngx_strncmp(domain.data, key.data, key.len) != 0)
    {
        ngx_log_error(NGX_LOG_WARN, ctx->log, 0,
                      "portfolio: schools \"%*s\" and \"%*s\" have the "
                      "same national code \"%*s\"", domain.len, domain.data,
                      key.len, key.data, code.len, code.data);
    }

    return 0;
}


static int
ngx_http_pf_bootstrap_apply(ngx_http_pf_ctx_t *ctx, const pf_val_t *doc,
    ngx_uint_t *created)
{
    u_char          *p;
    size_t           i, n;
    pf_str_t         key, viewer, student, domain, kind, existing, code,
                     other;
    pf_gen_t        *g;
    const pf_val_t  *list, *item;

    /*
     * Like accounts, schools, relations and settings are only created when
     * missing: the file is applied again at every reload and must not undo
     * what was changed since (a school's parameters, say).
     */

    /* schools stored before the code index (a data set of an older
       version) get their entries, so no new school takes their codes */
    if (ngx_http_pf_db_scan(ctx, NGX_HTTP_PF_DB_SCHOOLS, (pf_str_t) { 0, NULL },
                            ngx_http_pf_bootstrap_code_cb, ctx)
        != PF_OK)
    {
        return PF_ERROR;
    }

    list = ngx_http_pf_json_get(doc, "schools");
    n = ngx_http_pf_json_count(list);

    for (i = 0; i < n; i++) {
        item = ngx_http_pf_json_at(list, i);
        domain = ngx_http_pf_json_str(ngx_http_pf_json_get(item, "domain"));

        if (domain.len == 0 || domain.len > 32) {
            ngx_log_error(NGX_LOG_EMERG, ctx->log, 0,
                          "portfolio_bootstrap: school %uz needs a "
                          "\"domain\" of 1 to 32 characters", i);
            return PF_ERROR;
        }

        if (ngx_http_pf_db_get(ctx, NGX_HTTP_PF_DB_SCHOOLS, domain, &existing)
            == PF_OK)
        {
            continue;
        }

        code = ngx_http_pf_json_str(ngx_http_pf_json_get(item, "code"));
        other = ngx_http_pf_school_by_code(ctx, code);

        if (other.len) {
            ngx_log_error(NGX_LOG_EMERG, ctx->log, 0,
                          "portfolio_bootstrap: school \"%*s\" has the "
                          "national code \"%*s\" of school \"%*s\"",
                          domain.len, domain.data, code.len, code.data,
                          other.len, other.data);
            return PF_ERROR;
        }

        if (ngx_http_pf_school_put(ctx, domain, item) != PF_OK) {
            return PF_ERROR;
        }
    }

    list = ngx_http_pf_json_get(doc, "users");
    n = ngx_http_pf_json_count(list);

    for (i = 0; i < n; i++) {
        if (ngx_http_pf_bootstrap_user(ctx, ngx_http_pf_json_at(list, i),
                                       created)
            != PF_OK)
        {
            return PF_ERROR;
        }
    }

    list = ngx_http_pf_json_get(doc, "relations");
    n = ngx_http_pf_json_count(list);

    for (i = 0; i < n; i++) {
        item = ngx_http_pf_json_at(list, i);
        viewer = ngx_http_pf_json_str(ngx_http_pf_json_get(item, "viewer"));
        student = ngx_http_pf_json_str(ngx_http_pf_json_get(item, "student"));

        if (viewer.len == 0 || student.len == 0 || viewer.len > 128
            || student.len > 128)
        {
            ngx_log_error(NGX_LOG_EMERG, ctx->log, 0,
                          "portfolio_bootstrap: relation %uz needs "
                          "\"viewer\" and \"student\"", i);
            return PF_ERROR;
        }

        kind = ngx_http_pf_json_str(ngx_http_pf_json_get(item, "kind"));
        if (kind.len == 0 || kind.len > 32) {
            kind.data = "other";
            kind.len = 5;
        }

        /* "*": not from any term's import, so no import replaces it */
        p = ngx_pnalloc(ctx->pool, viewer.len + student.len + kind.len + 4);
        if (p == NULL) {
            return PF_ERROR;
        }

        key.data = (const char *) p;
        p = ngx_cpymem(p, viewer.data, viewer.len);
        *p++ = 0x1f;
        p = ngx_cpymem(p, student.data, student.len);
        *p++ = 0x1f;
        *p++ = '*';
        *p++ = 0x1f;
        p = ngx_cpymem(p, kind.data, kind.len);
        key.len = p - (u_char *) key.data;

        if (ngx_http_pf_db_get(ctx, NGX_HTTP_PF_DB_RELATIONS, key, &existing)
            == PF_OK)
        {
            continue;
        }

        g = ngx_http_pf_gen(ctx->pool);
        if (g == NULL || ngx_http_pf_gen_value(g, item) != PF_OK
            || ngx_http_pf_db_put(ctx, NGX_HTTP_PF_DB_RELATIONS, key,
                                  ngx_http_pf_gen_text(g)) != PF_OK)
        {
            return PF_ERROR;
        }
    }

    list = ngx_http_pf_json_get(doc, "settings");
    n = ngx_http_pf_json_count(list);

    for (i = 0; i < n; i++) {
        key = ngx_http_pf_json_key_at(list, i);
        item = ngx_http_pf_json_at(list, i);

        if (ngx_http_pf_db_get(ctx, NGX_HTTP_PF_DB_SETTINGS, key, &existing)
            == PF_OK)
        {
            continue;
        }

        if (ngx_http_pf_db_put(ctx, NGX_HTTP_PF_DB_SETTINGS, key,
                               ngx_http_pf_json_str(item))
            != PF_OK)
        {
            return PF_ERROR;
        }
    }

    return PF_OK;
}


/* Reads and parses the bootstrap file; NULL (logged) if it is unusable. */

const pf_val_t *
ngx_http_pf_bootstrap_read(ngx_pool_t *pool, ngx_log_t *log, ngx_str_t *path)
{
    u_char           *buf;
    ssize_t           n;
    ngx_fd_t          fd;
    ngx_str_t         err;
    ngx_file_t        file;
    ngx_file_info_t   fi;
    const pf_val_t   *doc;

    fd = ngx_open_file(path->data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        ngx_log_error(NGX_LOG_EMERG, log, ngx_errno,
                      ngx_open_file_n " \"%s\" failed", path->data);
        return NULL;
    }

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR
        || ngx_file_size(&fi) > 64 * 1024 * 1024)
    {
        ngx_log_error(NGX_LOG_EMERG, log, ngx_errno,
                      "portfolio_bootstrap \"%s\": cannot stat, or larger "
                      "than 64m", path->data);
        ngx_close_file(fd);
        return NULL;
    }

    buf = ngx_pnalloc(pool, ngx_file_size(&fi) + 1);
    if (buf == NULL) {
        ngx_close_file(fd);
        return NULL;
    }

    ngx_memzero(&file, sizeof(ngx_file_t));
    file.fd = fd;
    file.name = *path;
    file.log = log;

    n = ngx_read_file(&file, buf, ngx_file_size(&fi), 0);
    ngx_close_file(fd);

    if (n == NGX_ERROR) {
        return NULL;
    }

    doc = ngx_http_pf_json_parse(pool, buf, n, 16, &err);
    if (doc == NULL || ngx_http_pf_json_type(doc) != PF_JSON_OBJECT) {
        ngx_log_error(NGX_LOG_EMERG, log, 0,
                      "portfolio_bootstrap \"%s\": %V", path->data,
                      doc ? &(ngx_str_t) ngx_string("not a JSON object")
                          : &err);
        return NULL;
    }

    if (ngx_http_pf_bootstrap_schools_ok(doc, log, path) != NGX_OK) {
        return NULL;
    }

    return doc;
}


/* Two schools of the file with one domain or one national code: refused. */

static ngx_int_t
ngx_http_pf_bootstrap_schools_ok(const pf_val_t *doc, ngx_log_t *log,
    ngx_str_t *path)
{
    size_t           i, j, k, n;
    pf_str_t         a, b;
    const pf_val_t  *list;

    static const char  *fields[] = { "domain", "code" };

    list = ngx_http_pf_json_get(doc, "schools");
    n = ngx_http_pf_json_count(list);

    for (i = 0; i < n; i++) {
        for (j = 0; j < i; j++) {
            for (k = 0; k < 2; k++) {
                a = ngx_http_pf_json_str(ngx_http_pf_json_get(
                        ngx_http_pf_json_at(list, i), fields[k]));
                b = ngx_http_pf_json_str(ngx_http_pf_json_get(
                        ngx_http_pf_json_at(list, j), fields[k]));

                if (a.len && a.len == b.len
                    && ngx_strncmp(a.data, b.data, a.len) == 0)
                {
                    ngx_log_error(NGX_LOG_EMERG, log, 0,
                                  "portfolio_bootstrap \"%s\": schools %uz "
                                  "and %uz have the same %s \"%*s\"",
                                  path->data, j, i, fields[k], a.len,
                                  a.data);
                    return NGX_ERROR;
                }
            }
        }
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_pf_bootstrap(ngx_cycle_t *cycle, ngx_http_pf_main_conf_t *pmcf)
{
    int                   rc;
    MDB_txn              *txn;
    ngx_int_t             result;
    ngx_uint_t            created;
    const pf_val_t       *doc;
    ngx_http_pf_ctx_t    *ctx;
    ngx_http_pf_store_t  *store;

    /* opening here also checks the data directory and map size early */
    if (ngx_http_pf_store_open(cycle, pmcf, &store) != NGX_OK) {
        return NGX_ERROR;
    }

    result = NGX_ERROR;
    pmcf->store = store;

    ctx = ngx_http_pf_ctx_create(pmcf, NULL, cycle->log);
    if (ctx == NULL) {
        goto close;
    }

    if (pmcf->bootstrap.len == 0) {
        result = NGX_OK;
        goto done;
    }

    doc = ngx_http_pf_bootstrap_read(ctx->pool, cycle->log, &pmcf->bootstrap);
    if (doc == NULL) {
        goto done;
    }

    rc = mdb_txn_begin(ngx_http_pf_store_env(store), NULL, 0, &txn);
    if (rc != 0) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "mdb_txn_begin() failed: %s", mdb_strerror(rc));
        goto done;
    }

    ctx->txn = txn;
    ctx->write = 1;
    created = 0;

    if (ngx_http_pf_bootstrap_apply(ctx, doc, &created) != PF_OK) {
        mdb_txn_abort(txn);
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "portfolio_bootstrap \"%s\" not applied",
                      pmcf->bootstrap.data);
        goto done;
    }

    rc = mdb_txn_commit(txn);
    if (rc != 0) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "mdb_txn_commit() failed: %s", mdb_strerror(rc));
        goto done;
    }

    ngx_http_pf_session_committed(ctx);

    if (ngx_http_pf_store_sync(ngx_http_pf_store_env(store), cycle->log)
        != NGX_OK)
    {
        goto done;
    }

    if (created) {
        ngx_log_error(NGX_LOG_NOTICE, cycle->log, 0,
                      "portfolio_bootstrap: %ui account(s) created", created);
    }

    result = NGX_OK;

done:

    if (ctx) {
        ngx_destroy_pool(ctx->pool);
    }

close:

    ngx_http_pf_store_close(store);
    pmcf->store = NULL;

    return result;
}
