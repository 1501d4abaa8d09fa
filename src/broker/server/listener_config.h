// A Kafka listener as configured: a name, a security protocol, the address to bind
// and the address to advertise to clients (Kafka's listeners and
// advertised.listeners). Plain data; listener.h opens the sockets.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace sluice::broker {

struct ListenerConfig {
  std::string name = "PLAINTEXT";
  std::string security_protocol = "PLAINTEXT";  // PLAINTEXT | SASL_PLAINTEXT | SSL | SASL_SSL
  std::string host = "127.0.0.1";
  int port = 9092;  // 0: the kernel picks; the broker stores the bound port here
  // What Metadata and FindCoordinator answer for clients of this listener. Empty
  // host: `host`; port 0: the bound port.
  std::string advertised_host;
  int advertised_port = 0;
};

// Splits "host:port"; throws std::invalid_argument with a usage hint when malformed.
std::pair<std::string, int> parse_host_port(const std::string& address);

// Parses "NAME=PROTOCOL://HOST:PORT" (the form of Kafka's `listeners` entries);
// throws std::invalid_argument naming the entry and the expected form.
ListenerConfig parse_listener(const std::string& spec);

// Refuses what clients cannot connect to: a listener that binds 0.0.0.0 (or ::)
// without an advertised address, an advertised 0.0.0.0, an unknown security
// protocol, two listeners with one name. Throws std::invalid_argument
// with the flag to change.
void validate_listeners(const std::vector<ListenerConfig>& listeners);

}  // namespace sluice::broker
