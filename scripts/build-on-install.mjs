// npm runs `prepare` after `npm ci` / `npm install` in a checkout: build every workspace's dist/ so
// `npm start`, `npx content-sync` and `npx content-sync-worker` run the built CLI. A production
// install (`npm ci --omit=dev`, as in the image) has no build tools (turbo; typescript may still be
// there as an optional peer of a runtime dependency) and already holds a built dist/, so there is
// nothing to build there.
import { spawnSync } from "node:child_process";

try {
  import.meta.resolve("typescript/package.json");
  import.meta.resolve("turbo/package.json");
} catch {
  process.stdout.write("prepare: no dev dependencies (production install): using the dist/ already built\n");
  process.exit(0);
}
const result = spawnSync("npm", ["run", "build", "--silent", "--", "--output-logs=errors-only"], {
  stdio: "inherit",
});
process.exit(result.status ?? 1);
