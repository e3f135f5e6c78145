/* See borrower.inc. */
#define BORROWER_DB      "nobody_owns_this"
#define BORROWER_ACCESS  PF_DB_READ
#include "borrower.inc"
