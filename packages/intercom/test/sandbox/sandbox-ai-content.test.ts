import {
  IntercomAuthError,
  IntercomNotFoundError,
  IntercomValidationError,
  isIntercomNotFoundError,
  isIntercomValidationError,
} from "@content-sync/intercom";
import { afterEach, describe, expect, it } from "vitest";
import { clientFor, closeSandboxes, FakeClock, openSandbox, pageBody } from "./helpers.js";

afterEach(closeSandboxes);

async function setup() {
  const clock = new FakeClock();
  const sandbox = await openSandbox({ clock });
  const client = clientFor(sandbox);
  const source = await client.aiContent.createContentImportSource({
    sync_behavior: "api",
    url: "https://docs.example.com",
  });
  return { clock, sandbox, client, source };
}

describe("sandbox AI Content through the typed client", () => {
  it("identifies the admin of the token (GET /me)", async () => {
    const { client } = await setup();
    const admin = await client.admins.identify();
    expect(admin).toMatchObject({ type: "admin", id: "1", app: { type: "app" } });
  });

  it("refuses a token it does not know with 401 unauthorized", async () => {
    const { sandbox } = await setup();
    const stranger = clientFor(sandbox, { token: "not-the-token" });
    const error = await stranger.aiContent
      .listContentImportSources()
      .toArray()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntercomAuthError);
    expect(error).toMatchObject({ status: 401, code: "unauthorized" });
    expect((error as IntercomAuthError).requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("creates a page with availability off by default, and upserts it by source and external id", async () => {
    const { clock, client, source, sandbox } = await setup();
    const created = await client.aiContent.createExternalPage(pageBody(source.id, "doc-1"));
    expect(created).toMatchObject({
      type: "external_page",
      title: "Title of doc-1",
      source_id: source.id,
      external_id: "doc-1",
      locale: "en",
      ai_agent_availability: false,
      ai_copilot_availability: false,
      created_at: clock.seconds,
      updated_at: clock.seconds,
      last_ingested_at: clock.seconds,
    });
    expect(typeof created.id).toBe("string");
    expect(typeof created.source_id).toBe("number");

    clock.advance(60_000);
    const updated = await client.aiContent.createExternalPage(
      pageBody(source.id, "doc-1", { title: "New title", ai_agent_availability: true }),
    );
    expect(updated.id).toBe(created.id);
    expect(updated).toMatchObject({
      title: "New title",
      ai_agent_availability: true,
      ai_copilot_availability: false,
      created_at: created.created_at,
      updated_at: clock.seconds,
      last_ingested_at: clock.seconds,
    });
    expect(sandbox.store.pageCount).toBe(1);
    expect(sandbox.store.findPage(source.id, "doc-1")?.title).toBe("New title");
  });

  it("keeps availability flags an update leaves out", async () => {
    const { client, source } = await setup();
    await client.aiContent.createExternalPage(
      pageBody(source.id, "doc-1", { ai_agent_availability: true, ai_copilot_availability: true }),
    );
    const again = await client.aiContent.createExternalPage(
      pageBody(source.id, "doc-1", { title: "changed" }),
    );
    expect(again).toMatchObject({
      title: "changed",
      ai_agent_availability: true,
      ai_copilot_availability: true,
    });
  });

  it("does not move timestamps on an identical re-upsert", async () => {
    const { clock, client, source } = await setup();
    const first = await client.aiContent.createExternalPage(pageBody(source.id, "doc-1"));
    clock.advance(3_600_000);
    const second = await client.aiContent.createExternalPage(pageBody(source.id, "doc-1"));
    expect(second).toEqual(first);
  });

  it("treats the same external id in two sources as two pages", async () => {
    const { client, source } = await setup();
    const other = await client.aiContent.createContentImportSource({
      sync_behavior: "api",
      url: "https://b.example",
    });
    const a = await client.aiContent.createExternalPage(pageBody(source.id, "same"));
    const b = await client.aiContent.createExternalPage(pageBody(other.id, "same"));
    expect(a.id).not.toBe(b.id);
  });

  it("updates a page with PUT, keeping flags that are left out", async () => {
    const { clock, client, source } = await setup();
    const page = await client.aiContent.createExternalPage(
      pageBody(source.id, "doc-1", { ai_copilot_availability: true }),
    );
    clock.advance(5_000);
    const updated = await client.aiContent.updateExternalPage(page.id, {
      title: "Put title",
      html: "<p>put</p>",
      url: "https://docs.example.com/put",
      locale: "en",
      source_id: source.id,
    });
    expect(updated).toMatchObject({
      id: page.id,
      title: "Put title",
      html: "<p>put</p>",
      url: "https://docs.example.com/put",
      external_id: "doc-1",
      ai_copilot_availability: true,
      updated_at: clock.seconds,
    });
    expect(await client.aiContent.getExternalPage(page.id)).toEqual(updated);
  });

  it("deletes a page, answering with the page, then 404s for it", async () => {
    const { client, source, sandbox } = await setup();
    const page = await client.aiContent.createExternalPage(pageBody(source.id, "doc-1"));
    const deleted = await client.aiContent.deleteExternalPage(page.id);
    expect(deleted).toMatchObject({ id: page.id, type: "external_page", external_id: "doc-1" });
    expect(sandbox.store.getPage(page.id)).toBeUndefined();
    const error = await client.aiContent.getExternalPage(page.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntercomNotFoundError);
    expect(error).toMatchObject({ status: 404, code: "not_found" });
    await expect(client.aiContent.deleteExternalPage(page.id)).rejects.toSatisfy(isIntercomNotFoundError);
  });

  it("reads, updates and deletes a content import source; deletion removes its pages", async () => {
    const { clock, client, source, sandbox } = await setup();
    const keep = await client.aiContent.createContentImportSource({
      sync_behavior: "api",
      url: "https://keep.example",
    });
    await client.aiContent.createExternalPage(pageBody(source.id, "a"));
    await client.aiContent.createExternalPage(pageBody(source.id, "b"));
    const kept = await client.aiContent.createExternalPage(pageBody(keep.id, "a"));

    expect(await client.aiContent.getContentImportSource(source.id)).toMatchObject({
      id: source.id,
      sync_behavior: "api",
      status: "active",
    });
    clock.advance(10_000);
    const updated = await client.aiContent.updateContentImportSource(source.id, {
      sync_behavior: "api",
      url: "https://moved.example",
      status: "deactivated",
    });
    expect(updated).toMatchObject({
      url: "https://moved.example",
      status: "deactivated",
      updated_at: clock.seconds,
    });

    await client.aiContent.deleteContentImportSource(source.id);
    expect(sandbox.store.getSource(source.id)).toBeUndefined();
    expect(sandbox.store.listPages().map((page) => page.id)).toEqual([kept.id]);
    await expect(client.aiContent.getContentImportSource(source.id)).rejects.toSatisfy(
      isIntercomNotFoundError,
    );
    const sources = await client.aiContent.listContentImportSources().toArray();
    expect(sources.map((s) => s.id)).toEqual([keep.id]);
    expect(sandbox.stats().succeeded["DELETE /ai/content_import_sources/{id}"]).toBe(1);
  });

  it("rejects pages for an unknown source, naming source_id", async () => {
    const { client } = await setup();
    const error = await client.aiContent.createExternalPage(pageBody(999, "doc-1")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntercomValidationError);
    expect(error).toMatchObject({ status: 400, code: "parameter_invalid" });
    expect((error as IntercomValidationError).errors[0]?.field).toBe("source_id");
  });

  it("rejects a blank title, a non-integer source id and a relative URL in one error.list", async () => {
    const { client, source } = await setup();
    const error = await client.aiContent
      .createExternalPage(pageBody(source.id + 0.5, "doc-1", { title: "  ", url: "/relative" }))
      .catch((e: unknown) => e);
    expect(isIntercomValidationError(error)).toBe(true);
    const fields = (error as IntercomValidationError).errors.map((entry) => [entry.code, entry.field]);
    expect(fields).toEqual([
      ["parameter_invalid", "title"],
      ["parameter_invalid", "url"],
      ["parameter_invalid", "source_id"],
    ]);
  });

  it("refuses to turn an api source into a manual one", async () => {
    const { client, source } = await setup();
    const error = await client.aiContent
      .updateContentImportSource(source.id, { sync_behavior: "manual", url: source.url })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, code: "parameter_invalid" });
    expect((error as IntercomValidationError).errors[0]?.field).toBe("sync_behavior");
  });

  it("refuses a PUT that would give a page the external id of another page", async () => {
    const { client, source } = await setup();
    await client.aiContent.createExternalPage(pageBody(source.id, "a"));
    const b = await client.aiContent.createExternalPage(pageBody(source.id, "b"));
    const error = await client.aiContent
      .updateExternalPage(b.id, { ...pageBody(source.id, "a"), url: "https://docs.example.com/a" })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, code: "parameter_invalid" });
  });

  it("lists pages past several pages, newest first, each page exactly once", async () => {
    const { client, source, sandbox } = await setup();
    const created: string[] = [];
    for (let index = 0; index < 137; index++) {
      created.push((await client.aiContent.createExternalPage(pageBody(source.id, `doc-${index}`))).id);
    }
    const pages = [];
    for await (const page of client.aiContent.listExternalPages().pages()) pages.push(page);
    expect(pages.map((page) => [page.pages?.page, page.data?.length, page.total_count])).toEqual([
      [1, 50, 137],
      [2, 50, 137],
      [3, 37, 137],
    ]);
    expect(pages.map((page) => page.pages?.total_pages)).toEqual([3, 3, 3]);
    expect(pages[2]?.pages?.next).toBeUndefined();
    expect(pages[0]?.pages?.next).toMatch(new RegExp(`^${sandbox.url}/ai/external_pages\\?page=2&`));
    const ids = pages.flatMap((page) => (page.data ?? []).map((item) => item.id));
    expect(ids).toEqual([...created].reverse());
    expect(sandbox.stats().calls["GET /ai/external_pages"]).toBe(3);
  });

  it("lists sources oldest first across pages", async () => {
    const { client, source } = await setup();
    const ids = [source.id];
    for (let index = 0; index < 60; index++) {
      ids.push(
        (
          await client.aiContent.createContentImportSource({
            sync_behavior: "api",
            url: `https://s${index}.example`,
          })
        ).id,
      );
    }
    const listed = await client.aiContent.listContentImportSources().toArray();
    expect(listed.map((s) => s.id)).toEqual(ids);
  });

  it("keeps a listing stable while pages are added and removed during the iteration", async () => {
    const { client, source } = await setup();
    const ids: string[] = [];
    for (let index = 0; index < 120; index++) {
      ids.push((await client.aiContent.createExternalPage(pageBody(source.id, `doc-${index}`))).id);
    }
    // Newest first: the first page holds ids[119..70]; page two would start at ids[69].
    const seen: string[] = [];
    let deletedAhead: string | undefined;
    for await (const page of client.aiContent.listExternalPages()) {
      seen.push(page.id);
      if (seen.length === 50) {
        // Between page one and page two: add new pages, delete one already served, one not yet served.
        await client.aiContent.createExternalPage(pageBody(source.id, "late-1"));
        await client.aiContent.createExternalPage(pageBody(source.id, "late-2"));
        await client.aiContent.deleteExternalPage(ids[119] as string);
        deletedAhead = ids[10] as string;
        await client.aiContent.deleteExternalPage(deletedAhead);
      }
    }
    const expected = [...ids].reverse().filter((id) => id !== deletedAhead);
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(seen.length);
  });
});
