/*
 * example -- the plugin author's example (plugins/README.md): a student's
 * short reflection notes (學習省思), small enough to read in one go and
 * using each part of the ABI a plugin needs:
 *
 *   - PF_PLUGIN: the descriptor, pf_host and the entry point in one macro;
 *   - its own databases (PF_DB_OWN): example_notes, keyed student\x1fid,
 *     and example_note_ids, id -> {"student"}, so a note is found by id;
 *   - a declared setting (example_notes_max), read with setting_number():
 *     the host applies the default and serves it on the settings routes;
 *   - routes of each kind of scope: the student's own list (SELF), a
 *     student's notes as those who may see the student see them
 *     (STUDENT), one note for its owner and those who may see them
 *     (RECORD), a note only its owner may delete (OWNER), both through
 *     one owner lookup;
 *   - the core's records through host calls: user_get for the student's
 *     name, can_see, audit.
 *
 * The suite builds and loads it (t/035-example.t); conf/ does not.
 *
 * Rules and refusals: a note is 1 to 200 characters (422 invalid_field);
 * a student keeps at most example_notes_max notes (422 limit_reached,
 * "(n/max)"); an unknown id is 404 not_found; only the owner deletes
 * (403 not_owner, from the router).
 */

#include "pf_common.h"


#define EX_TEXT_MAX  200


/* The owner lookup of {id}: example_note_ids says whose note it is. */

static int
ex_owner(pf_req_t *req, pf_str_t id, pf_str_t *owner)
{
    const pf_val_t  *idx;

    idx = pf_valid_id(id) ? pf_load(req, "example_note_ids", id) : NULL;
    *owner = pf_field(idx, "student");

    if (!pf_valid_id(*owner)) {
        return pf_host->error(req, 404, "not_found", "no such note");
    }

    return 0;
}


typedef struct {
    pf_gen_t   *g;
    int64_t     n;
} ex_list_t;


static int
ex_list_cb(void *data, pf_str_t key, pf_str_t value)
{
    ex_list_t  *l = data;

    if (l->g) {
        pf_host->raw(l->g, value);
    }

    l->n++;

    return 0;
}


static int
ex_list(pf_req_t *req, pf_str_t student)
{
    pf_gen_t   *g;
    ex_list_t   l;

    g = pf_host->gen(req);
    l.g = g;
    l.n = 0;

    pf_host->map_open(g);
    pf_host->key(g, "notes");
    pf_host->array_open(g);

    if (pf_host->db_scan(req, "example_notes",
                         pf_key(req, 2, student, pf_string("")), ex_list_cb,
                         &l)
        != PF_OK)
    {
        return pf_host->error(req, 503, "storage_unavailable",
                              "the notes cannot be read now");
    }

    pf_host->array_close(g);
    pf_host->key(g, "max");
    pf_host->number(g, pf_host->setting_number(req, pf_string(""),
                                               "example_notes_max"));
    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}


/* GET /example/notes: the caller's own notes, oldest first. */

static int
ex_mine(pf_req_t *req)
{
    return ex_list(req, pf_host->user(req)->id);
}


/* GET /students/{student}/example-notes: the router checked can_see. */

static int
ex_students(pf_req_t *req)
{
    return ex_list(req, pf_host->param(req, "student"));
}


/* POST /example/notes {"text"}: in the writer, so the count holds. */

static int
ex_add(pf_req_t *req)
{
    int64_t           max;
    pf_str_t          id, text, key;
    pf_gen_t         *g, *out;
    ex_list_t         count;
    const pf_val_t   *v;
    const pf_user_t  *user;

    user = pf_host->user(req);
    v = pf_host->get(pf_host->body(req), "text");
    text = pf_host->str(v);

    if (pf_host->type(v) != PF_JSON_STRING || text.len == 0
        || pf_utf8_chars(text) > EX_TEXT_MAX)
    {
        return pf_host->error(req, 422, "invalid_field",
                              "\"text\" is required: at most %d characters",
                              EX_TEXT_MAX);
    }

    count.g = NULL;
    count.n = 0;
    max = pf_host->setting_number(req, user->school, "example_notes_max");

    if (pf_host->db_scan(req, "example_notes",
                         pf_key(req, 2, user->id, pf_string("")), ex_list_cb,
                         &count)
        != PF_OK)
    {
        return pf_host->error(req, 503, "storage_unavailable",
                              "the notes cannot be read now");
    }

    if (count.n >= max) {
        return pf_host->error(req, 422, "limit_reached",
                              "you keep %lld notes already (%lld/%lld)",
                              (long long) count.n, (long long) count.n,
                              (long long) max);
    }

    id = pf_host->new_id(req);
    key = pf_key(req, 2, user->id, id);

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "id");
    pf_host->string(g, id);
    pf_host->key(g, "student");
    pf_host->string(g, user->id);
    pf_host->key(g, "text");
    pf_host->string(g, text);
    pf_host->key(g, "created");
    pf_host->number(g, pf_host->now_ms(req));
    pf_host->map_close(g);

    if (pf_host->db_put(req, "example_notes", key, pf_host->text(g)) != PF_OK
        || pf_host->db_put(req, "example_note_ids", id,
                           pf_host->sprintf(req, "{\"student\":\"%.*s\"}",
                                            PF_S(user->id)))
           != PF_OK
        || pf_host->audit(req, user->id, "example.note_added",
                          pf_host->sprintf(req, "{\"id\":\"%.*s\"}",
                                           PF_S(id)))
           != PF_OK)
    {
        return pf_host->error(req, 503, "storage_unavailable",
                              "the note could not be stored");
    }

    out = pf_host->gen(req);
    pf_host->map_open(out);
    pf_host->key(out, "note");
    pf_host->raw(out, pf_host->text(g));
    pf_host->map_close(out);

    return pf_host->reply(req, 201, out);
}


