// Quantizer speed on one LLM-sized layer, as weights per second and as a ratio to a baseline pass
// (one float64 sum-of-squares sweep over the same weights, run in the same process):
//   npm run build && node dist/scripts/bench/quantizer.js [--rows 4096] [--cols 4096] [--schemes sop4,E2M3sUE4M4] [--reps 3]
// Quantization uses every core (SOPSIM_WORKERS=1 for one). Then, on one thread, the block-scale search in
// WebAssembly against the same search in JavaScript (SOPSIM_WASM=0): same output, time ratio.

import { synthesize } from '../../quant/io/synthetic.js';
import { arg } from './reference.js';
import { quantize } from '../../quant/schemes/index.js';
import { parseScaledName } from '../../quant/formats/registry.js';

const rows = Number(arg('rows', '4096'));
const cols = Number(arg('cols', '4096'));
const schemes = arg('schemes', 'e4m3-pot,nvfp4,E2M3sUE4M4,sop4').split(',');
const t = synthesize({ dist: 't4', rows, cols, seed: 1 });
const n = rows * cols;

function baseline(): number {
  const t0 = performance.now();
  let s = 0;
  for (let rep = 0; rep < 5; rep++) for (let i = 0; i < n; i++) s += t.data[i] * t.data[i];
  if (s < 0) console.log(s);
  return (performance.now() - t0) / 5 / 1000;
}
const base = baseline();
console.log(`layer ${rows}x${cols} (${(n / 1e6).toFixed(1)} M weights), Student-t(4); baseline sweep ${(n / base / 1e6).toFixed(0)} M weights/s`);
console.log('scheme        seconds   M weights/s   x baseline time');
const reps = Number(arg('reps', '3'));

/** Best of `reps` (the machine's other load only ever adds time). */
function seconds(s: string): number {
  let sec = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    quantize(t, s);
    sec = Math.min(sec, (performance.now() - t0) / 1000);
  }
  return sec;
}

for (const s of schemes) {
  const sec = seconds(s);
  console.log(`${s.padEnd(12)} ${sec.toFixed(2).padStart(8)} ${(n / sec / 1e6).toFixed(2).padStart(13)} ${(sec / base).toFixed(0).padStart(17)}`);
}

process.env.SOPSIM_WORKERS = '1';
console.log('\none thread: scale search in WebAssembly vs JavaScript');
console.log('scheme       wasm s     js s   js / wasm');
for (const s of schemes.filter((x) => x === 'sop4' || parseScaledName(x) !== null)) {
  const wasm = seconds(s);
  process.env.SOPSIM_WASM = '0';
  const js = seconds(s);
  delete process.env.SOPSIM_WASM;
  console.log(`${s.padEnd(12)} ${wasm.toFixed(2).padStart(6)} ${js.toFixed(2).padStart(8)} ${(js / wasm).toFixed(2).padStart(11)}`);
}
