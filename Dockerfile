# content-sync: one image for every role. The command picks the role:
#   serve            scheduler (job schedulers, webhooks, /healthz, /readyz, /metrics, /status) + a worker
#   serve --scheduler-only   the scheduler alone (run workers separately)
#   worker           a queue worker; run as many as you like against the same Redis
# It runs the TypeScript sources through tsx (the workspace packages export their sources under the
# "source" condition), so there is no separate build step to drift from what the tests ran.

FROM node:20-bookworm-slim AS deps
WORKDIR /app
# Manifests first, so dependency layers are reused while only sources change.
COPY package.json package-lock.json ./
COPY packages/intercom/package.json packages/intercom/
COPY packages/connectors/package.json packages/connectors/
COPY packages/sync/package.json packages/sync/
COPY apps/scheduler/package.json apps/scheduler/
COPY apps/worker/package.json apps/worker/
COPY test/package.json test/
RUN npm ci --no-audit --no-fund --ignore-scripts

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    CONTENT_SYNC_CONFIG=/config/content-sync.yaml \
    PORT=8080
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.base.json ./
COPY packages ./packages
COPY apps ./apps
COPY config ./config
# Run as the unprivileged user of the base image; state lives in Redis, not in the container.
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" || exit 1
ENTRYPOINT ["node", "--conditions=source", "--import", "tsx", "apps/scheduler/src/bin.ts"]
CMD ["serve"]
