// Worker (piscina task) for quantize-model: build one layer's menu, or rebuild and write its chosen
// configuration. Each worker quantizes on one thread (SOPSIM_THREADS=1); the pool spreads layers over cores.

import { openWeights } from '../io/load.js';
import { writeSopw } from '../packed/sopw.js';
import { buildChoice, buildLayerMenu, type LayerMenu, type MenuLabel, type ModelOptions } from './quantize-model.js';

export interface MenuTask {
  kind: 'menu';
  source: string;
  name: string;
  stats: Float64Array | null;
  opt: ModelOptions;
}

export interface ChoiceTask {
  kind: 'choice';
  source: string;
  name: string;
  stats: Float64Array | null;
  opt: ModelOptions;
  menu: LayerMenu;
  label: MenuLabel;
  out: string;
  info: Record<string, unknown>;
}

const sources = new Map<string, ReturnType<typeof openWeights>>();

function read(source: string, name: string) {
  let s = sources.get(source);
  if (!s) sources.set(source, (s = openWeights(source)));
  return s.read(name);
}

export default function (task: MenuTask | ChoiceTask): LayerMenu | null {
  const t = read(task.source, task.name);
  if (task.kind === 'menu') return buildLayerMenu(t, task.stats, task.opt);
  const q = buildChoice(t, task.stats, task.menu, task.label, task.opt);
  Object.assign(q.info, task.info);
  writeSopw(task.out, q);
  return null;
}
