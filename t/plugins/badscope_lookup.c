/* See badscope.inc. */
#define BADSCOPE_LOOKUP 1
#include "badscope.inc"
