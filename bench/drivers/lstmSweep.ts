/**
 * Kernel tuning: the recurrence alone (all four LSTMs, random gate inputs) at a
 * given width and batch, for a list of fused-kernel configurations and the op
 * path, in one Chromium session. Prints wall and Chromium-CPU milliseconds per
 * time step (on a machine without a GPU, WebGPU runs on the CPU, so CPU time is
 * the kernel's cost even when other work shares the cores).
 *
 *   npx tsx bench/drivers/lstmSweep.ts '[{"path":"webgpu-fused","D":1024,"lengths":[20],"units":2,"kUnroll":8},{"path":"webgpu-ops","D":1024,"lengths":[20]}]'
 */
import { chromiumCpuSeconds, openHarness } from '../../tools/kernelHarness/browser';

type Config = {
  path: 'webgpu-fused' | 'webgpu-ops';
  D: number;
  lengths: number[];
  batchTile?: number;
  units?: number;
  kUnroll?: number;
  workgroupSize?: number;
};

const configs = JSON.parse(process.argv[2] ?? '[]') as Config[];
const runs = Number(process.env.RUNS ?? 2);
const s = await openHarness({
  log: (m) => {
    if (/error/i.test(m) && !/404/.test(m)) process.stderr.write(m + '\n');
  },
});
try {
  await s.call('init');
  for (const c of configs) {
    await s.call('prepareLstm', { variant: 'fluid1', ...c });
    await s.call('timeLstm', { runs: 1 }); // compiles
    const c0 = chromiumCpuSeconds();
    const r = await s.call('timeLstm', { runs });
    const cpu = chromiumCpuSeconds() - c0;
    const { lengths, ...rest } = c;
    console.log(
      JSON.stringify({ ...rest, videos: lengths.length, steps: Math.max(...lengths) }),
      'wall ms/step',
      r.msPerStep.map((x) => x.toFixed(1)).join(' '),
      'cpu ms/step',
      ((cpu * 1000) / (runs * Math.max(...lengths))).toFixed(1),
      r.errors.length ? r.errors : '',
    );
    await s.call('disposeLstm');
  }
} finally {
  await s.close();
}
