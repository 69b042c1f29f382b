import { seededRandom } from "@content-sync/intercom/sandbox";

/**
 * Seeded HTML for the differential tests of the quick parser and serialiser: mostly plainly nested
 * documents (flow, phrasing and table content where it belongs, attributes in every quoting style,
 * character references where decoders differ), mutated at a chosen rate with what the HTML
 * standard's parser repairs or treats specially. The same seed always gives the same document.
 */
/** The sandbox's seeded PRNG (mulberry32), so a failing seed replays exactly. */
export const prng = seededRandom;

// Character references where decoders differ: legacy names without `;`, names that prefix others,
// numeric references to NUL, C1 controls, surrogates and beyond Unicode, unknown names, bare `&`.
export const REFERENCES = [
  ..."&amp; &lt; &gt; &quot; &apos; &nbsp; &nbsp &copy &copy; &not &notin; &notit; &ampx &AMP; &eacute;".split(
    " ",
  ),
  ..."&Eacute &#0; &#x80; &#x9F; &#150; &#xD800; &#x10FFFF; &#1114112; &#x110000; &#65; &#x41 &# &#x;".split(
    " ",
  ),
  ..."&unknownname; & &&; &lang; &rang; &frac12; &fjlig; &NotNestedGreaterGreater; &#10; &#13; &#32;".split(
    " ",
  ),
  "&copy=",
  "&amp=x",
];
export const WORDS = [
  "invoice",
  "tab\there",
  "a < b",
  "x > y",
  '"quoted"',
  "it's",
  "ünïcödé",
  "日本語",
  "🎉",
  "back\\slash",
  "line\nbreak",
  "  spaced  ",
  "\n",
  "=",
  "/",
];

export type Random = () => number;
export const pick = <T>(random: Random, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)] as T;

export function text(random: Random): string {
  const parts: string[] = [];
  const count = 1 + Math.floor(random() * 4);
  for (let index = 0; index < count; index++)
    parts.push(random() < 0.3 ? pick(random, REFERENCES) : pick(random, WORDS));
  return parts.join(random() < 0.5 ? " " : "");
}

export const ATTRIBUTE_NAMES = [
  "href",
  "src",
  "class",
  "id",
  "title",
  "alt",
  "data-x",
  "style",
  "CONSTRUCTOR",
  "role",
  "lang",
];

export function attributes(random: Random): string {
  let out = "";
  const count = Math.floor(random() * 3);
  for (let index = 0; index < count; index++) {
    const name = pick(random, ATTRIBUTE_NAMES);
    const value =
      random() < 0.3
        ? pick(random, REFERENCES)
        : pick(random, ["x", "a b", "https://e.com/?a=1&b=2", "", "1"]);
    const form = random();
    if (form < 0.6) out += ` ${name}="${value.replace(/"/g, "&quot;")}"`;
    else if (form < 0.75) out += ` ${name}='${value.replace(/'/g, "&#39;")}'`;
    else if (form < 0.85) out += ` ${name}=${value.replace(/[\s"'=<>`]/g, "") || "v"}`;
    else if (form < 0.9) out += ` ${name}`;
    else
      out += pick(random, [
        ` ${name}="${value}"x=1`,
        ` ${name}=a"b`,
        ` ${name}  =  "spaced"`,
        ` _${name}="u"`,
        ` __proto__="p"`,
        `/`,
      ]);
  }
  return out;
}

