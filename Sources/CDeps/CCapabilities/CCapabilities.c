// The definitions of CCapabilities.h (see there). _GNU_SOURCE for the full siginfo_t.
#define _GNU_SOURCE
#include "CCapabilities.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

_Static_assert(sizeof(uint64_t) == 8, "capability masks are 64-bit");

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
static int CCapabilities_get(uint64_t *effective, uint64_t *permitted, uint64_t *inheritable) {
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
static int CCapabilities_set(uint64_t effective, uint64_t permitted, uint64_t inheritable) {
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
static int CCapabilities_bounding(int lastCap, uint64_t *bounding) {
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

static const uint64_t CCapabilities_magic = 0x6970767370726976ULL;  // "ipvspriv"

void CCapabilities_request_init(
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

int CCapabilities_request_failed_step(const CCapabilities_Request *request) {
    return __atomic_load_n(&request->failedStep, __ATOMIC_ACQUIRE);
}

int CCapabilities_request_failed_errno(const CCapabilities_Request *request) {
    return __atomic_load_n(&request->failedErrno, __ATOMIC_ACQUIRE);
}

static int CCapabilities_fail(CCapabilities_Request *request, int step, int code) {
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
int CCapabilities_apply(CCapabilities_Request *request) {
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

/// The SIGSYS action before the handler was installed.
static struct sigaction CCapabilities_previousAction;

static struct sigaction *CCapabilities_previous_action(void) { return &CCapabilities_previousAction; }

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
int CCapabilities_install_handler(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = CCapabilities_handler;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    sigfillset(&action.sa_mask);
    return sigaction(SIGSYS, &action, CCapabilities_previous_action());
}

/// Puts the previous SIGSYS action back. Only when no request signal can still be pending.
int CCapabilities_restore_handler(void) {
    return sigaction(SIGSYS, CCapabilities_previous_action(), NULL);
}

/// Sends SIGSYS carrying `request` to thread `tid` of this process. Returns 0, or -1 with errno
/// (ESRCH: the thread has ended).
int CCapabilities_signal_thread(int tid, CCapabilities_Request *request) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    info.si_signo = SIGSYS;
    info.si_code = SI_QUEUE;
    info.si_pid = (pid_t)syscall(SYS_getpid);
    info.si_uid = (uid_t)syscall(SYS_getuid);
    info.si_value.sival_ptr = request;
    return (int)syscall(SYS_rt_tgsigqueueinfo, info.si_pid, tid, SIGSYS, &info);
}
