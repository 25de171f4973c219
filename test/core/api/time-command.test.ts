// Time control through the contract (issue 8): the command language's `time` words, the
// schemas' refusals, the texts, and timeControl/timeStep served by LabServer over a real lab.
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../../core/api/command-line.ts';
import { resultText, timeText } from '../../../core/api/command-text.ts';
import { createLocalClient } from '../../../core/api/local.ts';
import { LabServer } from '../../../core/api/server.ts';
import { createLab } from '../../../core/lab/create.ts';
import { ManualClock } from '../../../core/stack/clock.ts';

describe('the time command', () => {
  it.each([
    ['time', 'timeControl', {}],
    ['time pause', 'timeControl', { paused: true }],
    ['time resume', 'timeControl', { paused: false }],
    ['time step', 'timeStep', { count: 1 }],
    ['time step 5', 'timeStep', { count: 5 }],
    ['time scale 10', 'timeControl', { scale: 10 }],
    ['time scale 0.5', 'timeControl', { scale: 0.5 }],
    ['time slow 500', 'timeControl', { slowMotionMs: 500 }],
    ['time slow off', 'timeControl', { slowMotionMs: null }],
  ])('%s', (line, method, args) => {
    expect(parseCommandLine(line)).toMatchObject({ kind: 'call', method, args });
  });

  it.each([
    ['time scale 5000', /scale must be at most 1000/],
    ['time scale fast', /'fast' is not a number/],
    ['time slow 1', /slowMotionMs must be at least 10/],
    ['time step 0', /count must be at least 1/],
    ['time rewind', /unknown 'time rewind'/],
    ['time pause now', /unexpected 'now'/],
  ])('%s is refused with usage', (line, error) => {
    const p = parseCommandLine(line);
    expect(p.kind).toBe('error');
    expect(p.kind === 'error' && p.error).toMatch(error);
  });

  it('says plainly what is in force', () => {
    const base = { paused: false, scale: 1, slowMotionMs: null, held: 0, next: [], nextTimerIn: null };
    expect(timeText(base)).toEqual(['lab time: real time']);
    expect(timeText({ ...base, scale: 10 })[0]).toBe('lab time: x10 (the lab\'s timers only; the kernel runs in real time)');
    const paused = timeText({ ...base, paused: true, held: 2, next: [{ dir: 'in', at: 1, text: 'IP 10.77.0.1.4 > 10.77.0.2.80: Flags [S]' }], nextTimerIn: 40 });
    expect(paused[0]).toMatch(/^lab time: PAUSED; 2 packets from the wire held; the kernel runs on in real time$/);
    expect(paused).toContain('  held: IP 10.77.0.1.4 > 10.77.0.2.80: Flags [S]');
    expect(paused).toContain('  ... 1 more');
    expect(paused.at(-1)).toBe('next lab timer in 40 ms (lab time)');
  });
});

describe('timeControl and timeStep over LabServer (a lab on the simulated wire, manual clock)', () => {
  it('pause, step, resume; refusals change nothing; the snapshot carries info.time', async () => {
    const lab = createLab({ simulated: true, clock: new ManualClock(0) });
    const server = new LabServer(lab);
    const client = createLocalClient(server);
    try {
      expect(await client.call('timeStep')).toMatchObject({ ok: false, error: { code: 'EINVAL' } });
      expect(await client.call('timeControl', { scale: 10 })).toMatchObject({ ok: false, error: { code: 'EINVAL', field: 'scale' } });
      expect(await client.call('timeControl', { scale: 0 })).toMatchObject({ ok: false, error: { code: 'EINVAL', field: 'scale' } });
      const paused = await client.call('timeControl', { paused: true });
      expect(paused).toMatchObject({ ok: true, value: { paused: true, held: 0 } });
      lab.after(100, () => {});
      const stepped = await client.call('timeStep', { count: 1 });
      expect(stepped).toMatchObject({ ok: true, value: { stepped: 1, paused: true } });
      const snap = await client.call('snapshot');
      expect(snap.ok && snap.value.info.time).toMatchObject({ paused: true, scale: 1 });
      const line = parseCommandLine('time resume');
      const r = await client.call('timeControl', { paused: false });
      expect(r.ok && line.kind === 'call' && resultText(line, r.value, 'en')).toEqual(['lab time: real time']);
    } finally {
      await client.close();
      server.close();
      lab.close();
    }
  });
});
