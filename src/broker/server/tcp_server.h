// A blocking TCP listener that hands each accepted connection to its own
// thread. Kafka processes one request per connection at a time, in order, so
// a thread per connection gives exactly the protocol's ordering for free, and a
// long-polling fetch blocks only its own client.
#pragma once

#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace sluice::broker {

class TcpServer {
 public:
  using ConnectionFn = std::function<void(int fd, const std::string& peer)>;

  // Binds and listens on host:port (port 0 picks a free one). Throws
  // std::runtime_error naming the address and the reason when it cannot.
  TcpServer(const std::string& host, int port, ConnectionFn on_connection);
  ~TcpServer();
  TcpServer(const TcpServer&) = delete;
  TcpServer& operator=(const TcpServer&) = delete;

  int port() const { return port_; }
  // Accepts connections until stop(); returns after every connection thread ended.
  void run();
  // Safe from any thread: stops accepting and shuts every open connection down.
  void stop();

 private:
  struct Connection {
    int fd = -1;
    std::thread thread;
    std::atomic<bool> done{false};
  };
  void reap_finished();

  int listen_fd_ = -1;
  int port_ = 0;
  ConnectionFn on_connection_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::list<std::unique_ptr<Connection>> connections_;
};

// Splits "host:port"; throws std::invalid_argument with a usage hint when malformed.
std::pair<std::string, int> parse_host_port(const std::string& address);

}  // namespace sluice::broker
