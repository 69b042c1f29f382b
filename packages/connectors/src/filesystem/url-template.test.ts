import { describe, expect, it } from "vitest";
import { fileUrl } from "./url-template.js";

describe("fileUrl", () => {
  it("fills {slug} with the relative path without the file's extension, segments encoded", () => {
    const template = "https://help.example.com/articles/{slug}";
    expect(fileUrl(template, "billing/change-your-plan.md")).toBe(
      "https://help.example.com/articles/billing/change-your-plan",
    );
    expect(fileUrl(template, "top level.md")).toBe("https://help.example.com/articles/top%20level");
    // Only the last extension goes, and only from the file name, never from a folder name.
    expect(fileUrl(template, "v1.2/guide.v2.md")).toBe("https://help.example.com/articles/v1.2/guide.v2");
    expect(fileUrl(template, "notes/README")).toBe("https://help.example.com/articles/notes/README");
    expect(fileUrl(template, "notes/.profile")).toBe("https://help.example.com/articles/notes/.profile");
    expect(fileUrl(template, "a?b/c#d.html")).toBe("https://help.example.com/articles/a%3Fb/c%23d");
  });

  it("fills every placeholder, each as often as it appears, and appends {path} to a bare base URL", () => {
    const relativePath = "team docs/how to.md";
    expect(
      fileUrl("https://x.example.com/{path}?n={name}&s={stem}&slug={slug}&again={slug}", relativePath),
    ).toBe(
      "https://x.example.com/team%20docs/how%20to.md?n=how%20to.md&s=how%20to&slug=team%20docs/how%20to&again=team%20docs/how%20to",
    );
    expect(fileUrl("https://x.example.com/base", relativePath)).toBe(
      "https://x.example.com/base/team%20docs/how%20to.md",
    );
    expect(fileUrl("https://x.example.com/base/", relativePath)).toBe(
      "https://x.example.com/base/team%20docs/how%20to.md",
    );
  });
});
