// Exact multiple-choice knapsack (SPEC §5): choose one configuration per layer, minimising total
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

export function solveMCKP(menus: MenuItem[][], budget: number, maxNodes = 2e7): KnapsackResult {
  const m = menus.length;
  if (m === 0) return { choice: [], cost: 0, dist: 0, nodes: 0 };
  // per class: non-dominated items by increasing cost (strictly decreasing distortion)
  const pareto: number[][] = menus.map((menu, c) => {
    if (menu.length === 0) throw new Error(`layer ${c} has an empty menu`);
    const order = menu.map((_, i) => i).sort((a, b) => menu[a].cost - menu[b].cost || menu[a].dist - menu[b].dist);
    const keep: number[] = [];
    for (const i of order) if (keep.length === 0 || menu[i].dist < menu[keep[keep.length - 1]].dist) keep.push(i);
    return keep;
  });
  const minCost = pareto.map((p, c) => menus[c][p[0]].cost);
  const suffixMin = new Float64Array(m + 1);
  for (let c = m - 1; c >= 0; c--) suffixMin[c] = suffixMin[c + 1] + minCost[c];
  if (suffixMin[0] > budget) throw new InfeasibleBudget(`budget ${budget} bits is below the cheapest choice for every layer (${suffixMin[0]} bits)`);
  const baseDist = pareto.map((p, c) => menus[c][p[0]].dist);
  const suffixBase = new Float64Array(m + 1);
  for (let c = m - 1; c >= 0; c--) suffixBase[c] = suffixBase[c + 1] + baseDist[c];
  // lower convex hull of each class; its segments, steepest first, are the LP relaxation's increments
  const segs: Segment[] = [];
  pareto.forEach((p, c) => {
    const pts = p.map((i) => menus[c][i]);
    const hull: MenuItem[] = [];
    for (const q of pts) {
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
  const segCls = Int32Array.from(segs, (s) => s.cls);
  const segDc = Float64Array.from(segs, (s) => s.dc);
  const segDd = Float64Array.from(segs, (s) => s.dd);

  // incumbent: the LP solution with the fractional class left at its lower item, made integral
  const choice = new Int32Array(m);
  const best = { dist: Infinity, cost: 0, choice: new Int32Array(m) };
  {
    const hullLevel = new Int32Array(m); // how many segments of each class are taken
    let room = budget - suffixMin[0];
    for (let s = 0; s < segs.length; s++) {
      if (segDc[s] > room) break;
      room -= segDc[s];
      hullLevel[segCls[s]]++;
    }
    // map hull levels back to items: the item whose cost equals base + taken segments
    let cost = 0;
    let dist = 0;
    for (let c = 0; c < m; c++) {
      let target = minCost[c];
      for (let s = 0, k = 0; s < segs.length && k < hullLevel[c]; s++) if (segCls[s] === c) (target += segDc[s]), k++;
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
  }

  // LB(from, room) is convex and piecewise linear in room: tabulate its breakpoints per suffix
  const bpRoom: Float64Array[] = [];
  const bpDist: Float64Array[] = [];
  for (let from = 0; from <= m; from++) {
    const r: number[] = [0];
    const d: number[] = [suffixBase[from]];
    for (let k = 0; k < segs.length; k++) {
      if (segCls[k] < from) continue;
      r.push(r[r.length - 1] + segDc[k]);
      d.push(d[d.length - 1] + segDd[k]);
    }
    bpRoom.push(Float64Array.from(r));
    bpDist.push(Float64Array.from(d));
  }
  const bound = (from: number, room: number): number => {
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

  // frontier DP; parents[c][s] / items[c][s] recover the choice of state s after class c
  let cost = new Float64Array([0]);
  let dist = new Float64Array([0]);
  const parents: Int32Array[] = [];
  const items: Int32Array[] = [];
  let nodes = 0;
  for (let c = 0; c < m; c++) {
    const menu = pareto[c];
    const nc: number[] = [];
    const nd: number[] = [];
    const np: number[] = [];
    const ni: number[] = [];
    for (let s = 0; s < cost.length; s++) {
      for (const i of menu) {
        const it = menus[c][i];
        const xc = cost[s] + it.cost;
        const room = budget - xc - suffixMin[c + 1];
        if (room < 0) continue;
        const xd = dist[s] + it.dist;
        if (xd + bound(c + 1, room) > best.dist) continue;
        nc.push(xc);
        nd.push(xd);
        np.push(s);
        ni.push(i);
      }
    }
    nodes += nc.length;
    if (nodes > maxNodes) throw new Error(`knapsack: more than ${maxNodes} states without a proof of optimality`);
    // keep the Pareto frontier: by cost, then distortion; each kept state strictly improves distortion
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
    cost = Float64Array.from(kc);
    dist = Float64Array.from(kd);
    parents.push(Int32Array.from(kp));
    items.push(Int32Array.from(ki));
  }
  // the cheapest-distortion final state beats the incumbent, or the incumbent was optimal
  let bestState = -1;
  for (let s = 0; s < dist.length; s++) if (dist[s] < best.dist && (bestState < 0 || dist[s] < dist[bestState])) bestState = s;
  if (bestState >= 0) {
    best.dist = dist[bestState];
    best.cost = cost[bestState];
    for (let c = m - 1, s = bestState; c >= 0; c--) {
      best.choice[c] = items[c][s];
      s = parents[c][s];
    }
  }
  return { choice: Array.from(best.choice), cost: best.cost, dist: best.dist, nodes };
}
