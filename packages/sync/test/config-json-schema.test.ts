import { readFile } from "node:fs/promises";
import path from "node:path";
import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const repo = path.resolve(import.meta.dirname, "../../..");

/** The committed schema compiled by ajv in strict mode, as CI validators and editors read it. */
async function strictValidator() {
  const schema = JSON.parse(await readFile(path.join(repo, "config/content-sync.schema.json"), "utf8"));
  // strict: true turns every unknown keyword, unknown format and type ambiguity into an error.
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  ajv.addFormat("uri", { validate: (value: string) => URL.canParse(value) });
  return ajv.compile(schema);
}

const describeErrors = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((error) => `${error.instancePath} ${error.message}`);

describe("config/content-sync.schema.json", () => {
  it("compiles under ajv's strict mode and accepts the shipped configs", async () => {
    const validate = await strictValidator();
    for (const file of ["config/demo.yaml", "config/content-sync.yaml", "config/reference.yaml"]) {
      const document = parse(await readFile(path.join(repo, file), "utf8"));
      expect(validate(document), `${file}: ${describeErrors(validate.errors).join("; ")}`).toBe(true);
    }
  });

  it("reports a wrong source type as one error naming the allowed types", async () => {
    const validate = await strictValidator();
    const config = {
      sources: [{ id: "wiki", type: "sharepoint-2007", contentImportSource: { url: "https://x.example/" } }],
    };
    expect(validate(config)).toBe(false);
    expect(validate.errors).toHaveLength(1);
    expect(validate.errors?.[0]).toMatchObject({
      instancePath: "/sources/0/type",
      keyword: "enum",
      params: {
        allowedValues: expect.arrayContaining([
          "filesystem",
          "wordpress",
          "contentful",
          "ghost",
          "strapi",
          "confluence",
        ]),
      },
    });
  });

  it("checks a known type against its own connector's options only", async () => {
    const validate = await strictValidator();
    const config = {
      sources: [
        {
          id: "cms",
          type: "contentful",
          contentImportSource: { url: "https://cms.example/" },
          options: { spaceId: "space1", accessTokenEnv: "CF_TOKEN", webhookPath: "no-slash", root: "/srv" },
        },
      ],
    };
    expect(validate(config)).toBe(false);
    const errors = describeErrors(validate.errors);
    // Only the Contentful branch speaks: no filesystem or WordPress complaints about the same object.
    expect(errors).toEqual(
      expect.arrayContaining([
        "/sources/0/options must NOT have additional properties",
        '/sources/0/options/webhookPath must match pattern "^\\/.*"',
      ]),
    );
    expect(errors.some((message) => message.includes('must match "then" schema'))).toBe(true);
    expect(
      errors.every((message) => message.startsWith("/sources/0/options") || message.includes("then")),
    ).toBe(true);
  });
});
