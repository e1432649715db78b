// Linux capabilities: capget/capset have no glibc wrapper, so the shims call syscall(2).
#ifndef CCAPABILITIES_H
#define CCAPABILITIES_H
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif
