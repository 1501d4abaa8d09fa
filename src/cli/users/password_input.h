// Where `sluice users add` gets a password: standard input (--password-stdin,
// for scripts) or a prompt on the terminal with echo off, typed twice. Never a
// command-line argument, which every user of the machine can read in `ps`.
#pragma once

#include <string>

namespace sluice::cli {

// The first line of stdin, without its newline. Throws if it is empty.
std::string password_from_stdin();
// Prompts on /dev/tty; throws when there is no terminal (then use --password-stdin).
std::string password_from_prompt(const std::string& user);

}  // namespace sluice::cli
