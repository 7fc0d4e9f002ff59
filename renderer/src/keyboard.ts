// Shortcut labels and checks: ⌘ on macOS, Ctrl elsewhere.
const isMac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

export function modKey(): string {
  return isMac ? '⌘' : 'Ctrl+';
}

export function hasMod(e: { ctrlKey: boolean; metaKey: boolean }): boolean {
  return isMac ? e.metaKey : e.ctrlKey;
}

/**
 * True while an input method (Chinese pinyin, Japanese kana…) is composing: Enter then picks a candidate,
 * so it must never submit, run or close anything. Chromium reports keyCode 229 for the keys it handles.
 */
export function isComposing(e: {
  nativeEvent?: { isComposing?: boolean };
  keyCode?: number;
  isComposing?: boolean;
}): boolean {
  return Boolean(e.nativeEvent?.isComposing ?? e.isComposing) || e.keyCode === 229;
}
