import { z } from "zod";
import { fileScopeOptions } from "../toolkit/files/file-scope.js";

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be the NAME of an environment variable");

const folder = z
  .string()
  .regex(/^[^\\]*$/, "use forward slashes")
  .transform((value) => value.replace(/^\/+|\/+$/g, ""));

/** Options of a `sharepoint` source: SharePoint document libraries, OneDrive drives, site pages. */
export const graphOptionsSchema = z
  .strictObject({
    /** Directory (tenant) id or a verified domain (`contoso.onmicrosoft.com`). */
    tenantId: z.string().regex(/^[A-Za-z0-9.-]+$/, "must be a tenant id (GUID) or domain"),
    /** Application (client) id of the app registration (application permission Files.Read.All or Sites.Read.All). */
    clientId: z.string().min(1),
    /** Env var holding the app registration's client secret. */
    clientSecretEnv: envName,
    /** Graph root. Default `https://graph.microsoft.com/v1.0`; national clouds and tests change it. */
    baseUrl: z.url({ protocol: /^https?$/ }).default("https://graph.microsoft.com/v1.0"),
    /** Token endpoint. Default `https://login.microsoftonline.com/{tenantId}/oauth2/v2.0/token`. */
    tokenUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** Site ids (`contoso.sharepoint.com,{site-guid},{web-guid}`) whose document libraries are synced. */
    sites: z.array(z.string().min(1)).default([]),
    /** With `sites`: only the libraries (drives) with these names. Default every library of the site. */
    libraries: z.array(z.string().min(1)).min(1).optional(),
    /** Users (id or user principal name) whose OneDrive is synced. */
    users: z.array(z.string().min(1)).default([]),
    /** Drive ids synced directly. */
    drives: z.array(z.string().min(1)).default([]),
    /** Folders within each drive to read (paths from the drive's root). Default all of it. */
    folders: z.array(folder).min(1).default([""]),
    /** With `sites`: their modern site pages too, as HTML (text web parts). Default false. */
    sitePages: z.boolean().default(false),
    /** Items per delta page (`$top`). Default 200. */
    pageSize: z.number().int().min(1).max(1000).default(200),
    /** Lifetime of a push subscription in days (Graph allows at most 29.4 for drive items). Default 3. */
    subscriptionDays: z.number().positive().max(29).default(3),
    /** Globs on the path within the drive, media types, size cap, and the canonical URL template (default: `webUrl`). */
    ...fileScopeOptions,
  })
  .refine(
    (options) => options.sites.length + options.users.length + options.drives.length > 0,
    "name at least one of sites, users or drives",
  )
  .refine(
    (options) => options.libraries === undefined || options.sites.length > 0,
    "libraries filters the drives of `sites`: add sites",
  )
  .refine(
    (options) => !options.sitePages || options.sites.length > 0,
    "sitePages reads the pages of `sites`: add sites",
  );

export type GraphOptions = z.output<typeof graphOptionsSchema>;

/** The Microsoft identity platform's v2.0 token endpoint of a tenant. */
export const tokenUrlOf = (tenantId: string): string =>
  `https://login.microsoftonline.com/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`;

export const GRAPH_SCOPE = "https://graph.microsoft.com/.default";
