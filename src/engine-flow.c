/* engine-flow.c: (to be written) */
#include "config.h"
