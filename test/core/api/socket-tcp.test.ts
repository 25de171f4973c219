// The contract suite over WebSocket on 127.0.0.1 with a token, plus the refusals: no token,
// a wrong token, a foreign Origin, a foreign Host (DNS rebinding), a path that is not the API.
import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectSocket } from '../../../core/api/client-socket.ts';
import { connectWebSocket, type OpenWebSocket, type WebSocketLike } from '../../../core/api/client-websocket.ts';
import { WebSocket } from 'ws';
import { startSocketServer, type SocketServer } from '../../../core/api/socket-server.ts';
import { makeLab, transportSuite } from './contract-suite.ts';

transportSuite('WebSocket on 127.0.0.1 with a token');
transportSuite('WebSocket on 127.0.0.1, browser-style client');

// The page's client (standard WebSocket API; `ws` stands in for the browser's), token in the URL.
const pageSocket: OpenWebSocket = (url) => new WebSocket(url) as unknown as WebSocketLike;

/** A raw WebSocket upgrade request; answers the HTTP status (101 when accepted). */
function upgrade(port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port, path,
      headers: {
        Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers,
      },
    });
    req.on('upgrade', (res, socket) => { socket.destroy(); resolve(res.statusCode ?? 0); });
    req.on('response', (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('error', reject);
    req.end();
  });
}

describe('the TCP listener', () => {
  let sock: SocketServer;
  let port: number;
  let token: string;
  beforeEach(async () => {
    sock = await startSocketServer({ api: makeLab({}).server, unixPath: null, tcp: { port: 0 } });
    port = sock.tcp!.port;
    token = sock.tcp!.token;
  });
  afterEach(async () => {
    await sock.close();
  });

  it('makes a long random token and prints a URL that carries it', () => {
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sock.tcpUrl).toBe(`ws://127.0.0.1:${port}/api?token=${token}`);
  });

  it('accepts the token in the URL or in the Authorization header', async () => {
    expect(await upgrade(port, `/api?token=${token}`, {})).toBe(101);
    expect(await upgrade(port, '/api', { Authorization: `Bearer ${token}` })).toBe(101);
    const c = await connectSocket({ url: `ws://127.0.0.1:${port}/api`, token });
    expect(await c.call('getKnobs')).toMatchObject({ ok: true });
    await c.close();
  });

  it('refuses a connection without the token, or with a wrong one', async () => {
    expect(await upgrade(port, '/api', {})).toBe(401);
    expect(await upgrade(port, `/api?token=${token.slice(0, -1)}x`, {})).toBe(401);
    expect(await upgrade(port, '/api', { Authorization: 'Bearer nope' })).toBe(401);
    await expect(connectSocket({ url: `ws://127.0.0.1:${port}/api` })).rejects.toThrow(/refused the connection: 401/);
    await expect(connectSocket({ url: `ws://127.0.0.1:${port}/api?token=wrong` })).rejects.toThrow(/refused the connection: 401/);
    expect(sock.clientCount()).toBe(0);
  });

  it('refuses a browser page from another origin, even with the token', async () => {
    expect(await upgrade(port, `/api?token=${token}`, { Origin: 'http://evil.example' })).toBe(403);
    expect(await upgrade(port, `/api?token=${token}`, { Origin: `http://127.0.0.1:${port + 1}` })).toBe(403);
    expect(await upgrade(port, `/api?token=${token}`, { Origin: 'null' })).toBe(403);
    await expect(connectSocket({ url: sock.tcpUrl!, origin: 'http://evil.example' })).rejects.toThrow(/refused the connection: 403/);
  });

  it("accepts the lab's own page (same origin) with the token", async () => {
    expect(await upgrade(port, `/api?token=${token}`, { Origin: `http://127.0.0.1:${port}` })).toBe(101);
    expect(await upgrade(port, `/api?token=${token}`, { Origin: `http://localhost:${port}` })).toBe(101);
  });

  it('refuses a browser-style client without the token', async () => {
    await expect(connectWebSocket(`ws://127.0.0.1:${port}/api`, pageSocket)).rejects.toThrow(/cannot reach the lab|closed/);
  });

  it('refuses a foreign Host (DNS rebinding)', async () => {
    expect(await upgrade(port, `/api?token=${token}`, { Host: `evil.example:${port}` })).toBe(403);
  });

  it('serves the API only on /api, and plain HTTP not at all (yet)', async () => {
    expect(await upgrade(port, `/other?token=${token}`, {})).toBe(404);
    const status = await new Promise<number>((resolve) => {
      request({ host: '127.0.0.1', port, path: '/' }, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).end();
    });
    expect(status).toBe(404);
  });
});
