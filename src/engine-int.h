/* engine-int.h: (to be written) */
#ifndef WIRETOP_ENGINE_INT_H
#define WIRETOP_ENGINE_INT_H
#endif
