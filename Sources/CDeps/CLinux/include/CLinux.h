// Linux calls Swift's Glibc module cannot reach: glibc declares them only with
// _GNU_SOURCE, which the module is not built with. Each shim is a plain function defined
// in CLinux.c, compiled with _GNU_SOURCE; a struct Swift needs is copied here and checked
// against glibc's with _Static_assert there.
#ifndef CLINUX_H
#define CLINUX_H

#include <sys/socket.h>
#include <time.h>

/// glibc's `struct mmsghdr` (one datagram of recvmmsg): the message and its received length.
typedef struct {
    struct msghdr msg_hdr;
    unsigned int msg_len;
} CLinux_mmsghdr;

/// MSG_WAITFORONE: recvmmsg returns after the first datagram.
extern const int CLinux_MSG_WAITFORONE;

/// recvmmsg(2). Returns the number of datagrams received, or -1 with errno.
int CLinux_recvmmsg(int fd, CLinux_mmsghdr *messages, unsigned int count, int flags, struct timespec *timeout);

/// Moves the calling thread into the network namespace behind `fd` (setns(2) with
/// CLONE_NEWNET). Returns 0, or -1 with errno.
int CLinux_setns_net(int fd);

/// The calling thread's id (gettid(2)).
int CLinux_gettid(void);

/// Names the calling thread (PR_SET_NAME, at most 15 bytes), as /proc/self/task/TID/comm
/// shows it. Returns 0, or -1 with errno.
int CLinux_set_thread_name(const char *name);

/// Blocks every asynchronous signal in the calling thread except SIGSYS (the capability
/// requests) and the synchronous ones, as libdispatch does in its worker threads.
int CLinux_block_async_signals(void);

/// mallopt(M_ARENA_MAX, count): at most `count` malloc arenas. glibc otherwise gives
/// busy threads arenas of their own (up to 8 per core), and memory freed in one stays
/// mapped there. Returns 1 on success, 0 on error.
int CLinux_limit_malloc_arenas(int count);

/// malloc_trim(0): returns the free pages of every malloc arena to the kernel. Returns 1
/// when memory was released, 0 when none could be.
int CLinux_malloc_trim(void);

#endif
