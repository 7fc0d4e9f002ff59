// Compose: prompts (typed or from a file), parameters, references, the live plan, and Run.
import { useEffect, useRef, useState, type DragEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { LIMITS, MODELS, type Model } from '../../../shared/api.ts';
import { Icon } from '../components/Icon.tsx';
import { NegativePrompt, ParamsFields } from '../components/ParamsFields.tsx';
import { PlanNote, PlanPreview } from '../components/PlanPreview.tsx';
import { PromptEditor } from '../components/PromptEditor.tsx';
import { ReferencePicker } from '../components/ReferencePicker.tsx';
import { Segmented } from '../components/Segmented.tsx';
import { count, credits } from '../format.ts';
import { modKey } from '../keyboard.ts';
import { buildSpec, defaultBatchName, entriesOf, parseBudget } from '../store/draft.ts';
import { useStudio } from '../store/index.ts';
import { ViewHeader } from './ViewHeader.tsx';
import { wholeNumberIn } from '../number-input.ts';

const PLAN_DEBOUNCE_MS = 300;

const MODEL_LABELS: Record<Model, string> = {
  'qwen/qwen-image-2': 'Qwen Image 2',
  'qwen/qwen-image-2-pro': 'Qwen Image 2 Pro',
  'qwen/qwen-image': 'Qwen Image (first generation)',
};

function isImage(f: File): boolean {
  return /^image\//.test(f.type) || /\.(png|jpe?g|webp|gif)$/i.test(f.name);
}

function PromptsCard() {
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
        <h2 id="prompts-title" className="card__title">
          Prompts
        </h2>
        <button type="button" className="btn btn--ghost btn--sm" onClick={() => fileInput.current?.click()}>
          <Icon name="file" /> Open prompt file…
        </button>
        <input
          ref={fileInput}
          type="file"
          className="visually-hidden"
          tabIndex={-1}
          aria-label="Prompt file"
          accept=".txt,.csv,.jsonl,text/plain,text/csv"
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) void loadFile(f);
          }}
        />
      </div>
      {draft.file ? (
        <div className="file-card">
          <Icon name="file" size={20} />
          <div>
            <p className="file-card__name">{draft.file.name}</p>
            <p className="muted">
              {count(draft.file.entries.length, 'prompt')} with their own settings from the file; the
              parameters on the right apply where a row sets none.
            </p>
            {draft.file.warnings.length ? <p className="field__error">{draft.file.warnings[0]}</p> : null}
          </div>
          <button type="button" className="btn btn--ghost btn--sm" onClick={clearFile}>
            Remove file
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
          One prompt per line · <code>{'{a|b}'}</code> makes a job for each choice · lines starting with{' '}
          <code>#</code> are skipped
        </span>
        <span className="card__foot-count" aria-live="polite">
          {count(prompts, 'prompt')}
          {jobs !== undefined && prompts > 0 ? ` → ${count(jobs, 'job')}` : ''}
        </span>
      </p>
    </section>
  );
}

function SeedField() {
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
        label="Seed"
        value={mode}
        options={[
          { value: 'random', label: 'Random' },
          { value: 'fixed', label: 'Fixed' },
          { value: 'increment', label: 'Increment', title: 'Each job uses the next seed' },
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
            aria-label={mode === 'fixed' ? 'Seed value' : 'First seed'}
            value={value}
            onChange={(e) => update({ seedValue: wholeNumberIn(e.target.value, 0, LIMITS.seedMax) })}
          />
          <button
            type="button"
            className="icon-btn icon-btn--boxed"
            aria-label="Pick a random seed"
            title="Pick a random seed"
            onClick={() => update({ seedValue: Math.floor(Math.random() * LIMITS.seedMax) })}
          >
            <Icon name="dice" />
          </button>
        </div>
      ) : null}
      <p className="hint">
        {mode === 'random'
          ? 'Every job gets its own random seed.'
          : mode === 'fixed'
            ? 'Every job uses this seed.'
            : 'The first job uses this seed, each next job the one after.'}
      </p>
      <div className="field field--inline">
        <label className="field-label" htmlFor="repeat">
          Runs per prompt
        </label>
        <input
          id="repeat"
          className="input input--narrow"
          type="number"
          min={1}
          max={100}
          value={repeat}
          onChange={(e) => update({ repeat: wholeNumberIn(e.target.value, 1, 100) })}
        />
      </div>
    </div>
  );
}

