// Functions shared by the blocks of sopsim's RTL twin: the LUT's bank arbitration, and the exact value
// arithmetic of the decode path (a weight is a sign, an integer significand and a power of two until it
// is rounded once into IEEE binary64, the format sopsim's value check accumulates in).
package twin_pkg;
  localparam int MAX_LANES = 64;

  // One arbitration cycle of the LUT: lanes are split in contiguous runs of ceil(lanes / copies) over the
  // table copies; in a copy, a lane's entry lives in bank (code % banks); a bank grants `ports` of its
  // pending requests, lowest lane first (no broadcast).
  function automatic logic [MAX_LANES-1:0] lut_grant(
    input logic [MAX_LANES-1:0] pending, input logic [7:0] code [MAX_LANES],
    input int lanes, input int copies, input int banks, input int ports);
    logic [MAX_LANES-1:0] grant;
    int per_copy;
    grant = '0;
    per_copy = (lanes + copies - 1) / copies;
    for (int l = 0; l < MAX_LANES; l++) begin
      int first;
      int ahead;
      first = (l / per_copy) * per_copy;
      ahead = 0;
      if (!pending[l]) continue;
      for (int j = first; j < l; j++)
        if (pending[j] && (int'(code[j]) % banks) == (int'(code[l]) % banks)) ahead++;
      grant[l] = ahead < ports;
    end
    return grant;
  endfunction

  // An exact value as the loader hands it over: [63] sign, [62:48] exponent (two's complement),
  // [47:0] integer significand; the value is (-1)^sign x significand x 2^exponent.
  typedef struct packed {
    logic        sign;
    logic [63:0] mant;
    int          exp;
  } exact_t;

  function automatic exact_t unpack_exact(input logic [63:0] w);
    exact_t x;
    x.sign = w[63];
    x.exp = int'($signed(w[62:48]));
    x.mant = {16'b0, w[47:0]};
    return x;
  endfunction

  // The exact product (significands must fit 64 bits: the loader checks the formats' widths).
  function automatic exact_t mul_exact(input exact_t a, input exact_t b);
    exact_t p;
    p.sign = a.sign ^ b.sign;
    p.mant = a.mant * b.mant;
    p.exp = a.exp + b.exp;
    return p;
  endfunction

  function automatic int msb64(input logic [63:0] m);
    int p;
    p = -1;
    for (int i = 0; i < 64; i++) if (m[i]) p = i;
    return p;
  endfunction

  // Round an exact value to binary64, to nearest with ties to even (normal range; a zero keeps its sign).
  function automatic logic [63:0] to_double(input exact_t x);
    int p;
    logic [63:0] keep;
    int e;
    p = msb64(x.mant);
    if (p < 0) return {x.sign, 63'b0};
    e = x.exp + p;
    if (p <= 52) keep = x.mant << (52 - p);
    else begin
      int sh;
      logic guard;
      logic sticky;
      sh = p - 52;
      guard = x.mant[sh-1];
      sticky = sh > 1 ? |(x.mant & ((64'd1 << (sh - 1)) - 64'd1)) : 1'b0;
      keep = x.mant >> sh;
      if (guard && (sticky || keep[0])) keep = keep + 64'd1;
      if (keep[53]) begin
        keep = keep >> 1;
        e = e + 1;
      end
    end
    return {x.sign, 11'(e + 1023), keep[51:0]};
  endfunction

  // binary64 a + b, rounded to nearest with ties to even (normal operands; no infinities or NaNs).
  function automatic logic [63:0] add_double(input logic [63:0] a, input logic [63:0] b);
    logic [63:0] hi, lo;
    logic [56:0] ma, mb, s;
    logic sticky;
    int ea, eb, d, e;
    logic sign;
    if (a[62:0] == 0 && b[62:0] == 0) return {a[63] & b[63], 63'b0};
    if (a[62:0] == 0) return b;
    if (b[62:0] == 0) return a;
    if (a[62:0] >= b[62:0]) begin hi = a; lo = b; end
    else begin hi = b; lo = a; end
    ea = int'(hi[62:52]);
    eb = int'(lo[62:52]);
    ma = {1'b0, 1'b1, hi[51:0], 3'b0};    // 53-bit significand, guard, round, sticky
    mb = {1'b0, 1'b1, lo[51:0], 3'b0};
    d = ea - eb;
    if (d > 55) begin
      mb = 57'd1;                          // only the sticky bit survives
    end else if (d > 0) begin
      sticky = |(mb & ((57'd1 << d) - 57'd1));
      mb = (mb >> d) | {56'b0, sticky};
    end
    sign = hi[63];
    e = ea;
    if (hi[63] == lo[63]) begin
      s = ma + mb;
      if (s[56]) begin
        s = (s >> 1) | {56'b0, s[0]};
        e = e + 1;
      end
    end else begin
      s = ma - mb;
      if (s == 0) return 64'b0;            // x - x is +0 when rounding to nearest
      while (!s[55]) begin
        s = s << 1;
        e = e - 1;
      end
    end
    // round the 53 bits above guard, round and sticky
    begin
      logic [53:0] m;
      m = {1'b0, s[55:3]};
      if (s[2] && (s[1] || s[0] || m[0])) m = m + 54'd1;
      if (m[53]) begin
        m = m >> 1;
        e = e + 1;
      end
      return {sign, 11'(e), m[51:0]};
    end
  endfunction
endpackage
