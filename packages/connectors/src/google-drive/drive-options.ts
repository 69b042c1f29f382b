import { z } from "zod";
import { fileScopeOptions } from "../toolkit/files/file-scope.js";

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name");

/** Drive ids (files, folders, shared drives) are URL-safe base64-like strings. */
const driveId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{10,}$/, "must be a Google Drive id (as in the folder's URL)");

/** Longest lifetime Drive grants a `changes.watch` channel: one week. */
export const MAX_CHANNEL_HOURS = 168;

/** Options of a `google-drive` source. The service account key is referenced by env var name. */
export const googleDriveOptionsSchema = z
  .strictObject({
    /** Env var holding the service account key file's JSON. */
    serviceAccountKeyEnv: envName,
    /**
     * User the service account acts as through domain-wide delegation (`sub` claim); needed for
     * `myDrive` and for folders only a user can see. Default none: the service account itself.
     */
    // A pattern rather than z.email(): the config's JSON Schema is checked by ajv without formats.
    subject: z
      .string()
      .regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, "must be the user's email address")
      .optional(),
    /** API root. Default `https://www.googleapis.com`; tests point it at a fixture. */
    baseUrl: z.url({ protocol: /^https?$/ }).default("https://www.googleapis.com"),
    /** Token endpoint the JWT assertion is sent to. Default Google's (`https://oauth2.googleapis.com/token`). */
    tokenUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** Shared drives to sync whole (the id in the drive's URL). Default none. */
    drives: z.array(driveId).default([]),
    /** Folders to sync with everything below them, in My Drive or a shared drive. Default none. */
    folders: z.array(driveId).default([]),
    /** The whole corpus of the (delegated) user: files they own or that are shared with them. Default false. */
    myDrive: z.boolean().default(false),
    /** Results per request (`pageSize` of files.list and changes.list). Default 100, Drive's maximum 1000. */
    pageSize: z.number().int().min(1).max(1000).default(100),
    /** Lifetime asked for each push channel, in hours. Default 24; Drive allows at most 168. */
    channelHours: z.number().int().min(1).max(MAX_CHANNEL_HOURS).default(24),
    /**
     * Globs on the path (folder names below the drive or configured folder, then the file name),
     * media types (Google Docs count as `text/html`, what they are exported as), size cap, and the
     * canonical URL template (default: the file's `webViewLink`).
     */
    ...fileScopeOptions,
  })
  .refine((options) => options.drives.length + options.folders.length > 0 || options.myDrive, {
    message: "name at least one of drives, folders or myDrive: true",
  });

export type GoogleDriveOptions = z.output<typeof googleDriveOptionsSchema>;
