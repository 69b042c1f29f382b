export { WordPressConnector, wordpressConnector } from "./wordpress-connector.js";
export {
  type WordPressOptions,
  type WordPressStatus,
  WORDPRESS_STATUSES,
  wordpressOptionsSchema,
} from "./wordpress-options.js";
export {
  signWordPressWebhook,
  WORDPRESS_SIGNATURE_HEADER,
  WORDPRESS_TIMESTAMP_HEADER,
  wordpressWebhook,
} from "./wordpress-webhook.js";
