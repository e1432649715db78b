#!/bin/sh
# Regenerates the committed protobuf-c code from the .proto schemas in this folder.
# Needs Debian's protobuf-c-compiler (protoc-c); run from anywhere.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
command -v protoc-c >/dev/null 2>&1 || {
    echo "protoc-c not found: apt-get install protobuf-c-compiler" >&2
    exit 1
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for schema in remote_write_v1 remote_write_v2; do
    protoc-c --proto_path="$here" --c_out="$work" "$here/$schema.proto"
    mv "$work/$schema.pb-c.h" "$here/include/$schema.pb-c.h"
    mv "$work/$schema.pb-c.c" "$here/src/$schema.pb-c.c"
done
echo "regenerated $(ls "$here"/src/*.pb-c.c "$here"/include/*.pb-c.h | wc -l) files with $(protoc-c --version | head -1)"
