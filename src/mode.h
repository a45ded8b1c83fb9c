/* mode.h: (to be written) */
#ifndef WIRETOP_MODE_H
#define WIRETOP_MODE_H
#endif
