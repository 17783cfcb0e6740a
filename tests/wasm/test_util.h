// Helpers shared by the engine tests: loading the guest modules that
// tests/wasm/CMakeLists.txt compiles from wat/ at build time.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "wasm/exec/runtime.h"
#include "wasm/validate/compiler.h"

namespace wg::wasm::testing {

inline std::vector<std::uint8_t> read_guest(const std::string& name) {
  std::ifstream in(std::string(WG_TEST_WASM_DIR) + "/" + name + ".wasm", std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing guest module " << name;
  return std::vector<std::uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline std::shared_ptr<const CompiledModule> compile_guest(const std::string& name, CompileOptions opt = {}) {
  auto bytes = read_guest(name);
  auto m = compile(bytes, opt);
  EXPECT_TRUE(m.has_value()) << (m ? "" : m.error().to_string());
  return m ? *m : nullptr;
}

// The header, then sections given as raw bytes.
inline std::vector<std::uint8_t> module_bytes(std::vector<std::uint8_t> sections) {
  std::vector<std::uint8_t> out = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
  out.insert(out.end(), sections.begin(), sections.end());
  return out;
}

}  // namespace wg::wasm::testing
