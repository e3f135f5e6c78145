/*
 * portfolio_plugin.h -- the stable plugin ABI of the portfolio module.
 *
 * A plugin is a shared object exporting one function, pf_plugin_entry(),
 * that returns a descriptor of its routes, jobs and event hooks.  It sees
 * only this header: no nginx header, so the module can change inside
 * without rebuilding plugins.  Rules that keep the ABI stable:
 *
 *   - the major version changes only when an existing member changes
 *     meaning or position; the host refuses a plugin of another major;
 *   - new members are appended to the end of pf_host_api_t and
 *     pf_plugin_t and bump the minor version; both sides carry their
 *     struct size so either can tell which members the other has;
 *   - plugin code is synchronous and CPU-only: the host decides where it
 *     runs (reads in the event loop, writes in the writer thread).
 */

#ifndef PORTFOLIO_PLUGIN_H
#define PORTFOLIO_PLUGIN_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

#define PF_ABI_MAJOR         1
#define PF_ABI_MINOR         0
#define PF_ABI_VERSION       ((PF_ABI_MAJOR << 16) | PF_ABI_MINOR)
#define PF_ENTRY_SYMBOL      "pf_plugin_entry"


/* Roles (SPEC "Who uses it"); a user holds a set of them in one school. */
#define PF_ROLE_STUDENT            0x00000001u   /* 學生 */
#define PF_ROLE_TEACHER            0x00000002u   /* any teacher account */
#define PF_ROLE_HOMEROOM           0x00000004u   /* 導師 (from SIS data) */
#define PF_ROLE_COURSE_TEACHER     0x00000008u   /* 授課教師 (from SIS data) */
#define PF_ROLE_COUNSELOR          0x00000010u   /* 輔導教師 */
#define PF_ROLE_CONSULTANT         0x00000020u   /* 課程諮詢教師 */
#define PF_ROLE_OUTCOME_SUBMITTER  0x00000040u   /* 學習成果提交人員 */
#define PF_ROLE_PERF_SUBMITTER     0x00000080u   /* 多元表現提交人員 */
#define PF_ROLE_SCHOOL_ADMIN       0x00000100u   /* 校管理者 */
#define PF_ROLE_CITY_ADMIN         0x00000200u   /* 教育局 */
#define PF_ROLE_PARENT             0x00000400u   /* 家長 */
#define PF_ROLE_UNIVERSITY         0x00000800u   /* 大學校系 */
#define PF_ROLE_STANDIN            0x00001000u   /* 代理人 */
#define PF_ROLE_ANY                0xffffffffu   /* any signed-in user */


/*
 * Scopes: whose data a route touches.  The router enforces them before the
 * handler runs, from the path parameters named below:
 *   PF_SCOPE_PUBLIC  no session needed (route must also set PF_ROUTE_PUBLIC);
 *   PF_SCOPE_SELF    only the caller's own data; a {user} parameter must be
 *                    the caller;
 *   PF_SCOPE_STUDENT a {student} parameter must be the caller, or a student
 *                    the caller may see (class, course, counselling,
 *                    parent binding, school admin of the same school);
 *   PF_SCOPE_SCHOOL  a {school} parameter must be the caller's school
 *                    (a city admin may name any school);
 *   PF_SCOPE_CITY    city-wide: city admins only, whatever the roles say.
 * Handlers that reach a student through another id (an outcome id, say)
 * call host->can_see() on the owner, which applies the same rule.
 */
#define PF_SCOPE_PUBLIC            0
#define PF_SCOPE_SELF              1
#define PF_SCOPE_STUDENT           2
#define PF_SCOPE_SCHOOL            3
#define PF_SCOPE_CITY              4


/* Route flags. */
#define PF_ROUTE_WRITE             0x0001u  /* runs in the writer thread */
#define PF_ROUTE_PUBLIC            0x0002u  /* no session needed */
#define PF_ROUTE_PWCHANGE_OK       0x0004u  /* allowed before the first
                                              password change */
#define PF_ROUTE_UPLOAD            0x0008u  /* the body is a file: the host
                                              spools, types, hashes and
                                              stores it, then runs the
                                              handler in the writer with
                                              host->upload() */
#define PF_ROUTE_RAW_BODY          0x0010u  /* also accepts text/csv; the
                                              bytes are host->raw_body() */


/* File types, decided by content (SPEC Q2), for host->upload_limit(). */
#define PF_TYPE_PDF                0x0001u
#define PF_TYPE_PNG                0x0002u
#define PF_TYPE_JPEG               0x0004u
#define PF_TYPE_MP3                0x0008u
#define PF_TYPE_MP4                0x0010u
#define PF_TYPES_DOCUMENT          (PF_TYPE_PDF|PF_TYPE_PNG|PF_TYPE_JPEG)
#define PF_TYPES_MEDIA             (PF_TYPE_MP3|PF_TYPE_MP4)


