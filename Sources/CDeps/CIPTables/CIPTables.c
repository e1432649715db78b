#include "CIPTables.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netfilter_ipv4/ip_tables.h>

/// Table `name`'s size and entry count (IPT_SO_GET_INFO on `socket`). Returns 0, or -1 with
/// errno (ENOENT: no such table in the socket's namespace; EPERM: no CAP_NET_ADMIN).
int CIPTables_info(int socket, const char *name, uint32_t *size, uint32_t *entries) {
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
size_t CIPTables_entries_buffer_size(uint32_t size) {
    return sizeof(struct ipt_get_entries) + size;
}

/// Reads table `name`'s `size` bytes of entries into `buffer` (of
/// CIPTables_entries_buffer_size(size) bytes, 8-byte aligned); the entries start
/// at CIPTables_entries_offset(). Returns 0, or -1 with errno (EAGAIN: the table
/// changed size since IPT_SO_GET_INFO, read again).
int CIPTables_entries(int socket, const char *name, uint32_t size, void *buffer) {
    struct ipt_get_entries *request = (struct ipt_get_entries *)buffer;
    memset(request, 0, sizeof *request);
    strncpy(request->name, name, sizeof request->name - 1);
    request->size = size;
    socklen_t length = (socklen_t)(sizeof *request + size);
    return getsockopt(socket, IPPROTO_IP, IPT_SO_GET_ENTRIES, request, &length);
}

size_t CIPTables_entries_offset(void) { return offsetof(struct ipt_get_entries, entrytable); }
size_t CIPTables_ipt_entry_size(void) { return sizeof(struct ipt_entry); }
size_t CIPTables_ipt_entry_protocol_offset(void) { return offsetof(struct ipt_entry, ip.proto); }
size_t CIPTables_ipt_entry_invflags_offset(void) { return offsetof(struct ipt_entry, ip.invflags); }
/// The rule's destination address and mask (`-d ADDRESS/MASK`), both in network order.
size_t CIPTables_ipt_entry_destination_offset(void) { return offsetof(struct ipt_entry, ip.dst); }
size_t CIPTables_ipt_entry_destination_mask_offset(void) { return offsetof(struct ipt_entry, ip.dmsk); }
size_t CIPTables_ipt_entry_target_offset_offset(void) { return offsetof(struct ipt_entry, target_offset); }
size_t CIPTables_ipt_entry_next_offset_offset(void) { return offsetof(struct ipt_entry, next_offset); }
/// Matches and targets start with the same header: u16 size, char name[29], u8 revision.
size_t CIPTables_xt_header_size(void) { return sizeof(struct xt_entry_match); }
size_t CIPTables_xt_name_offset(void) { return offsetof(struct xt_entry_match, u.user.name); }
size_t CIPTables_xt_name_length(void) { return XT_EXTENSION_MAXNAMELEN; }
size_t CIPTables_xt_revision_offset(void) { return offsetof(struct xt_entry_match, u.user.revision); }
int CIPTables_IPT_INV_DSTIP(void) { return IPT_INV_DSTIP; }
