// Presets in Compose: load one into the form, save the form's settings under a name (optionally as the
// default, which a new or reset draft starts from), delete, and move them between machines as JSON.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import type { NamedPreset } from '../../../../shared/preset.ts';
import { api, errorMessage } from '../../api.ts';
import { draftFromPreset, presetFromDraft } from '../../store/draft.ts';
import { useStudio } from '../../store/index.ts';
import { FilePicker } from '../FilePicker.tsx';
import { Icon } from '../Icon.tsx';

export function PresetsCard() {
  const { t } = useTranslation();
  const { draft, update, toast } = useStudio(
    useShallow((s) => ({ draft: s.draft, update: s.updateDraft, toast: s.toast })),
  );
  const [list, setList] = useState<NamedPreset[]>([]);
  const [name, setName] = useState('');
  const [asDefault, setAsDefault] = useState(false);
  const file = useRef<HTMLInputElement>(null);
  const reload = useCallback(async () => {
    const presets = await api.call('presets.list', {});
    setList(presets);
    return presets;
  }, []);
  useEffect(() => {
    // A fresh form (no prompts yet) starts from the default preset, once per visit.
    void reload().then(
      (presets) => {
        const def = presets.find((p) => p.isDefault);
        const s = useStudio.getState();
        if (def && !s.draft.text.trim() && !s.draft.file) s.updateDraft(draftFromPreset(s.draft, def.preset));
      },
      () => {},
    );
  }, [reload]);
  const attempt = async (fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      toast('error', errorMessage(err));
    }
  };
  const load = (n: string) => {
    const p = list.find((x) => x.name === n);
    if (!p) return;
    update(draftFromPreset(draft, p.preset));
    setName(p.name);
    toast('success', t('power.presets.loaded', { name: p.name }));
  };
  return (
    <section className="card" aria-labelledby="presets-title">
      <div className="card__head">
        <h2 id="presets-title" className="card__title">
          {t('power.presets.title')}
        </h2>
      </div>
      <select
        className="input select"
        aria-label={t('power.presets.pick')}
        value=""
        onChange={(e) => load(e.target.value)}
      >
        <option value="">{list.length ? t('power.presets.pick') : t('power.presets.none')}</option>
        {list.map((p) => (
          <option key={p.name} value={p.name}>
            {p.isDefault ? `${p.name} (${t('power.presets.isDefault')})` : p.name}
          </option>
        ))}
      </select>
      <form
        className="stack stack--sm"
        onSubmit={(e) => {
          e.preventDefault();
          void attempt(async () => {
            const saved = await api.call('presets.save', {
              name,
              preset: presetFromDraft(draft),
              isDefault: asDefault,
            });
            toast('success', t('power.presets.saved', { name: saved.name }));
            await reload();
          });
        }}
      >
        <input
          className="input"
          aria-label={t('power.presets.name')}
          placeholder={t('power.presets.name')}
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <label className="steer__field">
          <input type="checkbox" checked={asDefault} onChange={(e) => setAsDefault(e.target.checked)} />
          {t('power.presets.default')}
        </label>
        <div className="wildcards__actions">
          <button type="submit" className="btn btn--sm" disabled={!name.trim()}>
            {t('power.presets.save')}
          </button>
          {list.some((p) => p.name === name) ? (
            <button
              type="button"
              className="btn btn--sm btn--ghost-danger"
              onClick={() =>
                void attempt(async () => {
                  await api.call('presets.remove', { name });
                  await reload();
                })
              }
            >
              <Icon name="trash" /> {t('power.presets.delete')}
            </button>
          ) : null}
        </div>
      </form>
      <div className="wildcards__actions">
        <button
          type="button"
          className="btn btn--ghost btn--sm"
          disabled={list.length === 0}
          onClick={() =>
            void attempt(async () => {
              const data = await api.call('presets.export', {});
              const url = URL.createObjectURL(
                new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }),
              );
              const a = document.createElement('a');
              a.href = url;
              a.download = 'qwen-studio-presets.json';
              a.click();
              URL.revokeObjectURL(url);
            })
          }
        >
          <Icon name="download" /> {t('power.presets.export')}
        </button>
        <button type="button" className="btn btn--ghost btn--sm" onClick={() => file.current?.click()}>
          <Icon name="upload" /> {t('power.presets.import')}
        </button>
        <FilePicker
          ref={file}
          label={t('power.presets.import')}
          accept=".json,application/json"
          onFiles={([f]) => {
            if (!f) return;
            void attempt(async () => {
              const r = await api.call('presets.import', { text: await f.text() });
              toast('success', t('power.presets.imported', { count: r.imported }));
              await reload();
            });
          }}
        />
      </div>
    </section>
  );
}