// Plain nesting most of the time; table parts, list items and headings where they belong.
export const FLOW = [
  "div",
  "p",
  "section",
  "blockquote",
  "ul",
  "ol",
  "dl",
  "table",
  "pre",
  "h2",
  "details",
  "figure",
];
export const PHRASING = [
  "a",
  "b",
  "strong",
  "em",
  "i",
  "code",
  "span",
  "s",
  "u",
  "small",
  "sup",
  "kbd",
  "mark",
  "q",
];
export const VOIDS = ["br", "img", "hr", "input", "wbr"];
// Elements and forms that make parse5 repair, insert or switch tokenizer state.
export const TROUBLE = [
  "<p>",
  "</p>",
  "</div>",
  "<li>",
  "<td>",
  "<tr>",
  "</br>",
  "<br/>",
  "<div/>",
  "<script>x</script>",
  "<textarea>t</textarea>",
  "<title>t</title>",
  "<style>s</style>",
  "<svg><circle/></svg>",
  "<math><mi>x</mi></math>",
  "<template><p>t</p></template>",
  "<select><option>o</select>",
  "<button>b<button>c",
  "<form><form>",
  "<nobr>n<nobr>",
  "<image src=x>",
  "<a>in<a>nested",
  "<b><i>mis</b></i>",
  "<table>stray text<tr><td>c</table>",
  "<h1><h2>h</h2></h1>",
  "<pre>\nnewline</pre>",
  "<listing>l</listing>",
  "<!DOCTYPE html>",
  "<?pi x?>",
  "<![CDATA[c]]>",
  "<!-->",
  "<!--->",
  "<!-- a --!>",
  "<!-- a -- b -->",
  "<!--<!-- x -->",
  "<!-- ok -->",
  "</ b>",
  "<3",
  "</3",
  "<!x>",
  "<html lang=en>",
  "<body class=x>",
  "<head>",
  "<frameset>",
  "<caption>c",
  "<colgroup><col>",
  "<tbody>",
  "<dd>",
  "<dt>",
  "<center>",
  "<plaintext>p",
  "<xmp>x</xmp>",
  "<noscript>n</noscript>",
  "<iframe>i</iframe>",
  "<object>o</object>",
  "<marquee>m</marquee>",
  "<ruby>r<rt>t</ruby>",
  "<font>f",
  "\0",
  "\r\n",
  "<",
  "</unknown>",
  "<custom-el>c</custom-el>",
  "<A HREF=x>up</A>",
  "<P>upper</p>",
  "< p>",
  "<p\n class=x\n>",
  "<p class=x class=y>",
];

export function soup(random: Random, depth: number, mutation: number): string {
  let out = "";
  const count = 1 + Math.floor(random() * 4);
  for (let index = 0; index < count; index++) {
    const roll = random();
    if (roll < mutation) {
      out += pick(random, TROUBLE);
    } else if (roll < 0.35 || depth > 4) {
      out += text(random);
    } else if (roll < 0.45) {
      out += `<${pick(random, VOIDS)}${attributes(random)}>`;
    } else if (roll < 0.7) {
      const name = pick(random, PHRASING);
      out += `<${name}${attributes(random)}>${soup(random, depth + 1, mutation)}</${name}>`;
    } else {
      out += block(random, pick(random, FLOW), depth, mutation);
    }
  }
  return out;
}

export function phrasing(random: Random, depth: number, mutation: number): string {
  let out = "";
  const count = 1 + Math.floor(random() * 3);
  for (let index = 0; index < count; index++) {
    const roll = random();
    if (roll < mutation) out += pick(random, TROUBLE);
    else if (roll < 0.5 || depth > 4) out += text(random);
    else if (roll < 0.6)
      out += `<${pick(
        random,
        VOIDS.filter((name) => name !== "hr"),
      )}${attributes(random)}>`;
    else {
      const name = pick(random, PHRASING);
      out += `<${name}${attributes(random)}>${phrasing(random, depth + 1, mutation)}</${name}>`;
    }
  }
  return out;
}

export function block(random: Random, name: string, depth: number, mutation: number): string {
  const ws = () => pick(random, ["", "\n", " ", "\n  "]);
  const inner = () => soup(random, depth + 1, mutation);
  switch (name) {
    case "ul":
    case "ol":
      return `<${name}>${ws()}<li>${inner()}</li>${ws()}<li>${inner()}</li>${ws()}</${name}>`;
    case "dl":
      return `<dl><dt>${inner()}</dt>${ws()}<dd>${inner()}</dd></dl>`;
    case "table": {
      const cell = (tag: string) => `<${tag}${attributes(random)}>${inner()}</${tag}>`;
      const head =
        random() < 0.5 ? `<thead>${ws()}<tr>${cell("th")}${ws()}${cell("th")}</tr>${ws()}</thead>` : "";
      return `<table>${ws()}${head}${ws()}<tbody>${ws()}<tr>${cell("td")}${ws()}${cell("td")}</tr>${ws()}</tbody>${ws()}</table>`;
    }
    case "pre":
      return `<pre>${random() < 0.5 ? "<code>" : ""}${text(random)}${random() < 0.5 ? "</code>" : ""}</pre>`;
    case "details":
      return `<details><summary>${text(random)}</summary>${inner()}</details>`;
    case "p":
    case "h2":
      // Phrasing content only: a block inside would be a repair (refused), not a test of agreement.
      return `<${name}${attributes(random)}>${phrasing(random, depth + 1, mutation)}</${name}>`;
    default:
      return `<${name}${attributes(random)}>${inner()}</${name}>`;
  }
}
