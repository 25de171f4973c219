// `tcplab knobs [MATCH]`: every knob with its value, default, range, Linux sysctl name and meaning
// (a * marks the changed ones).
import { knobsText } from '../../core/api/command-text.ts';
import { labCommand } from './lab-command.ts';

export const knobsCommand = labCommand('knobs', {
  async knobs(line, ctx) {
    const { knobs } = await ctx.must('getKnobs');
    const shown = knobs.filter((k) => line.match === null || k.name.includes(line.match) || (k.linuxName ?? '').includes(line.match));
    ctx.out(ctx.opts.json ? JSON.stringify(shown) : knobsText(shown, {}, null));
    return 0;
  },
});
