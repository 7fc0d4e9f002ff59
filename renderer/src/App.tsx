import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { Icon } from './components/Icon.tsx';
import { Sidebar } from './components/Sidebar.tsx';
import { Toasts } from './components/Toasts.tsx';
import { CompareView } from './components/compare/CompareView.tsx';
import { PickBestView } from './components/compare/PickBestView.tsx';
import { hasMod } from './keyboard.ts';
import { followTheme } from './theme.ts';
import { AREAS } from './store/app-slice.ts';
import { connectEvents } from './store/events.ts';
import { useStudio } from './store/index.ts';
import { ComposeView } from './views/ComposeView.tsx';
import { LibraryView } from './views/LibraryView.tsx';
import { QueueView } from './views/QueueView.tsx';
import { SettingsView } from './views/SettingsView.tsx';
import { SetupView } from './views/SetupView.tsx';

export function App() {
  const { t, i18n } = useTranslation();
  const { booted, bootError, boot, area, setArea, needsSetup, theme, libraryVisit } = useStudio(
    useShallow((s) => ({
      booted: s.booted,
      bootError: s.bootError,
      boot: s.boot,
      area: s.area,
      setArea: s.setArea,
      needsSetup: Boolean(s.info && !s.info.hasKey && !s.skippedSetup),
      theme: s.settings?.theme,
      libraryVisit: s.libraryVisit,
    })),
  );
  useEffect(() => followTheme(theme ?? 'system'), [theme]);

  useEffect(() => {
    const off = connectEvents();
    void boot();
    return off;
  }, [boot]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!hasMod(e) || e.altKey || e.shiftKey) return;
      const n = Number(e.key);
      if (n >= 1 && n <= AREAS.length) {
        e.preventDefault();
        setArea(AREAS[n - 1]!);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [setArea]);

  // Moving to another area moves focus to its heading (not on first load: the page keeps its natural start).
  const firstArea = useRef(true);
  useEffect(() => {
    if (firstArea.current) {
      firstArea.current = false;
      return;
    }
    document.getElementById('view-title')?.focus();
  }, [area]);

  if (!booted) {
    return (
      <div className="splash">
        {bootError ? (
          <div className="splash__card" role="alert">
            <Icon name="alert" size={28} />
            <h1 className="setup__title">{t('app.noEngine')}</h1>
            <p className="muted">{bootError}</p>
            <button type="button" className="btn btn--primary" onClick={() => void boot()}>
              <Icon name="retry" /> {t('common.tryAgain')}
            </button>
          </div>
        ) : (
          <p className="muted" role="status">
            <span className="spinner" aria-hidden="true" /> {t('app.starting')}
          </p>
        )}
      </div>
    );
  }
  if (needsSetup) {
    return (
      <>
        <SetupView />
        <Toasts />
      </>
    );
  }
  return (
    <div className="app" key={i18n.language}>
      <Sidebar />
      {area === 'compose' ? (
        <ComposeView />
      ) : area === 'queue' ? (
        <QueueView />
      ) : area === 'library' ? (
        <LibraryView key={libraryVisit} />
      ) : (
        <SettingsView />
      )}
      <CompareView />
      <PickBestView />
      <Toasts />
    </div>
  );
}
