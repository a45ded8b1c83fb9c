/* cfg.c: (to be written) */
#include "config.h"
