// A tiny HTTP/1.1 server, good enough for curl, wget, browsers and python's http.client:
//   GET|HEAD /            200, a short text/plain greeting (any path but /bytes/N)
//   GET|HEAD /bytes/N     200, N bytes (at most 1 GiB) of a repeating pattern, streamed with backpressure
//   POST ...              200 after reading a Content-Length body (chunked bodies: 501)
//   other methods         405
// Keep-alive as HTTP/1.1 has it (HTTP/1.0: close unless asked), pipelined requests answered in
// order, `Connection: close` honoured; a malformed request gets 400 and the connection closes.
import { formatAddress } from '../../wire/ipv4.ts';
import type { Socket } from '../../stack/socket.ts';
import { readChunk, safeClose, type ResponderOptions } from './common.ts';
import { SocketWriter } from './writer.ts';

const MAX_HEAD = 16 * 1024;
const MAX_BYTES = 1 << 30;
const STREAM_CHUNK = 64 * 1024;

export interface HttpRequest {
  method: string;
  target: string;
  version: 'HTTP/1.0' | 'HTTP/1.1';
  headers: Map<string, string>;
}

/** Parses a request head (request line + headers, without the blank line); null when malformed. */
export function parseRequestHead(head: string): HttpRequest | null {
  const lines = head.split(/\r?\n/);
  const m = /^([A-Z]{1,16}) (\S{1,8192}) (HTTP\/1\.[01])$/.exec(lines[0]);
  if (m === null) return null;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const c = line.indexOf(':');
    if (c <= 0) return null;
    headers.set(line.slice(0, c).trim().toLowerCase(), line.slice(c + 1).trim());
  }
  return { method: m[1], target: m[2], version: m[3] as HttpRequest['version'], headers };
}

/** Whether the connection stays open after answering this request. */
export function keepAlive(req: HttpRequest): boolean {
  const c = (req.headers.get('connection') ?? '').toLowerCase();
  if (req.version === 'HTTP/1.0') return c.split(/\s*,\s*/).includes('keep-alive');
  return !c.split(/\s*,\s*/).includes('close');
}

const PATTERN = (() => {
  const p = new Uint8Array(STREAM_CHUNK);
  const text = 'tcplab 0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ\n';
  for (let i = 0; i < p.length; i++) p[i] = text.charCodeAt(i % text.length);
  return p;
})();

const STATUS: Record<number, string> = {
  200: 'OK', 400: 'Bad Request', 405: 'Method Not Allowed', 413: 'Content Too Large',
  431: 'Request Header Fields Too Large', 501: 'Not Implemented',
};

interface Answer { status: number; body: Uint8Array | number; close: boolean; head: boolean; extra?: string }

const enc = new TextEncoder();

function greeting(sock: Socket, req: HttpRequest): string {
  return `Hello from tcplab: ${formatAddress(sock.localAddr)}:${sock.localPort} (the lab's TCP stack) answered ` +
    `${req.method} ${req.target} from ${formatAddress(sock.remoteAddr)}:${sock.remotePort} on connection ${sock.id}.\n`;
}

/** What to answer to one request. */
export function answer(sock: Socket, req: HttpRequest): Answer {
  const close = !keepAlive(req);
  if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'POST') {
    return { status: 405, body: enc.encode('method not allowed\n'), close, head: false, extra: 'Allow: GET, HEAD, POST\r\n' };
  }
  const bytes = /^\/bytes\/(\d{1,10})$/.exec(req.target);
  if (bytes !== null && req.method !== 'POST') {
    const n = Number(bytes[1]);
    if (n > MAX_BYTES) return { status: 413, body: enc.encode(`at most ${MAX_BYTES} bytes\n`), close, head: req.method === 'HEAD' };
    return { status: 200, body: n, close, head: req.method === 'HEAD' };
  }
  return { status: 200, body: enc.encode(greeting(sock, req)), close, head: req.method === 'HEAD' };
}

