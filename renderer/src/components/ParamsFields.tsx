// The generation parameters every form shares (Compose, and the defaults in Settings). Aspect ratio and
// preset size are one choice with a toggle: the API takes one or the other, never both.
import {
  ASPECT_RATIOS,
  IMAGE_SIZES,
  IMAGE_SIZE_PIXELS,
  LIMITS,
  OUTPUT_FORMATS,
  documentedDefaults,
  type AspectRatio,
  type Model,
} from '../../../shared/api.ts';
import { useTranslation } from 'react-i18next';
import { imageSizeLabel } from '../format.ts';
import type { ParamsValue } from '../store/draft.ts';
import { Field } from './Field.tsx';
import { Segmented } from './Segmented.tsx';

/** A small rectangle in the ratio's proportions, so the choice reads at a glance. */
function RatioGlyph({ ratio }: { ratio: AspectRatio }) {
  const [w, h] = ratio.split(':').map(Number) as [number, number];
  const scale = 14 / Math.max(w, h);
  return (
    <span
      className="ratio-glyph"
      style={{ width: `${w * scale}px`, height: `${h * scale}px` }}
      aria-hidden="true"
    />
  );
}

export function ParamsFields({
  value,
  onChange,
  model = 'qwen/qwen-image-2',
}: {
  value: ParamsValue;
  onChange: (patch: Partial<ParamsValue>) => void;
  /** Whose documented defaults an unset switch shows. */
  model?: Model;
}) {
  const { t } = useTranslation();
  return (
    <div className="stack stack--md">
      <Segmented
        label={t('params.size')}
        value={value.sizeMode}
        options={[
          { value: 'aspect', label: t('params.aspectRatio') },
          { value: 'preset', label: t('params.presetSize') },
        ]}
        onChange={(sizeMode) => onChange({ sizeMode })}
      />
      {value.sizeMode === 'aspect' ? (
        <Segmented
          label={t('params.aspectRatio')}
          hideLabel
          columns={4}
          value={value.aspectRatio}
          options={ASPECT_RATIOS.map((r) => ({
            value: r,
            label: (
              <>
                <RatioGlyph ratio={r} />
                {r}
              </>
            ),
          }))}
          onChange={(aspectRatio) => onChange({ aspectRatio })}
        />
      ) : (
        <Segmented
          label={t('params.presetSize')}
          hideLabel
          columns={2}
          value={value.imageSize}
          options={IMAGE_SIZES.map((s) => ({
            value: s,
            label: imageSizeLabel(s),
            title: `${IMAGE_SIZE_PIXELS[s].width}×${IMAGE_SIZE_PIXELS[s].height}`,
          }))}
          onChange={(imageSize) => onChange({ imageSize })}
        />
      )}
      <Segmented
        label={t('params.numImages')}
        value={value.numImages}
        options={Array.from({ length: LIMITS.numImagesMax }, (_, i) => ({
          value: i + 1,
          label: String(i + 1),
        }))}
        onChange={(numImages) => onChange({ numImages })}
      />
      <Segmented
        label={t('params.format')}
        value={value.format}
        options={OUTPUT_FORMATS.map((f) => ({ value: f, label: f.toUpperCase() }))}
        onChange={(format) => onChange({ format })}
      />
      <label className="switch">
        <input
          type="checkbox"
          checked={value.expansion}
          onChange={(e) => onChange({ expansion: e.target.checked })}
        />
        <span className="switch__track" aria-hidden="true" />
        <span className="switch__text">
          {t('params.expansion')}
          <small>{t('params.expansionHint')}</small>
        </span>
      </label>
      <label className="switch">
        <input
          type="checkbox"
          checked={value.safetyChecker ?? documentedDefaults(model).enable_safety_checker === true}
          onChange={(e) => onChange({ safetyChecker: e.target.checked })}
        />
        <span className="switch__track" aria-hidden="true" />
        <span className="switch__text">
          {t('params.safetyChecker')}
          <small>{t('params.safetyCheckerHint')}</small>
        </span>
      </label>
    </div>
  );
}

export function NegativePrompt({
  value,
  onChange,
  id,
}: {
  value: string;
  onChange: (v: string) => void;
  id: string;
}) {
  const { t } = useTranslation();
  const over = value.length > LIMITS.negativePromptChars;
  return (
    <Field
      id={id}
      label={t('params.negative')}
      aside={
        <span className={`counter${over ? ' counter--over' : ''}`} id={`${id}-count`} aria-live="polite">
          {value.length} / {LIMITS.negativePromptChars}
        </span>
      }
      describedBy={`${id}-count`}
      // The counter beside the label already says it, live, keystroke by keystroke.
      announceError={false}
      error={over ? t('params.negativeOver', { count: value.length - LIMITS.negativePromptChars }) : null}
    >
      {(control) => (
        <textarea
          {...control}
          className={`input textarea${over ? ' input--invalid' : ''}`}
          rows={2}
          value={value}
          placeholder={t('params.negativePlaceholder')}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}
