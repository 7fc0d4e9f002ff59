// The Electron transport of the contract: one invoke channel for calls, one push channel for events. Every
// call is checked to come from our page in our window's top frame before the engine sees it; validation
// and error shaping happen in handlers.ts (dispatch) and ipc-call.ts.
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { dispatch, subscribeEvents, type Handlers } from '../engine/handlers.ts';
import type { Studio } from '../engine/studio.ts';
import { callContract, isTrustedSender, untrustedReply } from './ipc-call.ts';
import { CALL_CHANNEL, EVENT_CHANNEL } from './ipc-channels.ts';
import type { PageEventName } from './page-events.ts';

export interface IpcOptions {
  handlers: Handlers;
  appOrigin: string;
  /** The window whose page may call; null while there is none (macOS keeps running without one). */
  window: () => BrowserWindow | null;
  secrets: () => readonly string[];
  log: (message: string, fields?: Record<string, unknown>) => void;
}

function trusted(event: IpcMainInvokeEvent, win: BrowserWindow | null, appOrigin: string): boolean {
  if (!win || win.isDestroyed() || event.sender !== win.webContents) return false;
  const frame = event.senderFrame;
  return isTrustedSender(frame?.url, appOrigin, frame !== null && frame === win.webContents.mainFrame);
}

/** Registers the call channel; returns a function that removes it. */
export function wireIpc(opts: IpcOptions): () => void {
  ipcMain.handle(CALL_CHANNEL, async (event, method: unknown, input: unknown) => {
    if (!trusted(event, opts.window(), opts.appOrigin)) {
      opts.log('IPC call refused: not from our page', { url: event.senderFrame?.url.slice(0, 200) ?? null });
      return untrustedReply();
    }
    return callContract((m, i) => dispatch(opts.handlers, m, i), method, input, {
      secrets: opts.secrets,
      onUnexpected: (m, err) =>
        opts.log('IPC call failed unexpectedly', {
          method: m,
          error: err instanceof Error ? err.message : String(err),
        }),
    });
  });
  return () => ipcMain.removeHandler(CALL_CHANNEL);
}

/** Sends one event to the window's page, if it is still there to hear it. */
export function sendToPage(win: BrowserWindow | null, name: PageEventName, payload: unknown): void {
  if (!win || win.isDestroyed() || win.webContents.isDestroyed()) return;
  win.webContents.send(EVENT_CHANNEL, name, payload);
}

/** Forwards the studio's events to whichever window is current; returns the unsubscribe function. */
export function forwardEvents(studio: Studio, window: () => BrowserWindow | null): () => void {
  return subscribeEvents(studio, (name, payload) => sendToPage(window(), name, payload));
}
