/* ui-header.c: (to be written) */
#include "config.h"
