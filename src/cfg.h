/* cfg.h: (to be written) */
#ifndef WIRETOP_CFG_H
#define WIRETOP_CFG_H
#endif
