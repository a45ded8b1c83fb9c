/* ui.h: (to be written) */
#ifndef WIRETOP_UI_H
#define WIRETOP_UI_H
#endif
