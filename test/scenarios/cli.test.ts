// `tcplab scenario show NAME` and `tcplab scenario run NAME --wait` (the CLI's own forms), against
// a lab on the simulated wire in process (no TUN needed).
import { describe, expect, it } from 'vitest';
import { createLocalClient } from '../../core/api/local.ts';
import { LabServer } from '../../core/api/server.ts';
import { createLab } from '../../core/lab/create.ts';
import type { CliEnv } from '../../tui/commands/lab-command.ts';
import { scenarioCommand } from '../../tui/commands/scenario.ts';

function env(server: LabServer, out: string[]): CliEnv {
  return {
    io: { out: (s) => out.push(s), err: (s) => out.push(s) },
    env: {},
    connect: async () => createLocalClient(server),
    interrupted: () => new AbortController().signal,
  };
}

describe('tcplab scenario show / run --wait', () => {
  it('shows a scenario\'s explanation in English and in Chinese', async () => {
    const lab = createLab({ simulated: true });
    const server = new LabServer(lab);
    try {
      const out: string[] = [];
      expect(await scenarioCommand.runWith(['show', 'isn'], env(server, out))).toBe(0);
      expect(out.join('')).toMatch(/^isn: ISN: the clock M and the hash F/);
      expect(out.join('')).toMatch(/4 microseconds/);
      const zh: string[] = [];
      expect(await scenarioCommand.runWith(['show', 'isn', '--lang', 'zh'], env(server, zh))).toBe(0);
      expect(zh.join('')).toMatch(/^isn: ISN:时钟 M 与哈希 F/);
      const bad: string[] = [];
      expect(await scenarioCommand.runWith(['show', 'nope'], env(server, bad))).toBe(1);
      expect(bad.join('')).toMatch(/no such scenario: nope \(known: handshake, /);
    } finally {
      server.close();
      lab.close();
    }
  });

  it('runs one, prints its steps and checks as they come, and exits 0 when it passed', async () => {
    const lab = createLab({ simulated: true });
    const server = new LabServer(lab);
    try {
      const out: string[] = [];
      expect(await scenarioCommand.runWith(['run', 'handshake', '--wait'], env(server, out))).toBe(0);
      const text = out.join('');
      expect(text).toMatch(/simulated wire/);
      expect(text).toMatch(/✓ SYN-ACK acknowledges the SYN: ack = x \+ 1: expected ack \d+/);
      expect(text).toMatch(/handshake: pass \(\d+\/\d+ checks\)\n$/);
      const refused: string[] = [];
      expect(await scenarioCommand.runWith(['run', 'rst', '--wait'], env(server, refused))).toBe(1);
      expect(refused.join('')).toMatch(/rst: refused/);
    } finally {
      server.close();
      lab.close();
    }
  }, 30_000);
});
