// zlib for gzip request bodies. deflateInit2 and inflateInit2 are macros that pass
// the library version and struct size: typed wrappers make them callable from Swift.
#ifndef CZLIB_H
#define CZLIB_H
#include <zlib.h>

static inline int CZlib_deflateInit2(z_streamp strm, int level, int method, int windowBits, int memLevel, int strategy) {
    return deflateInit2(strm, level, method, windowBits, memLevel, strategy);
}
static inline int CZlib_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
#endif
