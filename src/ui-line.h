/* ui-line.h: (to be written) */
#ifndef WIRETOP_UI_LINE_H
#define WIRETOP_UI_LINE_H
#endif
