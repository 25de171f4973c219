// The console: xterm.js with the tcplab command language (the CLI's commands, history,
// completion), a live trace of segments and transitions beside it, and, where the host allows,
// a shell on the kernel side of the lab (inside its namespace).
import { FitAddon } from '@xterm/addon-fit';
import { Terminal, type ITheme } from '@xterm/xterm';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { LabEvent } from '../../../core/api/events.ts';
import { commonPrefix, completionContext, completions, helpText, parseCommandLine, type ParsedLine } from '../../../core/api/command-line.ts';
import { countersText, deltaLines, knobsText, resultText, ssText } from '../../../core/api/command-text.ts';
import type { Role } from '../../../core/api/views/state-roles.ts';
import { traceLine as sharedTraceLine } from '../../../core/api/views/trace.ts';
import type { LabStore } from '../lab/store.ts';
import { useStore, useT } from '../hooks.ts';
import { savePcap } from './pcap.tsx';
import { translate } from '../i18n.ts';

const PROMPT = '\x1b[38;5;75mtcplab\x1b[0m\x1b[2m>\x1b[0m ';
const HISTORY_KEY = 'tcplab.console.history';

/** Terminal colours for the shared roles (xterm's 256 colours near the Okabe-Ito palette). */
const ROLE_ANSI: Record<Role, string> = {
  closed: '\x1b[90m', listen: '\x1b[38;5;32m', opening: '\x1b[38;5;214m', established: '\x1b[38;5;36m',
  closing: '\x1b[38;5;75m', 'peer-closed': '\x1b[38;5;176m', 'time-wait': '\x1b[38;5;247m',
  reset: '\x1b[38;5;202m', error: '\x1b[38;5;202m', warn: '\x1b[38;5;178m', ok: '\x1b[38;5;36m', muted: '\x1b[90m', accent: '\x1b[38;5;33m',
};
const DIM = '\x1b[2m';
const RED = '\x1b[38;5;203m';
const OFF = '\x1b[0m';

function termTheme(dark: boolean): ITheme {
  return dark
    ? { background: '#0d1117', foreground: '#d6dde6', cursor: '#79c0ff', selectionBackground: '#264f78' }
    : { background: '#fbfcfe', foreground: '#1f2630', cursor: '#0969da', selectionBackground: '#b6d7ff', brightBlack: '#6e7781' };
}

