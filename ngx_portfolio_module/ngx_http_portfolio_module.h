/*
 * ngx_http_portfolio_module.h -- types shared by the module's files.
 *
 * One file per concern, one prefix (ngx_http_pf_):
 *   _module.c           directives, configuration, lifecycle
 *   _request.c          a request: content handler, checks before the body
 *                       (CSRF among them), body, run, finish
 *   _router.c           route table, matching, role and scope checks
 *   _json.c             JSON in: yajl parser into a pool tree
 *   _json_value.c       reading the tree (the host's JSON calls)
 *   _json_gen.c         JSON out: yajl_gen in a pool
 *   _store.c            LMDB environment, named databases, record access
 *   _writer.c           the writer: group commit of writes, in a thread
 *   _session.c          session tokens, records, cookie, the expiry sweep
 *   _session_cache.c    loading a session: per-worker cache, change marks
 *   _user.c             accounts: records, roles, A1 names, their host calls
 *   _school.c           schools and their unique national codes (C1)
 *   _settings.c         declared settings, resolution, checks
 *   _settings_routes.c  GET and PUT of settings by admins
 *   _windows.c          whether a window (AD3) is open
 *   _auth.c             sign-in, sign-out, /me, password change, delays
 *   _password.c         scrypt hashes, the initial credential, the pepper
 *   _bootstrap.c        the bootstrap file, applied by the master
 *   _health.c           GET /health
 *   _plugin.c           plugin loading and ABI checks
 *   _host.c             the host API table handed to plugins
 *   _reply.c            responses and JSON errors
 *   _blob.c             uploads: typing by content, hashing, storage
 *   _blob_send.c        downloads of stored files, with sendfile
 *   _blob_verify.c      re-hashing a school's stored files
 *   _ldap.c             the LDAP directory: directives, binds in a thread
 *   _ldap_bind.c        accounts bound to it: sign-in support, routes
 *   _ldap_escape.c      RFC 4514/4515 escaping, DN and filter templates
 */

#ifndef NGX_HTTP_PORTFOLIO_MODULE_H
#define NGX_HTTP_PORTFOLIO_MODULE_H

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <ngx_thread_pool.h>
#include <lmdb.h>
#include <ctype.h>

#include "portfolio_plugin.h"


#define NGX_HTTP_PF_VERSION         "0.1.0"

#define NGX_HTTP_PF_MAX_PARAMS      8
#define NGX_HTTP_PF_MAX_PLUGINS     64
#define NGX_HTTP_PF_SID_BYTES       32     /* session token entropy */
#define NGX_HTTP_PF_CHANGED_MAX     8      /* then every kept session */
#define NGX_HTTP_PF_HASH_LEN        32     /* SHA-256 */


/* Databases the core itself keeps. */
#define NGX_HTTP_PF_DB_USERS        "users"
#define NGX_HTTP_PF_DB_SCHOOLS      "schools"
#define NGX_HTTP_PF_DB_SCHOOL_CODES "school_codes"  /* code -> domain (C1) */
#define NGX_HTTP_PF_DB_SESSIONS     "sessions"
#define NGX_HTTP_PF_DB_AUTHFAIL     "auth_fail"
#define NGX_HTTP_PF_DB_RELATIONS    "relations"
#define NGX_HTTP_PF_DB_SETTINGS     "settings"
#define NGX_HTTP_PF_DB_AUDIT        "audit"
#define NGX_HTTP_PF_DB_OUTBOX       "outbox"
#define NGX_HTTP_PF_DB_BLOBS        "blobs"         /* school\x1fsha -> meta */
#define NGX_HTTP_PF_DB_DIRECTORY    "directory"     /* uid -> {"user"} (A2) */


typedef struct ngx_http_pf_main_conf_s  ngx_http_pf_main_conf_t;
typedef struct ngx_http_pf_store_s      ngx_http_pf_store_t;
typedef struct ngx_http_pf_writer_s     ngx_http_pf_writer_t;
typedef struct ngx_http_pf_kept_s       ngx_http_pf_kept_t;
typedef pf_req_t                        ngx_http_pf_ctx_t;

