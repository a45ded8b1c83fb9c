/* decode-ip.c: (to be written) */
#include "config.h"
