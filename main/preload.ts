// The page's only door to the engine: `window.studio`, implementing the contract's PreloadApi over two IPC
// channels. Nothing raw crosses (no ipcRenderer, no event objects), and the file stays tiny: it runs in the
// sandboxed preload, which can require only `electron`, so electron-vite bundles it to one CommonJS file.
import { contextBridge, ipcRenderer } from 'electron';
import type { PreloadApi } from '../shared/contract.ts';
import { CALL_CHANNEL, EVENT_CHANNEL } from './app/ipc-channels.ts';
import { mediaUrl } from '../shared/media-url.ts';
import { isPageEvent } from './app/page-events.ts';

type Listener = (payload: unknown) => void;
const listeners = new Map<string, Set<Listener>>();

ipcRenderer.on(EVENT_CHANNEL, (_event, name: unknown, payload: unknown) => {
  if (!isPageEvent(name)) return;
  for (const listener of listeners.get(name) ?? []) {
    try {
      listener(payload);
    } catch (err) {
      // One broken view must not stop the others from hearing about the event.
      console.error(`studio.on('${name}') listener failed`, err);
    }
  }
});

const api: PreloadApi = {
  // The reply is passed on as it came (a plain `{ result }` or `{ error: { code, message } }`): a thrown
  // Error would lose its code on the context bridge. The page's contract client turns it into an error.
  call: (method, input) => ipcRenderer.invoke(CALL_CHANNEL, method, input),
  on(event, listener) {
    if (!isPageEvent(event) || typeof listener !== 'function') {
      throw new Error(`Unknown event: ${String(event).slice(0, 40)}`);
    }
    const set = listeners.get(event) ?? new Set<Listener>();
    listeners.set(event, set);
    const l = listener as Listener;
    set.add(l);
    return () => {
      set.delete(l);
    };
  },
  mediaUrl(kind, id) {
    return mediaUrl(kind, id);
  },
};

contextBridge.exposeInMainWorld('studio', api);
