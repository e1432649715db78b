#!/usr/bin/env python3
"""Writes the binary seeds (netlink replies, ipt_entry tables, queue directories, 2.0
requests) into Fuzz/Corpus/<target>/, laid out as the harnesses read them (see each
harness's doc comment). Layouts are x86_64 Linux's. Run from anywhere; committed output."""
import os, struct, zlib

here = os.path.dirname(os.path.abspath(__file__))

def write(target, name, data):
    os.makedirs(os.path.join(here, target), exist_ok=True)
    with open(os.path.join(here, target, name), 'wb') as f:
        f.write(data)

# --- generic netlink (IPVS) --------------------------------------------------------
def attr(t, payload, nested=False):
    b = struct.pack('<HH', 4 + len(payload), t | (0x8000 if nested else 0)) + payload
    return b + b'\0' * (-len(b) % 4)

def message(command, attrs):
    body = bytes([command, 1, 0, 0]) + b''.join(attrs)
    return struct.pack('<IHHII', 16 + len(body), 0x20, 2, 1, 0) + body

def stats(t, wide):
    return attr(t, b''.join(attr(f, struct.pack('<Q' if wide or f in (4, 5) else '<I', f * 10)) for f in range(1, 11)), True)

service_tcp = message(1, [attr(1, b''.join([
    attr(1, struct.pack('<H', 2)), attr(2, struct.pack('<H', 6)), attr(3, bytes([10, 0, 0, 1]) + bytes(12)),
    attr(4, struct.pack('>H', 80)), attr(6, b'wrr\0'), attr(7, struct.pack('<II', 1, 0xffffffff)),
    attr(8, struct.pack('<I', 300)), attr(9, struct.pack('>I', 0xffffffff)), attr(11, b'sip\0'),
    stats(10, False), stats(12, True)]), True)])
service_mark6 = message(1, [attr(1, b''.join([
    attr(1, struct.pack('<H', 10)), attr(5, struct.pack('<I', 42)), attr(6, b'rr\0'),
    attr(9, struct.pack('<I', 64)), stats(12, True)]), True)])
destination = message(5, [attr(2, b''.join([
    attr(1, bytes([10, 0, 0, 9]) + bytes(12)), attr(2, struct.pack('>H', 8080)), attr(3, struct.pack('<I', 0)),
    attr(4, struct.pack('<I', 1)), attr(5, struct.pack('<I', 0)), attr(6, struct.pack('<I', 0)),
    attr(7, struct.pack('<I', 3)), attr(8, struct.pack('<I', 4)), attr(9, struct.pack('<I', 0)),
    attr(11, struct.pack('<H', 2)), stats(13, True)]), True)])
info = message(14, [attr(1, struct.pack('<I', 0x010201)), attr(2, struct.pack('<I', 4096))])
done = struct.pack('<IHHIIi', 20, 3, 2, 1, 0, 0)
write('FuzzNetlink', 'service-tcp', service_tcp)
write('FuzzNetlink', 'service-mark6', service_mark6)
write('FuzzNetlink', 'destination', destination)
write('FuzzNetlink', 'info', info)
config = message(12, [attr(4, struct.pack('<I', 900)), attr(5, struct.pack('<I', 120)),
                      attr(6, struct.pack('<I', 300))])
daemon_master = message(9, [attr(3, b''.join([
    attr(1, struct.pack('<I', 1)), attr(2, b'eth0\0'), attr(3, struct.pack('<I', 7)), attr(4, struct.pack('<H', 1472)),
    attr(7, struct.pack('<H', 8848)), attr(8, bytes([1])), attr(5, bytes([224, 0, 0, 81]))]), True)])
daemon_backup = message(9, [attr(3, b''.join([
    attr(1, struct.pack('<I', 2)), attr(2, b'vb0\0'), attr(3, struct.pack('<I', 255))]), True)])
write('FuzzNetlink', 'datagram', service_tcp + destination + service_mark6 + done)
write('FuzzNetlink', 'config', config)
write('FuzzNetlink', 'daemons', daemon_master + daemon_backup + done)

# --- ipt_entry tables (struct ipt_entry is 112 bytes, xt_entry_{match,target} 32) ----
def ext(name, revision, data):
    size = 32 + len(data)
    size += -size % 8
    return (struct.pack('<H', size) + name.encode().ljust(29, b'\0') + bytes([revision]) + data).ljust(size, b'\0')

