#include "broker/server/listener_config.h"

#include <set>
#include <stdexcept>
#include <tuple>

namespace sluice::broker {
namespace {

bool is_wildcard(const std::string& host) {
  return host == "0.0.0.0" || host == "::" || host == "[::]";
}

bool protocol_served(const std::string& protocol) {
  return protocol == "PLAINTEXT" || protocol == "SASL_PLAINTEXT" || protocol == "SSL" ||
         protocol == "SASL_SSL";
}

}  // namespace

std::pair<std::string, int> parse_host_port(const std::string& address) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    throw std::invalid_argument("address '" + address + "' must be HOST:PORT, e.g. 127.0.0.1:9092");
  }
  std::string host = address.substr(0, colon);
  int port = 0;
  try {
    size_t used = 0;
    port = std::stoi(address.substr(colon + 1), &used);
    if (used != address.size() - colon - 1) throw std::invalid_argument("trailing characters");
  } catch (const std::exception&) {
    throw std::invalid_argument("port in '" + address +
                                "' is not a number; use HOST:PORT, e.g. 127.0.0.1:9092");
  }
  if (port < 0 || port > 65535)
    throw std::invalid_argument("port in '" + address + "' must be 0-65535");
  return {host, port};
}

ListenerConfig parse_listener(const std::string& spec) {
  const std::string form =
      " must be NAME=PROTOCOL://HOST:PORT, e.g. INTERNAL=PLAINTEXT://127.0.0.1:9093";
  auto eq = spec.find('=');
  auto scheme = spec.find("://");
  if (eq == std::string::npos || eq == 0 || scheme == std::string::npos || scheme < eq + 2)
    throw std::invalid_argument("listener '" + spec + "'" + form);
  ListenerConfig l;
  l.name = spec.substr(0, eq);
  l.security_protocol = spec.substr(eq + 1, scheme - eq - 1);
  if (!protocol_served(l.security_protocol))
    throw std::invalid_argument("listener '" + spec + "': protocol '" + l.security_protocol +
                                "' is not one of PLAINTEXT, SASL_PLAINTEXT, SSL, SASL_SSL");
  std::tie(l.host, l.port) = parse_host_port(spec.substr(scheme + 3));
  return l;
}

void validate_listeners(const std::vector<ListenerConfig>& listeners) {
  if (listeners.empty()) throw std::invalid_argument("the broker needs at least one listener");
  std::set<std::string> names;
  for (const ListenerConfig& l : listeners) {
    if (!names.insert(l.name).second)
      throw std::invalid_argument("two listeners are named '" + l.name + "'");
    if (!protocol_served(l.security_protocol))
      throw std::invalid_argument(
          "listener '" + l.name + "': " + l.security_protocol +
          " is not a security protocol; use PLAINTEXT, SASL_PLAINTEXT, SSL or SASL_SSL");
    if (is_wildcard(l.advertised_host))
      throw std::invalid_argument("cannot advertise " + l.advertised_host + " (listener '" +
                                  l.name +
                                  "'): clients cannot connect to it; pass --advertise with the "
                                  "host name or IP clients should use");
    if (is_wildcard(l.host) && l.advertised_host.empty())
      throw std::invalid_argument(
          "listening on " + l.host + " (listener '" + l.name +
          "') needs --advertise HOST:PORT: clients connect to the address the broker "
          "advertises, and " +
          l.host + " is not one");
  }
}

}  // namespace sluice::broker
