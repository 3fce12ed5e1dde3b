// The circuits the logic model is checked against: Verilog of each operator at the widths the bundled
// configs use, and the cells the logic model (sim/energy/logic.ts) counts for the same operator. The
// Verilog is synthesised onto a standard-cell library by scripts/synth/characterise.ts.

import { fpAdd, intAdd, intMult, intProduct, multiply, muxTree, parseOperand, plus, register, romTree, shifter, type Cells } from '../../sim/energy/logic.js';

/**
 * What drives an input port, step by step (scripts/synth/stimulus.ts): one unpacker lane's stream of a real
 * layer (`entry`: its HIF8 LUT entries; `code`: its 4-bit codes; `bf16_entry`: the BF16 LUT entries), the
 * activations it multiplies (`act_bf16`; `act_sig` and `act_shift`: the 8-bit significand and its 0-7
 * alignment to the block's largest exponent), uniform random bits (`random`), a constant (`const`: table
 * contents), or the circuit's own output one step earlier, cleared every 64 steps (`feedback`: an
 * accumulator over a dot product).
 */
export type PortDrive = 'entry' | 'entry_sa' | 'code' | 'bf16_entry' | 'act_bf16' | 'act_sig' | 'act_shift' | 'random' | 'const' | 'feedback';

export interface Circuit {
  name: string;
  /** What it is, in words. */
  what: string;
  verilog: string;
  /** Input port -> what drives it. */
  ports: Record<string, PortDrive>;
  /** Clocked circuits (a register) report sequential power; the others combinational power. */
  clocked?: boolean;
  model: Cells;
}

const mult = (a: number, b: number): Circuit => ({
  name: `mult_${a}x${b}`,
  what: `${a} x ${b} unsigned integer multiply`,
  verilog: `module top(input [${a - 1}:0] a, input [${b - 1}:0] b, output [${a + b - 1}:0] p);\n  assign p = a * b;\nendmodule\n`,
  ports: { a: a <= 4 ? 'code' : a <= 8 ? 'entry' : 'bf16_entry', b: b <= 8 ? 'act_sig' : 'act_bf16' },
  model: intMult(a, b),
});

const add = (n: number): Circuit => ({
  name: `add_${n}`,
  what: `${n}-bit integer add`,
  verilog: `module top(input [${n - 1}:0] a, input [${n - 1}:0] b, output [${n - 1}:0] s);\n  assign s = a + b;\nendmodule\n`,
  ports: { a: 'random', b: 'random' },
  model: intAdd(n),
});

const log2 = (n: number) => Math.ceil(Math.log2(n));

const mux = (n: number, w: number): Circuit => ({
  name: `mux_${n}x${w}`,
  what: `${n}-entry x ${w}-bit mux tree (a register-file read), random select`,
  verilog: `module top(input [${n * w - 1}:0] d, input [${log2(n) - 1}:0] s, output [${w - 1}:0] y);\n  assign y = d[s * ${w} +: ${w}];\nendmodule\n`,
  ports: { d: 'const', s: 'random' },
  model: muxTree(n, w),
});

/** A hard-wired 64-entry table of 8-bit constants (four codebooks of 16 levels), seeded. */
function rom(n: number, w: number): Circuit {
  let x = 12345;
  const next = () => (x = (x * 1103515245 + 12345) % 2 ** 31);
  const rows = Array.from({ length: n }, (_, i) => `      ${log2(n)}'d${i}: y = ${w}'d${next() % 2 ** w};`).join('\n');
  return {
    name: `rom_${n}x${w}`,
    what: `${n}-entry x ${w}-bit hard-wired table (four codebooks of 16 levels)`,
    verilog: `module top(input [${log2(n) - 1}:0] s, output reg [${w - 1}:0] y);\n  always @* begin\n    case (s)\n${rows}\n      default: y = 0;\n    endcase\n  end\nendmodule\n`,
    ports: { s: 'code' },
    model: romTree(n, w),
  };
}

