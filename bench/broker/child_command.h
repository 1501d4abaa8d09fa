// Runs a helper program to completion (openssl, `sluice users add`): the bench
// sets up TLS and SASL with the same commands an operator would type.
#pragma once

#include <string>
#include <vector>

namespace sluice::bench {

// Runs argv[0] (looked up in PATH) with `input` on its standard input; returns
// its standard output and error. Throws std::runtime_error naming the command,
// its exit status and its output when it cannot start or exits non-zero.
std::string run_command(const std::vector<std::string>& argv, const std::string& input = "");

}  // namespace sluice::bench