/* Told of a change to a watched database, inside the transaction. */
typedef void (*ngx_http_pf_watch_pt)(ngx_http_pf_ctx_t *ctx, pf_str_t key);


/* A database a plugin declared, and where the store keeps its handle. */
typedef struct {
    const char               *name;
    uint32_t                  access;          /* PF_DB_* */
    ngx_uint_t                index;           /* in ngx_http_pf_store_names */
} ngx_http_pf_plugin_db_t;


/* A loaded plugin. */
typedef struct {
    ngx_str_t                 name;
    ngx_str_t                 path;
    void                     *handle;          /* dlopen(); never closed
                                                  inside a worker */
    const pf_plugin_t        *desc;            /* as the plugin gave it */
    pf_plugin_t               info;            /* desc in this ABI's
                                                  layout: what an older
                                                  plugin lacks is zero */
    ngx_array_t               dbs;             /* ngx_http_pf_plugin_db_t */
    unsigned                  all_databases:1; /* declared "*" and granted */
    unsigned                  granted:1;       /* "all_databases" given */
} ngx_http_pf_plugin_t;


/* A declared setting (pf_setting_t) and who declared it. */
typedef struct {
    pf_setting_t              decl;            /* this ABI's layout */
    ngx_http_pf_plugin_t     *plugin;          /* NULL: the core's */
} ngx_http_pf_setting_t;


/* The ceiling of a level's value (1.5 pf_setting_t.ceiling, _settings.c). */
typedef struct {
    int64_t                   value;
    uint32_t                  level;           /* PF_LEVEL_* that sets it */
    unsigned                  dflt:1;          /* the declared default
                                                  standing in for it */
} ngx_http_pf_ceiling_t;


/* A route, compiled from a plugin's pf_route_t. */
typedef struct {
    ngx_uint_t                method;          /* NGX_HTTP_GET ... */
    ngx_str_t                 method_name;
    ngx_array_t               segments;        /* ngx_str_t; "{x}" = param */
    const pf_route_t         *route;           /* this ABI's layout */
    ngx_http_pf_plugin_t     *plugin;          /* NULL for built-in routes */
} ngx_http_pf_route_t;


/* The city's LDAP directory (SPEC A2, _ldap.c). */
typedef struct {
    ngx_str_t                 url;             /* space-separated, NUL */
    ngx_str_t                 bind_dn;         /* template with one %s */
    ngx_str_t                 search_base;     /* or search, then bind */
    ngx_str_t                 search_filter;
    ngx_str_t                 service_dn;
    ngx_str_t                 service_password;
    ngx_str_t                 ca_file;
    ngx_flag_t                starttls;
    ngx_msec_t                timeout;         /* connect */
    ngx_msec_t                op_timeout;      /* a whole attempt */
    ngx_str_t                 pool_name;
    ngx_thread_pool_t        *pool;
    unsigned                  ldaps:1;
} ngx_http_pf_ldap_conf_t;


struct ngx_http_pf_main_conf_s {
    ngx_str_t                 data_dir;
    off_t                     map_size;
    ngx_array_t              *plugins;         /* ngx_http_pf_plugin_t */
    ngx_array_t               routes;          /* ngx_http_pf_route_t */
    ngx_array_t               dbs;             /* char *, the plugins' dbs */
    ngx_array_t               settings;        /* ngx_http_pf_setting_t */
    ngx_array_t              *watches;         /* see _store.c */

    ngx_str_t                 writer_pool_name;
    ngx_str_t                 task_pool_name;
    ngx_thread_pool_t        *writer_pool;
    ngx_thread_pool_t        *task_pool;

    ngx_flag_t                group_commit;
    ngx_uint_t                write_queue;     /* max waiting writes */
    ngx_uint_t                batch_max;       /* writes per commit */

