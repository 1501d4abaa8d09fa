#include "broker/server/event_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "broker/server/listen_socket.h"
#include "common/clock.h"
#include "common/log.h"

namespace sluice::broker {
namespace {

// epoll keys: the wake-up eventfd, then one per listener, then connections.
constexpr uint64_t kWakeKey = 0;
constexpr uint64_t kFirstConnectionKey = uint64_t(1) << 32;

constexpr int16_t kProduceKey = 0;
constexpr int16_t kJoinGroupKey = 11;
constexpr int16_t kSyncGroupKey = 14;

constexpr size_t kMaxReadPerEvent = 1 << 20;  // one busy peer cannot hog the loop
constexpr int kMaxAcceptsPerEvent = 64;
constexpr int64_t kAcceptRetryMs = 1000;
constexpr int64_t kHousekeepingMs = 1000;
// A parked Fetch runs again (on a worker, over all its partitions) when any
// partition's data moves. One that waits for min_bytes > 1 seldom completes on
// a single append, so it runs at most this often: at a busy broker's thousands
// of appends a second, re-running every such Fetch on each one cost more CPU
// than the Fetches themselves. It answers at most this much later than Kafka's
// (whose DelayedFetch counts bytes on each append); a min_bytes of 1 is not held.
constexpr int64_t kMinBytesRecheckMs = 10;
constexpr int64_t kRefusalLogEveryMs = 10'000;
constexpr int64_t kElasticIdleExitMs = 30'000;
constexpr size_t kMaxIovecs = 32;

// JoinGroup and SyncGroup wait inside the group coordinator (on its condition
// variable) until the rebalance completes; they get threads of their own.
bool blocks_in_coordinator(int16_t api_key) {
  return api_key == kJoinGroupKey || api_key == kSyncGroupKey;
}

void epoll_set(int epoll_fd, int op, int fd, uint32_t events, uint64_t key) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = key;
  if (::epoll_ctl(epoll_fd, op, fd, &ev) != 0 && op != EPOLL_CTL_DEL)
    log::error("broker", "epoll_ctl on fd {} failed: {}", fd, std::strerror(errno));
}

std::pair<std::string, std::string> describe_peer(const sockaddr_storage& addr) {
  char ip[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (addr.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(addr);
    ::inet_ntop(AF_INET, &a.sin_addr, ip, sizeof ip);
    port = ntohs(a.sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(addr);
    ::inet_ntop(AF_INET6, &a.sin6_addr, ip, sizeof ip);
    port = ntohs(a.sin6_port);
  }
  return {ip, std::string(ip) + ":" + std::to_string(port)};
}

}  // namespace

EventServer::EventServer(BrokerContext& ctx)
    : ctx_(ctx),
      stats_(ctx.connections),
      next_id_(kFirstConnectionKey),
      workers_({.fixed_threads = size_t(std::max(1, ctx.options.num_io_threads)),
                .elastic = false,
                .idle_exit_ms = kElasticIdleExitMs},
               ctx.connections.server_threads),
      blocking_({.fixed_threads = 0,
                 .elastic = true,
                 .max_threads = size_t(std::max(1, ctx.options.max_group_wait_threads)),
                 .idle_exit_ms = kElasticIdleExitMs},
                ctx.connections.server_threads) {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0) {
    const int error = errno;
    close_descriptors();
    throw std::runtime_error(std::string("cannot create the broker's event loop: ") +
                             std::strerror(error));
  }
  epoll_set(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, EPOLLIN, kWakeKey);
  auto& configs = ctx_.options.listeners;
  try {
    const bool any_tls = std::any_of(configs.begin(), configs.end(), [](const ListenerConfig& l) {
      return l.security_protocol.ends_with("SSL");
    });
    if (any_tls) tls_ = std::make_unique<TlsContext>(ctx_.options.tls);
    for (size_t i = 0; i < configs.size(); ++i) {
      Listening l;
      l.index = i;
      l.fd = open_listen_socket(configs[i].host, configs[i].port, configs[i].port);
      listeners_.push_back(l);
      epoll_set(epoll_fd_, EPOLL_CTL_ADD, l.fd, EPOLLIN, i + 1);
    }
  } catch (...) {
    close_descriptors();  // the destructor does not run for a constructor that throws
    throw;
  }
  // Parked fetches run again when a produce moves the data signal.
  ctx_.data.on_notify([this] { wake(); });
}

EventServer::~EventServer() {
  stop();
  workers_.stop();
  blocking_.stop();
  ctx_.data.on_notify(nullptr);
  for (auto& [id, c] : connections_)
    if (c->fd >= 0) ::close(c->fd);
  close_descriptors();
}

void EventServer::close_descriptors() {
  for (Listening& l : listeners_)
    if (l.fd >= 0) ::close(std::exchange(l.fd, -1));
  if (wake_fd_ >= 0) ::close(std::exchange(wake_fd_, -1));
  if (epoll_fd_ >= 0) ::close(std::exchange(epoll_fd_, -1));
}

void EventServer::wake() {
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

void EventServer::stop() {
  if (!stopping_.exchange(true)) wake();
}

void EventServer::run() {
  stats_.server_threads.fetch_add(1);
  std::vector<epoll_event> events(256);
  while (!stopping_) {
    int n = ::epoll_wait(epoll_fd_, events.data(), int(events.size()), next_timeout_ms(mono_ms()));
    if (n < 0 && errno != EINTR) {
      log::error("broker", "epoll_wait failed: {}", std::strerror(errno));
      break;
    }
    for (int i = 0; i < n; ++i) handle_event(events[size_t(i)].data.u64, events[size_t(i)].events);
    read_buffered();
    run_completions();
    wake_parked_fetches();
    const int64_t now = mono_ms();
    if (!accepting_ && now >= accept_retry_ms_) resume_accepting();
    if (now >= next_idle_check_ms_) {
      close_idle_connections(now);
      next_idle_check_ms_ = now + kHousekeepingMs;
    }
    update_backpressure();
    reap_closed();
  }
  shut_down();
  stats_.server_threads.fetch_sub(1);
}

int EventServer::next_timeout_ms(int64_t now) const {
  int64_t until = next_idle_check_ms_;
  if (!accepting_) until = std::min(until, accept_retry_ms_);
  if (!buffered_.empty()) until = now;
  const uint64_t version = parked_.empty() ? 0 : ctx_.data.version();
  for (const Connection* c : parked_) {
    until = std::min(until, c->fetch_deadline_ms);
    if (c->data_version_seen != version) until = std::min(until, c->fetch_recheck_ms);
  }
  return int(std::clamp<int64_t>(until - now, 0, kHousekeepingMs));
}

void EventServer::handle_event(uint64_t key, uint32_t events) {
  if (key == kWakeKey) {
    uint64_t count;
    [[maybe_unused]] ssize_t n = ::read(wake_fd_, &count, sizeof count);
    return;
  }
  if (key < kFirstConnectionKey) {
    if (accepting_) accept_from(listeners_[size_t(key - 1)]);
    return;
  }
  auto it = connections_.find(key);
  if (it == connections_.end()) return;
  Connection& c = *it->second;
  if (c.fd < 0) return;
  if (events & EPOLLOUT) flush_outbox(c);
  // A TLS handshake waiting for the socket to be writable continues as a read.
  const bool handshake_writable = (events & EPOLLOUT) && c.transport->wants_write();
  if (c.fd >= 0 && ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) || handshake_writable)) {
    if (may_read(c)) {
      read_requests(c);
    } else if (events & (EPOLLHUP | EPOLLERR)) {
      close_connection(c);  // muted, but the peer is gone for good
    }
  }
  if (c.fd >= 0) update_interest(c);
}

