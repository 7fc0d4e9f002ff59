import type { ReactNode } from 'react';
import { Icon, type IconName } from './Icon.tsx';

export function EmptyState(props: {
  icon: IconName;
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className="empty">
      <div className="empty__icon">
        <Icon name={props.icon} size={28} />
      </div>
      <p className="empty__title">{props.title}</p>
      {props.children ? <p className="empty__text">{props.children}</p> : null}
      {props.action ? <div className="empty__action">{props.action}</div> : null}
    </div>
  );
}