    ngx_uint_t                password_cost;   /* scrypt log2(N) */
    ngx_uint_t                fail_free;       /* failures before delays */
    time_t                    fail_delay_max;
    time_t                    session_idle;
    time_t                    session_lifetime;
    ngx_str_t                 cookie_name;
    ngx_str_t                 bootstrap;       /* file of accounts, schools */
    ngx_flag_t                api_used;
    u_char                    pepper[32];      /* DATA/pepper */
    unsigned                  pepper_loaded:1;

    ngx_http_pf_ldap_conf_t   ldap;

    ngx_http_pf_store_t      *store;           /* per worker, after fork */
    ngx_http_pf_writer_t     *writer;
    ngx_http_pf_kept_t       *kept;            /* per worker: sessions */
    ngx_shm_zone_t           *marks;           /* session change counters */
};


typedef struct {
    ngx_flag_t                api;
    size_t                    json_max_size;
    ngx_uint_t                json_max_depth;
    ngx_str_t                 prefix;          /* portfolio_api_prefix */
    unsigned                  regex:1;
} ngx_http_pf_loc_conf_t;


/* Session record fields needed per request. */
typedef struct {
    u_char                    hash[NGX_HTTP_PF_HASH_LEN];
    int64_t                   created;         /* ms */
    int64_t                   seen;            /* ms */
    int64_t                   expires;         /* ms, a temporary
                                                  account's; 0: none */
    unsigned                  valid:1;
    unsigned                  must_change:1;
    unsigned                  temporary:1;     /* the account is one
                                                  (SPEC A3) */
} ngx_http_pf_session_t;


typedef void (*ngx_http_pf_done_pt)(ngx_http_pf_ctx_t *ctx);


/*
 * One handler call.  A request has one; a scheduled job makes one with no
 * request.  Everything a handler allocates comes from ctx->pool, which only
 * one thread touches at a time (the event loop, or the writer while the
 * request is blocked), and which dies with the request.
 */
struct pf_req_s {
    ngx_http_request_t       *r;               /* NULL for jobs */
    ngx_pool_t               *pool;
    ngx_log_t                *log;
    ngx_http_pf_main_conf_t  *pmcf;

    pf_user_t                 user;
    unsigned                  has_user:1;
    unsigned                  write:1;         /* inside a write txn */
    unsigned                  replied:1;
    unsigned                  queued:1;
    unsigned                  keep:1;          /* commit even on an error
                                                  status (failure counts) */
    ngx_http_pf_session_t     session;

    /* session and user records this change wrote (buckets, see
       _session_cache.c) */
    uint32_t                  changed[NGX_HTTP_PF_CHANGED_MAX];
    ngx_uint_t                nchanged;

    ngx_http_pf_plugin_t     *plugin;          /* whose code runs: its
                                                  databases only; NULL:
                                                  the core's */
    ngx_http_pf_route_t      *route;
    ngx_uint_t                nparams;
    pf_str_t                  owner;           /* of {id}, by the route's
                                                  owner lookup */
    ngx_str_t                 param_names[NGX_HTTP_PF_MAX_PARAMS];
    ngx_str_t                 param_values[NGX_HTTP_PF_MAX_PARAMS];
    const pf_val_t           *body;
    ngx_str_t                 raw_body;

    /* uploads: limits from the precheck, then what was stored */
    off_t                     upload_max;
    uint32_t                  upload_types;
    unsigned                  prechecking:1;
    pf_upload_t               upload;
    u_char                    upload_hex[65];
    ngx_str_t                 upload_temp;      /* the spooled body */

    /* a file to answer with (host->send_file) */
    ngx_str_t                 file;             /* sha256 hex */
    ngx_str_t                 file_mime;
    ngx_str_t                 file_name;
    unsigned                  file_inline:1;

    MDB_txn                  *txn;

    /* the response */
    ngx_uint_t                status;
    ngx_str_t                 out;             /* JSON body */
    ngx_str_t                 set_cookie;      /* one Set-Cookie, if any */
    ngx_str_t                 allow;           /* Allow, with a 405 */
    time_t                    retry_after;     /* 429/503 */

