// Dropping privileges after start-up, and the kernel interfaces that make it possible.
//
// 1. Capabilities (capget/capset have no glibc wrapper, so the shims call syscall(2)).
//    Capability sets are per thread: capset(2), PR_CAPBSET_DROP, PR_CAP_AMBIENT and
//    PR_SET_NO_NEW_PRIVS change the calling thread only. To change a whole multi-threaded
//    process, every thread applies the same request in a SIGSYS handler: the caller prepares a
//    CCapabilities_Request, installs the handler, applies the request to itself and sends
//    SIGSYS with the request's address (rt_tgsigqueueinfo, SI_QUEUE) to every other thread.
//    SIGSYS because libdispatch (and with it Swift concurrency's thread pool) blocks every
//    asynchronous signal in its worker threads except SIGSYS, SIGPIPE and the fault signals.
//    The handler only makes system calls (async-signal-safe).
//
// 2. The legacy iptables tables (ip_tables.h): read with getsockopt(IPT_SO_GET_INFO/ENTRIES),
//    which needs only CAP_NET_ADMIN on any IPv4 socket of the namespace. iptables-legacy-save
//    opens a raw socket for it, which also needs CAP_NET_RAW.
//
// The handler's state (the previous SIGSYS action) is a function-local static of this header:
// call CCapabilities_install_handler and CCapabilities_restore_handler from ONE Swift source
// file only, or each object file would get its own copy.
#ifndef CCAPABILITIES_H
#define CCAPABILITIES_H

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/netfilter_ipv4/ip_tables.h>

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_IS_SET 1
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_LOWER 3
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

// MARK: Reading and setting the calling thread's capabilities

/// The calling thread's effective, permitted and inheritable sets (64-bit masks, bit n =
/// capability n). Returns 0, or -1 with errno.
static inline int CCapabilities_get(uint64_t *effective, uint64_t *permitted, uint64_t *inheritable) {
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capget, &header, data) != 0) return -1;
    *effective = (uint64_t)data[0].effective | (uint64_t)data[1].effective << 32;
    *permitted = (uint64_t)data[0].permitted | (uint64_t)data[1].permitted << 32;
    *inheritable = (uint64_t)data[0].inheritable | (uint64_t)data[1].inheritable << 32;
    return 0;
}

/// Sets the calling thread's three sets. Returns 0, or -1 with errno.
static inline int CCapabilities_set(uint64_t effective, uint64_t permitted, uint64_t inheritable) {
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    data[0].effective = (uint32_t)effective;
    data[1].effective = (uint32_t)(effective >> 32);
    data[0].permitted = (uint32_t)permitted;
    data[1].permitted = (uint32_t)(permitted >> 32);
    data[0].inheritable = (uint32_t)inheritable;
    data[1].inheritable = (uint32_t)(inheritable >> 32);
    return (int)syscall(SYS_capset, &header, data);
}

/// The calling thread's bounding set, capabilities 0...lastCap. Returns 0, or -1 with errno.
static inline int CCapabilities_bounding(int lastCap, uint64_t *bounding) {
    uint64_t mask = 0;
    for (int cap = 0; cap <= lastCap && cap < 64; cap++) {
        int inSet = (int)syscall(SYS_prctl, PR_CAPBSET_READ, cap, 0, 0, 0);
        if (inSet < 0) return -1;
        if (inSet) mask |= (uint64_t)1 << cap;
    }
    *bounding = mask;
    return 0;
}

// MARK: One request, applied by every thread

/// The steps of CCapabilities_apply; a failed request records the step and errno.
enum {
    CCapabilities_stepNone = 0,
    CCapabilities_stepRead = 1,
    CCapabilities_stepStage = 2,
    CCapabilities_stepBounding = 3,
    CCapabilities_stepAmbient = 4,
    CCapabilities_stepFinal = 5,
    CCapabilities_stepNoNewPrivileges = 6,
};

/// What every thread applies. Fields after `noNewPrivileges` are written by the threads
/// (atomically, through the functions below).
typedef struct {
    uint64_t magic;
    /// Capabilities to keep in the effective, permitted and inheritable sets (those the thread
    /// has in its permitted set).
    uint64_t keep;
    /// Capabilities to have in the ambient set (kept ones only); every other is lowered.
    uint64_t ambient;
    /// The highest capability number the kernel knows (/proc/sys/kernel/cap_last_cap).
    int lastCap;
    /// Drop every capability not kept from the bounding set, when the thread has CAP_SETPCAP.
    int dropBounding;
    /// Set no_new_privs (irreversible): execve can then never grant more privileges.
    int noNewPrivileges;
    /// Instead of restricting: raise `keep` (those permitted) into the effective set, nothing else.
    int raiseEffectiveOnly;
    int failedStep;
    int failedErrno;
    int applied;
} CCapabilities_Request;

