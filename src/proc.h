/* proc.h: (to be written) */
#ifndef WIRETOP_PROC_H
#define WIRETOP_PROC_H
#endif
