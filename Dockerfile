# syntax=docker/dockerfile:1
# Omtanke API. No build step: Node 24 runs the TypeScript sources directly (type stripping).
#   docker build -t omtanke .
#   docker run -e DATABASE_URL=postgres://user:pass@host:5432/omtanke -e SECRETS_KEY=<openssl rand -base64 32> -p 3000:3000 omtanke
# The default command runs migrations, the HTTP API and the job worker in one process; pass
# `serve`, `worker` or `migrate` instead of `all` to split them (e.g. `docker run … omtanke node src/main.ts migrate`).

ARG NODE_IMAGE=node:24-bookworm-slim

# Production dependencies only. Optional dependencies are left out: they are the embedded
# PostgreSQL binaries (used by `npm start`/`npm test` on a laptop, never in the container),
# pg-cloudflare and uglify-js, none of which the server loads. With them gone no package needs
# an install script, so scripts are not run at all.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    BOOTSTRAP_DEV_MERCHANT=false \
    PORT=3000 \
    HOST=0.0.0.0
# Files stay owned by root and read-only to the process: nothing under /app is written at run time.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY migrations ./migrations
COPY openapi ./openapi
COPY src ./src
COPY templates ./templates
# Riksbanken's reference rates for late-payment interest (read at start; see REFERENCE_RATES_FILE).
COPY config ./config
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node is PID 1 and handles SIGTERM itself (src/main.ts drains requests and jobs, then exits).
# DATABASE_URL and SECRETS_KEY must be provided; without them the process exits at once naming them.
CMD ["node", "src/main.ts", "all"]
