// Dropping the process's capabilities after start-up (capget/capset and prctl have no
// usable glibc wrappers, so the shims call syscall(2)).
//
// Capability sets are per thread: capset(2), PR_CAPBSET_DROP, PR_CAP_AMBIENT and
// PR_SET_NO_NEW_PRIVS change the calling thread only. To change a whole multi-threaded
// process, every thread applies the same request in a SIGSYS handler: the caller prepares a
// CCapabilities_Request, installs the handler, applies the request to itself and sends SIGSYS
// with the request's address (rt_tgsigqueueinfo, SI_QUEUE) to every other thread. SIGSYS
// because libdispatch (and with it Swift concurrency's thread pool) blocks every asynchronous
// signal in its worker threads except SIGSYS, SIGPIPE and the fault signals. The handler only
// makes system calls (async-signal-safe). Definitions in CCapabilities.c.
#ifndef CCAPABILITIES_H
#define CCAPABILITIES_H

#include <stdint.h>

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

/// Prepares `request` (the caller owns its memory until every thread applied it).
void CCapabilities_request_init(
    CCapabilities_Request *request, uint64_t keep, uint64_t ambient, int lastCap, int dropBounding,
    int noNewPrivileges);

/// The step that failed (CCapabilities_step*, 0 when none) and its errno, read atomically.
int CCapabilities_request_failed_step(const CCapabilities_Request *request);
int CCapabilities_request_failed_errno(const CCapabilities_Request *request);

/// Applies `request` to the calling thread. Only system calls: safe in a signal handler.
/// Returns 0, or -1 after recording the failed step in the request.
int CCapabilities_apply(CCapabilities_Request *request);

/// Installs the SIGSYS handler that applies requests, keeping the previous action; returns
/// 0, or -1 with errno.
int CCapabilities_install_handler(void);

/// Puts the previous SIGSYS action back. Only when no request signal can still be pending.
int CCapabilities_restore_handler(void);

/// Sends SIGSYS carrying `request` to thread `tid` of this process. Returns 0, or -1 with
/// errno (ESRCH: the thread has ended).
int CCapabilities_signal_thread(int tid, CCapabilities_Request *request);

#endif
