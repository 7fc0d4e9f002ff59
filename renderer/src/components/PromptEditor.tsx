// The prompt editor: a plain textarea (so typing, selection, undo and IME behave natively) with transparent
// text laid over a mirror that draws the same text with `{a|b}` groups highlighted.
import { Fragment, useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { tokenizeLine } from './highlight.ts';

function Highlighted({ text }: { text: string }) {
  const lines = useMemo(() => text.split('\n'), [text]);
  return (
    <>
      {lines.map((line, i) => (
        <Fragment key={i}>
          {tokenizeLine(line).map((t, j) => {
            if (t.kind === 'text' && t.depth === 0) return <Fragment key={j}>{t.text}</Fragment>;
            const depth = Math.min(t.depth, 3);
            return (
              <span key={j} className={`hl hl--${t.kind} hl--d${depth}`}>
                {t.text}
              </span>
            );
          })}
          {'\n'}
        </Fragment>
      ))}
    </>
  );
}

export function PromptEditor(props: {
  id: string;
  value: string;
  onChange: (text: string) => void;
  labelledBy: string;
  describedBy?: string;
}) {
  const { t } = useTranslation();
  const mirror = useRef<HTMLPreElement>(null);
  return (
    <div className="editor">
      <pre className="editor__mirror" ref={mirror} aria-hidden="true">
        <Highlighted text={props.value} />
        {/* keeps a trailing empty line as tall as in the textarea */}{' '}
      </pre>
      <textarea
        id={props.id}
        className="editor__input"
        value={props.value}
        spellCheck={false}
        autoComplete="off"
        placeholder={t('compose.editorPlaceholder')}
        aria-labelledby={props.labelledBy}
        aria-describedby={props.describedBy}
        onChange={(e) => props.onChange(e.target.value)}
        onScroll={(e) => {
          if (mirror.current) {
            mirror.current.scrollTop = e.currentTarget.scrollTop;
            mirror.current.scrollLeft = e.currentTarget.scrollLeft;
          }
        }}
      />
    </div>
  );
}
