#!/usr/bin/env python3
"""The kernel's side of the lab's interop tests and benchmarks: small TCP clients and servers
on Linux's own stack, run inside the test's network namespace. Each prints one JSON line with
what it saw (bytes and SHA-256 each way, errors by errno name, timings) and exits.

  send HOST PORT N SEED      connect, send N pseudo-random bytes, shut down writing, read to EOF
  recv HOST PORT             connect, read to EOF
  server PORT MODE [N SEED]  accept one connection on 10.77.0.1:PORT and:
                               sink     read to EOF, then close
                               source   send N bytes, close
                               answer   read to EOF, then send N bytes and close (half-close test)
                               echo     echo to EOF, then close
                               rst      read some bytes, then close with SO_LINGER 0 (RST)
                               hold     read to EOF, then wait (the lab closes first)
  hold-open HOST PORT SECS   connect, send 'x', wait until EOF/RST or SECS pass (for RSTs from the lab)
  connect HOST PORT          connect once and report (ECONNREFUSED, ...)
  overflow HOST PORT K SECS [PRE]
                             PRE connections one after another, then K - PRE at once; each sends
                             'hello' and waits up to SECS for a reply
  connrate HOST PORT SECS    serial connections: connect, send 1 byte, close; count per second
"""
import errno
import hashlib
import json
import random
import socket
import struct
import sys
import time

CHUNK = 1 << 20


def out(**kw):
    print(json.dumps(kw), flush=True)


def err_name(e):
    return errno.errorcode.get(e.errno, str(e.errno)) if isinstance(e, OSError) and e.errno else type(e).__name__


def data_stream(n, seed):
    r = random.Random(seed)
    left = n
    while left > 0:
        k = min(CHUNK, left)
        yield r.randbytes(k)
        left -= k


def read_all(s, h):
    got = 0
    while True:
        d = s.recv(CHUNK)
        if not d:
            return got
        got += len(d)
        h.update(d)


def cmd_send(host, port, n, seed):
    s = socket.create_connection((host, int(port)), timeout=60)
    t = time.time()
    hs, hr = hashlib.sha256(), hashlib.sha256()
    import threading
    got = [0, None]

    def reader():
        try:
            got[0] = read_all(s, hr)
        except OSError as e:
            got[1] = err_name(e)

    th = threading.Thread(target=reader)
    th.start()
    sent = 0
    for block in data_stream(int(n), int(seed)):
        s.sendall(block)
        hs.update(block)
        sent += len(block)
    s.shutdown(socket.SHUT_WR)
    th.join()
    out(sent=sent, sentSha=hs.hexdigest(), got=got[0], gotSha=hr.hexdigest(), error=got[1], secs=time.time() - t)


def cmd_recv(host, port):
    s = socket.create_connection((host, int(port)), timeout=60)
    t = time.time()
    h = hashlib.sha256()
    try:
        got = read_all(s, h)
        out(got=got, gotSha=h.hexdigest(), secs=time.time() - t, error=None)
    except OSError as e:
        out(got=0, gotSha=None, secs=time.time() - t, error=err_name(e))


def cmd_server(port, mode, n='0', seed='1'):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(('10.77.0.1', int(port)))
    ls.listen(16)
    out(listening=int(port))
    ls.settimeout(60)
    s, peer = ls.accept()
    s.settimeout(60)
    t = time.time()
    hr, hs = hashlib.sha256(), hashlib.sha256()
    res = {'peer': '%s:%d' % peer, 'mode': mode}
    try:
        if mode == 'sink':
            res['got'] = read_all(s, hr)
            res['gotSha'] = hr.hexdigest()
            s.close()
        elif mode in ('source', 'answer'):
            if mode == 'answer':
                res['got'] = read_all(s, hr)
                res['gotSha'] = hr.hexdigest()
            sent = 0
            for block in data_stream(int(n), int(seed)):
                s.sendall(block)
                hs.update(block)
                sent += len(block)
            res['sent'] = sent
            res['sentSha'] = hs.hexdigest()
            s.close()
        elif mode == 'echo':
            got = 0
            while True:
                d = s.recv(CHUNK)
                if not d:
                    break
                got += len(d)
                s.sendall(d)
            res['got'] = got
            s.close()
        elif mode == 'rst':
            res['got'] = len(s.recv(CHUNK))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
            s.close()
        elif mode == 'hold':
            res['got'] = read_all(s, hr)
            res['gotSha'] = hr.hexdigest()
            time.sleep(float(n) if n != '0' else 1.0)
            s.close()
        else:
            raise SystemExit('unknown mode ' + mode)
    except OSError as e:
        res['error'] = err_name(e)
    res['secs'] = time.time() - t
    out(**res)


