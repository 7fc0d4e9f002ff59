// The effective theme on <html data-theme>: the setting, or the system's while the setting is "system"
// (followed live, so switching the OS appearance repaints the open window).
import type { Theme } from '../../shared/settings.ts';

const systemDark = window.matchMedia('(prefers-color-scheme: dark)');

export function applyTheme(setting: Theme): void {
  const dark = setting === 'dark' || (setting === 'system' && systemDark.matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}

/** Applies `setting` now and again whenever the system appearance changes; returns the unsubscribe. */
export function followTheme(setting: Theme): () => void {
  applyTheme(setting);
  const onChange = () => applyTheme(setting);
  systemDark.addEventListener('change', onChange);
  return () => systemDark.removeEventListener('change', onChange);
}
