// Settings: the API key, the service address, the queue's concurrency, default parameters, the data folder
// and the theme. Each section saves on its own, so one mistake does not hold back the rest.
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { DEFAULT_API_BASE } from '../../../shared/api.ts';
import { LANGUAGE_CHOICES, THEMES, type Language, type Theme } from '../../../shared/settings.ts';
import { api, errorMessage } from '../api.ts';
import { Field } from '../components/Field.tsx';
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

function KeySection() {
  const { t } = useTranslation();
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
      toast('success', t('settings.keySaved'));
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
      toast('info', t('settings.keyRemoved'));
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
        {t('settings.keyTitle')}
      </h2>
      <p className="muted">
        {info?.simulator
          ? t('settings.keySimulator')
          : info?.hasKey
            ? t('settings.keySet', { storage: t(`settings.storage.${info.keyStorage}`) })
            : t('settings.keyNone')}
      </p>
      <form className="stack stack--sm" onSubmit={(e) => void save(e)}>
        <Field
          id="api-key"
          loose
          label={info?.hasKey && !info.simulator ? t('settings.replaceKey') : t('settings.yourKey')}
        >
          {(control) => (
            <div className="input-group">
              <input
                {...control}
                className="input mono"
                type={show ? 'text' : 'password'}
                autoComplete="off"
                spellCheck={false}
                placeholder="sk-…"
                value={key}
                onChange={(e) => setKey(e.target.value)}
              />
              <button type="button" className="btn" aria-pressed={show} onClick={() => setShow(!show)}>
                {show ? t('common.hide') : t('common.show')}
              </button>
            </div>
          )}
        </Field>
        <div className="row">
          <button
            type="submit"
            className="btn btn--primary"
            disabled={key.trim().length === 0 || busy !== null}
          >
            {busy === 'save' ? <span className="spinner" aria-hidden="true" /> : <Icon name="key" />}{' '}
            {t('setup.saveKey')}
          </button>
          <button
            type="button"
            className="btn"
            onClick={() => void test()}
            disabled={busy !== null || !info?.hasKey}
          >
            {busy === 'test' ? <span className="spinner" aria-hidden="true" /> : <Icon name="wifi" />}{' '}
            {t('settings.testConnection')}
          </button>
          <button
            type="button"
            className="btn btn--ghost-danger"
            onClick={() => void clear()}
            disabled={busy !== null || !info?.hasKey}
          >
            {t('settings.clearKey')}
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
  const { t } = useTranslation();
  const { settings, info, save } = useStudio(
    useShallow((s) => ({ settings: s.settings, info: s.info, save: s.saveSettings })),
  );
  // The field shows the address this run talks to, even when it came from the command line.
  const inUse = info?.apiBase ?? settings?.apiBase ?? DEFAULT_API_BASE;
  const [base, setBase] = useState(inUse);
  const [workspace, setWorkspace] = useState(settings?.workspace ?? '');
  const [conc, setConc] = useState(settings?.concurrency ?? 4);
  const [applied, setApplied] = useState<number | null>(null);
  useEffect(() => {
    if (settings) setConc(settings.concurrency);
  }, [settings]);
  useEffect(() => setBase(inUse), [inUse]);
  useEffect(() => setWorkspace(settings?.workspace ?? ''), [settings?.workspace]);
  if (!settings) return null;
  const overridden = info !== null && info.apiBase !== settings.apiBase;
  return (
    <section className="card settings__card" aria-labelledby="queue-title">
      <h2 id="queue-title" className="card__title">
        {t('area.queue')}
      </h2>
      <Field id="concurrency" label={t('settings.concurrency')} hint={t('settings.concurrencyHint')}>
        {(control) => (
          <div className="row">
            <input
              {...control}
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
              onClick={() =>
                void save({ concurrency: conc }).then((ok) => {
                  if (ok) setApplied(conc);
                })
              }
            >
              {t('settings.apply')}
            </button>
            {applied !== null && applied === settings.concurrency ? (
              <span className="field__ok" role="status">
                <Icon name="check" /> {t('settings.concurrencyApplied', { count: applied })}
              </span>
            ) : null}
          </div>
        )}
      </Field>
      <details className="advanced">
        <summary>{t('settings.advanced')}</summary>
        <Field
          id="api-base"
          label={t('settings.baseUrl')}
          hint={
            <>
              {overridden ? `${t('settings.baseOverridden', { saved: settings.apiBase })} ` : ''}
              {t('settings.baseDefault', { url: DEFAULT_API_BASE })}{' '}
              {settings.apiBase !== DEFAULT_API_BASE ? (
                <button
                  type="button"
                  className="link"
                  onClick={() => void save({ apiBase: DEFAULT_API_BASE })}
                >
                  {t('settings.restoreDefault')}
                </button>
              ) : null}
            </>
          }
        >
          {(control) => (
            <div className="input-group">
              <input
                {...control}
                className="input mono"
                value={base}
                onChange={(e) => setBase(e.target.value)}
                spellCheck={false}
              />
              <button
                type="button"
                className="btn"
                disabled={base.trim() === inUse}
                onClick={() => void save({ apiBase: base.trim() })}
              >
                {t('common.save')}
              </button>
            </div>
          )}
        </Field>
        <Field id="workspace" label={t('settings.workspace')} hint={t('settings.workspaceHint')}>
          {(control) => (
            <div className="input-group">
              <input
                {...control}
                className="input mono"
                value={workspace}
                maxLength={200}
                onChange={(e) => setWorkspace(e.target.value)}
                spellCheck={false}
              />
              <button
                type="button"
                className="btn"
                disabled={workspace.trim() === settings.workspace}
                onClick={() => void save({ workspace: workspace.trim() })}
              >
                {t('common.save')}
              </button>
            </div>
          )}
        </Field>
      </details>
    </section>
  );
}

