// Test support: run a program to completion and capture what it printed.
#pragma once

#include <string>
#include <vector>

namespace wg::testing {

struct ProcessResult {
  int exit_code = -1;  // exit status, or 128 + signal number
  std::string out;
  std::string err;
};

// Runs argv[0] (a path) with the given arguments and optional stdin text.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& stdin_text = {});

}  // namespace wg::testing
