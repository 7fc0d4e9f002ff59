// The parts of the IPC wiring that make decisions, free of Electron: who may call, and what crosses back.
// A call's answer is always a plain `{ result }` or `{ error: { code, message } }` — an exception thrown
// across IPC would carry a main-process stack (paths, internals) into the page, and lose its code.
import type { ErrorReply } from '../../shared/errors.ts';
import { isAppUrl } from '../../shared/trusted-url.ts';
import { StudioError, toStudioError } from '../engine/errors.ts';
import { redact } from '../engine/redact.ts';

export type CallReply = { result: unknown } | ErrorReply;

/** Only our own page, in the window's top frame, may call the engine (never an iframe, never another origin). */
export function isTrustedSender(
  frameUrl: string | null | undefined,
  appOrigin: string,
  isMainFrame: boolean,
): boolean {
  return isMainFrame === true && typeof frameUrl === 'string' && isAppUrl(frameUrl, appOrigin);
}

export interface CallOptions {
  secrets?: () => readonly string[];
  /** Told about failures that are not the contract's own (bugs, I/O errors) so they reach the log. */
  onUnexpected?: (method: string, err: unknown) => void;
}

/**
 * Runs one contract call and shapes its outcome for IPC. `dispatch` validates the input and throws a
 * StudioError whose code and message cross as they are; anything else is our bug, reported as INTERNAL.
 */
export async function callContract(
  dispatch: (method: string, input: unknown) => Promise<unknown>,
  method: unknown,
  input: unknown,
  opts: CallOptions = {},
): Promise<CallReply> {
  if (typeof method !== 'string' || method.length === 0 || method.length > 100) {
    return { error: { code: 'INVALID_INPUT', message: 'The call named no method.' } };
  }
  try {
    return { result: await dispatch(method, input) };
  } catch (err) {
    if (!(err instanceof StudioError)) opts.onUnexpected?.(method, err);
    const e = toStudioError(err, method);
    return { error: { code: e.code, message: redact(e.message, opts.secrets?.() ?? []) } };
  }
}

/** A fixed refusal for calls from anything but our own page; says nothing about why beyond that. */
export function untrustedReply(): ErrorReply {
  return { error: { code: 'FORBIDDEN', message: 'This page may not call Qwen Studio.' } };
}
