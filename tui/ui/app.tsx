// The Ink app: header with the views, the current view, the status or prompt line, key hints.
// 80x24 shows one view at a time; a large terminal (>= 120x40) shows the connections table,
// the selected connection, the listeners and the trace together.
import React, { useEffect, useState } from 'react';
import { Box, Text, useInput } from 'ink';
import { fit, formatLabTime, textWidth, truncate } from '../../core/api/views/format.ts';
import { replayOf, timeStatusOf } from '../../core/api/views/lab-extras.ts';
import { replayText, timeView } from '../../core/api/views/time.ts';
import { t, type Lang, type StringKey } from '../../core/api/views/i18n.ts';
import type { Controller, PromptKind } from './controller.ts';
import { fromInk, splitTyped } from './input.ts';
import { KEYMAP, SECTION_TITLES, VIEWS, VIEW_TITLES, type KeySection } from './keymap.ts';
import { ConnectionsTable } from './components/connections.tsx';
import { DetailPane } from './components/detail.tsx';
import { ListenersPanel, ListenersView } from './components/listeners.tsx';
import { CountersView, FaultsView, KnobsView, TracePane } from './components/lists.tsx';
import { ScenariosView } from './components/scenarios.tsx';
import { Title } from './components/style.tsx';
// Ink's compositor, faster (same output): see fast-output.ts.
import './fast-output.ts';

export interface AppProps {
  controller: Controller;
  width: number;
  /** Lines to use; keep it below the terminal's rows (Ink redraws everything at full height). */
  height: number;
  /** Where the lab is: 'own lab', 'attached to ...'. */
  where: string;
  /** How often time-dependent text (countdowns) refreshes, ms; 0: never (tests). */
  tickMs?: number;
  /** Least time between two renders, ms: changes that come faster are drawn together. */
  frameMs?: number;
  /** Called as a frame starts rendering (the benchmark times frames from here). */
  onDraw?: () => void;
}

/**
 * Re-renders when the store announces a change, at most once per `frameMs` (the first change
 * after a quiet spell is drawn at once, in the next turn of the event loop; later ones wait
 * for the interval and are drawn together). Rendering more often than the terminal is written
 * (10 frames per second) would be work nobody sees.
 */
function useFrames(subscribe: (fn: () => void) => () => void, frameMs: number, onDraw?: () => void): number {
  const [frame, setFrame] = useState(0);
  useEffect(() => {
    let last = -Infinity;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const draw = (): void => {
      timer = null;
      last = performance.now();
      onDraw?.();
      setFrame((n) => n + 1);
    };
    const unsubscribe = subscribe(() => {
      if (timer !== null) return;
      timer = setTimeout(draw, Math.max(0, last + frameMs - performance.now()));
    });
    return () => {
      unsubscribe();
      if (timer !== null) clearTimeout(timer);
    };
  }, [subscribe, frameMs, onDraw]);
  return frame;
}

export const WIDE = { width: 120, height: 40 };

/** Where the lab is and what it runs on: 'own lab · TUN tcplab0 · 10.77.0.2 ⇄ 10.77.0.1'. */
function labInfo(controller: Controller, where: string): string {
  const { lang } = controller.state;
  const snap = controller.store.snapshot;
  if (snap === null) return t(lang, 'app.connecting');
  const replay = replayOf(snap.info);
  return [
    where,
    replay !== null ? t(lang, 'app.replay', { file: replay.file })
      : snap.info.device === null ? t(lang, 'app.simulated') : t(lang, 'app.device', { device: snap.info.device }),
    `${snap.info.labAddr} ⇄ ${snap.info.kernelAddr}`,
    snap.pcap.running ? '● pcap' : '',
  ].filter(Boolean).join(' · ');
}

/** The view tabs: all titles when they fit, else the current one with its title and the others by number. */
function tabTexts(lang: Lang, current: string | null, room: number): { v: string; text: string }[] {
  const full = VIEWS.map((v, i) => ({ v, text: ` ${i + 1} ${t(lang, VIEW_TITLES[v])} ` }));
  if (full.reduce((n, x) => n + textWidth(x.text), 0) <= room) return full;
  return VIEWS.map((v, i) => ({ v, text: v === current ? ` ${i + 1} ${t(lang, VIEW_TITLES[v])} ` : ` ${i + 1} ` }));
}

function Header({ controller, width, where }: { controller: Controller; width: number; where: string }): React.ReactElement {
  const { lang, view, detail } = controller.state;
  const tabs = tabTexts(lang, detail ? null : view, width - 7);
  const tabsW = tabs.reduce((s, x) => s + textWidth(x.text), 0) + 7;
  const room = width - tabsW;
  return (
    <Box width={width}>
      <Text bold color="blue">tcplab </Text>
      {tabs.map(({ v, text }) => (
        <Text key={v} inverse={v === view && !detail} bold={v === view}>{text}</Text>
      ))}
      {room >= 30 ? <Text dimColor wrap="truncate">{fit(` ${labInfo(controller, where)}`, room, 'right')}</Text> : null}
    </Box>
  );
}

