# syntax=docker/dockerfile:1
#
# One image for every graph360 service; the command names the service
# (deploy/docker-entrypoint.sh):
#
#   docker build -t graph360 .
#   docker run graph360 gateway          (or crm-subgraph, erp-subgraph, payments-subgraph,
#                                          crm-sandbox, erp-sandbox, payments-sandbox)
#
# The services run from their TypeScript sources through tsx's ESM loader, exactly as
# `npm start`, the tests and bin/graph360.js run them: the project has no build output
# (tsconfig.json is noEmit) and tsx is a production dependency, so the image runs the code
# the test suite proved rather than a second, compiled form of it. The cost is start-up
# time (tsx transforms each module once per process, well under the readiness probes'
# initial delay), not request time: after loading, the code is the same JavaScript.
#
# No HEALTHCHECK: the one image runs seven services on different ports and paths, so the
# check belongs to whoever picks the service (compose.yaml's healthcheck, Kubernetes'
# readiness and liveness probes on /ready and /health; Kubernetes ignores HEALTHCHECK).

FROM node:24-bookworm-slim AS deps
WORKDIR /app
# better-sqlite3 (the sandboxes' database) compiles its addon when no prebuilt binary can
# be downloaded; the toolchain stays in this stage.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Production dependencies only (tsx among them); install scripts run for the packages
# package.json's allowScripts approves.
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    GATEWAY_HOST=0.0.0.0 \
    SUBGRAPH_HOST=0.0.0.0 \
    SANDBOX_HOST=0.0.0.0 \
    SANDBOX_DATA_DIR=/data
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --chown=root:root package.json ./
COPY --chown=root:root bin ./bin
COPY --chown=root:root lib ./lib
COPY --chown=root:root schema ./schema
COPY --chown=root:root gateway ./gateway
COPY --chown=root:root subgraphs ./subgraphs
COPY --chown=root:root sandboxes ./sandboxes
COPY --chown=root:root scripts ./scripts
COPY --chown=root:root deploy/docker-entrypoint.sh /usr/local/bin/graph360-service
# The code is root's and read-only to the service; the sandboxes' SQLite files go to /data.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 4000 4001 4002 4003 4101 4102 4103
ENTRYPOINT ["graph360-service"]
CMD ["gateway"]
