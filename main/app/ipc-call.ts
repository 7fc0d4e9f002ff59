// The parts of the IPC wiring that make decisions, free of Electron: who may call, and what crosses back.
// A call's answer is always a plain `{ result }` or `{ error: { code, message } }` — an exception thrown
// across IPC would carry a main-process stack (paths, internals) into the page.
import type { ContractError } from '../../shared/contract.ts';
import { isAppUrl } from '../../shared/trusted-url.ts';

export const CALL_CHANNEL = 'studio:call';
export const EVENT_CHANNEL = 'studio:event';

export type CallReply = { result: unknown } | ContractError;

/** Only our own page, in the window's top frame, may call the engine (never an iframe, never another origin). */
export function isTrustedSender(
  frameUrl: string | null | undefined,
  appOrigin: string,
  isMainFrame: boolean,
): boolean {
  return isMainFrame === true && typeof frameUrl === 'string' && isAppUrl(frameUrl, appOrigin);
}

/** Removes every secret (the API key) from a message before it leaves the main process. */
export function redact(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}

function errorCode(err: unknown): string | null {
  if (!err || typeof err !== 'object') return null;
  const code = (err as { code?: unknown }).code;
  const name = (err as { name?: unknown }).name;
  return name === 'ContractCallError' && typeof code === 'string' && code ? code : null;
}

export interface CallOptions {
  secrets?: () => readonly string[];
  /** Told about failures that are not the contract's own (bugs, I/O errors) so they reach the log. */
  onUnexpected?: (method: string, err: unknown) => void;
}

/**
 * Runs one contract call and shapes its outcome for IPC. `dispatch` validates the input and throws
 * `ContractCallError { code, message }` for anything a person should read; anything else is reported as
 * `internal` with its message only.
 */
export async function callContract(
  dispatch: (method: string, input: unknown) => Promise<unknown>,
  method: unknown,
  input: unknown,
  opts: CallOptions = {},
): Promise<CallReply> {
  const secrets = opts.secrets?.() ?? [];
  if (typeof method !== 'string' || method.length === 0 || method.length > 100) {
    return { error: { code: 'bad_request', message: 'The call named no method.' } };
  }
  try {
    return { result: await dispatch(method, input) };
  } catch (err) {
    const code = errorCode(err);
    if (!code) opts.onUnexpected?.(method, err);
    const raw = err instanceof Error ? err.message : String(err);
    const message = redact(raw || `${method} failed.`, secrets);
    return { error: { code: code ?? 'internal', message } };
  }
}

/** A fixed refusal for calls from anything but our own page; says nothing about why beyond that. */
export function untrustedReply(): ContractError {
  return { error: { code: 'forbidden', message: 'This page may not call Qwen Studio.' } };
}
