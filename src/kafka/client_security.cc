#include "kafka/client_security.h"

#include <cctype>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace sluice::kafka {

Settings security_settings_from_environment() {
  static constexpr std::pair<const char*, const char*> kNamed[] = {
      {"SLUICE_SECURITY_PROTOCOL", "security.protocol"},
      {"SLUICE_SASL_MECHANISM", "sasl.mechanisms"},
      {"SLUICE_SASL_USERNAME", "sasl.username"},
      {"SLUICE_SASL_PASSWORD", "sasl.password"},
  };
  Settings out;
  for (const auto& [variable, key] : kNamed) {
    const char* value = std::getenv(variable);
    if (value && *value) out.emplace_back(key, value);
  }
  constexpr std::string_view kSsl = "SLUICE_SSL_";
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view line(*entry);
    size_t eq = line.find('=');
    if (!line.starts_with(kSsl) || eq == std::string_view::npos || eq + 1 == line.size()) continue;
    std::string key = "ssl.";
    for (char c : line.substr(kSsl.size(), eq - kSsl.size())) {
      key += c == '_' ? '.' : char(std::tolower(static_cast<unsigned char>(c)));
    }
    out.emplace_back(key, std::string(line.substr(eq + 1)));
  }
  return out;
}

}  // namespace sluice::kafka
