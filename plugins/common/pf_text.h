/*
 * pf_text.h -- checks of the text people type into a field (pf_text.c).
 */

#ifndef PF_TEXT_H
#define PF_TEXT_H

#include "portfolio_plugin.h"


/*
 * s holds a control character other than the tab and the line breaks
 * (\t, \n, \r) a text of several lines may hold: descriptions, notes,
 * CSV fields.
 */
int pf_has_ctl(pf_str_t s);


#endif /* PF_TEXT_H */
