/*
 * Test fixture: a ceiling (1.5) on a setting that cannot have one, a
 * word: "nginx -t" refuses the plugin and says why (t/101-ceilings.t).
 */
#include "portfolio_plugin.h"


static const pf_setting_t  badceiling_settings[] = {
    { .name = "badceiling_word", .type = PF_SETTING_WORD,
      .levels = PF_LEVEL_CITY|PF_LEVEL_SCHOOL, .choices = "a b",
      .dflt_word = "a", .ceiling = PF_LEVEL_CITY,
      .about = "a word cannot be a ceiling" },
};

PF_PLUGIN(.name = "badceiling", .version = "0",
          PF_SETTINGS(badceiling_settings))
