#!/bin/sh
# Checks a built image the way a cluster runs it (docs/cluster.md "Checking an image"), from a checkout:
#   docker build -t alstm-cli . && docker/check-image.sh alstm-cli
# CONTAINER=podman (and RUN_FLAGS, e.g. "--runtime runc") to use another engine. No network inside the runs.
set -eu
image="${1:-alstm-cli}"
engine="${CONTAINER:-docker}"
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
chmod 777 "$work"
data="$here/public/samples"
inputs="/data/demo-samples-a.tfrecord /data/demo-samples-b.tfrecord /data/demo-segments.tfrecord"
# shellcheck disable=SC2086 # RUN_FLAGS and $inputs are lists of words
run() { "$engine" run --rm --network none ${RUN_FLAGS:-} -v "$here/public/models/demo:/model:ro" -v "$data:/data:ro" -v "$work:/parts" "$@"; }
fail() { echo "check-image: $*" >&2; exit 1; }

run "$image" --help >/dev/null 2>&1 || fail "--help did not exit 0"
if run "$image" nonsense >/dev/null 2>&1; then fail "an unknown command exited 0"; fi
[ "$(run --entrypoint id "$image" -u)" = 1000 ] || fail "the image does not run as uid 1000"

# One run over every input, then three workers as an Indexed Job runs them, then the merge: the same bytes.
# shellcheck disable=SC2086
run "$image" evaluate --model /model --segments $inputs >"$work/one.json"
for i in 0 1 2; do
  # shellcheck disable=SC2086
  run -e JOB_COMPLETION_INDEX=$i "$image" evaluate --model /model --segments --shard auto --shard-count 3 \
    --partial /parts/part-$i.json $inputs 2>/dev/null
done
run "$image" merge /parts/part-0.json /parts/part-1.json /parts/part-2.json >"$work/merged.json" 2>/dev/null
cmp -s "$work/one.json" "$work/merged.json" || fail "three workers and a merge differ from one run"
lines="$(run "$image" predict --model /model --jsonl /data/demo-samples-a.tfrecord 2>/dev/null | wc -l)"
[ "$lines" -gt 0 ] || fail "predict --jsonl wrote nothing"

# onnxruntime-node in the image (docs/cli.md, two engines): --engine ort runs, within 1e-6 of --engine own.
run "$image" predict --model /model --jsonl --engine own /data/demo-samples-a.tfrecord >"$work/own.jsonl" 2>/dev/null
run "$image" predict --model /model --jsonl --engine ort /data/demo-samples-a.tfrecord >"$work/ort.jsonl" 2>/dev/null ||
  fail "--engine ort did not run (is onnxruntime-node in the image?)"
run --entrypoint node "$image" -e '
const fs = require("fs");
const read = (f) => fs.readFileSync(f, "utf8").trim().split("\n").map((l) => JSON.parse(l));
const [a, b] = [read("/parts/own.jsonl"), read("/parts/ort.jsonl")];
let d = a.length > 0 && a.length === b.length ? 0 : Infinity;
a.forEach((v, i) => v.probabilities.forEach((p, c) => (d = Math.max(d, Math.abs(p - b[i].probabilities[c])))));
process.exit(d <= 1e-6 ? 0 : 1);' || fail "--engine ort and --engine own differ by more than 1e-6"

# A model baked into a derived image (docs/cluster.md).
mkdir "$work/baked"
cp -r "$here/public/models/demo" "$work/baked/model"
printf 'FROM %s\nCOPY model /model\n' "$image" >"$work/baked/Dockerfile"
"$engine" build ${BUILD_FLAGS:-} -q -t "$image-baked-check" "$work/baked" >/dev/null
"$engine" run --rm --network none ${RUN_FLAGS:-} -v "$data:/data:ro" "$image-baked-check" evaluate --model /model /data/demo-samples-a.tfrecord >"$work/baked.json" 2>/dev/null
"$engine" rmi "$image-baked-check" >/dev/null 2>&1 || true
grep -q '"videos"' "$work/baked.json" || fail "the baked-model image did not evaluate"

echo "check-image: $image passed (help, uid 1000, 3 workers + merge = one run with segments, predict --jsonl, --engine ort within 1e-6 of own, a baked model; no network)"
