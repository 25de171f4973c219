// Every key of the TUI, in one table: the help screen lists it, and the tests check that each
// documented key does something. `keys` is how the help shows them.
import type { StringKey } from '../../core/api/views/i18n.ts';

export const VIEWS = ['connections', 'listeners', 'counters', 'knobs', 'trace', 'faults', 'scenarios'] as const;
export type ViewId = (typeof VIEWS)[number];

export const VIEW_TITLES: Record<ViewId, StringKey> = {
  connections: 'pane.connections',
  listeners: 'pane.listeners',
  counters: 'pane.counters',
  knobs: 'pane.knobs',
  trace: 'pane.trace',
  faults: 'pane.faults',
  scenarios: 'pane.scenarios',
};

export type KeySection = 'global' | 'time' | 'connections' | 'detail' | 'listeners' | 'counters' | 'knobs' | 'faults' | 'trace' | 'scenarios';

export interface KeyHelp {
  section: KeySection;
  keys: string;
  what: StringKey;
}

export const SECTION_TITLES: Record<KeySection, StringKey> = {
  global: 'help.global',
  time: 'help.time',
  connections: 'help.connections',
  detail: 'help.detail',
  listeners: 'help.listeners',
  counters: 'pane.counters',
  knobs: 'help.knobs',
  faults: 'help.faults',
  trace: 'help.trace',
  scenarios: 'help.scenarios',
};

export const KEYMAP: readonly KeyHelp[] = [
  { section: 'global', keys: '?', what: 'key.help' },
  { section: 'global', keys: 'q  Ctrl-C', what: 'key.quit' },
  { section: 'global', keys: '1-7', what: 'key.views' },
  { section: 'global', keys: 'Tab  Shift-Tab', what: 'key.nextView' },
  { section: 'global', keys: '↑ ↓  j k', what: 'key.move' },
  { section: 'global', keys: 'PgUp PgDn', what: 'key.page' },
  { section: 'global', keys: 'Home End  g G', what: 'key.ends' },
  { section: 'global', keys: 'l', what: 'key.listen' },
  { section: 'global', keys: 'o', what: 'key.connect' },
  { section: 'global', keys: 'K', what: 'key.knobByName' },
  { section: 'global', keys: 'f', what: 'key.faultAdd' },
  { section: 'global', keys: 'P', what: 'key.pcap' },
  { section: 'global', keys: 'W', what: 'key.pcapSave' },
  { section: 'global', keys: 'L', what: 'key.lang' },
  { section: 'global', keys: 'Esc', what: 'key.back' },
  { section: 'global', keys: '>', what: 'key.nextHint' },
  { section: 'time', keys: 'T', what: 'key.timePause' },
  { section: 'time', keys: 'n', what: 'key.timeStep' },
  { section: 'time', keys: 'm', what: 'key.timeSlow' },
  { section: 'time', keys: '+  -', what: 'key.timeScale' },
  { section: 'time', keys: '=', what: 'key.timeReal' },
  { section: 'connections', keys: '/', what: 'key.filter' },
  { section: 'connections', keys: 's', what: 'key.sort' },
  { section: 'connections', keys: 'S', what: 'key.sortDir' },
  { section: 'connections', keys: 'Enter', what: 'key.detail' },
  { section: 'connections', keys: 'c', what: 'key.close' },
  { section: 'connections', keys: 'R', what: 'key.reset' },
  { section: 'connections', keys: 'h', what: 'key.shutdown' },
  { section: 'connections', keys: 'w', what: 'key.send' },
  { section: 'detail', keys: 'r', what: 'key.relative' },
  { section: 'listeners', keys: 'p', what: 'key.pause' },
  { section: 'listeners', keys: 'a', what: 'key.accept' },
  { section: 'listeners', keys: 'x', what: 'key.unlisten' },
  { section: 'knobs', keys: 'Enter  e', what: 'key.knob' },
  { section: 'faults', keys: 'a  f', what: 'key.faultAdd' },
  { section: 'faults', keys: 'd  Del', what: 'key.faultRemove' },
  { section: 'trace', keys: 'Space', what: 'key.tracePause' },
  { section: 'trace', keys: 't', what: 'key.traceConn' },
  { section: 'trace', keys: 'C', what: 'key.clear' },
  { section: 'counters', keys: 'z', what: 'key.zero' },
  { section: 'scenarios', keys: 'Enter', what: 'key.scenarioRun' },
  { section: 'scenarios', keys: 'X', what: 'key.scenarioStop' },
  { section: 'scenarios', keys: 'a-h', what: 'key.hint' },
  { section: 'scenarios', keys: 'i', what: 'key.explain' },
  { section: 'scenarios', keys: 'v', what: 'key.plot' },
];
