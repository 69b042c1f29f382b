import { z } from "zod";
import { SUPPORTED_EXTENSIONS } from "../toolkit/media-types/media-types.js";
import { fillUrlPlaceholders, URL_PLACEHOLDERS } from "./url-template.js";

export const DEFAULT_INCLUDE: readonly string[] = [`**/*.{${SUPPORTED_EXTENSIONS.join(",")}}`];
/** Hidden files and folders (.git, .DS_Store, editor swap files) and dependency folders. */
export const DEFAULT_EXCLUDE: readonly string[] = ["**/.*", "**/node_modules/**"];
/** 50 MiB: big enough for long manuals as PDF, small enough not to load a disk image into memory. */
export const DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024;

const PLACEHOLDERS: ReadonlySet<string> = new Set(URL_PLACEHOLDERS);
const PLACEHOLDER_LIST = URL_PLACEHOLDERS.map((name) => `{${name}}`).join(", ");

/** Options of a `filesystem` source: a local folder or a mounted SMB/NFS share. */
export interface FilesystemOptions {
  /** Folder to sync, absolute or relative to the process's working directory. Required. */
  root: string;
  /**
   * Globs (picomatch, matched case-insensitively against the path relative to `root`, with forward
   * slashes) a file must match to be synced. Default: every supported extension
   * (`**\/*.{md,markdown,html,htm,txt,docx,pdf}`). A matching file of another type is reported as failed.
   */
  include?: string[];
  /**
   * Globs of files and folders to skip; a matching folder is not entered at all.
   * Default `["**\/.*", "**\/node_modules/**"]` (hidden files and folders, dependency folders).
   */
  exclude?: string[];
  /**
   * The public URL of each file, so Fin can cite it. `{path}` is the relative path with each segment
   * URL-encoded (slashes kept): `billing/change-your-plan.md`; `{slug}` the same without the file's
   * extension, for sites that publish `billing/change-your-plan.md` at `.../billing/change-your-plan`
   * (files that differ only in extension then share a URL);
   * `{name}` the encoded file name; `{stem}` the encoded name without its extension. A template
   * without placeholders is a base URL and gets `{path}` appended. A `url` in a Markdown file's front
   * matter wins. Default none (pages without a URL are not cited by Fin).
   */
  urlTemplate?: string;
  /**
   * Follow symbolic links (to files and folders). Default false: links are skipped. Even when true, a
   * link whose target resolves outside `root` is never read; it is reported as failed.
   */
  followSymlinks?: boolean;
  /** Files larger than this are reported as failed instead of read. Default 50 MiB. */
  maxFileBytes?: number;
}

export const filesystemOptionsSchema: z.ZodType<FilesystemOptions> = z.strictObject({
  root: z.string().trim().min(1, "root must name a folder"),
  include: z.array(z.string().min(1, "an include glob must not be empty")).min(1).optional(),
  exclude: z.array(z.string().min(1, "an exclude glob must not be empty")).optional(),
  urlTemplate: z
    .string()
    .trim()
    .superRefine((template, ctx) => {
      for (const match of template.matchAll(/\{([^}]*)\}/g)) {
        if (!PLACEHOLDERS.has(match[1] ?? "")) {
          ctx.addIssue({
            code: "custom",
            message: `unknown placeholder {${match[1]}} in urlTemplate: use one of ${PLACEHOLDER_LIST}`,
          });
        }
      }
      const sample = fillUrlPlaceholders(template, "x");
      if (!URL.canParse(sample) || !/^https?:$/.test(new URL(sample).protocol)) {
        ctx.addIssue({
          code: "custom",
          message: `urlTemplate must be an absolute http(s) URL, got "${template}"`,
        });
      }
    })
    .optional(),
  followSymlinks: z.boolean().optional(),
  maxFileBytes: z.number().int().positive("maxFileBytes must be positive").optional(),
});
