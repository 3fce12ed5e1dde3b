// Verilator testbench of rtl/lut_arbiter.sv: reads lane groups from stdin, one line each of LANES numbers
// (the lane's code, or -1 for a lane that does not read the LUT), and prints per group the cycles its
// arbitration took and the requests granted, then a line "total <cycles> <grants>".
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
  top.load = 0;
  top.step = 0;
  std::string line;
  long long total = 0, grants = 0;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    std::istringstream in(line);
    std::vector<long> codes;
    long v;
    while (in >> v) codes.push_back(v);
    top.load = 1;
    for (size_t l = 0; l < codes.size(); l++) {
      top.load_lane = (unsigned)l;
      top.load_valid = codes[l] >= 0;
      top.load_code = codes[l] >= 0 ? (unsigned)codes[l] : 0;
      tick();
    }
    top.load = 0;
    top.eval();
    long cycles = 0, g = 0;
    top.step = 1;
    while (!top.idle) {
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
