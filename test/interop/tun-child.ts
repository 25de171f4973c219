// A child process for the TUN interop tests (run with `node --import tsx`): opens a TUN and
// reports on stdout as JSON lines, so tests can check prompt exit, busy devices and permissions.
//   tun-child.ts open-close NAME [NETNS]   open, receive for 100 ms, close, let the process end
//   tun-child.ts hold NAME [NETNS]         open, print ready, keep it open until killed
//   tun-child.ts unref NAME [NETNS]        open, receive, unref: the process ends by itself
//   tun-child.ts try NAME [NETNS]          try to open; print the error (code, errno, stage, message)
import { Tun, TunError } from '../../core/link/tun.ts';

const [mode, name, netns] = process.argv.slice(2);
const say = (o: object): void => {
  process.stdout.write(`${JSON.stringify(o)}\n`);
};

try {
  const tun = Tun.open({ name, netns });
  tun.onReceive(() => {});
  say({ opened: tun.name, fd: tun.fd });
  if (mode === 'open-close') {
    setTimeout(() => {
      tun.close();
      say({ closed: true });
    }, 100);
  } else if (mode === 'unref') {
    tun.unref();
  } else if (mode === 'hold') {
    say({ ready: true });
  } else {
    tun.close();
  }
} catch (err) {
  const e = err as TunError;
  say({ error: e instanceof TunError ? e.code : 'unexpected', errno: e.errno, stage: e.stage, message: e.message });
  process.exitCode = 3;
}
