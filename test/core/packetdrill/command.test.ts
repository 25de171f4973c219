// `tcplab packetdrill FILE...`: PASS/FAIL lines, the segments of a failure, exit codes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { packetdrillCommand } from '../../../tui/commands/packetdrill.ts';

const dir = mkdtempSync(join(tmpdir(), 'tcplab-pd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out += String(s); return true; });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => { err += String(s); return true; });
  try {
    const code = await packetdrillCommand.run(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const RST = '0 < S 0:0(0) win 65535\n+0 > R. 0:0(0) ack 1 win 0\n';

describe('tcplab packetdrill', () => {
  it('prints PASS and exits 0 when every script passes', async () => {
    const good = script('good.pkt', RST);
    const r = await run([good]);
    expect(r).toEqual({ code: 0, out: `PASS ${good}\n`, err: '' });
  });

  it('prints FAIL file:line:col with both segments, a summary, and exits 1', async () => {
    const good = script('good2.pkt', RST);
    const bad = script('bad.pkt', '0 < S 0:0(0) win 65535\n+0 > R. 0:0(0) ack 2 win 0\n');
    const r = await run([good, bad]);
    expect(r.code).toBe(1);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe(`PASS ${good}`);
    expect(lines[1]).toBe(`FAIL ${bad}:2:1: ack 1, the script expects 2`);
    expect(lines[2]).toBe('    expected: +0.000 > R. 0:0(0) ack 2 win 0   (at 0.000 s ±0.004)');
    expect(lines[3]).toBe('      actual: 0.000 > R. 0:0(0) ack 1 win 0');
    expect(lines[4]).toMatch(/expected \(tcpdump\): IP 192\.168\.0\.1\.8080 > 192\.0\.2\.1\.40000: Flags \[R\.\], seq 0, ack 2, win 0, length 0$/);
    expect(lines[5]).toMatch(/actual \(tcpdump\): IP 192\.168\.0\.1\.8080 > 192\.0\.2\.1\.40000: Flags \[R\.\], seq 0, ack 1, win 0, length 0$/);
    expect(lines.at(-2)).toBe('1 passed, 1 failed');
  });

  it('prints every packet with --verbose, and warnings', async () => {
    const file = script('verbose.pkt', `\`../common/defaults.sh\`\n${RST}`);
    const r = await run(['--verbose', file]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('  0.000 < S 0:0(0) win 65535\n');
    expect(r.out).toContain('  0.000 > R. 0:0(0) ack 1 win 0\n');
    expect(r.out).toContain(`  warning ${file}:1:1: shell command skipped: '../common/defaults.sh': not a sysctl setting\n`);
  });

  it('fails a file it cannot read or parse, and refuses bad usage', async () => {
    const missing = join(dir, 'missing.pkt');
    expect((await run([missing])).out).toMatch(new RegExp(`^FAIL ${missing}: cannot read it`));
    const broken = script('broken.pkt', '0 < S 0:0(0)\n');
    expect(await run([broken])).toMatchObject({ code: 1, out: `FAIL ${broken}:1:5: an inbound packet needs 'win N'\n` });
    expect((await run([])).code).toBe(2);
    expect((await run(['--frob', 'x.pkt'])).err).toContain('unknown option --frob');
    expect(await run(['--help'])).toMatchObject({ code: 0, out: expect.stringContaining('usage: tcplab packetdrill') });
  });
});
