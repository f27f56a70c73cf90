# The command line for clusters (docs/cluster.md): predict, evaluate (with --shard/--partial), merge, convert, extract.
# Built:    docker build -t alstm-cli .
# Run:      docker run --rm -v "$PWD/model:/model:ro" -v "$PWD/data:/data" alstm-cli evaluate --model /model /data/*.tfrecord
# The model is mounted (as above) or baked into a derived image (docs/cluster.md). Runs as the image's non-root user.

# Build: the sources bundled by esbuild (npm run build:cli), as scripts/cli.mjs runs them.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json .npmrc tsconfig.json ./
# .npmrc ignores install scripts (onnxruntime-node's would fetch GPU binaries); nothing else downloads.
RUN npm ci --no-audit --no-fund
COPY scripts ./scripts
COPY src ./src
COPY public/vocabulary ./public/vocabulary
RUN dir="$(npm run -s build:cli)" && mv "$dir" /src/bundle && rm -f /src/bundle/*.map

# Run: Node and the bundle alone. predict, evaluate and merge run on the project's own wasm kernels and need no
# node_modules; --backend cpu, finetune and export need tfjs and are not in this image (use a checkout).
FROM node:20-bookworm-slim
WORKDIR /app
# Two levels below /app, as in a checkout: the bundle finds public/vocabulary at ../../public.
COPY --from=build /src/bundle /app/dist-cli/bundle
COPY public/vocabulary /app/public/vocabulary
COPY --chmod=0755 docker/alstm /usr/local/bin/alstm
ENV NODE_ENV=production
USER node
ENTRYPOINT ["alstm"]
CMD ["--help"]
