import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * Guards the repository's shape (CONVENTIONS 13): apps never import each other, packages never import
 * apps, no import cycles between workspace packages, and one version of each dependency.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const workspaceDirs = [
  "packages/intercom",
  "packages/connectors",
  "packages/sync",
  "apps/scheduler",
  "apps/worker",
];

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}
const manifest = (dir: string): Manifest => JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8"));
const names = new Map(workspaceDirs.map((dir) => [manifest(dir).name, dir]));

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === "dist") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out;
}

/** Workspace packages a workspace's sources import, found by the import specifiers themselves. */
function importedWorkspaces(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of sourceFiles(join(root, dir, "src"))) {
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*)["'](@content-sync\/[a-z0-9-]+)/g)) {
      const target = match[1]!;
      if (names.has(target) && names.get(target) !== dir) found.set(target, relative(root, file));
    }
  }
  return found;
}

describe("workspace shape", () => {
  const graph = new Map(workspaceDirs.map((dir) => [dir, importedWorkspaces(dir)]));

  it("apps never import each other and packages never import apps", () => {
    const offences: string[] = [];
    for (const imports of graph.values()) {
      for (const [target, file] of imports) {
        const targetDir = names.get(target)!;
        if (targetDir.startsWith("apps/")) offences.push(`${file} imports ${target}`);
      }
    }
    expect(offences).toEqual([]);
  });

  it("has no import cycles between workspace packages", () => {
    const cycles: string[] = [];
    const visit = (dir: string, path: string[]) => {
      for (const target of graph.get(dir)?.keys() ?? []) {
        const next = names.get(target)!;
        if (path.includes(next)) cycles.push([...path.slice(path.indexOf(next)), next].join(" -> "));
        else visit(next, [...path, next]);
      }
    };
    for (const dir of workspaceDirs) visit(dir, [dir]);
    expect(cycles).toEqual([]);
  });

  it("declares every workspace package it imports as a dependency", () => {
    const missing: string[] = [];
    for (const [dir, imports] of graph) {
      const declared = manifest(dir).dependencies ?? {};
      for (const target of imports.keys()) if (!(target in declared)) missing.push(`${dir} -> ${target}`);
    }
    expect(missing).toEqual([]);
  });

  it("uses one version of each dependency across the workspace", () => {
    const versions = new Map<string, Set<string>>();
    for (const dir of [".", ...workspaceDirs, "test"]) {
      const pkg = manifest(dir);
      for (const [name, version] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
        if (!versions.has(name)) versions.set(name, new Set());
        versions.get(name)!.add(version);
      }
    }
    const conflicting = [...versions]
      .filter(([, set]) => set.size > 1)
      .map(([name, set]) => `${name}: ${[...set].join(", ")}`);
    expect(conflicting).toEqual([]);
  });
});
