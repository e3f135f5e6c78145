/*
 * portfolio_plugin.h -- the stable plugin ABI of the portfolio module.
 *
 * A plugin is a shared object that sees only this header (no nginx
 * header) and says what it is with one macro:
 *
 *     PF_PLUGIN(.name = "example", .version = "1.0",
 *               PF_DATABASES(example_dbs), PF_ROUTES(example_routes))
 *
 * which defines its descriptor, the host pointer `pf_host` every call goes
 * through, and the entry point that checks the host's ABI.  The host
 * checks the descriptor at configuration time, so "nginx -t" names the
 * plugin and the reason for anything it refuses.
 *
 * How the ABI grows (as SQLite's sqlite3ext.h does):
 *   - the major version changes only when an existing member changes
 *     meaning or position; the host refuses a plugin of another major;
 *   - new members go at the end of pf_host_api_t, pf_plugin_t and
 *     pf_route_t only, in a group marked with the minor version that
 *     added it, and PF_ABI_MINOR is bumped with each group;
 *   - the host reads an older plugin's route table with the stride that
 *     plugin was built with, and gives the members it lacks their zero;
 *   - plugin code is synchronous and CPU-only: the host decides where it
 *     runs (reads in the event loop, writes in the writer thread).
 *
 * Minor versions:
 *   1.0  the first: requests, JSON, storage, settings, events, audit,
 *        outbox, utilities
 *   1.1  bodies other than JSON, uploads, sending files; routes gain
 *        max_body and precheck
 *   1.2  initial_password
 *   1.3  setting_in, setting_int_in
 *   1.4  data ownership (databases declared with their access); the
 *        core's records through host calls (accounts, relations, schools,
 *        audit, settings); settings declared with their bounds; routes
 *        gain an owner lookup (PF_SCOPE_OWNER, PF_SCOPE_RECORD) and the
 *        descriptor the route stride; the entry can say why it refused
 *   1.5  schools made and listed through the host (school_create,
 *        school_scan, school_by_code); the caller's account beside the
 *        student it acts for (pf_user_t.account: a temporary account);
 *        settings that are ceilings down the chain (pf_setting_t.ceiling)
 */

#ifndef PORTFOLIO_PLUGIN_H
#define PORTFOLIO_PLUGIN_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <string.h>

#define PF_ABI_MAJOR         1
#define PF_ABI_MINOR         5
#define PF_ABI_VERSION       ((PF_ABI_MAJOR << 16) | PF_ABI_MINOR)
#define PF_ENTRY_SYMBOL      "pf_plugin_entry"

#if defined(__GNUC__)
#define PF_EXPORT            __attribute__((visibility("default")))
#define PF_PRINTF(f, a)      __attribute__((format(printf, f, a)))
#else
#define PF_EXPORT
#define PF_PRINTF(f, a)
#endif


/*
 * Roles (SPEC "Who uses it"); a user holds a set of them in one school.
 * Records and answers name them: bit k is pf_role_name()'s k-th name.
 */
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
#define PF_NROLES                  13


/*
 * Scopes: whose data a route touches.  The router enforces them before the
 * handler runs, from the path parameters named below; a route whose scope
 * needs a parameter its path lacks is refused at load:
 *   PF_SCOPE_PUBLIC  no session needed (route must also set PF_ROUTE_PUBLIC);
 *   PF_SCOPE_SELF    only the caller's own data; a {user} parameter must be
 *                    the caller;
 *   PF_SCOPE_STUDENT {student} must be the caller, or a student the caller
 *                    may see (class, course, counselling, parent binding,
 *                    school admin of the same school);
 *   PF_SCOPE_SCHOOL  {school} must be the caller's school (a city admin
 *                    may name any school);
 *   PF_SCOPE_CITY    city-wide: city admins only, whatever the roles say;
 *   PF_SCOPE_OWNER   (1.4) {id} names a record of the caller's own: the
 *                    route's owner lookup says whose it is (or answers
 *                    404), and anyone else is answered 403 not_owner;
 *   PF_SCOPE_RECORD  (1.4) {id} names a record the route's owner lookup
 *                    finds (or answers 404); who besides its owner may
 *                    see it is the plugin's rule (drafts, reviewers), so
 *                    the handler applies it, host->can_see() included.
 */
