// Settings: the API key, the service address, the queue's concurrency, default parameters, the data folder
// and the theme. Each section saves on its own, so one mistake does not hold back the rest.
import { useEffect, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { DEFAULT_API_BASE } from '../../../shared/api.ts';
import { THEMES, type Theme } from '../../../shared/settings.ts';
import { api, errorMessage } from '../api.ts';
import { Icon } from '../components/Icon.tsx';
import { NegativePrompt, ParamsFields } from '../components/ParamsFields.tsx';
import { Segmented } from '../components/Segmented.tsx';
import {
  generationFromParams,
  negativeTooLong,
  paramsFromGeneration,
  type ParamsValue,
} from '../store/draft.ts';
import { useStudio } from '../store/index.ts';
import { ViewHeader } from './ViewHeader.tsx';
import { wholeNumberIn } from '../number-input.ts';

const STORAGE_TEXT = {
  os: 'Stored encrypted by your operating system’s keychain.',
  weak: 'Stored obfuscated: this system offers no keychain, so anyone with access to your account could read it.',
  env: 'Read from the environment (QWEN_STUDIO_API_KEY) for this run only.',
  none: 'Not stored.',
} as const;

function KeySection() {
  const { info, setInfo, toast } = useStudio(
    useShallow((s) => ({ info: s.info, setInfo: s.setInfo, toast: s.toast })),
  );
  const [key, setKey] = useState('');
  const [show, setShow] = useState(false);
  const [busy, setBusy] = useState<null | 'save' | 'clear' | 'test'>(null);
  const [result, setResult] = useState<{ ok: boolean; message: string } | null>(null);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy('save');
    setResult(null);
    try {
      setInfo(await api.call('key.set', { key }));
      setKey('');
      toast('success', 'API key saved.');
    } catch (err) {
      setResult({ ok: false, message: errorMessage(err) });
    } finally {
      setBusy(null);
    }
  };
  const clear = async () => {
    setBusy('clear');
    try {
      setInfo(await api.call('key.clear', {}));
      setResult(null);
      toast('info', 'API key removed.');
    } catch (err) {
      toast('error', errorMessage(err));
    } finally {
      setBusy(null);
    }
  };
  const test = async () => {
    setBusy('test');
    setResult(null);
    try {
      setResult(await api.call('key.test', {}));
    } catch (err) {
      setResult({ ok: false, message: errorMessage(err) });
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="card settings__card" aria-labelledby="key-title">
      <h2 id="key-title" className="card__title">
        API key
      </h2>
      <p className="muted">
        {info?.simulator
          ? 'Simulator mode: no key is used and nothing is charged. Save a real key to use skills.video.'
          : info?.hasKey
            ? `A key is set. ${STORAGE_TEXT[info.keyStorage]}`
            : 'No key yet. Create one in your skills.video dashboard and paste it here.'}
      </p>
      <form className="stack stack--sm" onSubmit={(e) => void save(e)}>
        <label className="field-label" htmlFor="api-key">
          {info?.hasKey && !info.simulator ? 'Replace the key' : 'Your API key'}
        </label>
        <div className="input-group">
          <input
            id="api-key"
            className="input mono"
            type={show ? 'text' : 'password'}
            autoComplete="off"
            spellCheck={false}
            placeholder="sk-…"
            value={key}
            onChange={(e) => setKey(e.target.value)}
          />
          <button type="button" className="btn" aria-pressed={show} onClick={() => setShow(!show)}>
            {show ? 'Hide' : 'Show'}
          </button>
        </div>
        <div className="row">
          <button
            type="submit"
            className="btn btn--primary"
            disabled={key.trim().length === 0 || busy !== null}
          >
            {busy === 'save' ? <span className="spinner" aria-hidden="true" /> : <Icon name="key" />} Save key
          </button>
          <button
            type="button"
            className="btn"
            onClick={() => void test()}
            disabled={busy !== null || !info?.hasKey}
          >
            {busy === 'test' ? <span className="spinner" aria-hidden="true" /> : <Icon name="wifi" />} Test
            connection
          </button>
          <button
            type="button"
            className="btn btn--ghost-danger"
            onClick={() => void clear()}
            disabled={busy !== null || !info?.hasKey}
          >
            Clear key
          </button>
        </div>
      </form>
      {result ? (
        <p className={`notice ${result.ok ? 'notice--success' : 'notice--danger'}`} role="status">
          <Icon name={result.ok ? 'check' : 'alert'} />
          <span>{result.message}</span>
        </p>
      ) : null}
    </section>
  );
}

function ConnectionSection() {
  const { settings, info, save } = useStudio(
    useShallow((s) => ({ settings: s.settings, info: s.info, save: s.saveSettings })),
  );
  const [base, setBase] = useState(settings?.apiBase ?? DEFAULT_API_BASE);
  const [conc, setConc] = useState(settings?.concurrency ?? 4);
  useEffect(() => {
    if (settings) {
      setBase(settings.apiBase);
      setConc(settings.concurrency);
    }
  }, [settings]);
  if (!settings) return null;
  const overridden = info && info.apiBase !== settings.apiBase;
  return (
    <section className="card settings__card" aria-labelledby="queue-title">
      <h2 id="queue-title" className="card__title">
        Queue
      </h2>
      <div className="field">
        <label className="field-label" htmlFor="concurrency">
          Generations at once
        </label>
        <div className="row">
          <input
            id="concurrency"
            className="input input--narrow"
            type="number"
            min={1}
            max={32}
            value={conc}
            onChange={(e) => setConc(wholeNumberIn(e.target.value, 1, 32))}
          />
          <button
            type="button"
            className="btn"
            disabled={conc === settings.concurrency}
            onClick={() => void save({ concurrency: conc })}
          >
            Apply
          </button>
        </div>
        <p className="hint">
          The queue halves this by itself when the service asks it to slow down, then grows back.
        </p>
      </div>
      <details className="advanced">
        <summary>Advanced: service address</summary>
        <div className="field">
          <label className="field-label" htmlFor="api-base">
            Base URL
          </label>
          <div className="input-group">
            <input
              id="api-base"
              className="input mono"
              value={base}
              onChange={(e) => setBase(e.target.value)}
              spellCheck={false}
            />
            <button
              type="button"
              className="btn"
              disabled={base === settings.apiBase}
              onClick={() => void save({ apiBase: base.trim() })}
            >
              Save
            </button>
          </div>
          <p className="hint">
            {overridden ? `This run uses ${info.apiBase} (set when the studio started). ` : ''}
            Default: {DEFAULT_API_BASE}.{' '}
            {settings.apiBase !== DEFAULT_API_BASE ? (
              <button type="button" className="link" onClick={() => void save({ apiBase: DEFAULT_API_BASE })}>
                Restore the default
              </button>
            ) : null}
          </p>
        </div>
      </details>
    </section>
  );
}

function DefaultsSection() {
  const { settings, save } = useStudio(useShallow((s) => ({ settings: s.settings, save: s.saveSettings })));
  const [value, setValue] = useState<ParamsValue>(paramsFromGeneration(settings?.defaults));
  const [dirty, setDirty] = useState(false);
  useEffect(() => {
    if (settings && !dirty) setValue(paramsFromGeneration(settings.defaults));
  }, [settings, dirty]);
  const update = (patch: Partial<ParamsValue>) => {
    setValue((v) => ({ ...v, ...patch }));
    setDirty(true);
  };
  return (
    <section className="card settings__card" aria-labelledby="defaults-title">
      <h2 id="defaults-title" className="card__title">
        Default parameters
      </h2>
      <p className="muted">New batches in Compose start with these.</p>
      <ParamsFields value={value} onChange={update} />
      <NegativePrompt
        id="default-negative"
        value={value.negative}
        onChange={(negative) => update({ negative })}
      />
      <div className="row">
        <button
          type="button"
          className="btn btn--primary"
          disabled={!dirty || negativeTooLong(value)}
          onClick={() =>
            void save({ defaults: generationFromParams(value) }).then((ok) => {
              if (ok) setDirty(false);
            })
          }
        >
          Save defaults
        </button>
      </div>
    </section>
  );
}

function AppearanceSection() {
  const { settings, save } = useStudio(useShallow((s) => ({ settings: s.settings, save: s.saveSettings })));
  return (
    <section className="card settings__card" aria-labelledby="look-title">
      <h2 id="look-title" className="card__title">
        Appearance
      </h2>
      <Segmented<Theme>
        label="Theme"
        value={settings?.theme ?? 'system'}
        options={THEMES.map((t) => ({
          value: t,
          label: t === 'system' ? 'System' : t === 'light' ? 'Light' : 'Dark',
        }))}
        onChange={(theme) => void save({ theme })}
      />
    </section>
  );
}

function DataFolderSection() {
  const { info, toast } = useStudio(useShallow((s) => ({ info: s.info, toast: s.toast })));
  return (
    <section className="card settings__card" aria-labelledby="data-title">
      <h2 id="data-title" className="card__title">
        Data folder
      </h2>
      <p className="muted">The database, the library’s images and the stored reference images live here.</p>
      <div className="input-group">
        <input className="input mono" readOnly value={info?.dataDir ?? ''} aria-label="Data folder" />
        <button
          type="button"
          className="btn"
          onClick={() =>
            void navigator.clipboard.writeText(info?.dataDir ?? '').then(
              () => toast('success', 'Path copied.'),
              () => toast('error', 'The clipboard is not available here.'),
            )
          }
        >
          <Icon name="copy" /> Copy
        </button>
      </div>
      <p className="hint">Qwen Studio {info?.version}</p>
    </section>
  );
}

export function SettingsView() {
  return (
    <main className="view view--settings" aria-labelledby="view-title">
      <ViewHeader title="Settings" />
      <div className="settings">
        <div className="settings__col">
          <KeySection />
          <ConnectionSection />
          <AppearanceSection />
        </div>
        <div className="settings__col">
          <DefaultsSection />
          <DataFolderSection />
        </div>
      </div>
    </main>
  );
}
