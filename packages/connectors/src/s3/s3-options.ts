import { z } from "zod";
import { fileScopeOptions } from "../toolkit/files/file-scope.js";

const envVarName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be the NAME of an environment variable, not its value");

/** Options of an `s3` source (AWS S3, MinIO, Cloudflare R2, GCS interoperability). */
export const s3OptionsSchema = z.strictObject({
  /** Buckets and the key prefixes to read in each (default the whole bucket). */
  buckets: z
    .array(
      z.strictObject({
        bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name"),
        prefixes: z.array(z.string()).min(1).default([""]),
      }),
    )
    .min(1),
  region: z.string().min(1).default("us-east-1"),
  /** Custom endpoint for MinIO, R2 (`https://<account>.r2.cloudflarestorage.com`) or GCS. */
  endpoint: z.url({ protocol: /^https?$/ }).optional(),
  /** Path-style addressing (`endpoint/bucket/key`), needed by MinIO and most local servers. */
  forcePathStyle: z.boolean().default(false),
  accessKeyIdEnv: envVarName,
  secretAccessKeyEnv: envVarName,
  sessionTokenEnv: envVarName.optional(),
  /** Globs on `<key>`, media types, size cap, and the URL template (`{path}` is `<bucket>/<key>`). */
  ...fileScopeOptions,
  /** Keys per ListObjectsV2 page (`MaxKeys`, at most 1000). */
  pageSize: z.number().int().min(1).max(1000).default(1000),
});

export type S3Options = z.output<typeof s3OptionsSchema>;
