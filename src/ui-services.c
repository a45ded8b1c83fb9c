/* ui-services.c: (to be written) */
#include "config.h"