function DefaultsSection() {
  const { t } = useTranslation();
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
        {t('settings.defaultsTitle')}
      </h2>
      <p className="muted">{t('settings.defaultsText')}</p>
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
          {t('settings.saveDefaults')}
        </button>
      </div>
    </section>
  );
}

function AppearanceSection() {
  const { t } = useTranslation();
  const { settings, save } = useStudio(useShallow((s) => ({ settings: s.settings, save: s.saveSettings })));
  return (
    <section className="card settings__card" aria-labelledby="look-title">
      <h2 id="look-title" className="card__title">
        {t('settings.appearance')}
      </h2>
      <Segmented<Theme>
        label={t('settings.theme')}
        value={settings?.theme ?? 'system'}
        options={THEMES.map((theme) => ({ value: theme, label: t(`settings.themes.${theme}`) }))}
        onChange={(theme) => void save({ theme })}
      />
      <Segmented<Language>
        label={t('settings.language')}
        value={settings?.language ?? 'system'}
        options={LANGUAGE_CHOICES.map((language) => ({
          value: language,
          label: t(`settings.languages.${language}`),
        }))}
        onChange={(language) => void save({ language })}
      />
    </section>
  );
}

function DataFolderSection() {
  const { t } = useTranslation();
  const { info, toast } = useStudio(useShallow((s) => ({ info: s.info, toast: s.toast })));
  return (
    <section className="card settings__card" aria-labelledby="data-title">
      <h2 id="data-title" className="card__title">
        {t('settings.dataFolder')}
      </h2>
      <p className="muted">{t('settings.dataFolderText')}</p>
      <div className="input-group">
        <input
          className="input mono"
          readOnly
          value={info?.dataDir ?? ''}
          aria-label={t('settings.dataFolder')}
        />
        <button
          type="button"
          className="btn"
          onClick={() =>
            void navigator.clipboard.writeText(info?.dataDir ?? '').then(
              () => toast('success', t('settings.pathCopied')),
              () => toast('error', t('common.noClipboard')),
            )
          }
        >
          <Icon name="copy" /> {t('common.copy')}
        </button>
      </div>
      <p className="hint">Qwen Studio {info?.version}</p>
    </section>
  );
}

export function SettingsView() {
  const { t } = useTranslation();
  return (
    <main className="view view--settings" aria-labelledby="view-title">
      <ViewHeader title={t('area.settings')} />
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
