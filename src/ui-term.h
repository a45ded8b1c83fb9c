/* ui-term.h: (to be written) */
#ifndef WIRETOP_UI_TERM_H
#define WIRETOP_UI_TERM_H
#endif
