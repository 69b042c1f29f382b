/** A body turned into (still uncleaned) HTML by one of the converters. */
export interface ConvertedHtml {
  html: string;
  /** A title the format itself carries (a PDF's Title entry), used before `<title>` and `<h1>`. */
  title?: string;
  /** Things the converter had to approximate (unknown Word styles…), passed on to the report. */
  warnings: string[];
}
