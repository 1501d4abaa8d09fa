// Certificates: EC P-256, valid two days, the server's naming IP 127.0.0.1 so
// librdkafka's hostname verification passes. The SCRAM password is fixed: the
// user lives only in the scratch data directory of one run.
#include "secure_listeners.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>

#include "child_command.h"

namespace sluice::bench {
namespace {

namespace fs = std::filesystem;

constexpr const char* kUser = "bench";
constexpr const char* kPassword = "bench-throwaway-password";
constexpr const char* kMechanism = "SCRAM-SHA-256";

void openssl(std::vector<std::string> args) {
  args.insert(args.begin(), "openssl");
  run_command(args);
}

std::vector<std::string> new_ec_key() {
  return {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"};
}

std::vector<std::string> operator+(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

int free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("cannot find a free port on 127.0.0.1");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

SecureListeners::SecureListeners(const std::string& sluice_bin, const fs::path& scratch,
                                 const fs::path& data_dir) {
  const fs::path dir = scratch / "tls";
  fs::create_directories(dir);
  ca_pem_ = dir / "ca.pem";
  server_pem_ = dir / "server.pem";
  server_key_ = dir / "server.key";
  const fs::path ca_key = dir / "ca.key";
  const fs::path csr = dir / "server.csr";
  const fs::path ext = dir / "server.ext";
  openssl(std::vector<std::string>{"req", "-x509"} + new_ec_key() +
          std::vector<std::string>{"-keyout", ca_key, "-out", ca_pem_, "-days", "2", "-subj",
                                   "/CN=sluice-bench-ca"});
  openssl(std::vector<std::string>{"req"} + new_ec_key() +
          std::vector<std::string>{"-keyout", server_key_, "-out", csr, "-subj", "/CN=127.0.0.1"});
  std::ofstream(ext) << "subjectAltName=IP:127.0.0.1\n";
  openssl({"x509", "-req", "-in", csr, "-CA", ca_pem_, "-CAkey", ca_key, "-CAcreateserial", "-out",
           server_pem_, "-days", "2", "-extfile", ext});

  fs::create_directories(data_dir);
  run_command({sluice_bin, "users", "add", kUser, "--mechanism", kMechanism, "--data-dir",
               data_dir.string(), "--password-stdin"},
              std::string(kPassword) + "\n");
  ssl_port_ = free_loopback_port();
  sasl_ssl_port_ = free_loopback_port();
}

std::vector<std::string> SecureListeners::broker_args() const {
  return {"--listener",        "TLS=SSL://127.0.0.1:" + std::to_string(ssl_port_),
          "--listener",        "SECURE=SASL_SSL://127.0.0.1:" + std::to_string(sasl_ssl_port_),
          "--ssl-certificate", server_pem_.string(),
          "--ssl-key",         server_key_.string(),
          "--super-users",     std::string("User:") + kUser};
}

std::string SecureListeners::bootstrap(const std::string& protocol) const {
  int port = protocol == "SSL" ? ssl_port_ : sasl_ssl_port_;
  return "127.0.0.1:" + std::to_string(port);
}

ClientSecurity SecureListeners::client(const std::string& protocol) const {
  ClientSecurity c = {{"security.protocol", protocol},
                      {"ssl.ca.location", ca_pem_.string()},
                      {"ssl.endpoint.identification.algorithm", "https"}};
  if (protocol == "SASL_SSL") {
    c["sasl.mechanisms"] = kMechanism;
    c["sasl.username"] = kUser;
    c["sasl.password"] = kPassword;
  }
  return c;
}

}  // namespace sluice::bench
