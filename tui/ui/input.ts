// Key presses as the controller sees them (a subset of Ink's Key, so the controller does not
// depend on Ink), and the small parsers behind the listen and connect prompts.
import { RESPONDERS, type Responder } from '../../core/api/names.ts';

export interface KeyPress {
  input: string;
  up: boolean;
  down: boolean;
  left: boolean;
  right: boolean;
  pageUp: boolean;
  pageDown: boolean;
  home: boolean;
  end: boolean;
  enter: boolean;
  escape: boolean;
  tab: boolean;
  shift: boolean;
  ctrl: boolean;
  backspace: boolean;
  del: boolean;
}

export function keyPress(input: string, mods: Partial<Omit<KeyPress, 'input'>> = {}): KeyPress {
  return {
    input, up: false, down: false, left: false, right: false, pageUp: false, pageDown: false, home: false,
    end: false, enter: false, escape: false, tab: false, shift: false, ctrl: false, backspace: false, del: false, ...mods,
  };
}

/** Ink's (input, key) as a KeyPress. */
export function fromInk(input: string, key: {
  upArrow: boolean; downArrow: boolean; leftArrow: boolean; rightArrow: boolean; pageUp: boolean; pageDown: boolean;
  home?: boolean; end?: boolean; return: boolean; escape: boolean; tab: boolean; shift: boolean; ctrl: boolean;
  backspace: boolean; delete: boolean;
}): KeyPress {
  return {
    input, up: key.upArrow, down: key.downArrow, left: key.leftArrow, right: key.rightArrow, pageUp: key.pageUp,
    pageDown: key.pageDown, home: key.home ?? false, end: key.end ?? false, enter: key.return, escape: key.escape,
    tab: key.tab, shift: key.shift, ctrl: key.ctrl, backspace: key.backspace, del: key.delete,
  };
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const isResponder = (w: string): w is Responder => (RESPONDERS as readonly string[]).includes(w);

function port(s: string): number | null {
  if (!/^\d+$/.test(s)) return null;
  const n = Number(s);
  return n >= 1 && n <= 65535 ? n : null;
}

/** 'PORT [BACKLOG] [RESPONDER]', words in any order after the port. */
export function parseListenInput(text: string): Parsed<{ port: number; backlog?: number; responder?: Responder }> {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const usage = `give a port, like: 8080 [backlog] [${RESPONDERS.join('|')}]`;
  if (words.length === 0) return { ok: false, error: usage };
  const p = port(words[0]);
  if (p === null) return { ok: false, error: `'${words[0]}' is not a port (1-65535); ${usage}` };
  const out: { port: number; backlog?: number; responder?: Responder } = { port: p };
  for (const w of words.slice(1)) {
    const lw = w.toLowerCase().replace(/^backlog=/, '');
    if (/^\d+$/.test(lw)) out.backlog = Number(lw);
    else if (isResponder(lw)) out.responder = lw;
    else return { ok: false, error: `'${w}' is neither a backlog nor a responder (${RESPONDERS.join(', ')})` };
  }
  return { ok: true, value: out };
}

/** 'ADDR PORT [RESPONDER]', 'ADDR:PORT', or just 'PORT' (to `defaultAddr`). */
export function parseConnectInput(text: string, defaultAddr: string): Parsed<{ addr: string; port: number; responder?: Responder }> {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const usage = 'give an address and a port, like: 10.77.0.1 8080 (or just 8080)';
  if (words.length === 0) return { ok: false, error: usage };
  let addr = defaultAddr;
  let rest = words;
  const hostPort = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(words[0]);
  if (hostPort) {
    addr = hostPort[1];
    rest = [hostPort[2], ...words.slice(1)];
  } else if (/^\d+\.\d+\.\d+\.\d+$/.test(words[0])) {
    addr = words[0];
    rest = words.slice(1);
  }
  if (rest.length === 0) return { ok: false, error: usage };
  const p = port(rest[0]);
  if (p === null) return { ok: false, error: `'${rest[0]}' is not a port (1-65535); ${usage}` };
  const out: { addr: string; port: number; responder?: Responder } = { addr, port: p };
  for (const w of rest.slice(1)) {
    if (isResponder(w.toLowerCase())) out.responder = w.toLowerCase() as Responder;
    else return { ok: false, error: `'${w}' is not a responder (${RESPONDERS.join(', ')})` };
  }
  return { ok: true, value: out };
}

/** 'name=value' or 'name value'. */
export function parseKnobAssignment(text: string): Parsed<{ name: string; value: string }> {
  const m = /^\s*([A-Za-z0-9_.]+)\s*(?:=|\s)\s*(\S.*?)\s*$/.exec(text);
  if (!m) return { ok: false, error: 'type name=value, like tcp_syncookies=2' };
  return { ok: true, value: { name: m[1], value: m[2] } };
}

/** One typed character as a key press ('\r' is Enter, '\t' Tab, DEL Backspace). */
export function charKey(ch: string): KeyPress {
  if (ch === '\r' || ch === '\n') return keyPress('', { enter: true });
  if (ch === '\t') return keyPress('', { tab: true });
  if (ch === '\x7f' || ch === '\b') return keyPress('', { backspace: true });
  return keyPress(ch);
}

/**
 * A chunk of input as key presses: the terminal may deliver several typed characters (a paste,
 * fast typing, tmux send-keys) in one read; each becomes its own key press.
 */
export function splitTyped(input: string, special: boolean): KeyPress[] | null {
  if (special || input.length <= 1 || input.startsWith('\x1b')) return null;
  return [...input].map(charKey);
}
