/*
 * conn-flood: fills the IPVS connection table with real entries, one per UDP datagram from a
 * distinct source address and port, for the connection-table benchmark (Lab/scenarios/conntable.sh).
 *
 *   conn-flood VIP PORT SERVICES FROM TO
 *
 * Datagram i (FROM <= i < TO) goes from 100.64.0.0 + i / 50000, port 10000 + i % 50000, to
 * VIP + i % SERVICES, PORT. Each one makes IPVS schedule a new connection (the virtual services
 * must exist), which stays for the UDP timeout (`ipvsadm --set 0 0 3600`). A raw socket with
 * IP_HDRINCL writes the source address itself, and sendmmsg sends 1024 datagrams a system call:
 * in user-mode Linux a system call costs microseconds, the kernel's own work per datagram does
 * not. Needs CAP_NET_RAW. Prints the number of datagrams sent.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { BATCH = 1024, PAYLOAD = 4, PORTS = 50000 };

struct datagram {
    struct iphdr ip;
    struct udphdr udp;
    char payload[PAYLOAD];
};

static unsigned long number(const char *text, const char *what) {
    char *end;
    errno = 0;
    unsigned long value = strtoul(text, &end, 10);
    if (errno != 0 || *text == '\0' || *end != '\0') {
        fprintf(stderr, "conn-flood: %s '%s' is not a number\n", what, text);
        exit(2);
    }
    return value;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: conn-flood VIP PORT SERVICES FROM TO\n");
        return 2;
    }
    struct in_addr vip;
    if (inet_pton(AF_INET, argv[1], &vip) != 1) {
        fprintf(stderr, "conn-flood: '%s' is not an IPv4 address\n", argv[1]);
        return 2;
    }
    unsigned long port = number(argv[2], "PORT"), services = number(argv[3], "SERVICES");
    unsigned long from = number(argv[4], "FROM"), to = number(argv[5], "TO");
    if (port == 0 || port > 65535 || services == 0 || from > to) {
        fprintf(stderr, "conn-flood: need 0 < PORT < 65536, SERVICES > 0, FROM <= TO\n");
        return 2;
    }
    int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW); /* IPPROTO_RAW implies IP_HDRINCL */
    if (fd < 0) {
        perror("conn-flood: socket(AF_INET, SOCK_RAW)");
        return 1;
    }
    static struct datagram packets[BATCH];
    static struct sockaddr_in targets[BATCH];
    static struct iovec vectors[BATCH];
    static struct mmsghdr messages[BATCH];
    uint32_t base = ntohl(vip.s_addr), sources = 0x64400000u; /* 100.64.0.0 */
    unsigned long sent = 0;
    for (unsigned long next = from; next < to;) {
        unsigned count = 0;
        for (; count < BATCH && next < to; count++, next++) {
            struct datagram *packet = &packets[count];
            memset(packet, 0, sizeof *packet);
            uint32_t destination = htonl(base + (uint32_t)(next % services));
            packet->ip.version = 4;
            packet->ip.ihl = 5;
            packet->ip.ttl = 64;
            packet->ip.protocol = IPPROTO_UDP;
            packet->ip.tot_len = htons(sizeof *packet);
            packet->ip.saddr = htonl(sources + (uint32_t)(next / PORTS));
            packet->ip.daddr = destination;
            packet->udp.source = htons((uint16_t)(10000 + next % PORTS));
            packet->udp.dest = htons((uint16_t)port);
            packet->udp.len = htons(sizeof packet->udp + PAYLOAD);
            memcpy(packet->payload, "ipvs", PAYLOAD);
            targets[count] = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = destination};
            vectors[count] = (struct iovec){.iov_base = packet, .iov_len = sizeof *packet};
            messages[count] = (struct mmsghdr){
                .msg_hdr = {.msg_name = &targets[count], .msg_namelen = sizeof targets[count],
                            .msg_iov = &vectors[count], .msg_iovlen = 1}};
        }
        for (unsigned done = 0; done < count;) {
            int result = sendmmsg(fd, messages + done, count - done, 0);
            if (result < 0) {
                if (errno == EINTR || errno == ENOBUFS) continue;
                perror("conn-flood: sendmmsg");
                return 1;
            }
            done += (unsigned)result;
        }
        sent += count;
    }
    close(fd);
    printf("%lu\n", sent);
    return 0;
}
