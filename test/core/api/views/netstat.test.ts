import { describe, expect, it } from 'vitest';
import { layoutColumns, pickColumns, type ViewContext } from '../../../../core/api/views/columns.ts';
import { fit, formatBytes, formatMs, textWidth, truncate } from '../../../../core/api/views/format.ts';
import { CONNECTION_COLUMNS, DEFAULT_CONNECTION_COLUMN_IDS, connectionCells } from '../../../../core/api/views/netstat.ts';
import { sortRows, toggleSort } from '../../../../core/api/views/sort.ts';
import { ROLE_STYLES, STATE_ROLES, stateRole } from '../../../../core/api/views/state-roles.ts';
import { TCP_STATES } from '../../../../core/api/names.ts';
import { conn } from './fixtures.ts';

const ctx: ViewContext = { lang: 'en', now: 10_000, snapshotAt: 10_000 };
const col = (id: string) => CONNECTION_COLUMNS.find((c) => c.id === id)!;

describe('netstat columns', () => {
  it('shows the issue\'s columns in order with ss headers', () => {
    const cols = pickColumns(CONNECTION_COLUMNS, DEFAULT_CONNECTION_COLUMN_IDS);
    expect(cols.map((c) => c.header.en)).toEqual(['Proto', 'Local Address', 'Peer Address', 'State', 'Recv-Q', 'Send-Q', 'Timer', 'RTT ms', 'cwnd']);
    expect(cols.map((c) => c.header.zh)).toContain('状态');
  });

  it('formats a row as ss would', () => {
    const row = conn({ id: 1, recvQ: 5, sendQ: 100, timer: { name: 'retransmit', deadline: 11_200, expiresIn: 1200 }, retransmits: 2 });
    const cells = connectionCells(row, pickColumns(CONNECTION_COLUMNS, DEFAULT_CONNECTION_COLUMN_IDS), ctx);
    expect(cells).toEqual(['tcp', '10.77.0.2:80', '10.77.0.1:40001', 'ESTABLISHED', '5', '100', 'rto 1.2s/2', '2.5/1.3', '10']);
  });

  it('counts timers down against the lab clock and names them like ss', () => {
    const row = conn({ id: 1, state: 'TIME-WAIT', timer: { name: 'time-wait', deadline: 70_000, expiresIn: 60_000 } });
    expect(col('timer').format(row, { ...ctx, now: 10_000 })).toBe('timewait 1m00s');
    expect(col('timer').format(row, { ...ctx, now: 69_500 })).toBe('timewait 500ms');
    expect(col('timer').format(row, { ...ctx, now: 80_000 })).toBe('timewait 0ms');
    expect(col('timer').live).toBe(true);
  });

  it('leaves the RTT empty before the first sample', () => {
    expect(col('rtt').format(conn({ id: 1, rtt: 0, rttvar: 0 }), ctx)).toBe('');
  });

  it('says when a connection still waits in the accept queue', () => {
    expect(col('responder').format(conn({ id: 1, accepted: false, responder: null }), ctx)).toBe('queued');
    expect(col('responder').format(conn({ id: 1, accepted: false, responder: null }), { ...ctx, lang: 'zh' })).toBe('排队中');
  });

  it('fits 80 cells with the most important columns and uses more when there is room', () => {
    const all = CONNECTION_COLUMNS;
    const narrow = layoutColumns(all, 78, 'en');
    const ids = narrow.map((c) => c.column.id);
    expect(ids).toEqual(['local', 'remote', 'state', 'recvQ', 'sendQ', 'timer', 'rtt']);
    expect(narrow.find((c) => c.column.id === 'timer')?.width).toBeGreaterThanOrEqual(12);
    const used = narrow.reduce((s, c) => s + c.width, 0) + narrow.length - 1;
    expect(used).toBeLessThanOrEqual(78);
    const wide = layoutColumns(all, 158, 'en');
    expect(wide.length).toBeGreaterThan(narrow.length);
    expect(wide.map((c) => c.column.id)).toEqual(expect.arrayContaining(['rtt', 'cwnd', 'proto']));
    // Optional columns come only at their full width: nothing is cut to '…'.
    for (const c of wide) if (c.column.priority > 2) expect(c.width).toBeGreaterThanOrEqual(c.column.width);
    // Order follows the column list, not the priority.
    expect(wide.map((c) => c.column.id).indexOf('local')).toBeLessThan(wide.map((c) => c.column.id).indexOf('state'));
  });

  it('never makes a column narrower than its header', () => {
    for (const c of layoutColumns(CONNECTION_COLUMNS, 200, 'zh')) expect(c.width).toBeGreaterThanOrEqual(textWidth(c.column.header.zh));
  });
});

describe('sorting', () => {
  const rows = [conn({ id: 1, recvQ: 5 }), conn({ id: 2, recvQ: 0 }), conn({ id: 3, recvQ: 5 }), conn({ id: 4, rtt: 0, rttvar: 0 })];

  it('sorts by a column, stable by id, both ways', () => {
    expect(sortRows(rows, col('recvQ'), 'asc', ctx).map((r) => r.id)).toEqual([2, 4, 1, 3]);
    expect(sortRows(rows, col('recvQ'), 'desc', ctx).map((r) => r.id)).toEqual([1, 3, 2, 4]);
  });

  it('puts empty values last in both directions', () => {
    expect(sortRows(rows, col('rtt'), 'asc', ctx).map((r) => r.id).at(-1)).toBe(4);
    expect(sortRows(rows, col('rtt'), 'desc', ctx).map((r) => r.id).at(-1)).toBe(4);
  });

  it('toggles direction on the same column', () => {
    expect(toggleSort(null, 'state')).toEqual({ column: 'state', dir: 'asc' });
    expect(toggleSort({ column: 'state', dir: 'asc' }, 'state')).toEqual({ column: 'state', dir: 'desc' });
    expect(toggleSort({ column: 'state', dir: 'desc' }, 'rtt')).toEqual({ column: 'rtt', dir: 'asc' });
  });
});

describe('state roles', () => {
  it('gives every state a role, and every role a distinct marker', () => {
    for (const s of TCP_STATES) expect(STATE_ROLES).toContain(stateRole(s));
    const markers = STATE_ROLES.map((r) => ROLE_STYLES[r].marker);
    expect(new Set(markers).size).toBe(markers.length);
  });

  it('groups the states a student must tell apart', () => {
    expect(stateRole('SYN-SENT')).toBe('opening');
    expect(stateRole('CLOSE-WAIT')).toBe('peer-closed');
    expect(stateRole('FIN-WAIT-2')).toBe('closing');
    expect(stateRole('TIME-WAIT')).toBe('time-wait');
  });
});

describe('formatting', () => {
  it('formats durations and bytes like ss', () => {
    expect(formatMs(200)).toBe('200ms');
    expect(formatMs(1234)).toBe('1.2s');
    expect(formatMs(59_999)).toBe('59s');
    expect(formatMs(125_000)).toBe('2m05s');
    expect(formatBytes(262144)).toBe('256K');
    expect(formatBytes(1536)).toBe('1.5K');
  });

  it('fits text to a width, counting CJK as two cells', () => {
    expect(fit('abc', 5)).toBe('abc  ');
    expect(fit('abc', 5, 'right')).toBe('  abc');
    expect(truncate('10.77.0.1:40000', 8)).toBe('10.77.0…');
    expect(textWidth('状态')).toBe(4);
    expect(textWidth(fit('本地地址:端口', 8))).toBe(8);
  });
});
