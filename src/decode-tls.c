/* decode-tls.c: (to be written) */
#include "config.h"