static const uint64_t CCapabilities_magic = 0x6970767370726976ULL;  // "ipvspriv"

static inline void CCapabilities_request_init(
    CCapabilities_Request *request, uint64_t keep, uint64_t ambient, int lastCap, int dropBounding,
    int noNewPrivileges)
{
    memset(request, 0, sizeof *request);
    request->keep = keep;
    request->ambient = ambient & keep;
    request->lastCap = lastCap;
    request->dropBounding = dropBounding;
    request->noNewPrivileges = noNewPrivileges;
    __atomic_store_n(&request->magic, CCapabilities_magic, __ATOMIC_RELEASE);
}

static inline int CCapabilities_request_failed_step(const CCapabilities_Request *request) {
    return __atomic_load_n(&request->failedStep, __ATOMIC_ACQUIRE);
}

static inline int CCapabilities_request_failed_errno(const CCapabilities_Request *request) {
    return __atomic_load_n(&request->failedErrno, __ATOMIC_ACQUIRE);
}

static inline int CCapabilities_request_applied(const CCapabilities_Request *request) {
    return __atomic_load_n(&request->applied, __ATOMIC_ACQUIRE);
}

static inline int CCapabilities_fail(CCapabilities_Request *request, int step, int code) {
    int expected = 0;
    if (__atomic_compare_exchange_n(&request->failedErrno, &expected, code ? code : EINVAL, 0, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE)) {
        __atomic_store_n(&request->failedStep, step, __ATOMIC_RELEASE);
    }
    return -1;
}

/// Applies `request` to the calling thread. Only system calls: safe in a signal handler.
/// With raiseEffectiveOnly, only makes the kept capabilities the thread has permitted effective.
/// Order: (1) permitted/effective reduced to the kept capabilities plus CAP_SETPCAP (still
/// needed for the bounding set) and inheritable set to the kept ones (ambient needs them
/// there); (2) the bounding set; (3) the ambient set; (4) CAP_SETPCAP dropped; (5) no_new_privs.
/// Returns 0, or -1 after recording the failed step in the request.
static inline int CCapabilities_apply(CCapabilities_Request *request) {
    uint64_t effective, permitted, inheritable, bounding;
    if (request->raiseEffectiveOnly) {
        if (CCapabilities_get(&effective, &permitted, &inheritable) != 0)
            return CCapabilities_fail(request, CCapabilities_stepRead, errno);
        if (CCapabilities_set(effective | (request->keep & permitted), permitted, inheritable) != 0)
            return CCapabilities_fail(request, CCapabilities_stepStage, errno);
        return 0;
    }
    if (CCapabilities_get(&effective, &permitted, &inheritable) != 0
        || CCapabilities_bounding(request->lastCap, &bounding) != 0)
        return CCapabilities_fail(request, CCapabilities_stepRead, errno);
    const uint64_t setpcap = (uint64_t)1 << CAP_SETPCAP;
    const uint64_t keep = request->keep & permitted;
    // A capability can join the inheritable set only from the permitted or inheritable set
    // and only while it is in the bounding set (capset(2)).
    const uint64_t keepInheritable = request->keep & (permitted | inheritable) & bounding;
    const int dropBounding = request->dropBounding && (permitted & setpcap) && (bounding & ~request->keep);
    const uint64_t stage = keep | (dropBounding ? setpcap : 0);
    if (CCapabilities_set(stage, stage, keepInheritable) != 0)
        return CCapabilities_fail(request, CCapabilities_stepStage, errno);
    if (dropBounding) {
        for (int cap = 0; cap <= request->lastCap && cap < 64; cap++) {
            const uint64_t bit = (uint64_t)1 << cap;
            if ((bounding & bit) && !(request->keep & bit)
                && syscall(SYS_prctl, PR_CAPBSET_DROP, cap, 0, 0, 0) != 0)
                return CCapabilities_fail(request, CCapabilities_stepBounding, errno);
        }
    }
    for (int cap = 0; cap <= request->lastCap && cap < 64; cap++) {
        const uint64_t bit = (uint64_t)1 << cap;
        const long isSet = syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0);
        if (isSet < 0) {
            // EINVAL: a kernel without ambient capabilities (before 4.3); fine unless some are wanted.
            if (errno == EINVAL && request->ambient == 0) break;
            return CCapabilities_fail(request, CCapabilities_stepAmbient, errno);
        }
        const int wanted = (request->ambient & keep & keepInheritable & bit) != 0;
        if (isSet && !wanted && syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, cap, 0, 0) != 0)
            return CCapabilities_fail(request, CCapabilities_stepAmbient, errno);
        if (!isSet && wanted && syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0)
            return CCapabilities_fail(request, CCapabilities_stepAmbient, errno);
    }
    if (stage != keep && CCapabilities_set(keep, keep, keepInheritable) != 0)
        return CCapabilities_fail(request, CCapabilities_stepFinal, errno);
    if (request->noNewPrivileges && syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return CCapabilities_fail(request, CCapabilities_stepNoNewPrivileges, errno);
    return 0;
}

