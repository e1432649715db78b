// snappy's C API (block format), used by remote write.
#ifndef CSNAPPY_H
#define CSNAPPY_H
#include <snappy-c.h>
#endif
