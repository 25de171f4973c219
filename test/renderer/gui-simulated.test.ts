// The Scenarios view on a lab without a TUN (the simulated wire, as `tcplab serve --simulated`
// or the desktop app's fallback runs it), in Chromium; no root needed. The picker says
// beforehand which scenarios need the real kernel and why they refuse here, and that for the
// others the lab's own stack plays the kernel; a refused run shows its verdict and the reason;
// keyboard: 8, j/k, Enter, i.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab } from '../../core/lab/create.ts';
import type { Lab } from '../../core/lab/lab.ts';
import { eventually, hasChromium, openBrowser, press, serveWebLab, shotsInAllLooks, until, type Browsing, type WebLab } from './harness.ts';

describe.skipIf(!hasChromium)('the Scenarios view on the simulated wire (Chromium, no TUN)', { timeout: 90_000 }, () => {
  let lab: Lab;
  let web: WebLab;
  let b: Browsing;

  beforeAll(async () => {
    lab = createLab({ simulated: true, seed: 7 });
    web = await serveWebLab(lab);
    b = await openBrowser();
    await b.page.goto(web.url);
    await b.page.locator('.lab-id').waitFor();
  }, 60_000);

  afterAll(async () => {
    await b?.close();
    await web?.close();
    lab?.close();
  });

  it('explains beforehand why a kernel-only scenario refuses here, and shows the refusal when run', async () => {
    const p = b.page;
    await press(p, '8');
    const list = p.locator('.scn-list');
    await eventually(async () => expect(await list.locator('.scn-item').count()).toBe(15));
    // Keyboard: the first one is chosen; j moves down.
    await eventually(async () => expect(await list.locator('.scn-item[aria-selected="true"]').getAttribute('data-scenario')).toBe('handshake'));
    await press(p, 'j');
    await eventually(async () => expect(await list.locator('.scn-item[aria-selected="true"]').getAttribute('data-scenario')).toBe('close'));
    expect(await p.locator('.scn-panel .note.sim').innerText()).toMatch(/second copy of the lab's own stack plays the kernel/);

    await list.locator('.scn-item[data-scenario="syn-flood"]').click();
    const panel = p.locator('.scn-panel[data-scenario="syn-flood"]');
    await panel.waitFor();
    expect(await panel.locator('.needs').first().innerText()).toBe('needs the real kernel');
    expect(await panel.locator('.note.refuse').innerText()).toMatch(/^Refused on this simulated wire: it runs Linux's own tools/);
    // i: the explanation in the other language.
    await press(p, 'i');
    await eventually(async () => expect(await panel.locator('.scn-explain').getAttribute('lang')).toBe('zh-CN'));
    await press(p, 'i');
    await press(p, 'Enter');
    await until('the refusal', () => lab.snapshot().scenario?.verdict === 'refused', 30_000);
    await eventually(async () => expect(await panel.locator('.verdict').getAttribute('data-verdict')).toBe('refused'));
    expect(await panel.locator('.verdict').innerText()).toMatch(/^!\s*refused: it cannot run here/);
    expect(await list.locator('.scn-item[data-scenario="syn-flood"] .scn-mark').innerText()).toBe('!');
    await shotsInAllLooks(p, '50-scenario-refused-simulated', () => p.locator('main'), { height: 1100 });
    expect(b.errors).toEqual([]);
  });
});