    /* where the writer or the task pool hands control back */
    pf_handler_pt             handler;
    ngx_http_pf_done_pt       done;
    ngx_queue_t               queue;           /* in the writer's queue */

    void                     *data;            /* per-flow state (login) */
};


/* _module.c */
extern ngx_module_t  ngx_http_portfolio_module;

/* _request.c */
ngx_http_pf_ctx_t *ngx_http_pf_ctx_create(ngx_http_pf_main_conf_t *pmcf,
    ngx_http_request_t *r, ngx_log_t *log);
ngx_int_t ngx_http_pf_handler(ngx_http_request_t *r);
void ngx_http_pf_finish(ngx_http_pf_ctx_t *ctx);

/* _blob.c */
#define NGX_HTTP_PF_BLOB_CHUNK  65536      /* bytes read at a time */
void ngx_http_pf_blob_upload(ngx_http_pf_ctx_t *ctx);
ngx_int_t ngx_http_pf_file_too_large(ngx_http_pf_ctx_t *ctx);
ngx_int_t ngx_http_pf_blob_path(ngx_http_pf_main_conf_t *pmcf,
    const u_char *hex, u_char *buf, size_t size);

/* _blob_send.c */
ngx_int_t ngx_http_pf_blob_send(ngx_http_request_t *r, ngx_http_pf_ctx_t *ctx);

/* _blob_verify.c */
extern const pf_route_t ngx_http_pf_blob_routes[];
extern const size_t ngx_http_pf_blob_nroutes;

/* _reply.c */
ngx_int_t ngx_http_pf_send(ngx_http_request_t *r, ngx_http_pf_ctx_t *ctx);
ngx_int_t ngx_http_pf_send_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *code, const char *message);
int ngx_http_pf_error(ngx_http_pf_ctx_t *ctx, int status, const char *code,
    const char *fmt, ...);
int ngx_http_pf_reply(ngx_http_pf_ctx_t *ctx, int status, pf_gen_t *g);
int ngx_http_pf_busy(ngx_http_pf_ctx_t *ctx, time_t retry,
    const char *message);

/* _json.c */
const pf_val_t *ngx_http_pf_json_parse(ngx_pool_t *pool, u_char *data,
    size_t len, ngx_uint_t max_depth, ngx_str_t *err);
int ngx_http_pf_json_type(const pf_val_t *v);
const pf_val_t *ngx_http_pf_json_get(const pf_val_t *obj, const char *key);
size_t ngx_http_pf_json_count(const pf_val_t *v);
const pf_val_t *ngx_http_pf_json_at(const pf_val_t *v, size_t i);
pf_str_t ngx_http_pf_json_key_at(const pf_val_t *obj, size_t i);
const pf_val_t *ngx_http_pf_json_without(ngx_pool_t *pool,
    const pf_val_t *obj, const char *key);
pf_str_t ngx_http_pf_json_str(const pf_val_t *v);
int ngx_http_pf_json_integer(const pf_val_t *v, int64_t *out);
ngx_int_t ngx_http_pf_json_utf8(const u_char *p, size_t len);

/* _json_gen.c */
pf_gen_t *ngx_http_pf_gen(ngx_pool_t *pool);
int ngx_http_pf_gen_map_open(pf_gen_t *g);
int ngx_http_pf_gen_map_close(pf_gen_t *g);
int ngx_http_pf_gen_array_open(pf_gen_t *g);
int ngx_http_pf_gen_array_close(pf_gen_t *g);
int ngx_http_pf_gen_key(pf_gen_t *g, const char *key);
int ngx_http_pf_gen_string(pf_gen_t *g, pf_str_t s);
int ngx_http_pf_gen_cstring(pf_gen_t *g, const char *s);
int ngx_http_pf_gen_number(pf_gen_t *g, int64_t n);
int ngx_http_pf_gen_boolean(pf_gen_t *g, int b);
int ngx_http_pf_gen_null(pf_gen_t *g);
int ngx_http_pf_gen_raw(pf_gen_t *g, pf_str_t json);
pf_str_t ngx_http_pf_gen_text(pf_gen_t *g);

