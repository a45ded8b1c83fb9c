/* engine-host.c: (to be written) */
#include "config.h"
