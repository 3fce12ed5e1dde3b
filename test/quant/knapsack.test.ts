// The multiple-choice knapsack is exact: it matches brute force on small random menus.
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { InfeasibleBudget, solveMCKP, type MenuItem } from '../../quant/model/knapsack.js';

function brute(menus: MenuItem[][], budget: number): number {
  let best = Infinity;
  const rec = (c: number, cost: number, dist: number) => {
    if (cost > budget) return;
    if (c === menus.length) {
      best = Math.min(best, dist);
      return;
    }
    for (const it of menus[c]) rec(c + 1, cost + it.cost, dist + it.dist);
  };
  rec(0, 0, 0);
  return best;
}

function randomMenus(rng: () => number, classes: number, items: number, realistic: boolean): MenuItem[][] {
  return Array.from({ length: classes }, () => {
    const n = realistic ? [4096, 16384, 65536][Math.floor(rng() * 3)] : 1;
    return Array.from({ length: items }, (_, k) => {
      if (!realistic) return { cost: Math.floor(rng() * 50) + 1, dist: rng() * 100 };
      const bpw = [4.5, 4.6, 6.5, 8.0][k];
      return { cost: Math.round(bpw * n + 168 * rng()), dist: n * 10 ** (-(1 + bpw * (0.5 + 0.2 * rng()))) };
    });
  });
}

describe('multiple-choice knapsack', () => {
  it('matches brute force on 300 random small instances (arbitrary menus)', () => {
    const rng = seedrandom('mckp');
    for (let trial = 0; trial < 300; trial++) {
      const classes = 1 + Math.floor(rng() * 7);
      const menus = randomMenus(rng, classes, 1 + Math.floor(rng() * 4), false);
      const minCost = menus.reduce((s, m) => s + Math.min(...m.map((x) => x.cost)), 0);
      const maxCost = menus.reduce((s, m) => s + Math.max(...m.map((x) => x.cost)), 0);
      const budget = minCost + Math.floor(rng() * (maxCost - minCost + 1));
      const r = solveMCKP(menus, budget);
      const want = brute(menus, budget);
      expect(r.dist).toBeCloseTo(want, 9);
      expect(r.cost).toBeLessThanOrEqual(budget);
      expect(r.cost).toBe(r.choice.reduce((s, i, c) => s + menus[c][i].cost, 0));
    }
  });
  it('matches brute force on layer-like menus (4.5 / 4.6 / 6.5 / 8.0 bpw) of 8 layers', () => {
    const rng = seedrandom('layers');
    for (let trial = 0; trial < 40; trial++) {
      const menus = randomMenus(rng, 8, 4, true);
      const n = menus.reduce((s, m) => s + Math.round(m[0].cost / 4.5), 0);
      for (const bpw of [4.55, 5, 5.5, 6, 7]) {
        const r = solveMCKP(menus, Math.floor(bpw * n));
        expect(r.dist).toBeCloseTo(brute(menus, Math.floor(bpw * n)), 9);
      }
    }
  });
  it('solves 224 layer-like menus quickly and the optimum falls as the budget grows', () => {
    const rng = seedrandom('big');
    const menus = randomMenus(rng, 224, 4, true);
    const n = menus.reduce((s, m) => s + Math.round(m[0].cost / 4.5), 0);
    let prev = Infinity;
    for (const bpw of [4.6, 5, 5.5, 6, 6.5, 7.5]) {
      const r = solveMCKP(menus, Math.floor(bpw * n));
      expect(r.dist).toBeLessThanOrEqual(prev);
      expect(r.cost).toBeLessThanOrEqual(Math.floor(bpw * n));
      prev = r.dist;
    }
  });
  it('a budget below the cheapest choice is refused', () => {
    expect(() => solveMCKP([[{ cost: 10, dist: 1 }], [{ cost: 5, dist: 1 }]], 14)).toThrow(InfeasibleBudget);
  });
});
