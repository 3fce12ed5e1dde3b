// Worker (piscina task) for quantize-model: build one layer's menu, or rebuild and write its chosen
// configuration (returning its exact figures). Each worker quantizes on one thread (SOPSIM_WORKERS=1); the pool spreads layers over cores.

import { openWeights, type WeightsSpec } from '../io/load.js';
import type { Tensor2D } from '../io/tensor.js';
import { writeSopw } from '../packed/sopw.js';
import { buildChoice, buildLayerMenu, measureEntry, sourceRows, type LayerMenu, type MenuEntry, type MenuLabel, type ModelOptions } from './quantize-model.js';

export interface MenuTask {
  kind: 'menu';
  source: WeightsSpec;
  name: string;
  stats: Float64Array | null;
  opt: ModelOptions;
}

export interface ChoiceTask {
  kind: 'choice';
  source: WeightsSpec;
  name: string;
  stats: Float64Array | null;
  opt: ModelOptions;
  menu: LayerMenu;
  label: MenuLabel;
  out: string;
  info: Record<string, unknown>;
}

const sources = new Map<string, ReturnType<typeof openWeights>>();

function source(spec: WeightsSpec) {
  const key = JSON.stringify(spec);
  let s = sources.get(key);
  if (!s) sources.set(key, (s = openWeights(spec)));
  return s;
}

export default function (task: MenuTask | ChoiceTask): LayerMenu | MenuEntry {
  if (task.kind === 'menu') return buildLayerMenu(sourceRows(source(task.source), task.name), task.stats, task.opt);
  return writeChoice(source(task.source).read(task.name), task.stats, task.menu, task.label, task.opt, task.info, task.out);
}

/** Build a layer's chosen configuration, write it packed, and return its exact figures. */
export function writeChoice(t: Tensor2D, a: Float64Array | null, menu: LayerMenu, label: MenuLabel, opt: ModelOptions, info: Record<string, unknown>, out: string): MenuEntry {
  const q = buildChoice(t, a, menu, label, opt);
  Object.assign(q.info, info);
  writeSopw(out, q);
  return measureEntry(t, a, label, q);
}
