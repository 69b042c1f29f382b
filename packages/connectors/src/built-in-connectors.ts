import { type LazyConnector, lazyConnector } from "./registry.js";

/**
 * The connectors this package ships, by config `type`, each imported only when first loaded: a
 * config names one or two types, and importing all twelve (with their product clients) cost the CLI
 * most of its start-up. Module-level handles, so every registry built from them shares the loads.
 */
export const builtInConnectors: readonly LazyConnector[] = [
  lazyConnector("filesystem", async () => (await import("./filesystem/index.js")).filesystemConnector),
  lazyConnector("wordpress", async () => (await import("./wordpress/index.js")).wordpressConnector),
  lazyConnector("contentful", async () => (await import("./contentful/index.js")).contentfulConnector),
  lazyConnector("ghost", async () => (await import("./ghost/index.js")).ghostConnector),
  lazyConnector("strapi", async () => (await import("./strapi/index.js")).strapiConnector),
  lazyConnector("confluence", async () => (await import("./confluence/index.js")).confluenceConnector),
  lazyConnector("webdav", async () => (await import("./webdav/index.js")).webdavConnector),
  lazyConnector("s3", async () => (await import("./s3/index.js")).s3Connector),
  lazyConnector("google-drive", async () => (await import("./google-drive/index.js")).googleDriveConnector),
  lazyConnector("mediawiki", async () => (await import("./mediawiki/index.js")).mediawikiConnector),
  lazyConnector("notion", async () => (await import("./notion/index.js")).notionConnector),
  lazyConnector("sharepoint", async () => (await import("./graph/index.js")).graphConnector),
];
