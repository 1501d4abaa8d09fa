// Assembles one size-prefixed Kafka request frame from whatever bytes arrive.
//
// Invariant: the memory held never exceeds what the peer actually sent (plus at
// most one growth step): a 4-byte header declaring 100 MiB allocates nothing
// until body bytes come, and the buffer then grows geometrically, capped at the
// declared size. A declared size outside 8..max_bytes is refused before any
// allocation. held() is what the broker's queued.max.request.bytes budget counts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "broker/server/transport.h"
#include "common/bytes.h"

namespace sluice::broker {

class FrameReader {
 public:
  enum class Status {
    kNeedMore,  // the transport has nothing more for now
    kFrame,     // a whole frame is ready: take() it
    kClosed,    // the peer closed (or the socket failed)
    kBadSize,   // the declared size is outside 8..max_bytes; see bad_size()
  };

  explicit FrameReader(int32_t max_bytes) : max_bytes_(max_bytes) {}

  // Reads until a frame completes, the transport would block, or `max_read`
  // body bytes were taken in this call (so one busy peer cannot hog the loop).
  Status read(Transport& t, size_t max_read);
  // The finished frame (without its size prefix); the reader starts the next one.
  Bytes take();

  size_t held() const { return body_.size(); }
  bool in_progress() const { return header_got_ > 0; }
  int64_t bad_size() const { return declared_; }

 private:
  int32_t max_bytes_;
  uint8_t header_[4] = {};
  size_t header_got_ = 0;
  int64_t declared_ = -1;  // body size once the header is complete
  size_t body_got_ = 0;
  Bytes body_;  // size() is the allocated prefix, >= body_got_
};

}  // namespace sluice::broker
