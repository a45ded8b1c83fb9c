/* ui-alerts.c: (to be written) */
#include "config.h"