/* _store.c */
ngx_int_t ngx_http_pf_store_open(ngx_cycle_t *cycle,
    ngx_http_pf_main_conf_t *pmcf, ngx_http_pf_store_t **storep);
void ngx_http_pf_store_close(ngx_http_pf_store_t *store);
ngx_int_t ngx_http_pf_store_chown(ngx_cycle_t *cycle,
    ngx_http_pf_main_conf_t *pmcf, ngx_uid_t user, ngx_gid_t group);
MDB_env *ngx_http_pf_store_env(ngx_http_pf_store_t *store);
ngx_int_t ngx_http_pf_store_sync(MDB_env *env, ngx_log_t *log);
ngx_int_t ngx_http_pf_store_read_begin(ngx_http_pf_ctx_t *ctx);
void ngx_http_pf_store_read_end(ngx_http_pf_ctx_t *ctx);
int ngx_http_pf_db_get(ngx_http_pf_ctx_t *ctx, const char *db, pf_str_t key,
    pf_str_t *value);
int ngx_http_pf_db_put(ngx_http_pf_ctx_t *ctx, const char *db, pf_str_t key,
    pf_str_t value);
int ngx_http_pf_db_del(ngx_http_pf_ctx_t *ctx, const char *db, pf_str_t key);
int ngx_http_pf_db_scan(ngx_http_pf_ctx_t *ctx, const char *db,
    pf_str_t prefix, pf_scan_pt cb, void *data);
int ngx_http_pf_plugin_db_get(pf_req_t *req, const char *db, pf_str_t key,
    pf_str_t *value);
int ngx_http_pf_plugin_db_put(pf_req_t *req, const char *db, pf_str_t key,
    pf_str_t value);
int ngx_http_pf_plugin_db_del(pf_req_t *req, const char *db, pf_str_t key);
int ngx_http_pf_plugin_db_scan(pf_req_t *req, const char *db,
    pf_str_t prefix, pf_scan_pt cb, void *data);
ngx_uint_t ngx_http_pf_store_core_db(const char *name);
ngx_int_t ngx_http_pf_store_watch(ngx_conf_t *cf,
    ngx_http_pf_main_conf_t *pmcf, const char *db,
    ngx_http_pf_watch_pt handler);
ngx_int_t ngx_http_pf_store_stat(ngx_http_pf_store_t *store,
    size_t *used, size_t *map_size, size_t *readers);

/* _writer.c */
ngx_int_t ngx_http_pf_writer_init(ngx_cycle_t *cycle,
    ngx_http_pf_main_conf_t *pmcf);
ngx_int_t ngx_http_pf_writer_post(ngx_http_pf_ctx_t *ctx);
ngx_int_t ngx_http_pf_thread_post(ngx_http_pf_ctx_t *ctx,
    ngx_thread_pool_t *pool, void (*handler)(void *data, ngx_log_t *log));
void ngx_http_pf_writer_hand(ngx_http_pf_ctx_t *ctx);
ngx_uint_t ngx_http_pf_writer_pending(ngx_http_pf_main_conf_t *pmcf);

/* _router.c */
ngx_int_t ngx_http_pf_router_add(ngx_conf_t *cf,
    ngx_http_pf_main_conf_t *pmcf, ngx_http_pf_plugin_t *plugin,
    const pf_route_t *routes, size_t n);
ngx_int_t ngx_http_pf_router_match(ngx_http_pf_ctx_t *ctx, ngx_str_t *path,
    ngx_uint_t *allowed);
int ngx_http_pf_router_check(ngx_http_pf_ctx_t *ctx);
ngx_str_t *ngx_http_pf_param(ngx_http_pf_ctx_t *ctx, const char *name);
int ngx_http_pf_can_see(ngx_http_pf_ctx_t *ctx, pf_str_t student);
int ngx_http_pf_relation_put(pf_req_t *req, pf_str_t viewer,
    pf_str_t student, pf_str_t term, uint32_t kind);
