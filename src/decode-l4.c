/* decode-l4.c: (to be written) */
#include "config.h"
