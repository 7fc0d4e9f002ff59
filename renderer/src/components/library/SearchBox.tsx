// The library's search field: the query language in one line, a "?" that shows what it understands (from
// the engine, so the help never disagrees with the parser), and what the engine read differently.
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { syntaxMeaning } from '../../i18n/index.ts';
import { isComposing } from '../../keyboard.ts';
import { useStudio } from '../../store/index.ts';
import { Icon } from '../Icon.tsx';
import { Popover } from '../Popover.tsx';

export function SearchBox(props: { text: string; onChange: (text: string) => void; onSubmit: () => void }) {
  const { t } = useTranslation();
  const { syntax, loadSyntax, warnings } = useStudio(
    useShallow((s) => ({ syntax: s.syntax, loadSyntax: s.loadSyntax, warnings: s.libraryWarnings })),
  );
  return (
    <div className="lib-search">
      <div className="search">
        <Icon name="search" />
        <input
          id="library-search"
          type="search"
          className="input search__input"
          placeholder={t('search.placeholder')}
          title={t('search.placeholderLong')}
          aria-label={t('search.label')}
          aria-describedby={warnings.length ? 'library-search-warnings' : undefined}
          value={props.text}
          spellCheck={false}
          onChange={(e) => props.onChange(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !isComposing(e)) props.onSubmit();
          }}
        />
      </div>
      <Popover
        label={t('search.syntax')}
        buttonClassName="icon-btn icon-btn--boxed"
        buttonLabel={t('search.syntaxHelp')}
        title={t('search.syntaxTitle')}
        align="end"
        onOpen={() => void loadSyntax()}
        button={<Icon name="help" size={18} />}
      >
        {() =>
          syntax ? (
            <div className="syntax">
              <p className="syntax__intro">{t('search.syntaxIntro')}</p>
              <table className="syntax__table">
                <tbody>
                  {syntax.entries.map((e) => (
                    <tr key={e.syntax}>
                      <th scope="row">
                        <code>{e.syntax}</code>
                      </th>
                      <td>{syntaxMeaning(e)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p className="hint">{t('search.syntaxFoot')}</p>
            </div>
          ) : (
            <p className="muted">
              <span className="spinner" aria-hidden="true" /> {t('common.loading')}
            </p>
          )
        }
      </Popover>
      {warnings.length ? (
        <ul id="library-search-warnings" className="lib-search__warnings" aria-live="polite">
          {warnings.map((w) => (
            <li key={w}>
              <Icon name="alert" size={14} /> {w}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
