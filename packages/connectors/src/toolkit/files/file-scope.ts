import picomatch from "picomatch";
import { z } from "zod";
import type { SourceEvent } from "../../contract.js";
import { fillUrlPlaceholders } from "../../filesystem/url-template.js";
import { canonicalMediaType } from "../media-types/media-types.js";

/**
 * The scoping options every file-like connector offers (WebDAV, S3, …), spread into its own strict
 * options schema so each reads them the same way: globs on the path, media types, a size cap and a
 * canonical-URL template.
 */
export const fileScopeOptions = {
  /** Globs on the path within the source (picomatch, dot files included); default everything. */
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
  /** Canonical URL of a file; placeholders `{path}`, `{slug}`, `{name}`, `{stem}`. */
  urlTemplate: z
    .string()
    .min(1)
    .refine((template) => URL.canParse(fillUrlPlaceholders(template, "x")), "must be a URL template")
    .optional(),
};

export interface FileScopeOptions {
  include: readonly string[];
  exclude: readonly string[];
  mediaTypes?: readonly string[] | undefined;
  maxFileSize: number;
}

/** Decides, from the options above, which files of a listing a source syncs. */
export class FileScope {
  private readonly included: (path: string) => boolean;
  private readonly excluded: (path: string) => boolean;
  private readonly mediaTypes: ReadonlySet<string> | undefined;

  constructor(private readonly options: FileScopeOptions) {
    this.included = picomatch([...options.include], { dot: true });
    this.excluded = options.exclude.length > 0 ? picomatch([...options.exclude], { dot: true }) : () => false;
    this.mediaTypes = options.mediaTypes
      ? new Set(options.mediaTypes.map((type) => canonicalMediaType(type) ?? type.toLowerCase()))
      : undefined;
  }

  /** True when the include globs match the path and no exclude glob does. */
  includesPath(path: string): boolean {
    return this.included(path) && !this.excluded(path);
  }

  /** True for a media type the transforms convert and the options allow. */
  includesMediaType(mediaType: string | undefined): mediaType is string {
    return mediaType !== undefined && (this.mediaTypes === undefined || this.mediaTypes.has(mediaType));
  }

  get maxFileSize(): number {
    return this.options.maxFileSize;
  }

  /** A `failed` event for a file above `maxFileSize` (reported with its name and size), else undefined. */
  oversize(name: string, size: number | undefined, externalId: string): SourceEvent | undefined {
    if (size === undefined || size <= this.options.maxFileSize) return undefined;
    return {
      kind: "failed",
      externalId,
      error: new Error(
        `${name} is ${size} bytes, above maxFileSize (${this.options.maxFileSize} bytes); skipped`,
      ),
    };
  }
}
