#include "cli/support/admin_token.h"

#include <cstdlib>
#include <filesystem>

#include "common/secret_file.h"

namespace sluice::cli {
namespace {

constexpr int kTokenBytes = 32;
constexpr const char* kWhat = "admin token file";

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

}  // namespace

std::string write_new_admin_token(const std::string& data_dir) {
  const std::string path = (std::filesystem::path(data_dir) / kAdminTokenFile).string();
  write_secret_file(path, random_secret_hex(kTokenBytes) + "\n", kWhat);
  return std::filesystem::absolute(path).string();
}

std::string read_admin_token(const std::string& path) {
  return read_secret_file(path, kWhat);
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
