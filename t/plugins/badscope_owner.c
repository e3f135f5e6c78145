/* See badscope.inc. */
#define BADSCOPE_OWNER 1
#include "badscope.inc"