#define PF_SCOPE_PUBLIC            0
#define PF_SCOPE_SELF              1
#define PF_SCOPE_STUDENT           2
#define PF_SCOPE_SCHOOL            3
#define PF_SCOPE_CITY              4
#define PF_SCOPE_OWNER             5
#define PF_SCOPE_RECORD            6


/* Route flags. */
#define PF_ROUTE_WRITE             0x0001u  /* runs in the writer thread */
#define PF_ROUTE_PUBLIC            0x0002u  /* no session needed */
#define PF_ROUTE_PWCHANGE_OK       0x0004u  /* allowed before the first
                                              password change */
#define PF_ROUTE_UPLOAD            0x0008u  /* (1.1) the body is a file: the
                                              host spools, types, hashes
                                              and stores it, then runs the
                                              handler in the writer with
                                              host->upload() */
#define PF_ROUTE_RAW_BODY          0x0010u  /* (1.1) also accepts text/csv;
                                              the bytes are
                                              host->raw_body() */


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
#define PF_DENIED                 (-2)   /* not this plugin's to do: a write
                                            in a read handler, a database
                                            it did not declare */
#define PF_FULL                   (-3)   /* the map is full */
#define PF_INVALID                (-4)   /* (1.4) a value its declaration
                                            refuses */
#define PF_EXISTS                 (-5)   /* (1.4) the record is there */


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


/*
 * (1.4) Databases: a plugin declares every named database it reaches,
 * and reaches no other (PF_DENIED, logged).  Each database has one owner,
 * the plugin that declares it PF_DB_OWN; another plugin may declare it
 * PF_DB_READ or PF_DB_WRITE only if the owner shares it so, and only when
 * the owner is loaded too.  The core's databases (accounts, sessions,
 * settings, audit, relations, schools, files) are never declared: they
 * are reached through host calls.  A name "*" reaches every database and
 * is accepted only from a plugin the configuration lists with
 * "all_databases" (the test kit).
 */
#define PF_DB_READ                 0x01u   /* reads another's */
#define PF_DB_WRITE                0x03u   /* reads and writes another's */
#define PF_DB_OWN                  0x07u   /* its own */
#define PF_DB_SHARE_READ           0x10u   /* with PF_DB_OWN: others may
                                              read it */
#define PF_DB_SHARE_WRITE          0x30u   /* with PF_DB_OWN: others may
                                              read and write it */

typedef struct {
    const char     *name;        /* [a-z0-9_], 1 to 64 bytes */
    uint32_t        access;      /* PF_DB_* */
} pf_db_t;


/*
 * (1.4) Settings: a plugin declares the settings it reads, with their
 * type, bounds, default and the levels that may set them.  Values resolve
 * school -> city -> nation -> the declared default; the settings routes,
 * the settings page and the README's table are made from these lists.
 * A window (SPEC AD3) is a setting per term: "window/<term>/<name>",
 * {"from": ms, "to": ms}, open when every level that sets one contains
 * now.
 */
#define PF_SETTING_NUMBER          1     /* a whole number, min to max */
#define PF_SETTING_WORD            2     /* one word of choices */
#define PF_SETTING_WINDOW          3     /* per term: {"from", "to"} */

#define PF_LEVEL_NATION            0x1u  /* the ministry's (bootstrap) */
#define PF_LEVEL_CITY              0x2u  /* the city admin's */
#define PF_LEVEL_SCHOOL            0x4u  /* the school admin's */
#define PF_LEVELS_ALL              0x7u

