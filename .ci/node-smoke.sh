#!/usr/bin/env bash
# Smoke run of the product on another Node.js line, brought in through the npm registry's `node`
# package: a clean copy of the checkout, `npm ci` (which builds every workspace's dist/), the built
# CLI's demo sync into the embedded sandbox, and the client and sandbox imported from the built
# package. Prints one "node <major>: ok" line or the log of what failed.
#
#   bash .ci/node-smoke.sh 22 [work dir]
set -euo pipefail
major="$1"
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${2:-$(mktemp -d -t "content-sync-node$major-XXXXXX")}"
mkdir -p "$work"
log="$work/smoke.log"
exec 3>&1 >"$log" 2>&1

fail() { echo "node $major: FAILED ($*); log:" >&3; sed 's/^/  | /' "$log" >&3; exit 1; }
trap 'fail "line $LINENO"' ERR

# 1. That Node line, with npm run by it: a PATH whose `node` is the fetched binary.
npm install --prefix "$work/node" "node@$major" --no-audit --no-fund --no-save --prefer-offline
mkdir -p "$work/bin"
ln -sf "$work/node/node_modules/node/bin/node" "$work/bin/node"
export PATH="$work/bin:$PATH"
version="$(node --version)"
[[ "$version" == "v$major."* ]] || fail "expected Node $major, got $version"

# 2. A clean copy of the tracked files, installed and built (prepare) on that line.
mkdir -p "$work/repo"
git -C "$repo" ls-files -z | (cd "$repo" && xargs -0 tar -cf -) | tar -xf - -C "$work/repo"
cd "$work/repo"
npm ci --no-audit --no-fund --prefer-offline
test -f apps/scheduler/dist/bin.js

# 3. The built CLI: demo sync into the embedded sandbox, then everything unchanged.
env -u INTERCOM_ACCESS_TOKEN LOG_LEVEL=silent node apps/scheduler/dist/bin.js sync --all --config config/demo.yaml --json >first.jsonl
grep -q '"type":"summary".*"created":6' first.jsonl
env -u INTERCOM_ACCESS_TOKEN LOG_LEVEL=silent node apps/scheduler/dist/bin.js sync --all --config config/demo.yaml --json >second.jsonl
grep -q '"type":"summary".*"unchanged":6' second.jsonl
node apps/scheduler/dist/bin.js --version

# 4. The client and the sandbox from the built package, without the source condition.
node --input-type=module -e '
  import { IntercomClient } from "@content-sync/intercom";
  import { startSandbox } from "@content-sync/intercom/sandbox";
  const sandbox = await startSandbox();
  const client = new IntercomClient({ token: sandbox.token, baseUrl: sandbox.url });
  const first = await client.aiContent.listExternalPages();
  if (first.type !== "list") throw new Error("unexpected first page " + JSON.stringify(first));
  await sandbox.close();
'
echo "node $major: ok ($version)" >&3
