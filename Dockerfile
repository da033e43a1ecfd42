# syntax=docker/dockerfile:1
# Build stage: native better-sqlite3 is compiled here against the same Node and libc as the runtime.
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY main.ts ./
COPY cmd ./cmd
COPY core ./core
COPY platform ./platform
COPY webhook ./webhook
COPY extender ./extender
COPY nodeagent ./nodeagent
COPY autoscaler ./autoscaler
COPY certs ./certs
RUN npm run build && npm prune --omit=dev

# Runtime stage: compiled JavaScript, production dependencies, no compiler, non-root.
FROM node:20-bookworm-slim
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="gpu-steward" \
      org.opencontainers.image.description="GPU control plane for Kubernetes: admission webhook, scheduler extender, node agent, inference autoscaler (one image, steward <role>)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="https://github.com/gpu-steward/gpu-steward" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
RUN printf '#!/bin/sh\nexec node /app/dist/main.js "$@"\n' > /usr/local/bin/steward \
 && chmod 0755 /usr/local/bin/steward
# 65532 = the "nonroot" uid used by distroless images; the chart sets runAsNonRoot and a read-only root FS.
USER 65532:65532
# 9443 webhook, 8888 extender, 8080 controller metrics, 8081 agent, 3300 autoscaler
EXPOSE 9443 8888 8080 8081 3300
ENTRYPOINT ["steward"]
CMD ["controller", "--state-dir", "/var/lib/gpu-steward"]