typedef struct {
    const char     *name;        /* [a-z0-9_], 1 to 64 bytes */
    uint32_t        type;        /* PF_SETTING_* */
    uint32_t        levels;      /* PF_LEVEL_* that may set it through
                                    the API (the bootstrap file sets any) */
    int64_t         min;         /* numbers */
    int64_t         max;
    int64_t         dflt;        /* numbers; -1 with empty_ok: "never" */
    const char     *choices;     /* words, space-separated: "a b c" */
    const char     *dflt_word;   /* words */
    unsigned        empty_ok;    /* "" is a value ("never"); it reads -1 */
    const char     *about;       /* one line: the page and the README */

    /* --- 1.5 --- */
    uint32_t        ceiling;     /* numbers: 0, or the PF_LEVEL_* whose
                                    rule the default is; then a value set
                                    at a level is a maximum for the levels
                                    below it (the default stands in for
                                    that level until it sets one): a PUT
                                    above it is refused, and a value reads
                                    as the least of the levels' */
} pf_setting_t;


/* (1.4) Relations: why a viewer may see a student (host->relation_*). */
#define PF_REL_HOMEROOM            0x1u   /* 導師 of the student's class */
#define PF_REL_COURSE              0x2u   /* teaches a course they take */
#define PF_REL_COUNSELOR           0x4u   /* 輔導教師 */
#define PF_REL_PARENT              0x8u   /* a bound parent (A4) */


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
    /* --- 1.0 --- */
    pf_str_t        id;          /* account name, e.g. zlsh108234567; for
                                    a temporary account (A3), the student
                                    it acts for */
    pf_str_t        name;        /* display name */
    pf_str_t        school;      /* school domain, e.g. zlsh */
    uint32_t        roles;       /* PF_ROLE_* */

    /* --- 1.5 --- */
    pf_str_t        account;     /* the account signed in (the same as id
                                    but for a temporary account): who
                                    did it, for audit trails */
} pf_user_t;

/* Handlers return an HTTP status; the body is what host->reply() set. */
typedef int (*pf_handler_pt)(pf_req_t *req);

/* Called for each record of a scan; return non-zero to stop. */
typedef int (*pf_scan_pt)(void *data, pf_str_t key, pf_str_t value);

/* (1.4) Called for each account of host->user_scan(); non-zero stops. */
typedef int (*pf_user_scan_pt)(void *data, pf_str_t id, const pf_val_t *user);

/*
 * (1.4) A route's owner lookup: who owns the record {id} names.  Returns
 * 0 with *owner set (an account name, in request memory: a parsed field
 * or a copy, not a stored value, since the handler may run in the writer
 * after this read), or the status of the error it set with host->error()
 * (404 when there is no such record).  host->record_owner() hands it to
 * the handler.
 */
typedef int (*pf_owner_pt)(pf_req_t *req, pf_str_t id, pf_str_t *owner);


