// The parts of Microsoft Graph v1.0 resources this connector reads (microsoft.graph.drive,
// driveItem, sitePage, subscription). Every field is optional where Graph may leave it out: answers
// are checked where they are used, so a surprise names the field instead of failing later.

export interface GraphIdentitySet {
  user?: { displayName?: string | null; id?: string | null } | null;
  application?: { displayName?: string | null } | null;
}

export interface GraphItemReference {
  driveId?: string | null;
  id?: string | null;
  name?: string | null;
  /** `/drives/{id}/root:/Folder/Sub` (percent-encoded); Graph leaves it out of delta answers. */
  path?: string | null;
}

export interface GraphDriveItem {
  id?: string;
  name?: string | null;
  eTag?: string | null;
  /** Changes with the content only (eTag changes with metadata too). */
  cTag?: string | null;
  size?: number | null;
  webUrl?: string | null;
  lastModifiedDateTime?: string | null;
  lastModifiedBy?: GraphIdentitySet | null;
  parentReference?: GraphItemReference | null;
  file?: { mimeType?: string | null } | null;
  folder?: { childCount?: number | null } | null;
  root?: object | null;
  deleted?: { state?: string | null } | null;
}

export interface GraphDrive {
  id?: string;
  name?: string | null;
  driveType?: string | null;
  webUrl?: string | null;
}

/** One page of a collection; delta pages end with `@odata.deltaLink` instead of a next link. */
export interface GraphPage<T> {
  value?: T[];
  "@odata.nextLink"?: string | null;
  "@odata.deltaLink"?: string | null;
}

export interface GraphWebPart {
  id?: string;
  "@odata.type"?: string;
  /** Set on `#microsoft.graph.textWebPart`: the web part's HTML. */
  innerHtml?: string | null;
}

export interface GraphCanvasLayout {
  horizontalSections?: Array<{ columns?: Array<{ webparts?: GraphWebPart[] | null }> | null }> | null;
  verticalSection?: { webparts?: GraphWebPart[] | null } | null;
}

export interface GraphSitePage {
  id?: string;
  name?: string | null;
  title?: string | null;
  eTag?: string | null;
  webUrl?: string | null;
  lastModifiedDateTime?: string | null;
  lastModifiedBy?: GraphIdentitySet | null;
  publishingState?: { level?: string | null } | null;
  canvasLayout?: GraphCanvasLayout | null;
}

export interface GraphSubscription {
  id?: string;
  resource?: string | null;
  expirationDateTime?: string | null;
}
