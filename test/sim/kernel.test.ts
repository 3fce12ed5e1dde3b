// The discrete-event kernel in isolation: deterministic order, and typed counters.
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { Counters } from '../../sim/kernel/counters.js';
import { EventQueue } from '../../sim/kernel/event-queue.js';
import { Simulator } from '../../sim/kernel/simulator.js';

describe('event queue', () => {
  it('pops in (time, priority, insertion) order, matching a stable sort, across growth', () => {
    const rng = seedrandom('queue');
    const q = new EventQueue();
    const ref: Array<{ t: number; p: number; s: number; a: number }> = [];
    for (let i = 0; i < 5000; i++) {
      const t = Math.floor(rng() * 50);
      const p = Math.floor(rng() * 3);
      q.push(t, p, 0, i);
      ref.push({ t, p, s: i, a: i });
    }
    ref.sort((x, y) => x.t - y.t || x.p - y.p || x.s - y.s);
    const out = { time: 0, target: 0, arg: 0 };
    for (const r of ref) {
      expect(q.pop(out)).toBe(true);
      expect(out.time).toBe(r.t);
      expect(out.arg).toBe(r.a);
    }
    expect(q.pop(out)).toBe(false);
    expect(q.scheduled).toBe(5000);
  });

  it('interleaved pushes and pops stay ordered', () => {
    const q = new EventQueue();
    const out = { time: 0, target: 0, arg: 0 };
    q.push(5, 0, 0, 1);
    q.push(3, 0, 0, 2);
    q.pop(out);
    expect(out.arg).toBe(2);
    q.push(4, 0, 0, 3);
    q.push(5, -1, 0, 4);
    const seen: number[] = [];
    while (q.pop(out)) seen.push(out.arg);
    expect(seen).toEqual([3, 4, 1]);
  });
});

describe('simulator', () => {
  it('delivers events to their targets in time order and refuses the past', () => {
    const sim = new Simulator();
    const log: string[] = [];
    const a = sim.register({ onEvent: (arg, now) => log.push(`a${arg}@${now}`) });
    const b = sim.register({
      onEvent: (arg, now) => {
        log.push(`b${arg}@${now}`);
        if (arg < 2) sim.schedule(now + 10, b, arg + 1);
      },
    });
    sim.schedule(5, a, 1);
    sim.schedule(0, b, 0);
    sim.schedule(5, a, 2);
    expect(sim.run()).toBe(20);
    expect(log).toEqual(['b0@0', 'a1@5', 'a2@5', 'b1@10', 'b2@20']);
    expect(() => sim.schedule(3, a)).toThrow(/in the past/);
  });
});

describe('counters', () => {
  it('register once, add and snapshot', () => {
    const c = new Counters();
    const h = c.define('lut_sram', 'reads', '', 'x');
    expect(c.define('lut_sram', 'reads', '', 'x')).toBe(h);
    for (let i = 0; i < 100; i++) c.add(c.define('blk', `n${i}`, '', ''), i);
    c.add(h, 5);
    expect(c.get('lut_sram', 'reads')).toBe(5);
    expect(c.snapshot().blk.n99).toBe(99);
    expect(() => c.get('nope', 'x')).toThrow(/no counter 'nope\.x' is registered/);
    expect(c.key(h)).toBe('lut_sram.reads');
  });
});