def cmd_hold_open(host, port, secs):
    s = socket.create_connection((host, int(port)), timeout=10)
    s.sendall(b'x')
    s.settimeout(float(secs))
    try:
        d = s.recv(CHUNK)
        out(result='eof' if not d else 'data', error=None)
    except socket.timeout:
        out(result='timeout', error=None)
    except OSError as e:
        out(result='error', error=err_name(e))


def cmd_connect(host, port):
    try:
        s = socket.create_connection((host, int(port)), timeout=10)
        s.close()
        out(result='connected', error=None)
    except OSError as e:
        out(result='error', error=err_name(e))


def cmd_overflow(host, port, k, secs, pre='0'):
    """PRE clients connect one after another, then K - PRE at once (non-blocking); each sends
    'hello' and waits up to SECS for a reply."""
    import selectors
    sel = selectors.DefaultSelector()
    socks = []
    t = time.time()
    for i in range(int(k)):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex((host, int(port)))
        if i < int(pre):
            w = selectors.DefaultSelector()
            w.register(s, selectors.EVENT_WRITE)
            w.select(timeout=5)
            w.close()
            time.sleep(0.05)
        socks.append(s)
        sel.register(s, selectors.EVENT_WRITE, i)
    res = [{'connected': False, 'reply': False, 'error': None, 'connectedAt': None} for _ in socks]
    end = t + float(secs)
    while time.time() < end:
        left = [r for r in res if r['error'] is None and not r['reply']]
        if not left:
            break
        for key, ev in sel.select(timeout=0.05):
            i = key.data
            s = socks[i]
            r = res[i]
            if ev & selectors.EVENT_WRITE and not r['connected']:
                e = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if e:
                    r['error'] = errno.errorcode.get(e, str(e))
                    sel.unregister(s)
                    continue
                r['connected'] = True
                r['connectedAt'] = round(time.time() - t, 3)
                try:
                    s.send(b'hello')
                except OSError as e2:
                    r['error'] = err_name(e2)
                    sel.unregister(s)
                    continue
                sel.modify(s, selectors.EVENT_READ, i)
            elif ev & selectors.EVENT_READ:
                try:
                    d = s.recv(100)
                    if d:
                        r['reply'] = True
                        r['replyAt'] = round(time.time() - t, 3)
                    else:
                        r['error'] = 'EOF'
                except OSError as e3:
                    r['error'] = err_name(e3)
                sel.unregister(s)
    out(clients=res)


def cmd_connrate(host, port, secs):
    n = 0
    errors = {}
    addr = (host, int(port))
    t = time.time()
    end = t + float(secs)
    while time.time() < end:
        try:
            s = socket.socket()
            s.connect(addr)
            s.send(b'x')
            s.close()
            n += 1
        except OSError as e:
            name = err_name(e)
            errors[name] = errors.get(name, 0) + 1
            s.close()
    el = time.time() - t
    out(connections=n, secs=el, perSec=n / el, errors=errors)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    fn = {'send': cmd_send, 'recv': cmd_recv, 'server': cmd_server, 'hold-open': cmd_hold_open,
          'connect': cmd_connect, 'overflow': cmd_overflow, 'connrate': cmd_connrate}[cmd]
    fn(*args)


if __name__ == '__main__':
    main()
