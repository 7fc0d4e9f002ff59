// First run without a key: paste one, or try everything against the local simulator.
import { useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { api, errorMessage } from '../api.ts';
import { Icon } from '../components/Icon.tsx';
import { useStudio } from '../store/index.ts';

export function SetupView() {
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
      toast('success', 'API key saved. You are ready to compose your first batch.');
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
      toast('info', 'Simulator mode: images are generated locally and nothing is charged.');
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
          Welcome — let’s connect to Qwen Image
        </h1>
        <p className="muted">
          Write a batch of prompts once, run hundreds of generations, and keep every result in a searchable
          library on this computer.
        </p>
        <form className="stack stack--sm" onSubmit={(e) => void saveKey(e)}>
          <label className="field-label" htmlFor="setup-key">
            Paste your API key
          </label>
          <div className="input-group">
            <input
              id="setup-key"
              className="input mono"
              type="password"
              autoComplete="off"
              spellCheck={false}
              placeholder="sk-…"
              value={key}
              onChange={(e) => setKey(e.target.value)}
              aria-describedby="setup-key-help"
            />
            <button type="submit" className="btn btn--primary" disabled={!key.trim() || busy !== null}>
              {busy === 'key' ? <span className="spinner" aria-hidden="true" /> : <Icon name="key" />} Save
              key
            </button>
          </div>
          <p className="hint" id="setup-key-help">
            Find it in your skills.video dashboard. It is kept by your system’s keychain, never in the
            library.
          </p>
        </form>
        {error ? (
          <p className="notice notice--danger" role="alert">
            <Icon name="alert" />
            <span>{error}</span>
          </p>
        ) : null}
        <div className="divider">
          <span>or</span>
        </div>
        <button
          type="button"
          className="btn btn--lg btn--block"
          onClick={() => void simulate()}
          disabled={busy !== null}
        >
          {busy === 'sim' ? <span className="spinner" aria-hidden="true" /> : <Icon name="spark" />} Try it
          with the local simulator
        </button>
        <p className="hint center">
          No key, no charges: a stand-in service on this computer draws placeholder images so you can explore.
        </p>
        <button type="button" className="link center" onClick={skip}>
          Look around first
        </button>
      </div>
    </main>
  );
}
