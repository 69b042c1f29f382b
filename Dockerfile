# syntax=docker/dockerfile:1
# content-sync: one image for every role, built from dist/ and run with production dependencies only.
#   (default)                                   serve: scheduler, webhooks, /status, /metrics and a worker
#   command: ["serve", "--scheduler-only"]      the scheduler alone (workers run separately)
#   entrypoint: ["node", "apps/worker/dist/main.js"]   a worker (content-sync-worker), as many as you like
#   command: ["sync", "--all"]                  an inline one-off run (state in /app/.data)
# test/docker/dockerfile.test.ts performs these steps in a scratch folder and runs the result, so keep
# RUN commands free of absolute paths (they run relative to WORKDIR there; --mount flags are builder
# options it leaves to the builder).

# Build stage: every dependency, then the TypeScript build of every workspace.
FROM node:26-bookworm-slim AS build
WORKDIR /app
# Manifests first, so the dependency layer is reused while only sources change.
COPY package.json package-lock.json tsconfig.base.json turbo.json ./
COPY scripts/build-on-install.mjs scripts/
COPY packages/intercom/package.json packages/intercom/
COPY packages/connectors/package.json packages/connectors/
COPY packages/sync/package.json packages/sync/
COPY apps/scheduler/package.json apps/scheduler/
COPY apps/worker/package.json apps/worker/
COPY test/package.json test/
# No lifecycle scripts yet: `prepare` would build before the sources are here.
# npm's cache is a BuildKit cache mount: reused between builds, never part of a layer.
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund --ignore-scripts
COPY packages ./packages
COPY apps ./apps
RUN npm run build

# Runtime stage: manifests, dist/ and production dependencies; no tsx, turbo, vitest or biome.
FROM node:26-bookworm-slim
ENV NODE_ENV=production \
    PORT=8080 \
    CONTENT_SYNC_HOST=0.0.0.0 \
    CONTENT_SYNC_CONFIG=/config/content-sync.yaml
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/build-on-install.mjs scripts/
COPY --from=build /app/packages/intercom/package.json packages/intercom/
COPY --from=build /app/packages/intercom/dist packages/intercom/dist/
COPY --from=build /app/packages/connectors/package.json packages/connectors/
COPY --from=build /app/packages/connectors/dist packages/connectors/dist/
COPY --from=build /app/packages/sync/package.json packages/sync/
COPY --from=build /app/packages/sync/dist packages/sync/dist/
COPY --from=build /app/apps/scheduler/package.json apps/scheduler/
COPY --from=build /app/apps/scheduler/dist apps/scheduler/dist/
COPY --from=build /app/apps/worker/package.json apps/worker/
COPY --from=build /app/apps/worker/dist apps/worker/dist/
COPY test/package.json test/
# `prepare` finds no build tools here (turbo is a dev dependency) and keeps the dist/ copied above.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund
COPY config ./config
# Inline runs keep their state in .data under the working directory: writable by the app's user.
RUN mkdir -p .data && chown 1000:1000 .data
# The base image's unprivileged `node` user, by number so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "apps/scheduler/dist/bin.js"]
CMD ["serve"]
