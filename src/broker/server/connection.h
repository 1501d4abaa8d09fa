// One client connection as the event loop holds it.
//
// Ownership and threads: the I/O thread owns every field, except that while
// state is kRunning a worker thread reads `request` and reads/writes `session`
// and the I/O thread leaves both alone. At most one request per connection is
// running or parked at a time, and reading is muted meanwhile, so responses go
// out in request order (Kafka mutes a channel the same way).
//
// One exception, for throughput under flush `always`: a Produce whose batches
// are written and only wait for their sync (kCommitPending) frees the
// connection, and its answer waits in `awaited`, in request order. The next
// request is then read: a Produce runs at once (its writes come after the
// previous one's, so per-partition order and idempotence checks hold, and its
// sync can be shared); anything else is held (kHeld) until every awaited
// answer is in, so it sees what the Produces before it wrote, as in Kafka.
// At most kMaxAwaitedAnswers wait at a time.
//
// A connection whose socket closes while a request or a commit runs stays
// alive, fd -1, until the worker hands it back.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>

#include "broker/server/frame_reader.h"
#include "broker/server/request_dispatch.h"
#include "broker/server/session.h"
#include "broker/server/transport.h"

namespace sluice::broker {

struct Connection {
  enum class State {
    kReading,  // assembling the next request frame
    kRunning,  // a worker handles `request`
    kParked,   // a Fetch waits for data or its deadline, on no thread
    kHeld,     // `request` waits for the awaited answers before it runs
  };
  static constexpr size_t kMaxAwaitedAnswers = 5;  // librdkafka's and Java's max.in.flight

  // The answer of a request answered out of the connection's turn: a Produce's
  // commit, or anything that finished while such commits were awaited.
  struct AwaitedAnswer {
    bool done = false;
    DispatchResult result;
  };

  Connection(uint64_t key, int socket_fd, int32_t max_request_bytes)
      : id(key), fd(socket_fd), transport(plain_transport(socket_fd)), reader(max_request_bytes) {}

  uint64_t id;
  int fd;  // -1 once closed
  std::unique_ptr<Transport> transport;
  Session session;
  FrameReader reader;
  State state = State::kReading;
  uint32_t epoll_events = 0;  // the interest registered now

  Bytes request;                   // the frame being handled (without its size prefix)
  int64_t request_arrived_ms = 0;  // mono_ms(); a parked Fetch's wait counts from here
  int64_t fetch_deadline_ms = 0;   // kParked: answer with what there is at this time
  uint64_t data_version_seen = 0;  // kParked: run again once ctx.data moves past it
  int64_t fetch_recheck_ms = 0;    // kParked: ... but not before this time (min_bytes > 1)

  std::deque<std::shared_ptr<AwaitedAnswer>> awaited;  // in request order, before `outbox`'s
  int commits_running = 0;                             // commits on a worker for `awaited`
  std::deque<ResponseFrame> outbox;  // answers not yet fully written, in request order
  size_t front_written = 0;          // bytes of outbox.front() already written
  int64_t last_active_ms = 0;        // last byte read or written, for connections.max.idle.ms
};

}  // namespace sluice::broker
