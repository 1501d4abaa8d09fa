#include "broker/server/frame_reader.h"

#include <algorithm>

namespace sluice::broker {
namespace {

// Small enough that thousands of peers each stuck after a header hold little.
constexpr size_t kFirstChunk = 4 * 1024;

}  // namespace

FrameReader::Status FrameReader::read(Transport& t, size_t max_read) {
  size_t taken = 0;
  while (declared_ < 0) {
    IoResult r = t.read({header_ + header_got_, 4 - header_got_});
    if (r.kind == IoResult::Kind::kWouldBlock) return Status::kNeedMore;
    if (r.kind != IoResult::Kind::kDone) return Status::kClosed;
    header_got_ += r.bytes;
    if (header_got_ < 4) continue;
    declared_ = int32_t(load_be32(header_));
    if (declared_ < 8 || declared_ > max_bytes_) return Status::kBadSize;
  }
  const size_t want = size_t(declared_);
  while (body_got_ < want) {
    if (taken >= max_read) return Status::kNeedMore;
    if (body_got_ == body_.size()) {
      // Grow only as bytes arrive: double what is held, never past the declared size.
      body_.resize(std::min(want, std::max(kFirstChunk, body_.size() * 2)));
    }
    IoResult r = t.read({body_.data() + body_got_, body_.size() - body_got_});
    if (r.kind == IoResult::Kind::kWouldBlock) return Status::kNeedMore;
    if (r.kind != IoResult::Kind::kDone) return Status::kClosed;
    body_got_ += r.bytes;
    taken += r.bytes;
  }
  return Status::kFrame;
}

Bytes FrameReader::take() {
  Bytes frame = std::move(body_);
  frame.resize(body_got_);
  body_.clear();
  header_got_ = 0;
  declared_ = -1;
  body_got_ = 0;
  return frame;
}

}  // namespace sluice::broker
