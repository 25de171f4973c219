// The GUI by keyboard alone, and the console's kernel-side shell tab, in Chromium against the
// API's FakeLab (no TUN needed): filter, move, open the detail, mark, bulk RST with the
// confirmation, views by number; and a real pty shell reached from the page with its token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { loopbackOrigins } from '../../core/api/socket-auth.ts';
import { startKernelShell, type KernelShell } from '../../main/kernel-shell.ts';
import type { FakeLab } from '../core/api/fake-lab.ts';
import { demoLab } from './demo-lab.ts';
import { eventually, hasChromium, openBrowser, serveWebLab, shot, shotOf, type Browsing, type WebLab } from './harness.ts';

const active = (page: Page): Promise<string> => page.evaluate(() => {
  const el = document.activeElement;
  return el ? `${el.tagName.toLowerCase()}.${el.className}` : '';
});

describe.skipIf(!hasChromium)('the GUI by keyboard, and the kernel shell tab (Chromium, FakeLab)', { timeout: 90_000 }, () => {
  let lab: FakeLab;
  let web: WebLab;
  let shell: KernelShell;
  let b: Browsing;

  beforeAll(async () => {
    lab = demoLab({ connections: 12 });
    web = await serveWebLab(lab, { shell: true });
    const port = new URL(web.url).port;
    shell = await startKernelShell({ netnsPath: null, shell: '/bin/sh', allowedOrigins: loopbackOrigins(Number(port)) });
    b = await openBrowser();
    await b.page.goto(`${web.url}#shell=${encodeURIComponent(shell.url)}`);
    await b.page.locator('.tr').first().waitFor();
  }, 60_000);

  afterAll(async () => {
    await b?.close();
    await shell?.close();
    await web?.close();
  });

  it('filters, moves, opens the detail and marks rows without a mouse', async () => {
    const p = b.page;
    await p.keyboard.press('/');
    await eventually(async () => expect(await active(p)).toContain('input.filter'));
    await p.keyboard.type('port:80 state:established');
    await eventually(async () => expect(await p.locator('.tr').count()).toBe(7));
    await p.keyboard.press('Enter');
    expect(await active(p)).toContain('tbody');
    await p.keyboard.press('j');
    await p.keyboard.press('j');
    await eventually(async () => expect(await p.locator('.tr.cursor').getAttribute('data-conn')).toBe('5'));
    await p.keyboard.press('Enter');
    await p.locator('.detail').waitFor();
    await eventually(async () => expect(await p.locator('.detail h2').innerText()).toContain('5'));
    await p.keyboard.press('Escape');
    await p.locator('.detail').waitFor({ state: 'detached' });
    await p.locator('.tbody').focus();
    await p.keyboard.press(' ');
    await p.keyboard.press('j');
    await p.keyboard.press(' ');
    await eventually(async () => expect(await p.locator('.tr.marked').count()).toBe(2));
    await shot(p, '20-keyboard-marked');
  });

  it('bulk RST asks first; Esc cancels; Tab and Enter confirm', async () => {
    const p = b.page;
    const before = lab.snapshot().connections.length;
    await p.keyboard.press('R');
    await p.locator('[role="alertdialog"]').waitFor();
    expect(await active(p)).toContain('button');
    await p.keyboard.press('Escape');
    await p.locator('[role="alertdialog"]').waitFor({ state: 'detached' });
    expect(lab.snapshot().connections.length).toBe(before);
    await p.keyboard.press('R');
    await p.locator('[role="alertdialog"]').waitFor();
    await p.keyboard.press('Tab');
    expect(await p.evaluate(() => document.activeElement?.textContent)).toBe('Send RST');
    await p.keyboard.press('Enter');
    await eventually(async () => expect(lab.snapshot().connections.length).toBe(before - 2));
  });

  it('reaches every view by number and every control by Tab', async () => {
    const p = b.page;
    await p.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    for (const [key, cls] of [['2', 'listeners'], ['3', 'counters'], ['4', 'knobs'], ['5', 'faults'], ['6', 'pcap'], ['8', 'scenarios'], ['1', 'connections']] as const) {
      await p.keyboard.press(key);
      await p.locator(`main.view-${cls}`).waitFor();
    }
    // Tab walks the top bar, the views and the table; nothing traps it.
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      await p.keyboard.press('Tab');
      seen.add(await active(p));
    }
    expect([...seen].some((s) => s.includes('nav'))).toBe(true);
    expect([...seen].some((s) => s.includes('tbody'))).toBe(true);
    expect([...seen].some((s) => s.includes('filter'))).toBe(true);
  });

  it('keeps the state colours apart under colour-vision deficiencies (emulated), in both themes', async () => {
    const p = b.page;
    const cdp = await b.context.newCDPSession(p);
    await p.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await p.keyboard.press('1');
    await p.locator('.legend').waitFor();
    for (const theme of ['light', 'dark'] as const) {
      if ((await p.locator('html').getAttribute('data-theme')) !== theme) await p.keyboard.press('t');
      for (const type of ['none', 'deuteranopia', 'protanopia', 'tritanopia', 'achromatopsia'] as const) {
        await cdp.send('Emulation.setEmulatedVisionDeficiency', { type });
        await shotOf(p.locator('.legend'), `30-legend-${theme}-${type}`);
      }
    }
    await cdp.send('Emulation.setEmulatedVisionDeficiency', { type: 'none' });
    // Without colour, the markers still tell the roles apart.
    const markers = await p.locator('.legend .glyph').allTextContents();
    expect(new Set(markers).size).toBe(markers.length);
  });

  it('opens a shell on the kernel side from the console, when the host offers one', async () => {
    const p = b.page;
    await p.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await p.keyboard.press('7');
    await p.getByRole('tab', { name: /Kernel shell/ }).click();
    const term = p.locator('.console-pane').nth(1).locator('.term').last();
    await term.locator('.xterm-rows').waitFor();
    await term.click();
    await p.keyboard.type('echo kernel-side-$((6*7))');
    await p.keyboard.press('Enter');
    await eventually(async () => expect(await term.innerText()).toContain('kernel-side-42'));
    expect(shell.sessions()).toBe(1);
    await shot(p, '21-kernel-shell');
    expect(b.errors).toEqual([]);
  });
});
