// sopsim's RTL twin of a decode datapath (the SOP LUT datapath and the FP8 baseline alike), cycle by
// cycle: a DRAM channel (in-order requests, whole bursts, a rate, a latency) fills the weight buffer's
// slots tile by tile; the unpacker issues lane groups; each block of the lane stage works on a group at
// its own rate (LUT banks arbitrated on the real codes, MACs, scale multiplies, activation words) and the
// group ends when all are done; the sparse-add lanes work through a tile's corrections beside it; the
// LUT holds tables by LRU residency, loads missing ones from DRAM ahead of a layer's tiles and prefetches
// the next layer's. Decoded weights and the first token's outputs are computed exactly and rounded into
// binary64 once per operation, in sopsim's order.
//
// Everything a hw-config or a layer sets is a runtime register written through the loader port before
// `start` (cfg: hw-config fields, lay: layer descriptors, and the layer memories), so one build serves
// every configuration. Timing is the twin's own: it steps cycles and never computes a cycle count from a
// formula of sopsim's. Interfaces between blocks are same-cycle handoffs, so the blocks are sections of
// one clocked process rather than separate modules.
module sop_datapath import twin_pkg::*; #(
  parameter int W_BITS = 21,     // weight memory: 2^W_BITS codes over all layers
  parameter int B_BITS = 17,     // blocks
  parameter int T_BITS = 13,     // table entries
  parameter int R_BITS = 14,     // sparse corrections
  parameter int O_BITS = 15,     // output rows and activations
  parameter int MAX_SLOTS = 16,
  parameter int MAX_LAYERS = 32,
  parameter int MAX_TABLES = 16, // tables resident in the LUT at once
  parameter int QUEUE = 256      // DRAM requests waiting and in flight
) (
  input  logic        clk,
  input  logic        rst,       // synchronous reset: back to idle, ready to load
  input  logic        wr,        // loader: write wr_data at (wr_sel, wr_addr)
  input  logic [3:0]  wr_sel,
  input  logic [31:0] wr_addr,
  input  logic [63:0] wr_data,
  input  logic        start,
  output logic        done,
  output logic [1:0]  fault,     // why the twin stopped: 1 a full DRAM queue, 2 a table that does not fit, 3 no table slot
  input  logic [3:0]  rd_sel,    // readback: 0 counters, 1 decoded weights, 2 outputs (binary64)
  input  logic [31:0] rd_addr,
  output logic [63:0] rd_data
);
  // ---- loader address map -------------------------------------------------------------------------
  localparam int SEL_CFG = 0, SEL_LAYER = 1, SEL_CODE = 2, SEL_BOOK = 3, SEL_SCALE = 4, SEL_TABLE = 5,
                 SEL_RES_INDEX = 6, SEL_RES_VALUE = 7, SEL_ACT = 8;
  // hw-config registers
  localparam int C_LANES = 0, C_SLOTS = 1, C_MACS = 2, C_SCALE_UNITS = 3, C_SCALE_PLACE = 4, C_ACT_WORD = 5,
                 C_ACT_BITS = 6, C_ACT_BANKS = 7, C_SPARSE_LANES = 8, C_LUT_BANKS = 9, C_LUT_PORTS = 10,
                 C_LUT_REPLICAS = 11, C_LUT_CAPACITY = 12, C_LUT_ENTRY_BITS = 13, C_LUT_EXP_BYTE = 14,
                 C_PREFETCH = 15, C_RATE_NUM = 16, C_RATE_DEN = 17, C_LATENCY = 18, C_BURST = 19, C_DEPTH = 20,
                 C_BUF_WORD_BYTES = 21, C_LAYERS = 22, C_ROUTE_KIND = 23, C_SEL_MUX = 24, C_RES_BITS = 25,
                 C_STALL_RANK = 26;
  // route kinds (4 bits per route in C_ROUTE_KIND)
  localparam int RK_TABLED = 1, RK_LUT = 2, RK_ROM = 4, RK_FP8 = 8;
  // layer descriptor fields (32 per layer)
  localparam int F_N = 0, F_ROWS = 1, F_COLS = 2, F_BLOCK = 3, F_BPR = 4, F_TILE_W = 5, F_TILES = 6,
                 F_ELEM_BITS = 7, F_FIELD_BITS = 8, F_TS_BITS = 9, F_TOKENS = 10, F_W_BASE = 11, F_B_BASE = 12,
                 F_T_BASE0 = 13, F_T_BASE1 = 14, F_R_BASE = 15, F_R_COUNT = 16, F_N_TABLES = 17, F_T0_ID = 18,
                 F_T0_ENTRIES = 19, F_T1_ID = 20, F_T1_ENTRIES = 21, F_SCALED = 22, F_TWO_BOOKS = 23,
                 F_TENSOR_SCALE = 24, F_O_BASE = 25, F_X_BASE = 26, F_ROUTE0 = 27, F_ROUTE1 = 28;
  // counters (the order scripts/rtl/datapath-twin.ts names them in)
  localparam int K_DRAM_BYTES = 0, K_PADDING = 1, K_REQUESTS = 2, K_DRAM_BUSY = 3, K_TABLE_BYTES = 4,
                 K_WB_READS = 5, K_WB_WRITES = 6, K_WB_BITS_R = 7, K_WB_BITS_W = 8, K_UNP_WEIGHTS = 9,
                 K_UNP_GROUPS = 10, K_SEL_BLOCKS = 11, K_SEL_TO_LUT = 12, K_SEL_TO_ROM = 13, K_SEL_SELECTS = 14,
                 K_ROM_LOOKUPS = 15, K_LUT_READS = 16, K_LUT_WRITES = 17, K_LUT_RELOADS = 18, K_LUT_HITS = 19,
                 K_LUT_PREFETCHES = 20, K_LUT_EVICTIONS = 21, K_HIF_CONV = 22, K_SCALE_MULS = 23,
                 K_SPARSE_RES = 24, K_SPARSE_ADDS = 25, K_ACT_READS = 26, K_ACT_WRITES = 27, K_MACS = 28,
                 K_TABLE_MACS = 29, K_DIRECT_MACS = 30, K_OUT_SCALES = 31, K_ACC_UPDATES = 32, K_ACC_DRAINS = 33,
                 K_FP8_DECODES = 34, K_CYCLES = 35, K_BUSY = 36, K_LAYERS = 37, K_ST_DRAM = 38, K_ST_LUT_PORT = 39,
                 K_ST_MAC = 40, K_ST_SCALE = 41, K_ST_SPARSE = 42, K_ST_LUT_RELOAD = 43, K_ST_FILL = 44,
                 K_ST_ACTIVATION = 45, N_COUNTERS = 46;
  // lane-stage units, for the stall order (C_STALL_RANK: 4 bits of rank per unit)
  localparam int U_MAC = 0, U_LUT = 1, U_SCALE = 2, U_ACT = 3;
  localparam int TAG_HEADER = 255, TAG_TABLE = 128;  // DRAM tags: a slot, TAG_TABLE + a resident table, or a header

  // ---- storage --------------------------------------------------------------------------------------
  longint      cfg [32];
  longint      lay [MAX_LAYERS*32];
  logic [7:0]  codes [1<<W_BITS];
  logic        book [1<<B_BITS];          // the block's selection bit
  logic [63:0] bscale [1<<B_BITS];        // the block scale (exact)
  logic [63:0] table_v [1<<T_BITS];       // table entries (exact)
  int          res_index [1<<R_BITS];     // sparse corrections: flat index within the layer, value (exact)
  logic [63:0] res_value [1<<R_BITS];
  logic [63:0] act [1<<O_BITS];           // the first token's activations (exact)
  logic [63:0] captured [1<<W_BITS];      // decoded weights (binary64)
  logic [63:0] outputs [1<<O_BITS];       // outputs of the first token (binary64)
  longint      count [N_COUNTERS];

  // ---- state ----------------------------------------------------------------------------------------
  typedef enum logic [3:0] {S_IDLE, S_BEGIN, S_WAIT, S_GROUP_NEW, S_GROUP, S_SPARSE, S_TILE_END, S_DRAIN, S_DONE} state_t;
  state_t st;
  longint now;
  int     cur;                // current layer
  int     tile;               // current tile of the layer
  int     grp;                // current group of the tile
  longint base;               // global stream index of the layer's tile 0 (slot = stream index mod slots)
  int     requested, finished, carry;  // tiles of this layer requested / finished; of the next requested
  int     res_fetch [MAX_LAYERS];      // per layer: corrections counted into requested tiles
  int     res_used;                    // corrections of the current layer applied so far
  int     drain_left;
  logic   arrived [MAX_SLOTS];
  // DRAM channel: queue of requests, the transfer in progress, transfers in their latency
  longint q_bytes [QUEUE];
  int     q_tag [QUEUE];
  int     q_head, q_tail;
  longint xfer_left;
  int     xfer_tag;
  longint d_due [QUEUE];
  int     d_tag [QUEUE];
  int     d_head, d_tail;
  // LUT residency
  logic   t_valid [MAX_TABLES];
  longint t_id [MAX_TABLES];
  longint t_bytes [MAX_TABLES];        // footprint: table bytes x copies
  longint t_entries [MAX_TABLES];
  longint t_stamp [MAX_TABLES];        // LRU order
  logic   t_arrived [MAX_TABLES];
  longint t_writes_left [MAX_TABLES];  // cycles of bank writes after the table arrives
  longint lru_clock;
  // the lane group in flight
  logic [MAX_LANES-1:0] lut_pending;
  logic [7:0]  lut_code [MAX_LANES];
  longint mac_left, scale_left, act_left, sparse_left;
  longint group_cycles;
  int     copies;                      // table copies serving the lanes in this layer

  // ---- small helpers --------------------------------------------------------------------------------
  function automatic longint L(input int f);
    return lay[cur*32 + f];
  endfunction
  function automatic longint LN(input int l, input int f);
    return lay[l*32 + f];
  endfunction
  function automatic longint cdiv(input longint a, input longint b);
    return (a + b - 1) / b;
  endfunction
  function automatic int route_kind(input int r);
    return int'((cfg[C_ROUTE_KIND] >> (4 * r)) & 15);
  endfunction
  function automatic int rank(input int u);
    return int'((cfg[C_STALL_RANK] >> (4 * u)) & 15);
  endfunction

  // LUT table geometry: bytes of one copy, copies held
  function automatic longint table_bytes(input longint entries);
    return cdiv(entries * cfg[C_LUT_ENTRY_BITS], 8) + cfg[C_LUT_EXP_BYTE];
  endfunction
  function automatic longint table_copies(input longint entries);
    longint c;
    c = cfg[C_LUT_CAPACITY] / table_bytes(entries);
    return c < cfg[C_LUT_REPLICAS] ? c : cfg[C_LUT_REPLICAS];
  endfunction

  // ---- the DRAM channel: a request joins the queue (bytes rounded up to whole bursts) ---------------
  task automatic dram_request(input longint payload, input int tag, input logic is_table);
    longint bytes;
    bytes = cdiv(payload, cfg[C_BURST]) * cfg[C_BURST];
    count[K_DRAM_BYTES] += bytes;
    count[K_PADDING] += bytes - payload;
    count[K_REQUESTS] += 1;
    if (is_table) count[K_TABLE_BYTES] += bytes;
    if (q_tail - q_head >= QUEUE) fault <= 2'd1;
    q_bytes[q_tail % QUEUE] = bytes;
    q_tag[q_tail % QUEUE] = tag;
    q_tail++;
  endtask

  // one cycle of the channel: start the next transfer when free, move the current one on
  task automatic dram_cycle();
    if (xfer_left == 0 && q_head != q_tail) begin
      // a transfer of B bytes at NUM/DEN bytes a cycle holds the channel ceil(B x DEN / NUM) cycles
      xfer_left = cdiv(q_bytes[q_head % QUEUE] * cfg[C_RATE_DEN], cfg[C_RATE_NUM]);
      xfer_tag = q_tag[q_head % QUEUE];
      q_head++;
    end
    if (xfer_left > 0) begin
      count[K_DRAM_BUSY] += 1;
      xfer_left--;
      if (xfer_left == 0) begin
        d_due[d_tail % QUEUE] = now + 1 + cfg[C_LATENCY];
        d_tag[d_tail % QUEUE] = xfer_tag;
        d_tail++;
      end
    end
  endtask

  // data whose latency has passed arrives: a tile in its slot, or a table (then written into the banks)
  task automatic dram_arrivals();
    while (d_head != d_tail && d_due[d_head % QUEUE] == now) begin
      int tag;
      tag = d_tag[d_head % QUEUE];
      d_head++;
      if (tag < TAG_TABLE) arrived[tag] = 1'b1;
      else if (tag != TAG_HEADER) begin
        t_arrived[tag - TAG_TABLE] = 1'b1;
        t_writes_left[tag - TAG_TABLE] = cdiv(t_entries[tag - TAG_TABLE], cfg[C_LUT_BANKS]);  // banks write in parallel
      end
    end
  endtask

  // ---- the weight buffer's slots: tiles are requested into free slots in stream order ---------------
  // blocks starting in weights [0, w) of layer l (rows of `cols`, blocks of `block`)
  function automatic longint starts_before(input int l, input longint w);
    longint cols;
    cols = LN(l, F_COLS);
    return (w / cols) * LN(l, F_BPR) + cdiv(w % cols, LN(l, F_BLOCK));
  endfunction

  task automatic request_tile(input int l, input int k, input int slot);
    longint w0;
    longint w1;
    longint res, bits, bytes, words;
    longint rbase, rcount;
    w0 = longint'(k) * LN(l, F_TILE_W);
    w1 = w0 + LN(l, F_TILE_W) > LN(l, F_N) ? LN(l, F_N) : w0 + LN(l, F_TILE_W);
    res = 0;
    rbase = LN(l, F_R_BASE);
    rcount = LN(l, F_R_COUNT);
    while (res_fetch[l] < rcount && longint'(res_index[rbase + res_fetch[l]]) < w1) begin
      res_fetch[l]++;
      res++;
    end
    bits = (w1 - w0) * LN(l, F_ELEM_BITS) + (starts_before(l, w1) - starts_before(l, w0)) * LN(l, F_FIELD_BITS) + res * cfg[C_RES_BITS];
    bytes = cdiv(bits, 8);
    words = cdiv(bytes, cfg[C_BUF_WORD_BYTES]);
    count[K_WB_WRITES] += words;
    count[K_WB_READS] += words;
    count[K_WB_BITS_W] += words * cfg[C_BUF_WORD_BYTES] * 8;
    count[K_WB_BITS_R] += words * cfg[C_BUF_WORD_BYTES] * 8;
    arrived[slot] = 1'b0;
    dram_request(bytes, slot, 1'b0);
  endtask

  // give every free slot the next tile: this layer's, then (into_next) the next layer's
  task automatic fill(input logic into_next);
    int free_slots;
    longint tiles, next_tiles;
    free_slots = int'(cfg[C_SLOTS]) - (requested - finished) - carry;
    tiles = L(F_TILES);
    while (free_slots > 0 && requested < tiles) begin
      request_tile(cur, requested, int'((base + longint'(requested)) % cfg[C_SLOTS]));
      requested++;
      free_slots--;
    end
    next_tiles = into_next && cur + 1 < cfg[C_LAYERS] ? LN(cur + 1, F_TILES) : 0;
    while (free_slots > 0 && carry < next_tiles) begin
      request_tile(cur + 1, carry, int'((base + tiles + longint'(carry)) % cfg[C_SLOTS]));
      carry++;
      free_slots--;
    end
  endtask

  // ---- the LUT's residency --------------------------------------------------------------------------
  function automatic int find_table(input longint id);
    int at;
    at = -1;
    for (int i = MAX_TABLES - 1; i >= 0; i--) if (t_valid[i] && t_id[i] == id) at = i;
    return at;
  endfunction

  function automatic logic protected_id(input int l, input longint id);
    return (LN(l, F_N_TABLES) > 0 && LN(l, F_T0_ID) == id) || (LN(l, F_N_TABLES) > 1 && LN(l, F_T1_ID) == id);
  endfunction

  // free `bytes` by evicting the least recently used tables layer `keep` does not need; dry: only ask.
  // A task, not a function: it has side effects (Verilator may treat a function in an expression as pure)
  task automatic make_room(input longint bytes, input int keep, input logic dry, output logic ok);
    longint free_b;
    logic seen [MAX_TABLES];
    logic victim [MAX_TABLES];
    free_b = cfg[C_LUT_CAPACITY];
    for (int i = 0; i < MAX_TABLES; i++) begin
      seen[i] = 1'b0;
      victim[i] = 1'b0;
      if (t_valid[i]) free_b -= t_bytes[i];
    end
    // visit the tables oldest first until enough is free (no break: a flag keeps the loop simple)
    for (int it = 0; it < MAX_TABLES; it++) begin
      int oldest;
      oldest = -1;
      if (free_b < bytes) begin
        for (int i = 0; i < MAX_TABLES; i++)
          if (t_valid[i] && !seen[i] && (oldest < 0 || t_stamp[i] < t_stamp[oldest])) oldest = i;
        if (oldest >= 0) begin
          seen[oldest] = 1'b1;
          if (!protected_id(keep, t_id[oldest])) begin
            victim[oldest] = 1'b1;
            free_b += t_bytes[oldest];
          end
        end
      end
    end
    ok = free_b >= bytes;
    if (ok && !dry)
      for (int i = 0; i < MAX_TABLES; i++)
        if (victim[i]) begin
          t_valid[i] = 1'b0;
          count[K_LUT_EVICTIONS] += 1;
        end
  endtask

  task automatic load_table(input longint id, input longint entries, input int keep);
    longint tb;
    longint cp;
    int slot;
    logic ok;
    tb = table_bytes(entries);
    cp = table_copies(entries);
    slot = -1;
    ok = 1'b0;
    if (cp > 0) make_room(tb * cp, keep, 1'b0, ok);
    if (ok) for (int i = MAX_TABLES - 1; i >= 0; i--) if (!t_valid[i]) slot = i;
    if (!ok) fault <= 2'd2;
    else if (slot < 0) fault <= 2'd3;
    else begin
    dram_request(tb, TAG_TABLE + slot, 1'b1);
    count[K_LUT_WRITES] += entries * cp;
    count[K_LUT_RELOADS] += 1;
    t_valid[slot] = 1'b1;
    t_id[slot] = id;
    t_bytes[slot] = tb * cp;
    t_entries[slot] = entries;
    lru_clock++;
    t_stamp[slot] = lru_clock;
    t_arrived[slot] = 1'b0;
    t_writes_left[slot] = 0;
    end
  endtask

  // the tables layer l needs: hits move to most recently used, misses load from DRAM
  task automatic acquire(input int l);
    int n;
    n = int'(LN(l, F_N_TABLES));
    for (int j = 0; j < n; j++) begin
      longint id;
      longint entries;
      int i;
      id = j == 0 ? LN(l, F_T0_ID) : LN(l, F_T1_ID);
      entries = j == 0 ? LN(l, F_T0_ENTRIES) : LN(l, F_T1_ENTRIES);
      i = find_table(id);
      if (i >= 0) begin
        count[K_LUT_HITS] += 1;
        lru_clock++;
        t_stamp[i] = lru_clock;
      end else load_table(id, entries, l);
    end
  endtask

  // during layer l, bring in what layer l + 1 lacks, if it fits beside what layer l holds
  task automatic prefetch_next(input int l);
    longint need;
    logic ok;
    logic missing [2];
    int n;
    need = 0;
    n = 0;
    ok = 1'b0;
    if (cfg[C_PREFETCH] != 0 && l + 1 < cfg[C_LAYERS]) for (int j = 0; j < 2; j++) begin
      longint id;
      longint entries;
      id = j == 0 ? LN(l + 1, F_T0_ID) : LN(l + 1, F_T1_ID);
      entries = j == 0 ? LN(l + 1, F_T0_ENTRIES) : LN(l + 1, F_T1_ENTRIES);
      missing[j] = j < LN(l + 1, F_N_TABLES) && find_table(id) < 0;
      if (missing[j]) begin
        need += table_bytes(entries) * table_copies(entries);
        n++;
      end
    end
    if (n > 0) make_room(need, l, 1'b1, ok);
    if (ok) for (int j = 0; j < 2; j++)
      if (missing[j]) begin
        load_table(j == 0 ? LN(l + 1, F_T0_ID) : LN(l + 1, F_T1_ID), j == 0 ? LN(l + 1, F_T0_ENTRIES) : LN(l + 1, F_T1_ENTRIES), l);
        count[K_LUT_PREFETCHES] += 1;
      end
  endtask

  function automatic logic tables_ready(input int l);
    int n;
    logic ready;
    ready = 1'b1;
    n = int'(LN(l, F_N_TABLES));
    for (int j = 0; j < n; j++) begin
      int i;
      i = find_table(j == 0 ? LN(l, F_T0_ID) : LN(l, F_T1_ID));
      if (i < 0 || !t_arrived[i] || t_writes_left[i] != 0) ready = 1'b0;
    end
    return ready;
  endfunction

  // ---- layer start ----------------------------------------------------------------------------------
  task automatic begin_layer();
    int n;
    count[K_LAYERS] += 1;
    requested = carry;  // tiles the previous layer already asked for
    carry = 0;
    finished = 0;
    res_used = 0;
    n = int'(L(F_N_TABLES));
    copies = int'(cfg[C_LUT_REPLICAS]);
    for (int j = 0; j < n; j++) begin
      longint c;
      c = table_copies(j == 0 ? L(F_T0_ENTRIES) : L(F_T1_ENTRIES));
      if (c < copies) copies = int'(c);
    end
    acquire(cur);
    if (L(F_TS_BITS) > 0) dram_request(cdiv(L(F_TS_BITS), 8), TAG_HEADER, 1'b0);
    fill(1'b0);
    prefetch_next(cur);
    fill(1'b1);
    tile = 0;
    st = S_WAIT;
  endtask

  // ---- a lane group: decode its weights, hand each unit its work ------------------------------------
  task automatic start_group();
    longint tokens;
    longint cols, blk;
    longint tile0;
    longint tile1;
    longint w0;
    longint w1;
    longint n;
    longint tabled, ending;
    exact_t ts;
    tokens = L(F_TOKENS);
    cols = L(F_COLS);
    blk = L(F_BLOCK);
    tile0 = longint'(tile) * L(F_TILE_W);
    tile1 = tile0 + L(F_TILE_W) > L(F_N) ? L(F_N) : tile0 + L(F_TILE_W);
    w0 = tile0 + longint'(grp) * cfg[C_LANES];
    w1 = w0 + cfg[C_LANES] > tile1 ? tile1 : w0 + cfg[C_LANES];
    n = w1 - w0;
    tabled = 0;
    ending = 0;
    ts = unpack_exact(L(F_TENSOR_SCALE));
    lut_pending = '0;
    for (longint i = w0; i < w1; i++) begin
      int lane;
      longint row, col;
      longint b;
      logic bk;
      int route;
      int kind;
      logic [7:0] code;
      exact_t v;
      logic [63:0] vd;
      lane = int'(i - w0);
      row = i / cols;
      col = i % cols;
      b = row * L(F_BPR) + col / blk;
      bk = L(F_TWO_BOOKS) != 0 ? book[L(F_B_BASE) + b] : 1'b0;
      route = int'(bk ? L(F_ROUTE1) : L(F_ROUTE0));
      kind = route_kind(route);
      code = codes[L(F_W_BASE) + i];
      // decode: the table entry (ROM, LUT or format table), times the block scale, times the layer scale
      v = unpack_exact(table_v[(bk ? L(F_T_BASE1) : L(F_T_BASE0)) + longint'(code)]);
      v = mul_exact(mul_exact(v, unpack_exact(bscale[L(F_B_BASE) + b])), ts);
      vd = to_double(v);
      captured[L(F_W_BASE) + i] = vd;
      if (row < L(F_ROWS)) begin
        exact_t x;
        x = unpack_exact(act[L(F_X_BASE) + col]);
        outputs[L(F_O_BASE) + row] = add_double(outputs[L(F_O_BASE) + row], to_double(mul_exact(v, x)));
      end
      // counts
      if ((kind & RK_TABLED) != 0) tabled++;
      if ((kind & RK_LUT) != 0) begin
        count[K_LUT_READS] += 1;
        lut_pending[lane] = 1'b1;
        lut_code[lane] = code;
      end
      if ((kind & RK_ROM) != 0) count[K_ROM_LOOKUPS] += 1;
      if ((kind & RK_FP8) != 0) count[K_FP8_DECODES] += 1;
      if ((col + 1) % blk == 0 || col + 1 == cols) ending++;
      if (col % blk == 0 && cfg[C_SEL_MUX] != 0 && L(F_TWO_BOOKS) != 0) begin
        count[K_SEL_BLOCKS] += 1;
        if ((kind & RK_LUT) != 0) count[K_SEL_TO_LUT] += 1;
        else count[K_SEL_TO_ROM] += 1;
      end
    end
    if (cfg[C_SEL_MUX] != 0 && L(F_TWO_BOOKS) != 0) count[K_SEL_SELECTS] += tabled;
    count[K_UNP_WEIGHTS] += n;
    count[K_UNP_GROUPS] += 1;
    count[K_BUSY] += 1;
    count[K_HIF_CONV] += tabled;
    count[K_MACS] += n * tokens;
    count[K_TABLE_MACS] += tabled * tokens;
    count[K_DIRECT_MACS] += (n - tabled) * tokens;
    count[K_ACC_UPDATES] += tokens;
    // each unit's work for the group
    mac_left = n * tokens;
    act_left = cdiv(n * tokens * cfg[C_ACT_BITS], cfg[C_ACT_WORD]);
    count[K_ACT_READS] += act_left;
    scale_left = 0;
    if (cfg[C_SCALE_PLACE] != 0 && L(F_SCALED) != 0) scale_left = cfg[C_SCALE_PLACE] == 1 ? ending * tokens : n;
    count[K_SCALE_MULS] += scale_left;
    group_cycles = 0;
    st = S_GROUP;
  endtask

  // one cycle of the lane stage; when every unit is done, the group ends and its cycles beyond one are
  // charged to the unit that finished last (the earliest of the stall order on a tie)
  task automatic group_cycle();
    logic busy [4];
    busy[U_MAC] = mac_left > 0;
    busy[U_LUT] = lut_pending != '0;
    busy[U_SCALE] = scale_left > 0;
    busy[U_ACT] = act_left > 0;
    mac_left -= mac_left < cfg[C_MACS] ? mac_left : cfg[C_MACS];
    act_left -= act_left < cfg[C_ACT_BANKS] ? act_left : cfg[C_ACT_BANKS];
    if (scale_left > 0) scale_left -= scale_left < cfg[C_SCALE_UNITS] ? scale_left : cfg[C_SCALE_UNITS];
    if (lut_pending != '0)
      lut_pending &= ~lut_grant(lut_pending, lut_code, int'(cfg[C_LANES]), copies, int'(cfg[C_LUT_BANKS]), int'(cfg[C_LUT_PORTS]));
    group_cycles++;
    if (mac_left == 0 && act_left == 0 && scale_left == 0 && lut_pending == '0) begin
      if (group_cycles > 1) begin
        int limiter;
        limiter = -1;
        for (int u = 0; u < 4; u++) if (busy[u] && (limiter < 0 || rank(u) < rank(limiter))) limiter = u;
        case (limiter)
          U_MAC: count[K_ST_MAC] += group_cycles - 1;
          U_LUT: count[K_ST_LUT_PORT] += group_cycles - 1;
          U_SCALE: count[K_ST_SCALE] += group_cycles - 1;
          default: count[K_ST_ACTIVATION] += group_cycles - 1;
        endcase
      end
      grp++;
      if (longint'(grp) * cfg[C_LANES] < tile_weights()) st = S_GROUP_NEW;
      else st = sparse_left > 0 ? S_SPARSE : S_TILE_END;
    end
  endtask

  function automatic longint tile_weights();
    longint w0;
    w0 = longint'(tile) * L(F_TILE_W);
    return w0 + L(F_TILE_W) > L(F_N) ? L(F_N) - w0 : L(F_TILE_W);
  endfunction

  // ---- tiles ----------------------------------------------------------------------------------------
  task automatic try_start_tile();
    int slot;
    slot = int'((base + longint'(tile)) % cfg[C_SLOTS]);
    if (arrived[slot] && (tile > 0 || tables_ready(cur))) begin
      longint w0;
      longint w1;
      longint res;
      longint rbase, rcount;
      w0 = longint'(tile) * L(F_TILE_W);
      w1 = w0 + tile_weights();
      res = 0;
      rbase = L(F_R_BASE);
      rcount = L(F_R_COUNT);
      for (int r = res_used; r < rcount && longint'(res_index[rbase + r]) < w1; r++) res++;
      sparse_left = res * L(F_TOKENS);
      if (res > 0) begin
        count[K_SPARSE_RES] += res;
        count[K_SPARSE_ADDS] += res * L(F_TOKENS);
      end
      grp = 0;
      st = S_GROUP_NEW;
    end else if (tile == 0 && arrived[slot]) count[K_ST_LUT_RELOAD] += 1;  // data here, tables not yet
    else count[K_ST_DRAM] += 1;
  endtask

  // the sparse-add lanes work through the tile's corrections while its groups run
  task automatic sparse_cycle();
    if (sparse_left > 0) sparse_left -= sparse_left < cfg[C_SPARSE_LANES] ? sparse_left : cfg[C_SPARSE_LANES];
  endtask

  // a tile ends: its corrections join the weights and outputs, its slot takes the next tile
  task automatic end_tile();
    longint w1;
    longint rbase, rcount;
    w1 = longint'(tile) * L(F_TILE_W) + tile_weights();
    rbase = L(F_R_BASE);
    rcount = L(F_R_COUNT);
    while (res_used < rcount && longint'(res_index[rbase + res_used]) < w1) begin
      longint i;
      exact_t r;
      longint row;
      i = longint'(res_index[L(F_R_BASE) + res_used]);
      r = unpack_exact(res_value[L(F_R_BASE) + res_used]);
      row = i / L(F_COLS);
      captured[L(F_W_BASE) + i] = add_double(captured[L(F_W_BASE) + i], to_double(r));
      if (row < L(F_ROWS))
        outputs[L(F_O_BASE) + row] = add_double(outputs[L(F_O_BASE) + row], to_double(mul_exact(r, unpack_exact(act[L(F_X_BASE) + i % L(F_COLS)]))));
      res_used++;
    end
    finished++;
    fill(1'b1);
    tile++;
    if (tile < L(F_TILES)) st = S_WAIT;
    else begin
      st = S_DRAIN;
      drain_left = int'(cfg[C_DEPTH]);
    end
  endtask

  task automatic end_layer();
    longint tokens;
    tokens = L(F_TOKENS);
    if (L(F_TS_BITS) > 0) count[K_OUT_SCALES] += L(F_ROWS) * tokens;
    count[K_ACC_DRAINS] += L(F_ROWS) * tokens;
    count[K_ACT_WRITES] += cdiv(L(F_ROWS) * tokens * cfg[C_ACT_BITS], cfg[C_ACT_WORD]);
    base += L(F_TILES);
  endtask

  // ---- the clocked process --------------------------------------------------------------------------
  always @(posedge clk) begin
    if (rst) begin
      st = S_IDLE;
      done <= 1'b0;
      fault <= 2'd0;
    end else if (wr && st == S_IDLE) begin
      case (int'(wr_sel))
        SEL_CFG: cfg[wr_addr[4:0]] = longint'(wr_data);
        SEL_LAYER: lay[wr_addr] = longint'(wr_data);
        SEL_CODE: codes[wr_addr[W_BITS-1:0]] = wr_data[7:0];
        SEL_BOOK: book[wr_addr[B_BITS-1:0]] = wr_data[0];
        SEL_SCALE: bscale[wr_addr[B_BITS-1:0]] = wr_data;
        SEL_TABLE: table_v[wr_addr[T_BITS-1:0]] = wr_data;
        SEL_RES_INDEX: res_index[wr_addr[R_BITS-1:0]] = int'(wr_data[31:0]);
        SEL_RES_VALUE: res_value[wr_addr[R_BITS-1:0]] = wr_data;
        SEL_ACT: act[wr_addr[O_BITS-1:0]] = wr_data;
        default: ;
      endcase
    end else if (start && st == S_IDLE) begin
      for (int i = 0; i < N_COUNTERS; i++) count[i] = 0;
      for (int i = 0; i < MAX_SLOTS; i++) arrived[i] = 1'b0;
      for (int i = 0; i < MAX_TABLES; i++) t_valid[i] = 1'b0;
      for (int i = 0; i < MAX_LAYERS; i++) res_fetch[i] = 0;
      for (int i = 0; i < (1 << O_BITS); i++) outputs[i] = 64'b0;
      now = 0;
      cur = 0;
      base = 0;
      carry = 0;
      q_head = 0; q_tail = 0; d_head = 0; d_tail = 0;
      xfer_left = 0;
      lru_clock = 0;
      fault <= 2'd0;
      done <= 1'b0;
      st = S_BEGIN;
    end
    if (st != S_IDLE && st != S_DONE) begin
      dram_arrivals();
      if (st == S_TILE_END) end_tile();
      if (st == S_DRAIN && drain_left == 0) begin
        end_layer();
        if (cur + 1 < cfg[C_LAYERS]) begin
          cur++;
          st = S_BEGIN;
        end else begin
          st = S_DONE;
          count[K_CYCLES] = now;
          done <= 1'b1;
        end
      end
      if (st == S_BEGIN) begin_layer();
      if (st == S_WAIT) try_start_tile();
      if (st == S_GROUP_NEW) start_group();
      if (st == S_GROUP) begin
        sparse_cycle();
        group_cycle();
      end else if (st == S_SPARSE) begin
        count[K_ST_SPARSE] += 1;
        sparse_cycle();
        if (sparse_left == 0) st = S_TILE_END;
      end
      if (st == S_DRAIN) begin
        count[K_ST_FILL] += 1;
        drain_left--;
      end
      if (st != S_DONE) begin
        dram_cycle();
        for (int i = 0; i < MAX_TABLES; i++) if (t_valid[i] && t_arrived[i] && t_writes_left[i] > 0) t_writes_left[i]--;
        now++;
      end
    end
  end

  always_comb begin
    case (int'(rd_sel))
      0: rd_data = rd_addr < N_COUNTERS ? 64'(count[rd_addr[5:0]]) : 64'b0;
      1: rd_data = captured[rd_addr[W_BITS-1:0]];
      default: rd_data = outputs[rd_addr[O_BITS-1:0]];
    endcase
  end
endmodule
