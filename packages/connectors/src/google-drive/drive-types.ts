/** Drive API v3 resources, as far as this connector reads them (the fields it asks for). */

export const FOLDER_MIME_TYPE = "application/vnd.google-apps.folder";
export const GOOGLE_DOC_MIME_TYPE = "application/vnd.google-apps.document";
/** Every Google Workspace type (Docs, Sheets, Slides, Forms, shortcuts…) shares this prefix. */
export const GOOGLE_APPS_PREFIX = "application/vnd.google-apps.";

export interface DriveFile {
  id: string;
  name: string;
  mimeType: string;
  /** Binary files only: Google Workspace files have no checksum. */
  md5Checksum?: string;
  /** Increases with every change on the server, metadata and sharing included (int64 as a string). */
  version?: string;
  modifiedTime?: string;
  /** Bytes, int64 as a string; absent for Google Workspace files. */
  size?: string;
  webViewLink?: string;
  parents?: string[];
  trashed?: boolean;
  /** Set for files in a shared drive. */
  driveId?: string;
  lastModifyingUser?: { displayName?: string };
}

export interface FileList {
  nextPageToken?: string;
  files?: DriveFile[];
}

export interface Change {
  changeType?: string;
  fileId?: string;
  removed?: boolean;
  driveId?: string;
  file?: DriveFile;
}

export interface ChangeList {
  nextPageToken?: string;
  newStartPageToken?: string;
  changes?: Change[];
}

export interface StartPageToken {
  startPageToken?: string;
}

export interface Channel {
  id?: string;
  resourceId?: string;
  resourceUri?: string;
  token?: string;
  /** Unix ms, int64 as a string. */
  expiration?: string;
}

/** The `fields` of one file this connector reads, and no more (a partial response). */
export const FILE_FIELDS =
  "id,name,mimeType,md5Checksum,version,modifiedTime,size,webViewLink,parents,trashed,driveId,lastModifyingUser(displayName)";