/** The HIF MAC path: an int8 LUT entry times the activation significand aligned to its block, added into a fixed-point partial sum. */
const hifMac: Circuit = {
  name: 'mac_hif8',
  what: 'HIF path: int8 entry x 8-bit activation significand (aligned by a 0-7 shift), 21-bit fixed-point accumulate',
  verilog: `module top(input signed [7:0] w, input [7:0] a, input [2:0] sh, input signed [20:0] c, output signed [20:0] y);
  wire [7:0] al = a >> sh;
  wire signed [8:0] av = {1'b0, al};
  assign y = c + w * av;
endmodule
`,
  ports: { w: 'entry', a: 'act_sig', sh: 'act_shift', c: 'feedback' },
  model: plus(shifter(8, 8), intMult(8, 8), intAdd(21)),
};

/** The shift-add HIF7 path: a 5-bit mantissa times the aligned activation significand, shifted by 0-3, accumulated. */
const hif7saMac: Circuit = {
  name: 'mac_hif7sa',
  what: 'shift-add HIF7 path: 5-bit mantissa x 8-bit activation significand (aligned by a 0-7 shift), product shifted by 0-3, 21-bit fixed-point accumulate',
  verilog: `module top(input [6:0] w, input [7:0] a, input [2:0] sh, input signed [20:0] c, output signed [20:0] y);
  wire [7:0] al = a >> sh;
  wire signed [4:0] m = w[4:0];
  wire signed [13:0] p = m * $signed({1'b0, al});
  wire signed [16:0] ps = $signed(p) <<< w[6:5];
  assign y = c + ps;
endmodule
`,
  ports: { w: 'entry_sa', a: 'act_sig', sh: 'act_shift', c: 'feedback' },
  model: plus(shifter(8, 8), intProduct({ kind: 'int', bits: 5, shift: 3, name: 'hif7sa' }, 8), intAdd(21)),
};

/**
 * The BF16 MAC path: a BF16 entry times a BF16 activation (exact 16-bit significand product), added into
 * an FP32 accumulator with alignment, sticky bit, leading-zero normalisation and round to nearest even.
 * Zeros are flushed; infinities, NaN and overflow are not handled (a cost characterisation, not an IEEE unit).
 */
const bf16Mac: Circuit = {
  name: 'mac_bf16',
  what: 'BF16 path: bf16 x bf16 multiply (exact product), fp32 add with round to nearest even',
  verilog: `module top(input [15:0] w, input [15:0] a, input [31:0] c, output [31:0] y);
  wire ps = w[15] ^ a[15];
  wire pz = ~|w[14:7] | ~|a[14:7];
  wire [15:0] pm = {1'b1, w[6:0]} * {1'b1, a[6:0]};
  wire [9:0] pe = {2'b0, w[14:7]} + {2'b0, a[14:7]} - 10'd127 + {9'd0, pm[15]};
  wire [23:0] psig = pz ? 24'd0 : (pm[15] ? {pm, 8'd0} : {pm[14:0], 9'd0});
  wire [7:0] pexp = pz ? 8'd0 : pe[7:0];
  wire cs = c[31];
  wire [7:0] ce = c[30:23];
  wire [23:0] csig = (ce == 8'd0) ? 24'd0 : {1'b1, c[22:0]};
  wire pbig = (pexp > ce) || ((pexp == ce) && (psig >= csig));
  wire [7:0] eb = pbig ? pexp : ce;
  wire [7:0] d = pbig ? pexp - ce : ce - pexp;
  wire [23:0] sb = pbig ? psig : csig;
  wire [23:0] ss = pbig ? csig : psig;
  wire sbs = pbig ? ps : cs;
  wire sub = ps ^ cs;
  wire [26:0] ssx = {ss, 3'b0};
  wire far = d > 8'd26;
  wire [26:0] sh = far ? 27'd0 : (ssx >> d);
  wire sticky = far ? |ss : |(ssx & ((27'd1 << d) - 27'd1));
  wire [26:0] al = {sh[26:1], sh[0] | sticky};
  wire [27:0] sum = sub ? ({1'b0, sb, 3'b0} - {1'b0, al}) : ({1'b0, sb, 3'b0} + {1'b0, al});
  reg [4:0] lz;
  integer i;
  always @* begin
    lz = 5'd27;
    for (i = 0; i < 28; i = i + 1) if (sum[i]) lz = 5'd27 - i[4:0];
  end
  wire [27:0] n = sum << lz;
  wire [8:0] en = {1'b0, eb} + 9'd1 - {4'd0, lz};
  wire up = n[3] & ((|n[2:0]) | n[4]);
  wire [24:0] r = {1'b0, n[27:4]} + {24'd0, up};
  wire [7:0] ef = r[24] ? en[7:0] + 8'd1 : en[7:0];
  wire [22:0] mf = r[24] ? r[23:1] : r[22:0];
  assign y = (sum == 28'd0) ? 32'd0 : {sbs, ef, mf};
endmodule
`,
  ports: { w: 'bf16_entry', a: 'act_bf16', c: 'feedback' },
  model: plus(multiply(parseOperand('bf16'), parseOperand('bf16')), fpAdd(parseOperand('fp32'))),
};

