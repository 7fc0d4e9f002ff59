// The wildcard files of the data folder: list them, edit one (checked by the engine before it is saved),
// create and delete. The same files the CLI's `qwen-studio wildcards` manages.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { WildcardInfo } from '../../../../shared/contract.ts';
import { api, errorMessage } from '../../api.ts';
import { useStudio } from '../../store/index.ts';
import { Field, FieldError } from '../Field.tsx';
import { Icon } from '../Icon.tsx';
import { Modal } from './Modal.tsx';

export function WildcardsButton() {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="btn btn--ghost btn--sm" onClick={() => setOpen(true)}>
        <Icon name="file" /> {t('power.wildcards.open')}
      </button>
      {open ? <WildcardsDialog onClose={() => setOpen(false)} /> : null}
    </>
  );
}

function WildcardsDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const toast = useStudio((s) => s.toast);
  const [list, setList] = useState<WildcardInfo[]>([]);
  const [name, setName] = useState('');
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    try {
      setList(await api.call('wildcards.list', {}));
    } catch (err) {
      setError(errorMessage(err));
    }
  }, []);
  useEffect(() => void reload(), [reload]);
  const open = async (n: string) => {
    try {
      const w = await api.call('wildcards.read', { name: n });
      setName(w.name);
      setText(w.text);
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const save = async () => {
    try {
      const info = await api.call('wildcards.write', { name, text });
      setError(null);
      toast('success', t('power.wildcards.saved', { name: info.name, count: info.options }));
      setName(info.name);
      await reload();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const remove = async () => {
    try {
      await api.call('wildcards.remove', { name });
      toast('success', t('power.wildcards.deleted', { name }));
      setName('');
      setText('');
      await reload();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const exists = list.some((w) => w.name === name);
  return (
    <Modal title={t('power.wildcards.title')} onClose={onClose} wide>
      <p className="hint">{t('power.wildcards.hint')}</p>
      <div className="wildcards">
        <ul className="wildcards__list" aria-label={t('power.wildcards.title')}>
          {list.length === 0 ? <li className="muted">{t('power.wildcards.empty')}</li> : null}
          {list.map((w) => (
            <li key={w.name}>
              <button
                type="button"
                className={`wildcards__item${w.name === name ? ' is-current' : ''}`}
                aria-current={w.name === name}
                onClick={() => void open(w.name)}
              >
                <code>__{w.name}__</code>
                <span className="muted">{t('power.wildcards.options', { count: w.options })}</span>
              </button>
            </li>
          ))}
          <li>
            <button
              type="button"
              className="btn btn--ghost btn--sm"
              onClick={() => {
                setName('');
                setText('');
                setError(null);
              }}
            >
              <Icon name="plus" /> {t('power.wildcards.new')}
            </button>
          </li>
        </ul>
        <div className="wildcards__editor">
          <Field id="wildcard-name" loose label={t('power.wildcards.name')}>
            {(control) => (
              <input
                {...control}
                className="input"
                value={name}
                placeholder="colors"
                onChange={(e) => setName(e.target.value)}
              />
            )}
          </Field>
          <Field id="wildcard-text" loose label={t('power.wildcards.text')}>
            {(control) => (
              <textarea
                {...control}
                className="input wildcards__text"
                rows={12}
                value={text}
                placeholder={'red\nblue\n# a comment\n{light|dark} green'}
                onChange={(e) => setText(e.target.value)}
              />
            )}
          </Field>
          <FieldError>{error}</FieldError>
          <div className="wildcards__actions">
            <button
              type="button"
              className="btn btn--primary"
              disabled={!name.trim()}
              onClick={() => void save()}
            >
              {t('power.wildcards.save')}
            </button>
            {exists ? (
              <button type="button" className="btn btn--ghost-danger" onClick={() => void remove()}>
                <Icon name="trash" /> {t('power.wildcards.delete')}
              </button>
            ) : null}
          </div>
        </div>
      </div>
    </Modal>
  );
}
