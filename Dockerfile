# syntax=docker/dockerfile:1
# Node 20 left support in April 2026; the image runs on the current LTS.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/nestjs-otp-verify/package.json ./packages/nestjs-otp-verify/
# patch-package (a dev dependency) applies these from npm ci's postinstall.
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY packages/nestjs-otp-verify/tsconfig.build.json ./packages/nestjs-otp-verify/
COPY packages/nestjs-otp-verify/src ./packages/nestjs-otp-verify/src
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/nestjs-otp-verify/package.json ./packages/nestjs-otp-verify/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# The production install has no patch-package: the patched dependency comes from the build stage.
COPY --from=build /app/node_modules/libphonenumber-js ./node_modules/libphonenumber-js
# The module is a workspace package: the service resolves it by name, from its built files.
COPY --from=build /app/packages/nestjs-otp-verify/dist ./packages/nestjs-otp-verify/dist
COPY --from=build /app/dist ./dist
# The image's unprivileged user; the service needs no file system writes.
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node itself as PID 1 receives SIGTERM directly and drains (npm start would not forward it).
CMD ["node", "dist/main.js"]
