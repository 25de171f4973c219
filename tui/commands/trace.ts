// `tcplab trace [ID...] [--kinds KIND,...] [--count N]`: live tcpdump-like lines with state
// transitions, timers, queue and fault events interleaved (the trace pane's lines,
// core/api/views/trace.ts), until Ctrl-C, N lines, or the lab goes away.
import { traceLine, traceText } from '../../core/api/views/trace.ts';
import { labCommand } from './lab-command.ts';

export const traceCommand = labCommand('trace', {
  async trace(line, ctx) {
    if (line.toggle !== null) {
      ctx.cli.io.err(`tcplab trace: 'trace ${line.toggle}' is for a console's trace pane; here trace runs until Ctrl-C\n`);
      return 2;
    }
    const stop = ctx.cli.interrupted();
    let shown = 0;
    let ended = false;
    let resolve: (code: number) => void = () => {};
    const finished = new Promise<number>((r) => (resolve = r));
    const done = (code: number): void => {
      ended = true;
      resolve(code);
    };
    const sub = await ctx.client.subscribeEvents({ ...line.filter, gapSnapshot: false }, (msg) => {
      if (msg.kind === 'gap') {
        ctx.out(ctx.opts.json ? JSON.stringify({ gap: msg.missed }) : `-- ${msg.missed} events missed (this terminal fell behind)`);
        return;
      }
      if (ended) return;
      for (const e of msg.events) {
        if (line.count !== null && shown >= line.count) break;
        ctx.out(ctx.opts.json ? JSON.stringify(e) : traceText(traceLine(e)));
        shown++;
      }
      if (line.count !== null && shown >= line.count) done(0);
    });
    if (!sub.ok) {
      ctx.cli.io.err(`tcplab trace: ${sub.error.code}: ${sub.error.message}\n`);
      return 1;
    }
    // As tcpdump does, say on stderr that it is listening (scripts wait for this line).
    ctx.cli.io.err(`tcplab trace: following ${ctx.opts.where}${line.count !== null ? ` for ${line.count} lines` : ''} (Ctrl-C stops)\n`);
    stop.addEventListener('abort', () => done(0));
    void ctx.client.closed.then((reason) => {
      if (ended) return;
      ctx.cli.io.err(`tcplab trace: the lab closed the connection (${reason})\n`);
      done(1);
    });
    const code = await finished;
    sub.value.close();
    return code;
  },
});
