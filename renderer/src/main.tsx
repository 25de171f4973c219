// The renderer's entry: connect to the lab (Electron bridge or WebSocket), start the streams,
// render the app.
import '@xterm/xterm/css/xterm.css';
import './styles.css';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { StoreContext } from './hooks.ts';
import { connectLab, type HostInfo } from './lab/connect.ts';
import { LabStore, startStreams, type UiState } from './lab/store.ts';

function savedUi(): Partial<UiState> {
  try {
    const s = JSON.parse(localStorage.getItem('tcplab.ui') ?? '{}') as Partial<UiState>;
    const prefersLight = window.matchMedia?.('(prefers-color-scheme: light)').matches;
    const lang = s.lang ?? (navigator.language.startsWith('zh') ? 'zh' : 'en');
    return { theme: s.theme ?? (prefersLight ? 'light' : 'dark'), lang };
  } catch {
    return {};
  }
}

async function boot(): Promise<void> {
  const store = new LabStore(null, savedUi());
  (window as unknown as { tcplabStore: LabStore }).tcplabStore = store; // for tests and the benchmark
  const root = createRoot(document.getElementById('root') as HTMLElement);
  let host: HostInfo = { shellUrl: null, fallback: null, notice: null };
  const render = (): void => root.render(
    <StoreContext.Provider value={store}>
      <App {...host} />
    </StoreContext.Provider>,
  );
  render();
  try {
    const conn = await connectLab();
    host = { shellUrl: conn.shellUrl, fallback: conn.fallback, notice: conn.notice };
    render();
    await startStreams(store, conn.client);
  } catch (err) {
    store.disconnected(err instanceof Error ? err.message : String(err));
  }
}

void boot();
