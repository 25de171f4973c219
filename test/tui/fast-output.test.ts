// The faster compositor (tui/ui/fast-output.ts) must give exactly Ink's frames: the same
// operations through Ink's own Output.get and through the patched one, on made-up frames with
// styles, wide characters, overlaps, multi-line texts, transformers and lines off the grid, and
// on every frame the app draws in the other tests of this file (several views, both languages).
import { describe, expect, it } from 'vitest';
import { fastOutput, inkOutputClass, rowWrites, type Operation, type OutputLike, type Transformer, type PatchedProto } from '../../tui/ui/fast-output.ts';
import { KEYS, startTui } from './harness.tsx';

const Output = await inkOutputClass();
const proto = Output.prototype as PatchedProto;

function both(width: number, height: number, ops: Operation[]): { fast: string; ink: string } {
  const make = (): OutputLike => {
    const o = new Output({ width, height });
    for (const op of ops) {
      if (op.type === 'write') o.write(op.x, op.y, op.text, { transformers: op.transformers });
      else o.operations.push(op);
    }
    return o;
  };
  const inkGet = proto.__tcplabInkGet;
  if (inkGet === undefined) throw new Error('not patched');
  return { fast: make().get().output, ink: inkGet.call(make()).output };
}

const red = (s: string): string => `\x1b[31m${s}\x1b[39m`;
const bold = (s: string): string => `\x1b[1m${s}\x1b[22m`;
const inv = (s: string): string => `\x1b[7m${s}\x1b[27m`;

describe('the fast compositor', () => {
  it('is installed', () => {
    expect(fastOutput).toEqual({ installed: true, why: null });
  });

  it('gives Ink\'s output for made-up frames', () => {
    const w = (x: number, y: number, text: string, transformers: Transformer[] = []): Operation => ({ type: 'write', x, y, text, transformers });
    const cases: [number, number, Operation[]][] = [
      [20, 3, [w(0, 0, 'hello'), w(2, 1, red('red') + ' plain ' + bold('b'))]],
      [20, 3, [w(0, 0, '0123456789'), w(3, 0, inv('XY'))]],                     // overlap
      [12, 4, [w(0, 0, '状态 ESTABLISHED'), w(1, 1, '连接⇄ok'), w(0, 2, '─ 标题 ──')]],  // wide characters
      [10, 3, [w(0, 1, 'a\nb\nc\nd')]],                                           // runs off the bottom
      [10, 3, [w(0, -1, 'a\nb')]],                                                // starts above: Ink drops it
      [10, 2, [w(0, 0, 'ab\ncd', [(l, i) => `${i}:${red(l)}`])]],                // transformers with the line index
      [8, 2, [w(0, 0, 'far too long for the grid'), w(6, 1, bold('xyz'))]],     // past the width
      [6, 2, [w(0, 0, ''), w(0, 1, '   ')]],
      [10, 2, [w(0, 0, red('ab') + inv(red('cd')) + 'ef')]],
    ];
    for (const [width, height, ops] of cases) {
      const r = both(width, height, ops);
      expect(r.fast).toBe(r.ink);
    }
    // A frame twice (the second comes from the row memory).
    const ops = [w(0, 0, red('same')), w(0, 1, 'rows')];
    expect(both(10, 2, ops)).toEqual(both(10, 2, ops));
  });

  it('leaves frames that clip to Ink', () => {
    const ops: Operation[] = [{ type: 'clip', clip: { x1: 0, x2: 3, y1: undefined, y2: undefined } }, { type: 'write', x: 0, y: 0, text: 'abcdef', transformers: [] }, { type: 'unclip' }];
    expect(rowWrites(ops, 1)).toBeNull();
    const r = both(10, 1, ops);
    expect(r.fast).toBe(r.ink);
    expect(r.fast).toBe('abc');
  });

  it('draws every view of the app as Ink would', async () => {
    const seen: { fast: string; ink: string }[] = [];
    const fastGet = proto.get;
    const inkGet = proto.__tcplabInkGet as OutputLike['get'];
    proto.get = function (this: OutputLike) {
      const copy = new Output({ width: this.width, height: this.height });
      copy.operations.push(...this.operations);
      const fast = fastGet.call(this);
      seen.push({ fast: fast.output, ink: inkGet.call(copy).output });
      return fast;
    };
    try {
      for (const [width, lang] of [[80, 'en'], [160, 'zh']] as const) {
        const h = await startTui({ width, height: width === 80 ? 24 : 48, lang });
        await h.press('l', '80 http', KEYS.enter, 'o', '80', KEYS.enter);
        for (const k of ['1', KEYS.enter, KEYS.escape, '2', '3', '4', '5', '6', '?']) await h.press(k);
        h.close();
      }
    } finally {
      proto.get = fastGet;
    }
    expect(seen.length).toBeGreaterThan(20);
    for (const s of seen) expect(s.fast).toBe(s.ink);
  });
});
