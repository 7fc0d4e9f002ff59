// The page's only way to the engine. In the app the preload exposes `window.studio`; in a browser the same
// contract goes over the loopback bridge (fetch for calls, one WebSocket for events), authorised by the
// token the bridge printed in the page's URL. Either way a failed call becomes a StudioCallError carrying
// the engine's code (shared/errors.ts) and its message, written for people.
import type {
  CallReply,
  EventName,
  EventPayloads,
  Input,
  Method,
  Output,
  StudioApi,
} from '../../shared/contract.ts';
import { isErrorCode, type ErrorCode } from '../../shared/errors.ts';
import { i18n } from './i18n/index.ts';
import type { ConnectionState } from './connection.ts';

export type { ConnectionState };

/** A failed call: the engine's stable code and its message. */
export class StudioCallError extends Error {
  readonly code: ErrorCode;
  constructor(message: string, code: ErrorCode) {
    super(message);
    this.name = 'StudioCallError';
    this.code = code;
  }
}

/** The result of a reply, or its error thrown as a StudioCallError. */
function unwrap<M extends Method>(reply: CallReply<M> | null, status: number | null): Output<M> {
  if (reply && 'result' in reply) return reply.result;
  if (reply && 'error' in reply) {
    const { code, message } = reply.error;
    throw new StudioCallError(message, isErrorCode(code) ? code : 'INTERNAL');
  }
  throw new StudioCallError(
    `The engine answered${status === null ? '' : ` ${status}`} without a readable body.`,
    'INTERNAL',
  );
}

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
      const body = (await res.json().catch(() => null)) as CallReply<M> | null;
      return unwrap(body, res.status);
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as Listener);
      return () => set.delete(listener as Listener);
    },
    mediaUrl(kind: 'asset' | 'thumb' | 'tile' | 'ref', id: number | string) {
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
      call: async (m, i) => unwrap(await preload.call(m, i), null),
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
 * engine wrote it.
 */
export function errorMessage(err: unknown): string {
  const code = err instanceof StudioCallError ? err.code : null;
  const raw = err instanceof Error ? err.message : String(err);
  if (code && i18n.exists(`errors.${code}`)) return i18n.t(`errors.${code}`, { message: raw });
  return raw;
}