function responseHead(a: Answer, length: number): string {
  return `HTTP/1.1 ${a.status} ${STATUS[a.status]}\r\nServer: tcplab\r\nContent-Type: text/plain; charset=utf-8\r\n` +
    `Content-Length: ${length}\r\n${a.extra ?? ''}Connection: ${a.close ? 'close' : 'keep-alive'}\r\n\r\n`;
}

export function httpResponder(sock: Socket, opts: ResponderOptions): void {
  const w = new SocketWriter(sock);
  let buf: Buffer = Buffer.alloc(0);
  let bodyToSkip = 0;
  let streaming = 0;          // bytes of a /bytes/N body still to write
  let closeAfter = false;     // close once everything is written
  let eof = false;
  let done = false;

  const finish = (): void => {
    done = true;
    safeClose(sock);
  };

  const stream = (): void => {
    while (streaming > 0 && w.pending < opts.maxPending) {
      const n = Math.min(streaming, STREAM_CHUNK);
      if (!w.write(PATTERN.subarray(0, n))) return;
      streaming -= n;
    }
  };

  const respond = (a: Answer): void => {
    const length = typeof a.body === 'number' ? a.body : a.body.length;
    w.write(enc.encode(responseHead(a, length)));
    if (!a.head) {
      if (typeof a.body === 'number') streaming = a.body;
      else w.write(a.body);
    }
    if (a.close) closeAfter = true;
  };

  /** Answer every complete request in `buf`, in order (one at a time while a body streams). */
  const serve = (): void => {
    while (!closeAfter && streaming === 0 && w.pending < opts.maxPending) {
      if (bodyToSkip > 0) {
        const n = Math.min(bodyToSkip, buf.length);
        buf = buf.subarray(n);
        bodyToSkip -= n;
        if (bodyToSkip > 0) return;
      }
      const end = findHeadEnd(buf);
      if (end === null) {
        if (buf.length > MAX_HEAD) {
          respond({ status: 431, body: enc.encode('request head too large\n'), close: true, head: false });
        }
        return;
      }
      const req = parseRequestHead(buf.subarray(0, end.at).toString('latin1'));
      buf = buf.subarray(end.at + end.length);
      if (req === null) {
        respond({ status: 400, body: enc.encode('bad request\n'), close: true, head: false });
        return;
      }
      if (req.headers.has('transfer-encoding')) {
        respond({ status: 501, body: enc.encode('chunked request bodies are not supported\n'), close: true, head: false });
        return;
      }
      const cl = Number(req.headers.get('content-length') ?? '0');
      if (!Number.isSafeInteger(cl) || cl < 0) {
        respond({ status: 400, body: enc.encode('bad content-length\n'), close: true, head: false });
        return;
      }
      bodyToSkip = cl;
      const a = answer(sock, req);
      if (req.method === 'POST') a.body = enc.encode(`received ${cl} bytes\n`);
      respond(a);
    }
  };

  const pump = (): void => {
    if (done) return;
    w.flush();
    stream();
    while (!eof && buf.length <= MAX_HEAD * 4 + bodyToSkip) {
      const d = readChunk(sock);
      if (d === null) break;
      if (d.length === 0) eof = true;
      else buf = buf.length === 0 ? Buffer.from(d.buffer, d.byteOffset, d.length) : Buffer.concat([buf, d]);
    }
    serve();
    stream();
    if (w.broken) return finish();
    const idle = w.idle && streaming === 0;
    if (idle && (closeAfter || (eof && findHeadEnd(buf) === null))) finish();
  };

  sock.on('readable', pump);
  sock.on('end', pump);
  sock.on('drain', pump);
  pump();
}

function findHeadEnd(buf: Buffer): { at: number; length: number } | null {
  const crlf = buf.indexOf('\r\n\r\n', 0, 'latin1');
  const lf = buf.indexOf('\n\n', 0, 'latin1');
  if (crlf < 0 && lf < 0) return null;
  if (lf >= 0 && (crlf < 0 || lf < crlf)) return { at: lf, length: 2 };
  return { at: crlf, length: 4 };
}
