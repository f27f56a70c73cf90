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
# onnxruntime-node, which --engine auto runs on large runs (docs/cli.md): its code, its own onnxruntime-common and
# the native library of this platform alone (about 47 MB on linux/x64, not the 295 MB of every platform's).
RUN arch="$(node -p process.arch)" && ort=/src/ort/onnxruntime-node && mkdir -p "$ort/bin/napi-v6/linux" \
 && cd node_modules/onnxruntime-node && cp -r package.json dist node_modules "$ort/" \
 && cp -r "bin/napi-v6/linux/$arch" "$ort/bin/napi-v6/linux/"

# Run: Node, the bundle and onnxruntime-node. predict, evaluate and merge run on the project's own wasm kernels, or
# on onnxruntime-node (found in /app/node_modules); --backend cpu, finetune and export need tfjs and are not in this
# image (use a checkout).
FROM node:20-bookworm-slim
WORKDIR /app
# Two levels below /app, as in a checkout: the bundle finds public/vocabulary at ../../public.
COPY --from=build /src/bundle /app/dist-cli/bundle
COPY --from=build /src/ort /app/node_modules
COPY public/vocabulary /app/public/vocabulary
COPY --chmod=0755 docker/alstm /usr/local/bin/alstm
ENV NODE_ENV=production
USER node
ENTRYPOINT ["alstm"]
CMD ["--help"]
