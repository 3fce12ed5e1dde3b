// Regenerate the SRAM table hw-configs/sram-cacti.json (and its held-out check points) by running a
// CACTI 7 binary the user built from HewlettPackard/cacti over a grid of SRAM configurations:
//   npm run build && node dist/scripts/cacti/grid.js --cacti /path/to/cacti [--jobs 2]
// Points CACTI has no organisation for are left out of the table (and listed in it).

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import seedrandom from 'seedrandom';
import { CACTI_SETTINGS, cactiInput, runCactiAsync, sramKey, type CactiFigures, type SramQuery } from '../../sim/energy/cacti.js';
import { arg } from '../bench/reference.js';

const bin = resolve(arg('cacti', process.env.SOPSIM_CACTI ?? ''));
if (!process.argv.includes('--cacti') && !process.env.SOPSIM_CACTI) {
  process.stderr.write('usage: node dist/scripts/cacti/grid.js --cacti /path/to/cacti [--jobs 2]\n');
  process.exit(2);
}
const jobs = Number(arg('jobs', '2'));
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const AXES = {
  capacity_bytes: Array.from({ length: 29 }, (_, i) => Math.round(64 * 2 ** (i / 2))), // 64 B .. 1 MiB in steps of sqrt(2)
  width_bits: [8, 16, 32, 48, 64, 96, 128, 192, 256],
  ports: [1, 2],
  banks: [1, 2, 4],
  node_nm: [22, 32, 45, 65, 90],
};

const known = new Map<string, CactiFigures | null>();

/** CACTI's figures for q, or null where it finds no organisation. */
async function cacti(q: SramQuery): Promise<CactiFigures | null> {
  if (known.has(sramKey(q))) return known.get(sramKey(q))!;
  try {
    return await runCactiAsync(bin, q);
  } catch {
    return null;
  }
}

async function pool<T, R>(items: T[], f: (t: T) => Promise<R>, label: string): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: jobs }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await f(items[i]);
        if (++done % 100 === 0) process.stderr.write(`${label}: ${done}/${items.length}\n`);
      }
    }),
  );
  return out;
}

const row = (q: SramQuery, r: CactiFigures) => [q.capacityBytes, q.widthBits, q.ports, q.banks, q.nodeNm, r.read_pj, r.write_pj, r.leak_mw, r.area_mm2, r.access_ns, r.cycle_ns];
const COLUMNS = ['capacity_bytes', 'width_bits', 'ports', 'banks', 'node_nm', 'read_pj', 'write_pj', 'leak_mw', 'area_mm2', 'access_ns', 'cycle_ns'];

function header(what: string) {
  return {
    description: what,
    source: {
      tool: 'CACTI 7.0 (HewlettPackard/cacti, commit 1ffd8df), built from source with its makefile',
      command: 'node dist/scripts/cacti/grid.js --cacti /path/to/cacti',
      settings: CACTI_SETTINGS,
      input_file: cactiInput({ capacityBytes: 0, widthBits: 0, ports: 0, banks: 0, nodeNm: 0 })
        .replace('-size (bytes) 0', '-size (bytes) <capacity_bytes>')
        .replace('-block size (bytes) 1', '-block size (bytes) <width_bits / 8, at least 1>')
        .replace('-read-write port 0', '-read-write port <ports>')
        .replace('-UCA bank count 0', '-UCA bank count <banks>')
        .replace('-technology (u) 0', '-technology (u) <node_nm / 1000>')
        .replace('-output/input bus width 0', '-output/input bus width <width_bits>')
        .split('\n')
        .filter((l) => l),
      units: 'read_pj / write_pj: dynamic energy per access; leak_mw: leakage of every bank; area_mm2: the whole array; access_ns, cycle_ns',
    },
    columns: COLUMNS,
  };
}

// points of an earlier table made with the same CACTI input are reused (their runs are deterministic)
for (const f of ['hw-configs/sram-cacti.json', 'test/golden/sram-cacti-holdout.json']) {
  try {
    const doc = JSON.parse(readFileSync(join(root, f), 'utf8')) as { source: { input_file: string[] }; columns: string[]; points: number[][]; missing?: number[][] };
    if (doc.source.input_file.join('\n') !== header('').source.input_file.join('\n')) continue;
    for (const p of doc.points) {
      const [capacityBytes, widthBits, ports, banks, nodeNm, read_pj, write_pj, leak_mw, area_mm2, access_ns, cycle_ns] = p;
      known.set(sramKey({ capacityBytes, widthBits, ports, banks, nodeNm }), { read_pj, write_pj, leak_mw, area_mm2, access_ns, cycle_ns });
    }
    for (const m of doc.missing ?? []) known.set(sramKey({ capacityBytes: m[0], widthBits: m[1], ports: m[2], banks: m[3], nodeNm: m[4] }), null);
  } catch {
    // no earlier table: run every point
  }
}

const grid: SramQuery[] = [];
for (const nodeNm of AXES.node_nm)
  for (const ports of AXES.ports)
    for (const banks of AXES.banks)
      for (const capacityBytes of AXES.capacity_bytes) for (const widthBits of AXES.width_bits) grid.push({ capacityBytes, widthBits, ports, banks, nodeNm });
const results = await pool(grid, cacti, 'grid');
const points = grid.flatMap((q, i) => (results[i] ? [row(q, results[i]!)] : []));
const missing = grid.filter((_, i) => !results[i]).map((q) => [q.capacityBytes, q.widthBits, q.ports, q.banks, q.nodeNm]);
writeFileSync(
  join(root, 'hw-configs', 'sram-cacti.json'),
  JSON.stringify({ ...header('SRAM figures from CACTI 7 over a grid: sopsim interpolates between them (sim/energy/sram-model.ts)'), axes: AXES, points, missing }) + '\n',
);

// held-out points, off every grid axis but within its range: the interpolation's error is measured on them
const rng = seedrandom('sram-holdout');
const pick = <T>(a: T[]) => a[Math.floor(rng() * a.length)];
const holdout: SramQuery[] = [];
while (holdout.length < 160) {
  const capacityBytes = Math.round(2 ** (8 + rng() * 12)); // 256 B .. 1 MiB
  const widthBits = pick([48, 64, 96, 128, 192, 256]);
  const q = { capacityBytes, widthBits, ports: pick([1, 2]), banks: pick([1, 2, 3, 4]), nodeNm: pick([22, 28, 32, 40, 45]) };
  if (capacityBytes * 8 >= widthBits * 4 * q.banks) holdout.push(q);
}
const hres = await pool(holdout, cacti, 'holdout');
const hpoints = holdout.flatMap((q, i) => (hres[i] ? [row(q, hres[i]!)] : []));
writeFileSync(
  join(root, 'test', 'golden', 'sram-cacti-holdout.json'),
  JSON.stringify({ ...header('CACTI 7 at seeded configurations off the grid of hw-configs/sram-cacti.json, to measure the interpolation error'), points: hpoints }) + '\n',
);
process.stderr.write(`grid: ${points.length} of ${grid.length} points; holdout: ${hpoints.length} of ${holdout.length}\n`);
