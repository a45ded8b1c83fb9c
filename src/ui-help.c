/* ui-help.c: (to be written) */
#include "config.h"