def entry(dst=None, matches=b'', target=b''):
    ip = bytearray(84)
    if dst is not None:
        ip[4:8] = bytes(dst); ip[12:16] = b'\xff' * 4
    header = bytes(ip) + struct.pack('<IHHI', 0, 112 + len(matches), 112 + len(matches) + len(target), 0) + bytes(16)
    return header + matches + target

mark = ext('MARK', 2, struct.pack('<II', 0x100, 0xffffffff))
tcp = ext('tcp', 0, struct.pack('<HHHHBBBB', 0, 0xffff, 30000, 30000, 0, 0, 0, 0))
udp = ext('udp', 0, struct.pack('<HHHHBB', 0, 0xffff, 53, 53, 0, 0))
ports = [80, 443, 8000, 8080] + [0] * 11
multiport1 = ext('multiport', 1, bytes([1, 4]) + struct.pack('<15H', *ports) + bytes([0, 0, 1, 0] + [0] * 11) + bytes([0]))
standard = ext('', 0, struct.pack('<i', -2))
write('FuzzMangleTable', 'ingress', entry(matches=tcp, target=mark) + entry(matches=udp, target=mark)
      + entry(dst=[10, 0, 0, 5], target=mark) + entry(target=standard))
write('FuzzMangleTable', 'multiport', entry(matches=multiport1, target=mark) + entry(target=standard))

# --- queue directories ---------------------------------------------------------------
def record(sequence, tag, samples, payload):
    rest = struct.pack('<QBBHI', sequence, tag, 0, 0, samples) + payload
    return struct.pack('<II', len(payload), zlib.crc32(rest)) + rest

def cursor(segment, offset, acknowledged):
    fields = struct.pack('<QQQ', segment, offset, acknowledged)
    return b'IPVSRWC1' + fields + struct.pack('<I', zlib.crc32(fields))

def queue(control, cursor_bytes, segments):
    out = bytes([control]) + (cursor_bytes or b'')
    for segment in segments:
        out += struct.pack('<H', len(segment)) + segment
    return out

segment1 = b'IPVSRWQ1' + record(1, 2, 3, b'\x05\x10hello') + record(2, 1, 1, b'abc')
segment2 = b'IPVSRWQ1' + record(3, 2, 7, bytes(40))
write('FuzzQueue', 'two-segments', queue(0, None, [segment1, segment2]))
write('FuzzQueue', 'cursor-mid-segment', queue(2, cursor(1, 8 + 24 + 7, 1), [segment1, segment2]))
write('FuzzQueue', 'cut-off-record', queue(1, None, [segment1 + record(4, 2, 1, b'xyz')[:20]]))

# --- remote write 2.0 requests ---------------------------------------------------------
def varint(n):
    out = b''
    while True:
        byte = n & 0x7f; n >>= 7
        out += bytes([byte | (0x80 if n else 0)])
        if not n: return out

def field(number, wire, payload):
    key = varint(number << 3 | wire)
    return key + (varint(len(payload)) + payload if wire == 2 else payload)

def packed(numbers):
    return b''.join(varint(n) for n in numbers)

symbols = ['', '__name__', 'ipvs_service_connections_total', 'address', '10.0.0.1', 'Connections.', 'lat_bucket', 'le', '+Inf']
request = b''.join(field(4, 2, s.encode()) for s in symbols)
sample = field(1, 1, struct.pack('<d', 12.0)) + field(2, 0, varint(1700000000000))
metadata = field(1, 0, varint(1)) + field(3, 0, varint(5))
request += field(5, 2, field(1, 2, packed([1, 2, 3, 4])) + field(2, 2, sample) + field(5, 2, metadata))
request += field(5, 2, field(1, 2, packed([1, 6, 7, 8])) + field(2, 2, sample) + field(5, 2, field(1, 0, varint(4))))

def snappy_literal(data):
    out = varint(len(data))
    for start in range(0, len(data), 60):
        chunk = data[start:start + 60]
        out += bytes([(len(chunk) - 1) << 2]) + chunk
    return out

write('FuzzTranscoder', 'compress-in-harness', bytes([1]) + request)
write('FuzzTranscoder', 'queued-snappy', bytes([0]) + snappy_literal(request))
