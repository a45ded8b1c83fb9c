/* ui-talkers.c: (to be written) */
#include "config.h"
