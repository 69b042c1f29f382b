export { davExternalId, davVersion, webdavConnector } from "./webdav-connector.js";
export { type WebdavOptions, webdavOptionsSchema } from "./webdav-options.js";