typedef struct pf_host_api_s {
    uint32_t        abi_major;
    uint32_t        abi_minor;
    size_t          size;                    /* sizeof(pf_host_api_t) */

    /* --- 1.0 --- */

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

    /*
     * the response: reply() returns status so handlers can tail-call it;
     * error(), sprintf() and log() format as C's printf does
     */
    int             (*reply)(pf_req_t *req, int status, pf_gen_t *body);
    int             (*error)(pf_req_t *req, int status, const char *code,
                        const char *fmt, ...) PF_PRINTF(4, 5);

    /* storage: the named databases the plugin declared */
    int             (*db_get)(pf_req_t *req, const char *db, pf_str_t key,
                        pf_str_t *value);
    int             (*db_put)(pf_req_t *req, const char *db, pf_str_t key,
                        pf_str_t value);
    int             (*db_del)(pf_req_t *req, const char *db, pf_str_t key);
    int             (*db_scan)(pf_req_t *req, const char *db, pf_str_t prefix,
                        pf_scan_pt cb, void *data);

    /* settings, resolved school -> city -> nation -> dflt (1.4 plugins
       call setting_number() and setting_word(), which know the default) */
    pf_str_t        (*setting)(pf_req_t *req, const char *name);
    int64_t         (*setting_int)(pf_req_t *req, const char *name,
                        int64_t dflt);

    /* who may see whom (the rule of PF_SCOPE_STUDENT) */
    int             (*can_see)(pf_req_t *req, pf_str_t student);

    /* events: every plugin's hooks for the event run in the same
       transaction (nothing shipped emits one yet: messages will) */
    int             (*emit)(pf_req_t *req, const char *event,
                        const pf_val_t *payload);

    /* audit trail (SPEC Q4): who and when come from the request */
    int             (*audit)(pf_req_t *req, pf_str_t subject,
                        const char *action, pf_str_t detail);

    /* outbound work, kept in the same transaction; no drainer sends it
       yet (the messages issue adds it) */
    int             (*outbox)(pf_req_t *req, const char *kind,
                        pf_str_t payload);

    /* utilities */
    int64_t         (*now_ms)(pf_req_t *req);
    pf_str_t        (*new_id)(pf_req_t *req);        /* time-ordered, unique */
    void           *(*alloc)(pf_req_t *req, size_t size);   /* freed with req */
    pf_str_t        (*sprintf)(pf_req_t *req, const char *fmt, ...)
                        PF_PRINTF(2, 3);
    void            (*log)(pf_req_t *req, int level, const char *fmt, ...)
                        PF_PRINTF(3, 4);

    /* --- 1.1: bodies other than JSON --- */
    int64_t         (*content_length)(pf_req_t *req);  /* -1 if unknown */
    pf_str_t        (*raw_body)(pf_req_t *req);       /* PF_ROUTE_RAW_BODY */
    const pf_upload_t *(*upload)(pf_req_t *req);      /* PF_ROUTE_UPLOAD */
    int             (*upload_limit)(pf_req_t *req, int64_t max_bytes,
                        uint32_t types);              /* in a precheck */

    /* answer with a stored file (read handlers): sent with sendfile and
       ranges, as an attachment unless inline is set */
    int             (*send_file)(pf_req_t *req, pf_str_t sha256,
                        const char *mime, pf_str_t filename, int inline_);

    /* --- 1.2 --- */

    /* a credential for an initial password (SPEC A1); 1.4 plugins call
       user_create(), which stores it */
    pf_str_t        (*initial_password)(pf_req_t *req, pf_str_t password);

    /* --- 1.3 --- */

    /* settings as a named school sees them (1.4: setting_number()) */
    pf_str_t        (*setting_in)(pf_req_t *req, pf_str_t school,
                        const char *name);
    int64_t         (*setting_int_in)(pf_req_t *req, pf_str_t school,
                        const char *name, int64_t dflt);

    /* --- 1.4: the core's records, through the host --- */

    /*
     * Accounts (the core's "users").  user_get() answers the record
     * without its credential, NULL if there is none; user_scan() walks
     * the accounts of a school (every school's if empty) whose ids start
     * with prefix, in id order, parsing only the school's.
     * user_create() stores a new account from a JSON object of fields
     * with password as its initial password (SPEC A1: changed at the
     * first sign-in): PF_EXISTS if the id is taken, PF_INVALID if the
     * fields are not a JSON object (the reason is logged).  user_update() sets
     * the named fields of a JSON object (null removes one) and keeps
     * every other: the credential, the forced change and the directory
     * binding are the core's, and naming them is PF_DENIED.  Both add
     * "updated"/"created" and "by".  A change ends no session by itself;
     * sessions see new roles and a disabled or expired account at once.
     */
    const pf_val_t *(*user_get)(pf_req_t *req, pf_str_t id);
    int             (*user_scan)(pf_req_t *req, pf_str_t school,
                        pf_str_t prefix, pf_user_scan_pt cb, void *data);
    int             (*user_create)(pf_req_t *req, pf_str_t id,
                        pf_str_t fields, pf_str_t password);
    int             (*user_update)(pf_req_t *req, pf_str_t id,
                        pf_str_t fields);

    /*
     * SPEC A1 account names: a student's is the school's domain and the
     * student number, anyone else's the domain and the 9 characters after
     * the national ID's letter (9 digits; an old resident certificate's
     * second letter, lower case, and 8 digits).  Empty if the number or
     * ID is not well formed.
     */
    pf_str_t        (*account_name)(pf_req_t *req, pf_str_t school,
                        pf_str_t national_id, pf_str_t student_number);

    /* a school's record ({"domain", "name", "code"?}), NULL if none */
    const pf_val_t *(*school_get)(pf_req_t *req, pf_str_t domain);

    /*
     * Relations: the viewer may see the student (PF_REL_* kind) in a term
     * ("*" for relations not from an import).  relations() answers the
     * kinds the viewer has to the student in any term.
     */
    int             (*relation_put)(pf_req_t *req, pf_str_t viewer,
                        pf_str_t student, pf_str_t term, uint32_t kind);
    int             (*relation_del)(pf_req_t *req, pf_str_t viewer,
                        pf_str_t student, pf_str_t term, uint32_t kind);
    uint32_t        (*relations)(pf_req_t *req, pf_str_t viewer,
                        pf_str_t student);

    /* a subject's audit entries, oldest first: key "<subject>\x1f<id>",
       value {"at", "by", "action", "detail"} */
    int             (*audit_scan)(pf_req_t *req, pf_str_t subject,
                        pf_scan_pt cb, void *data);

    /*
     * Declared settings (pf_setting_t), as school sees them (an empty
     * school: the caller's).  setting_number() of an empty ("never")
     * value is -1.  window_open() answers 1 if the window of that name is
     * open for the school's term now, 0 if not, with the earliest closing
     * time of the levels set in *to.  setting_at() is one level's own
     * value, unresolved: PF_LEVEL_SCHOOL with a school, PF_LEVEL_CITY or
     * PF_LEVEL_NATION; a window's name is "window/<term>/<name>".
     * setting_put() checks the value against the declaration (PF_INVALID
     * for a value it refuses or a name no loaded plugin declares,
     * PF_DENIED at a level that may not set it); the caller audits the
     * change.  setting_del() removes a level's value (PF_NOT_FOUND if it
     * set none).  A stored value the declaration refuses (set by the
     * bootstrap file) reads as the default.
     */
    int64_t         (*setting_number)(pf_req_t *req, pf_str_t school,
                        const char *name);
    pf_str_t        (*setting_word)(pf_req_t *req, pf_str_t school,
                        const char *name);
    int             (*window_open)(pf_req_t *req, pf_str_t school,
                        pf_str_t term, const char *name, int64_t *to);
    pf_str_t        (*setting_at)(pf_req_t *req, uint32_t level,
                        pf_str_t school, pf_str_t name);
    int             (*setting_put)(pf_req_t *req, uint32_t level,
                        pf_str_t school, pf_str_t name, pf_str_t value);
    int             (*setting_del)(pf_req_t *req, uint32_t level,
                        pf_str_t school, pf_str_t name);

    /* the owner the route's owner lookup found (PF_SCOPE_OWNER, _RECORD) */
    pf_str_t        (*record_owner)(pf_req_t *req);

    /* --- 1.5: schools (SPEC C1) --- */

    /*
     * school_create() stores a school from a JSON object of fields
     * ("name", "code": the national school code) as {"domain", ...,
     * "created", "by"}: PF_EXISTS if the domain or the code is taken,
     * PF_INVALID if the fields are not an object with a name and a code.
     * school_scan() walks every school in domain order (key the domain,
     * value the record); school_by_code() answers the domain that has a
     * national school code, empty if none.
     */
    int             (*school_create)(pf_req_t *req, pf_str_t domain,
                        pf_str_t fields);
    int             (*school_scan)(pf_req_t *req, pf_scan_pt cb, void *data);
    pf_str_t        (*school_by_code)(pf_req_t *req, pf_str_t code);
} pf_host_api_t;


