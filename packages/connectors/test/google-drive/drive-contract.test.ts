import { readFileSync } from "node:fs";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SourceEvent } from "../../src/contract.js";
import { googleDriveConnector } from "../../src/google-drive/index.js";
import { DiscoverySchemas, sharedContract } from "../../src/testing/index.js";
import { DriveFixture } from "./drive-fixture.js";

// Drive's discovery document lives in ../shared/contracts beside the checkout (see its README); a
// clone without that folder skips these checks, and says so in the test names.
const DISCOVERY = sharedContract("google-drive/drive.v3.json");
const HANDBOOK = "0AHandbookDrive01";
const logger = pino({ level: "silent" });

interface Method {
  httpMethod: string;
  path: string;
  parameters?: Record<string, unknown>;
  request?: { $ref: string };
}
interface Discovery {
  servicePath: string;
  parameters: Record<string, unknown>;
  resources: Record<string, { methods: Record<string, Method> }>;
}

async function drain(iterable: AsyncIterable<SourceEvent>): Promise<SourceEvent[]> {
  const events: SourceEvent[] = [];
  for await (const event of iterable) {
    events.push(event);
    if (event.kind === "document") await event.document.load().catch(() => undefined);
  }
  return events;
}

/** The discovery method a request is an instance of: `drive/v3/files/{fileId}` matches `/drive/v3/files/abc`. */
function methodFor(discovery: Discovery, httpMethod: string, path: string): [string, Method] | undefined {
  for (const [resource, { methods }] of Object.entries(discovery.resources)) {
    for (const [name, method] of Object.entries(methods)) {
      const template = `/${discovery.servicePath}${method.path}`.replace(/\{[^}]+\}/g, "[^/]+");
      if (method.httpMethod === httpMethod && new RegExp(`^${template}$`).test(path))
        return [`${resource}.${name}`, method];
    }
  }
  return undefined;
}

describe.skipIf(DISCOVERY === undefined)(
  `google-drive fixture and connector held against Drive's discovery document${DISCOVERY ? "" : " (skipped: ../shared/contracts is absent)"}`,
  () => {
    let drive: DriveFixture;
    let discovery: Discovery;
    let schemas: DiscoverySchemas;

    beforeAll(async () => {
      discovery = JSON.parse(readFileSync(DISCOVERY ?? "", "utf8")) as Discovery;
      schemas = DiscoverySchemas.load(DISCOVERY ?? "");
      drive = await DriveFixture.start();
      drive.addDrive(HANDBOOK);
      const policies = drive.addFolder("Policies", HANDBOOK);
      const leave = drive.addFile("leave.md", policies, "# Leave", "text/markdown");
      drive.addDoc("Onboarding", HANDBOOK, "<p>Start here.</p>");
      const support = drive.addFolder("Support");
      drive.addFolder("FAQ", support);
      const notes = drive.addFile("notes.txt", support, "Notes.", "text/plain");
      const connector = googleDriveConnector.create(
        googleDriveConnector.optionsSchema.parse({
          serviceAccountKeyEnv: "DRIVE_KEY",
          baseUrl: drive.url,
          tokenUrl: drive.tokenUrl,
          drives: [HANDBOOK],
          folders: [support],
          pageSize: 1,
        }),
        { sourceId: "drive-docs", logger, env: { DRIVE_KEY: drive.serviceAccountKey } },
      );
      const ctx = { signal: new AbortController().signal, logger };
      const listed = await drain(connector.listAll(ctx));
      const last = listed.at(-1);
      drive.edit(leave, { content: "# Leave, edited" });
      drive.trash(notes);
      drive.remove(leave);
      if (last?.kind === "cursor" && connector.listChanges)
        await drain(connector.listChanges(last.cursor, ctx));
      await drain(connector.fetchByIds([notes, "idDoesNotExist01"], ctx));
      const subscription = await connector.push?.create({
        notificationUrl: "https://sync.acme.example/webhooks/drive-docs",
        clientState: "channel-token",
        signal: ctx.signal,
      });
      if (subscription) await connector.push?.remove(subscription, ctx.signal);
    });
    afterAll(async () => {
      await drive?.close();
    });

    it("answers FileList, File, ChangeList, StartPageToken and Channel as the schemas describe them", () => {
      const schemasSeen = new Set(drive.answers.map((answer) => answer.schema));
      expect(schemasSeen).toEqual(new Set(["FileList", "File", "ChangeList", "StartPageToken", "Channel"]));
      for (const answer of drive.answers) expect(schemas.errors(answer.schema, answer.body)).toEqual([]);
    });

    it("sends only operations and query parameters the discovery document declares, with their request bodies", () => {
      const sent = drive.api.requests.filter((request) => request.path !== "/token");
      expect(sent.length).toBeGreaterThan(10);
      const operations = new Set<string>();
      for (const request of sent) {
        const found = methodFor(discovery, request.method, request.path);
        expect(found, `${request.method} ${request.path}`).toBeDefined();
        if (!found) continue;
        const [name, method] = found;
        operations.add(name);
        const declared = new Set([
          ...Object.keys(method.parameters ?? {}),
          ...Object.keys(discovery.parameters),
        ]);
        for (const key of request.query.keys()) expect(declared.has(key), `${name} ?${key}`).toBe(true);
        if (method.request) expect(schemas.errors(method.request.$ref, JSON.parse(request.body))).toEqual([]);
      }
      expect(operations).toEqual(
        new Set([
          "files.list",
          "files.get",
          "files.export",
          "changes.getStartPageToken",
          "changes.list",
          "changes.watch",
          "channels.stop",
        ]),
      );
    });
  },
);
