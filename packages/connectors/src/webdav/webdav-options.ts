import { z } from "zod";
import { authBlockSchema } from "../toolkit/credentials/auth-block.js";
import { fileScopeOptions } from "../toolkit/files/file-scope.js";

const folder = z
  .string()
  .regex(/^[^\\]*$/, "use forward slashes")
  .transform((value) => value.replace(/^\/+|\/+$/g, ""));

/** Options of a `webdav` source (Nextcloud, ownCloud, SharePoint's DAV, Apache mod_dav). */
export const webdavOptionsSchema = z.strictObject({
  /** The collection the source starts at, e.g. `https://cloud.example.com/remote.php/dav/files/sync/`. */
  url: z.url({ protocol: /^https?$/ }),
  /** Basic (user + app password) or bearer. Secrets by env var name. */
  auth: authBlockSchema(["basic", "bearer"]),
  /** Folders below `url` to read (relative paths). Default: all of it. */
  folders: z.array(folder).min(1).default([""]),
  /**
   * Globs on the path relative to `url`, media types, size cap, and the canonical URL template
   * (without placeholders the path is appended; default: the file's DAV URL).
   */
  ...fileScopeOptions,
});

export type WebdavOptions = z.output<typeof webdavOptionsSchema>;
