// Ctrl-C (SIGINT) and SIGTERM for the commands: a long-running command (serve, replay) waits for
// one to stop cleanly; a live client command (trace, record) is interrupted by one.

/** Aborted on the first SIGINT or SIGTERM (the reason is the signal's name); then stops listening. */
export function interruptSignal(): AbortSignal {
  const ac = new AbortController();
  const stop = (sig: NodeJS.Signals): void => ac.abort(sig);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  ac.signal.addEventListener('abort', () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  });
  return ac.signal;
}

/** Resolves with the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  const signal = interruptSignal();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason as NodeJS.Signals), { once: true }));
}
