/* See borrower.inc. */
#define BORROWER_DB      "users"
#define BORROWER_ACCESS  PF_DB_READ
#include "borrower.inc"
