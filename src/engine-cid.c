/* engine-cid.c: (to be written) */
#include "config.h"
