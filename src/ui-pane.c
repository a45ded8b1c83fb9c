/* ui-pane.c: (to be written) */
#include "config.h"
