// First run without a key: paste one, or try everything against the local simulator.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { api, errorMessage } from '../api.ts';
import { Field } from '../components/Field.tsx';
import { Icon } from '../components/Icon.tsx';
import { useStudio } from '../store/index.ts';

export function SetupView() {
  const { t } = useTranslation();
  const { setInfo, skip, toast } = useStudio(
    useShallow((s) => ({ setInfo: s.setInfo, skip: s.skipSetup, toast: s.toast })),
  );
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState<null | 'key' | 'sim'>(null);
  const [error, setError] = useState<string | null>(null);

  const saveKey = async (e: FormEvent) => {
    e.preventDefault();
    setBusy('key');
    setError(null);
    try {
      setInfo(await api.call('key.set', { key }));
      toast('success', t('setup.keySaved'));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };
  const simulate = async () => {
    setBusy('sim');
    setError(null);
    try {
      setInfo(await api.call('app.useSimulator', {}));
      toast('info', t('setup.simulatorOn'));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };

  return (
    <main className="setup" aria-labelledby="setup-title">
      <div className="setup__card">
        <div className="brand brand--large">
          <span className="brand__mark" aria-hidden="true" />
          Qwen Studio
        </div>
        <h1 id="setup-title" className="setup__title">
          {t('setup.title')}
        </h1>
        <p className="muted">{t('setup.intro')}</p>
        <form className="stack stack--sm" onSubmit={(e) => void saveKey(e)}>
          <Field id="setup-key" loose label={t('setup.pasteKey')} hint={t('setup.keyHelp')}>
            {(control) => (
              <div className="input-group">
                <input
                  {...control}
                  className="input mono"
                  type="password"
                  autoComplete="off"
                  spellCheck={false}
                  placeholder="sk-…"
                  value={key}
                  onChange={(e) => setKey(e.target.value)}
                />
                <button type="submit" className="btn btn--primary" disabled={!key.trim() || busy !== null}>
                  {busy === 'key' ? <span className="spinner" aria-hidden="true" /> : <Icon name="key" />}{' '}
                  {t('setup.saveKey')}
                </button>
              </div>
            )}
          </Field>
        </form>
        {error ? (
          <p className="notice notice--danger" role="alert">
            <Icon name="alert" />
            <span>{error}</span>
          </p>
        ) : null}
        <div className="divider">
          <span>{t('setup.or')}</span>
        </div>
        <button
          type="button"
          className="btn btn--lg btn--block"
          onClick={() => void simulate()}
          disabled={busy !== null}
        >
          {busy === 'sim' ? <span className="spinner" aria-hidden="true" /> : <Icon name="spark" />}{' '}
          {t('setup.trySimulator')}
        </button>
        <p className="hint center">{t('setup.simulatorHelp')}</p>
        <button type="button" className="link center" onClick={skip}>
          {t('setup.lookAround')}
        </button>
      </div>
    </main>
  );
}
