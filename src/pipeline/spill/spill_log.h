// One input partition's spill: an append-only run of segment files in one
// directory (format: docs/formats/spill-segment.md), read back in order.
//
// Invariants:
//  - offsets strictly increase across the whole log (append() refuses others);
//  - every segment but the newest was fsync'ed before the newest was created,
//    so only the newest can end in a torn entry, and opening the log cuts it;
//  - durable_end(): every entry below it is fsync'ed, and so is the directory
//    entry of its segment; reopening after kill -9 finds all of them;
//  - bytes() is the size of the files on disk and never exceeds max_bytes
//    because of append() (recovery may find more, written under a larger bound);
//  - records are removed only by discard_through(), a whole segment at a time
//    on disk: a reopened log may start below the last discard point.
//
// The crash point spill.append.partial (docs/reliability.md) dies with half an
// entry written, for the tests of the torn-tail rule.
//
// Not thread-safe: its owner (SpillingSink) holds a lock per partition.
// I/O failures throw SpillError naming the file.
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

#include "common/bytes.h"
#include "pipeline/record.h"

namespace sluice::pipeline::spill {

class SpillError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What opening the log found on disk.
struct SpillRecovery {
  int segments = 0;  // kept
  int64_t records = 0;
  int64_t dropped_bytes = 0;   // cut from a torn or corrupted entry on (later segments included)
  std::string dropped_reason;  // "FILE: why", when dropped_bytes > 0
};

class SpillLog {
 public:
  static constexpr uint64_t kDefaultSegmentBytes = 16 << 20;

  // Opens (creating `dir` if needed) and recovers what a previous process left.
  SpillLog(std::filesystem::path dir, uint64_t max_bytes,
           uint64_t segment_bytes = kDefaultSegmentBytes);
  ~SpillLog();
  SpillLog(const SpillLog&) = delete;
  SpillLog& operator=(const SpillLog&) = delete;

  const SpillRecovery& recovery() const { return recovery_; }
  const std::filesystem::path& dir() const { return dir_; }

  // Writes `record` after the others (not yet durable: see sync()). False when
  // it would take bytes() over max_bytes. Throws SpillError for an offset not
  // above end() or a failed write.
  bool append(const Record& record);
  // fsyncs what append() wrote (and the directory after segments came or went).
  void sync();

  bool empty() const { return segments_.empty(); }
  // No record below it is kept (-1 when empty).
  int64_t first() const { return segments_.empty() ? -1 : start_; }
  // The offset after the last record appended or recovered (-1: none since
  // open or clear()); kept when discard_through() empties the log.
  int64_t end() const { return end_; }
  // Every record below it is fsync'ed (-1: none); kept like end().
  int64_t durable_end() const { return durable_end_; }
  uint64_t bytes() const { return bytes_; }
  uint64_t max_bytes() const { return max_bytes_; }

  // The record at the read position (topic and partition left empty), or
  // nullopt when every record has been read. The position starts at first().
  const Record* peek();
  // Moves the read position past the record peek() returned.
  void advance();
  // Offset of the next record to read, or end() when all are read.
  int64_t read_position();
  bool unread() { return peek() != nullptr; }

  // Records below `offset` are no longer needed: forgets them, moves the read
  // position past them and deletes every segment holding only such records.
  void discard_through(int64_t offset);
  // Deletes every segment: the log is empty, as if new.
  void clear();

 private:
  struct Segment {
    std::filesystem::path path;
    int64_t first = -1;  // offset of its first entry
    int64_t last = -1;   // of its last entry
    uint64_t bytes = 0;  // of the file, magic included
  };

  void recover();
  void start_segment(int64_t first_offset);
  void close_writer();
  void remove_segment(const Segment& segment);
  void read_frame(const Segment& segment);
  void close_reader();

  std::filesystem::path dir_;
  uint64_t max_bytes_;
  uint64_t segment_bytes_;
  SpillRecovery recovery_;
  std::deque<Segment> segments_;
  uint64_t bytes_ = 0;
  int64_t start_ = -1;  // discard point: records below are gone (within segments_.front())
  int64_t end_ = -1;
  int64_t durable_end_ = -1;
  int writer_ = -1;           // the newest segment, open for appending
  bool unsynced_ = false;     // appended since the last sync
  bool dir_changed_ = false;  // a segment created or removed since the last sync
  Bytes encoded_;

  // Read position: segments_[read_segment_] at byte read_pos_ (a frame's start).
  size_t read_segment_ = 0;
  uint64_t read_pos_ = 0;
  std::optional<Record> peeked_;
  size_t peeked_bytes_ = 0;
  Bytes frame_;
  int reader_ = -1;  // the file of segments_[read_segment_], open for reading
  std::filesystem::path reader_path_;
};

}  // namespace sluice::pipeline::spill
