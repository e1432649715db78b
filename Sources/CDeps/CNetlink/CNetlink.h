// libnl-3 / libnl-genl-3 for the IPVS collector.
// Only what Swift cannot import directly lives here: compound macros become
// typed inline functions, each prefixed with the module name.
#ifndef CNETLINK_H
#define CNETLINK_H

#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <netlink/handlers.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

/// NLM_F_DUMP is (NLM_F_ROOT|NLM_F_MATCH); Swift does not import compound macros.
static inline int CNetlink_NLM_F_DUMP(void) { return NLM_F_DUMP; }

/// The first byte of a message's payload after the netlink header; nlmsg_data is a
/// function, but the header length constant is a macro expression.
static inline int CNetlink_NLMSG_HDRLEN(void) { return NLMSG_HDRLEN; }

/// Starts a nested attribute; nla_nest_start returns a struct pointer that Swift
/// should never dereference, so the shim keeps the type opaque.
static inline void *CNetlink_nest_start(struct nl_msg *msg, int attrtype) {
    return (void *)nla_nest_start(msg, attrtype);
}

static inline int CNetlink_nest_end(struct nl_msg *msg, void *start) {
    return nla_nest_end(msg, (struct nlattr *)start);
}

#endif
