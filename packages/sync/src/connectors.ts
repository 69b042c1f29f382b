import {
  ConnectorRegistry,
  contentfulConnector,
  filesystemConnector,
  ghostConnector,
  strapiConnector,
  wordpressConnector,
  confluenceConnector,
  webdavConnector,
  s3Connector,
  googleDriveConnector,
  mediawikiConnector,
  notionConnector,
  graphConnector,
} from "@content-sync/connectors";

/** The connector types this build knows, by their config `type`. */
export function builtInRegistry(): ConnectorRegistry {
  return new ConnectorRegistry()
    .register(filesystemConnector)
    .register(wordpressConnector)
    .register(contentfulConnector)
    .register(ghostConnector)
    .register(strapiConnector)
    .register(confluenceConnector)
    .register(webdavConnector)
    .register(s3Connector)
    .register(googleDriveConnector)
    .register(mediawikiConnector)
    .register(notionConnector)
    .register(graphConnector);
}