typedef struct {
    /* --- 1.0 --- */
    const char     *method;      /* GET, POST, PUT, PATCH, DELETE */
    const char     *path;        /* "/outcomes/{id}", relative to the API
                                    location */
    uint32_t        roles;       /* PF_ROLE_* any of which may call it */
    uint32_t        scope;       /* PF_SCOPE_* */
    uint32_t        flags;       /* PF_ROUTE_* */
    pf_handler_pt   handler;

    /* --- 1.1 --- */
    int64_t         max_body;    /* largest body; 0: portfolio_json_max_size
                                    (or 10 MiB for uploads) */
    pf_handler_pt   precheck;    /* optional; runs in the event loop after
                                    the access checks and before the body is
                                    read: return 0 to go on, or an error
                                    status (limits, windows, counts) */

    /* --- 1.4 --- */
    pf_owner_pt     owner;       /* PF_SCOPE_OWNER, PF_SCOPE_RECORD */
} pf_route_t;

/* The route stride of plugins built before pf_plugin_t had route_size. */
#define PF_ROUTE_SIZE_1_0          offsetof(pf_route_t, max_body)
#define PF_ROUTE_SIZE_1_1          offsetof(pf_route_t, owner)

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
    /* --- 1.0 --- */
    uint32_t            abi_major;
    uint32_t            abi_minor;
    size_t              size;          /* sizeof(pf_plugin_t) */
    const char         *name;
    const char         *version;
    const char *const  *dbs;           /* 1.0-1.3: database names, each the
                                          plugin's own; 1.4: NULL, see
                                          databases */
    const pf_route_t   *routes;
    size_t              nroutes;
    const pf_job_t     *jobs;
    size_t              njobs;
    const pf_hook_t    *hooks;
    size_t              nhooks;

    /* --- 1.4 --- */
    size_t              route_size;    /* sizeof(pf_route_t) when built */
    const pf_db_t      *databases;
    size_t              ndatabases;
    const pf_setting_t *settings;
    size_t              nsettings;
    size_t              setting_size;  /* sizeof(pf_setting_t) when built */
} pf_plugin_t;


