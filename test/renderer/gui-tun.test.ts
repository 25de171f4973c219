// The GUI end to end on a real TUN in a private namespace, served by `tcplab serve --web`
// (tui/commands/serve.ts startDaemon: LabServer, the Unix socket, 127.0.0.1 with a token and the
// renderer bundle), in Debian's Chromium:
// a kernel curl appears as a row; its timeline shows SYN-RECEIVED -> ESTABLISHED; RST from the
// GUI makes curl report a reset; a bad knob value is refused with the lab's message. Every view
// is saved as a screenshot in test-artifacts/renderer/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../core/lab/lab.ts';
import { isRoot, type ExecResult, type TestNet } from '../interop/netns.ts';
import { eventually, hasChromium, press, shot, shotOf, until, view, type Browsing } from './harness.ts';
import { openTunWebLab, type TunWebLab } from './tun-lab.ts';

describe.skipIf(!isRoot || !hasChromium)('the GUI against a real TUN (own namespace, Chromium)', { timeout: 90_000 }, () => {
  let tun: TunWebLab;
  let net: TestNet;
  let lab: Lab;
  let b: Browsing;

  beforeAll(async () => {
    tun = await openTunWebLab({
      shell: true,
      setup: (l) => {
        l.handlers.listen({ port: 80, backlog: 128, responder: 'http' });
        // A listener nobody answers on: curl's request waits there until the GUI resets it.
        l.handlers.listen({ port: 8080, backlog: 4, responder: 'manual' });
      },
    });
    ({ net, lab, b } = tun);
  }, 90_000);

  afterAll(async () => {
    await tun?.close();
  });

  it('shows the lab on its TUN, not the simulated wire', async () => {
    await eventually(async () => expect(await b.page.locator('.lab-id .pill.ok').innerText()).toContain(net.dev));
    await eventually(async () => expect(await b.page.locator('.lab-id .pill.warn').count()).toBe(0));
    expect(b.page.url()).not.toContain('token='); // moved out of the address bar
  });

  let curl: Promise<ExecResult>;
  let conn = 0;

  it('a kernel curl appears as a row, and its detail shows SYN-RECEIVED -> ESTABLISHED and the handshake ladder', async () => {
    curl = net.exec(['curl', '-sS', '--max-time', '25', `http://${net.labAddr}:8080/`], { timeoutMs: 30_000 });
    const row = b.page.locator('.tr', { hasText: ':8080' }).first();
    await row.waitFor({ timeout: 20_000 });
    await eventually(async () => expect(await row.locator('.state').innerText()).toContain('ESTABLISHED'));
    conn = Number(await row.getAttribute('data-conn'));
    expect(conn).toBeGreaterThan(0);
    await shot(b.page, '01-connections');
    await row.click();
    const detail = b.page.locator('.detail');
    await detail.locator('.timeline g[data-state="ESTABLISHED"]').waitFor();
    await eventually(async () => expect(await detail.locator('.timeline g[data-state="SYN-RECEIVED"]').count()).toBe(1));
    const states = await detail.locator('.timeline g[data-state]').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-state')));
    expect(states.slice(0, 2)).toEqual(['SYN-RECEIVED', 'ESTABLISHED']);
    // The ladder: the kernel's SYN, our SYN-ACK, its ACK, then its request (P.), in order.
    await until('the request in the ladder', async () => (await detail.locator('.ladder g.seg').count()) >= 4);
    const flags = await detail.locator('.ladder g.seg').evaluateAll((gs) => gs.map((g) => `${g.classList.contains('in') ? 'in' : 'out'} ${g.getAttribute('data-flags')}`));
    expect(flags.slice(0, 3)).toEqual(['in S', 'out S.', 'in .']);
    expect(flags).toContain('in P.');
    await eventually(async () => expect(await detail.locator('.ladder .seg-label').first().textContent()).toContain('S seq 0'));
    await eventually(async () => expect(await detail.locator('.ladder .state-at').nth(1).textContent()).toBe('SYN-RECEIVED'));
    await shot(b.page, '02-detail');
    await shotOf(detail.locator('.side-col'), '02b-detail-gauges-timers-seqspace');
    await shotOf(detail.locator('.ladder-card'), '02c-detail-ladder');
  });

  it('RST from the row (after confirming) makes curl report a reset', async () => {
    const row = b.page.locator(`.tr[data-conn="${conn}"]`);
    await row.hover();
    await row.locator('button.danger').click();
    const dialog = b.page.locator('[role="alertdialog"]');
    await dialog.waitFor();
    await shot(b.page, '03-rst-confirm');
    await dialog.locator('button.danger').click();
    const r = await curl;
    expect(r.code).toBe(56);
    expect(r.stderr).toMatch(/reset/i);
    // The detail stays, as the connection ended: ... -> CLOSED, with our RST in the ladder.
    const detail = b.page.locator('.detail');
    await detail.locator('.timeline g[data-state="CLOSED"]').waitFor();
    await detail.locator('.note').waitFor();
    await eventually(async () => expect(await detail.locator('.ladder g.seg.rst').count()).toBe(1));
    await shot(b.page, '04-detail-after-rst');
    await shotOf(detail.locator('.ladder-card'), '04b-ladder-with-rst');
  });

  it('a finished curl to the HTTP responder leaves its whole life in the timeline', async () => {
    const r = await net.exec(['curl', '-sS', '--max-time', '10', `http://${net.labAddr}/`]);
    expect(r.code).toBe(0);
    await until('the curl in the lab\'s history', () => lab.snapshot().counters.PassiveOpens >= 2);
    await b.page.locator('.detail button.icon').click();
    await b.page.locator('.detail').waitFor({ state: 'detached' });
  });

  it('refuses a bad knob value with the lab\'s message, and accepts a good one', async () => {
    await view(b.page, '4');
    const form = b.page.locator('form.knob[data-knob="somaxconn"]');
    await form.waitFor();
    const before = lab.snapshot().knobs.somaxconn;
    await form.locator('input').fill('0');
    await form.locator('button[type="submit"]').click();
    const msg = form.locator('.field-error');
    await eventually(async () => expect(await msg.innerText()).toMatch(/somaxconn|value/));
    await eventually(async () => expect(await form.getAttribute('class')).toMatch(/invalid/));
    expect(lab.snapshot().knobs.somaxconn).toBe(before);
    await shot(b.page, '05-knob-refused');
    await form.locator('input').fill('1024');
    await form.locator('button[type="submit"]').click();
    await until('the knob set', () => lab.snapshot().knobs.somaxconn === 1024);
    await eventually(async () => expect(await msg.innerText()).toBe(''));
  });

  it('listeners show the queues; filling the accept queue of a paused listener moves its gauge', async () => {
    await view(b.page, '2');
    const card = b.page.locator('article.listener', { hasText: ':8080' });
    await card.waitFor();
    await card.getByRole('button', { name: /Pause/ }).click();
    const queued = (): number => lab.snapshot().listeners.find((l) => l.port === 8080)?.acceptQueue ?? 0;
    const start = queued();
    const curls = [0, 1].map(() => net.exec(['curl', '-sS', '--max-time', '3', `http://${net.labAddr}:8080/`], { timeoutMs: 10_000 }));
    await until('two more in the accept queue', () => queued() === start + 2);
    await eventually(async () => expect(await card.locator('.queue.accept .big').innerText()).toMatch(new RegExp(`^${start + 2}`)));
    await shot(b.page, '06-listeners');
    await Promise.all(curls);
  });

  it('counters, faults, capture and the console', async () => {
    await view(b.page, '3');
    await b.page.locator('table.counter-table[data-group="Tcp"]').waitFor();
    await eventually(async () => expect(await b.page.locator('table.counter-table[data-group="Tcp"]').innerText()).toContain('PassiveOpens'));
    await shot(b.page, '07-counters');

    await view(b.page, '5');
    const ruleForm = b.page.locator('.fault-form').first();
    await ruleForm.locator('input').first().fill('S');
    await ruleForm.locator('button[type="submit"]').click();
    await eventually(async () => expect(await b.page.locator('ul.rules li').count()).toBe(1));
    await ruleForm.locator('input').nth(2).fill('x');
    await ruleForm.locator('button[type="submit"]').click();
    await eventually(async () => expect(await ruleForm.locator('.field-error').innerText()).toContain('nth'));
    expect(await ruleForm.locator('input').nth(2).getAttribute('class')).toBe('invalid');
    const random = b.page.locator('.fault-form').nth(1);
    await random.locator('button[type="submit"]').click();
    await until('random loss on', () => lab.snapshot().faults.random?.loss === 0.05);
    await shot(b.page, '08-faults');
    await random.getByRole('button', { name: 'Off' }).click();
    await until('random faults off', () => lab.snapshot().faults.random === null);
    await b.page.locator('ul.rules button').click();
    await eventually(async () => expect(await b.page.locator('ul.rules li').count()).toBe(0));

    await view(b.page, '6');
    await b.page.getByRole('button', { name: /Start capture/ }).click();
    await net.exec(['curl', '-sS', '--max-time', '5', `http://${net.labAddr}/`]);
    await until('packets captured', () => lab.snapshot().pcap.packets > 5);
    await shot(b.page, '09-capture');
    const download = b.page.waitForEvent('download');
    await b.page.getByRole('button', { name: /Save/ }).click();
    expect((await download).suggestedFilename()).toMatch(/\.pcap$/);
    await b.page.getByRole('button', { name: /Stop/ }).click();

    await view(b.page, '7');
    const term = b.page.locator('.console-pane .term').first();
    await term.locator('.xterm-rows').waitFor();
    await term.click();
    await b.page.locator('.console-pane .term textarea').first().focus();
    await b.page.keyboard.type('listen 9000 --responder echo');
    await b.page.keyboard.press('Enter');
    await until('the console\'s listen', () => lab.snapshot().listeners.some((l) => l.port === 9000));
    await b.page.keyboard.type('ss -l');
    await b.page.keyboard.press('Enter');
    await b.page.keyboard.type('set tcp_syncookies=9');
    await b.page.keyboard.press('Enter');
    await eventually(async () => expect(await term.innerText()).toContain('tcp_syncookies'), 15_000);
    await net.exec(['sh', '-c', `echo hello | nc -N -w 3 ${net.labAddr} 9000`]);
    await eventually(async () => expect(await b.page.locator('.console-pane .term').nth(1).innerText()).toContain('STATE'));
    await shot(b.page, '10-console');
  });

  it('the console\'s kernel shell runs in the lab\'s namespace: its curl reaches the lab', async () => {
    await view(b.page, '7');
    await b.page.getByRole('tab', { name: /Kernel shell/ }).click();
    const term = b.page.locator('.console-pane').nth(1).locator('.term').last();
    await term.locator('.xterm-rows').waitFor();
    await term.click();
    await b.page.keyboard.type(`curl -sS http://${net.labAddr}/ | head -c 60; echo; echo done-$((6*7))`);
    await b.page.keyboard.press('Enter');
    await eventually(async () => expect(await term.innerText()).toContain('done-42'), 15_000);
    expect(await term.innerText()).toContain('Hello from tcplab');
    await shot(b.page, '12-kernel-shell');
    await b.page.getByRole('tab', { name: /Live trace/ }).click();
  });

  it('switches to Chinese and the dark theme, by keyboard', async () => {
    await view(b.page, '1');
    await press(b.page, 'l');
    await press(b.page, 't');
    await eventually(async () => expect(await b.page.locator('html').getAttribute('lang')).toBe('zh-CN'));
    await eventually(async () => expect(await b.page.locator('nav.sidebar').innerText()).toContain('连接'));
    await shot(b.page, '11-zh-theme');
    await press(b.page, 'l');
    await press(b.page, 't');
    expect(b.errors).toEqual([]);
  });
});
