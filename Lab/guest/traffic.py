#!/usr/bin/python3
"""Traffic sources and sinks for ipvs-lab scenarios (runs inside the guest).

Starting a process is slow in user-mode Linux, so one process serves every listener of a
namespace and one process runs every client action.

  traffic.py serve READY_FILE SPEC...   SPEC: http,ADDR,PORT | udp,ADDR,PORT | sctp,ADDR,PORT
      Listens on every SPEC (ADDR "::" means dual stack), writes READY_FILE, serves forever.
      http answers every GET with a fixed 1 KiB body; udp and sctp echo what they receive.
  traffic.py run READY_FILE ACTION...   ACTION: http-get,URL,COUNT | udp-send,ADDR,PORT,COUNT |
                                                 udp-fire,ADDR,PORT,COUNT | sctp-send,ADDR,PORT,COUNT |
                                                 hold,ADDR,PORT
      (udp-fire sends without waiting for answers: with one-packet scheduling IPVS forgets the
      connection after the request, so masqueraded answers never find their way back)
      Runs the actions in order (one connection per request, every answer checked), writes
      "ok" or "failed: ..." to READY_FILE, then keeps the "hold" connections open forever
      (established connections the kernel counts as active) or exits when there are none.
"""
import http.client
import http.server
import socket
import sys
import threading
import time
from urllib.parse import urlsplit

BODY = b"ipvs-lab " * 113 + b"\n"  # about 1 KiB, so byte counters move visibly


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def dual_stack(sock, addr):
    if addr == "::":
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)


def write_file(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text + "\n")
    import os
    os.rename(path + ".tmp", path)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args):
        pass


def http_listener(addr, port):
    fam = family_of(addr)

    class Server(http.server.ThreadingHTTPServer):
        address_family = fam
        daemon_threads = True

        def server_bind(self):
            dual_stack(self.socket, addr)
            super().server_bind()

    return Server((addr, port), Handler).serve_forever


def udp_listener(addr, port):
    s = socket.socket(family_of(addr), socket.SOCK_DGRAM)
    dual_stack(s, addr)
    s.bind((addr, port))

    def serve():
        while True:
            data, peer = s.recvfrom(65535)
            s.sendto(data, peer)
    return serve


def sctp_listener(addr, port):
    s = socket.socket(family_of(addr), socket.SOCK_STREAM, socket.IPPROTO_SCTP)
    dual_stack(s, addr)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(16)

    def serve():
        while True:
            conn, _ = s.accept()
            with conn:
                data = conn.recv(65535)
                if data:
                    conn.sendall(data)
    return serve


def serve(ready_file, *specs):
    listeners = {"http": http_listener, "udp": udp_listener, "sctp": sctp_listener}
    loops = []
    for spec in specs:
        kind, addr, port = spec.split(",")
        loops.append(listeners[kind](addr, int(port)))
    for loop in loops:
        threading.Thread(target=loop, daemon=True).start()
    write_file(ready_file, "ready")
    while True:
        time.sleep(3600)


def http_get(url, count):
    parts = urlsplit(url)
    ok = 0
    for _ in range(int(count)):
        try:
            conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=5)
            conn.request("GET", parts.path or "/")
            response = conn.getresponse()
            body = response.read()
            conn.close()
            if response.status == 200 and body == BODY:
                ok += 1
            else:
                print(f"http-get {url}: status {response.status}, {len(body)} bytes, not the expected body",
                      file=sys.stderr)
        except (OSError, http.client.HTTPException) as error:
            print(f"http-get {url}: {error}", file=sys.stderr)
    return ok


def udp_send(addr, port, count):
    ok = 0
    with socket.socket(family_of(addr), socket.SOCK_DGRAM) as s:
        s.settimeout(2)
        s.connect((addr, int(port)))
        for i in range(int(count)):
            payload = f"datagram {i} ".encode() * 8
            try:
                s.send(payload)
                ok += s.recv(65535) == payload
            except OSError as error:
                print(f"udp-send {addr}:{port}: {error}", file=sys.stderr)
    return ok


def udp_fire(addr, port, count):
    with socket.socket(family_of(addr), socket.SOCK_DGRAM) as s:
        s.connect((addr, int(port)))
        for i in range(int(count)):
            s.send(f"datagram {i} ".encode() * 8)
    return int(count)


def sctp_send(addr, port, count):
    ok = 0
    for i in range(int(count)):
        payload = f"sctp message {i} ".encode() * 8
        try:
            with socket.socket(family_of(addr), socket.SOCK_STREAM, socket.IPPROTO_SCTP) as s:
                s.settimeout(2)
                s.connect((addr, int(port)))
                s.sendall(payload)
                ok += s.recv(65535) == payload
        except OSError as error:
            print(f"sctp-send {addr}:{port}: {error}", file=sys.stderr)
    return ok


def run(ready_file, *actions):
    failures = []
    held = []
    for action in actions:
        kind, *args = action.split(",")
        if kind == "hold":
            try:
                held.append(socket.create_connection((args[0], int(args[1])), timeout=5))
                print(f"hold {args[0]}:{args[1]}: open")
            except OSError as error:
                failures.append(f"{action}: {error}")
            continue
        count = int(args[-1])
        ok = {"http-get": http_get, "udp-send": udp_send, "udp-fire": udp_fire, "sctp-send": sctp_send}[kind](*args)
        print(f"{action}: {ok}/{count} ok")
        if ok != count:
            failures.append(f"{action}: {ok}/{count} ok")
    sys.stdout.flush()
    write_file(ready_file, "failed: " + "; ".join(failures) if failures else "ok")
    while held:
        time.sleep(3600)


if __name__ == "__main__":
    commands = {"serve": serve, "run": run}
    if len(sys.argv) < 3 or sys.argv[1] not in commands:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    commands[sys.argv[1]](*sys.argv[2:])
