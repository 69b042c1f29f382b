import { XMLParser } from "fast-xml-parser";

export interface ParseXmlOptions {
  /**
   * Drop namespace prefixes (`d:multistatus` → `multistatus`). WebDAV servers pick their own prefixes
   * for the `DAV:` namespace, so code that matches names needs them gone. Default true.
   */
  removeNamespacePrefixes?: boolean;
  /** Element names that are always arrays, even with one child (`response` in a multistatus). */
  alwaysArray?: readonly string[];
}

/**
 * XML → plain objects with fast-xml-parser: attributes under `@_name`, text of mixed elements under
 * `#text`, values left as strings (an etag or a file name that looks like a number stays a string).
 * Throws on malformed XML instead of returning a partial tree.
 */
export function parseXml<T = unknown>(text: string, options: ParseXmlOptions = {}): T {
  const arrays = new Set(options.alwaysArray ?? []);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@_",
    removeNSPrefix: options.removeNamespacePrefixes ?? true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    processEntities: true,
    isArray: (name) => arrays.has(name),
  });
  return parser.parse(text, true) as T;
}
