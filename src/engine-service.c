/* engine-service.c: (to be written) */
#include "config.h"
