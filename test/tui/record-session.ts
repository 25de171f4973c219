// A short recorded session for replay tests: a lab on the simulated wire (real clock, through the
// Lab API, as `tcplab record` records) connects to the peer's discard port, sends a line and
// closes (TIME-WAIT); the log is written to FILE (.json) and the pcap beside it.
import { writeFileSync } from 'node:fs';
import { createLocalClient } from '../../core/api/local.ts';
import { LabServer } from '../../core/api/server.ts';
import { createLab } from '../../core/lab/create.ts';
import { SessionRecorder } from '../../core/replay/recorder.ts';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function until(pred: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(20);
  }
}

export async function recordSession(file: string): Promise<void> {
  const lab = createLab({ simulated: true, seed: 3 });
  const server = new LabServer(lab);
  const client = createLocalClient(server);
  try {
    const rec = await SessionRecorder.start(client);
    const c = await client.call('connect', { addr: '10.77.0.1', port: 9, responder: 'manual' });
    if (!c.ok) throw new Error(c.error.message);
    await until(() => lab.snapshot().connections.some((r) => r.state === 'ESTABLISHED'));
    await client.call('send', { conn: c.value.conn, data: 'hello\n' });
    await sleep(150);
    await client.call('close', { conn: c.value.conn });
    await until(() => lab.snapshot().connections.some((r) => r.state === 'TIME-WAIT'));
    await sleep(250);
    const { log, pcap } = await rec.stop();
    writeFileSync(file, JSON.stringify(log));
    if (pcap !== null) writeFileSync(file.replace(/\.json$/, '.pcap'), pcap);
  } finally {
    await client.close();
    server.close();
    lab.close();
  }
}
