// libnl-3 / libnl-genl-3 for the IPVS collector: the headers only (every call Swift
// makes imports directly).
#ifndef CNETLINK_H
#define CNETLINK_H

#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <netlink/handlers.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#endif