// MARK: The SIGSYS handler

/// The SIGSYS action before the handler was installed. A function-local static: Swift emits
/// the header's inline functions, with their local statics, into the object file that calls
/// them, but never a file-scope static variable.
static inline struct sigaction *CCapabilities_previous_action(void) {
    static struct sigaction previous;
    return &previous;
}

static void CCapabilities_handler(int signal, siginfo_t *info, void *context) {
    const int savedErrno = errno;
    if (info != NULL && info->si_code == SI_QUEUE && info->si_pid == (pid_t)syscall(SYS_getpid)) {
        CCapabilities_Request *request = (CCapabilities_Request *)info->si_value.sival_ptr;
        if (request != NULL && __atomic_load_n(&request->magic, __ATOMIC_ACQUIRE) == CCapabilities_magic) {
            CCapabilities_apply(request);
            __atomic_add_fetch(&request->applied, 1, __ATOMIC_ACQ_REL);
            errno = savedErrno;
            return;
        }
    }
    // Not ours (a real SIGSYS while the handler is installed): what was there before.
    errno = savedErrno;
    struct sigaction *previous = CCapabilities_previous_action();
    if (previous->sa_flags & SA_SIGINFO) {
        if (previous->sa_sigaction != NULL) previous->sa_sigaction(signal, info, context);
    } else if (previous->sa_handler == SIG_DFL) {
        sigaction(signal, previous, NULL);
        syscall(SYS_tgkill, syscall(SYS_getpid), syscall(SYS_gettid), signal);
    } else if (previous->sa_handler != SIG_IGN) {
        previous->sa_handler(signal);
    }
}

/// Installs the handler for SIGSYS, keeping the previous action. Returns 0, or -1 with errno.
static inline int CCapabilities_install_handler(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = CCapabilities_handler;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    sigfillset(&action.sa_mask);
    return sigaction(SIGSYS, &action, CCapabilities_previous_action());
}

/// Puts the previous SIGSYS action back. Only when no request signal can still be pending.
static inline int CCapabilities_restore_handler(void) {
    return sigaction(SIGSYS, CCapabilities_previous_action(), NULL);
}

/// Sends SIGSYS carrying `request` to thread `tid` of this process. Returns 0, or -1 with errno
/// (ESRCH: the thread has ended).
static inline int CCapabilities_signal_thread(int tid, CCapabilities_Request *request) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    info.si_signo = SIGSYS;
    info.si_code = SI_QUEUE;
    info.si_pid = (pid_t)syscall(SYS_getpid);
    info.si_uid = (uid_t)syscall(SYS_getuid);
    info.si_value.sival_ptr = request;
    return (int)syscall(SYS_rt_tgsigqueueinfo, info.si_pid, tid, SIGSYS, &info);
}

/// The calling thread's id (gettid has a glibc wrapper only since 2.30 and only with _GNU_SOURCE).
static inline int CCapabilities_gettid(void) { return (int)syscall(SYS_gettid); }

/// Names the calling thread (PR_SET_NAME, at most 15 bytes), as /proc/self/task/TID/comm shows it.
static inline int CCapabilities_set_thread_name(const char *name) {
    return (int)syscall(SYS_prctl, PR_SET_NAME, name, 0, 0, 0);
}

