// A layer execution as the datapath sees it: the packed layer, how each of its element books is decoded
// (fixed-codebook ROM, LUT SRAM table, or a direct number-format decode), tokens, and tile geometry.

import { RESIDUAL_BITS, blockFieldBits, type QuantizedLayer } from '../../quant/layer.js';
import { toLutTable } from '../../quant/codebooks/lut-format.js';
import { ConfigError, type LoadedConfig } from '../config/load.js';
import type { LutTableRef } from '../lut-sram/lut-sram.js';

import { LayerStream, ROUTE_DIRECT, ROUTE_LUT, ROUTE_ROM } from './layer-stream.js';

export type Route = 0 | 1 | 2; // ROUTE_ROM | ROUTE_LUT | ROUTE_DIRECT
export { ROUTE_DIRECT, ROUTE_LUT, ROUTE_ROM };

export interface LayerWork {
  name: string;
  layer: QuantizedLayer;
  tokens: number;
  n: number;
  /** Per book: how the hardware decodes it. */
  routes: Route[];
  /** Per block: its route (from the selection bit and the book's route). */
  blockRoute: Uint8Array;
  /** Tables the layer needs resident in the LUT SRAM. */
  lutTables: LutTableRef[];
  /** Block field bits (scale + sign + separate selection bit). */
  fieldBits: number;
  hasBlockScales: boolean;
  twoBooks: boolean;
  /** Per-layer header bytes fetched before the tiles (the layer scale). */
  headerBytes: number;
  /** Weights per tile (a multiple of the lane count). */
  tileWeights: number;
  tiles: number;
  /** Range counts over the stream (routes, blocks, residuals), repeating a slice for synthetic layers. */
  stream: LayerStream;
  /** Rows the layer really has (a multiple of the slice's rows are described by repetition). */
  rows: number;
}

/** Can the LUT hold this book's values exactly at its output width? */
function lutFits(book: QuantizedLayer['books'][number], cfg: LoadedConfig, layerLut: string): boolean {
  const out = cfg.hw.lut!.output.toLowerCase();
  const values = Array.from(book.table, (v) => (Number.isFinite(v) ? v : 0));
  if (book.grid.kind === 'format') {
    const t = toLutTable(values, out === 'bf16' ? { kind: 'bf16' } : { kind: 'hif', mantissaBits: Number(out.slice(3)), exponentBits: 8 });
    return t.levels.every((v, i) => v === values[i]);
  }
  if (out === 'bf16') return layerLut !== 'exact';
  return !!book.hif && book.hif.bits <= Number(out.slice(3));
}

/**
 * Decide how the configured hardware decodes each book of a layer; a layer it cannot run is an error.
 * With `rows` larger than the layer's, the layer is a representative slice repeated to that many rows.
 */
export function buildLayerWork(q: QuantizedLayer, cfg: LoadedConfig, tokens: number, label = q.name, rows = q.geom.rows): LayerWork {
  const hw = cfg.hw;
  const romNames = new Set(hw.codebook_rom.enabled ? hw.codebook_rom.codebooks.map((s) => s.toUpperCase()) : []);
  const lutTables: LutTableRef[] = [];
  const routes: Route[] = q.books.map((b) => {
    const kind = b.grid.kind;
    const isInt = /^INT\d+$/.test(b.name);
    if (kind === 'format' && (isInt || q.elementBits > 6 || !hw.lut)) return ROUTE_DIRECT;
    if (kind === 'fixed' && !b.inLut && romNames.has(b.name.toUpperCase())) return ROUTE_ROM;
    if (!hw.lut)
      throw new ConfigError(`${cfg.path}: layer '${label}' (${q.scheme}) needs a codebook table for ${b.name}, and this datapath has no LUT or ROM for it (lut: null)`);
    if (!lutFits(b, cfg, q.lut))
      throw new ConfigError(`${cfg.path}: layer '${label}' was quantized for LUT format ${q.lut}; lut.output ${hw.lut.output} cannot hold ${b.name} exactly (requantize with --lut ${hw.lut.output})`);
    // per-layer tables are named by layer; shared tables (formats, ROM codebooks not in ROM) by content
    const id = kind === 'format' ? `format:${b.name}` : b.inLut ? `layer:${label}:${b.name}` : `codebook:${b.name}@${q.lut}`;
    lutTables.push({ id, entries: kind === 'format' ? 1 << q.elementBits : b.grid.size });
    return ROUTE_LUT;
  });
  const { blocks } = q.geom;
  const blockRoute = new Uint8Array(blocks);
  if (q.sel) for (let b = 0; b < blocks; b++) blockRoute[b] = routes[q.sel[b]];
  else blockRoute.fill(routes[0]);
  const n = rows * q.geom.cols;
  const fieldBits = q.scale.format || q.sel ? blockFieldBits(q) : 0;
  // tiles hold about tile_bytes of payload at the layer's average payload bits per weight
  const sliceN = q.geom.rows * q.geom.cols;
  const payloadBits = q.elementBits * sliceN + fieldBits * blocks + (q.residuals?.index.length ?? 0) * RESIDUAL_BITS;
  const lanes = hw.unpacker.lanes;
  const perTile = Math.max(1, Math.floor((hw.weight_buffer.tile_bytes * 8 * sliceN) / payloadBits / lanes));
  const tileWeights = perTile * lanes;
  return {
    name: label,
    layer: q,
    tokens,
    n,
    routes,
    blockRoute,
    lutTables,
    fieldBits,
    hasBlockScales: q.scale.format !== null,
    twoBooks: q.sel !== null && q.books.length > 1,
    headerBytes: Math.ceil(q.tensorScaleBits / 8),
    tileWeights,
    tiles: Math.ceil(n / tileWeights),
    stream: new LayerStream(q, blockRoute, rows),
    rows,
  };
}
