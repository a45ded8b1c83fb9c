/* out.h: (to be written) */
#ifndef WIRETOP_OUT_H
#define WIRETOP_OUT_H
#endif
