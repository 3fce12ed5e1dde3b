// The fuzz campaign over every reader (nightly-style; CI runs 2 000 cases per reader through the same code
// in test/fuzz/readers.test.ts):
//   npm run build && node dist/scripts/fuzz/campaign.js [--cases 20000] [--seed 1] [--only sopw] [--json]
// Prints a Markdown table (cases, accepted, rejected, crashes, wrong answers, hangs, slowest case, time) and
// the first failures in full; exits 1 when any case crashed, hung or was wrongly accepted.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HANG_MS, runCampaign, TARGETS, type CampaignResult } from './targets.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}

const cases = Number(arg('cases', '20000'));
const seed = Number(arg('seed', '1'));
const only = arg('only', '');
if (!(Number.isInteger(cases) && cases > 0) || !Number.isInteger(seed)) {
  process.stderr.write('campaign: --cases must be a positive integer and --seed an integer\n');
  process.exit(2);
}
const targets = TARGETS.filter((t) => !only || t.name === only);
if (targets.length === 0) {
  process.stderr.write(`campaign: no reader named '${only}' (expected one of ${TARGETS.map((t) => t.name).join(', ')})\n`);
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'sopsim-fuzz-'));
const results: CampaignResult[] = [];
const t0 = performance.now();
try {
  for (const t of targets) {
    const r = runCampaign(t, cases, seed, join(dir, t.name));
    results.push(r);
    process.stderr.write(`${t.name}: ${r.cases} cases in ${r.seconds.toFixed(1)} s\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const total = (performance.now() - t0) / 1000;

if (process.argv.includes('--json')) {
  process.stdout.write(JSON.stringify({ cases, seed, seconds: total, results: results.map(({ rejectedSamples: _r, ...rest }) => rest) }, null, 1) + '\n');
} else {
  const rows = [
    ['reader', 'cases', 'accepted', 'rejected (exit 2)', 'crashes', 'wrong answers', `hangs (> ${HANG_MS} ms)`, 'slowest case', 'time'],
    ...results.map((r) => [r.target, r.cases, r.accepted, r.rejected, r.crashes, r.wrong, r.hangs, `${r.maxMs.toFixed(1)} ms`, `${r.seconds.toFixed(1)} s`].map(String)),
  ];
  const sum = (k: 'cases' | 'accepted' | 'rejected' | 'crashes' | 'wrong' | 'hangs') => results.reduce((s, r) => s + r[k], 0);
  rows.push(['**all**', sum('cases'), sum('accepted'), sum('rejected'), sum('crashes'), sum('wrong'), sum('hangs'), `${Math.max(...results.map((r) => r.maxMs)).toFixed(1)} ms`, `${total.toFixed(1)} s`].map(String));
  process.stdout.write(rows.map((r, i) => `| ${r.join(' | ')} |` + (i === 0 ? `\n|${r.map(() => '---').join('|')}|` : '')).join('\n') + '\n');
  process.stdout.write(`\n${cases} cases per reader, seed ${seed}, Node ${process.version}\n`);
}
const failures = results.flatMap((r) => r.failures);
for (const f of failures.slice(0, 10)) process.stderr.write(`\n[${f.target} case ${f.index}] ${f.kind}: ${JSON.stringify(f.mutation)}\n${f.message}\n`);
process.exit(failures.length > 0 ? 1 : 0);