void EventServer::accept_from(const Listening& l) {
  for (int i = 0; i < kMaxAcceptsPerEvent && accepting_; ++i) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    int fd =
        ::accept4(l.fd, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        // The backlog is drained with descriptors to spare: the shortage is over.
        // (Recovering only here, not at the first accept that succeeds, keeps a
        // limit that frees and fills one descriptor at a time to a single warning.)
        if (fd_exhaustion_logged_) {
          log::info("broker", "descriptors are free again: accepting connections");
          fd_exhaustion_logged_ = false;
        }
        return;
      }
      if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        pause_accepting(errno);
        return;
      }
      log::warn("broker", "accept on listener '{}' failed: {}",
                ctx_.options.listeners[l.index].name, std::strerror(errno));
      return;
    }
    auto [host, peer] = describe_peer(addr);
    admit(fd, host, peer, l);
  }
}

void EventServer::admit(int fd, const std::string& host, const std::string& peer,
                        const Listening& l) {
  if (stats_.open.load() >= ctx_.options.max_connections)
    return refuse(fd, ConnectionStats::Refusal::kMaxConnections, peer);
  auto known = per_ip_.find(host);
  const int64_t from_host = known == per_ip_.end() ? 0 : known->second;
  if (from_host >= ctx_.options.max_connections_per_ip)
    return refuse(fd, ConnectionStats::Refusal::kMaxConnectionsPerIp, peer);
  per_ip_[host] = from_host + 1;
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  const uint64_t id = next_id_++;
  auto conn = std::make_unique<Connection>(id, fd, ctx_.options.max_request_bytes);
  const ListenerConfig& config = ctx_.options.listeners[l.index];
  conn->session.peer = peer;
  conn->session.host = host;
  conn->session.listener = config.name;
  conn->session.security_protocol = config.security_protocol;
  if (config.security_protocol.ends_with("SSL")) {
    try {
      conn->transport = tls_transport(fd, *tls_, conn->session, stats_.tls_handshake_failures);
    } catch (const std::exception& e) {
      log::warn("broker", "closing connection from {}: {}", peer, e.what());
      if (--per_ip_[host] <= 0) per_ip_.erase(host);
      ::close(fd);
      return;
    }
  }
  conn->last_active_ms = mono_ms();
  Connection& c = *conn;
  connections_.emplace(id, std::move(conn));
  stats_.open.fetch_add(1);
  stats_.accepted.fetch_add(1);
  epoll_set(epoll_fd_, EPOLL_CTL_ADD, fd, 0, id);
  update_interest(c);
}

