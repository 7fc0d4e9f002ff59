// The page's only way to the engine. In the app the preload exposes `window.studio`; in a browser the same
// contract goes over the loopback bridge (fetch for calls, one WebSocket for events), authorised by the
// token the bridge printed in the page's URL.
import type { EventName, EventPayloads, Input, Method, Output, StudioApi } from '../../shared/contract.ts';
import { i18n } from './i18n/index.ts';

/** A failed call, with the engine's message (written for people) and the contract's error code. */
export class StudioCallError extends Error {
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.name = 'StudioCallError';
    this.code = code;
  }
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

type Listener = (payload: never) => void;

function bridgeApi(): StudioApi & { onConnection(fn: (s: ConnectionState) => void): () => void } {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const listeners = new Map<EventName, Set<Listener>>();
  const connectionListeners = new Set<(s: ConnectionState) => void>();
  let state: ConnectionState = 'connecting';
  let retryMs = 500;

  const setState = (next: ConnectionState) => {
    if (next === state) return;
    state = next;
    for (const fn of connectionListeners) fn(next);
  };

  const connect = () => {
    const ws = new WebSocket(`ws://${location.host}/api/events?token=${encodeURIComponent(token)}`);
    ws.onopen = () => {
      retryMs = 500;
      setState('open');
    };
    ws.onmessage = (msg) => {
      let frame: { event: EventName; payload: unknown };
      try {
        frame = JSON.parse(String(msg.data)) as typeof frame;
      } catch {
        return;
      }
      for (const fn of listeners.get(frame.event) ?? []) (fn as (p: unknown) => void)(frame.payload);
    };
    ws.onclose = () => {
      setState('closed');
      // The bridge restarts or the laptop sleeps: keep trying, a little slower each time.
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
  };
  connect();

  return {
    async call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>> {
      let res: Response;
      try {
        res = await fetch(`/api/call/${encodeURIComponent(method)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-studio-token': token },
          body: JSON.stringify(input ?? {}),
        });
      } catch {
        throw new StudioCallError('The studio engine is not reachable.', 'OFFLINE');
      }
      const body = (await res.json().catch(() => null)) as
        { result: Output<M> } | { error: { message: string; code: string } } | null;
      if (!body)
        throw new StudioCallError(`The engine answered ${res.status} without a readable body.`, 'FAILED');
      if ('error' in body) throw new StudioCallError(body.error.message, body.error.code);
      return body.result;
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as Listener);
      return () => set.delete(listener as Listener);
    },
    mediaUrl(kind: 'asset' | 'thumb' | 'ref', id: number | string) {
      return `/media/${kind}/${encodeURIComponent(String(id))}?token=${encodeURIComponent(token)}`;
    },
    onConnection(fn) {
      connectionListeners.add(fn);
      fn(state);
      return () => connectionListeners.delete(fn);
    },
  };
}

function createApi(): StudioApi & { onConnection(fn: (s: ConnectionState) => void): () => void } {
  const preload = window.studio;
  if (preload) {
    // IPC is in-process: there is no connection to lose.
    return {
      call: (m, i) => preload.call(m, i),
      on: (e, l) => preload.on(e, l),
      mediaUrl: (k, id) => preload.mediaUrl(k, id),
      onConnection: (fn) => {
        fn('open');
        return () => {};
      },
    };
  }
  return bridgeApi();
}

export const api = createApi();

/**
 * The message to show for any thrown value, in the UI's language: a code the UI has words for is
 * translated (`errors.<code>`, with the engine's message as `{{message}}`), anything else is shown as the
 * engine wrote it (IPC wraps errors in "Error invoking remote method …: ", which is removed).
 */
export function errorMessage(err: unknown): string {
  const code = err instanceof StudioCallError ? err.code : null;
  const raw = err instanceof Error ? err.message : String(err);
  if (code && i18n.exists(`errors.${code}`)) return i18n.t(`errors.${code}`, { message: raw });
  return raw.replace(/^Error invoking remote method '[^']+': (\w*Error: )?/, '');
}