/**
 * Always visible while lab time is not real time (paused, slow motion, scaled) or the lab is a
 * replay: one line that says so plainly, and while paused the first packets held.
 */
function TimeBanner({ controller, width, height }: { controller: Controller; width: number; height: number }): React.ReactElement | null {
  const { lang } = controller.state;
  const info = controller.store.snapshot?.info ?? null;
  const replay = replayOf(info);
  const tv = timeView(timeStatusOf(info), lang);
  if (tv.text === null && replay === null) return null;
  const parts: string[] = [];
  // A replay's time control is its playback: the banner says where it stands instead.
  if (replay !== null) {
    const full = `▶ ${replayText(replay, lang)}`;
    // A long path: its file name is enough here (the header and the help name the whole path).
    parts.push(textWidth(full) <= width ? full : `▶ ${replayText({ ...replay, file: replay.file.split('/').pop() ?? replay.file }, lang)}`);
  }
  else if (tv.text !== null) {
    const line = `${tv.mode === 'scaled' ? '»' : '‖'} ${tv.text}`;
    const keys = ` · ${t(lang, 'time.keys')}`;
    parts.push(tv.mode !== 'scaled' && textWidth(line + keys) + (replay !== null ? 2 + textWidth(parts[0]) : 0) <= width ? line + keys : line);
  }
  const held = replay !== null || tv.mode === 'real' || tv.mode === 'scaled' ? [] : tv.next.slice(0, Math.max(0, height - 1));
  const more = tv.held - held.length;
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate" color="yellow" bold inverse>{fit(parts.join('  '), width)}</Text>
      {held.map((p, i) => (
        <Text key={i} wrap="truncate">
          <Text color="yellow">{i === held.length - 1 && more > 0 ? `+${more}`.padStart(4) : '   ‖'}</Text> <Text dimColor>{formatLabTime(p.at)}</Text> {p.dir === 'in' ? '→' : '←'} {truncate(p.text, Math.max(4, width - 20))}
        </Text>
      ))}
    </Box>
  );
}

/** Lines the banner takes (so the body can shrink by as much). */
function bannerHeight(controller: Controller, maxHeld: number): number {
  const info = controller.store.snapshot?.info ?? null;
  const tv = timeView(timeStatusOf(info), controller.state.lang);
  if (tv.text === null && replayOf(info) === null) return 0;
  const held = replayOf(info) === null && (tv.mode === 'paused' || tv.mode === 'slow') ? Math.min(tv.next.length, maxHeld) : 0;
  return 1 + held;
}

const PROMPT_LABEL: Record<PromptKind, StringKey> = {
  filter: 'prompt.filter',
  listen: 'prompt.listen',
  connect: 'prompt.connect',
  send: 'prompt.send',
  knob: 'prompt.knob',
  knobByName: 'prompt.knobName',
  fault: 'prompt.fault',
  pcapSave: 'key.pcapSave',
};

function Footer({ controller, width, where }: { controller: Controller; width: number; where: string }): React.ReactElement {
  const { lang, prompt, confirm, status, view, detail } = controller.state;
  const closed = controller.store.closedReason;
  let line: React.ReactNode;
  if (confirm !== null) {
    line = <Text color="red" bold wrap="truncate">{t(lang, 'prompt.confirmReset', { conn: confirm.conn })}</Text>;
  } else if (prompt !== null) {
    const label = prompt.kind === 'knobByName' ? 'K name=value: ' : prompt.kind === 'pcapSave' ? `${t(lang, 'key.pcapSave')}: ` : t(lang, PROMPT_LABEL[prompt.kind], { conn: prompt.conn ?? '', name: prompt.knob ?? '' });
    line = (
      <Text wrap="truncate">
        <Text color="cyan">{label}</Text>{prompt.value}<Text inverse> </Text>
      </Text>
    );
  } else if (closed !== null) {
    line = <Text color="red" bold wrap="truncate">{t(lang, 'app.disconnected', { reason: closed })}</Text>;
  } else if (status !== null) {
    const color = status.kind === 'error' ? 'red' : status.kind === 'ok' ? 'green' : undefined;
    line = <Text color={color} wrap="truncate">{status.kind === 'error' ? '✗ ' : status.kind === 'ok' ? '✓ ' : ''}{status.text}</Text>;
  } else {
    line = <Text dimColor wrap="truncate">{labInfo(controller, where)} · {t(lang, 'app.quitHint')}</Text>;
  }
  const hintKey: StringKey = prompt !== null ? 'hint.prompt' : detail ? 'hint.detail' : (`hint.${view}` as StringKey);
  return (
    <Box flexDirection="column" width={width} height={2}>
      {line}
      {prompt !== null && prompt.error !== null
        ? <Text color="red" wrap="truncate">✗ {prompt.error}</Text>
        : <Text dimColor wrap="truncate">{t(lang, hintKey)}</Text>}
    </Box>
  );
}