int ngx_http_pf_relation_del(pf_req_t *req, pf_str_t viewer,
    pf_str_t student, pf_str_t term, uint32_t kind);
uint32_t ngx_http_pf_relations(pf_req_t *req, pf_str_t viewer,
    pf_str_t student);

/* _session.c */
ngx_int_t ngx_http_pf_session_token(ngx_http_pf_ctx_t *ctx, ngx_str_t *token);
void ngx_http_pf_session_touch(ngx_http_pf_ctx_t *ctx);
int ngx_http_pf_session_sweep(pf_req_t *req);
int ngx_http_pf_session_create(ngx_http_pf_ctx_t *ctx, pf_str_t user,
    int64_t not_before, ngx_str_t *token);
int ngx_http_pf_session_renew(ngx_http_pf_ctx_t *ctx, pf_str_t user,
    int64_t changed);
int ngx_http_pf_session_delete(ngx_http_pf_ctx_t *ctx);
void ngx_http_pf_session_cookie(ngx_http_pf_ctx_t *ctx, ngx_str_t *token,
    time_t max_age);
void ngx_http_pf_sha256(const u_char *data, size_t len, u_char *out);

/* _session_cache.c */
ngx_int_t ngx_http_pf_session_load(ngx_http_pf_ctx_t *ctx);
ngx_int_t ngx_http_pf_session_init(ngx_cycle_t *cycle,
    ngx_http_pf_main_conf_t *pmcf);
ngx_int_t ngx_http_pf_session_conf(ngx_conf_t *cf,
    ngx_http_pf_main_conf_t *pmcf);
void ngx_http_pf_session_committed(ngx_http_pf_ctx_t *ctx);
pf_str_t ngx_http_pf_acting_for(ngx_http_pf_ctx_t *ctx, pf_str_t id,
    const pf_val_t *user);
void ngx_http_pf_user_set(ngx_http_pf_ctx_t *ctx, pf_str_t id, pf_str_t name,
    pf_str_t school, uint32_t roles, pf_str_t student, int64_t expires,
    ngx_uint_t temporary);

/* _user.c */
int ngx_http_pf_user_parse(ngx_http_pf_ctx_t *ctx, pf_str_t id,
    pf_str_t value, const pf_val_t **rec);
int ngx_http_pf_load_user(ngx_http_pf_ctx_t *ctx, pf_str_t id,
    const pf_val_t **rec);
int64_t ngx_http_pf_user_pw_changed(const pf_val_t *user);
uint32_t ngx_http_pf_roles_parse(const pf_val_t *roles);
int ngx_http_pf_gen_roles(pf_gen_t *g, uint32_t roles);
pf_str_t ngx_http_pf_account_name(ngx_pool_t *pool, pf_str_t school,
    pf_str_t national_id, pf_str_t student_number);
int ngx_http_pf_user_update(ngx_http_pf_ctx_t *ctx, pf_str_t id,
    const pf_val_t *rec, pf_str_t fields, ngx_uint_t stamp);
const pf_val_t *ngx_http_pf_api_user_get(pf_req_t *req, pf_str_t id);
int ngx_http_pf_api_user_scan(pf_req_t *req, pf_str_t school,
    pf_str_t prefix, pf_user_scan_pt cb, void *data);
int ngx_http_pf_api_user_create(pf_req_t *req, pf_str_t id,
    pf_str_t fields, pf_str_t password);
int ngx_http_pf_api_user_update(pf_req_t *req, pf_str_t id,
    pf_str_t fields);
pf_str_t ngx_http_pf_api_account_name(pf_req_t *req, pf_str_t school,
    pf_str_t national_id, pf_str_t student_number);

/* _school.c */
ngx_uint_t ngx_http_pf_school_domain_ok(pf_str_t domain);
pf_str_t ngx_http_pf_school_by_code(ngx_http_pf_ctx_t *ctx, pf_str_t code);
int ngx_http_pf_school_put(ngx_http_pf_ctx_t *ctx, pf_str_t domain,
    const pf_val_t *fields);
