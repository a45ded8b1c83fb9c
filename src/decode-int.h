/* decode-int.h: (to be written) */
#ifndef WIRETOP_DECODE_INT_H
#define WIRETOP_DECODE_INT_H
#endif
