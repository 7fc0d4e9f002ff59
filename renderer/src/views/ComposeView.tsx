// Compose: prompts (typed or from a file), parameters, references, the live plan, and Run.
import { useEffect, useLayoutEffect, useRef, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { LIMITS, MODELS, type Model } from '../../../shared/api.ts';
import { isComposing } from '../keyboard.ts';
import { Field } from '../components/Field.tsx';
import { Icon } from '../components/Icon.tsx';
import { PresetsCard } from '../components/power/PresetsCard.tsx';
import { SweepEditor } from '../components/power/SweepEditor.tsx';
import { TemplateHelp } from '../components/power/TemplateHelp.tsx';
import { WildcardsButton } from '../components/power/WildcardsDialog.tsx';
import { NegativePrompt, ParamsFields } from '../components/ParamsFields.tsx';
import { PlanNote, PlanPreview } from '../components/PlanPreview.tsx';
import { PromptEditor } from '../components/PromptEditor.tsx';
import { IMAGE_ACCEPT, ReferencePicker } from '../components/ReferencePicker.tsx';
import { FilePicker } from '../components/FilePicker.tsx';
import { FileRefs } from '../components/FileRefs.tsx';
import { Segmented } from '../components/Segmented.tsx';
import { credits, num } from '../format.ts';
import { modKey } from '../keyboard.ts';
import { buildSpec, defaultBatchName, entriesOf, parseBudget } from '../store/draft.ts';
import { useStudio } from '../store/index.ts';
import { ViewHeader } from './ViewHeader.tsx';
import { wholeNumberIn } from '../number-input.ts';

const PLAN_DEBOUNCE_MS = 300;

function isImage(f: File): boolean {
  return /^image\//.test(f.type) || /\.(png|jpe?g|webp|gif)$/i.test(f.name);
}

function PromptsCard() {
  const { t } = useTranslation();
  const { draft, update, loadFile, clearFile, plan } = useStudio(
    useShallow((s) => ({
      draft: s.draft,
      update: s.updateDraft,
      loadFile: s.loadPromptFile,
      clearFile: s.clearPromptFile,
      plan: s.plan,
    })),
  );
  const fileInput = useRef<HTMLInputElement>(null);
  const prompts = entriesOf(draft).length;
  const jobs = plan.plan?.jobs.length;
  return (
    <section className="card" aria-labelledby="prompts-title">
      <div className="card__head">
        {/* The syntax help belongs to the title; the file actions sit together at the right. */}
        <div className="card__title-group">
          <h2 id="prompts-title" className="card__title">
            {t('compose.prompts')}
          </h2>
          <TemplateHelp />
        </div>
        <WildcardsButton />
        <button type="button" className="btn btn--ghost btn--sm" onClick={() => fileInput.current?.click()}>
          <Icon name="file" /> {t('compose.openFile')}
        </button>
        <FilePicker
          ref={fileInput}
          label={t('compose.promptFile')}
          accept={`.txt,.csv,.jsonl,text/plain,text/csv,${IMAGE_ACCEPT}`}
          multiple
          onFiles={(files) => {
            // The file can be picked together with the images its rows name.
            const list = files.find((f) => !isImage(f));
            if (list) void loadFile(list, files.filter(isImage));
          }}
        />
      </div>
      {draft.file ? (
        <div className="file-card">
          <Icon name="file" size={20} />
          <div>
            <p className="file-card__name">{draft.file.name}</p>
            <p className="muted">{t('compose.fileRows', { count: draft.file.entries.length })}</p>
            {draft.file.warnings.map((w) => (
              <p key={w} className="field__error">
                {w}
              </p>
            ))}
            <FileRefs />
          </div>
          <button type="button" className="btn btn--ghost btn--sm" onClick={clearFile}>
            {t('compose.removeFile')}
          </button>
        </div>
      ) : (
        <PromptEditor
          id="prompt-editor"
          value={draft.text}
          onChange={(text) => update({ text })}
          labelledBy="prompts-title"
          describedBy="prompt-help"
        />
      )}
      <p className="card__foot" id="prompt-help">
        <span>
          {t('compose.helpLines')} · <code>{'{a|b}'}</code> {t('compose.helpChoices')} ·{' '}
          {t('compose.helpComments', { hash: '#' })}
        </span>
        <span className="card__foot-count" aria-live="polite">
          {t('compose.promptCount', { count: prompts })}
          {jobs !== undefined && prompts > 0 ? ` → ${t('compose.jobCount', { count: jobs })}` : ''}
        </span>
      </p>
    </section>
  );
}

function SeedField() {
  const { t } = useTranslation();
  const { mode, value, repeat, update } = useStudio(
    useShallow((s) => ({
      mode: s.draft.seedMode,
      value: s.draft.seedValue,
      repeat: s.draft.repeat,
      update: s.updateDraft,
    })),
  );
  return (
    <div className="stack stack--sm">
      <Segmented
        label={t('compose.seed')}
        value={mode}
        options={[
          { value: 'random', label: t('compose.seedRandom') },
          { value: 'fixed', label: t('compose.seedFixed') },
          { value: 'increment', label: t('compose.seedIncrement'), title: t('compose.seedIncrementTitle') },
        ]}
        onChange={(seedMode) => update({ seedMode })}
      />
      {mode !== 'random' ? (
        <div className="input-group">
          <input
            className="input"
            type="number"
            min={0}
            max={LIMITS.seedMax}
            step={1}
            aria-label={mode === 'fixed' ? t('compose.seedValue') : t('compose.firstSeed')}
            value={value}
            onChange={(e) => update({ seedValue: wholeNumberIn(e.target.value, 0, LIMITS.seedMax) })}
          />
          <button
            type="button"
            className="icon-btn icon-btn--boxed"
            aria-label={t('compose.pickSeed')}
            title={t('compose.pickSeed')}
            onClick={() => update({ seedValue: Math.floor(Math.random() * LIMITS.seedMax) })}
          >
            <Icon name="shuffle" />
          </button>
        </div>
      ) : null}
      <p className="hint">
        {mode === 'random'
          ? t('compose.seedHintRandom')
          : mode === 'fixed'
            ? t('compose.seedHintFixed')
            : t('compose.seedHintIncrement')}
      </p>
      <Field id="repeat" label={t('compose.repeat')} inline>
        {(control) => (
          <input
            {...control}
            className="input input--narrow"
            type="number"
            min={1}
            max={100}
            value={repeat}
            onChange={(e) => update({ repeat: wholeNumberIn(e.target.value, 1, 100) })}
          />
        )}
      </Field>
    </div>
  );
}

function RunBar() {
  const { t } = useTranslation();
  const { draft, plan, running, update, run } = useStudio(
    useShallow((s) => ({
      draft: s.draft,
      plan: s.plan,
      running: s.running,
      update: s.updateDraft,
      run: s.runBatch,
    })),
  );
  const built = buildSpec(draft);
  const budget = parseBudget(draft.maxCredits);
  const p = plan.plan;
  const hasPrompts = entriesOf(draft).length > 0;
  const blocked = built.problem ?? (plan.status === 'error' ? t('compose.fixPreview') : null);
  const overBudget = typeof budget === 'number' && p !== null && p.estimateCredits > budget;
  // Its height, for what must stay clear of it (toasts, a focused field): it wraps to two rows when narrow.
  const bar = useRef<HTMLElement>(null);
  useLayoutEffect(() => {
    const el = bar.current;
    if (!el) return;
    const root = document.documentElement.style;
    const ro = new ResizeObserver(() => root.setProperty('--runbar-height', `${el.offsetHeight}px`));
    ro.observe(el);
    return () => {
      ro.disconnect();
      root.removeProperty('--runbar-height');
    };
  }, []);
  return (
    <section className="runbar" aria-labelledby="run-title" ref={bar}>
      <h2 id="run-title" className="visually-hidden">
        {t('compose.run')}
      </h2>
      <dl className="summary">
        <div>
          <dt>{t('compose.jobs')}</dt>
          <dd>{p ? num(p.jobs.length) : '—'}</dd>
        </div>
        <div>
          <dt>{t('compose.images')}</dt>
          <dd>{p ? num(p.images) : '—'}</dd>
        </div>
        <div>
          <dt>{t('compose.credits')}</dt>
          <dd>{p ? `≈ ${credits(p.estimateCredits)}` : '—'}</dd>
        </div>
      </dl>
      <Field
        id="budget"
        className="runbar__budget"
        label={t('compose.budget')}
        invalid={budget === 'invalid'}
        hintWarn={overBudget}
        hint={
          overBudget
            ? t('compose.budgetBelow', { credits: credits(budget) })
            : typeof budget === 'number'
              ? t('compose.budgetSet', { credits: credits(budget) })
              : t('compose.budgetHint')
        }
      >
        {(control) => (
          <input
            {...control}
            className={`input${budget === 'invalid' ? ' input--invalid' : ''}`}
            inputMode="numeric"
            placeholder={t('compose.noLimit')}
            value={draft.maxCredits}
            onChange={(e) => update({ maxCredits: e.target.value })}
          />
        )}
      </Field>
      <div className="runbar__go">
        {blocked && hasPrompts ? (
          <p className="field__error runbar__problem" role="status">
            {blocked}
          </p>
        ) : null}
        <button
          type="button"
          className="btn btn--primary btn--lg"
          disabled={Boolean(blocked) || running}
          onClick={() => void run()}
        >
          {running ? <span className="spinner" aria-hidden="true" /> : <Icon name="play" />}
          {p ? t('compose.runJobs', { count: p.jobs.length }) : t('compose.runBatch')}
          <kbd className="kbd kbd--on-accent">{modKey()}↵</kbd>
        </button>
      </div>
    </section>
  );
}

export function ComposeView() {
  const { t } = useTranslation();
  const { draft, update, refresh, addRefs, addFileImages, loadFile, run, reset, defaults, firstPrompt } =
    useStudio(
      useShallow((s) => ({
        draft: s.draft,
        firstPrompt: s.plan.plan?.jobs[0]?.input.prompt,
        reset: s.resetDraft,
        defaults: s.settings?.defaults,
        update: s.updateDraft,
        refresh: s.refreshPlan,
        addRefs: s.addReferenceFiles,
        loadFile: s.loadPromptFile,
        addFileImages: s.addFileReferenceImages,
        run: s.runBatch,
      })),
    );
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    const timer = setTimeout(() => void refresh(), PLAN_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [draft, refresh]);

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const files = [...e.dataTransfer.files];
    const images = files.filter(isImage);
    const lists = files.filter((f) => !isImage(f));
    // A prompt file dropped with images takes the ones its rows name; a loaded file waiting for its images
    // takes those it names; the rest are references for the whole batch.
    if (lists[0]) void loadFile(lists[0], images);
    else if (images.length)
      void addFileImages(images).then((others) => (others.length ? addRefs(others) : undefined));
  };
  return (
    <main
      className="view view--compose"
      aria-labelledby="view-title"
      onKeyDown={(e) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !isComposing(e)) {
          e.preventDefault();
          void run();
        }
      }}
      onPaste={(e) => {
        const images = [...e.clipboardData.files].filter(isImage);
        if (images.length) {
          e.preventDefault();
          void addRefs(images);
        }
      }}
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes('Files')) {
          e.preventDefault();
          setDragging(true);
        }
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={onDrop}
    >
      <ViewHeader title={t('area.compose')} subtitle={t('compose.subtitle')}>
        <button type="button" className="btn btn--ghost" onClick={() => reset(defaults)}>
          <Icon name="retry" /> {t('compose.startOver')}
        </button>
      </ViewHeader>
      <div className="compose">
        <div className="compose__main">
          <PromptsCard />
          <SweepEditor />
          <section className="card" aria-labelledby="refs-title">
            <div className="card__head">
              <h2 id="refs-title" className="card__title">
                {t('compose.references')}
              </h2>
              <span className="muted">
                {draft.refs.length} / {LIMITS.references}
              </span>
            </div>
            <ReferencePicker />
          </section>
          <section className="card card--preview" aria-labelledby="preview-title">
            <div className="card__head">
              <h2 id="preview-title" className="card__title">
                {t('compose.preview')}
              </h2>
              <PlanNote />
            </div>
            <PlanPreview />
          </section>
        </div>
        <aside className="compose__side" aria-label={t('compose.batchSettings')}>
          <section className="card" aria-labelledby="batch-title">
            <h2 id="batch-title" className="card__title">
              {t('compose.batch')}
            </h2>
            <Field id="batch-name" label={t('compose.name')}>
              {(control) => (
                <input
                  {...control}
                  className="input"
                  maxLength={200}
                  value={draft.name}
                  placeholder={defaultBatchName(draft, firstPrompt) || t('compose.namePlaceholder')}
                  onChange={(e) => update({ name: e.target.value })}
                />
              )}
            </Field>
            <Field id="model" label={t('compose.model')}>
              {(control) => (
                <select
                  {...control}
                  className="input select"
                  value={draft.model}
                  onChange={(e) => update({ model: e.target.value as Model })}
                >
                  {MODELS.map((m) => (
                    <option key={m} value={m}>
                      {t(`models.${m.replace('qwen/', '')}`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </section>
          <PresetsCard />
          <section className="card" aria-labelledby="params-title">
            <h2 id="params-title" className="card__title">
              {t('compose.parameters')}
            </h2>
            <ParamsFields value={draft} onChange={update} model={draft.model} />
            <NegativePrompt
              id="negative"
              value={draft.negative}
              onChange={(negative) => update({ negative })}
            />
            <SeedField />
          </section>
        </aside>
      </div>
      <RunBar />
      {dragging ? (
        <div className="drop-overlay" aria-hidden="true">
          <Icon name="upload" size={32} />
          <p>{t('compose.dropHint')}</p>
        </div>
      ) : null}
    </main>
  );
}
