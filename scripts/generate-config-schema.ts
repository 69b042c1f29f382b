// Regenerates config/content-sync.schema.json from the zod config schema, so editors validate and
// complete YAML configs. Run: node --conditions=source --import tsx scripts/generate-config-schema.ts
// A test (packages/sync/test/config.test.ts) fails when the committed file is out of date.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { builtInRegistry, renderConfigJsonSchema } from "@content-sync/sync";

const repo = path.resolve(import.meta.dirname, "..");
const target = path.join(repo, "config", "content-sync.schema.json");
const registry = builtInRegistry();
await registry.loadAll();
await writeFile(target, renderConfigJsonSchema(registry));
// Format it the way `npm run lint` expects, so regenerating never leaves a lint failure behind.
const biome = path.join(repo, "node_modules", ".bin", "biome");
if (existsSync(biome)) execFileSync(biome, ["format", "--write", target], { stdio: "ignore" });
process.stdout.write(`wrote ${path.relative(process.cwd(), target)}\n`);
