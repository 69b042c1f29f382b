import type { Element } from "domhandler";

/**
 * A predicate for a list of simple selectors (`tag`, `.class`, `#id`, `[attr]`, `[attr=value]`),
 * answering in a few Map lookups per element what css-select answers for the same list, with the
 * same rules for HTML documents: tag names as parsed (lower case), class tokens split on whitespace
 * and compared case-sensitively, ids and attribute values compared exactly.
 *
 * The built-in chrome list is matched against every element of every document; compiling it this
 * way instead of running the CSS engine over the whole tree is most of what cleaning costs saved.
 */
export type ElementPredicate = (element: Element) => boolean;

const SIMPLE =
  /^(?:([a-z][a-z0-9-]*)|\.([A-Za-z_-][\w-]*)|#([A-Za-z_-][\w-]*)|\[([a-z][\w-]*)(?:=([\w-]+))?\])$/;

/** Compiles the selectors; throws naming a selector that is not one of the simple forms. */
export function compileSimpleSelectors(selectors: readonly string[]): ElementPredicate {
  const tags = new Set<string>();
  const classes = new Set<string>();
  const ids = new Set<string>();
  const present = new Set<string>();
  const equals = new Map<string, Set<string>>();
  for (const selector of selectors) {
    const match = SIMPLE.exec(selector);
    if (match === null)
      throw new Error(`"${selector}" is not a simple selector (tag, .class, #id, [attr], [attr=value])`);
    const [, tag, className, id, attribute, value] = match;
    if (tag !== undefined) tags.add(tag);
    else if (className !== undefined) classes.add(className);
    else if (id !== undefined) ids.add(id);
    else if (attribute !== undefined && value === undefined) present.add(attribute);
    else if (attribute !== undefined && value !== undefined) {
      let values = equals.get(attribute);
      if (values === undefined) {
        values = new Set();
        equals.set(attribute, values);
      }
      values.add(value);
    }
  }
  const presentList = [...present];
  const equalsList = [...equals];
  return (element) => {
    if (tags.has(element.name)) return true;
    const attribs = element.attribs;
    const id = attribs.id;
    if (id !== undefined && ids.has(id)) return true;
    const classAttribute = attribs.class;
    if (classAttribute !== undefined && classes.size > 0) {
      // css-select matches `.name` as a whitespace-separated token (JavaScript's \s, like its regex).
      for (const token of classAttribute.split(/\s+/)) if (classes.has(token)) return true;
    }
    for (const name of presentList) if (attribs[name] != null) return true;
    for (const [name, values] of equalsList) {
      const actual = attribs[name];
      if (actual !== undefined && values.has(actual)) return true;
    }
    return false;
  };
}