function RunBar() {
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
  const blocked =
    built.problem ?? (plan.status === 'error' ? 'Fix the problem shown in the preview first.' : null);
  const overBudget = typeof budget === 'number' && p !== null && p.estimateCredits > budget;
  return (
    <section className="runbar" aria-labelledby="run-title">
      <h2 id="run-title" className="visually-hidden">
        Run
      </h2>
      <dl className="summary">
        <div>
          <dt>Jobs</dt>
          <dd>{p ? credits(p.jobs.length) : '—'}</dd>
        </div>
        <div>
          <dt>Images</dt>
          <dd>{p ? credits(p.images) : '—'}</dd>
        </div>
        <div>
          <dt>Credits</dt>
          <dd>{p ? `≈ ${credits(p.estimateCredits)}` : '—'}</dd>
        </div>
      </dl>
      <div className="runbar__budget">
        <label className="field-label" htmlFor="budget">
          Budget
        </label>
        <input
          id="budget"
          className={`input${budget === 'invalid' ? ' input--invalid' : ''}`}
          inputMode="numeric"
          placeholder="No limit"
          value={draft.maxCredits}
          aria-describedby="budget-help"
          aria-invalid={budget === 'invalid'}
          onChange={(e) => update({ maxCredits: e.target.value })}
        />
        <p className={`hint${overBudget ? ' hint--warn' : ''}`} id="budget-help">
          {overBudget
            ? `Above the estimate: pauses before ${credits(budget)} credits`
            : 'Pauses the batch before it spends more'}
        </p>
      </div>
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
          {p ? `Run ${count(p.jobs.length, 'job')}` : 'Run batch'}
          <kbd className="kbd kbd--on-accent">{modKey()}↵</kbd>
        </button>
      </div>
    </section>
  );
}

export function ComposeView() {
  const { draft, update, refresh, addRefs, loadFile, run, reset, defaults, firstPrompt } = useStudio(
    useShallow((s) => ({
      draft: s.draft,
      firstPrompt: s.plan.plan?.jobs[0]?.input.prompt,
      reset: s.resetDraft,
      defaults: s.settings?.defaults,
      update: s.updateDraft,
      refresh: s.refreshPlan,
      addRefs: s.addReferenceFiles,
      loadFile: s.loadPromptFile,
      run: s.runBatch,
    })),
  );
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    const t = setTimeout(() => void refresh(), PLAN_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [draft, refresh]);

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const files = [...e.dataTransfer.files];
    const images = files.filter(isImage);
    const lists = files.filter((f) => !isImage(f));
    if (images.length) void addRefs(images);
    if (lists[0]) void loadFile(lists[0]);
  };
  return (
    <main
      className="view view--compose"
      aria-labelledby="view-title"
      onKeyDown={(e) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
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
      <ViewHeader title="Compose" subtitle="Write prompts once — every {a|b} choice becomes its own job.">
        <button type="button" className="btn btn--ghost" onClick={() => reset(defaults)}>
          <Icon name="retry" /> Start over
        </button>
      </ViewHeader>
      <div className="compose">
        <div className="compose__main">
          <PromptsCard />
          <section className="card" aria-labelledby="refs-title">
            <div className="card__head">
              <h2 id="refs-title" className="card__title">
                Reference images
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
                Preview
              </h2>
              <PlanNote />
            </div>
            <PlanPreview />
          </section>
        </div>
        <aside className="compose__side" aria-label="Batch settings">
          <section className="card" aria-labelledby="batch-title">
            <h2 id="batch-title" className="card__title">
              Batch
            </h2>
            <div className="field">
              <label className="field-label" htmlFor="batch-name">
                Name
              </label>
              <input
                id="batch-name"
                className="input"
                maxLength={200}
                value={draft.name}
                placeholder={defaultBatchName(draft, firstPrompt) || 'Named after the first prompt'}
                onChange={(e) => update({ name: e.target.value })}
              />
            </div>
            <div className="field">
              <label className="field-label" htmlFor="model">
                Model
              </label>
              <select
                id="model"
                className="input select"
                value={draft.model}
                onChange={(e) => update({ model: e.target.value as Model })}
              >
                {MODELS.map((m) => (
                  <option key={m} value={m}>
                    {MODEL_LABELS[m]}
                  </option>
                ))}
              </select>
            </div>
          </section>
          <section className="card" aria-labelledby="params-title">
            <h2 id="params-title" className="card__title">
              Parameters
            </h2>
            <ParamsFields value={draft} onChange={update} />
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
          <p>Drop images to use as references, or a .txt, .csv or .jsonl prompt list</p>
        </div>
      ) : null}
    </main>
  );
}
