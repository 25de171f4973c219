// Who may use the lab over TCP (127.0.0.1): a client that presents the random token
// (`Authorization: Bearer T` or `?token=T`), from no Origin (not a browser) or an allowed one,
// addressed by a loopback Host (defeats DNS rebinding). The Unix socket relies on its 0600 mode.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function tokenOf(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice('Bearer '.length).trim();
  const url = new URL(req.url ?? '/', 'http://localhost');
  return url.searchParams.get('token');
}

export function tokenMatches(expected: string, given: string | null): boolean {
  if (given === null) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function loopbackOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

export interface TcpAccess {
  token: string;
  port: number;
  allowedOrigins: readonly string[];
}

export type AccessVerdict = { ok: true } | { ok: false; status: 401 | 403; reason: string };

export function checkTcpAccess(req: IncomingMessage, access: TcpAccess): AccessVerdict {
  const host = req.headers.host ?? '';
  if (host !== `127.0.0.1:${access.port}` && host !== `localhost:${access.port}`) {
    return { ok: false, status: 403, reason: `host not allowed: ${host.slice(0, 64)}` };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !access.allowedOrigins.includes(origin)) {
    return { ok: false, status: 403, reason: `origin not allowed: ${origin.slice(0, 64)}` };
  }
  if (!tokenMatches(access.token, tokenOf(req))) return { ok: false, status: 401, reason: 'missing or wrong token' };
  return { ok: true };
}
