/**
 * A batch of videos of different lengths as Paddle's LoD batches them: only the
 * real frames, in "frame-major" order. Videos are ranked by length, longest
 * first (stable), and the packed rows are
 *
 *   frame 0 of ranks 0 .. n_0 - 1, frame 1 of ranks 0 .. n_1 - 1, ...
 *
 * where n_t is the number of videos longer than t (a prefix of the ranks, as
 * they are sorted). So a time step of the recurrence works on the first n_t
 * ranks and reads its inputs, and writes its outputs, at rows offsets[t] ..
 * offsets[t] + n_t - 1: the batch narrows as shorter videos end, and a batch
 * costs its real frames, not B x T.
 *
 * The backward LSTMs advance in step with the forward ones: at step k, rank i
 * (active while k < its length) is at frame k going forward and at frame
 * length - 1 - k going backward. Both directions write the output of frame t
 * to that frame's row, so the BiLSTM's output per frame is one row [h_fw | h_bw].
 */
export interface PackedLayout {
  /** Videos, padded frames (the longest video), packed rows (all real frames). */
  B: number;
  T: number;
  N: number;
  /** Each video's length, in batch order. */
  lengths: readonly number[];
  /** order[i]: the batch index of rank i (longest first, ties in batch order). */
  order: Int32Array;
  /** rank[b]: the rank of video b. */
  rank: Int32Array;
  /** The lengths by rank (non-increasing). */
  sortedLengths: Int32Array;
  /** active[t] = n_t: videos longer than t, i.e. ranks 0 .. n_t - 1 have a frame t. */
  active: Int32Array;
  /** offsets[t]: the row of frame t of rank 0; offsets[T] = N. */
  offsets: Int32Array;
  /** sourceRows[r]: the padded row b * T + t that packed row r holds. */
  sourceRows: Int32Array;
  /** paddedRows[b * T + t]: the packed row of frame t of video b, or N past its length. */
  paddedRows: Int32Array;
  /** videoOfRow[r]: the batch index of the video that packed row r belongs to. */
  videoOfRow: Int32Array;
  /** True when packing changes nothing: one video, as long as the batch (rows are its frames in order). */
  identity: boolean;
}

export function packedLayout(lengths: readonly number[], T: number): PackedLayout {
  const B = lengths.length;
  for (const n of lengths) {
    if (!Number.isInteger(n) || n < 1 || n > T) throw new Error(`packedLayout: a video of ${n} frames in a batch of ${T}`);
  }
  const order = Int32Array.from(lengths.map((_, b) => b).sort((a, b) => lengths[b] - lengths[a] || a - b));
  const rank = new Int32Array(B);
  order.forEach((b, i) => (rank[b] = i));
  const sortedLengths = Int32Array.from(order, (b) => lengths[b]);
  const active = new Int32Array(T);
  const offsets = new Int32Array(T + 1);
  let n = B;
  for (let t = 0; t < T; t++) {
    while (n > 0 && sortedLengths[n - 1] <= t) n--;
    active[t] = n;
    offsets[t + 1] = offsets[t] + n;
  }
  const N = offsets[T];
  const sourceRows = new Int32Array(N);
  const videoOfRow = new Int32Array(N);
  const paddedRows = new Int32Array(B * T).fill(N);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < active[t]; i++) {
      const r = offsets[t] + i;
      const b = order[i];
      sourceRows[r] = b * T + t;
      videoOfRow[r] = b;
      paddedRows[b * T + t] = r;
    }
  }
  return {
    B,
    T,
    N,
    lengths,
    order,
    rank,
    sortedLengths,
    active,
    offsets,
    sourceRows,
    paddedRows,
    videoOfRow,
    identity: B === 1 && lengths[0] === T,
  };
}

/** The steps of a packed batch from its lengths by rank (non-increasing): n_t (`active`) and each step's first row (`offsets`). */
export function packedSteps(sortedLengths: readonly number[]): { T: number; active: Int32Array; offsets: Int32Array; N: number } {
  const T = sortedLengths.length ? sortedLengths[0] : 0;
  const active = new Int32Array(T);
  const offsets = new Int32Array(T + 1);
  let n = sortedLengths.length;
  for (let t = 0; t < T; t++) {
    while (n > 0 && sortedLengths[n - 1] <= t) n--;
    active[t] = n;
    offsets[t + 1] = offsets[t] + n;
  }
  return { T, active, offsets, N: offsets[T] };
}
