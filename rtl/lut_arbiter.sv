// The LUT SRAM's bank arbitration for one lane group, the first block of sopsim's RTL twin.
// LANES lanes are split in contiguous runs of ceil(LANES / COPIES) over the table copies; in a copy, a
// lane's entry lives in bank (code % BANKS), and each bank grants PORTS pending requests a cycle, lowest
// lane first (no broadcast: lanes asking for one entry each take a grant). A group is loaded lane by lane
// (load), then arbitrated one cycle per step until no request is pending; the cycles it takes are what
// sopsim's timing model (sim/lut-sram/conflicts.ts) must predict.
module lut_arbiter #(
  parameter int LANES = 64,
  parameter int COPIES = 8,
  parameter int BANKS = 4,
  parameter int PORTS = 2,
  parameter int CODE_BITS = 8
) (
  input  logic                 clk,
  input  logic                 load,        // write lane load_lane's request this cycle
  input  logic [15:0]          load_lane,
  input  logic                 load_valid,  // the lane reads the LUT
  input  logic [CODE_BITS-1:0] load_code,
  input  logic                 step,        // one arbitration cycle
  output logic                 idle,        // no request pending
  output logic [15:0]          granted      // requests granted by this cycle's arbitration
);
  localparam int PER_COPY = (LANES + COPIES - 1) / COPIES;

  logic [LANES-1:0]     pending;
  logic [CODE_BITS-1:0] code [LANES];
  logic [LANES-1:0]     grant;

  // per copy and bank: grant the first PORTS pending lanes whose entry lives in the bank
  always_comb begin
    grant = '0;
    for (int c = 0; c < COPIES; c++) begin
      for (int b = 0; b < BANKS; b++) begin
        automatic int n = 0;
        for (int l = c * PER_COPY; l < (c + 1) * PER_COPY; l++) begin
          if (l < LANES && pending[l] && (int'(code[l]) % BANKS) == b && n < PORTS) begin
            grant[l] = 1'b1;
            n = n + 1;
          end
        end
      end
    end
  end

  always_ff @(posedge clk) begin
    if (load) begin
      pending[load_lane[$clog2(LANES > 1 ? LANES : 2)-1:0]] <= load_valid;
      code[load_lane[$clog2(LANES > 1 ? LANES : 2)-1:0]] <= load_code;
    end else if (step) begin
      pending <= pending & ~grant;
    end
  end

  assign idle = (pending == '0);

  always_comb begin
    granted = '0;
    for (int l = 0; l < LANES; l++) granted = granted + {15'b0, grant[l]};
  end
endmodule
