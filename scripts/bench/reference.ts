// The in-process reference every benchmark reports against: one float sweep (sum of squares) over 16 M
// float32 values, best of 5. Ratios to it factor out how fast the machine is today.

export function referenceSeconds(): number {
  const n = 1 << 24;
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (i % 1000) / 1000;
  let best = Infinity;
  let sink = 0;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    let s = 0;
    for (let i = 0; i < n; i++) s += a[i] * a[i];
    sink += s;
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  if (sink < 0) console.log(sink);
  return best;
}

export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export function arg(name: string, dflt: string): string {
  const a = process.argv.slice(2);
  const i = a.indexOf(`--${name}`);
  return i >= 0 ? a[i + 1] : dflt;
}

/** The fastest of `reps` runs of `fn`, in seconds. */
export function bestOf(reps: number, fn: () => void): number {
  let b = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    fn();
    b = Math.min(b, (performance.now() - t0) / 1000);
  }
  return b;
}