/** Every key, by section (scrolls when the terminal is short). */
function Help({ controller, width, height }: { controller: Controller; width: number; height: number }): React.ReactElement {
  const { lang, helpScroll } = controller.state;
  const sections: KeySection[] = ['global', 'time', 'connections', 'detail', 'listeners', 'counters', 'knobs', 'faults', 'trace', 'scenarios'];
  const lines: { head: boolean; text: string; keys?: string }[] = [];
  for (const s of sections) {
    lines.push({ head: true, text: t(lang, SECTION_TITLES[s]) });
    for (const k of KEYMAP.filter((x) => x.section === s)) lines.push({ head: false, keys: k.keys, text: t(lang, k.what) });
  }
  const columns = width >= 150 ? 2 : 1;
  const bodyH = Math.max(1, height - 2);
  controller.helpLines = { total: Math.ceil(lines.length / columns), page: bodyH };
  const colW = Math.floor((width - 2 * (columns - 1)) / columns);
  const perCol = Math.ceil(lines.length / columns);
  const cols = Array.from({ length: columns }, (_, c) => lines.slice(c * perCol, (c + 1) * perCol).slice(helpScroll, helpScroll + bodyH));
  const more = perCol > bodyH;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Title text={t(lang, 'help.title')} width={width} right={more ? `${helpScroll + 1}-${Math.min(perCol, helpScroll + bodyH)}/${perCol}` : ''} />
      <Box width={width} height={bodyH}>
        {cols.map((col, c) => (
          <Box key={c} flexDirection="column" width={colW} marginRight={c < columns - 1 ? 2 : 0}>
            {col.map((l, i) => l.head
              ? <Text key={i} bold color="blue" wrap="truncate">{l.text}</Text>
              : <Text key={i} wrap="truncate">  <Text bold>{fit(l.keys ?? '', 15)}</Text> {l.text}</Text>)}
          </Box>
        ))}
      </Box>
      <Text dimColor wrap="truncate">{more ? t(lang, 'help.more') : t(lang, 'help.close')}</Text>
    </Box>
  );
}

function Body({ controller, width, height, now }: { controller: Controller; width: number; height: number; now: number }): React.ReactElement {
  const { view, detail, help, lang } = controller.state;
  if (help) return <Help controller={controller} width={width} height={height} />;
  if (detail) return <DetailPane controller={controller} width={width} height={height} now={now} />;
  const wide = width >= WIDE.width && height >= WIDE.height - 4;
  switch (view) {
    case 'connections':
      return wide ? <Dashboard controller={controller} width={width} height={height} now={now} lang={lang} /> : <ConnectionsTable controller={controller} width={width} height={height} now={now} />;
    case 'listeners': return <ListenersView controller={controller} width={width} height={height} />;
    case 'counters': return <CountersView controller={controller} width={width} height={height} />;
    case 'knobs': return <KnobsView controller={controller} width={width} height={height} />;
    case 'trace': return <TracePane controller={controller} width={width} height={height} lang={lang} />;
    case 'faults': return <FaultsView controller={controller} width={width} height={height} />;
    case 'scenarios': return <ScenariosView controller={controller} width={width} height={height} />;
    default: {
      const never: never = view;
      throw new Error(`unknown view ${String(never)}`);
    }
  }
}

/** The large-terminal layout: table on top; the selected connection beside the listeners; the trace below. */
function Dashboard({ controller, width, height, now, lang }: { controller: Controller; width: number; height: number; now: number; lang: Lang }): React.ReactElement {
  const traceH = Math.max(5, Math.floor(height * 0.2));
  const tableH = Math.max(8, Math.floor((height - traceH) * 0.4));
  const midH = height - traceH - tableH;
  const sideW = Math.min(60, Math.floor(width * 0.35));
  return (
    <Box flexDirection="column" width={width} height={height}>
      <ConnectionsTable controller={controller} width={width} height={tableH} now={now} />
      <Box width={width} height={midH}>
        <DetailPane controller={controller} width={width - sideW - 1} height={midH} now={now} />
        <Text> </Text>
        <ListenersPanel controller={controller} width={sideW} height={midH} />
      </Box>
      <TracePane controller={controller} width={width} height={traceH} lang={lang} />
    </Box>
  );
}

export function App({ controller, width, height, where, tickMs = 1000, frameMs = 100, onDraw }: AppProps): React.ReactElement {
  const store = controller.store;
  useFrames(store.subscribe, frameMs, onDraw);
  const [, setTick] = useState(0);
  useEffect(() => {
    if (tickMs <= 0) return undefined;
    const id = setInterval(() => {
      onDraw?.();
      setTick((n) => n + 1);
    }, tickMs);
    return () => clearInterval(id);
  }, [tickMs, onDraw]);
  useInput((input, key) => {
    const typed = splitTyped(input, key.ctrl || key.meta);
    if (typed === null) controller.onKey(fromInk(input, key));
    else for (const k of typed) controller.onKey(k);
  });
  const now = store.labNow();
  const maxHeld = height >= 40 ? 6 : 3;
  const bannerH = bannerHeight(controller, maxHeld);
  const bodyH = Math.max(3, height - 3 - bannerH);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Header controller={controller} width={width} where={where} />
      {bannerH > 0 ? <TimeBanner controller={controller} width={width} height={bannerH} /> : null}
      <Body controller={controller} width={width} height={bodyH} now={now} />
      <Footer controller={controller} width={width} where={where} />
    </Box>
  );
}
