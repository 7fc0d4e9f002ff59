// The template grammar at a glance (the same rows as the README's table), beside the prompt editor.
import { useTranslation } from 'react-i18next';
import { Popover } from '../Popover.tsx';

export function TemplateHelp() {
  const { t } = useTranslation();
  const rows = [
    ['{a|b|c}', t('power.syntax.alternatives')],
    ['__colors__', t('power.syntax.wildcard')],
    ['__animals/cats__', t('power.syntax.namespace')],
    ['__colors:3__', t('power.syntax.sample')],
    ['{$c = red|blue} … $c', t('power.syntax.variable')],
    ['$product', t('power.syntax.column')],
    ['\\{ \\} \\| \\$ \\_', t('power.syntax.escape')],
  ];
  return (
    <Popover
      button="?"
      buttonClassName="icon-btn icon-btn--boxed"
      buttonLabel={t('power.syntax.button')}
      title={t('power.syntax.button')}
      label={t('power.syntax.title')}
    >
      {() => (
        <div className="syntax-help">
          <h3 className="card__title">{t('power.syntax.title')}</h3>
          <dl>
            {rows.map(([syntax, meaning]) => (
              <div key={syntax}>
                <dt>
                  <code>{syntax}</code>
                </dt>
                <dd>{meaning}</dd>
              </div>
            ))}
          </dl>
        </div>
      )}
    </Popover>
  );
}
