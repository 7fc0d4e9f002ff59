// The library's left rail: quick views, collections, saved searches and tags (each one just sets the search
// text, and each has a "…" menu to rename or delete it), "Save this search", importing a folder, and where
// the disk space goes.
import { memo, useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { num } from '../../format.ts';
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
  /** Named in the menu and the confirm. */
  kind: 'collection' | 'search' | 'tag';
  rename: (name: string) => Promise<boolean>;
  remove: () => void;
  /** Said under "Delete “X”?" so nobody wonders what else goes. */
  deleteNote: string;
}

function ItemMenu(props: { label: string; manage: Manage; close: () => void; startRename: () => void }) {
  const { t } = useTranslation();
  const [confirming, setConfirming] = useState(false);
  if (confirming) {
    return (
      <div className="rail-menu__confirm">
        <p className="rail-menu__question">
          {t('rail.deleteQuestion', { name: props.label })} {props.manage.deleteNote}
        </p>
        <div className="rail-menu__actions">
          <button type="button" className="btn btn--sm" autoFocus onClick={() => setConfirming(false)}>
            {t('common.cancel')}
          </button>
          <button
            type="button"
            className="btn btn--sm rail-menu__delete"
            onClick={() => {
              props.close();
              props.manage.remove();
            }}
          >
            {t(`rail.delete.${props.manage.kind}`)}
          </button>
        </div>
      </div>
    );
  }
  return (
    <div className="rail-menu" role="group" aria-label={t('rail.actions', { name: props.label })}>
      <button
        type="button"
        className="rail-menu__item"
        autoFocus
        onClick={() => {
          props.close();
          props.startRename();
        }}
      >
        {t('rail.rename')}
      </button>
      <button
        type="button"
        className="rail-menu__item rail-menu__item--danger"
        onClick={() => setConfirming(true)}
      >
        {t('rail.deleteMenu')}
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
  const { t } = useTranslation();
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
          label={t(`rail.newName.${manage.kind}`, { name: props.label })}
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
          {props.count !== undefined ? <span className="rail__count">{num(props.count)}</span> : null}
        </button>
      )}
      {manage && !renaming ? (
        <Popover
          label={t('rail.manage', { name: props.label })}
          buttonClassName="icon-btn rail__more"
          buttonLabel={t('rail.more', { name: props.label })}
          title={t(`rail.manageTitle.${manage.kind}`)}
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
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const tags = useStudio(
    useShallow((st) => ({
      tags: st.tags,
      version: st.libraryVersion,
      load: st.loadTags,
      rename: st.renameTag,
      remove: st.deleteTag,
    })),
  );
  const listId = useId();
  const { load } = tags;
  // Loaded only once the section is opened, and again whenever images change while it is open.
  useEffect(() => {
    if (open) void load();
  }, [open, tags.version, load]);
  const q = props.text.trim();
  let body: ReactNode = null;
  if (open) {
    if (tags.tags === null) body = <p className="rail__empty">{t('rail.loadingTags')}</p>;
    else if (tags.tags.length === 0) body = <p className="rail__empty">{t('rail.noTags')}</p>;
    else
      body = (
        <ul className="rail__list" aria-label={t('organise.tags')}>
          {tags.tags.map((tag) => (
            <RailItem
              key={tag.id}
              label={tag.name}
              count={tag.uses}
              icon="tag"
              current={q === tagQuery(tag.name)}
              onClick={() => props.apply(tagQuery(tag.name))}
              manage={{
                kind: 'tag',
                deleteNote: t('rail.deleteNote.tag'),
                rename: async (to) => {
                  const ok = await tags.rename(tag.name, to);
                  // The search showing this tag follows it to its new name.
                  if (ok && q === tagQuery(tag.name)) props.apply(tagQuery(to.trim().replace(/\s+/gu, ' ')));
                  return ok;
                },
                remove: () => {
                  if (q === tagQuery(tag.name)) props.apply('');
                  void tags.remove(tag.name);
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
            {t('organise.tags')}
          </button>
        </h2>
      </div>
      {open ? <div id={listId}>{body}</div> : null}
    </>
  );
}

export const LibraryRail = memo(function LibraryRail(props: { text: string; apply: (text: string) => void }) {
  const { t } = useTranslation();
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
    <nav className="rail" aria-label={t('rail.label')}>
      <ul className="rail__list">
        <RailItem label={t('rail.all')} icon="library" current={q === ''} onClick={() => props.apply('')} />
        <RailItem
          label={t('chip.fav')}
          icon="star"
          current={q === 'fav'}
          onClick={() => props.apply('fav')}
        />
        <RailItem
          label={t('chip.rejected')}
          icon="ban"
          current={q === 'rejected'}
          onClick={() => props.apply('rejected')}
        />
      </ul>

      <div className="rail__head">
        <h2 className="rail__title">{t('organise.collections')}</h2>
        <Popover
          label={t('bulk.newCollection')}
          buttonClassName="icon-btn"
          buttonLabel={t('bulk.newCollection')}
          button={<Icon name="plus" size={15} />}
        >
          {(close) => (
            <NameForm
              label={t('rail.collectionName')}
              submit={t('rail.createCollection')}
              onSubmit={async (name) => {
                if (await s.createCollection(name)) close();
              }}
            />
          )}
        </Popover>
      </div>
      {s.collections.length ? (
        <ul className="rail__list" aria-label={t('organise.collections')}>
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
                deleteNote: t('rail.deleteNote.other'),
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
        <p className="rail__empty">{t('rail.noCollections')}</p>
      )}

      <div className="rail__head">
        <h2 className="rail__title">{t('rail.savedSearches')}</h2>
        <Popover
          label={t('rail.saveSearch')}
          buttonClassName="icon-btn"
          buttonLabel={t('rail.saveSearch')}
          title={s.query.trim() ? t('rail.saveSearch') : t('rail.typeFirst')}
          disabled={!s.query.trim()}
          align="end"
          button={<Icon name="plus" size={15} />}
        >
          {(close) => (
            <NameForm
              label={t('rail.nameSearch')}
              submit={t('rail.saveSearchButton')}
              onSubmit={async (name) => {
                if (await s.saveSearch(name)) close();
              }}
            />
          )}
        </Popover>
      </div>
      {s.searches.length ? (
        <ul className="rail__list" aria-label={t('rail.savedSearches')}>
          {s.searches.map((x) => (
            <RailItem
              key={x.id}
              label={x.name}
              icon="bookmark"
              title={x.query}
              current={q === x.query.trim()}
              onClick={() => props.apply(x.query)}
              manage={{
                kind: 'search',
                deleteNote: t('rail.deleteNote.other'),
                rename: (name) => s.renameSearch(x.id, name),
                remove: () => void s.deleteSearch(x.id),
              }}
            />
          ))}
        </ul>
      ) : (
        <p className="rail__empty">{t('rail.noSearches')}</p>
      )}

      <TagsSection text={props.text} apply={props.apply} />

      <div className="rail__foot">
        <Popover
          label={t('rail.import')}
          buttonClassName="btn btn--sm btn--block"
          button={
            <>
              <Icon name="folder" size={14} /> {t('rail.importButton')}
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