const pf_val_t *ngx_http_pf_api_school_get(pf_req_t *req, pf_str_t domain);
int ngx_http_pf_api_school_create(pf_req_t *req, pf_str_t domain,
    pf_str_t fields);
int ngx_http_pf_api_school_scan(pf_req_t *req, pf_scan_pt cb, void *data);
pf_str_t ngx_http_pf_api_school_by_code(pf_req_t *req, pf_str_t code);

/* _settings.c */
/* room for a stored setting's key: level, school, name, term */
#define NGX_HTTP_PF_SETTING_KEY  256

ngx_int_t ngx_http_pf_settings_init(ngx_conf_t *cf,
    ngx_http_pf_main_conf_t *pmcf);
ngx_int_t ngx_http_pf_settings_add(ngx_conf_t *cf,
    ngx_http_pf_main_conf_t *pmcf, ngx_http_pf_plugin_t *plugin,
    const pf_setting_t *decls, size_t n);
ngx_http_pf_setting_t *ngx_http_pf_setting_find(
    ngx_http_pf_main_conf_t *pmcf, const char *name, size_t len);
pf_str_t ngx_http_pf_setting_at(ngx_http_pf_ctx_t *ctx, uint32_t level,
    pf_str_t school, pf_str_t name);
pf_str_t ngx_http_pf_setting_value(ngx_http_pf_ctx_t *ctx, pf_str_t school,
    pf_str_t name);
int64_t ngx_http_pf_setting_number(ngx_http_pf_ctx_t *ctx, pf_str_t school,
    const char *name);
pf_str_t ngx_http_pf_setting_word(ngx_http_pf_ctx_t *ctx, pf_str_t school,
    const char *name);
int ngx_http_pf_setting_put(ngx_http_pf_ctx_t *ctx, uint32_t level,
    pf_str_t school, pf_str_t name, pf_str_t value, ngx_str_t *why);
int ngx_http_pf_setting_del(ngx_http_pf_ctx_t *ctx, uint32_t level,
    pf_str_t school, pf_str_t name);
pf_str_t ngx_http_pf_setting_shown(ngx_http_pf_ctx_t *ctx,
    const pf_setting_t *d, pf_str_t school);
ngx_uint_t ngx_http_pf_setting_ceiling(ngx_http_pf_ctx_t *ctx,
    const pf_setting_t *d, uint32_t level, pf_str_t school,
    ngx_http_pf_ceiling_t *c);
const char *ngx_http_pf_level_word(uint32_t level);
/* the school a call means: its own, or the signed-in user's when empty */
pf_str_t ngx_http_pf_setting_school(ngx_http_pf_ctx_t *ctx, pf_str_t school);

/* _windows.c */
int ngx_http_pf_window_open(ngx_http_pf_ctx_t *ctx, pf_str_t school,
    pf_str_t term, const char *name, int64_t *to);

/* _settings_routes.c */
extern const pf_route_t ngx_http_pf_settings_routes[];
extern const size_t ngx_http_pf_settings_nroutes;

/* _auth.c */
extern const pf_route_t ngx_http_pf_core_routes[];
extern const size_t ngx_http_pf_core_nroutes;
time_t ngx_http_pf_fail_wait(ngx_http_pf_ctx_t *ctx, pf_str_t username,
    int64_t *fails);
int ngx_http_pf_fail_record(ngx_http_pf_ctx_t *ctx, pf_str_t username,
    int64_t fails);

/* _password.c */
int ngx_http_pf_password_hash(ngx_pool_t *pool, ngx_uint_t cost,
    pf_str_t password, ngx_str_t *out, ngx_log_t *log);
int ngx_http_pf_password_verify(ngx_http_pf_main_conf_t *pmcf,
    pf_str_t password, pf_str_t stored, ngx_log_t *log);
int ngx_http_pf_initial_credential(ngx_http_pf_main_conf_t *pmcf,
    ngx_pool_t *pool, pf_str_t password, ngx_str_t *out);
