import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpenApiSchemas, sharedContract } from "../../src/testing/index.js";
import { GraphFixture } from "./graph-fixture.js";

/**
 * The fixture's answers, fetched over HTTP as the connector gets them, held against the component
 * schemas of the Microsoft Graph v1.0 OpenAPI subset (`../shared/contracts/microsoft-graph`), so the
 * fixture cannot drift from Graph's declared shapes: driveItem (file, folder, root, tombstone), a
 * delta page (the collection, each item, and its next/delta link), drive, subscription, sitePage
 * with its canvasLayout.
 */
const SPEC = sharedContract("microsoft-graph/graph-v1.0-subset.yaml");
const SECRET = "contract~secret~value";

describe.skipIf(SPEC === undefined)(
  `graph fixture answers against the Microsoft Graph v1.0 subset${SPEC ? "" : " (skipped: ../shared/contracts is absent)"}`,
  // Compiling a schema of the 735 KB file takes seconds on a busy machine.
  { timeout: 60_000 },
  () => {
    let fixture: GraphFixture;
    let schemas: OpenApiSchemas;
    let token: string;
    let drive: string;
    const ids = { file: "", gone: "" };

    const get = async (path: string, init: RequestInit = {}): Promise<Record<string, unknown>> => {
      const send = () =>
        fetch(path.startsWith("http") ? path : `${fixture.baseUrl}${path}`, {
          ...init,
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        });
      // A pooled connection the fixture closed after its keep-alive timeout (a slow schema compile in
      // between) resets on reuse: one more attempt on a new connection, as any HTTP client would.
      const response = await send().catch(() => send());
      expect(response.ok, `${path} answered ${response.status}`).toBe(true);
      return (await response.json()) as Record<string, unknown>;
    };

    beforeAll(async () => {
      schemas = OpenApiSchemas.load(SPEC ?? "");
      fixture = await GraphFixture.start(SECRET);
      drive = fixture.addDrive("Documents", { site: "hr" });
      ids.file = fixture.addFile(drive, "Policies/Leave policy.docx", "PK", "application/msword");
      ids.gone = fixture.addFile(drive, "Policies/Old.md", "# Old", "text/markdown");
      fixture.deleteItem(drive, ids.gone);
      fixture.addSitePage("hr", { name: "FAQ.aspx", title: "FAQ", html: ["<p>Ask.</p>"] });
      const issued = await fetch(fixture.tokenUrl, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "client_credentials",
          client_id: GraphFixture.clientId,
          client_secret: SECRET,
          scope: "https://graph.microsoft.com/.default",
        }).toString(),
      });
      token = ((await issued.json()) as { access_token: string }).access_token;
    }, 60_000);

    afterAll(async () => {
      await fixture?.close();
    });

    it("drive items: a file (with its path), a folder and the root match microsoft.graph.driveItem", async () => {
      const file = await get(`/drives/${drive}/items/${ids.file}`);
      expect(file.parentReference).toMatchObject({ path: `/drives/${drive}/root:/Policies` });
      expect(schemas.errors("microsoft.graph.driveItem", file)).toEqual([]);
      const folder = await get(`/drives/${drive}/items/${fixture.itemIdOf(drive, "Policies")}`);
      expect(folder).toHaveProperty("folder");
      expect(schemas.errors("microsoft.graph.driveItem", folder)).toEqual([]);
      expect(schemas.errors("microsoft.graph.driveItem", fixture.driveItem(drive, ids.gone))).toEqual([]);
    });

    it("delta pages: the collection, every item in it (tombstones too), and their links", async () => {
      let link: string | undefined = `/drives/${drive}/root/delta?$top=2`;
      let pages = 0;
      let deltaLink: unknown;
      const kinds = new Set<string>();
      while (link) {
        const page = await get(link);
        pages++;
        expect(schemas.errors("microsoft.graph.driveItemCollectionResponse", page)).toEqual([]);
        for (const item of page.value as Record<string, unknown>[]) {
          expect(item.parentReference ?? {}).not.toHaveProperty("path");
          for (const facet of ["root", "folder", "file", "deleted"]) if (facet in item) kinds.add(facet);
        }
        link = page["@odata.nextLink"] as string | undefined;
        deltaLink = page["@odata.deltaLink"];
      }
      expect(pages).toBe(2); // root, folder, file, tombstone: two pages of two
      expect([...kinds].sort()).toEqual(["deleted", "file", "folder", "root"]);
      expect(typeof deltaLink).toBe("string");
      const changes = await get(deltaLink as string);
      expect(changes.value).toEqual([]);
      expect(schemas.errors("microsoft.graph.driveItemCollectionResponse", changes)).toEqual([]);
    });

    it("drives: a drive and a site's drive collection", async () => {
      expect(schemas.errors("microsoft.graph.drive", await get(`/drives/${drive}`))).toEqual([]);
      expect(
        schemas.errors("microsoft.graph.driveCollectionResponse", await get("/sites/hr/drives")),
      ).toEqual([]);
    });

    it("subscriptions: the created one and a renewed one match microsoft.graph.subscription", async () => {
      const expirationDateTime = new Date(Date.now() + 2 * 86_400_000).toISOString();
      const created = await get("/subscriptions", {
        method: "POST",
        body: JSON.stringify({
          changeType: "updated",
          notificationUrl: "https://sync.example.com/webhooks/sp",
          resource: `/drives/${drive}/root`,
          expirationDateTime,
          clientState: "state",
        }),
      });
      expect(schemas.errors("microsoft.graph.subscription", created)).toEqual([]);
      const renewed = await get(`/subscriptions/${created.id}`, {
        method: "PATCH",
        body: JSON.stringify({ expirationDateTime }),
      });
      expect(schemas.errors("microsoft.graph.subscription", renewed)).toEqual([]);
    });

    it("site pages: the listing and one page with canvasLayout expanded", async () => {
      const list = await get("/sites/hr/pages/microsoft.graph.sitePage");
      expect(schemas.errors("microsoft.graph.sitePageCollectionResponse", list)).toEqual([]);
      const id = (list.value as Array<{ id: string }>)[0]?.id;
      const page = await get(`/sites/hr/pages/${id}/microsoft.graph.sitePage?$expand=canvasLayout`);
      expect(page).toHaveProperty("canvasLayout.horizontalSections");
      expect(schemas.errors("microsoft.graph.sitePage", page)).toEqual([]);
    });

    it("the schemas are strict enough to catch a wrong fixture", () => {
      const file = fixture.driveItem(drive, ids.file);
      expect(schemas.errors("microsoft.graph.driveItem", { ...file, size: "big", cTag: 3 })).toEqual(
        expect.arrayContaining([expect.stringContaining("/size"), expect.stringContaining("/cTag")]),
      );
    });
  },
);
