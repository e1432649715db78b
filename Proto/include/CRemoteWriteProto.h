// The protobuf-c code generated from remote_write_v1.proto and remote_write_v2.proto
// (by generate.sh, committed so a build needs only libprotobuf-c, not protoc-c).
// The RemoteWrite module fills these structs in bulk and packs them with
// *__pack; tests decode with *__unpack.
#ifndef CREMOTEWRITEPROTO_H
#define CREMOTEWRITEPROTO_H
#include "remote_write_v1.pb-c.h"
#include "remote_write_v2.pb-c.h"
#endif
