/* engine-rate.c: (to be written) */
#include "config.h"
