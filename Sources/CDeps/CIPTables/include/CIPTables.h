// The legacy iptables tables (ip_tables.h), read with getsockopt(IPT_SO_GET_INFO/ENTRIES),
// which needs only CAP_NET_ADMIN on any IPv4 socket of the namespace (iptables-legacy-save
// opens a raw socket for it, which also needs CAP_NET_RAW). The entry layout is the
// kernel's; Swift reads it through the offsets below. Definitions in CIPTables.c.
#ifndef CIPTABLES_H
#define CIPTABLES_H

#include <stddef.h>
#include <stdint.h>

/// Table `name`'s size and entry count (IPT_SO_GET_INFO on `socket`). Returns 0, or -1 with
/// errno (ENOENT: no such table in the socket's namespace; EPERM: no CAP_NET_ADMIN).
int CIPTables_info(int socket, const char *name, uint32_t *size, uint32_t *entries);

/// The size of the IPT_SO_GET_ENTRIES buffer for `size` bytes of entries.
size_t CIPTables_entries_buffer_size(uint32_t size);

/// Reads table `name`'s `size` bytes of entries into `buffer` (of
/// CIPTables_entries_buffer_size(size) bytes, 8-byte aligned); the entries start
/// at CIPTables_entries_offset(). Returns 0, or -1 with errno (EAGAIN: the table
/// changed size since IPT_SO_GET_INFO, read again).
int CIPTables_entries(int socket, const char *name, uint32_t size, void *buffer);

size_t CIPTables_entries_offset(void);

size_t CIPTables_ipt_entry_size(void);

size_t CIPTables_ipt_entry_protocol_offset(void);

size_t CIPTables_ipt_entry_invflags_offset(void);

/// The rule's destination address and mask (`-d ADDRESS/MASK`), both in network order.
size_t CIPTables_ipt_entry_destination_offset(void);

size_t CIPTables_ipt_entry_destination_mask_offset(void);

size_t CIPTables_ipt_entry_target_offset_offset(void);

size_t CIPTables_ipt_entry_next_offset_offset(void);

/// Matches and targets start with the same header: u16 size, char name[29], u8 revision.
size_t CIPTables_xt_header_size(void);

size_t CIPTables_xt_name_offset(void);

size_t CIPTables_xt_name_length(void);

size_t CIPTables_xt_revision_offset(void);

int CIPTables_IPT_INV_DSTIP(void);

#endif
