/*
 * pf_text.c -- checks of the text people type into a field; see
 * pf_text.h.
 */

#include "pf_text.h"


int
pf_has_ctl(pf_str_t s)
{
    size_t         i;
    unsigned char  c;

    for (i = 0; i < s.len; i++) {
        c = (unsigned char) s.data[i];

        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
            return 1;
        }
    }

    return 0;
}
