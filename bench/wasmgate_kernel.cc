// wasmgate-bench-kernel: runs one benchmark kernel on wasmgate's engine.
//
//   wasmgate-bench-kernel FILE.wasm
//
// Decodes, validates and compiles FILE.wasm, instantiates it with no imports
// and no limits, calls its export `run` () -> i32 once and prints
// "checksum=<i32> ms=<compile+instantiate+run ms>" on stdout: the interface
// bench/run.sh expects in WASMGATE_BENCH (docs/benchmarks.md).
// Exit codes: 0 success, 1 the module failed (error or trap), 2 usage.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "wasm/exec/runtime.h"
#include "wasm/validate/compiler.h"

namespace {

int fail(const std::string& what) {
  std::fprintf(stderr, "wasmgate-bench-kernel: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: wasmgate-bench-kernel FILE.wasm\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) return fail(std::string("cannot open ") + argv[1]);
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  const auto start = std::chrono::steady_clock::now();
  auto compiled = wg::wasm::compile(std::span<const std::uint8_t>(bytes));
  if (!compiled) return fail(compiled.error().to_string());
  wg::wasm::Store store;
  auto inst = store.instantiate(*compiled, std::vector<wg::wasm::Extern>{});
  if (!inst) return fail(inst.error().to_string());
  if (inst->trap) return fail("instantiation trapped: " + inst->trap->message);
  wg::wasm::FuncInst* run = inst->instance->exported_func("run");
  if (run == nullptr) return fail("no exported function \"run\"");
  const wg::wasm::FuncType expected{{}, {wg::wasm::ValType::I32}};
  if (run->type == nullptr || !(*run->type == expected)) return fail("\"run\" is not () -> i32");
  auto results = store.invoke(*run, {});
  if (!results) return fail("trap: " + results.error().message);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("checksum=%d ms=%.3f\n", static_cast<int>((*results)[0].as_i32()), ms);
  return 0;
}
