// The library's left rail: quick views, collections and saved searches (each one just sets the search
// text), "Save this search", importing a folder, and where the disk space goes.
import { memo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useStudio } from '../../store/index.ts';
import { Icon } from '../Icon.tsx';
import { Popover } from '../Popover.tsx';
import { ImportForm } from './PathForms.tsx';
import { UsagePanel } from './UsagePanel.tsx';

function NameForm(props: {
  label: string;
  submit: string;
  initial?: string;
  onSubmit: (name: string) => Promise<unknown>;
}) {
  const [name, setName] = useState(props.initial ?? '');
  return (
    <form
      className="pform"
      onSubmit={(e) => {
        e.preventDefault();
        void props.onSubmit(name.trim());
      }}
    >
      <label className="field">
        <span className="field-label">{props.label}</span>
        <input
          className="input input--sm"
          value={name}
          maxLength={200}
          autoFocus
          onChange={(e) => setName(e.target.value)}
        />
      </label>
      <button type="submit" className="btn btn--primary btn--sm" disabled={!name.trim()}>
        {props.submit}
      </button>
    </form>
  );
}

function RailItem(props: {
  label: string;
  count?: number;
  icon: 'library' | 'star' | 'collection' | 'bookmark' | 'ban';
  current: boolean;
  onClick: () => void;
  onDelete?: () => void;
  title?: string;
}) {
  return (
    <li className="rail__item">
      <button
        type="button"
        className="rail__link"
        aria-current={props.current ? 'true' : undefined}
        title={props.title ?? props.label}
        onClick={props.onClick}
      >
        <Icon name={props.icon} size={15} />
        <span className="rail__label">{props.label}</span>
        {props.count !== undefined ? (
          <span className="rail__count">{props.count.toLocaleString('en-US')}</span>
        ) : null}
      </button>
      {props.onDelete ? (
        <button
          type="button"
          className="icon-btn rail__delete"
          aria-label={`Delete ${props.label}`}
          onClick={props.onDelete}
        >
          <Icon name="x" size={13} />
        </button>
      ) : null}
    </li>
  );
}

export const LibraryRail = memo(function LibraryRail(props: { text: string; apply: (text: string) => void }) {
  const s = useStudio(
    useShallow((st) => ({
      collections: st.collections,
      searches: st.savedSearches,
      createCollection: st.createCollection,
      deleteCollection: st.deleteCollection,
      saveSearch: st.saveSearch,
      deleteSearch: st.deleteSavedSearch,
      query: st.libraryQuery,
    })),
  );
  const q = props.text.trim();
  return (
    <nav className="rail" aria-label="Library views">
      <ul className="rail__list">
        <RailItem label="All images" icon="library" current={q === ''} onClick={() => props.apply('')} />
        <RailItem label="Favorites" icon="star" current={q === 'fav'} onClick={() => props.apply('fav')} />
        <RailItem
          label="Rejected"
          icon="ban"
          current={q === 'rejected'}
          onClick={() => props.apply('rejected')}
        />
      </ul>

      <div className="rail__head">
        <h2 className="rail__title">Collections</h2>
        <Popover
          label="New collection"
          buttonClassName="icon-btn"
          buttonLabel="New collection"
          button={<Icon name="plus" size={15} />}
        >
          {(close) => (
            <NameForm
              label="Collection name"
              submit="Create collection"
              onSubmit={async (name) => {
                if (await s.createCollection(name)) close();
              }}
            />
          )}
        </Popover>
      </div>
      {s.collections.length ? (
        <ul className="rail__list" aria-label="Collections">
          {s.collections.map((c) => (
            <RailItem
              key={c.id}
              label={c.name}
              count={c.count}
              icon="collection"
              current={q === `collection:#${c.id}`}
              onClick={() => props.apply(`collection:#${c.id}`)}
              onDelete={() => void s.deleteCollection(c.id)}
            />
          ))}
        </ul>
      ) : (
        <p className="rail__empty">Group images by adding them to a collection from the selection bar.</p>
      )}

      <div className="rail__head">
        <h2 className="rail__title">Saved searches</h2>
        <Popover
          label="Save this search"
          buttonClassName="icon-btn"
          buttonLabel="Save this search"
          title={s.query.trim() ? 'Save this search' : 'Type a search first'}
          disabled={!s.query.trim()}
          align="end"
          button={<Icon name="plus" size={15} />}
        >
          {(close) => (
            <NameForm
              label="Name this search"
              submit="Save search"
              onSubmit={async (name) => {
                if (await s.saveSearch(name)) close();
              }}
            />
          )}
        </Popover>
      </div>
      {s.searches.length ? (
        <ul className="rail__list" aria-label="Saved searches">
          {s.searches.map((x) => (
            <RailItem
              key={x.id}
              label={x.name}
              icon="bookmark"
              title={x.query}
              current={q === x.query.trim()}
              onClick={() => props.apply(x.query)}
              onDelete={() => void s.deleteSearch(x.id)}
            />
          ))}
        </ul>
      ) : (
        <p className="rail__empty">Search, then save it here with +.</p>
      )}

      <div className="rail__foot">
        <Popover
          label="Import a folder"
          buttonClassName="btn btn--sm btn--block"
          button={
            <>
              <Icon name="folder" size={14} /> Import a folder…
            </>
          }
        >
          {(close) => <ImportForm close={close} />}
        </Popover>
        <UsagePanel />
      </div>
    </nav>
  );
});
