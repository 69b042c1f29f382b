import { z } from "zod";
import { authBlockSchema } from "../toolkit/credentials/auth-block.js";
import { fillUrlPlaceholders } from "../filesystem/url-template.js";

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
  /** Globs on the path relative to `url` (picomatch); default everything. */
  include: z.array(z.string().min(1)).default(["**"]),
  exclude: z.array(z.string().min(1)).default([]),
  /** Media types to sync (after canonicalisation); default every type the transforms convert. */
  mediaTypes: z.array(z.string().regex(/^[a-z]+\/[a-z0-9.+-]+$/i, "must be a media type")).optional(),
  /** Largest file downloaded, in bytes; bigger files are reported as failed. Default 50 MB. */
  maxFileSize: z
    .number()
    .int()
    .min(1)
    .default(50 * 1024 * 1024),
  /**
   * Canonical URL of a file, e.g. `https://intranet.example.com/docs/{path}`. Placeholders `{path}`,
   * `{slug}`, `{name}`, `{stem}`; without any, the path is appended. Default: the file's DAV URL.
   */
  urlTemplate: z
    .string()
    .min(1)
    .refine((template) => URL.canParse(fillUrlPlaceholders(template, "x")), "must be a URL template")
    .optional(),
});

export type WebdavOptions = z.output<typeof webdavOptionsSchema>;
