// The native question asked before the API key goes to a new service address. Built here (typed against
// Electron's own d.ts) and shown by main.ts with dialog.showMessageBox: the page can request the change but
// only the person, in a window the page cannot draw or click, can allow it.
import type { MessageBoxOptions } from 'electron';

/** The button that allows the change; every other answer (Cancel, Escape, closing) keeps the old address. */
export const ALLOW_BUTTON = 1;

export function keyDestinationQuestion(url: string): MessageBoxOptions {
  const { host, protocol } = new URL(url);
  return {
    type: 'warning',
    title: 'Send your API key to another service?',
    message: `Send your API key to ${host}?`,
    detail:
      `Qwen Studio will send your key with every request to ${url}.` +
      (protocol === 'http:' ? ' This address is on this computer.' : '') +
      ' Only allow this if you set up that service yourself or trust whoever runs it.',
    buttons: ['Cancel', `Use ${host}`],
    defaultId: 0,
    cancelId: 0,
    noLink: true,
  };
}
