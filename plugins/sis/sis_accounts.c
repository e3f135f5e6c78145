/*
 * sis_accounts.c -- the accounts an import makes and updates (SPEC A1),
 * through the host's account calls.  A new account gets the initial
 * password (the last 6 characters of the national ID, which is not
 * stored) and must change it; an existing one keeps its password, gets
 * the imported name, class, number and seat, and gains the role.
 * Unchanged accounts are not written.  The credential, the forced change
 * and the "created"/"updated"/"by" stamps are the core's
 * (pf_host->user_create, user_update).
 *
 * An import reads each account it names once: the checks read it
 * (sis_account_get) and the writes use what they read.  After a write
 * the record is read again only if the same import needs it again, so a
 * file of thousands of students reads each once, and a teacher of forty
 * courses is written once and read twice, not forty times.
 *
 * An import never changes which person an account is (SPEC A1): a row
 * naming an existing account under another name is a rename, and the
 * checks list it (sis_rename_check); the import refuses it unless the
 * admin confirms the renames (?confirm=rename) after the preview showed
 * them.  The national ID is not stored, so the name is what tells a
 * person from another whose ID gives the same account name.
 *
 * A preview (im->dry) counts what would be created and updated, each
 * account once, and writes nothing.
 */

#include <string.h>

#include "sis.h"


typedef struct {
    const pf_val_t  *rec;        /* without "pw"; NULL: no such account */
    unsigned         stale:1;    /* written since: read it again */
    unsigned         counted:1;  /* a preview counted it created or
                                    updated already */
} sis_known_t;


/* The account as this import knows it; NULL only without memory. */

static sis_known_t *
sis_known(sis_import_t *im, pf_str_t id)
{
    sis_known_t  *k;

    k = pf_map_get(&im->accounts, id, NULL);

    if (k == NULL) {
        k = pf_host->alloc(im->req, sizeof(sis_known_t));

        if (k == NULL || pf_map_put(&im->accounts, id, k) != PF_OK) {
            pf_host->log(im->req, PF_LOG_ERR, "out of memory for the "
                         "account %.*s", PF_S(id));
            return NULL;
        }

        k->stale = 1;
        k->counted = 0;
    }

    if (k->stale) {
        k->rec = pf_host->user_get(im->req, id);
        k->stale = 0;
    }

    return k;
}


const pf_val_t *
sis_account_get(sis_import_t *im, pf_str_t id)
{
    sis_known_t  *k;

    if (id.len == 0) {
        return NULL;
    }

    k = sis_known(im, id);

    return k ? k->rec : NULL;
}


/*
 * Creates the account (with its initial password pw) or updates it, from
 * the fields in b.
 */

static int
sis_account_write(sis_import_t *im, pf_str_t id, sis_buf_t *b, pf_str_t pw)
{
    int  rc;

    if (b->failed) {
        pf_host->log(im->req, PF_LOG_ERR, "out of memory for the "
                     "account %.*s", PF_S(id));
        return PF_ERROR;
    }

    rc = pw.len ? pf_host->user_create(im->req, id, sis_buf_text(b), pw)
                : pf_host->user_update(im->req, id, sis_buf_text(b));

    if (rc != PF_OK) {
        pf_host->log(im->req, PF_LOG_ERR, "the account %.*s could not "
                     "be %s (%d)", PF_S(id), pw.len ? "created" : "updated",
                     rc);
        return PF_ERROR;
    }

    if (pw.len) {
        im->created++;

    } else {
        im->updated++;
    }

    return PF_OK;
}


/* Nothing a would set differs from the account as it is. */

static int
sis_account_same(const pf_val_t *user, const sis_acct_t *a)
{
    int64_t  seat;

    return pf_has_role(user, a->role)
           && (a->name.len == 0 || pf_same(pf_field(user, "name"), a->name))
           && (a->klass.len == 0
               || pf_same(pf_field(user, "class"), a->klass))
           && (a->number.len == 0
               || pf_same(pf_field(user, "student_number"), a->number))
           && (a->seat < 0
               || (pf_host->integer(pf_host->get(user, "seat"), &seat)
                   == PF_OK
                   && seat == a->seat));
}


