import { describe, expect, it } from "vitest";
import { cleanParserOutput } from "../../src/mediawiki/mediawiki-html.js";

describe("mediawiki parser output clean-up", () => {
  it("drops edit sections, TOC and comments, unwraps mw-parser-output, absolutises links", () => {
    const html = [
      '<div class="mw-parser-output">',
      '<div id="toc" class="toc"><ul><li>1 Intro</li></ul></div>',
      '<h2><span class="mw-headline" id="Intro">Intro</span><span class="mw-editsection">[<a href="/w/index.php?title=Guide&action=edit&section=1">edit</a>]</span></h2>',
      '<p>See <a href="/wiki/Other_page" title="Other page">other</a> and <a href="#Intro">here</a>.</p>',
      '<img src="/w/images/a/ab/Logo.png" srcset="/w/images/a/ab/Logo.png 2x">',
      "<!-- NewPP limit report -->",
      "</div>",
    ].join("");
    const clean = cleanParserOutput(html, "https://wiki.example.com/wiki/Guide");
    expect(clean).toBe(
      '<h2><span class="mw-headline" id="Intro">Intro</span></h2>' +
        '<p>See <a href="https://wiki.example.com/wiki/Other_page" title="Other page">other</a> and <a href="#Intro">here</a>.</p>' +
        '<img src="https://wiki.example.com/w/images/a/ab/Logo.png">',
    );
  });
});