ngx_int_t ngx_http_pf_pepper(ngx_cycle_t *cycle,
    ngx_http_pf_main_conf_t *pmcf, ngx_uint_t create);

/* _bootstrap.c */
ngx_int_t ngx_http_pf_bootstrap(ngx_cycle_t *cycle,
    ngx_http_pf_main_conf_t *pmcf);
const pf_val_t *ngx_http_pf_bootstrap_read(ngx_pool_t *pool, ngx_log_t *log,
    ngx_str_t *path);

/* _health.c */
extern const pf_route_t ngx_http_pf_health_routes[];
extern const size_t ngx_http_pf_health_nroutes;

/* _ldap.c */
#define NGX_HTTP_PF_LDAP_OK           0
#define NGX_HTTP_PF_LDAP_INVALID      1    /* wrong password, no account */
#define NGX_HTTP_PF_LDAP_UNAVAILABLE  2    /* down, slow, misconfigured */
#define NGX_HTTP_PF_LDAP_RETRY_AFTER  10   /* s, with directory_unavailable */
#define NGX_HTTP_PF_LDAP_MAX_UID      64   /* bytes of a directory account */
void ngx_http_pf_ldap_create_conf(ngx_http_pf_ldap_conf_t *lc);
char *ngx_http_pf_ldap_init_conf(ngx_conf_t *cf,
    ngx_http_pf_main_conf_t *pmcf);
char *ngx_http_pf_ldap_url(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_http_pf_ldap_bind_dn(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_pf_ldap_search(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
ngx_int_t ngx_http_pf_ldap_auth(ngx_http_pf_ldap_conf_t *lc, pf_str_t uid,
    pf_str_t password, ngx_log_t *log);

/* _ldap_bind.c */
#define NGX_HTTP_PF_LOGIN_LOCAL       1
#define NGX_HTTP_PF_LOGIN_DIRECTORY   2
extern const pf_route_t ngx_http_pf_ldap_routes[];
extern const size_t ngx_http_pf_ldap_nroutes;
int ngx_http_pf_ldap_resolve(ngx_http_pf_ctx_t *ctx, pf_str_t name,
    pf_str_t *account);
ngx_uint_t ngx_http_pf_login_methods(ngx_http_pf_ctx_t *ctx,
    const pf_val_t *rec, pf_str_t *uid);
ngx_uint_t ngx_http_pf_ldap_still_bound(const pf_val_t *rec, pf_str_t uid);
int ngx_http_pf_ldap_retire_initial(ngx_http_pf_ctx_t *ctx, pf_str_t id,
    const pf_val_t *rec);
int ngx_http_pf_ldap_bootstrap_bind(ngx_http_pf_ctx_t *ctx, pf_str_t id,
    pf_str_t uid);

/* _ldap_escape.c */
size_t ngx_http_pf_ldap_expand(unsigned char *dst, size_t size,
    const char *tmpl, const unsigned char *value, size_t len, int filter);

/* _plugin.c */
ngx_int_t ngx_http_pf_plugin_load(ngx_conf_t *cf,
    ngx_http_pf_main_conf_t *pmcf, ngx_str_t *name, ngx_str_t *path,
    ngx_uint_t granted);
ngx_int_t ngx_http_pf_plugins_check(ngx_conf_t *cf,
    ngx_http_pf_main_conf_t *pmcf);

/* _host.c */
extern const pf_host_api_t ngx_http_pf_host_api;
int ngx_http_pf_audit(ngx_http_pf_ctx_t *ctx, pf_str_t subject,
    const char *action, pf_str_t detail);
int64_t ngx_http_pf_now_ms(void);
int ngx_http_pf_gen_value(pf_gen_t *g, const pf_val_t *v);
int ngx_http_pf_gen_who(pf_gen_t *g, ngx_http_pf_ctx_t *ctx);


#define ngx_http_pf_str(s)   ((pf_str_t) { (s)->len, (const char *) (s)->data })


#endif /* NGX_HTTP_PORTFOLIO_MODULE_H */
