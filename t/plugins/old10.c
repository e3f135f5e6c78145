/* See old11.c: the same plugin as built against ABI 1.0. */
#define OLD_ABI_MINOR  0
#include "old11.c"
