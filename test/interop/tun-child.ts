// A child process for the TUN interop tests (run with `node --import tsx`): opens a TUN and
// reports on stdout as JSON lines, so tests can check prompt exit, busy devices and permissions.
//   tun-child.ts open-close NAME [NETNS]   open, receive for 100 ms, close, let the process end
//   tun-child.ts hold NAME [NETNS]         open, print ready, keep it open until killed
//   tun-child.ts unref NAME [NETNS]        open, receive, unref: the process ends by itself
//   tun-child.ts echo NAME [NETNS]         open, answer ICMP echo requests for 10 s (or until stdin closes)
//   tun-child.ts try NAME [NETNS]          try to open; print the error (code, errno, stage, message)
import { Tun, TunError } from '../../core/link/tun.ts';
import { buildEcho, parseEcho } from './icmp-echo.ts';

const [mode, name, netns] = process.argv.slice(2);
const say = (o: object): void => {
  process.stdout.write(`${JSON.stringify(o)}\n`);
};

try {
  const tun = Tun.open({ name, netns });
  let answered = 0;
  tun.onReceive((packets) => {
    if (mode !== 'echo') return;
    for (const p of packets) {
      const e = parseEcho(p);
      if (e === null || e.type !== 8) continue;
      tun.write(buildEcho({ ...e, type: 0, src: e.dst, dst: e.src }));
      answered++;
    }
    tun.flush();
  });
  say({ opened: tun.name, fd: tun.fd, uid: process.getuid?.() });
  if (mode === 'echo') {
    const done = (): void => {
      say({ answered });
      tun.close();
      process.exit(0);
    };
    setTimeout(done, 10_000);
    process.stdin.on('end', done).resume();
  } else if (mode === 'open-close') {
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
