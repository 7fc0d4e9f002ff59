// The library's left rail: quick views, collections, saved searches and tags (each one just sets the search
// text, and each has a "…" menu to rename or delete it), "Save this search", importing a folder, and where
// the disk space goes.
import { memo, useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useStudio } from '../../store/index.ts';
import { Icon } from '../Icon.tsx';
import { Popover } from '../Popover.tsx';
import { RenameField } from '../RenameField.tsx';
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

/** What a rail item's "…" menu can do; each rename answers whether the engine took the name. */
interface Manage {
  /** "collection", "saved search", "tag": named in the menu and the confirm. */
  kind: string;
  rename: (name: string) => Promise<boolean>;
  remove: () => void;
  /** Said under "Delete “X”?" so nobody wonders what else goes. */
  deleteNote: string;
}

function ItemMenu(props: { label: string; manage: Manage; close: () => void; startRename: () => void }) {
  const [confirming, setConfirming] = useState(false);
  if (confirming) {
    return (
      <div className="rail-menu__confirm">
        <p className="rail-menu__question">
          Delete “{props.label}”? {props.manage.deleteNote}
        </p>
        <div className="rail-menu__actions">
          <button type="button" className="btn btn--sm" autoFocus onClick={() => setConfirming(false)}>
            Cancel
          </button>
          <button
            type="button"
            className="btn btn--sm rail-menu__delete"
            onClick={() => {
              props.close();
              props.manage.remove();
            }}
          >
            Delete {props.manage.kind}
          </button>
        </div>
      </div>
    );
  }
  return (
    <div className="rail-menu" role="group" aria-label={`${props.label} actions`}>
      <button
        type="button"
        className="rail-menu__item"
        autoFocus
        onClick={() => {
          props.close();
          props.startRename();
        }}
      >
        Rename…
      </button>
      <button
        type="button"
        className="rail-menu__item rail-menu__item--danger"
        onClick={() => setConfirming(true)}
      >
        Delete…
      </button>
    </div>
  );
}

function RailItem(props: {
  label: string;
  count?: number;
  icon: 'library' | 'star' | 'collection' | 'bookmark' | 'ban' | 'tag';
  current: boolean;
  onClick: () => void;
  manage?: Manage;
  title?: string;
}) {
  const [renaming, setRenaming] = useState(false);
  const link = useRef<HTMLButtonElement>(null);
  const wasRenaming = useRef(false);
  // Back on the item after a rename ends, so the keyboard carries on from where it was.
  useEffect(() => {
    if (wasRenaming.current && !renaming) link.current?.focus();
    wasRenaming.current = renaming;
  }, [renaming]);
  const manage = props.manage;
  return (
    <li className="rail__item">
      {renaming && manage ? (
        <RenameField
          current={props.label}
          label={`New name for the ${manage.kind} ${props.label}`}
          className="rail__rename"
          rename={manage.rename}
          done={() => setRenaming(false)}
        />
      ) : (
        <button
          ref={link}
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
      )}
      {manage && !renaming ? (
        <Popover
          label={`Manage ${props.label}`}
          buttonClassName="icon-btn rail__more"
          buttonLabel={`More actions for ${props.label}`}
          title={`Rename or delete this ${manage.kind}`}
          align="end"
          button={<span aria-hidden="true">…</span>}
        >
          {(close) => (
            <ItemMenu
              label={props.label}
              manage={manage}
              close={close}
              startRename={() => setRenaming(true)}
            />
          )}
        </Popover>
      ) : null}
    </li>
  );
}

/** The search for one tag; the query language needs quotes around a name with spaces. */
function tagQuery(name: string): string {
  return /\s/u.test(name) ? `tag:"${name}"` : `tag:${name}`;
}

function TagsSection(props: { text: string; apply: (text: string) => void }) {
  const [open, setOpen] = useState(false);
  const t = useStudio(
    useShallow((st) => ({
      tags: st.tags,
      version: st.libraryVersion,
      load: st.loadTags,
      rename: st.renameTag,
      remove: st.deleteTag,
    })),
  );
  const listId = useId();
  const { load } = t;
  // Loaded only once the section is opened, and again whenever images change while it is open.
  useEffect(() => {
    if (open) void load();
  }, [open, t.version, load]);
  const q = props.text.trim();
  let body: ReactNode = null;
  if (open) {
    if (t.tags === null) body = <p className="rail__empty">Loading tags…</p>;
    else if (t.tags.length === 0)
      body = <p className="rail__empty">Tag images from the selection bar or the details panel.</p>;
    else
      body = (
        <ul className="rail__list" aria-label="Tags">
          {t.tags.map((tag) => (
            <RailItem
              key={tag.id}
              label={tag.name}
              count={tag.uses}
              icon="tag"
              current={q === tagQuery(tag.name)}
              onClick={() => props.apply(tagQuery(tag.name))}
              manage={{
                kind: 'tag',
                deleteNote: 'It is removed from every image; the images stay in the library.',
                rename: async (to) => {
                  const ok = await t.rename(tag.name, to);
                  // The search showing this tag follows it to its new name.
                  if (ok && q === tagQuery(tag.name)) props.apply(tagQuery(to.trim().replace(/\s+/gu, ' ')));
                  return ok;
                },
                remove: () => {
                  if (q === tagQuery(tag.name)) props.apply('');
                  void t.remove(tag.name);
                },
              }}
            />
          ))}
        </ul>
      );
  }
  return (
    <>
      <div className="rail__head">
        <h2 className="rail__title">
          <button
            type="button"
            className="rail__toggle"
            aria-expanded={open}
            aria-controls={open ? listId : undefined}
            onClick={() => setOpen(!open)}
          >
            <Icon name="chevron" size={13} />
            Tags
          </button>
        </h2>
      </div>
      {open ? <div id={listId}>{body}</div> : null}
    </>
  );
}

export const LibraryRail = memo(function LibraryRail(props: { text: string; apply: (text: string) => void }) {
  const s = useStudio(
    useShallow((st) => ({
      collections: st.collections,
      searches: st.savedSearches,
      createCollection: st.createCollection,
      renameCollection: st.renameCollection,
      deleteCollection: st.deleteCollection,
      saveSearch: st.saveSearch,
      renameSearch: st.renameSavedSearch,
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
              manage={{
                kind: 'collection',
                deleteNote: 'The images stay in the library.',
                rename: (name) => s.renameCollection(c.id, name),
                remove: () => {
                  if (q === `collection:#${c.id}`) props.apply('');
                  void s.deleteCollection(c.id);
                },
              }}
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
              manage={{
                kind: 'saved search',
                deleteNote: 'The images stay in the library.',
                rename: (name) => s.renameSearch(x.id, name),
                remove: () => void s.deleteSearch(x.id),
              }}
            />
          ))}
        </ul>
      ) : (
        <p className="rail__empty">Search, then save it here with +.</p>
      )}

      <TagsSection text={props.text} apply={props.apply} />

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
