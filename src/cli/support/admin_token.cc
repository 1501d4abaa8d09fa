#include "cli/support/admin_token.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace sluice::cli {
namespace {

constexpr int kTokenBytes = 32;

[[noreturn]] void fail(const std::string& what, const std::string& path) {
  throw std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

// From the kernel's CSPRNG, not a seeded generator: the token is a secret.
std::string random_token() {
  unsigned char bytes[kTokenBytes];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(std::string("getrandom: ") + std::strerror(errno));
    got += size_t(n);
  }
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

}  // namespace

std::string write_new_admin_token(const std::string& data_dir) {
  std::filesystem::create_directories(data_dir);
  const std::string path = (std::filesystem::path(data_dir) / kAdminTokenFile).string();
  const std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());  // a leftover may have other permissions; O_EXCL below makes ours
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) fail("cannot create the admin token file", tmp);
  const std::string text = random_token() + "\n";
  const bool written = ::write(fd, text.data(), text.size()) == ssize_t(text.size());
  if (::close(fd) != 0 || !written) fail("cannot write the admin token file", tmp);
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail("cannot put the admin token file at", path);
  return std::filesystem::absolute(path).string();
}

std::string read_admin_token(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail("cannot read the admin token file", path);
  std::string token;
  std::getline(in, token);
  token.erase(0, token.find_first_not_of(" \t\r"));
  token.erase(token.find_last_not_of(" \t\r") + 1);
  if (token.empty())
    throw std::runtime_error("the admin token file " + path +
                             " is empty; put the token on its first line");
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)))
    std::fprintf(stderr,
                 "sluice: warning: the admin token file %s may be read by others (chmod 600 it)\n",
                 path.c_str());
  return token;
}

std::string server_admin_token(const std::string& flag_file) {
  if (!flag_file.empty()) return read_admin_token(flag_file);
  if (const char* file = env("SLUICE_ADMIN_TOKEN_FILE")) return read_admin_token(file);
  if (const char* token = env("SLUICE_ADMIN_TOKEN")) return token;
  return "";
}

std::string client_admin_token(const std::string& flag_file, const std::string& data_dir) {
  if (std::string token = server_admin_token(flag_file); !token.empty()) return token;
  if (data_dir.empty()) return "";
  const auto path = std::filesystem::path(data_dir) / kAdminTokenFile;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return "";
  return read_admin_token(path.string());
}

}  // namespace sluice::cli
