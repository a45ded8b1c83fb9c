/* ui-spark.c: (to be written) */
#include "config.h"
