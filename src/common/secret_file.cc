#include "common/secret_file.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <stdexcept>

namespace sluice {
namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path) {
  throw std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

std::string random_secret_hex(int bytes) {
  std::string raw(size_t(bytes), '\0');
  size_t got = 0;
  while (got < raw.size()) {
    ssize_t n = ::getrandom(raw.data() + got, raw.size() - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(std::string("getrandom: ") + std::strerror(errno));
    got += size_t(n);
  }
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : raw) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

std::string read_secret_file(const std::string& path, const std::string& what) {
  std::ifstream in(path);
  if (!in) fail("cannot read the " + what, path);
  std::string secret;
  std::getline(in, secret);
  secret.erase(0, secret.find_first_not_of(" \t\r"));
  secret.erase(secret.find_last_not_of(" \t\r") + 1);
  if (secret.empty())
    throw std::runtime_error("the " + what + " " + path +
                             " is empty; put the secret on its first line");
  // Once per file: a password file is read again for every client a process builds.
  static std::mutex mutex;
  static std::set<std::string> warned;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO))) {
    std::lock_guard lock(mutex);
    if (warned.insert(path).second)
      std::fprintf(stderr, "sluice: warning: the %s %s may be read by others (chmod 600 it)\n",
                   what.c_str(), path.c_str());
  }
  return secret;
}

void write_secret_file(const std::string& path, const std::string& text, const std::string& what) {
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir);
  const std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());  // a leftover may have other permissions; O_EXCL below makes ours
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) fail("cannot create the " + what, tmp);
  const bool written = ::write(fd, text.data(), text.size()) == ssize_t(text.size());
  if (::close(fd) != 0 || !written) fail("cannot write the " + what, tmp);
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail("cannot put the " + what + " at", path);
}

}  // namespace sluice
