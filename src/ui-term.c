/* ui-term.c: (to be written) */
#include "config.h"
