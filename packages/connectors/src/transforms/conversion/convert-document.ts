import { toCleanHtmlInThisThread } from "../to-clean-html.js";
import type { ConverterModule } from "./conversion-messages.js";

/** The default converter of the pool: the whole transform, run inside the conversion thread. */
export const convert: ConverterModule["convert"] = (input, options) =>
  toCleanHtmlInThisThread(input, options);
