// What the desktop host tells the page in its URL (main/app.ts pageUrl), as the page shows it, in
// Chromium: the simulated wire's reason with the command that fixes it, and the line saying that
// this run made its own namespace and TUN (core/lab/ephemeral.ts) and how to reach the lab.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ephemeralNotice } from '../../core/lab/ephemeral.ts';
import type { FakeLab } from '../core/api/fake-lab.ts';
import { demoLab } from './demo-lab.ts';
import { hasChromium, openBrowser, serveWebLab, type Browsing, type WebLab } from './harness.ts';

describe.skipIf(!hasChromium)('the host\'s notes in the page (Chromium, FakeLab)', { timeout: 60_000 }, () => {
  let lab: FakeLab;
  let web: WebLab;
  let b: Browsing;

  beforeAll(async () => {
    lab = demoLab();
    web = await serveWebLab(lab);
    b = await openBrowser();
  }, 60_000);

  afterAll(async () => {
    await b?.close();
    await web?.close();
  });

  const open = async (hash: Record<string, string>): Promise<void> => {
    await b.page.goto(`${web.url}#${new URLSearchParams(hash).toString()}`);
    await b.page.locator('.lab-id').waitFor();
  };

  it('the ephemeral namespace: one line with the command that reaches the lab', async () => {
    await open({ notice: ephemeralNotice('tcplab-1234', 'tl1234', '10.77.0.1', '10.77.0.2') });
    const note = b.page.locator('[data-notice="ephemeral"]');
    expect(await note.innerText()).toMatch(/^nothing is set up here \(tcplab setup\), so this run has its own namespace tcplab-1234 with TUN tl1234/);
    expect(await note.innerText()).toContain('ip netns exec tcplab-1234 curl http://10.77.0.2/');
    expect(b.errors).toEqual([]);
  });

  it('the simulated fallback: its reason and the setup command; no ephemeral line', async () => {
    await open({ fallback: "the TUN device 'tcplab0' does not exist", setup: 'sudo tcplab setup --dev tcplab0 --user me' });
    const banner = b.page.locator('.banner.warn');
    expect(await banner.innerText()).toContain("the TUN device 'tcplab0' does not exist.");
    expect(await banner.locator('code.cmd').innerText()).toBe('sudo tcplab setup --dev tcplab0 --user me');
    expect(await b.page.locator('[data-notice="ephemeral"]').count()).toBe(0);
    expect(b.errors).toEqual([]);
  });
});
