/* decode-dhcp.c: (to be written) */
#include "config.h"
