// Edit a job before it is sent (queued or paused), or retry a failed one with other settings: its prompt
// and parameters, written back only if the job is still unsent when the engine gets the change.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { JobRow } from '../../../../shared/domain.ts';
import { api, errorMessage } from '../../api.ts';
import { generationFromParams, paramsFromGeneration, type ParamsValue } from '../../store/draft.ts';
import { useStudio } from '../../store/index.ts';
import { FieldError } from '../Field.tsx';
import { Icon } from '../Icon.tsx';
import { NegativePrompt, ParamsFields } from '../ParamsFields.tsx';
import { Modal } from './Modal.tsx';

export function JobEditButton({ job }: { job: JobRow }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const mode =
    job.state === 'queued' || job.state === 'paused' ? 'edit' : job.state === 'failed' ? 'retry' : null;
  if (!mode || (mode === 'edit' && job.remoteId)) return null;
  const label =
    mode === 'edit'
      ? t('power.steer.editJob', { seq: job.seq })
      : t('power.steer.retryWith', { seq: job.seq });
  return (
    <>
      <button
        type="button"
        className="icon-btn"
        aria-label={label}
        title={label}
        onClick={() => setOpen(true)}
      >
        <Icon name="compose" size={15} />
      </button>
      {open ? <JobEditDialog job={job} mode={mode} onClose={() => setOpen(false)} /> : null}
    </>
  );
}

function JobEditDialog({ job, mode, onClose }: { job: JobRow; mode: 'edit' | 'retry'; onClose: () => void }) {
  const { t } = useTranslation();
  const toast = useStudio((s) => s.toast);
  const loadJobs = useStudio((s) => s.loadJobs);
  const [prompt, setPrompt] = useState(job.prompt);
  const [params, setParams] = useState<ParamsValue>(paramsFromGeneration(job.input));
  const [error, setError] = useState<string | null>(null);
  const save = async () => {
    const gen = generationFromParams(params);
    const edit = {
      id: job.id,
      prompt,
      params: {
        ...gen,
        aspect_ratio: gen.aspect_ratio ?? null,
        image_size: gen.image_size ?? null,
        negative_prompt: gen.negative_prompt ?? null,
      },
    };
    try {
      await api.call(mode === 'edit' ? 'job.edit' : 'job.retryWith', edit);
      toast('success', t('power.steer.edited', { seq: job.seq }));
      void loadJobs(job.batchId);
      onClose();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <Modal
      title={
        mode === 'edit'
          ? t('power.steer.editTitle', { seq: job.seq })
          : t('power.steer.retryTitle', { seq: job.seq })
      }
      onClose={onClose}
    >
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <label className="field-label" htmlFor={`job-${job.id}-prompt`}>
          {t('power.steer.promptLabel')}
        </label>
        <textarea
          id={`job-${job.id}-prompt`}
          className="input"
          rows={3}
          value={prompt}
          onChange={(e) => setPrompt(e.target.value)}
        />
        <ParamsFields value={params} onChange={(p) => setParams({ ...params, ...p })} />
        <NegativePrompt
          id={`job-${job.id}-negative`}
          value={params.negative}
          onChange={(negative) => setParams({ ...params, negative })}
        />
        <FieldError>{error}</FieldError>
        <div className="wildcards__actions">
          <button type="submit" className="btn btn--primary">
            {mode === 'edit' ? t('power.steer.save') : t('power.steer.retry')}
          </button>
          <button type="button" className="btn btn--ghost" onClick={onClose}>
            {t('power.steer.cancel')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
