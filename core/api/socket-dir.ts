// Where the lab's Unix socket lives, and the permissions that make it private:
// $XDG_RUNTIME_DIR/tcplab/ (or /tmp/tcplab-$UID), directory 0700, socket 0600, owned by us.
import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { basename, join } from 'node:path';

export const SOCKET_NAME = 'lab.sock';

function currentUid(): number {
  return process.getuid?.() ?? 0;
}

export function defaultSocketDir(env: NodeJS.ProcessEnv = process.env, uid: number = currentUid()): string {
  const runtime = env.XDG_RUNTIME_DIR;
  return runtime ? join(runtime, 'tcplab') : `/tmp/tcplab-${uid}`;
}

export function defaultSocketPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(defaultSocketDir(env), SOCKET_NAME);
}

/** Our own socket directories (the defaults): these may be tightened to 0700 when found looser. */
function isOurDirName(dir: string): boolean {
  const name = basename(dir);
  return name === 'tcplab' || name.startsWith('tcplab-');
}

/**
 * Creates `dir` 0700, or checks an existing one: a real directory, ours, private. A directory of
 * our own name (tcplab, tcplab-UID) is made 0700; any other one that others can enter or write
 * (/tmp, a home directory) is refused, never changed: a socket there would not be private.
 */
export async function ensurePrivateDir(dir: string, uid: number = currentUid()): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await lstat(dir);
  if (!st.isDirectory()) throw new Error(`${dir} is not a directory (a symlink or a file?); refusing to use it`);
  if (st.uid !== uid) throw new Error(`${dir} belongs to uid ${st.uid}, not to uid ${uid}; refusing to use it`);
  const mode = st.mode & 0o7777;
  if ((mode & 0o777) === 0o700) return;
  if (isOurDirName(dir) && (mode & 0o1000) === 0) {
    await chmod(dir, 0o700);
    return;
  }
  throw new Error(`${dir} is open to other users (mode ${mode.toString(8)}), so a socket there would not be private; ` +
    `put the lab's socket in a directory of its own, e.g. ${join(dir, 'tcplab', SOCKET_NAME)}`);
}

function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/** Clears the way for a new socket at `path`: a stale socket is removed, a live one or a non-socket refused. */
export async function clearStaleSocket(path: string): Promise<void> {
  const st = await lstat(path).catch(() => null);
  if (st === null) return;
  if (!st.isSocket()) throw new Error(`${path} exists and is not a socket; refusing to replace it`);
  if (await socketAnswers(path)) throw new Error(`a lab is already serving on ${path}`);
  await unlink(path);
}
