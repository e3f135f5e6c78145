/* See badscope.inc. */
#define BADSCOPE_STUDENT 1
#include "badscope.inc"
