// The kernel-side shell (main/kernel-shell.ts): a real pty (serve-shell's bridge), reached over a
// WebSocket on 127.0.0.1 only with the token and an allowed Origin. Runs /bin/sh in this
// namespace (no TUN needed); the namespace command line is checked as data.
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { originAllowed, shellCommand, startKernelShell } from '../../main/kernel-shell.ts';

function open(url: string, origin?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin ? { origin } : {});
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_q, res) => reject(new Error(String(res.statusCode))));
    ws.once('error', reject);
  });
}

describe('kernel shell', () => {
  it('runs a shell on a pty and refuses callers without the token or from another origin', async () => {
    const sh = await startKernelShell({ netnsPath: null, shell: '/bin/sh' });
    try {
      await expect(open(sh.url.replace(/token=.*/, 'token=wrong'))).rejects.toThrow('401');
      await expect(open(sh.url, 'https://evil.example')).rejects.toThrow('403');
      const ws = await open(sh.url, 'file://');
      let out = '';
      ws.on('message', (d) => { out += d.toString(); });
      ws.send(JSON.stringify({ resize: { cols: 100, rows: 30 } }));
      ws.send(Buffer.from('echo "tty=$(tty | cut -c1-8) size=$(stty size)"; echo done-$((40+2))\n'));
      const deadline = Date.now() + 10_000;
      while (!out.includes('done-42') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(out).toContain('done-42');
      expect(out).toContain('tty=/dev/pts');
      expect(out).toContain('size=30 100');
      // A resize later reaches the pty too.
      ws.send(JSON.stringify({ resize: { cols: 120, rows: 40 } }));
      await new Promise((r) => setTimeout(r, 200));
      ws.send(Buffer.from('echo "now=$(stty size)"\n'));
      const end2 = Date.now() + 10_000;
      while (!out.includes('now=40 120') && Date.now() < end2) await new Promise((r) => setTimeout(r, 50));
      expect(out).toContain('now=40 120');
      expect(sh.sessions()).toBe(1);
      ws.close();
    } finally {
      await sh.close();
    }
  });

  it('enters the lab namespace with nsenter (unprivileged through its user namespace)', () => {
    expect(shellCommand({ netnsPath: null, usernsPath: null, shell: '/bin/bash', isRoot: false })).toEqual(['/bin/bash', '-i']);
    expect(shellCommand({ netnsPath: '/run/netns/lab', usernsPath: null, shell: '/bin/bash', isRoot: true }))
      .toEqual(['nsenter', '--net=/run/netns/lab', '/bin/bash', '-i']);
    expect(shellCommand({ netnsPath: '/run/netns/lab', usernsPath: '/run/tcplab/lab.userns', shell: '/bin/bash', isRoot: false }))
      .toEqual(['nsenter', '--preserve-credentials', '--user=/run/tcplab/lab.userns', '--net=/run/netns/lab', '/bin/bash', '-i']);
  });

  it('allows the Electron page, no Origin (not a browser) and listed origins only', () => {
    expect(originAllowed('file://', [])).toBe(true);
    expect(originAllowed(undefined, [])).toBe(true);
    expect(originAllowed('http://127.0.0.1:8080', ['http://127.0.0.1:8080'])).toBe(true);
    expect(originAllowed('http://evil.example', ['http://127.0.0.1:8080'])).toBe(false);
  });
});
