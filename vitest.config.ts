import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Workspace packages export their TypeScript sources under the "source" condition, so tests run
// against src/ without a build step.
const resolve = { conditions: ["source", "import", "node", "default"] };

// System prerequisites (chromium, promtool, real WordPress sites) of the projects that need them,
// prepared once before their suites by the script .ci/run uses too.
const SYSTEM_SETUP = fileURLToPath(new URL("./test/setup/system-global-setup.ts", import.meta.url));

const project = (name: string, dir: string, extra: Record<string, unknown> = {}) => ({
  resolve,
  ssr: { resolve: { conditions: resolve.conditions, externalConditions: ["source"] } },
  test: {
    name,
    // Absolute: `npm test --workspace packages/<name>` runs vitest from the package's folder, and a
    // relative root would be read from there.
    root: fileURLToPath(new URL(`./${dir}/`, import.meta.url)),
    include: ["src/**/*.test.ts", "test/**/*.test.ts", "*.test.ts"],
    // Projects do not inherit the root's timeouts; integration tests start real servers.
    testTimeout: 30_000,
    hookTimeout: 120_000,
    ...extra,
  },
});

export default defineConfig({
  test: {
    projects: [
      project("@content-sync/intercom", "packages/intercom"),
      project("@content-sync/connectors", "packages/connectors", { globalSetup: [SYSTEM_SETUP] }),
      project("@content-sync/sync", "packages/sync"),
      project("@content-sync/scheduler", "apps/scheduler"),
      project("@content-sync/worker", "apps/worker"),
      project("@content-sync/e2e", "test", {
        include: ["**/*.test.ts"],
        // The fault suite has its own config (test/faults/vitest.config.ts, `npm run test:faults`).
        exclude: ["**/node_modules/**", "faults/**"],
        globalSetup: [SYSTEM_SETUP],
      }),
    ],
    globalSetup: ["./test/setup/redis-global-setup.ts"],
  },
});
