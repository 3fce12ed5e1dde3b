// The LUT SRAM's bank arbitration for one lane group on its own (the arbitration itself is
// twin_pkg::lut_grant, which the whole datapath, rtl/sop_datapath.sv, uses too). A group is loaded and
// arbitrated for the first time in the same cycle (load), then one cycle per step until no request is
// pending. Geometry is runtime: one build serves every hw-config.
module lut_arbiter import twin_pkg::*; (
  input  logic                   clk,
  input  logic [15:0]            lanes,       // lanes of the unpacker (the split over copies uses all of them)
  input  logic [15:0]            copies,      // table copies serving the lanes
  input  logic [15:0]            banks,
  input  logic [15:0]            ports,
  input  logic                   load,        // take a new group this cycle
  input  logic [MAX_LANES-1:0]   load_valid,  // the lane reads the LUT
  input  logic [MAX_LANES*8-1:0] load_code,
  input  logic                   step,        // one more arbitration cycle
  output logic                   idle,        // no request pending after this cycle
  output logic [15:0]            granted      // requests granted this cycle
);
  logic [MAX_LANES-1:0] pending, req, grant;
  logic [7:0]           code [MAX_LANES];
  logic [7:0]           cur [MAX_LANES];

  always_comb begin
    req = load ? load_valid : pending;
    for (int l = 0; l < MAX_LANES; l++) cur[l] = load ? load_code[l*8 +: 8] : code[l];
    grant = lut_grant(req, cur, int'(lanes), int'(copies), int'(banks), int'(ports));
    idle = (req & ~grant) == '0;
    granted = '0;
    for (int l = 0; l < MAX_LANES; l++) granted = granted + {15'b0, grant[l]};
  end

  always_ff @(posedge clk) begin
    if (load || step) pending <= req & ~grant;
    if (load) for (int l = 0; l < MAX_LANES; l++) code[l] <= load_code[l*8 +: 8];
  end
endmodule
