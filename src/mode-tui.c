/* mode-tui.c: (to be written) */
#include "config.h"
