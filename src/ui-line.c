/* ui-line.c: (to be written) */
#include "config.h"
