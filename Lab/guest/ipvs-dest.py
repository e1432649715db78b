#!/usr/bin/python3
"""Adds an IPVS real server with any forwarding method, over generic netlink.

ipvsadm can only ask for masq (-m), route (-g) and tunnel (-i). Since Linux 3.7 the kernel no
longer turns a local real server into "Local" by itself; it keeps whatever method it is given.
This tool sends IPVS_CMD_NEW_DEST with the method chosen here, so a scenario can build the
"local" (1) and "bypass" (4) methods too.

  ipvs-dest.py (-t|-u|--sctp) VIP:PORT | -f MARK [-6]   -r RIP[:PORT]  --forward NAME
               [-w WEIGHT] [-x UPPER] [-y LOWER]
  ipvs-dest.py --batch < FILE       one such argument line per real server, one process
  Addresses like ipvsadm: 10.0.0.1:80, [2001:db8::1]:80. NAME: masq local tunnel route bypass.
"""
import argparse
import errno
import ipaddress
import os
import shlex
import socket
import struct
import sys

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4
NLMSG_ERROR = 0x2
NLA_F_NESTED = 0x8000

IPVS_CMD_NEW_DEST = 5
IPVS_CMD_ATTR_SERVICE = 1
IPVS_CMD_ATTR_DEST = 2
SVC_AF, SVC_PROTOCOL, SVC_ADDR, SVC_PORT, SVC_FWMARK = 1, 2, 3, 4, 5
DEST_ADDR, DEST_PORT, DEST_FWD, DEST_WEIGHT, DEST_UTHRESH, DEST_LTHRESH = 1, 2, 3, 4, 5, 6
DEST_ADDR_FAMILY = 11
FORWARD = {"masq": 0, "local": 1, "tunnel": 2, "route": 3, "bypass": 4}


def attr(kind, payload):
    header = struct.pack("=HH", 4 + len(payload), kind)
    return header + payload + b"\0" * ((4 - len(payload) % 4) % 4)


def nested(kind, *attrs):
    return attr(kind | NLA_F_NESTED, b"".join(attrs))


def message(kind, flags, seq, cmd, version, payload):
    genl = struct.pack("=BBH", cmd, version, 0)
    return struct.pack("=IHHII", 16 + len(genl) + len(payload), kind, flags, seq, 0) + genl + payload


def parse_attrs(data):
    out = {}
    while len(data) >= 4:
        length, kind = struct.unpack_from("=HH", data)
        if length < 4:
            break
        out[kind & 0x3FFF] = data[4:length]
        data = data[(length + 3) & ~3:]
    return out


def transact(sock, msg):
    sock.send(msg)
    replies = []
    while True:
        data = sock.recv(65536)
        offset = 0
        while offset < len(data):
            length, kind = struct.unpack_from("=IH", data, offset)
            body = data[offset + 16:offset + length]
            if kind == NLMSG_ERROR:
                (code,) = struct.unpack_from("=i", body)
                if code:
                    raise OSError(-code, os.strerror(-code))
                return replies
            replies.append(body)
            offset += (length + 3) & ~3


def split_host_port(text, default_port):
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else default_port
    elif text.count(":") == 1:
        host, port = text.split(":")
    else:
        host, port = text, default_port
    return ipaddress.ip_address(host), int(port)


def addr16(ip):
    return ip.packed + b"\0" * (16 - len(ip.packed))


def parse(argv):
    parser = argparse.ArgumentParser(prog="ipvs-dest.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    kind = parser.add_mutually_exclusive_group(required=True)
    kind.add_argument("-t", dest="tcp")
    kind.add_argument("-u", dest="udp")
    kind.add_argument("--sctp", dest="sctp")
    kind.add_argument("-f", dest="fwmark", type=int)
    parser.add_argument("-6", dest="ipv6", action="store_true")
    parser.add_argument("-r", dest="real", required=True)
    parser.add_argument("--forward", choices=FORWARD, required=True)
    parser.add_argument("-w", dest="weight", type=int, default=1)
    parser.add_argument("-x", dest="upper", type=int, default=0)
    parser.add_argument("-y", dest="lower", type=int, default=0)
    return parser.parse_args(argv)


def request(args):
    """The IPVS_CMD_NEW_DEST attributes for one parsed argument line."""
    if args.fwmark is not None:
        family = socket.AF_INET6 if args.ipv6 else socket.AF_INET
        service = nested(IPVS_CMD_ATTR_SERVICE, attr(SVC_AF, struct.pack("=H", family)),
                         attr(SVC_FWMARK, struct.pack("=I", args.fwmark)))
        service_port = 0
    else:
        proto, text = next((p, t) for p, t in (("tcp", args.tcp), ("udp", args.udp), ("sctp", args.sctp)) if t)
        ip, service_port = split_host_port(text, 0)
        family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
        number = {"tcp": socket.IPPROTO_TCP, "udp": socket.IPPROTO_UDP, "sctp": 132}[proto]
        service = nested(IPVS_CMD_ATTR_SERVICE, attr(SVC_AF, struct.pack("=H", family)),
                         attr(SVC_PROTOCOL, struct.pack("=H", number)), attr(SVC_ADDR, addr16(ip)),
                         attr(SVC_PORT, struct.pack("!H", service_port)))
    real_ip, real_port = split_host_port(args.real, service_port)
    real_family = socket.AF_INET6 if real_ip.version == 6 else socket.AF_INET
    dest = nested(IPVS_CMD_ATTR_DEST,
                  attr(DEST_ADDR, addr16(real_ip)), attr(DEST_PORT, struct.pack("!H", real_port)),
                  attr(DEST_FWD, struct.pack("=I", FORWARD[args.forward])),
                  attr(DEST_WEIGHT, struct.pack("=I", args.weight)),
                  attr(DEST_UTHRESH, struct.pack("=I", args.upper)),
                  attr(DEST_LTHRESH, struct.pack("=I", args.lower)),
                  attr(DEST_ADDR_FAMILY, struct.pack("=H", real_family)))
    return service + dest


def main():
    if sys.argv[1:] == ["--batch"]:
        lines = [shlex.split(line) for line in sys.stdin if line.strip() and not line.lstrip().startswith("#")]
    else:
        lines = [sys.argv[1:]]
    jobs = [(parse(line), " ".join(line)) for line in lines]

    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC) as sock:
        sock.bind((0, 0))
        try:
            replies = transact(sock, message(GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, 1, CTRL_CMD_GETFAMILY, 1,
                                             attr(CTRL_ATTR_FAMILY_NAME, b"IPVS\0")))
        except OSError as error:
            if error.errno == errno.ENOENT:
                sys.exit("ipvs-dest: the IPVS generic netlink family is missing: modprobe ip_vs")
            raise
        (family_id,) = struct.unpack_from("=H", parse_attrs(replies[0][4:])[CTRL_ATTR_FAMILY_ID])
        for seq, (args, text) in enumerate(jobs, start=2):
            try:
                transact(sock, message(family_id, NLM_F_REQUEST | NLM_F_ACK, seq, IPVS_CMD_NEW_DEST, 1,
                                       request(args)))
            except OSError as error:
                sys.exit(f"ipvs-dest: '{text}' failed: {error.strerror}")

if __name__ == "__main__":
    main()
