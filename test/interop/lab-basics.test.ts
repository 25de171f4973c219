// The Lab against the real kernel, basics: ping; curl and nc against the lab's HTTP and echo
// responders; the lab connecting to a python server in the namespace; a closed lab port
// refusing (ECONNREFUSED); RSTs both ways (ECONNRESET in the kernel, reset in the lab).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from '../../core/stack/socket.ts';
import { acceptOne, createLabNet, hashIncoming, kernelPeer, kernelServer, pattern, sendAll, waitFor, type LabNet } from './lab-net.ts';
import { isRoot } from './netns.ts';

describe.skipIf(!isRoot)('the Lab and the kernel: basics (own namespace, real TUN)', () => {
  let ln: LabNet;
  beforeAll(async () => {
    ln = await createLabNet();
    ln.lab.handlers.listen({ port: 80, backlog: 128, responder: 'http' });
    ln.lab.handlers.listen({ port: 7, backlog: 128, responder: 'echo' });
    ln.lab.handlers.listen({ port: 19, backlog: 128, responder: 'chargen' });
  });
  afterAll(async () => {
    await ln?.cleanup();
  });

  it('answers ping', async () => {
    const r = await ln.net.exec(['ping', '-c', '3', '-i', '0.05', '-W', '2', ln.net.labAddr]);
    expect(r.stdout).toContain('3 packets transmitted, 3 received');
    expect(ln.lab.stack.counters.get('OutEchoReps')).toBeGreaterThanOrEqual(3);
  });

  it('curl gets the HTTP responder\'s page', async () => {
    const r = await ln.net.exec(['curl', '-sS', '-i', '--max-time', '10', `http://${ln.net.labAddr}/`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(r.stdout).toContain('Hello from tcplab: 10.77.0.2:80');
  });

  it('curl reuses one keep-alive connection for two URLs and downloads 1 MiB intact', async () => {
    const r = await ln.net.exec(['curl', '-sS', '-v', '--max-time', '10', '-o', '/dev/null', '-o', '/dev/null',
      '-w', '%{http_code} %{size_download} %{num_connects}\\n', `http://${ln.net.labAddr}/a`, `http://${ln.net.labAddr}/bytes/1048576`]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^200 \d+ 1$/), '200 1048576 0']);
    expect(r.stderr).toContain('Re-using existing connection');
  });

  it('nc talks to the echo responder and gets its line back', async () => {
    const r = await ln.net.exec(['nc', '-N', '-w', '5', ln.net.labAddr, '7'], { input: 'hello over the real kernel\n' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('hello over the real kernel\n');
  });

  it('echoes 4 MiB from a python client with the same SHA-256', async () => {
    const r = await kernelPeer<{ sent: number; sentSha: string; got: number; gotSha: string }>(ln.net, ['send', ln.net.labAddr, 7, 4 << 20, 11]);
    expect(r.got).toBe(4 << 20);
    expect(r.gotSha).toBe(r.sentSha);
  });

  it('nc reads the chargen stream', async () => {
    const r = await ln.net.exec(['sh', '-c', `nc -w 5 ${ln.net.labAddr} 19 </dev/null | head -c 7400`]);
    const lines = r.stdout.split('\r\n');
    expect(lines[0]).toBe(' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefg');
    expect(lines[95]).toBe(lines[0]);
  });

  it('connects from the lab to a python server in the namespace and exchanges data', async () => {
    const srv = await kernelServer<{ got: number; gotSha: string; sent: number; sentSha: string }>(ln.net, [9101, 'answer', 100_000, 5]);
    const { conn } = ln.lab.handlers.connect({ addr: ln.net.kernelAddr, port: 9101, responder: 'manual' }) as { conn: number };
    const sock = ln.lab.socket(conn);
    const incoming = hashIncoming(sock);
    const sent = await sendAll(sock, pattern(200_000, 3), 'shutdown');
    const [got, k] = await Promise.all([incoming, srv.result]);
    expect(k.got).toBe(200_000);
    expect(k.gotSha).toBe(sent.sha);
    expect(got).toMatchObject({ bytes: 100_000, sha: k.sentSha, eof: true });
  });

  it('a connection to a closed lab port is refused: the kernel sees ECONNREFUSED', async () => {
    const r = await kernelPeer(ln.net, ['connect', ln.net.labAddr, 4321]);
    expect(r).toEqual({ result: 'error', error: 'ECONNREFUSED' });
    const c = await ln.net.exec(['curl', '-sS', '--max-time', '5', `http://${ln.net.labAddr}:4321/`]);
    expect(c.code).toBe(7);
    expect(c.stderr).toMatch(/Connection refused|Couldn't connect/);
  });

  it('an RST from the lab: the kernel sees ECONNRESET', async () => {
    const { listener } = ln.lab.handlers.listen({ port: 5050, backlog: 4, responder: 'manual' }) as { listener: number };
    const client = kernelPeer(ln.net, ['hold-open', ln.net.labAddr, 5050, 10]);
    const conn = await acceptOne(ln.lab, listener);
    await waitFor(() => ln.lab.socket(conn).readableLength > 0, 5000, 'the client\'s byte');
    ln.lab.handlers.reset({ conn });
    expect(await client).toEqual({ result: 'error', error: 'ECONNRESET' });
    expect(ln.lab.stack.counters.get('OutRsts')).toBeGreaterThan(0);
  });

  it('an RST from the kernel: the lab sees the connection reset', async () => {
    const srv = await kernelServer(ln.net, [9102, 'rst']);
    const { conn } = ln.lab.handlers.connect({ addr: ln.net.kernelAddr, port: 9102, responder: 'manual' }) as { conn: number };
    const sock: Socket = ln.lab.socket(conn);
    const errors: string[] = [];
    sock.on('error', (code) => errors.push(code));
    await waitFor(() => sock.state === 'ESTABLISHED', 5000, 'ESTABLISHED');
    ln.lab.handlers.send({ conn, data: 'trigger', encoding: 'utf8' });
    await srv.result;
    await waitFor(() => sock.state === 'CLOSED', 5000, 'the reset');
    expect(errors).toEqual(['ECONNRESET']);
    const hist = ln.lab.connectionHistory(conn);
    const last = hist.filter((e) => e.kind === 'state').pop();
    expect(last).toMatchObject({ from: 'ESTABLISHED', to: 'CLOSED' });
    expect(hist.some((e) => e.kind === 'segment' && e.dir === 'in' && e.segment.flags.startsWith('R'))).toBe(true);
    expect(() => ln.lab.socket(conn)).toThrow(/no such connection/);
  });
});
