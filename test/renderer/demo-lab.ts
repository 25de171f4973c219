// A lab with something to look at, for the browser tests and screenshots while they run on
// the API's FakeLab: listeners, passive and active connections, data, a closing one, a knob
// changed, a fault rule. Real timers (the browser runs in real time).
import { realTimers } from '../../core/api/timers.ts';
import { FakeLab } from '../core/api/fake-lab.ts';

export function demoLab(opts: { connections?: number } = {}): FakeLab {
  const lab = new FakeLab(realTimers);
  const h = lab.handlers;
  const web = h.listen({ port: 80, backlog: 4, responder: 'http' }) as { listener: number };
  const echo = h.listen({ port: 7, backlog: 128, responder: 'echo' }) as { listener: number };
  h.pauseAccept({ listener: echo.listener });
  for (let i = 0; i < (opts.connections ?? 6); i++) lab.incoming(i % 3 === 2 ? echo.listener : web.listener);
  const c = h.connect({ addr: '10.77.0.1', port: 8080, responder: 'manual' }) as { conn: number };
  h.send({ conn: c.conn, data: 'GET / HTTP/1.1\r\nHost: 10.77.0.1\r\n\r\n', encoding: 'utf8' });
  h.close({ conn: 1 });
  h.faultAdd({ rule: { dir: 'in', flags: 'S', nth: 2, count: 1, action: 'drop' } });
  h.setKnob({ name: 'tcp_syncookies', value: 2 });
  lab.churn();
  return lab;
}
