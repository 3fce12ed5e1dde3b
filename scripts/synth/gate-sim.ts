// Zero-delay simulation of a synthesised netlist, to measure the switching activity of every net on real
// input streams (what a SAIF file from a gate-level simulation would give OpenSTA). The netlist is yosys's
// JSON of a design mapped onto a liberty library; each cell's Boolean function is read from the liberty
// file's `function` attributes. Only combinational cells are simulated.

/** A compiled Boolean function of a cell's input pins. */
type Fn = (pin: (name: string) => number) => number;

export interface LibCell {
  inputs: string[];
  /** Output pin -> its function. */
  outputs: Record<string, Fn>;
}

/** Liberty `function` grammar: `!` not, `'` postfix not, `^` xor, `+` or `|` or, `*` `&` or juxtaposition and. */
export function compileFunction(src: string): Fn {
  const toks = src.match(/[A-Za-z_][A-Za-z0-9_]*|[()!'^+|*&]|\b[01]\b/g) ?? [];
  let i = 0;
  const peek = () => toks[i];
  const or = (): Fn => {
    let l = xor();
    while (peek() === '+' || peek() === '|') {
      i++;
      const a = l, b = xor();
      l = (p) => a(p) | b(p);
    }
    return l;
  };
  const xor = (): Fn => {
    let l = and();
    while (peek() === '^') {
      i++;
      const a = l, b = and();
      l = (p) => a(p) ^ b(p);
    }
    return l;
  };
  const and = (): Fn => {
    let l = unary();
    while (peek() !== undefined && peek() !== ')' && peek() !== '+' && peek() !== '|' && peek() !== '^') {
      if (peek() === '*' || peek() === '&') i++;
      const a = l, b = unary();
      l = (p) => a(p) & b(p);
    }
    return l;
  };
  const unary = (): Fn => {
    let f: Fn;
    const t = toks[i++];
    if (t === '!') {
      const a = unary();
      f = (p) => a(p) ^ 1;
    } else if (t === '(') {
      f = or();
      if (toks[i++] !== ')') throw new Error(`liberty function '${src}': expected ')'`);
    } else if (t === '0' || t === '1') {
      const v = Number(t);
      f = () => v;
    } else if (t && /^[A-Za-z_]/.test(t)) {
      f = (p) => p(t);
    } else throw new Error(`liberty function '${src}': unexpected '${t ?? 'end'}'`);
    while (peek() === "'") {
      i++;
      const a = f;
      f = (p) => a(p) ^ 1;
    }
    return f;
  };
  const fn = or();
  if (i !== toks.length) throw new Error(`liberty function '${src}': unexpected '${toks[i]}'`);
  return fn;
}

/** The combinational cells of a liberty file with their pin functions (sequential cells are left out). */
export function parseLiberty(text: string): Map<string, LibCell> {
  const out = new Map<string, LibCell>();
  const cellRe = /\bcell\s*\(\s*"?([\w]+)"?\s*\)\s*\{/g;
  const starts: Array<{ name: string; at: number }> = [];
  for (let m; (m = cellRe.exec(text)); ) starts.push({ name: m[1], at: m.index });
  starts.forEach((c, k) => {
    const body = text.slice(c.at, k + 1 < starts.length ? starts[k + 1].at : text.length);
    if (/\b(ff|latch|statetable)\s*\(/.test(body)) return;
    const cell: LibCell = { inputs: [], outputs: {} };
    const pinRe = /\bpin\s*\(\s*"?(\w+)"?\s*\)\s*\{/g;
    const pins: Array<{ name: string; at: number }> = [];
    for (let m; (m = pinRe.exec(body)); ) pins.push({ name: m[1], at: m.index });
    pins.forEach((p, j) => {
      const pb = body.slice(p.at, j + 1 < pins.length ? pins[j + 1].at : body.length);
      const dir = /direction\s*:\s*(\w+)/.exec(pb)?.[1];
      const fn = /function\s*:\s*"([^"]*)"/.exec(pb)?.[1];
      if (dir === 'input') cell.inputs.push(p.name);
      else if (dir === 'output' && fn !== undefined) cell.outputs[p.name] = compileFunction(fn);
    });
    if (Object.keys(cell.outputs).length) out.set(c.name, cell);
  });
  return out;
}

/** yosys's own gates that survive mapping (insbuf's buffers are written as plain assignments). */
const YOSYS_GATES: Record<string, LibCell> = {
  $_BUF_: { inputs: ['A'], outputs: { Y: (p) => p('A') } },
  $_NOT_: { inputs: ['A'], outputs: { Y: (p) => p('A') ^ 1 } },
};

/** The parts of yosys's `write_json` this simulator reads. */
export interface YosysJson {
  modules: Record<string, { ports: Record<string, { direction: string; bits: Array<number | string> }>; cells: Record<string, { type: string; connections: Record<string, Array<number | string>> }> }>;
}

/** A port name as split by `splitnets -ports` ("a[3]"): the word it belongs to and its bit (0 for a 1-bit port). */
export function splitPort(name: string): { word: string; bit: number } {
  const m = /^(.*?)(?:\[(\d+)\])?$/.exec(name)!;
  return { word: m[1], bit: m[2] === undefined ? 0 : Number(m[2]) };
}

/** The width of every port word of the top module. */
export function portWidths(json: YosysJson): Record<string, number> {
  const mod = json.modules.top ?? Object.values(json.modules)[0];
  const widths: Record<string, number> = {};
  for (const [name, p] of Object.entries(mod.ports)) {
    const { word, bit } = splitPort(name);
    widths[word] = Math.max(widths[word] ?? 0, bit + p.bits.length);
  }
  return widths;
}

/** Per output pin of every cell instance ("inst/PIN") and per input port bit ("port[i]"): toggles and ones per step. */
export interface NetActivity {
  pin: string;
  /** Toggles per step. */
  activity: number;
  /** Fraction of steps at 1. */
  duty: number;
}

/**
 * Input ports are driven one word per step (`drive(step, outputs of the previous step)` gives each port's value
 * as a bigint, bit i of the port being bit i of the value), the netlist settles, and every net's toggles are
 * counted. A port fed back from an output (an accumulator) reads the previous step's output word.
 */
export function simulateActivity(json: YosysJson, lib: Map<string, LibCell>, steps: number, drive: (step: number, prev: Record<string, bigint>) => Record<string, bigint>): { pins: NetActivity[]; ports: NetActivity[] } {
  const mod = json.modules.top ?? Object.values(json.modules)[0];
  let maxNet = 1;
  const netOf = (b: number | string) => (b === '0' ? 0 : b === '1' ? 1 : (b as number));
  // ports are split per bit ("a[3]"): group them back into words
  const inPorts = new Map<string, Array<{ bit: number; net: number }>>();
  const outPorts = new Map<string, Array<{ bit: number; net: number }>>();
  const portBits: Array<{ name: string; net: number }> = [];
  for (const [name, p] of Object.entries(mod.ports)) {
    const { word, bit: base } = splitPort(name);
    const map = p.direction === 'input' ? inPorts : outPorts;
    if (!map.has(word)) map.set(word, []);
    p.bits.forEach((b, k) => {
      const net = netOf(b);
      maxNet = Math.max(maxNet, net);
      map.get(word)!.push({ bit: base + k, net });
      if (p.direction === 'input') portBits.push({ name: name === word && p.bits.length > 1 ? `${word}[${k}]` : name, net });
    });
  }
  interface Inst { name: string; fns: Array<{ pin: string; net: number; fn: Fn }>; ins: Record<string, number> }
  const insts: Inst[] = [];
  const driver = new Map<number, number>();
  for (const [name, c] of Object.entries(mod.cells)) {
    const lc = lib.get(c.type) ?? YOSYS_GATES[c.type];
    if (!lc) throw new Error(`gate simulation: cell ${c.type} (instance ${name}) has no combinational function in the liberty file`);
    const ins: Record<string, number> = {};
    for (const p of lc.inputs) ins[p] = netOf(c.connections[p]?.[0] ?? '0');
    const fns = Object.entries(lc.outputs).filter(([p]) => c.connections[p]).map(([p, fn]) => ({ pin: p, net: netOf(c.connections[p][0]), fn }));
    for (const f of fns) {
      driver.set(f.net, insts.length);
      maxNet = Math.max(maxNet, f.net);
    }
    for (const n of Object.values(ins)) maxNet = Math.max(maxNet, n);
    insts.push({ name, fns, ins });
  }
  // topological order: an instance after every instance driving its inputs
  const order: number[] = [];
  const state = new Uint8Array(insts.length);
  const visit = (k: number) => {
    const stack: Array<[number, number]> = [[k, 0]];
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [i, j] = top;
      if (j === 0) {
        if (state[i] === 2) { stack.pop(); continue; }
        state[i] = 1;
      }
      const ins = Object.values(insts[i].ins);
      if (j < ins.length) {
        top[1]++;
        const d = driver.get(ins[j]);
        if (d !== undefined && state[d] === 0) stack.push([d, 0]);
        else if (d !== undefined && state[d] === 1) throw new Error(`gate simulation: combinational loop through ${insts[d].name}`);
        continue;
      }
      state[i] = 2;
      order.push(i);
      stack.pop();
    }
  };
  for (let k = 0; k < insts.length; k++) if (state[k] === 0) visit(k);

  const val = new Uint8Array(maxNet + 1);
  val[1] = 1;
  const toggles = new Float64Array(maxNet + 1);
  const ones = new Float64Array(maxNet + 1);
  let prev: Record<string, bigint> = {};
  for (let s = 0; s < steps; s++) {
    const words = drive(s, prev);
    const before = s > 0 ? val.slice() : null;
    for (const [word, bits] of inPorts) {
      const v = words[word] ?? 0n;
      for (const { bit, net } of bits) if (net > 1) val[net] = Number((v >> BigInt(bit)) & 1n);
    }
    for (const k of order) {
      const inst = insts[k];
      const pin = (p: string) => val[inst.ins[p]];
      for (const f of inst.fns) val[f.net] = f.fn(pin);
    }
    for (let n = 2; n <= maxNet; n++) {
      if (before && before[n] !== val[n]) toggles[n]++;
      ones[n] += val[n];
    }
    prev = {};
    for (const [word, bits] of outPorts) {
      let v = 0n;
      for (const { bit, net } of bits) if (val[net]) v |= 1n << BigInt(bit);
      prev[word] = v;
    }
  }
  const act = (net: number) => ({ activity: steps > 1 ? toggles[net] / (steps - 1) : 0, duty: steps ? ones[net] / steps : 0 });
  const pins: NetActivity[] = [];
  for (const inst of insts) for (const f of inst.fns) pins.push({ pin: `${inst.name}/${f.pin}`, ...act(f.net) });
  const ports = portBits.filter((p) => p.net > 1).map((p) => ({ pin: p.name, ...act(p.net) }));
  return { pins, ports };
}
