/* See borrower.inc. */
#define BORROWER_DB      "keeper_shared"
#define BORROWER_ACCESS  PF_DB_WRITE
#include "borrower.inc"
