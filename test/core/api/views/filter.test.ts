import { describe, expect, it } from 'vitest';
import { filterConnections, parseFilter, type ConnectionFilter } from '../../../../core/api/views/filter.ts';
import { conn } from './fixtures.ts';

const rows = [
  conn({ id: 1, state: 'ESTABLISHED', localPort: 80, remotePort: 40001 }),
  conn({ id: 2, state: 'TIME-WAIT', localPort: 80, remotePort: 40002, timer: { name: 'time-wait', deadline: 60_000, expiresIn: 60_000 } }),
  conn({ id: 3, state: 'SYN-RECEIVED', localPort: 8080, remotePort: 40003, responder: 'http' }),
  conn({ id: 4, state: 'SYN-SENT', localPort: 33000, remotePort: 22, listener: null, responder: 'manual' }),
];

function f(text: string): ConnectionFilter {
  const p = parseFilter(text);
  if (!p.ok) throw new Error(p.error);
  return p.filter;
}
const ids = (text: string): number[] => filterConnections(rows, f(text)).map((r) => r.id);

describe('the filter language', () => {
  it('keeps everything when empty', () => expect(ids('')).toEqual([1, 2, 3, 4]));
  it('matches substrings in any case', () => {
    expect(ids('establ')).toEqual([1]);
    expect(ids('40003')).toEqual([3]);
    expect(ids('10.77.0.1:22')).toEqual([4]);
  });
  it('matches states by name, prefix, any case, _ for -', () => {
    expect(ids('state:ESTABLISHED')).toEqual([1]);
    expect(ids('state:syn')).toEqual([3, 4]);
    expect(ids('state:time_wait')).toEqual([2]);
    expect(ids('state:ESTABLISHED,TIME-WAIT')).toEqual([1, 2]);
  });
  it('matches ports on either side, or one side, and ranges', () => {
    expect(ids('port:80')).toEqual([1, 2]);
    expect(ids('port:22')).toEqual([4]);
    expect(ids('lport:8000-9000')).toEqual([3]);
    expect(ids('rport:40001-40002')).toEqual([1, 2]);
  });
  it('negates with ! or -, and ANDs the terms', () => {
    expect(ids('!state:TIME-WAIT')).toEqual([1, 3, 4]);
    expect(ids('-state:TIME-WAIT port:80')).toEqual([1]);
    expect(ids('app:http')).toEqual([3]);
    expect(ids('timer:timewait')).toEqual([2]);
    expect(ids('id:4')).toEqual([4]);
  });
  it('explains what is wrong', () => {
    expect(parseFilter('stat:ESTABLISHED')).toEqual({ ok: false, error: expect.stringContaining("unknown filter key 'stat'") });
    expect(parseFilter('state:FOO')).toEqual({ ok: false, error: expect.stringContaining("no state starts with 'FOO'") });
    expect(parseFilter('port:http')).toEqual({ ok: false, error: expect.stringContaining('is not a port') });
    expect(parseFilter('port:')).toEqual({ ok: false, error: expect.stringContaining('needs a value') });
  });
  it('filters 10,000 rows quickly', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => conn({ id: i + 1, remotePort: 1024 + (i % 60000) }));
    const t0 = performance.now();
    const kept = filterConnections(many, f('port:2000-3000 !state:TIME-WAIT 10.77'));
    expect(kept.length).toBe(1001);
    expect(performance.now() - t0).toBeLessThan(200);
  });
});