function makeTerminal(el: HTMLElement, dark: boolean): { term: Terminal; fit: FitAddon } {
  const term = new Terminal({
    fontFamily: '"JetBrains Mono", "DejaVu Sans Mono", "Noto Sans Mono CJK SC", monospace',
    fontSize: 13,
    theme: termTheme(dark),
    convertEol: true,
    scrollback: 5000,
    cursorBlink: true,
    allowProposedApi: false,
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(el);
  try { fit.fit(); } catch { /* not laid out yet */ }
  return { term, fit };
}

/** One event as a trace line: the shared trace line (core/api/views/trace.ts), coloured by its role. */
export function traceLine(e: LabEvent): string {
  const l = sharedTraceLine(e);
  const colour = l.role === null ? '' : ROLE_ANSI[l.role];
  return `${DIM}${l.time.padStart(10)}${OFF} ${colour}${l.tag.padEnd(6)}${OFF} ${colour}${l.text}${colour ? OFF : ''}`;
}

const dimLines = (text: string): string[] => text.split('\n');

async function runParsed(store: LabStore, p: ParsedLine, out: (s: string) => void, setTrace: (on: boolean) => void): Promise<void> {
  const lang = store.ui.lang;
  const snap = store.snapshot;
  switch (p.kind) {
    case 'empty': return;
    case 'error':
      out(`${RED}${p.error}${OFF}`);
      if (p.usage) for (const l of dimLines(p.usage)) out(`${DIM}${l}${OFF}`);
      return;
    case 'local':
      switch (p.local) {
        case 'help': for (const l of dimLines(helpText(p.topic))) out(l); return;
        case 'clear': return;
        case 'trace':
          setTrace(p.toggle !== 'off');
          return out(`trace ${p.toggle === 'off' ? 'off' : 'on'} ${DIM}(the live trace is in the pane on the right)${OFF}`);
        case 'ss': {
          if (snap === null) return out(`${RED}no snapshot yet${OFF}`);
          const r = ssText(snap, p, store.viewContext());
          if (!r.ok) return out(`${RED}${r.error}${OFF}`);
          r.lines.forEach((l, i) => out(i === 0 ? `\x1b[1m${l}${OFF}` : l));
          return;
        }
        case 'knobs': {
          const r = await store.call('getKnobs', {}, { quiet: true });
          if (!r.ok) return out(`${RED}${r.error.message}${OFF}`);
          knobsText(r.value.knobs, snap?.knobs ?? {}, p.match).forEach((l, i) => out(i === 0 ? `\x1b[1m${l}${OFF}` : l));
          return;
        }
        case 'counters': {
          if (p.deltas) {
            const r = await store.call('counterDeltas', {}, { quiet: true });
            if (r.ok) for (const l of deltaLines(r.value.at, r.value.deltas)) out(l);
            return;
          }
          for (const l of countersText(snap?.counters ?? {}, null, { nonZero: p.nonZero, ...(p.match ? { match: p.match } : {}) }, lang)) out(l);
          return;
        }
        default: {
          const never: never = p;
          return out(String(never));
        }
      }
    case 'call': {
      const r = await store.call(p.method, p.args, { quiet: true });
      if (!r.ok) return out(`${RED}${r.error.code}: ${r.error.message}${OFF}`);
      if (p.method === 'pcapExport') await savePcap(store, (k, params) => translate(lang, k, params));
      for (const l of resultText(p, r.value, lang)) out(`\x1b[38;5;36m${l}${OFF}`);
      return;
    }
    default: {
      const never: never = p;
      return out(String(never));
    }
  }
}

function useCommandTerminal(el: React.RefObject<HTMLDivElement | null>, store: LabStore, dark: boolean, setTrace: (on: boolean) => void): void {
  useEffect(() => {
    if (el.current === null) return;
    const { term, fit } = makeTerminal(el.current, dark);
    const history: string[] = JSON.parse(localStorage.getItem(HISTORY_KEY) ?? '[]') as string[];
    let hIndex = history.length;
    let line = '';
    let pos = 0;
    let busy = false;
    const redraw = (): void => {
      term.write(`\r\x1b[2K${PROMPT}${line}`);
      const back = line.length - pos;
      if (back > 0) term.write(`\x1b[${back}D`);
    };
    term.writeln(`\x1b[1mtcplab\x1b[0m ${DIM}${translate(store.ui.lang, 'console.welcome')}${OFF}`);
    term.write(PROMPT);
    const ctx = () => (store.snapshot === null ? {} : completionContext(store.snapshot));
    const submit = async (): Promise<void> => {
      const cmd = line;
      term.write('\r\n');
      line = '';
      pos = 0;
      if (cmd.trim() !== '') {
        if (history[history.length - 1] !== cmd) history.push(cmd);
        if (history.length > 500) history.shift();
        localStorage.setItem(HISTORY_KEY, JSON.stringify(history));
      }
      hIndex = history.length;
      const parsed = parseCommandLine(cmd);
      if (parsed.kind === 'local' && parsed.local === 'clear') term.clear();
      busy = true;
      await runParsed(store, parsed, (s) => term.writeln(s), setTrace);
      busy = false;
      term.write(PROMPT);
      // Keys typed while the command ran are replayed now, in order (type-ahead).
      for (const d of typedAhead.splice(0)) onKeys(d);
    };
    const complete = (): void => {
      const before = line.slice(0, pos);
      const c = completions(before, ctx());
      if (c.candidates.length === 0) return;
      const typed = before.slice(c.start, c.end);
      const prefix = commonPrefix(c.candidates);
      if (prefix.length > typed.length || (c.candidates.length === 1 && prefix !== typed)) {
        const single = c.candidates.length === 1 && !/[=:]$/.test(prefix);
        const word = prefix + (single ? ' ' : '');
        line = line.slice(0, c.start) + word + line.slice(pos);
        pos = c.start + word.length;
        redraw();
      } else if (c.candidates.length === 1) {
        line = line.slice(0, pos) + ' ' + line.slice(pos);
        pos++;
        redraw();
      } else {
        term.write(`\r\n${c.candidates.join('  ')}\r\n`);
        redraw();
      }
    };
    const typedAhead: string[] = [];
    const onKeys = (data: string): void => {
      if (busy) {
        typedAhead.push(data);
        return;
      }
      if (data === '\r') return void submit();
      if (data === '\t') return complete();
      if (data === '\x7f' || data === '\b') {
        if (pos > 0) { line = line.slice(0, pos - 1) + line.slice(pos); pos--; redraw(); }
        return;
      }
      if (data === '\x1b[A' || data === '\x1b[B') {
        hIndex = Math.max(0, Math.min(history.length, hIndex + (data === '\x1b[A' ? -1 : 1)));
        line = history[hIndex] ?? '';
        pos = line.length;
        return redraw();
      }
      if (data === '\x1b[D') { if (pos > 0) { pos--; term.write(data); } return; }
      if (data === '\x1b[C') { if (pos < line.length) { pos++; term.write(data); } return; }
      if (data === '\x1b[H' || data === '\x01') { pos = 0; return redraw(); }
      if (data === '\x1b[F' || data === '\x05') { pos = line.length; return redraw(); }
      if (data === '\x03') { term.write('^C\r\n'); line = ''; pos = 0; return void term.write(PROMPT); }
      if (data === '\x15') { line = line.slice(pos); pos = 0; return redraw(); }
      if (data === '\x0c') { term.clear(); return redraw(); }
      if (data.startsWith('\x1b')) return;
      const printable = [...data].filter((ch) => ch.charCodeAt(0) >= 0x20).join('');
      line = line.slice(0, pos) + printable + line.slice(pos);
      pos += printable.length;
      redraw();
    };
    const sub = term.onData(onKeys);
    const ro = new ResizeObserver(() => { try { fit.fit(); } catch { /* hidden */ } });
    ro.observe(el.current);
    term.focus();
    return () => { sub.dispose(); ro.disconnect(); term.dispose(); };
  }, [el, store, dark, setTrace]);
}

function useTraceTerminal(el: React.RefObject<HTMLDivElement | null>, store: LabStore, dark: boolean, paused: boolean): void {
  useEffect(() => {
    if (el.current === null) return;
    const { term, fit } = makeTerminal(el.current, dark);
    term.options.cursorBlink = false;
    term.options.disableStdin = true;
    for (const e of store.events.slice(-300)) term.writeln(traceLine(e));
    let missed = store.eventsMissed;
    const off = store.onEvents((batch) => {
      if (paused) return;
      if (store.eventsMissed !== missed) {
        term.writeln(`${RED}${translate(store.ui.lang, 'console.missed', { n: store.eventsMissed - missed })}${OFF}`);
        missed = store.eventsMissed;
      }
      term.write(batch.map(traceLine).join('\r\n') + '\r\n');
    });
    const ro = new ResizeObserver(() => { try { fit.fit(); } catch { /* hidden */ } });
    ro.observe(el.current);
    return () => { off(); ro.disconnect(); term.dispose(); };
  }, [el, store, dark, paused]);
}

function useShellTerminal(el: React.RefObject<HTMLDivElement | null>, url: string | null, dark: boolean): void {
  useEffect(() => {
    if (el.current === null || url === null) return;
    const { term, fit } = makeTerminal(el.current, dark);
    const ws = new WebSocket(url);
    const enc = new TextEncoder();
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (ev) => term.write(typeof ev.data === 'string' ? ev.data : new Uint8Array(ev.data as ArrayBuffer));
    ws.onclose = () => term.writeln(`\r\n${DIM}[shell closed]${OFF}`);
    const sub = term.onData((d) => { if (ws.readyState === WebSocket.OPEN) ws.send(enc.encode(d)); });
    const resize = (): void => {
      try { fit.fit(); } catch { /* hidden */ }
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ resize: { cols: term.cols, rows: term.rows } }));
    };
    ws.onopen = resize;
    const ro = new ResizeObserver(resize);
    ro.observe(el.current);
    return () => { sub.dispose(); ro.disconnect(); ws.close(); term.dispose(); };
  }, [el, url, dark]);
}

