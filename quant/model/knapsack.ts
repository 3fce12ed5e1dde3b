// Exact multiple-choice knapsack (docs/MODEL.md, the layer budget): choose one configuration per layer, minimising total
// distortion with total bits within a budget. A dynamic programme over layers keeps the Pareto frontier
// of partial (bits, distortion) states; a state is dropped only when another dominates it, or when even
// the LP relaxation of the remaining layers (greedy over the convex hulls of their menus) cannot bring it
// below the best complete solution known. Both rules are exact, so the answer is optimal;
// test/quant/knapsack.test.ts checks it against brute force.

export interface MenuItem {
  /** Bits this configuration costs (exact). */
  cost: number;
  /** Distortion it causes (e.g. (1 - ACos) x weights). */
  dist: number;
}

export interface KnapsackResult {
  /** Index into each menu of the chosen item. */
  choice: number[];
  cost: number;
  dist: number;
  /** Partial states the programme kept, over all layers. */
  nodes: number;
}

interface Segment {
  cls: number;
  dc: number;
  dd: number;
}

export class InfeasibleBudget extends Error {}

/** Per class: non-dominated items by increasing cost (strictly decreasing distortion). */
function paretoMenus(menus: MenuItem[][]): number[][] {
  return menus.map((menu, c) => {
    if (menu.length === 0) throw new Error(`layer ${c} has an empty menu`);
    const order = menu.map((_, i) => i).sort((a, b) => menu[a].cost - menu[b].cost || menu[a].dist - menu[b].dist);
    const keep: number[] = [];
    for (const i of order) if (keep.length === 0 || menu[i].dist < menu[keep[keep.length - 1]].dist) keep.push(i);
    return keep;
  });
}

/** Suffix sums: out[c] = sum of v[c..]. */
function suffixSums(v: number[]): Float64Array {
  const out = new Float64Array(v.length + 1);
  for (let c = v.length - 1; c >= 0; c--) out[c] = out[c + 1] + v[c];
  return out;
}

/** The LP relaxation's increments: segments of each class's lower convex hull, steepest first. */
function hullSegments(menus: MenuItem[][], pareto: number[][]): { cls: Int32Array; dc: Float64Array; dd: Float64Array } {
  const segs: Segment[] = [];
  pareto.forEach((p, c) => {
    const hull: MenuItem[] = [];
    for (const q of p.map((i) => menus[c][i])) {
      while (hull.length >= 2) {
        const a = hull[hull.length - 2];
        const b = hull[hull.length - 1];
        // drop b when it lies on or above the segment a -> q
        if ((b.dist - a.dist) * (q.cost - a.cost) >= (q.dist - a.dist) * (b.cost - a.cost)) hull.pop();
        else break;
      }
      hull.push(q);
    }
    for (let k = 1; k < hull.length; k++) segs.push({ cls: c, dc: hull[k].cost - hull[k - 1].cost, dd: hull[k].dist - hull[k - 1].dist });
  });
  segs.sort((a, b) => a.dd / a.dc - b.dd / b.dc || a.cls - b.cls);
  return { cls: Int32Array.from(segs, (s) => s.cls), dc: Float64Array.from(segs, (s) => s.dc), dd: Float64Array.from(segs, (s) => s.dd) };
}

type Segments = ReturnType<typeof hullSegments>;

/** The incumbent: the LP solution with the fractional class left at its lower item, made integral. */
function incumbent(menus: MenuItem[][], pareto: number[][], segs: Segments, minCost: number[], budget: number, room: number): { dist: number; cost: number; choice: Int32Array } {
  const m = menus.length;
  const best = { dist: Infinity, cost: 0, choice: new Int32Array(m) };
  const hullLevel = new Int32Array(m); // how many segments of each class are taken
  for (let s = 0; s < segs.cls.length; s++) {
    if (segs.dc[s] > room) break;
    room -= segs.dc[s];
    hullLevel[segs.cls[s]]++;
  }
  // map hull levels back to items: the item whose cost equals base + taken segments
  const choice = new Int32Array(m);
  let cost = 0;
  let dist = 0;
  for (let c = 0; c < m; c++) {
    let target = minCost[c];
    for (let s = 0, k = 0; s < segs.cls.length && k < hullLevel[c]; s++) if (segs.cls[s] === c) (target += segs.dc[s]), k++;
    const i = pareto[c].find((j) => menus[c][j].cost === target) ?? pareto[c][0];
    choice[c] = i;
    cost += menus[c][i].cost;
    dist += menus[c][i].dist;
  }
  if (cost <= budget) {
    best.dist = dist;
    best.cost = cost;
    best.choice.set(choice);
  }
  return best;
}

