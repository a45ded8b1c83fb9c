/* pipeline.h: (to be written) */
#ifndef WIRETOP_PIPELINE_H
#define WIRETOP_PIPELINE_H
#endif
