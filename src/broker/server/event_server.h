// The broker's network: one I/O thread running an epoll loop over every
// listener and connection, a fixed pool of num.io.threads workers that run
// request handlers, and an elastic pool for the two calls that block inside the
// group coordinator (JoinGroup, SyncGroup). Idle connections and long-polling
// Fetches hold no thread: a Fetch with too little data is parked and run again
// when ctx.data moves (at most every 10 ms if it waits for min_bytes > 1) or its
// max_wait_ms passes.
//
// Limits (BrokerOptions, Kafka's names; docs/broker.md "Networking"):
//   max.connections, max.connections.per.ip  over them: closed right after accept
//   connections.max.idle.ms                  idle connections are closed
//   socket.request.max.bytes                 a larger declared frame: closed
//   queued.max.request.bytes                 request bytes held in memory (partial
//       frames included); over it, sockets are not read (backpressure). When
//       nothing running can free memory, one connection (the one holding the
//       largest partial frame) keeps reading so its frame can complete: memory
//       stays under budget + socket.request.max.bytes, and reads never deadlock.
// Out of descriptors (EMFILE/ENFILE) on accept: accepting pauses (the listeners
// leave the epoll set, so the loop does not spin), one warning is logged, and
// accepting resumes when a connection closes or a second has passed.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "broker/broker_context.h"
#include "broker/server/connection.h"
#include "broker/server/tls_transport.h"
#include "broker/server/worker_pool.h"

namespace sluice::broker {

class EventServer {
 public:
  // Binds every listener in ctx.options.listeners and stores the bound ports
  // there. Throws std::runtime_error naming the address when one cannot bind.
  explicit EventServer(BrokerContext& ctx);
  ~EventServer();
  EventServer(const EventServer&) = delete;
  EventServer& operator=(const EventServer&) = delete;

  // Serves on the calling thread until stop(); returns after every running
  // request finished and every connection closed.
  void run();
  // Safe from any thread.
  void stop();

 private:
  struct Listening {
    int fd = -1;
    size_t index = 0;  // in ctx.options.listeners
  };
  struct Completion {
    Connection* conn = nullptr;
    DispatchResult result;
    uint64_t data_version_seen = 0;
    // A written Produce's answer slot: in the request's completion, and in its
    // commit's (is_commit), which follows it from the same worker.
    std::shared_ptr<Connection::AwaitedAnswer> commit_of;
    bool is_commit = false;
  };

  void wake();
  void handle_event(uint64_t key, uint32_t events);
  void accept_from(const Listening& l);
  void admit(int fd, const std::string& host, const std::string& peer, const Listening& l);
  void refuse(int fd, ConnectionStats::Refusal why, const std::string& peer);
  void pause_accepting(int error);
  void resume_accepting();
  void read_requests(Connection& c);
  void submit(Connection& c, bool may_wait);
  void run_completions();
  void request_completed(Completion& d);
  void commit_completed(Completion& d);
  // Queues a finished task's result for the I/O thread (any thread).
  void hand_back(Completion done);
  // A written Produce: its answer waits in `slot`, in request order, while its
  // commit runs on the worker that wrote it.
  void await_commit(Connection& c, std::shared_ptr<Connection::AwaitedAnswer> slot);
  // Queues a finished request's answer behind the awaited ones, or for writing.
  void answer(Connection& c, DispatchResult result);
  // Moves the awaited answers that are in, from the front, to the outbox; runs a
  // held request once none is awaited.
  void settle_awaited(Connection& c);
  bool may_read(const Connection& c) const;
  void finish_request(Connection& c);
  void wake_parked_fetches();
  void flush_outbox(Connection& c);
  void update_interest(Connection& c);
  void read_buffered();
  void close_connection(Connection& c);
  void forget(Connection& c);
  void reap_closed();
  void close_idle_connections(int64_t now);
  void update_backpressure();
  void add_queued(int64_t delta);
  int next_timeout_ms(int64_t now) const;
  void shut_down();
  void close_descriptors();

  BrokerContext& ctx_;
  ConnectionStats& stats_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::vector<Listening> listeners_;
  std::atomic<bool> stopping_{false};

  // I/O thread only.
  std::unordered_map<uint64_t, std::unique_ptr<Connection>> connections_;
  std::unordered_map<std::string, int64_t> per_ip_;
  std::unordered_set<Connection*> parked_;
  std::vector<uint64_t> closed_;  // connections to destroy at the end of this turn
  // Connections whose transport holds decrypted bytes epoll cannot see (TLS).
  std::unordered_set<uint64_t> buffered_;
  std::unique_ptr<TlsContext> tls_;  // when a listener is SSL or SASL_SSL
  uint64_t next_id_;
  size_t in_flight_ = 0;         // requests submitted to a pool and not yet completed
  size_t running_on_fixed_ = 0;  // of those, on the fixed pool
  int64_t queued_bytes_ = 0;
  bool reads_paused_ = false;
  Connection* drain_ = nullptr;  // the one connection read while reads are paused
  bool accepting_ = true;
  bool fd_exhaustion_logged_ = false;
  int64_t accept_retry_ms_ = 0;
  int64_t next_idle_check_ms_ = 0;
  std::unordered_map<int, int64_t> refusal_logged_ms_;

  // Workers hand finished requests back here.
  std::mutex done_mu_;
  std::vector<Completion> done_;

  WorkerPool workers_;
  WorkerPool blocking_;
};

}  // namespace sluice::broker
