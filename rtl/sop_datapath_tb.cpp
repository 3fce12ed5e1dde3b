// Verilator testbench of rtl/sop_datapath.sv. Usage: Vsop_datapath <program> <result>
// <program> (written by scripts/rtl/datapath-twin.ts): records of little-endian u32 sel, u32 addr, u64 data,
// poked through the loader port one a cycle; a record with sel 15 gives the weights and output rows to read
// back (addr, data). The twin then runs until done; <result> receives little-endian u64s: the cycles
// simulated, the counters, the decoded weights, the outputs (binary64 bit patterns).
#include <cstdint>
#include <cstdio>
#include <vector>
#include "Vsop_datapath.h"
#include "verilated.h"

static const int N_COUNTERS = 46;

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  if (argc < 3) {
    std::fprintf(stderr, "usage: Vsop_datapath <program> <result>\n");
    return 2;
  }
  FILE* in = std::fopen(argv[1], "rb");
  if (!in) {
    std::fprintf(stderr, "Vsop_datapath: cannot read %s\n", argv[1]);
    return 2;
  }
  Vsop_datapath top;
  auto tick = [&top]() {
    top.clk = 0;
    top.eval();
    top.clk = 1;
    top.eval();
  };
  top.wr = 0;
  top.start = 0;
  top.rst = 1;
  tick();
  top.rst = 0;
  uint32_t hdr[2];
  uint64_t data;
  uint64_t weights = 0, rows = 0;
  while (std::fread(hdr, 4, 2, in) == 2 && std::fread(&data, 8, 1, in) == 1) {
    if (hdr[0] == 15) {
      weights = hdr[1];
      rows = data;
      continue;
    }
    top.wr = 1;
    top.wr_sel = hdr[0];
    top.wr_addr = hdr[1];
    top.wr_data = data;
    tick();
  }
  std::fclose(in);
  top.wr = 0;
  top.start = 1;
  tick();
  top.start = 0;
  uint64_t ticks = 1;
  const uint64_t limit = 1ULL << 36;
  while (!top.done && !top.fault && ticks < limit) {
    tick();
    ticks++;
  }
  if (top.fault) {
    static const char* why[] = {"", "its DRAM request queue overflowed", "a LUT table did not fit", "no LUT table slot was free"};
    std::fprintf(stderr, "Vsop_datapath: the twin stopped at cycle %llu: %s\n", (unsigned long long)ticks, why[top.fault & 3]);
    return 1;
  }
  if (!top.done) {
    std::fprintf(stderr, "Vsop_datapath: no end after %llu cycles\n", (unsigned long long)ticks);
    return 1;
  }
  std::vector<uint64_t> out;
  auto read = [&top](int sel, uint32_t addr) {
    top.rd_sel = sel;
    top.rd_addr = addr;
    top.eval();
    return (uint64_t)top.rd_data;
  };
  out.push_back(ticks);
  for (int i = 0; i < N_COUNTERS; i++) out.push_back(read(0, i));
  for (uint64_t i = 0; i < weights; i++) out.push_back(read(1, (uint32_t)i));
  for (uint64_t i = 0; i < rows; i++) out.push_back(read(2, (uint32_t)i));
  FILE* res = std::fopen(argv[2], "wb");
  if (!res || std::fwrite(out.data(), 8, out.size(), res) != out.size()) {
    std::fprintf(stderr, "Vsop_datapath: cannot write %s\n", argv[2]);
    return 2;
  }
  std::fclose(res);
  top.final();
  return 0;
}
