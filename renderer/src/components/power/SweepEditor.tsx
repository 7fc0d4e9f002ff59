// Compose's sweep axes: up to three rows of a parameter and its values; the plan shows the exact count.
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import {
  AXIS_NAMES,
  MAX_SWEEP_AXES,
  SWEEP_PARAMS,
  SWEEP_PARAM_LABELS,
  type SweepParam,
} from '../../../../shared/sweep.ts';
import type { SweepRow } from '../../store/draft.ts';
import { useStudio } from '../../store/index.ts';
import { Field } from '../Field.tsx';
import { Icon } from '../Icon.tsx';

const EXAMPLES: Record<SweepParam, string> = {
  aspect_ratio: '1:1, 16:9, 9:16',
  image_size: 'square_hd, landscape_4_3',
  seed: '1..4',
  num_images: '1, 2',
  output_format: 'png, webp',
  enable_prompt_expansion: 'on, off',
  enable_safety_checker: 'on, off',
  negative_prompt: ', blurry',
  model: 'qwen/qwen-image-2, qwen/qwen-image-2-pro',
  prompt: 'red, blue, golden',
};

export function SweepEditor() {
  const { t } = useTranslation();
  const { rows, update } = useStudio(useShallow((s) => ({ rows: s.draft.sweep, update: s.updateDraft })));
  const set = (next: SweepRow[]) => update({ sweep: next });
  // Aspect ratio and preset size are one choice made two ways: one of them per sweep.
  const SIZE = ['aspect_ratio', 'image_size'];
  const taken = (p: SweepParam, except?: number) =>
    rows.some((r, k) => k !== except && (r.param === p || (SIZE.includes(p) && SIZE.includes(r.param))));
  const unused = SWEEP_PARAMS.filter((p) => !taken(p));
  return (
    <section className="card" aria-labelledby="sweep-title">
      <div className="card__head">
        <h2 id="sweep-title" className="card__title">
          {t('power.sweep.title')}
        </h2>
        <button
          type="button"
          className="btn btn--ghost btn--sm"
          disabled={rows.length >= MAX_SWEEP_AXES}
          onClick={() => {
            const param = unused[0] ?? 'seed';
            set([...rows, { param, values: EXAMPLES[param] }]);
          }}
        >
          <Icon name="plus" /> {t('power.sweep.add')}
        </button>
      </div>
      <p className="hint">{t('power.sweep.hint')}</p>
      {rows.map((row, i) => {
        const axis = AXIS_NAMES[i] as string;
        return (
          // The axis letter labels the row's parameter; the values are described by the hint below the rows.
          <Field
            key={axis}
            id={`sweep-${axis}-param`}
            className="sweep-row"
            labelClassName="sweep-row__axis"
            label={axis}
          >
            {(control) => (
              <>
                <select
                  {...control}
                  className="input select"
                  aria-label={t('power.sweep.param', { axis })}
                  value={row.param}
                  onChange={(e) => {
                    const param = e.target.value as SweepParam;
                    set(rows.map((r, k) => (k === i ? { param, values: EXAMPLES[param] } : r)));
                  }}
                >
                  {SWEEP_PARAMS.filter((p) => !taken(p, i)).map((p) => (
                    <option key={p} value={p}>
                      {SWEEP_PARAM_LABELS[p]}
                    </option>
                  ))}
                </select>
                <input
                  className="input"
                  aria-label={t('power.sweep.values', { axis })}
                  aria-describedby="sweep-values-help"
                  title={t('power.sweep.valuesHint')}
                  value={row.values}
                  onChange={(e) => set(rows.map((r, k) => (k === i ? { ...r, values: e.target.value } : r)))}
                />
                <button
                  type="button"
                  className="icon-btn"
                  aria-label={t('power.sweep.remove', { axis })}
                  onClick={() => set(rows.filter((_, k) => k !== i))}
                >
                  <Icon name="x" />
                </button>
              </>
            )}
          </Field>
        );
      })}
      {rows.length > 0 ? (
        <p className="hint" id="sweep-values-help">
          {t('power.sweep.valuesHint')}
        </p>
      ) : null}
    </section>
  );
}
