// `tcplab ss [-i] [-l | -a] [FILTER...]`: the lab's connections as `ss -tan` shows them, with the
// columns the TUI and the GUI show (core/api/views via core/api/command-text.ts); -i adds the
// tcp_info-like extras, -l the listeners with their SYN and accept queues.
import { ssText } from '../../core/api/command-text.ts';
import { filterConnections, parseFilter } from '../../core/api/views/filter.ts';
import { labCommand } from './lab-command.ts';

export const ssCommand = labCommand('ss', {
  async ss(line, ctx) {
    const snap = await ctx.must('snapshot');
    // The snapshot's time is that of its last change; timers count down from the lab's time now.
    const { at: now } = await ctx.must('counterDeltas', {});
    if (ctx.opts.json) {
      const f = parseFilter(line.filter);
      const connections = f.ok && !line.listening ? filterConnections(snap.connections, f.filter) : [];
      ctx.out(JSON.stringify({ at: now, connections, listeners: line.listening || line.all ? snap.listeners : [] }));
      return 0;
    }
    const r = ssText(snap, line, { lang: ctx.opts.lang, now, snapshotAt: snap.at });
    if (!r.ok) {
      ctx.cli.io.err(`tcplab ss: ${r.error}\n`);
      return 2;
    }
    ctx.out(r.lines);
    return 0;
  },
});
