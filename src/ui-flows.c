/* ui-flows.c: (to be written) */
#include "config.h"
