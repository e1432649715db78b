// Entering network namespaces. glibc declares setns(2) only under _GNU_SOURCE, which
// Swift's Glibc module is not built with, so the shim declares it.
#ifndef CNAMESPACE_H
#define CNAMESPACE_H

extern int setns(int fd, int nstype);

/// Moves the calling thread into the network namespace behind `fd` (0x40000000 is
/// CLONE_NEWNET from <linux/sched.h>).
static inline int CNamespace_setns_net(int fd) { return setns(fd, 0x40000000); }

#endif