/** A 32-bit register: its sequential power with data at rest (the clock alone) and with data toggling. */
const reg = (activity: 'const' | 'random'): Circuit => ({
  name: `reg_32_${activity === 'const' ? 'idle' : 'active'}`,
  what: `32 flip-flops, data ${activity === 'const' ? 'at rest (clock only)' : 'toggling at random'}`,
  verilog: `module top(input clk, input [31:0] d, output reg [31:0] q);\n  always @(posedge clk) q <= d;\nendmodule\n`,
  ports: { d: activity },
  clocked: true,
  model: register(32),
});

/** Mux trees of 4 to 128 entries: their energy per um2 against depth gives the technology's `tree_level`. */
export const MUX_SERIES = [4, 8, 16, 32, 64, 128];

/**
 * `tree_level` from the mux series: least squares of energy per um2 on depth L, D = a + b L, normalised to a
 * one-level tree: a cell of a depth-L tree switches 1 + (L - 1) b / (a + b) times a plain mux's energy.
 */
export function fitTreeLevel(rows: Array<{ name: string; area_um2: number; energy_pj: number }>): { value: number; a: number; b: number } {
  const pts = MUX_SERIES.map((n) => {
    const r = rows.find((x) => x.name === `mux_${n}x8`);
    if (!r) throw new Error(`fitTreeLevel: no row mux_${n}x8`);
    return { x: Math.log2(n), y: r.energy_pj / r.area_um2 };
  });
  const mx = pts.reduce((s, p) => s + p.x, 0) / pts.length;
  const my = pts.reduce((s, p) => s + p.y, 0) / pts.length;
  const b = pts.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0) / pts.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  const a = my - b * mx;
  return { value: b / (a + b), a, b };
}

/** Every circuit characterised, in table order. */
export function circuits(): Circuit[] {
  return [mult(4, 8), mult(8, 8), mult(16, 16), add(8), add(32), ...MUX_SERIES.map((n) => mux(n, 8)), rom(64, 8), hifMac, hif7saMac, bf16Mac, reg('const'), reg('random')];
}

/** The ratios the logic model must hold within 25 % of synthesis: [numerator, denominator]. */
export const CHECKED_RATIOS: Array<[string, string]> = [
  ['mult_4x8', 'mult_8x8'],
  ['mult_16x16', 'mult_8x8'],
  ['mux_64x8', 'mux_16x8'],
  ['mac_bf16', 'mac_hif8'],
  ['mac_hif7sa', 'mac_hif8'],
  ['add_32', 'add_8'],
];
