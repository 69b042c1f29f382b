import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// The fault suite is its own project (`npm run test:faults`): it is slow by design and must not run
// inside the e2e project of `npm test`. Workspace packages are read from src/ ("source" condition).
const conditions = ["source", "import", "node", "default"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["source"] } },
  test: {
    name: "@content-sync/faults",
    root: fileURLToPath(new URL("./", import.meta.url)),
    include: ["**/*.test.ts"],
    // Files one after another (they start servers and time faults); each writes its counts, and the
    // global teardown sums them into results.json once, after all of them.
    fileParallelism: false,
    globalSetup: ["./merge-results.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