/// Blocks every asynchronous signal in the calling thread except SIGSYS (the capability
/// requests) and the synchronous ones, as libdispatch does in its worker threads.
static inline int CCapabilities_block_async_signals(void) {
    sigset_t set;
    sigfillset(&set);
    static const int keepOpen[] = {SIGSYS, SIGILL, SIGTRAP, SIGABRT, SIGFPE, SIGBUS, SIGSEGV, SIGPIPE, SIGPROF};
    for (unsigned i = 0; i < sizeof keepOpen / sizeof keepOpen[0]; i++) sigdelset(&set, keepOpen[i]);
    return pthread_sigmask(SIG_BLOCK, &set, NULL);
}

// MARK: Legacy iptables (ip_tables.h)

/// Table `name`'s size and entry count (IPT_SO_GET_INFO on `socket`). Returns 0, or -1 with
/// errno (ENOENT: no such table in the socket's namespace; EPERM: no CAP_NET_ADMIN).
static inline int CCapabilities_iptables_info(int socket, const char *name, uint32_t *size, uint32_t *entries) {
    struct ipt_getinfo info;
    memset(&info, 0, sizeof info);
    strncpy(info.name, name, sizeof info.name - 1);
    socklen_t length = sizeof info;
    if (getsockopt(socket, IPPROTO_IP, IPT_SO_GET_INFO, &info, &length) != 0) return -1;
    *size = info.size;
    *entries = info.num_entries;
    return 0;
}

/// The size of the IPT_SO_GET_ENTRIES buffer for `size` bytes of entries.
static inline size_t CCapabilities_iptables_entries_buffer_size(uint32_t size) {
    return sizeof(struct ipt_get_entries) + size;
}

/// Reads table `name`'s `size` bytes of entries into `buffer` (of
/// CCapabilities_iptables_entries_buffer_size(size) bytes, 8-byte aligned); the entries start
/// at CCapabilities_iptables_entries_offset(). Returns 0, or -1 with errno (EAGAIN: the table
/// changed size since IPT_SO_GET_INFO, read again).
static inline int CCapabilities_iptables_entries(int socket, const char *name, uint32_t size, void *buffer) {
    struct ipt_get_entries *request = (struct ipt_get_entries *)buffer;
    memset(request, 0, sizeof *request);
    strncpy(request->name, name, sizeof request->name - 1);
    request->size = size;
    socklen_t length = (socklen_t)(sizeof *request + size);
    return getsockopt(socket, IPPROTO_IP, IPT_SO_GET_ENTRIES, request, &length);
}

static inline size_t CCapabilities_iptables_entries_offset(void) { return offsetof(struct ipt_get_entries, entrytable); }
static inline size_t CCapabilities_ipt_entry_size(void) { return sizeof(struct ipt_entry); }
static inline size_t CCapabilities_ipt_entry_protocol_offset(void) { return offsetof(struct ipt_entry, ip.proto); }
static inline size_t CCapabilities_ipt_entry_invflags_offset(void) { return offsetof(struct ipt_entry, ip.invflags); }
/// The rule's destination address and mask (`-d ADDRESS/MASK`), both in network order.
static inline size_t CCapabilities_ipt_entry_destination_offset(void) { return offsetof(struct ipt_entry, ip.dst); }
static inline size_t CCapabilities_ipt_entry_destination_mask_offset(void) { return offsetof(struct ipt_entry, ip.dmsk); }
static inline size_t CCapabilities_ipt_entry_target_offset_offset(void) { return offsetof(struct ipt_entry, target_offset); }
static inline size_t CCapabilities_ipt_entry_next_offset_offset(void) { return offsetof(struct ipt_entry, next_offset); }
/// Matches and targets start with the same header: u16 size, char name[29], u8 revision.
static inline size_t CCapabilities_xt_header_size(void) { return sizeof(struct xt_entry_match); }
static inline size_t CCapabilities_xt_name_offset(void) { return offsetof(struct xt_entry_match, u.user.name); }
static inline size_t CCapabilities_xt_name_length(void) { return XT_EXTENSION_MAXNAMELEN; }
static inline size_t CCapabilities_xt_revision_offset(void) { return offsetof(struct xt_entry_match, u.user.revision); }
static inline int CCapabilities_IPT_INV_PROTO(void) { return IPT_INV_PROTO; }
static inline int CCapabilities_IPT_INV_DSTIP(void) { return IPT_INV_DSTIP; }

#endif