export function ConsoleView({ shellUrl }: { shellUrl: string | null }): ReactNode {
  const store = useStore();
  const t = useT();
  const dark = store.ui.theme === 'dark';
  const cmdRef = useRef<HTMLDivElement>(null);
  const traceRef = useRef<HTMLDivElement>(null);
  const shellRef = useRef<HTMLDivElement>(null);
  const [trace, setTrace] = useState(true);
  const [paused, setPaused] = useState(false);
  const [tab, setTab] = useState<'trace' | 'shell'>('trace');
  useCommandTerminal(cmdRef, store, dark, setTrace);
  useTraceTerminal(traceRef, store, dark, paused || !trace);
  useShellTerminal(shellRef, tab === 'shell' ? shellUrl : null, dark);
  return (
    <section className="page console" aria-label={t('view.console')}>
      <div className="console-pane card">
        <h3>{t('console.title')}</h3>
        <div className="term" ref={cmdRef} />
      </div>
      <div className="console-pane card">
        <div className="tabs" role="tablist">
          <button role="tab" aria-selected={tab === 'trace'} className={tab === 'trace' ? 'active' : ''} onClick={() => setTab('trace')}>{t('console.trace')}</button>
          <button role="tab" aria-selected={tab === 'shell'} className={tab === 'shell' ? 'active' : ''} onClick={() => setTab('shell')}>{t('console.shell')}</button>
          <span className="spacer" />
          {tab === 'trace' && (
            <>
              {(paused || !trace) && <span className="pill warn">{t('console.paused')}</span>}
              <button className="mini" onClick={() => setPaused(!paused)}>{paused ? t('console.resume') : t('console.pause')}</button>
            </>
          )}
        </div>
        <div className="term" ref={traceRef} hidden={tab !== 'trace'} />
        {tab === 'shell' && (shellUrl === null ? <p className="note">{t('console.shellOff')}</p> : <div className="term" ref={shellRef} />)}
      </div>
    </section>
  );
}
