// Collections (named sets of images) and saved searches (named queries): the library's two ways to come
// back to a set of images.
import type { Selection as ContractSelection } from '../../../shared/contract.ts';
import type { CollectionInfo, SavedSearch } from '../../../shared/library.ts';
import { StudioError } from '../errors.ts';
import type { Library } from '../library/library.ts';
import type { LibraryService } from './library.ts';

export class CollectionService {
  private readonly library: Library;
  private readonly images: LibraryService;

  constructor(library: Library, images: LibraryService) {
    this.library = library;
    this.images = images;
  }

  list(): CollectionInfo[] {
    return this.library.collections();
  }

  create(name: string): CollectionInfo {
    const id = this.library.createCollection(name);
    const made = this.list().find((c) => c.id === id);
    if (!made) throw new StudioError('INTERNAL', `Collection ${id} was made but cannot be read back.`);
    return made;
  }

  rename(id: number, name: string): CollectionInfo[] {
    this.library.renameCollection(id, name);
    return this.list();
  }

  delete(id: number): boolean {
    return this.library.deleteCollection(id);
  }

  add(id: number, sel: ContractSelection): number {
    return this.library.addToCollection(id, this.images.ids(sel));
  }

  remove(id: number, sel: ContractSelection): number {
    return this.library.removeFromCollection(id, this.images.ids(sel));
  }
}

export class SavedSearchService {
  private readonly library: Library;

  constructor(library: Library) {
    this.library = library;
  }

  list(): SavedSearch[] {
    return this.library.savedSearches();
  }

  /** Saves the query under a name; saving an existing name replaces its query. */
  save(name: string, query: string): SavedSearch {
    return this.library.saveSearch(name, query);
  }

  rename(id: number, name: string): SavedSearch[] {
    this.library.renameSavedSearch(id, name);
    return this.list();
  }

  delete(id: number): boolean {
    return this.library.deleteSavedSearch(id);
  }
}
