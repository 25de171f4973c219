// kernel-tool.py's source, embedded so the tool runs (python3 -c) wherever the lab's code is,
// also from a bundle (the Electron app) where the .py file is not next to the code.
// Generated from kernel-tool.py by scripts/embed-kernel-tool.js (npm run embed:kernel-tool): edit the .py.
export const KERNEL_TOOL_SOURCE = String.raw`#!/usr/bin/env python3
"""The kernel's side of tcplab's guided scenarios: Linux's own TCP, driven step by step.

Run inside the lab's network namespace (the scenario does that). Every step prints one JSON
line as it finishes, so the lab can follow along; the last line is {"done": true, ...}.

  kernel-tool.py STEP [STEP ...]
    bind=PORT            bind the socket made by the next connect= to PORT
    connect=HOST:PORT    connect (blocking, bounded by timeout=)
    listen=PORT          listen on 0.0.0.0:PORT (backlog 16); prints {"step":"listen"} when ready
    accept               accept one connection; it becomes the current socket
    acceptloop=N         accept N connections one after another (kept open until the end)
    send=TEXT            send TEXT (utf-8; \\n and \\r escapes)
    sendbytes=N          send N bytes of a fixed pattern
    writes=N:SIZE        N separate send() calls of SIZE bytes each, back to back
    recv                 one recv() of up to 64 KiB
    recvall              recv() until end of stream; reports bytes and their SHA-256
    sleep=SECONDS        wait
    until=EPOCH_MS       wait until that wall-clock time (ms since 1970)
    shutdown             shutdown(SHUT_WR): send FIN, keep receiving
    close                close()
    rst                  close() with SO_LINGER {1, 0}: an RST
    nodelay              TCP_NODELAY on
    timeout=SECONDS      timeout of the blocking steps that follow (default 10)
    ss                   the kernel's view of its TCP sockets (ss -tan), as lines
  kernel-tool.py parallel N HOST:PORT [send=TEXT] [wait=SECONDS] [at=MS,MS,...]
    N connections (non-blocking connects), all at once or each started at its offset in 'at'
    (ms from the start); each sends TEXT once connected and reads until end of stream, reset
    or 'wait' seconds after the last start; one JSON line per connection at the end.

Errors are reported by errno name (ECONNRESET, ECONNREFUSED, ETIMEDOUT, ...), never raised.
"""
import errno
import hashlib
import json
import select
import socket
import struct
import subprocess
import sys
import time

T0 = time.time()


def now_ms():
    return round((time.time() - T0) * 1000, 3)


def out(**kw):
    kw.setdefault("t", now_ms())
    kw.setdefault("wall", round(time.time() * 1000, 3))
    print(json.dumps(kw), flush=True)


def err_name(e):
    if isinstance(e, socket.timeout):
        return "ETIMEDOUT"
    if isinstance(e, OSError) and e.errno:
        return errno.errorcode.get(e.errno, str(e.errno))
    return type(e).__name__


def unescape(s):
    return s.replace("\\n", "\n").replace("\\r", "\r").replace("\\t", "\t")


def pattern(n):
    block = bytes(range(256)) * 256
    while n > 0:
        k = min(n, len(block))
        yield block[:k]
        n -= k


def host_port(s):
    host, _, port = s.rpartition(":")
    return host, int(port)


class Runner:
    def __init__(self):
        self.sock = None
        self.listener = None
        self.bind_port = None
        self.timeout = 10.0
        self.ok = True

    def info(self):
        s = self.sock
        if s is None:
            return {}
        try:
            la, lp = s.getsockname()[:2]
            ra, rp = s.getpeername()[:2]
            return {"local": "%s:%d" % (la, lp), "remote": "%s:%d" % (ra, rp)}
        except OSError:
            return {}

    def step(self, word):
        name, _, arg = word.partition("=")
        fn = getattr(self, "do_" + name.replace("-", "_"), None)
        if fn is None:
            out(step=name, ok=False, error="EINVAL", detail="unknown step " + name)
            return False
        try:
            extra = fn(arg) or {}
            out(step=name, ok=True, **extra)
            return True
        except (OSError, socket.timeout, ValueError) as e:
            out(step=name, ok=False, error=err_name(e), detail=str(e))
            return False

    def need(self):
        if self.sock is None:
            raise OSError(errno.ENOTCONN, "no connection yet")
        return self.sock

    def do_timeout(self, arg):
        self.timeout = float(arg)
        if self.sock is not None:
            self.sock.settimeout(self.timeout)

    def do_bind(self, arg):
        self.bind_port = int(arg)

    def do_connect(self, arg):
        host, port = host_port(arg)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if self.bind_port is not None:
            s.bind(("0.0.0.0", self.bind_port))
        s.settimeout(self.timeout)
        self.sock = s
        t = time.time()
        s.connect((host, port))
        return dict(self.info(), ms=round((time.time() - t) * 1000, 3))

    def do_listen(self, arg):
        l = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        l.bind(("0.0.0.0", int(arg)))
        l.listen(16)
        self.listener = l
        return {"port": int(arg)}

    def do_accept(self, _arg):
        if self.listener is None:
            raise OSError(errno.EINVAL, "accept before listen")
        self.listener.settimeout(self.timeout)
        s, _ = self.listener.accept()
        s.settimeout(self.timeout)
        self.sock = s
        return self.info()

    def do_acceptloop(self, arg):
        if self.listener is None:
            raise OSError(errno.EINVAL, "accept before listen")
        self.listener.settimeout(self.timeout)
        self.kept = getattr(self, "kept", [])
        for _ in range(int(arg)):
            s, _ = self.listener.accept()
            self.kept.append(s)
        return {"accepted": len(self.kept)}

    def do_send(self, arg):
        data = unescape(arg).encode()
        self.need().sendall(data)
        return {"bytes": len(data)}

    def do_sendbytes(self, arg):
        s = self.need()
        n = 0
        for block in pattern(int(arg)):
            s.sendall(block)
            n += len(block)
        return {"bytes": n}

    def do_writes(self, arg):
        count, _, size = arg.partition(":")
        s = self.need()
        chunk = b"x" * int(size)
        for _ in range(int(count)):
            s.send(chunk)
        return {"writes": int(count), "bytes": int(count) * int(size)}

    def do_recv(self, _arg):
        d = self.need().recv(65536)
        return {"bytes": len(d), "text": d[:200].decode("utf-8", "replace"), "eof": len(d) == 0}

    def do_recvall(self, _arg):
        s = self.need()
        h = hashlib.sha256()
        n = 0
        first = None
        while True:
            d = s.recv(65536)
            if not d:
                break
            if first is None:
                first = now_ms()
            n += len(d)
            h.update(d)
        return {"bytes": n, "sha256": h.hexdigest(), "first": first}

    def do_sleep(self, arg):
        time.sleep(float(arg))

    def do_until(self, arg):
        left = float(arg) / 1000.0 - time.time()
        if left > 0:
            time.sleep(left)
        return {"late_ms": round((time.time() - float(arg) / 1000.0) * 1000, 3)}

    def do_shutdown(self, _arg):
        self.need().shutdown(socket.SHUT_WR)

    def do_close(self, _arg):
        s = self.need()
        info = self.info()
        s.close()
        return info

    def do_rst(self, _arg):
        s = self.need()
        info = self.info()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
        return info

    def do_nodelay(self, _arg):
        self.need().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_ss(self, _arg):
        r = subprocess.run(["ss", "-tan"], capture_output=True, text=True, timeout=10)
        return {"lines": r.stdout.strip().split("\n")[1:]}


def parallel(n, target, opts):
    host, port = host_port(target)
    text = unescape(opts.get("send", "")).encode()
    wait = float(opts.get("wait", "5"))
    offsets = [float(x) / 1000.0 for x in opts["at"].split(",")] if opts.get("at") else [0.0] * n
    offsets = (offsets + [offsets[-1]] * n)[:n]
    conns = []
    for i in range(n):
        conns.append({"i": i, "sock": None, "connected": None, "error": None, "bytes": 0, "eof": False, "sent": False,
                      "first": None, "start": None})
    out(step="parallel", ok=True, started=n)
    begin = time.time()
    end = begin + max(offsets) + wait
    while time.time() < end:
        for c, off in zip(conns, offsets):
            if c["sock"] is None and c["error"] is None and time.time() >= begin + off:
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setblocking(False)
                c["sock"] = s
                c["start"] = now_ms()
                r = s.connect_ex((host, port))
                if r not in (0, errno.EINPROGRESS):
                    c["error"] = errno.errorcode.get(r, str(r))
        live = [c for c in conns if c["sock"] is not None and c["error"] is None and not c["eof"]]
        if not live:
            if all(c["sock"] is not None or c["error"] is not None for c in conns):
                break
            time.sleep(0.005)
            continue
        wr = [c["sock"] for c in live if c["connected"] is None]
        rd = [c["sock"] for c in live if c["connected"] is not None]
        r, w, _ = select.select(rd, wr, [], max(0.0, min(0.05, end - time.time())))
        for c in live:
            s = c["sock"]
            if s in w:
                e = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if e:
                    c["error"] = errno.errorcode.get(e, str(e))
                    continue
                c["connected"] = now_ms()
                c["local"] = "%s:%d" % s.getsockname()[:2]
                if text:
                    try:
                        s.send(text)
                        c["sent"] = True
                    except OSError as ex:
                        c["error"] = err_name(ex)
            if s in r:
                try:
                    d = s.recv(65536)
                    if not d:
                        c["eof"] = True
                    else:
                        if c["first"] is None:
                            c["first"] = now_ms()
                        c["bytes"] += len(d)
                except OSError as ex:
                    c["error"] = err_name(ex)
    for c in conns:
        if c["error"] is None and c["connected"] is None:
            c["error"] = "ETIMEDOUT"
        s = c.pop("sock")
        if s is not None:
            s.close()
        out(step="conn", ok=c["error"] is None, **c)


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    if len(argv) >= 3 and argv[0] == "parallel":
        opts = dict(a.partition("=")[::2] for a in argv[3:])
        parallel(int(argv[1]), argv[2], opts)
        out(done=True, ok=True)
        return 0
    r = Runner()
    ok = True
    for word in argv:
        if not r.step(word):
            ok = False
            break
    out(done=True, ok=ok)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
`;
