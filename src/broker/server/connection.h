// One client connection as the event loop holds it.
//
// Ownership and threads: the I/O thread owns every field, except that while
// state is kRunning a worker thread reads `request` and reads/writes `session`
// and the I/O thread leaves both alone. At most one request per connection is
// running or parked at a time, and reading is muted meanwhile, so responses go
// out in request order (Kafka mutes a channel the same way). A connection whose
// socket closes while its request runs stays alive, fd -1, until the worker
// hands the request back.
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

  std::deque<ResponseFrame> outbox;  // answers not yet fully written, in request order
  size_t front_written = 0;          // bytes of outbox.front() already written
  int64_t last_active_ms = 0;        // last byte read or written, for connections.max.idle.ms
};

}  // namespace sluice::broker
