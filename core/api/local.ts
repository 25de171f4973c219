// The in-process transport: a LabClient straight over a LabApi (the TUI hosting its own lab,
// tests). Arguments and answers are copied, so client and lab never share objects, exactly as
// over the other transports.
import type { LabClient } from './client.ts';
import type { Method } from './contract.ts';
import { fail, type Result } from './errors.ts';
import type { LabApi, StreamSink, Subscription } from './lab-api.ts';

const copy = <T>(value: T): T => structuredClone(value);

/** Arguments must be plain data, as over any other transport. */
function copyArgs(args: unknown): Result<unknown> {
  try {
    return { ok: true, value: copy(args) };
  } catch {
    return fail('EINVAL', 'args: must be plain data (no functions or class instances)', 'args');
  }
}

export function createLocalClient(api: LabApi): LabClient {
  let closedReason: ((reason: string) => void) | null = null;
  const closed = new Promise<string>((resolve) => (closedReason = resolve));
  let open = true;
  const subs = new Set<Subscription>();
  const gone = fail('ECLOSED', 'the client is closed');

  function subscribe<T>(
    start: (args: unknown, sink: StreamSink<T>) => Result<Subscription>,
    args: unknown,
    onMessage: StreamSink<T>,
  ): Promise<Result<Subscription>> {
    if (!open) return Promise.resolve(gone);
    const a = copyArgs(args);
    if (!a.ok) return Promise.resolve(a);
    const r = start(a.value, (msg) => onMessage(copy(msg)));
    if (!r.ok) return Promise.resolve(r);
    const inner = r.value;
    const sub: Subscription = { close: () => { subs.delete(sub); inner.close(); } };
    subs.add(sub);
    return Promise.resolve({ ok: true, value: sub });
  }

  return {
    async call(method: Method, args?: unknown) {
      if (!open) return gone;
      const a = copyArgs(args);
      if (!a.ok) return a;
      return copy(await api.call(method, a.value));
    },
    subscribeSnapshots: (args, onMessage) => subscribe((a, s) => api.subscribeSnapshots(a, s), args, onMessage),
    subscribeEvents: (filter, onMessage) => subscribe((a, s) => api.subscribeEvents(a, s), filter, onMessage),
    closed,
    async close() {
      if (!open) return;
      open = false;
      for (const s of [...subs]) s.close();
      closedReason?.('closed by the client');
    },
  } as LabClient;
}