int
sis_account(sis_import_t *im, pf_str_t id, const sis_acct_t *a)
{
    int               rc;
    size_t            i, n;
    pf_str_t          pw;
    sis_buf_t         b;
    sis_known_t      *k;
    const pf_val_t   *user, *roles;

    k = sis_known(im, id);
    if (k == NULL) {
        return PF_ERROR;
    }

    user = k->rec;

    if (user == NULL && a->nid.len != 10) {
        pf_host->log(im->req, PF_LOG_ERR, "no account %.*s to give the "
                     "role %s", PF_S(id), pf_role_name(a->role));
        return PF_ERROR;
    }

    if (user != NULL && sis_account_same(user, a)) {
        return PF_OK;
    }

    if (im->dry) {
        /* what the writes would do, once per account */
        if (!k->counted) {
            k->counted = 1;

            if (user == NULL) {
                im->created++;

            } else {
                im->updated++;
            }
        }

        return PF_OK;
    }

    /* what is set; a new account also gets its school and first role */
    sis_buf_init(&b, im->req, 256);
    sis_buf_open(&b, '{');

    if (a->name.len) {
        sis_buf_key(&b, "name");
        sis_buf_str(&b, a->name);
    }

    if (user == NULL) {
        sis_buf_key(&b, "school");
        sis_buf_str(&b, im->school);
    }

    if (user == NULL || !pf_has_role(user, a->role)) {
        /* the roles it has, and the new one last */
        roles = pf_host->get(user, "roles");
        n = pf_host->type(roles) == PF_JSON_ARRAY ? pf_host->count(roles) : 0;

        sis_buf_key(&b, "roles");
        sis_buf_open(&b, '[');

        for (i = 0; i < n; i++) {
            sis_buf_value(&b, pf_host->at(roles, i));
        }

        sis_buf_cstr(&b, pf_role_name(a->role));
        sis_buf_close(&b, ']');
    }

    if (a->klass.len) {
        sis_buf_key(&b, "class");
        sis_buf_str(&b, a->klass);
    }

    if (a->seat >= 0) {
        sis_buf_key(&b, "seat");
        sis_buf_int(&b, a->seat);
    }

    if (a->number.len) {
        sis_buf_key(&b, "student_number");
        sis_buf_str(&b, a->number);
    }

    sis_buf_close(&b, '}');

    /* the last 6 characters of the national ID */
    pw = user ? pf_string("") : (pf_str_t) { 6, a->nid.data + 4 };

    rc = sis_account_write(im, id, &b, pw);
    k->stale = 1;

    return rc;
}


/*
 * A row giving the existing account id (user) another name: listed as a
 * rename.  Names compare as the file writes them, spaces around trimmed.
 */

int
sis_rename_check(sis_import_t *im, sis_row_t *row, pf_str_t id,
    const pf_val_t *user, pf_str_t name)
{
    size_t         cap;
    pf_str_t       old;
    sis_rename_t  *r;

    old = pf_field(user, "name");

    if (user == NULL || name.len == 0 || pf_same(old, name)) {
        return PF_OK;
    }

    if (im->nrenames == im->renamecap) {
        cap = im->renamecap ? im->renamecap * 2 : 16;
        r = pf_host->alloc(im->req, cap * sizeof(sis_rename_t));
        if (r == NULL) {
            return PF_ERROR;
        }

        if (im->nrenames) {
            memcpy(r, im->renames, im->nrenames * sizeof(sis_rename_t));
        }

        im->renames = r;
        im->renamecap = cap;
    }

    r = &im->renames[im->nrenames++];
    r->row = row->row;
    r->id = id;
    r->from = pf_copy(im->req, old);
    r->to = name;

    return PF_OK;
}


/* The role (homeroom, course_teacher, counselor) for an account. */

int
sis_add_role(sis_import_t *im, pf_str_t id, uint32_t role)
{
    sis_acct_t  a;

    memset(&a, 0, sizeof(sis_acct_t));
    a.role = role;
    a.seat = -1;

    return sis_account(im, id, &a);
}