/** LB(from, room): the LP bound on the distortion of classes from.. with `room` bits, tabulated per suffix. */
function lpBound(segs: Segments, suffixBase: Float64Array, m: number): (from: number, room: number) => number {
  const bpRoom: Float64Array[] = [];
  const bpDist: Float64Array[] = [];
  for (let from = 0; from <= m; from++) {
    const r: number[] = [0];
    const d: number[] = [suffixBase[from]];
    for (let k = 0; k < segs.cls.length; k++) {
      if (segs.cls[k] < from) continue;
      r.push(r[r.length - 1] + segs.dc[k]);
      d.push(d[d.length - 1] + segs.dd[k]);
    }
    bpRoom.push(Float64Array.from(r));
    bpDist.push(Float64Array.from(d));
  }
  return (from, room) => {
    const r = bpRoom[from];
    const d = bpDist[from];
    if (room >= r[r.length - 1]) return d[d.length - 1];
    let lo = 0;
    let hi = r.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (r[mid] <= room) lo = mid;
      else hi = mid;
    }
    return d[lo] + ((d[hi] - d[lo]) * (room - r[lo])) / (r[hi] - r[lo]);
  };
}

interface Frontier {
  cost: Float64Array;
  dist: Float64Array;
  parent: Int32Array;
  item: Int32Array;
}

/** Keep the Pareto frontier of candidate states: by cost, then distortion; each kept state strictly improves distortion. */
function prune(nc: number[], nd: number[], np: number[], ni: number[]): Frontier {
  const order = nc.map((_, k) => k).sort((a, b) => nc[a] - nc[b] || nd[a] - nd[b]);
  const kc: number[] = [];
  const kd: number[] = [];
  const kp: number[] = [];
  const ki: number[] = [];
  for (const k of order) {
    if (kd.length && nd[k] >= kd[kd.length - 1]) continue;
    kc.push(nc[k]);
    kd.push(nd[k]);
    kp.push(np[k]);
    ki.push(ni[k]);
  }
  return { cost: Float64Array.from(kc), dist: Float64Array.from(kd), parent: Int32Array.from(kp), item: Int32Array.from(ki) };
}

export function solveMCKP(menus: MenuItem[][], budget: number, maxNodes = 2e7): KnapsackResult {
  const m = menus.length;
  if (m === 0) return { choice: [], cost: 0, dist: 0, nodes: 0 };
  const pareto = paretoMenus(menus);
  const minCost = pareto.map((p, c) => menus[c][p[0]].cost);
  const suffixMin = suffixSums(minCost);
  if (suffixMin[0] > budget) throw new InfeasibleBudget(`budget ${budget} bits is below the cheapest choice for every layer (${suffixMin[0]} bits)`);
  const suffixBase = suffixSums(pareto.map((p, c) => menus[c][p[0]].dist));
  const segs = hullSegments(menus, pareto);
  const best = incumbent(menus, pareto, segs, minCost, budget, budget - suffixMin[0]);
  const bound = lpBound(segs, suffixBase, m);
  // frontier DP; steps[c] recovers the choice of each state after class c
  let state: Frontier = { cost: new Float64Array([0]), dist: new Float64Array([0]), parent: new Int32Array(1), item: new Int32Array(1) };
  const steps: Frontier[] = [];
  let nodes = 0;
  for (let c = 0; c < m; c++) {
    const nc: number[] = [];
    const nd: number[] = [];
    const np: number[] = [];
    const ni: number[] = [];
    for (let s = 0; s < state.cost.length; s++) {
      for (const i of pareto[c]) {
        const it = menus[c][i];
        const xc = state.cost[s] + it.cost;
        const room = budget - xc - suffixMin[c + 1];
        if (room < 0) continue;
        const xd = state.dist[s] + it.dist;
        if (xd + bound(c + 1, room) > best.dist) continue;
        nc.push(xc);
        nd.push(xd);
        np.push(s);
        ni.push(i);
      }
    }
    nodes += nc.length;
    if (nodes > maxNodes) throw new Error(`knapsack: more than ${maxNodes} states without a proof of optimality`);
    steps.push((state = prune(nc, nd, np, ni)));
  }
  // the cheapest-distortion final state beats the incumbent, or the incumbent was optimal
  let bestState = -1;
  for (let s = 0; s < state.dist.length; s++) if (state.dist[s] < best.dist && (bestState < 0 || state.dist[s] < state.dist[bestState])) bestState = s;
  if (bestState >= 0) {
    best.dist = state.dist[bestState];
    best.cost = state.cost[bestState];
    for (let c = m - 1, s = bestState; c >= 0; c--) {
      best.choice[c] = steps[c].item[s];
      s = steps[c].parent[s];
    }
  }
  return { choice: Array.from(best.choice), cost: best.cost, dist: best.dist, nodes };
}
