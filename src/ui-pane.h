/* ui-pane.h: (to be written) */
#ifndef WIRETOP_UI_PANE_H
#define WIRETOP_UI_PANE_H
#endif
