import { defineConfig } from "vitest/config";

// Workspace packages export their TypeScript sources under the "source" condition, so tests run
// against src/ without a build step.
const resolve = { conditions: ["source", "import", "node", "default"] };

const project = (name: string, dir: string, extra: Record<string, unknown> = {}) => ({
  resolve,
  ssr: { resolve: { conditions: resolve.conditions, externalConditions: ["source"] } },
  test: {
    name,
    root: dir,
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
      project("@content-sync/connectors", "packages/connectors"),
      project("@content-sync/sync", "packages/sync"),
      project("@content-sync/scheduler", "apps/scheduler"),
      project("@content-sync/worker", "apps/worker"),
      project("@content-sync/e2e", "test", { include: ["**/*.test.ts"], exclude: ["**/node_modules/**"] }),
    ],
    globalSetup: ["./test/setup/redis-global-setup.ts"],
  },
});
