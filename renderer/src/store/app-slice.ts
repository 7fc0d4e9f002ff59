// App-wide state: who we are talking to (info, settings), which area is open, the connection, and toasts.
import type { AppInfo } from '../../../shared/contract.ts';
import type { Settings, SettingsPatch } from '../../../shared/settings.ts';
import { api, errorMessage, type ConnectionState } from '../api.ts';
import { applyLanguage, t } from '../i18n/index.ts';
import { ToastTimers } from './toast-timers.ts';
import type { Slice } from './types.ts';

export const AREAS = ['compose', 'queue', 'library', 'settings'] as const;
export type Area = (typeof AREAS)[number];

export interface Toast {
  id: number;
  kind: 'info' | 'success' | 'error';
  message: string;
  action?: { label: string; run: () => void };
}

export interface AppSlice {
  booted: boolean;
  bootError: string | null;
  info: AppInfo | null;
  settings: Settings | null;
  area: Area;
  /** The person chose to look around before setting a key. */
  skippedSetup: boolean;
  connection: ConnectionState;
  toasts: Toast[];
  /** Bumped each time something outside the Library opens it on a search (the view starts afresh). */
  libraryVisit: number;

  boot(): Promise<void>;
  setArea(area: Area): void;
  /**
   * Opens the Library on a search (a batch card's "Open in Library": `batch:#12`); with an image, that image
   * selected and its details open, as a click on its tile does (a job's thumbnail in the Queue).
   */
  openLibrary(query: string, assetId?: number): void;
  skipSetup(): void;
  setInfo(info: AppInfo): void;
  saveSettings(patch: SettingsPatch): Promise<boolean>;
  setConnection(state: ConnectionState): void;
  toast(kind: Toast['kind'], message: string, action?: Toast['action']): void;
  dismissToast(id: number): void;
  /** The pointer or the focus is on a toast: its time stops (releaseToast gives it its whole time again). */
  holdToast(id: number): void;
  releaseToast(id: number): void;
}

let toastSeq = 0;
const TOAST_MS = { info: 5000, success: 5000, error: 9000 } as const;
const ACTION_TOAST_MS = 12_000;
const MAX_TOASTS = 3;
const toastTimers = new ToastTimers();

export const createAppSlice: Slice<AppSlice> = (set, get) => ({
  booted: false,
  bootError: null,
  info: null,
  settings: null,
  area: 'compose',
  skippedSetup: false,
  connection: 'connecting',
  toasts: [],
  libraryVisit: 0,

  async boot() {
    set({ bootError: null });
    try {
      const [info, settings] = await Promise.all([api.call('app.info', {}), api.call('settings.get', {})]);
      applyLanguage(settings.language, info.locale);
      set({ info, settings, booted: true });
      get().resetDraft(settings.defaults);
      await Promise.all([
        get().refreshQueue(),
        get().searchLibrary(get().libraryQuery),
        get().loadLibraryMeta(),
      ]);
    } catch (err) {
      set({ bootError: errorMessage(err) });
    }
  },

  setArea(area) {
    set({ area });
  },

  openLibrary(query, assetId) {
    void get().searchLibrary(query);
    if (assetId !== undefined) get().selectOnly(assetId);
    void get().selectAsset(assetId ?? null);
    set((s) => ({ area: 'library', libraryVisit: s.libraryVisit + 1 }));
  },

  skipSetup() {
    set({ skippedSetup: true });
  },

  setInfo(info) {
    set({ info });
  },

  async saveSettings(patch) {
    try {
      const settings = await api.call('settings.update', patch);
      const info = await api.call('app.info', {});
      applyLanguage(settings.language, info.locale);
      set({ settings, info });
      return true;
    } catch (err) {
      get().toast('error', t('settings.notSaved', { error: errorMessage(err) }));
      return false;
    }
  },

  setConnection(connection) {
    const was = get().connection;
    set({ connection });
    // Events sent while the socket was down are lost: read the current state again.
    if (connection === 'open' && was === 'closed' && get().booted) {
      void get().refreshQueue();
      void get().searchLibrary(get().libraryQuery);
      void get().loadLibraryMeta();
    }
  },

  toast(kind, message, action) {
    const id = ++toastSeq;
    // The same message again replaces the old one, and at most MAX_TOASTS are shown: they never pile up.
    set((s) => ({
      toasts: [
        ...s.toasts.filter((t) => t.message !== message).slice(-(MAX_TOASTS - 1)),
        { id, kind, message, ...(action ? { action } : {}) },
      ],
    }));
    // A toast with an action (Undo) stays long enough to reach for it.
    toastTimers.start(id, action ? ACTION_TOAST_MS : TOAST_MS[kind], () => get().dismissToast(id));
  },

  dismissToast(id) {
    toastTimers.stop(id);
    set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
  },

  holdToast(id) {
    toastTimers.hold(id);
  },

  releaseToast(id) {
    toastTimers.release(id);
  },
});
