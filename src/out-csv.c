/* out-csv.c: (to be written) */
#include "config.h"
