// Small line icons drawn as SVG (the page loads no fonts or images, and symbol glyphs such as
// ⏭ or 🐢 are missing from many systems' fonts).
import type { ReactNode } from 'react';

export type IconName = 'pause' | 'play' | 'step' | 'slow' | 'clock' | 'replay';

const PATHS: Record<IconName, ReactNode> = {
  pause: <><rect x="3" y="2.5" width="3.2" height="11" rx="1" /><rect x="9.8" y="2.5" width="3.2" height="11" rx="1" /></>,
  play: <path d="M4 2.5 L13.5 8 L4 13.5 Z" />,
  step: <><path d="M2.5 2.5 L10 8 L2.5 13.5 Z" /><rect x="11" y="2.5" width="2.6" height="11" rx="1" /></>,
  // Slow motion: a snail (shell, body, feeler).
  slow: <><circle cx="9.2" cy="8" r="4.1" fill="none" stroke="currentColor" strokeWidth="1.6" /><circle cx="9.2" cy="8" r="1.5" /><path d="M1.6 13 H14.6 M3.4 13 V9.6 L2 7.4" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" /></>,
  clock: <><circle cx="8" cy="8.5" r="5.6" fill="none" stroke="currentColor" strokeWidth="1.5" /><path d="M8 5.4 V8.7 L10.3 10" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" /><rect x="6.5" y="1" width="3" height="1.6" rx="0.6" /></>,
  replay: <><path d="M3.2 8 A4.8 4.8 0 1 0 5 4.3" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" /><path d="M2.2 2.6 L5.8 3.2 L4.6 6.4 Z" /><path d="M6.8 5.8 L10.6 8 L6.8 10.2 Z" /></>,
};

export function Icon({ name, size = 14 }: { name: IconName; size?: number }): ReactNode {
  return (
    <svg className={`icon-svg icon-${name}`} width={size} height={size} viewBox="0 0 16 16" fill="currentColor" aria-hidden="true" focusable="false">
      {PATHS[name]}
    </svg>
  );
}
