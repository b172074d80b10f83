# market-exporter image: build with the dev toolchain, ship only production dependencies and the
# compiled JavaScript, run as the unprivileged `node` user.
#
#   docker build -t market-exporter .
#   docker run --rm -p 127.0.0.1:10790:10790 market-exporter                 # built-in simulator
#   docker run --rm -p 127.0.0.1:10790:10790 -v "$PWD/market.yml:/etc/market-exporter/config.yml:ro" \
#     market-exporter --config /etc/market-exporter/config.yml --listen 0.0.0.0:10790
#
# Behind a TLS-inspecting proxy, `npm ci` must trust the proxy's CA: pass it as a build secret,
# used by npm only and never stored in a layer (docs/deploy.md):
#   DOCKER_BUILDKIT=1 docker build --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt -t market-exporter .
#
# Node 26 is the current (Active) LTS; package.json's engines cover 22.22 to 26 and .ci/run tests
# each of 22, 24 and 26. test/compose/ lints this file.

ARG NODE_IMAGE=node:26.10.0-trixie-slim

# ---- build: TypeScript → dist/ -------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` builds, but the sources are copied in the next step.
RUN --mount=type=secret,id=ca,required=false \
    if [ -s /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca; fi; \
    npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/post-build.mjs ./scripts/
COPY src ./src
# No .git in the build context: the revision and branch for market_exporter_build_info come in
# as build arguments, which RUN sees as environment variables
# (docker build --build-arg BUILD_REVISION=$(git rev-parse HEAD) --build-arg BUILD_BRANCH=main .).
ARG BUILD_REVISION=unknown
ARG BUILD_BRANCH=unknown
RUN npm run build

# ---- production dependencies only --------------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build, and there is no compiler without the dev dependencies.
RUN --mount=type=secret,id=ca,required=false \
    if [ -s /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca; fi; \
    npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force

# ---- runtime -------------------------------------------------------------------------------------
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
# package.json is read at run time for the version (market_exporter_build_info).
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/build-info.json ./dist/
COPY package.json ./
USER node
EXPOSE 10790
# Slim images have no curl or wget: Node probes /-/healthy itself, over HTTP or HTTPS (with a web
# config), a 401 counting as alive (src/healthcheck.ts).
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "dist/src/healthcheck.js"]
ENTRYPOINT ["node", "--max-semi-space-size=8", "--heap-growing-percent=20", "--v8-pool-size=1", "--no-allocation-site-pretenuring", "dist/src/main.js"]
# Loopback is the exporter's default; in a container it must listen on every interface.
CMD ["--listen", "0.0.0.0:10790"]
