#define _GNU_SOURCE
#include "CLinux.h"

#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

_Static_assert(sizeof(CLinux_mmsghdr) == sizeof(struct mmsghdr), "CLinux_mmsghdr differs from struct mmsghdr");
_Static_assert(offsetof(CLinux_mmsghdr, msg_len) == offsetof(struct mmsghdr, msg_len),
               "CLinux_mmsghdr.msg_len is not where struct mmsghdr has it");

const int CLinux_MSG_WAITFORONE = MSG_WAITFORONE;

int CLinux_recvmmsg(int fd, CLinux_mmsghdr *messages, unsigned int count, int flags, struct timespec *timeout) {
    return recvmmsg(fd, (struct mmsghdr *)messages, count, flags, timeout);
}

int CLinux_setns_net(int fd) { return setns(fd, CLONE_NEWNET); }

int CLinux_gettid(void) { return (int)syscall(SYS_gettid); }

int CLinux_set_thread_name(const char *name) { return prctl(PR_SET_NAME, name, 0, 0, 0); }

int CLinux_block_async_signals(void) {
    sigset_t set;
    sigfillset(&set);
    static const int keepOpen[] = {SIGSYS, SIGILL, SIGTRAP, SIGABRT, SIGFPE, SIGBUS, SIGSEGV, SIGPIPE, SIGPROF};
    for (unsigned i = 0; i < sizeof keepOpen / sizeof keepOpen[0]; i++) sigdelset(&set, keepOpen[i]);
    return pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int CLinux_limit_malloc_arenas(int count) { return mallopt(M_ARENA_MAX, count); }

int CLinux_malloc_trim(void) { return malloc_trim(0); }
