// Settings, the API key and the service address: what the person chose, this process's overrides on top,
// and the one API client built from them.
import { settingsSchema, type Settings, type SettingsPatch } from '../../../shared/settings.ts';
import { ApiError } from '../api/errors.ts';
import { SkillsClient } from '../api/client.ts';
import type { SettingsStore } from '../store/settings.ts';

export interface SettingsOptions {
  /** The API key, or a function returning it (the app reads it from safeStorage). Never stored in SQLite. */
  apiKey?: string | null | (() => string | null);
  /** Overrides the settings' base URL (a CLI flag or environment variable). */
  apiBase?: string | null;
  /** Settings for this process only (CLI flags such as --concurrency), never saved. */
  overrides?: Partial<Settings>;
  /** Called after anything here changed (the scheduler re-reads its limits and its client). */
  onChange: () => void;
}

export class SettingsService {
  private key: string | null;
  private baseOverride: string | null = null;
  private clientCache: { key: string; base: string; workspace: string; client: SkillsClient } | null = null;

  private readonly store: SettingsStore;
  private readonly opts: SettingsOptions;

  constructor(store: SettingsStore, opts: SettingsOptions) {
    this.store = store;
    this.opts = opts;
    this.key = typeof opts.apiKey === 'string' ? opts.apiKey : null;
  }

  /** The saved settings with this process's overrides on top. */
  get(): Settings {
    const saved = this.saved();
    return this.opts.overrides ? { ...saved, ...this.opts.overrides } : saved;
  }

  saved(): Settings {
    const parsed = settingsSchema.safeParse(this.store.all());
    // A damaged settings row must not brick the app: fall back to defaults for the whole object.
    return parsed.success ? parsed.data : settingsSchema.parse({});
  }

  update(patch: SettingsPatch): Settings {
    const next = settingsSchema.parse({ ...this.saved(), ...patch });
    this.store.set(next);
    this.opts.onChange();
    return this.get();
  }

  apiBase(): string {
    return this.baseOverride || this.opts.apiBase || this.get().apiBase;
  }

  /** Points this process at another service (the local simulator of "try without a key"); null restores. */
  setApiBaseOverride(base: string | null): void {
    this.baseOverride = base;
    this.opts.onChange();
  }

  apiKey(): string | null {
    if (typeof this.opts.apiKey === 'function') return this.opts.apiKey() || null;
    return this.key;
  }

  /** Only in memory here; the app persists it with safeStorage, the CLI reads it from the environment. */
  setApiKey(key: string | null): void {
    this.key = key && key.trim() ? key.trim() : null;
    this.opts.onChange();
  }

  client(): SkillsClient | null {
    const key = this.apiKey();
    if (!key) return null;
    const base = this.apiBase();
    const { workspace } = this.get();
    const cached = this.clientCache;
    if (cached && cached.key === key && cached.base === base && cached.workspace === workspace)
      return cached.client;
    void cached?.client.close();
    const client = new SkillsClient({ baseUrl: base, apiKey: key, workspace });
    this.clientCache = { key, base, workspace, client };
    return client;
  }

  /** Checks the key and base URL with the cheapest call there is (the running list). */
  async testConnection(): Promise<{ ok: boolean; message: string }> {
    const client = this.client();
    if (!client)
      return { ok: false, message: 'No API key is set. Paste the key from your skills.video dashboard.' };
    try {
      const running = await client.running(1);
      return {
        ok: true,
        message: `Connected to ${this.apiBase()} (${running.length ? 'generations running' : 'nothing running'}).`,
      };
    } catch (err) {
      const msg = err instanceof ApiError ? err.message : String(err);
      return { ok: false, message: msg };
    }
  }

  async close(): Promise<void> {
    await this.clientCache?.client.close();
    this.clientCache = null;
  }
}
