import type { Command } from './command.ts';
import { versionCommand } from './version.ts';
import { setupCommand } from './setup.ts';
import { teardownCommand } from './teardown.ts';
import { packetdrillCommand } from './packetdrill.ts';
import { tuiCommand } from './tui.ts';
import { startCommand } from './start.ts';

import { serveCommand } from './serve.ts';
import { ssCommand } from './ss.ts';
import { listenCommand } from './listen.ts';
import { unlistenCommand } from './unlisten.ts';
import { connectCommand } from './connect.ts';
import { sendCommand } from './send.ts';
import { shutdownCommand } from './shutdown.ts';
import { closeCommand } from './close.ts';
import { rstCommand } from './rst.ts';
import { acceptCommand } from './accept.ts';
import { pauseCommand } from './pause.ts';
import { resumeCommand } from './resume.ts';
import { setCommand } from './set.ts';
import { knobsCommand } from './knobs.ts';
import { faultCommand } from './fault.ts';
import { pcapCommand } from './pcap.ts';
import { traceCommand } from './trace.ts';
import { countersCommand } from './counters.ts';
import { historyCommand } from './history.ts';
import { scenarioCommand } from './scenario.ts';
import { recordCommand } from './record.ts';
import { replayCommand } from './replay.ts';
import { timeCommand } from './time.ts';

/** Every subcommand, in the order `tcplab help` lists them. */
export const commands: Command[] = [versionCommand, setupCommand, teardownCommand, packetdrillCommand];
// The daemon and the commands that talk to a running lab (API engineer).
commands.push(
  serveCommand, ssCommand, listenCommand, unlistenCommand, connectCommand, sendCommand, shutdownCommand, closeCommand,
  rstCommand, acceptCommand, pauseCommand, resumeCommand, setCommand, knobsCommand, faultCommand, pcapCommand,
  traceCommand, countersCommand, historyCommand, scenarioCommand,
);
commands.push(tuiCommand, startCommand); // the terminal UI, and start: desktop app or terminal UI (TUI engineer)
commands.push(timeCommand, recordCommand, replayCommand); // lab time control; record a session, serve it again without a TUN (scenarios engineer)
