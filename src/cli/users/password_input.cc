#include "cli/users/password_input.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <stdexcept>

namespace sluice::cli {
namespace {

// Reads one line from the terminal `fd` with echo switched off meanwhile.
std::string read_hidden(int fd, const std::string& prompt) {
  (void)!::write(fd, prompt.data(), prompt.size());
  termios before{};
  bool restore = ::tcgetattr(fd, &before) == 0;
  if (restore) {
    termios quiet = before;
    quiet.c_lflag &= ~tcflag_t(ECHO);
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  std::string line;
  char c = 0;
  while (::read(fd, &c, 1) == 1 && c != '\n') line += c;
  if (restore) ::tcsetattr(fd, TCSAFLUSH, &before);
  (void)!::write(fd, "\n", 1);
  return line;
}

}  // namespace

std::string password_from_stdin() {
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) throw std::runtime_error("--password-stdin: standard input held no password");
  return line;
}

std::string password_from_prompt(const std::string& user) {
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    throw std::runtime_error(
        "no terminal to ask for the password: pipe it in with "
        "--password-stdin");
  }
  std::string first = read_hidden(fd, "Password for " + user + ": ");
  std::string again = read_hidden(fd, "Again: ");
  ::close(fd);
  if (first.empty()) throw std::runtime_error("the password must not be empty");
  if (first != again) throw std::runtime_error("the two passwords differ; nothing was changed");
  return first;
}

}  // namespace sluice::cli