/* Return codes of host calls. */
#define PF_OK                      0
#define PF_NOT_FOUND               1
#define PF_ERROR                  (-1)
#define PF_DENIED                 (-2)   /* e.g. a write in a read handler */
#define PF_FULL                   (-3)   /* the map is full */


/* JSON value types. */
#define PF_JSON_NULL               0
#define PF_JSON_FALSE              1
#define PF_JSON_TRUE               2
#define PF_JSON_NUMBER             3
#define PF_JSON_STRING             4
#define PF_JSON_ARRAY              5
#define PF_JSON_OBJECT             6


/* Log levels (as syslog and nginx number them). */
#define PF_LOG_ERR                 4
#define PF_LOG_WARN                5
#define PF_LOG_NOTICE              6
#define PF_LOG_INFO                7
#define PF_LOG_DEBUG               8


typedef struct {
    size_t          len;
    const char     *data;
} pf_str_t;

#define pf_string(s)   ((pf_str_t) { sizeof(s) - 1, (s) })

typedef struct pf_req_s   pf_req_t;    /* one handler call: request or job */
typedef struct pf_val_s   pf_val_t;    /* a parsed JSON value */
typedef struct pf_gen_s   pf_gen_t;    /* a JSON text being generated */

/* A stored upload, as the handler of a PF_ROUTE_UPLOAD route sees it. */
typedef struct {
    pf_str_t        sha256;      /* 64 hex digits: the file's name in the
                                    blob store */
    int64_t         size;        /* bytes */
    uint32_t        type;        /* PF_TYPE_* */
    const char     *mime;        /* "application/pdf" ... */
    const char     *ext;         /* "pdf" ... */
} pf_upload_t;

typedef struct {
    pf_str_t        id;          /* account name, e.g. zlsh108234567 */
    pf_str_t        name;        /* display name */
    pf_str_t        school;      /* school domain, e.g. zlsh */
    uint32_t        roles;       /* PF_ROLE_* */
} pf_user_t;

/* Handlers return an HTTP status; the body is what host->reply() set. */
typedef int (*pf_handler_pt)(pf_req_t *req);

/* Called for each record of a scan; return non-zero to stop. */
typedef int (*pf_scan_pt)(void *data, pf_str_t key, pf_str_t value);