/*
 * GET /example/notes/{id}: the router found the owner (PF_SCOPE_RECORD);
 * the plugin's rule is the usual one: the owner, or whoever may see the
 * student.  The answer adds the student's name from the account.
 */

static int
ex_get(pf_req_t *req)
{
    pf_str_t          id, student, text;
    pf_gen_t         *g;
    const pf_val_t   *user;

    id = pf_host->param(req, "id");
    student = pf_host->record_owner(req);

    if (!pf_host->can_see(req, student)) {
        return pf_host->error(req, 403, "out_of_scope",
                              "this note is not yours to see");
    }

    if (pf_host->db_get(req, "example_notes", pf_key(req, 2, student, id),
                        &text)
        != PF_OK)
    {
        return pf_host->error(req, 404, "not_found", "no such note");
    }

    user = pf_host->user_get(req, student);

    g = pf_host->gen(req);
    pf_host->map_open(g);
    pf_host->key(g, "note");
    pf_host->raw(g, text);
    pf_host->key(g, "student_name");
    pf_host->string(g, pf_field(user, "name"));
    pf_host->map_close(g);

    return pf_host->reply(req, 200, g);
}


/* DELETE /example/notes/{id}: the owner's alone (PF_SCOPE_OWNER). */

static int
ex_delete(pf_req_t *req)
{
    pf_str_t          id;
    const pf_user_t  *user;

    user = pf_host->user(req);
    id = pf_host->param(req, "id");

    if (pf_host->db_del(req, "example_notes", pf_key(req, 2, user->id, id))
        != PF_OK
        || pf_host->db_del(req, "example_note_ids", id) != PF_OK
        || pf_host->audit(req, user->id, "example.note_deleted",
                          pf_host->sprintf(req, "{\"id\":\"%.*s\"}",
                                           PF_S(id)))
           != PF_OK)
    {
        return pf_host->error(req, 503, "storage_unavailable",
                              "the note could not be deleted");
    }

    return 204;
}


#define EX_VIEWERS  (PF_ROLE_STUDENT|PF_ROLE_TEACHER|PF_ROLE_SCHOOL_ADMIN   \
                     |PF_ROLE_CITY_ADMIN|PF_ROLE_PARENT)

static const pf_route_t  ex_routes[] = {
    { .method = "POST", .path = "/example/notes", .roles = PF_ROLE_STUDENT,
      .scope = PF_SCOPE_SELF, .flags = PF_ROUTE_WRITE, .handler = ex_add },
    { .method = "GET", .path = "/example/notes", .roles = PF_ROLE_STUDENT,
      .scope = PF_SCOPE_SELF, .handler = ex_mine },
    { .method = "GET", .path = "/students/{student}/example-notes",
      .roles = EX_VIEWERS, .scope = PF_SCOPE_STUDENT,
      .handler = ex_students },
    { .method = "GET", .path = "/example/notes/{id}", .roles = EX_VIEWERS,
      .scope = PF_SCOPE_RECORD, .handler = ex_get, .owner = ex_owner },
    { .method = "DELETE", .path = "/example/notes/{id}",
      .roles = PF_ROLE_STUDENT, .scope = PF_SCOPE_OWNER,
      .flags = PF_ROUTE_WRITE, .handler = ex_delete, .owner = ex_owner },
};

static const pf_db_t  ex_dbs[] = {
    { .name = "example_notes", .access = PF_DB_OWN },
    { .name = "example_note_ids", .access = PF_DB_OWN },
};

static const pf_setting_t  ex_settings[] = {
    { .name = "example_notes_max", .type = PF_SETTING_NUMBER,
      .levels = PF_LEVEL_CITY|PF_LEVEL_SCHOOL, .min = 1, .max = 100,
      .dflt = 20, .about = "notes a student may keep (the example plugin)" },
};

PF_PLUGIN(.name = "example", .version = "1.0",
          PF_DATABASES(ex_dbs), PF_ROUTES(ex_routes), PF_SETTINGS(ex_settings))
