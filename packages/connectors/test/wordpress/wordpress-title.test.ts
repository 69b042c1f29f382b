import { describe, expect, it } from "vitest";
import { wordpressTitle } from "../../src/wordpress/wordpress-document.js";

// Posts as a site answers without `context=edit` (no `title.raw`), where only the rendered title
// exists. The real-WordPress suite covers the edit context.
describe("wordpressTitle without edit context", () => {
  it("strips the private_title_format prefix, English or localised, from private posts", () => {
    expect(wordpressTitle({ status: "private", title: { rendered: "Private: Support runbook" } })).toBe(
      "Support runbook",
    );
    expect(
      wordpressTitle({ status: "private", title: { rendered: "Privé&nbsp;: Procédure &amp; suivi" } }),
    ).toBe("Procédure & suivi");
    expect(wordpressTitle({ status: "private", title: { rendered: "私密：运行手册" } })).toBe("运行手册");
    // Only the prefix goes: a colon in the title itself stays.
    expect(wordpressTitle({ status: "private", title: { rendered: "Private: Setup: step 1" } })).toBe(
      "Setup: step 1",
    );
  });

  it("keeps the titles of posts that are not private as rendered", () => {
    expect(wordpressTitle({ status: "publish", title: { rendered: "Private: how we handle data" } })).toBe(
      "Private: how we handle data",
    );
    expect(wordpressTitle({ status: "draft", title: { rendered: "FAQ: billing" } })).toBe("FAQ: billing");
    expect(
      wordpressTitle({ status: "publish", title: { rendered: "Tom &amp; Jerry&#8217;s <em>guide</em>" } }),
    ).toBe("Tom & Jerry’s guide");
  });

  it("prefers title.raw, the title as saved, whatever the status", () => {
    expect(
      wordpressTitle({
        status: "private",
        title: { raw: "Private: really its own title", rendered: "Private: Private: really its own title" },
      }),
    ).toBe("Private: really its own title");
    expect(wordpressTitle({ status: "private", title: { raw: "Runbook &amp; co", rendered: "x" } })).toBe(
      "Runbook & co",
    );
    expect(wordpressTitle({ status: "private" })).toBe("");
  });
});
