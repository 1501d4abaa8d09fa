// The file format is documented in docs/formats/scram-credentials.md.
#include "broker/security/scram_credential_store.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "broker/storage/durable_file.h"
#include "common/base64.h"

namespace sluice::broker::security {
namespace {

constexpr std::string_view kHeader = "sluice-scram-credentials 1";

// User names are arbitrary strings; percent-encoding keeps each entry on one
// line with space-separated fields.
std::string escape_user(std::string_view user) {
  std::string out;
  for (unsigned char c : user) {
    if (c <= 0x20 || c >= 0x7f || c == '%') {
      out += fmt::format("%{:02X}", c);
    } else {
      out += char(c);
    }
  }
  return out;
}

std::optional<std::string> unescape_user(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    unsigned value = 0;
    for (char h : text.substr(i + 1, 2)) {
      value <<= 4;
      if (h >= '0' && h <= '9') {
        value |= unsigned(h - '0');
      } else if (h >= 'A' && h <= 'F') {
        value |= unsigned(h - 'A' + 10);
      } else {
        return std::nullopt;
      }
    }
    out += char(value);
    i += 2;
  }
  return out;
}

struct ParsedLine {
  std::string user;
  ScramMechanism mechanism;
  ScramCredential credential;
};

std::optional<ParsedLine> parse_line(const std::string& line) {
  std::istringstream in(line);
  std::string mech, user, iterations, salt, stored, server, extra;
  if (!(in >> mech >> user >> iterations >> salt >> stored >> server) || (in >> extra)) {
    return std::nullopt;
  }
  auto m = scram_mechanism_named(mech);
  auto name = unescape_user(user);
  auto s = base64::decode(salt);
  auto st = base64::decode(stored);
  auto sv = base64::decode(server);
  if (!m || !name || !s || !st || !sv) return std::nullopt;
  ParsedLine p{*name, *m, {*s, 0, *st, *sv}};
  try {
    size_t used = 0;
    p.credential.iterations = std::stoi(iterations, &used);
    if (used != iterations.size() || p.credential.iterations < kMinScramIterations) {
      return std::nullopt;
    }
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return p;
}

}  // namespace

ScramCredential ScramCredential::from_password(ScramMechanism m, std::string_view password,
                                               int32_t iterations) {
  std::string salt = random_bytes(32);
  std::string salted = salted_password(m, password, salt, iterations);
  return from_salted_password(m, std::move(salt), iterations, salted);
}

ScramCredential ScramCredential::from_salted_password(ScramMechanism m, std::string salt,
                                                      int32_t iterations, std::string_view salted) {
  ScramKeys keys = keys_from_salted_password(m, salted);
  return {std::move(salt), iterations, std::move(keys.stored_key), std::move(keys.server_key)};
}

std::filesystem::path ScramCredentialStore::file_in(const std::filesystem::path& data_dir) {
  return data_dir / "security" / "scram-credentials";
}

ScramCredentialStore::ScramCredentialStore(const std::filesystem::path& data_dir)
    : file_(file_in(data_dir)) {
  std::ifstream in(file_);
  if (!in) return;  // no users yet
  std::string line;
  if (!std::getline(in, line) || line != kHeader) {
    throw std::runtime_error(fmt::format(
        "{} does not start with '{}': it was not written by this sluice version (or is damaged)",
        file_.string(), kHeader));
  }
  for (int number = 2; std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    auto parsed = parse_line(line);
    if (!parsed) {
      throw std::runtime_error(
          fmt::format("{} line {} is not 'MECHANISM USER ITERATIONS SALT STORED_KEY SERVER_KEY' "
                      "(see docs/formats/scram-credentials.md)",
                      file_.string(), number));
    }
    users_[parsed->user][parsed->mechanism] = std::move(parsed->credential);
  }
}

std::optional<ScramCredential> ScramCredentialStore::find(const std::string& user,
                                                          ScramMechanism m) const {
  std::lock_guard lock(mu_);
  auto u = users_.find(user);
  if (u == users_.end()) return std::nullopt;
  auto c = u->second.find(m);
  if (c == u->second.end()) return std::nullopt;
  return c->second;
}

ScramCredentialStore::UserCredentials ScramCredentialStore::of_user(const std::string& user) const {
  std::lock_guard lock(mu_);
  auto u = users_.find(user);
  return u == users_.end() ? UserCredentials{} : u->second;
}

std::map<std::string, ScramCredentialStore::UserCredentials> ScramCredentialStore::all() const {
  std::lock_guard lock(mu_);
  return users_;
}

void ScramCredentialStore::upsert(const std::string& user, ScramMechanism m,
                                  ScramCredential credential) {
  std::lock_guard lock(mu_);
  auto before = users_;
  users_[user][m] = std::move(credential);
  try {
    save_locked();
  } catch (...) {
    users_ = std::move(before);
    throw;
  }
}

bool ScramCredentialStore::remove(const std::string& user, ScramMechanism m) {
  std::lock_guard lock(mu_);
  auto u = users_.find(user);
  if (u == users_.end() || !u->second.contains(m)) return false;
  auto before = users_;
  u->second.erase(m);
  if (u->second.empty()) users_.erase(u);
  try {
    save_locked();
  } catch (...) {
    users_ = std::move(before);
    throw;
  }
  return true;
}

void ScramCredentialStore::save_locked() const {
  std::string text(kHeader);
  text += '\n';
  for (const auto& [user, creds] : users_) {
    for (const auto& [m, c] : creds) {
      text += fmt::format("{} {} {} {} {} {}\n", mechanism_name(m), escape_user(user), c.iterations,
                          base64::encode(c.salt), base64::encode(c.stored_key),
                          base64::encode(c.server_key));
    }
  }
  // The keys allow an offline guessing attack on weak passwords: only the
  // broker's user may read them.
  if (std::filesystem::create_directories(file_.parent_path())) {
    std::filesystem::permissions(file_.parent_path(), std::filesystem::perms::owner_all);
  }
  write_file_atomically(file_, text);
}

}  // namespace sluice::broker::security
