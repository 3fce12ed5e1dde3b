// The fixed 4-bit codebooks that live in the decoder's ROM (docs/MODEL.md §2).

import { bof4Levels, split87Levels } from './lloyd-max.js';

/** QLoRA NormalFloat4 levels, as published in bitsandbytes (7 negative, zero, 8 positive). */
export const NF4_LEVELS: readonly number[] = [
  -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
  -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
  0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
  0.7229568362236023, 1.0,
];

/** SH4 (our choice): zero-free mid-rise grid ±(k + 1/2)/7.5, k = 0..7. */
export const SH4_LEVELS: readonly number[] = Array.from({ length: 16 }, (_, i) => (i < 8 ? -(7 - i + 0.5) : i - 8 + 0.5) / 7.5);

// BOF4 and Split87 for the usual block sizes, as computed by lloyd-max.ts (to 1e-10), pinned here so
// that start-up does not pay the quadrature; test/quant/codebooks.test.ts recomputes and compares them.
const BOF4_PINNED: Record<number, readonly number[]> = {
  8: [-1, -0.8126210988, -0.654114035, -0.5149349904, -0.3889989406, -0.2720892698, -0.1610495079, -0.0533255328, 0.0533255328, 0.1610495079, 0.2720892698, 0.3889989406, 0.5149349904, 0.654114035, 0.8126210988, 1],
  16: [-1, -0.7995624811, -0.6377458181, -0.4993254144, -0.3759582197, -0.2624400918, -0.1551602322, -0.0513486876, 0.0513486877, 0.1551602322, 0.2624400919, 0.3759582197, 0.4993254144, 0.6377458181, 0.7995624811, 1],
  32: [-1, -0.7842089611, -0.6194563835, -0.4823909962, -0.3620586227, -0.2522637559, -0.1489862513, -0.0492820495, 0.0492820495, 0.1489862513, 0.2522637559, 0.3620586227, 0.4823909962, 0.6194563835, 0.7842089611, 1],
  64: [-1, -0.7670384958, -0.6000622634, -0.464940366, -0.3479693393, -0.2420470994, -0.1428210015, -0.0472231235, 0.0472231235, 0.1428210015, 0.2420470994, 0.3479693393, 0.464940366, 0.6000622634, 0.7670384959, 1],
};
const SPLIT87_PINNED: Record<number, readonly number[]> = {
  8: [-0.8972898588, -0.7271174795, -0.5800947918, -0.448831494, -0.3283946739, -0.2152220787, -0.1065377566, 0, 0.1001976359, 0.2021785222, 0.3078681318, 0.4195051561, 0.5398828432, 0.6727291048, 0.8233700743, 1],
  16: [-0.8867411697, -0.7102935841, -0.5628632725, -0.4337289242, -0.3165578524, -0.207159516, -0.1024669676, 0, 0.09649721, 0.1948495307, 0.2970995232, 0.4057126419, 0.5239423249, 0.6564762834, 0.8107464412, 1],
  32: [-0.8732948524, -0.6907610506, -0.5437122866, -0.4173559014, -0.3039132257, -0.1986203733, -0.0981749548, 0, 0.092624647, 0.187151718, 0.2857104897, 0.3909567656, 0.5065695368, 0.6382230661, 0.795837251, 1],
  64: [-0.8568205141, -0.6691687065, -0.523457801, -0.4004478412, -0.2910332481, -0.1899907897, -0.0938552576, 0, 0.088763574, 0.1794514116, 0.2742468142, 0.3759474742, 0.4885888795, 0.6187680966, 0.779080298, 1],
};

const computed = new Map<string, readonly number[]>();

function pinnedOrComputed(kind: string, pinned: Record<number, readonly number[]>, g: number, compute: (g: number) => number[]): readonly number[] {
  if (pinned[g]) return pinned[g];
  const key = `${kind}/${g}`;
  let v = computed.get(key);
  if (!v) computed.set(key, (v = compute(g)));
  return v;
}

/** BOF4 levels for block size g (Lloyd-Max for block-normalised Gaussians, ±1 fixed). */
export function bof4(g: number): readonly number[] {
  return pinnedOrComputed('bof4', BOF4_PINNED, g, bof4Levels);
}

/** Split87 levels for block size g (Lloyd-Max under signed absmax scaling, +1 and 0 fixed). */
export function split87(g: number): readonly number[] {
  return pinnedOrComputed('split87', SPLIT87_PINNED, g, split87Levels);
}
