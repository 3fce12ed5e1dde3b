// Helpers for simulator tests: bundled configs with overrides, and layers ready to run.
import { join } from 'node:path';
import { loadHwConfig, type LoadedConfig } from '../../sim/config/load.js';
import { buildLayerWork, type LayerWork } from '../../sim/datapath/layer-work.js';
import type { QuantizedLayer } from '../../quant/layer.js';
import { REPO } from './data.js';

export const HW = (name: string) => join(REPO, 'hw-configs', `${name}.json`);

export function cfg(name: string, sets: Record<string, number | boolean | string> = {}): LoadedConfig {
  return loadHwConfig(HW(name), Object.entries(sets));
}

export function work(q: QuantizedLayer, c: LoadedConfig, tokens = 1, name = q.name): LayerWork {
  return buildLayerWork(q, c, tokens, name);
}
