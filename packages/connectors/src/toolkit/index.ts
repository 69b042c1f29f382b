// The connector toolkit: what every connector stands on. ARCHITECTURE.md ("Connector toolkit")
// documents each piece with an example.
export {
  burstOf,
  inProcessBudget,
  perSecondOf,
  type RequestBudget,
  type RequestRate,
  requestRateSchema,
  UNLIMITED_BUDGET,
} from "./budget/request-budget.js";
export { DownloadTooLargeError, isDownloadTooLargeError } from "./bodies/download-too-large-error.js";
export { type ParseXmlOptions, parseXml } from "./bodies/parse-xml.js";
export { readCapped } from "./bodies/read-capped.js";
export { type AuthBlock, authBlockSchema, credentialsFromAuthBlock } from "./credentials/auth-block.js";
export { CookieSession, type CookieSessionOptions, type LoginClient } from "./credentials/cookie-session.js";
export type { CredentialProvider, CredentialTransport } from "./credentials/credential-provider.js";
export {
  GOOGLE_TOKEN_URL,
  type GoogleServiceAccountOptions,
  googleServiceAccount,
  parseServiceAccountKey,
  type ServiceAccountKey,
} from "./credentials/google-service-account.js";
export {
  type OAuthClientCredentialsOptions,
  oauthClientCredentials,
} from "./credentials/oauth-client-credentials.js";
export { readSecretEnv, type SecretLocation } from "./credentials/secret-env.js";
export { basicAuth, bearerToken, headerCredential } from "./credentials/static-credentials.js";
export { type IssuedToken, TokenCache, type TokenCacheOptions } from "./credentials/token-cache.js";
export {
  decodeTimestampCursor,
  encodeTimestampCursor,
  type TimestampCursor,
} from "./cursors/timestamp-cursor.js";
export {
  decodePartCursor,
  encodePartCursor,
  type PartCursor,
  partCursorExpired,
} from "./cursors/part-cursor.js";
export {
  type QueryValue,
  ToolkitHttpClient,
  type ToolkitHttpOptions,
  type ToolkitRequest,
  type ToolkitResponse,
} from "./http/toolkit-http-client.js";
export { connectorHttp } from "./http/connector-http-client.js";
export {
  type BodyKind,
  bodyFromBytes,
  bodyKindOf,
  canonicalMediaType,
  DOCX_MEDIA_TYPE,
  essenceOf,
  extensionOf,
  type FileFormat,
  formatOfName,
  mediaTypeOfName,
  PDF_MEDIA_TYPE,
  SUPPORTED_EXTENSIONS,
  sniffMediaType,
} from "./media-types/media-types.js";
export { awsRequestHandler, type AwsHttpRequest, type AwsRequestHandler } from "./sdk/aws-request-handler.js";
export { notionClientOptions } from "./sdk/notion-client-options.js";
export {
  assertFreshTimestamp,
  hmacSha256Base64,
  hmacSha256Hex,
  requireSecret,
  safeEqual,
} from "./webhooks/webhook-crypto.js";
export type { NetworkOptions } from "@content-sync/intercom";
