// `tcplab record FILE`: record what the running lab shows (every event, the snapshot stream,
// the packets) into FILE.json (the event log) and FILE.pcap, until Ctrl-C, --seconds N, or the
// end of the scenario it runs with --scenario NAME. `tcplab replay FILE` serves it again.
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { optionLines, splitArgs, stringFlag, type OptSpec } from '../../core/api/command-options.ts';
import type { LabClient } from '../../core/api/client.ts';
import { connectSocket, labTarget, type SocketTarget } from '../../core/api/client-socket.ts';
import { defaultSocketPath } from '../../core/api/socket-dir.ts';
import { sessionFiles } from '../../core/replay/log.ts';
import { SessionRecorder } from '../../core/replay/recorder.ts';
import type { Command } from './command.ts';
import { interruptSignal } from './signals.ts';

export interface RecordEnv {
  out(s: string): void;
  err(s: string): void;
  env: NodeJS.ProcessEnv;
  connect(target: SocketTarget): Promise<LabClient>;
  /** Aborted on Ctrl-C / SIGTERM. */
  interrupted(): AbortSignal;
}

const processRecordEnv: RecordEnv = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  env: process.env,
  connect: (t) => connectSocket(t),
  interrupted: interruptSignal,
};

const OPTIONS: readonly OptSpec[] = [
  { long: 'seconds', value: 'N', doc: 'stop after N seconds' },
  { long: 'scenario', value: 'NAME', doc: 'run this scenario and stop when it ends' },
  { long: 'no-pcap', doc: 'do not record packets (only the event log)' },
  { long: 'lab', value: 'PATH|URL', doc: 'the lab\'s Unix socket or ws://127.0.0.1:PORT/api?token=T (default $TCPLAB_LAB, then the default socket)' },
  { long: 'token', value: 'T', doc: 'the token for a ws:// URL' },
  { long: 'help', short: 'h', doc: 'this help' },
];

export const RECORD_USAGE = `usage: tcplab record FILE [--seconds N] [--scenario NAME] [--no-pcap] [--lab PATH|URL]

Records the running lab (events, snapshots, packets) into FILE.json and FILE.pcap until
Ctrl-C, N seconds, or the end of the scenario it runs. Review it later without a TUN:
tcplab replay FILE.
${optionLines(OPTIONS)}
`;

function targetOf(lab: string | undefined, token: string | undefined, env: NodeJS.ProcessEnv): SocketTarget {
  return labTarget(lab ?? env.TCPLAB_LAB ?? defaultSocketPath(env), token).target;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves when the scenario the lab runs has ended (or the signal aborts). */
async function scenarioEnd(client: LabClient, signal: AbortSignal): Promise<string> {
  while (!signal.aborted) {
    const s = await client.call('snapshot');
    if (s.ok && s.value.scenario !== null && !s.value.scenario.running) return s.value.scenario.step;
    await sleep(100);
  }
  return 'interrupted';
}

export async function record(argv: readonly string[], cli: RecordEnv = processRecordEnv): Promise<number> {
  const err = (s: string): void => cli.err(`tcplab record: ${s}\n`);
  const s = splitArgs(argv, OPTIONS);
  if (!s.ok) {
    err(`${s.error}\n\n${RECORD_USAGE}`);
    return 2;
  }
  const { flags, positional } = s.value;
  if (flags.has('help')) {
    cli.out(RECORD_USAGE);
    return 0;
  }
  if (positional.length !== 1) {
    err(`${positional.length === 0 ? 'missing FILE' : `unexpected '${positional[1]}'`}\n\n${RECORD_USAGE}`);
    return 2;
  }
  const target = targetOf(stringFlag(flags, 'lab'), stringFlag(flags, 'token'), cli.env);
  const seconds = flags.has('seconds') ? Number(flags.get('seconds')) : null;
  if (seconds !== null && !(seconds > 0 && seconds <= 86_400)) {
    err('--seconds takes a number of seconds from 0 to 86400');
    return 2;
  }
  const scenario = stringFlag(flags, 'scenario') ?? null;
  const files = sessionFiles(positional[0]);
  let client: LabClient;
  try {
    client = await cli.connect(target);
  } catch (e) {
    err(`no lab is answering at ${'path' in target ? target.path : target.url} (${(e as Error).message}); start one with tcplab serve`);
    return 1;
  }
  try {
    const rec = await SessionRecorder.start(client, { pcap: !flags.has('no-pcap') });
    const stop = cli.interrupted();
    if (scenario !== null) {
      const r = await client.call('scenarioRun', { name: scenario });
      if (!r.ok) {
        err(`${r.error.code}: ${r.error.message}`);
        await rec.stop();
        return 1;
      }
    }
    cli.out(`recording${scenario !== null ? ` scenario ${scenario}` : ''} into ${files.json}${flags.has('no-pcap') ? '' : ` and ${files.pcap}`}; ` +
      `${seconds !== null ? `${seconds} s` : scenario !== null ? 'until it ends' : 'Ctrl-C stops'}\n`);
    const waits: Promise<unknown>[] = [new Promise((r) => stop.addEventListener('abort', r, { once: true }))];
    if (seconds !== null) waits.push(sleep(seconds * 1000));
    if (scenario !== null) waits.push(scenarioEnd(client, stop));
    await Promise.race(waits);
    const { log, pcap } = await rec.stop();
    if (pcap !== null && log.pcap !== null) {
      writeFileSync(files.pcap, pcap);
      log.pcap.file = basename(files.pcap);
    }
    writeFileSync(files.json, JSON.stringify(log));
    cli.out(`recorded ${log.events.length} events, ${log.frames.length} snapshot frames${log.pcap !== null ? `, ${log.pcap.packets} packets` : ''} ` +
      `(${((log.end - log.start) / 1000).toFixed(1)} s of lab time)${log.truncated !== null ? `; ${log.truncated}` : ''}\n` +
      `review it: tcplab replay ${files.json}\n`);
    return 0;
  } catch (e) {
    err((e as Error).message);
    return 1;
  } finally {
    await client.close();
  }
}

export const recordCommand: Command = {
  name: 'record',
  summary: 'record the running lab (events, snapshots, packets) into FILE.json + FILE.pcap',
  run: (argv) => record(argv),
};