/*
 * The entry point.  host_abi is (major << 16) | minor.  A plugin that
 * refuses the host returns NULL and may say why in *why (static text).
 * Entries built before 1.4 take two arguments and never read the third.
 */
typedef const pf_plugin_t *(*pf_plugin_entry_pt)(const pf_host_api_t *host,
    uint32_t host_abi, const char **why);


/* --- what a plugin writes: one macro, and tables with designated fields -- */

#define PF_COUNT(a)        (sizeof(a) / sizeof((a)[0]))

#define PF_ROUTES(a)       .routes = (a), .nroutes = PF_COUNT(a),            \
                           .route_size = sizeof(pf_route_t)
#define PF_DATABASES(a)    .databases = (a), .ndatabases = PF_COUNT(a)
#define PF_SETTINGS(a)     .settings = (a), .nsettings = PF_COUNT(a),        \
                           .setting_size = sizeof(pf_setting_t)
#define PF_JOBS(a)         .jobs = (a), .njobs = PF_COUNT(a)
#define PF_HOOKS(a)        .hooks = (a), .nhooks = PF_COUNT(a)

#define PF_STRINGIFY_(x)   #x
#define PF_STRINGIFY(x)    PF_STRINGIFY_(x)

/* The host every plugin call goes through (set by the entry). */
extern const pf_host_api_t  *pf_host;

/*
 * The entry's checks: the same major, and a host table at least as large
 * as this header's (it has every call the plugin may make); then the
 * plugin's own check, if any, which answers NULL or why it refuses.
 */