void EventServer::refuse(int fd, ConnectionStats::Refusal why, const std::string& peer) {
  stats_.refused(why);  // before the close, so a peer that sees it closed sees it counted
  ::close(fd);
  int64_t& last = refusal_logged_ms_[int(why)];
  const int64_t now = mono_ms();
  if (now - last < kRefusalLogEveryMs && last != 0) return;
  last = now;
  const bool total = why == ConnectionStats::Refusal::kMaxConnections;
  log::warn("broker",
            "refusing connection from {}: {} ({}) reached; further refusals are "
            "counted in sluice_broker_connections_refused_total and logged at most every {} s",
            peer, total ? "max.connections" : "max.connections.per.ip",
            total ? ctx_.options.max_connections : ctx_.options.max_connections_per_ip,
            kRefusalLogEveryMs / 1000);
}

// The listeners leave the epoll set: level-triggered readiness on a backlog we
// cannot accept from would otherwise wake the loop forever.
void EventServer::pause_accepting(int error) {
  accepting_ = false;
  accept_retry_ms_ = mono_ms() + kAcceptRetryMs;
  for (const Listening& l : listeners_) epoll_set(epoll_fd_, EPOLL_CTL_MOD, l.fd, 0, l.index + 1);
  stats_.refused(ConnectionStats::Refusal::kFdExhausted);
  if (fd_exhaustion_logged_) return;
  fd_exhaustion_logged_ = true;
  log::warn("broker",
            "cannot accept connections: {} ({} connections open); accepting is paused until a "
            "connection closes (retried every {} ms). Raise the open-file limit (ulimit -n) "
            "or lower max.connections",
            std::strerror(error), stats_.open.load(), kAcceptRetryMs);
}

void EventServer::resume_accepting() {
  if (accepting_ || stopping_) return;
  accepting_ = true;
  for (const Listening& l : listeners_)
    epoll_set(epoll_fd_, EPOLL_CTL_MOD, l.fd, EPOLLIN, l.index + 1);
}

void EventServer::read_requests(Connection& c) {
  const int64_t held_before = int64_t(c.reader.held());
  FrameReader::Status status = c.reader.read(*c.transport, kMaxReadPerEvent);
  add_queued(int64_t(c.reader.held()) - held_before);
  c.last_active_ms = mono_ms();
  switch (status) {
    case FrameReader::Status::kNeedMore:
      return;
    case FrameReader::Status::kClosed:
      return close_connection(c);
    case FrameReader::Status::kBadSize:
      log::warn("broker", "closing connection from {}: request frame of {} bytes is outside 8..{}",
                c.session.peer, c.reader.bad_size(), ctx_.options.max_request_bytes);
      return close_connection(c);
    case FrameReader::Status::kFrame:
      break;
  }
  const int64_t held = int64_t(c.reader.held());
  c.request = c.reader.take();
  add_queued(int64_t(c.request.size()) - held);
  c.request_arrived_ms = c.last_active_ms;
  ctx_.requests.received(frame_api_key(c.request), c.request.size() + 4);
  if (!c.awaited.empty() && frame_api_key(c.request) != kProduceKey) {
    c.state = Connection::State::kHeld;  // runs once the Produces before it are answered
    return;
  }
  submit(c, true);
}

