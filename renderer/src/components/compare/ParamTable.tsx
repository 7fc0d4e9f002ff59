// The compare view's parameters: one column per image, the rows that differ first and marked.
import { useTranslation } from 'react-i18next';
import type { AssetDetail } from '../../../../shared/contract.ts';
import { paramRows } from '../../compare/param-diff.ts';
import { dateTime } from '../../format.ts';

export function ParamTable(props: { assets: AssetDetail[]; labels: string[] }) {
  const { t } = useTranslation();
  const rows = paramRows(props.assets, {
    on: t('common.on'),
    off: t('common.off'),
    none: t('common.none'),
    date: dateTime,
  });
  const differing = rows.filter((r) => r.differs).length;
  return (
    <div className="ptable">
      <p className="ptable__summary" role="status">
        {differing ? t('compare.differing', { count: differing }) : t('compare.allSame')}
      </p>
      <table className="ptable__table" aria-label={t('compare.parameters')}>
        <thead>
          <tr>
            <th scope="col">
              <span className="visually-hidden">{t('compare.parameter')}</span>
            </th>
            {props.labels.map((l) => (
              <th key={l} scope="col">
                {l}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} className={r.differs ? 'ptable__row--differs' : undefined}>
              <th scope="row">
                {t(`compare.param.${r.key}`)}{' '}
                {r.differs ? <span className="ptable__mark">{t('compare.differs')}</span> : null}
              </th>
              {r.values.map((v, i) => (
                <td
                  key={i}
                  className={r.key === 'prompt' || r.key === 'negative' ? 'ptable__text' : undefined}
                >
                  {v || '—'}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
