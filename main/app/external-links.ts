// The one way out of the app to the web: an https link, parsed and checked, handed to the OS's browser.
import { shell } from 'electron';
import { safeExternalUrl } from '../../shared/trusted-url.ts';

/** Opens `url` in the default browser when it is a plain https link; returns whether it did. */
export async function openExternal(url: string, onRefused?: (url: string) => void): Promise<boolean> {
  const safe = safeExternalUrl(url);
  if (!safe) {
    onRefused?.(url.slice(0, 200));
    return false;
  }
  await shell.openExternal(safe, { activate: true });
  return true;
}
