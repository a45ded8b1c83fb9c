/* mode-export.c: (to be written) */
#include "config.h"
