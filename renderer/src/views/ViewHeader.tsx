import type { ReactNode } from 'react';

/** The heading of an area; focused when the area opens, so screen readers announce where one is. */
export function ViewHeader(props: { title: string; subtitle?: string; children?: ReactNode }) {
  return (
    <header className="view__header">
      <div className="view__titles">
        <h1 id="view-title" className="view__title" tabIndex={-1}>
          {props.title}
        </h1>
        {props.subtitle ? <p className="view__subtitle">{props.subtitle}</p> : null}
      </div>
      {props.children ? <div className="view__actions">{props.children}</div> : null}
    </header>
  );
}
