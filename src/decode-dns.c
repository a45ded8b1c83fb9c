/* decode-dns.c: (to be written) */
#include "config.h"
