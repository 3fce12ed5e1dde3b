// The gate-level simulator behind the synthesis characterisation: liberty functions, netlist evaluation and
// toggle counting on hand-built netlists whose activities are known exactly.
import { describe, expect, it } from 'vitest';
import { compileFunction, parseLiberty, simulateActivity, type YosysJson } from '../../scripts/synth/gate-sim.js';
import { driver, toggleRate, type Streams } from '../../scripts/synth/stimulus.js';

const truth = (src: string, pins: string[]) => {
  const f = compileFunction(src);
  return Array.from({ length: 2 ** pins.length }, (_, v) => f((p) => (v >> pins.indexOf(p)) & 1));
};

describe('liberty functions', () => {
  it('reads the operators of the liberty grammar: juxtaposition and, + or, ^ xor, ! and postfix \' not', () => {
    expect(truth('(A B)', ['A', 'B'])).toEqual([0, 0, 0, 1]);
    expect(truth('A*B', ['A', 'B'])).toEqual([0, 0, 0, 1]);
    expect(truth('(A+B)', ['A', 'B'])).toEqual([0, 1, 1, 1]);
    expect(truth('A|B', ['A', 'B'])).toEqual([0, 1, 1, 1]);
    expect(truth('((A^B)^C)', ['A', 'B', 'C'])).toEqual([0, 1, 1, 0, 1, 0, 0, 1]);
    expect(truth("A'", ['A'])).toEqual([1, 0]);
    // OSU 0.18 um MUX2X1 is inverting: Y = !(S ? A : B)
    expect(truth('(!((S A) + (!S B)))', ['A', 'B', 'S'])).toEqual([1, 1, 0, 0, 1, 0, 1, 0]);
    // a full adder's carry
    expect(truth('(((A B)+(B C))+(C A))', ['A', 'B', 'C'])).toEqual([0, 0, 0, 1, 0, 1, 1, 1]);
  });
  it('refuses what it cannot read, naming the function', () => {
    expect(() => compileFunction('(A B')).toThrow(/'\(A B': expected '\)'/);
    expect(() => compileFunction('A B )')).toThrow(/unexpected '\)'/);
  });
  it('takes combinational cells from a liberty file and leaves flip-flops out', () => {
    const lib = parseLiberty(`library (t) {
      cell (NAND2) { area : 1; pin(A) { direction : input; } pin(B) { direction : input; } pin(Y) { direction : output; function : "(!(A B))"; } }
      cell (HA) { pin(A) { direction : input; } pin(B) { direction : input; } pin(YC) { direction : output; function : "(A B)"; } pin(YS) { direction : output; function : "(A^B)"; } }
      cell (DFF) { ff (IQ, IQN) { next_state : "D"; clocked_on : "CLK"; } pin(D) { direction : input; } pin(Q) { direction : output; function : "IQ"; } }
    }`);
    expect([...lib.keys()]).toEqual(['NAND2', 'HA']);
    expect(lib.get('HA')!.inputs).toEqual(['A', 'B']);
    expect(Object.keys(lib.get('HA')!.outputs)).toEqual(['YC', 'YS']);
  });
});

// y = !(a & b) through NAND2, then z = y ^ a through an XOR: nets 2 (a), 3 (b), 4 (y), 5 (z)
const lib = parseLiberty(`cell (NAND2) { pin(A) { direction : input; } pin(B) { direction : input; } pin(Y) { direction : output; function : "(!(A B))"; } }
  cell (XOR2) { pin(A) { direction : input; } pin(B) { direction : input; } pin(Y) { direction : output; function : "(A^B)"; } }`);
const net: YosysJson = {
  modules: {
    top: {
      ports: { a: { direction: 'input', bits: [2] }, b: { direction: 'input', bits: [3] }, z: { direction: 'output', bits: [5] } },
      // listed out of order: the simulator must evaluate the NAND first
      cells: { _1_: { type: 'XOR2', connections: { A: [4], B: [2], Y: [5] } }, _0_: { type: 'NAND2', connections: { A: [2], B: [3], Y: [4] } } },
    },
  },
};

describe('zero-delay netlist simulation', () => {
  it('counts toggles and duty per cell output exactly', () => {
    // (a, b) = (0,0) (1,1) (0,1) (1,1): y = 1 0 1 0, z = y ^ a = 1 1 1 1
    const seq = [[0n, 0n], [1n, 1n], [0n, 1n], [1n, 1n]];
    const r = simulateActivity(net, lib, 4, (s) => ({ a: seq[s][0], b: seq[s][1] }));
    const pin = Object.fromEntries(r.pins.map((p) => [p.pin, p]));
    expect(pin['_0_/Y']).toEqual({ pin: '_0_/Y', activity: 1, duty: 0.5 });
    expect(pin['_1_/Y']).toEqual({ pin: '_1_/Y', activity: 0, duty: 1 });
    expect(r.ports.find((p) => p.pin === 'a')).toEqual({ pin: 'a', activity: 1, duty: 0.5 });
  });
  it('feeds an output back as an accumulator, cleared every dot product', () => {
    // z = a ^ b with b the previous z: a held at 1 gives z = !b, so b alternates from the cleared 0
    const xor: YosysJson = { modules: { top: { ports: net.modules.top.ports, cells: { _0_: { type: 'XOR2', connections: { A: [2], B: [3], Y: [5] } } } } } };
    const streams = { steps: 6, seed: 't', every: 3 } as Streams;
    const seen: bigint[] = [];
    const drive = driver(streams, { a: 'const', b: 'feedback' }, { a: 1, b: 1 }, 'z');
    const r = simulateActivity(xor, lib, 6, (s, prev) => {
      const w = drive(s, prev);
      seen.push(w.b);
      return { ...w, a: 1n };
    });
    expect(seen).toEqual([0n, 1n, 0n, 0n, 1n, 0n]);
    expect(r.pins.find((p) => p.pin === '_0_/Y')).toEqual({ pin: '_0_/Y', activity: 4 / 5, duty: 4 / 6 });
  });
  it('refuses a combinational loop and a cell the library lacks', () => {
    const loop: YosysJson = { modules: { top: { ports: {}, cells: { _0_: { type: 'XOR2', connections: { A: [2], B: [3], Y: [3] } } } } } };
    expect(() => simulateActivity(loop, lib, 1, () => ({}))).toThrow(/combinational loop/);
    const odd: YosysJson = { modules: { top: { ports: {}, cells: { _0_: { type: 'AOI9', connections: { Y: [3] } } } } } };
    expect(() => simulateActivity(odd, lib, 1, () => ({}))).toThrow(/cell AOI9 \(instance _0_\)/);
  });
  it('measures a stream\'s toggles per bit', () => {
    expect(toggleRate(Int32Array.from([0, 0xff, 0xff, 0]), 8)).toBeCloseTo(2 / 3, 12);
    expect(toggleRate(Int32Array.from([0b1010, 0b0101]), 4)).toBe(1);
  });
});
