// libsnappy's C interface (Debian's libsnappy-dev): the compression floor the remote-write
// encoders are measured against.
#include <snappy-c.h>
