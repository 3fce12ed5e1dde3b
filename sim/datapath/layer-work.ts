// A layer execution as the datapath sees it: the packed layer, which decoder takes each of its element
// books (each decoder block claims books, in the datapath's order), the tables it needs resident,
// tokens, and the tile geometry.

import { RESIDUAL_BITS, blockFieldBits, elementCodeBits, type QuantizedLayer } from '../../quant/layer.js';
import { ConfigError } from '../config/errors.js';
import { sectionOf, type LoadedConfig } from '../config/load.js';
import type { RouteQuery } from '../core/block.js';
import type { LutTableRef } from '../lut-sram/lut-sram.js';
import { LayerStream } from './layer-stream.js';

export interface LayerWork {
  name: string;
  layer: QuantizedLayer;
  tokens: number;
  n: number;
  /** Per book: the route (index into the datapath's present decoders) that decodes it. */
  routes: number[];
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

/** The decoders present in a config, in the order they claim books (their index is their route). */
export function presentDecoders(cfg: LoadedConfig): LoadedConfig['blocks'] {
  return cfg.datapath.decoders.flatMap((k) => cfg.blocks.filter((b) => b.kind === k && b.def.route));
}

/** Which decoder takes each book; a book no decoder can take is an error naming the layer. */
function routeBooks(q: QuantizedLayer, cfg: LoadedConfig, label: string, key: string): { routes: number[]; tables: LutTableRef[]; decoders: number } {
  const decoders = presentDecoders(cfg);
  const kinds = decoders.map((d) => d.kind);
  const tables: LutTableRef[] = [];
  const routes = q.books.map((book) => {
    const query: RouteQuery = { book, layer: q, label, key, decoders: kinds, file: cfg.path };
    for (let r = 0; r < decoders.length; r++) {
      const claim = decoders[r].def.route!(decoders[r].conf, query);
      if (!claim) continue;
      if (claim.table) tables.push(claim.table);
      return r;
    }
    throw new ConfigError(`${cfg.path}: layer '${label}' (${q.scheme}) needs a codebook table for ${book.name}, and datapath '${cfg.hw.name}' has no decoder for it (decoders: ${kinds.join(', ') || 'none'})`);
  });
  return { routes, tables, decoders: decoders.length };
}

/**
 * Set a layer up on the configured hardware; a layer it cannot run is an error.
 * With `rows` larger than the layer's, the layer is a representative slice repeated to that many rows.
 * `key` identifies the layer's own LUT tables in a run (by default its label).
 */
export function buildLayerWork(q: QuantizedLayer, cfg: LoadedConfig, tokens: number, label = q.name, rows = q.geom.rows, key = label): LayerWork {
  const { routes, tables, decoders } = routeBooks(q, cfg, label, key);
  const { blocks } = q.geom;
  const blockRoute = new Uint8Array(blocks);
  if (q.sel) for (let b = 0; b < blocks; b++) blockRoute[b] = routes[q.sel[b]];
  else blockRoute.fill(routes[0]);
  const n = rows * q.geom.cols;
  const fieldBits = q.scale.format || q.sel ? blockFieldBits(q) : 0;
  // tiles hold about tile_bytes of payload at the layer's average payload bits per weight
  const sliceN = q.geom.rows * q.geom.cols;
  const payloadBits = elementCodeBits(q) + fieldBits * blocks + (q.residuals?.index.length ?? 0) * RESIDUAL_BITS;
  const { lanes } = sectionOf<{ lanes: number }>(cfg, 'unpacker')!;
  const { tile_bytes } = sectionOf<{ tile_bytes: number }>(cfg, 'weight_buffer')!;
  const perTile = Math.max(1, Math.floor((tile_bytes * 8 * sliceN) / payloadBits / lanes));
  const tileWeights = perTile * lanes;
  return {
    name: label,
    layer: q,
    tokens,
    n,
    routes,
    blockRoute,
    lutTables: tables,
    fieldBits,
    hasBlockScales: q.scale.format !== null,
    twoBooks: q.sel !== null && q.books.length > 1,
    headerBytes: Math.ceil(q.tensorScaleBits / 8),
    tileWeights,
    tiles: Math.ceil(n / tileWeights),
    stream: new LayerStream(q, blockRoute, decoders, rows),
    rows,
  };
}