void EventServer::submit(Connection& c, bool may_wait) {
  c.state = Connection::State::kRunning;
  ++in_flight_;
  Connection* conn = &c;
  auto task = [this, conn, may_wait] {
    Completion done;
    done.conn = conn;
    done.data_version_seen = ctx_.data.version();
    done.result = dispatch_request(ctx_, conn->session, conn->request, may_wait);
    // A written Produce: hand the connection back first, so its next request is
    // read while this worker waits for the sync, then commit on this same thread
    // (one hand-off less per Produce than queueing the commit as a new task).
    std::function<DispatchResult()> commit = std::move(done.result.commit);
    if (done.result.kind == DispatchResult::Kind::kCommitPending) {
      done.commit_of = std::make_shared<Connection::AwaitedAnswer>();
    }
    auto slot = done.commit_of;
    hand_back(std::move(done));
    if (!slot) return;
    Completion committed;
    committed.conn = conn;
    committed.commit_of = std::move(slot);
    committed.is_commit = true;
    committed.result = commit();
    hand_back(std::move(committed));
  };
  if (blocks_in_coordinator(frame_api_key(c.request))) {
    blocking_.submit(std::move(task));
  } else {
    ++running_on_fixed_;
    workers_.submit(std::move(task));
  }
}

void EventServer::hand_back(Completion done) {
  {
    std::lock_guard lock(done_mu_);
    done_.push_back(std::move(done));
  }
  wake();
}

void EventServer::run_completions() {
  std::vector<Completion> done;
  {
    std::lock_guard lock(done_mu_);
    done.swap(done_);
  }
  for (Completion& d : done) {
    --in_flight_;
    if (d.is_commit) {
      commit_completed(d);
    } else {
      request_completed(d);
    }
  }
}

void EventServer::request_completed(Completion& d) {
  Connection& c = *d.conn;
  if (!blocks_in_coordinator(frame_api_key(c.request))) --running_on_fixed_;
  // Its commit already runs on the worker: counted before anything can close `c`.
  if (d.result.kind == DispatchResult::Kind::kCommitPending) await_commit(c, d.commit_of);
  if (c.fd < 0 || stopping_) {
    c.state = Connection::State::kReading;
    return close_connection(c);
  }
  switch (d.result.kind) {
    case DispatchResult::Kind::kRespond:
    case DispatchResult::Kind::kNoResponse:
      answer(c, std::move(d.result));
      return finish_request(c);
    case DispatchResult::Kind::kClose:
      c.state = Connection::State::kReading;
      return close_connection(c);
    case DispatchResult::Kind::kWaitForData:
      c.state = Connection::State::kParked;
      c.fetch_deadline_ms = c.request_arrived_ms + d.result.max_wait_ms;
      c.data_version_seen = d.data_version_seen;
      c.fetch_recheck_ms = d.result.min_bytes > 1 ? mono_ms() + kMinBytesRecheckMs : 0;
      parked_.insert(&c);
      stats_.parked_fetches.store(int64_t(parked_.size()));
      return;
    case DispatchResult::Kind::kCommitPending:
      return finish_request(c);
  }
}

void EventServer::await_commit(Connection& c, std::shared_ptr<Connection::AwaitedAnswer> slot) {
  c.awaited.push_back(std::move(slot));
  ++c.commits_running;
  ++in_flight_;
  ++running_on_fixed_;
}

void EventServer::commit_completed(Completion& d) {
  Connection& c = *d.conn;
  --running_on_fixed_;
  --c.commits_running;
  d.commit_of->result = std::move(d.result);
  d.commit_of->done = true;
  if (c.fd < 0 || stopping_) {
    if (c.commits_running == 0) close_connection(c);  // the last one forgets it
    return;
  }
  settle_awaited(c);
  if (c.fd >= 0) update_interest(c);
}

