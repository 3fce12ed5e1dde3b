// Verilator testbench of rtl/lut_arbiter.sv: reads the geometry ("lanes copies banks ports") from the first
// line of stdin, then lane groups, one line each (per lane its code, or -1 for a lane that does not read the
// LUT); prints per group the cycles its arbitration took and the requests granted, then
// "total <cycles> <grants>".
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>
#include "Vlut_arbiter.h"
#include "verilated.h"

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  Vlut_arbiter top;
  auto tick = [&top]() {
    top.clk = 0;
    top.eval();
    top.clk = 1;
    top.eval();
  };
  unsigned lanes, copies, banks, ports;
  if (!(std::cin >> lanes >> copies >> banks >> ports)) {
    std::fprintf(stderr, "lut_arbiter: expected 'lanes copies banks ports' on the first line\n");
    return 2;
  }
  top.lanes = lanes;
  top.copies = copies;
  top.banks = banks;
  top.ports = ports;
  top.load = 0;
  top.step = 0;
  std::string line;
  std::getline(std::cin, line);
  long long total = 0, grants = 0;
  const int codeBits = 8;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    std::istringstream in(line);
    std::vector<long> codes;
    long v;
    while (in >> v) codes.push_back(v);
    if (codes.size() > 64) {
      std::fprintf(stderr, "lut_arbiter: a group of %zu lanes (at most 64)\n", codes.size());
      return 2;
    }
    top.load_valid = 0;
    for (int w = 0; w < 64 * codeBits / 32; w++) top.load_code[w] = 0;
    for (size_t l = 0; l < codes.size(); l++) {
      if (codes[l] < 0) continue;
      top.load_valid |= 1ULL << l;
      size_t bit = l * codeBits;
      top.load_code[bit / 32] |= (uint32_t)(codes[l] & 0xff) << (bit % 32);
    }
    // the load cycle arbitrates too; a group with no LUT lane takes no LUT cycle
    long cycles = 0, g = 0;
    top.load = 1;
    top.eval();
    if (top.load_valid) {
      g += top.granted;
      cycles = 1;
    }
    tick();
    top.load = 0;
    top.step = 1;
    const long want = __builtin_popcountll(top.load_valid);
    while (g < want) {
      top.eval();
      g += top.granted;
      tick();
      cycles++;
      if (cycles > 1000000) {
        std::fprintf(stderr, "lut_arbiter: a group never finished\n");
        return 1;
      }
    }
    top.step = 0;
    std::printf("%ld %ld\n", cycles, g);
    total += cycles;
    grants += g;
  }
  std::printf("total %lld %lld\n", total, grants);
  top.final();
  return 0;
}