typedef struct pf_host_api_s {
    uint32_t        abi_major;
    uint32_t        abi_minor;
    size_t          size;                    /* sizeof(pf_host_api_t) */

    /* the request */
    const pf_user_t *(*user)(pf_req_t *req);         /* NULL if public */
    pf_str_t        (*param)(pf_req_t *req, const char *name);  /* {name} */
    pf_str_t        (*arg)(pf_req_t *req, const char *name);    /* ?name= */
    const pf_val_t *(*body)(pf_req_t *req);          /* parsed JSON or NULL */

    /* JSON values (parsed bodies and stored records) */
    const pf_val_t *(*parse)(pf_req_t *req, pf_str_t json);
    int             (*type)(const pf_val_t *v);
    const pf_val_t *(*get)(const pf_val_t *obj, const char *key);
    size_t          (*count)(const pf_val_t *v);     /* array or object */
    const pf_val_t *(*at)(const pf_val_t *v, size_t i);
    pf_str_t        (*key_at)(const pf_val_t *obj, size_t i);
    pf_str_t        (*str)(const pf_val_t *v);       /* string or number */
    int             (*integer)(const pf_val_t *v, int64_t *out);

    /* JSON generation (responses, records) */
    pf_gen_t       *(*gen)(pf_req_t *req);
    int             (*map_open)(pf_gen_t *g);
    int             (*map_close)(pf_gen_t *g);
    int             (*array_open)(pf_gen_t *g);
    int             (*array_close)(pf_gen_t *g);
    int             (*key)(pf_gen_t *g, const char *key);
    int             (*string)(pf_gen_t *g, pf_str_t s);
    int             (*cstring)(pf_gen_t *g, const char *s);
    int             (*number)(pf_gen_t *g, int64_t n);
    int             (*boolean)(pf_gen_t *g, int b);
    int             (*null)(pf_gen_t *g);
    int             (*raw)(pf_gen_t *g, pf_str_t json);  /* trusted JSON */
    pf_str_t        (*text)(pf_gen_t *g);

    /* the response: reply() returns status so handlers can tail-call it */
    int             (*reply)(pf_req_t *req, int status, pf_gen_t *body);
    int             (*error)(pf_req_t *req, int status, const char *code,
                        const char *fmt, ...);

    /* storage: named databases the plugin declared in its descriptor */
    int             (*db_get)(pf_req_t *req, const char *db, pf_str_t key,
                        pf_str_t *value);
    int             (*db_put)(pf_req_t *req, const char *db, pf_str_t key,
                        pf_str_t value);
    int             (*db_del)(pf_req_t *req, const char *db, pf_str_t key);
    int             (*db_scan)(pf_req_t *req, const char *db, pf_str_t prefix,
                        pf_scan_pt cb, void *data);

    /* settings, resolved school -> city -> nation -> default */
    pf_str_t        (*setting)(pf_req_t *req, const char *name);
    int64_t         (*setting_int)(pf_req_t *req, const char *name,
                        int64_t dflt);

    /* who may see whom (the rule of PF_SCOPE_STUDENT) */
    int             (*can_see)(pf_req_t *req, pf_str_t student);

    /* events: hooks of every plugin run in the same transaction */
    int             (*emit)(pf_req_t *req, const char *event,
                        const pf_val_t *payload);

    /* audit trail (SPEC Q4): who and when come from the request */
    int             (*audit)(pf_req_t *req, pf_str_t subject,
                        const char *action, pf_str_t detail);

    /* outbound work, sent later by the outbox drainer */
    int             (*outbox)(pf_req_t *req, const char *kind,
                        pf_str_t payload);

    /* utilities */
    int64_t         (*now_ms)(pf_req_t *req);
    pf_str_t        (*new_id)(pf_req_t *req);        /* time-ordered, unique */
    void           *(*alloc)(pf_req_t *req, size_t size);   /* freed with req */
    pf_str_t        (*sprintf)(pf_req_t *req, const char *fmt, ...);
    void            (*log)(pf_req_t *req, int level, const char *fmt, ...);

    /* bodies other than JSON */
    int64_t         (*content_length)(pf_req_t *req);  /* -1 if unknown */
    pf_str_t        (*raw_body)(pf_req_t *req);       /* PF_ROUTE_RAW_BODY */
    const pf_upload_t *(*upload)(pf_req_t *req);      /* PF_ROUTE_UPLOAD */
    int             (*upload_limit)(pf_req_t *req, int64_t max_bytes,
                        uint32_t types);              /* in a precheck */

    /* answer with a stored file (read handlers): sent with sendfile and
       ranges, as an attachment unless inline is set */
    int             (*send_file)(pf_req_t *req, pf_str_t sha256,
                        const char *mime, pf_str_t filename, int inline_);

    /* a credential for an initial password (SPEC A1) to store as the
       user record's "pw" with "must_change": true; fast, so imports can
       create thousands of accounts in the writer */
    pf_str_t        (*initial_password)(pf_req_t *req, pf_str_t password);

    /* settings as a named school sees them (a city admin's view of it) */
    pf_str_t        (*setting_in)(pf_req_t *req, pf_str_t school,
                        const char *name);
    int64_t         (*setting_int_in)(pf_req_t *req, pf_str_t school,
                        const char *name, int64_t dflt);
} pf_host_api_t;


typedef struct {
    const char     *method;      /* GET, POST, PUT, PATCH, DELETE */
    const char     *path;        /* "/outcomes/{id}", relative to the API
                                    location */
    uint32_t        roles;       /* PF_ROLE_* any of which may call it */
    uint32_t        scope;       /* PF_SCOPE_* */
    uint32_t        flags;       /* PF_ROUTE_* */
    pf_handler_pt   handler;
    int64_t         max_body;    /* largest body; 0: portfolio_json_max_size
                                    (or 10 MiB for uploads) */
    pf_handler_pt   precheck;    /* optional; runs in the event loop after
                                    the access checks and before the body is
                                    read: return 0 to go on, or an error
                                    status (limits, windows, counts) */
} pf_route_t;

typedef struct {
    const char     *name;
    uint32_t        interval;    /* seconds between runs */
    pf_handler_pt   run;         /* runs in the writer, no user */
} pf_job_t;

typedef struct {
    const char     *event;       /* e.g. "outcome.published" */
    int           (*run)(pf_req_t *req, const pf_val_t *payload);
} pf_hook_t;

typedef struct {
    uint32_t            abi_major;
    uint32_t            abi_minor;
    size_t              size;          /* sizeof(pf_plugin_t) */
    const char         *name;
    const char         *version;
    const char *const  *dbs;           /* named databases, NULL-terminated */
    const pf_route_t   *routes;
    size_t              nroutes;
    const pf_job_t     *jobs;
    size_t              njobs;
    const pf_hook_t    *hooks;
    size_t              nhooks;
} pf_plugin_t;

typedef const pf_plugin_t *(*pf_plugin_entry_pt)(const pf_host_api_t *host,
    uint32_t host_abi);

/* What every plugin exports; plugins build with hidden visibility. */
#if defined(__GNUC__)
#define PF_EXPORT  __attribute__((visibility("default")))
#else
#define PF_EXPORT
#endif

PF_EXPORT const pf_plugin_t *pf_plugin_entry(const pf_host_api_t *host,
    uint32_t host_abi);


#endif /* PORTFOLIO_PLUGIN_H */