void EventServer::answer(Connection& c, DispatchResult result) {
  if (c.awaited.empty()) {
    if (result.kind == DispatchResult::Kind::kRespond) {
      ctx_.requests.sent(result.response.size());
      c.outbox.push_back(std::move(result.response));
    }
    return;
  }
  auto slot = std::make_shared<Connection::AwaitedAnswer>();
  slot->done = true;
  slot->result = std::move(result);
  c.awaited.push_back(std::move(slot));
}

void EventServer::settle_awaited(Connection& c) {
  while (!c.awaited.empty() && c.awaited.front()->done) {
    DispatchResult result = std::move(c.awaited.front()->result);
    c.awaited.pop_front();
    if (result.kind == DispatchResult::Kind::kClose) return close_connection(c);
    if (result.kind == DispatchResult::Kind::kRespond) {
      ctx_.requests.sent(result.response.size());
      c.outbox.push_back(std::move(result.response));
    }
  }
  flush_outbox(c);
  if (c.fd >= 0 && c.awaited.empty() && c.state == Connection::State::kHeld) submit(c, true);
}

bool EventServer::may_read(const Connection& c) const {
  return c.state == Connection::State::kReading && c.outbox.empty() &&
         c.awaited.size() < Connection::kMaxAwaitedAnswers;
}

void EventServer::finish_request(Connection& c) {
  add_queued(-int64_t(c.request.size()));
  Bytes().swap(c.request);
  c.state = Connection::State::kReading;
  settle_awaited(c);
  if (c.fd >= 0) update_interest(c);
}

void EventServer::wake_parked_fetches() {
  if (parked_.empty()) return;
  const uint64_t version = ctx_.data.version();
  const int64_t now = mono_ms();
  std::vector<Connection*> due;
  for (Connection* c : parked_)
    if ((c->data_version_seen != version && now >= c->fetch_recheck_ms) ||
        now >= c->fetch_deadline_ms || stopping_)
      due.push_back(c);
  for (Connection* c : due) {
    parked_.erase(c);
    submit(*c, now < c->fetch_deadline_ms && !stopping_);
  }
  stats_.parked_fetches.store(int64_t(parked_.size()));
}

void EventServer::flush_outbox(Connection& c) {
  while (!c.outbox.empty()) {
    iovec iov[kMaxIovecs];
    size_t count = 0;
    size_t skip = c.front_written;
    for (auto it = c.outbox.begin(); it != c.outbox.end() && count + 2 <= kMaxIovecs; ++it) {
      std::span<uint8_t> parts[2] = {{it->head.data(), it->head_len}, it->body};
      for (std::span<uint8_t> part : parts) {
        if (skip >= part.size()) {
          skip -= part.size();
          continue;
        }
        iov[count++] = {part.data() + skip, part.size() - skip};
        skip = 0;
      }
    }
    IoResult r = c.transport->write({iov, count});
    if (r.kind == IoResult::Kind::kWouldBlock) return;
    if (r.kind != IoResult::Kind::kDone) return close_connection(c);
    c.last_active_ms = mono_ms();
    size_t written = c.front_written + r.bytes;
    while (!c.outbox.empty() && written >= c.outbox.front().size()) {
      written -= c.outbox.front().size();
      c.outbox.pop_front();
    }
    c.front_written = written;
  }
}

void EventServer::update_interest(Connection& c) {
  uint32_t want = 0;
  if (may_read(c) && (!reads_paused_ || drain_ == &c)) want |= EPOLLIN;
  if (!c.outbox.empty() || ((want & EPOLLIN) && c.transport->wants_write())) want |= EPOLLOUT;
  if ((want & EPOLLIN) && c.transport->has_buffered()) buffered_.insert(c.id);
  if (want == c.epoll_events) return;
  c.epoll_events = want;
  epoll_set(epoll_fd_, EPOLL_CTL_MOD, c.fd, want, c.id);
}

// Bytes a TLS transport already decrypted do not make the socket readable:
// read them as if it were.
void EventServer::read_buffered() {
  std::unordered_set<uint64_t> due;
  due.swap(buffered_);
  for (uint64_t id : due) {
    auto it = connections_.find(id);
    if (it == connections_.end()) continue;
    Connection& c = *it->second;
    if (c.fd < 0 || !may_read(c)) continue;
    if (reads_paused_ && drain_ != &c) continue;
    read_requests(c);
    if (c.fd >= 0) update_interest(c);
  }
}

