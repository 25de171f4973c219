// Packet capture: start (bounded ring), stop, save as a .pcap file the browser downloads.
import { useState, type ReactNode } from 'react';
import { useStore, useT } from '../hooks.ts';

export function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export async function savePcap(store: ReturnType<typeof useStore>, t: ReturnType<typeof useT>): Promise<void> {
  const r = await store.call('pcapExport');
  if (!r.ok) return;
  const blob = new Blob([base64ToBytes(r.value.pcap) as BlobPart], { type: 'application/vnd.tcpdump.pcap' });
  const name = `tcplab-${new Date().toISOString().replace(/[:.]/g, '-')}.pcap`;
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  store.toast('ok', t('pcap.saved', { name, packets: r.value.packets }));
}

export function PcapView(): ReactNode {
  const store = useStore();
  const t = useT();
  const p = store.snapshot?.pcap;
  const [maxPackets, setMaxPackets] = useState('100000');
  const [ring, setRing] = useState(true);
  const [error, setError] = useState<string | null>(null);
  async function start(): Promise<void> {
    const r = await store.call('pcapStart', { maxPackets: Number(maxPackets), ring }, { quiet: true });
    setError(r.ok ? null : r.error.message);
  }
  return (
    <section className="page pcap" aria-label={t('view.pcap')}>
      <div className="card pcap-card">
        <div className={`rec ${p?.running ? 'on' : ''}`}>
          <span className="rec-dot" aria-hidden="true" />
          <b>{p?.running ? t('pcap.running') : t('pcap.idle')}</b>
        </div>
        {p && <p className="num">{t('pcap.stats', { packets: p.packets, bytes: p.bytes, maxPackets: p.maxPackets, maxBytes: p.maxBytes })}</p>}
        <div className="form-row">
          <label>maxPackets <input inputMode="numeric" value={maxPackets} onChange={(e) => setMaxPackets(e.target.value)} aria-invalid={error !== null} /></label>
          <label className="check"><input type="checkbox" checked={ring} onChange={(e) => setRing(e.target.checked)} /> ring (keep newest)</label>
        </div>
        <div className="form-row">
          <button className="solid" disabled={p?.running} onClick={() => void start()}>● {t('pcap.start')}</button>
          <button disabled={!p?.running} onClick={() => void store.call('pcapStop')}>■ {t('pcap.stop')}</button>
          <button onClick={() => void savePcap(store, t)}>⤓ {t('pcap.save')}</button>
        </div>
        <div className="field-error" role="alert">{error}</div>
        <p className="muted small">{t('pcap.hint')}</p>
      </div>
    </section>
  );
}
