#include <span>

#include "cli/cli.h"

int main(int argc, char** argv) { return wg::cli::main(std::span<char*>(argv, static_cast<std::size_t>(argc))); }