void EventServer::close_connection(Connection& c) {
  if (c.fd >= 0) {
    ::close(c.fd);  // also leaves the epoll set
    c.fd = -1;
    stats_.open.fetch_sub(1);
    auto ip = per_ip_.find(c.session.host);
    if (ip != per_ip_.end() && --ip->second <= 0) per_ip_.erase(ip);
    add_queued(-int64_t(c.reader.held()));
    c.reader = FrameReader(ctx_.options.max_request_bytes);
    if (drain_ == &c) drain_ = nullptr;
    if (parked_.erase(&c) > 0) c.state = Connection::State::kReading;
    resume_accepting();  // a descriptor just came free
  }
  // A running request still uses `request` and `session`, a running commit the
  // connection itself: forget it when the last worker hands it back.
  if (c.state != Connection::State::kRunning && c.commits_running == 0) forget(c);
}

// Callers up the stack may still hold `c`: it is destroyed by reap_closed() at
// the end of the loop's turn.
void EventServer::forget(Connection& c) {
  add_queued(-int64_t(c.request.size()));
  Bytes().swap(c.request);
  closed_.push_back(c.id);
}

void EventServer::reap_closed() {
  for (uint64_t id : closed_) connections_.erase(id);
  closed_.clear();
}

void EventServer::close_idle_connections(int64_t now) {
  const int64_t idle_ms = ctx_.options.connections_max_idle_ms;
  if (idle_ms <= 0) return;
  std::vector<Connection*> idle;
  for (auto& [id, c] : connections_) {
    // A peer that stopped reading its responses makes no progress either: idle too.
    if (c->fd >= 0 && c->state == Connection::State::kReading && c->awaited.empty() &&
        now - c->last_active_ms >= idle_ms)
      idle.push_back(c.get());
  }
  for (Connection* c : idle) {
    log::debug("broker", "closing connection from {}: idle for {} ms (connections.max.idle.ms)",
               c->session.peer, now - c->last_active_ms);
    stats_.refused(ConnectionStats::Refusal::kIdle);
    close_connection(*c);
  }
}

void EventServer::add_queued(int64_t delta) {
  queued_bytes_ += delta;
  stats_.queued_request_bytes.store(queued_bytes_, std::memory_order_relaxed);
}

// Over queued.max.request.bytes no socket is read, except one "drain" connection
// chosen when no request on the fixed pool can free memory: without it, partial
// frames alone could hold the whole budget and nothing would ever complete.
void EventServer::update_backpressure() {
  const bool over = queued_bytes_ > ctx_.options.queued_max_request_bytes;
  Connection* drain = nullptr;
  if (over) {
    const bool drain_valid = drain_ && drain_->fd >= 0 &&
                             drain_->state == Connection::State::kReading &&
                             drain_->reader.in_progress();
    if (drain_valid) {
      drain = drain_;
    } else if (running_on_fixed_ == 0) {
      for (auto& [id, c] : connections_) {
        if (c->fd < 0 || c->state != Connection::State::kReading || !c->reader.in_progress())
          continue;
        if (!drain || c->reader.held() > drain->reader.held()) drain = c.get();
      }
    }
  }
  if (over == reads_paused_ && drain == drain_) return;
  if (over && !reads_paused_)
    log::warn("broker",
              "{} request bytes held in memory exceed queued.max.request.bytes ({}): pausing "
              "reads until requests finish",
              queued_bytes_, ctx_.options.queued_max_request_bytes);
  reads_paused_ = over;
  drain_ = drain;
  for (auto& [id, c] : connections_)
    if (c->fd >= 0) update_interest(*c);
}

void EventServer::shut_down() {
  for (Listening& l : listeners_)
    if (l.fd >= 0) ::close(std::exchange(l.fd, -1));
  std::vector<Connection*> all;
  for (auto& [id, c] : connections_) all.push_back(c.get());
  for (Connection* c : all) close_connection(*c);
  // Running requests finish (Broker::stop woke fetches and the coordinator).
  while (in_flight_ > 0) {
    epoll_event ev{};
    if (::epoll_wait(epoll_fd_, &ev, 1, 100) > 0) handle_event(ev.data.u64, ev.events);
    run_completions();
  }
  reap_closed();
}

}  // namespace sluice::broker
