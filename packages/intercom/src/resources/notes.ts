import type { Paginator, RequestOptions } from "../core/index.js";
import * as S from "../generated/schemas.js";
import type * as T from "../generated/types.js";
import { Resource } from "./resource.js";

/** Notes admins leave on contacts. */
export class NotesResource extends Resource {
  /** Notes of one contact, page by page. */
  list(contactId: number | string, options?: RequestOptions): Paginator<T.Note, T.NoteList> {
    return this.paginate(
      "listNotes",
      [contactId],
      { responseSchema: S.NoteListSchema },
      (page: T.NoteList) => page.data,
      options,
    );
  }

  create(contactId: number | string, body: T.CreateNoteRequest, options?: RequestOptions): Promise<T.Note> {
    return this.call(
      "createNote",
      [contactId],
      { body, requestSchema: S.CreateNoteRequestSchema, responseSchema: S.NoteSchema },
      options,
    );
  }

  get(id: number | string, options?: RequestOptions): Promise<T.Note> {
    return this.call("retrieveNote", [id], { responseSchema: S.NoteSchema }, options);
  }
}
