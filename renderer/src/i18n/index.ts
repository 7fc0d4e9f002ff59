// The UI's languages: English and Simplified Chinese, one i18next instance. The language follows the system
// (Electron's locale through app.info, the browser's own in the bridge) unless Settings names one.
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { Language } from '../../../shared/settings.ts';
import en from './en.json';
import enCompare from './en.compare.json';
import enPower from './en.power.json';
import zhCNPower from './zh-CN.power.json';
import zhCNSyntax from './zh-CN.syntax.json';
import zhCN from './zh-CN.json';
import zhCNCompare from './zh-CN.compare.json';

export const LANGUAGES = ['en', 'zh-CN'] as const;
export type UiLanguage = (typeof LANGUAGES)[number];

export const i18n = i18next.createInstance();
void i18n.use(initReactI18next).init({
  // Batch power (sweeps, wildcards, presets, steering) keeps its strings in its own files, under `power`;
  // compare and pick the best in theirs, under `compare` and `pick`.
  resources: {
    en: { translation: { ...en, ...enPower, ...enCompare } },
    'zh-CN': { translation: { ...zhCN, ...zhCNPower, ...zhCNCompare }, syntax: zhCNSyntax },
  },
  lng: systemLanguage(globalThis.navigator?.language),
  fallbackLng: 'en',
  supportedLngs: [...LANGUAGES],
  // React escapes what it renders; i18next escaping on top would show &quot; in prompts.
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
});

/** The supported language closest to a BCP 47 tag: any Chinese reads Simplified Chinese, else English. */
export function systemLanguage(locale: string | null | undefined): UiLanguage {
  return locale && /^zh\b/i.test(locale) ? 'zh-CN' : 'en';
}

/** Applies the Settings choice ('system' follows `locale`) and marks the page's language for fonts and screen readers. */
export function applyLanguage(choice: Language, locale: string | null | undefined): void {
  const lng = choice === 'system' ? systemLanguage(locale ?? globalThis.navigator?.language) : choice;
  if (i18n.language !== lng) void i18n.changeLanguage(lng);
  if (typeof document !== 'undefined') document.documentElement.lang = lng;
}

export const t = i18n.t.bind(i18n);

/**
 * The meaning of one search-syntax row in the UI's language. The rows come from the engine (so the help
 * never disagrees with the parser) in English; they are translated by their syntax, English as fallback.
 */
export function syntaxMeaning(entry: { syntax: string; meaning: string }): string {
  return i18n.t(entry.syntax, {
    ns: 'syntax',
    keySeparator: false,
    nsSeparator: false,
    defaultValue: entry.meaning,
  });
}
