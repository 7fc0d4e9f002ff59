// Shortcut labels and checks: ⌘ on macOS, Ctrl elsewhere.
const isMac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

export function modKey(): string {
  return isMac ? '⌘' : 'Ctrl+';
}

export function hasMod(e: { ctrlKey: boolean; metaKey: boolean }): boolean {
  return isMac ? e.metaKey : e.ctrlKey;
}