static inline const pf_plugin_t *
pf_plugin_accept(const pf_host_api_t *api, uint32_t host_abi,
    const char **why, const char *(*check)(const pf_host_api_t *api),
    const pf_plugin_t *desc)
{
    const char  *reason;

    if ((host_abi >> 16) != PF_ABI_MAJOR) {
        *why = "it was built for ABI major " PF_STRINGIFY(PF_ABI_MAJOR);
        return NULL;
    }

    if (api->size < sizeof(pf_host_api_t)) {
        *why = "it needs a host of ABI " PF_STRINGIFY(PF_ABI_MAJOR) "."
               PF_STRINGIFY(PF_ABI_MINOR) " or later";
        return NULL;
    }

    if (check != NULL) {
        reason = check(api);

        if (reason != NULL) {
            *why = reason;
            return NULL;
        }
    }

    pf_host = api;

    return desc;
}

/*
 * PF_PLUGIN(.name = ..., .version = ..., PF_ROUTES(...), ...): the
 * descriptor (its ABI fields filled in), pf_host and the entry point.
 * PF_PLUGIN_CHECKED(check, ...) adds the plugin's own check.
 */
#define PF_PLUGIN_CHECKED(check, ...)                                         \
    const pf_host_api_t  *pf_host;                                            \
    static const pf_plugin_t  pf_plugin_descriptor = {                        \
        .abi_major = PF_ABI_MAJOR, .abi_minor = PF_ABI_MINOR,                 \
        .size = sizeof(pf_plugin_t), __VA_ARGS__                              \
    };                                                                        \
    PF_EXPORT const pf_plugin_t *pf_plugin_entry(const pf_host_api_t *api,    \
        uint32_t host_abi, const char **why);                                 \
    PF_EXPORT const pf_plugin_t *                                             \
    pf_plugin_entry(const pf_host_api_t *api, uint32_t host_abi,              \
        const char **why)                                                     \
    {                                                                         \
        return pf_plugin_accept(api, host_abi, why, check,                    \
                                &pf_plugin_descriptor);                       \
    }

#define PF_PLUGIN(...)     PF_PLUGIN_CHECKED(NULL, __VA_ARGS__)


/*
 * Role names, as records and answers spell them: one table for the core
 * and every plugin.  pf_role_name() takes one PF_ROLE_* bit (NULL for
 * anything else); pf_role_bit() a name (0 if it names no role).
 */
static inline const char *
pf_role_name(uint32_t role)
{
    static const char *const  names[PF_NROLES] = {
        "student", "teacher", "homeroom", "course_teacher", "counselor",
        "consultant", "outcome_submitter", "performance_submitter",
        "school_admin", "city_admin", "parent", "university", "standin"
    };

    unsigned  k;

    for (k = 0; k < PF_NROLES; k++) {
        if (role == (1u << k)) {
            return names[k];
        }
    }

    return NULL;
}


static inline uint32_t
pf_role_bit(pf_str_t name)
{
    unsigned     k;
    const char  *s;

    for (k = 0; k < PF_NROLES; k++) {
        s = pf_role_name(1u << k);

        if (strlen(s) == name.len && memcmp(s, name.data, name.len) == 0) {
            return 1u << k;
        }
    }

    return 0;
}


/*
 * A term as keys and paths name it (plugins/README.md): an ROC year of 2
 * or 3 digits without a leading zero, "-", semester 1 or 2: "113-1".
 */
static inline int
pf_valid_term(pf_str_t t)
{
    size_t  i;

    if (t.len < 4 || t.len > 5 || t.data[0] == '0') {
        return 0;
    }

    for (i = 0; i < t.len - 2; i++) {
        if (t.data[i] < '0' || t.data[i] > '9') {
            return 0;
        }
    }

    return t.data[t.len - 2] == '-'
           && (t.data[t.len - 1] == '1' || t.data[t.len - 1] == '2');
}


#endif /* PORTFOLIO_PLUGIN_H */
