import type { ContentfulEntity, ContentfulLocale } from "./contentful-types.js";

/**
 * Reads localized fields the way Contentful's own delivery does: the requested locale, then its
 * `fallbackCode` chain as set in the space's locale settings, then the default locale (where
 * non-localized fields live).
 */
export class LocaleChain {
  readonly locale: string;
  readonly codes: readonly string[];

  constructor(locales: readonly ContentfulLocale[], requested: string | undefined) {
    const byCode = new Map(locales.map((locale) => [locale.code, locale]));
    const fallbackDefault = locales.find((locale) => locale.default)?.code ?? locales[0]?.code;
    const locale = requested ?? fallbackDefault;
    if (!locale) throw new Error("the space lists no locales");
    if (requested && !byCode.has(requested)) {
      throw new Error(
        `locale "${requested}" is not one of the space's locales (${[...byCode.keys()].join(", ") || "none"})`,
      );
    }
    const codes: string[] = [];
    for (let code: string | null | undefined = locale; code && !codes.includes(code); ) {
      codes.push(code);
      code = byCode.get(code)?.fallbackCode;
    }
    if (fallbackDefault && !codes.includes(fallbackDefault)) codes.push(fallbackDefault);
    this.locale = locale;
    this.codes = codes;
  }

  /** The value of `field` in the first locale of the chain that has one. */
  pick(entity: ContentfulEntity, field: string): unknown {
    const values = entity.fields?.[field];
    if (!values) return undefined;
    for (const code of this.codes) {
      const value = values[code];
      if (value !== undefined && value !== null) return value;
    }
    return undefined;
  }

  /** `pick` narrowed to a non-empty string. */
  pickString(entity: ContentfulEntity, field: string): string | undefined {
    const value = this.pick(entity, field);
    return typeof value === "string" && value.trim().length > 0 ? value : undefined;
  }
}
