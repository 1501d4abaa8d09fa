// An append-only journal of text lines, replayed at start and replaced whole
// when compacted: the consumer offsets journal and the transaction state log.
//
// Invariant: the file holds whole lines only, apart from a torn last line a
// crash left (replay skips it). A failed append is cut back to the last whole
// line before the next append writes, so a later line can never be swallowed
// by half of an earlier one; with `sync`, append() returns only once the lines
// are fdatasync'ed. replace() is atomic: the old content or the new, never a
// mix (durable_file.h).
//
// Also the field encoding both journals use for names, which may hold spaces:
// "x" followed by the bytes in hex (hex_field / unhex_field).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace sluice::broker {

class LineJournal {
 public:
  // Nothing is opened until replace(), which every owner calls after replaying.
  LineJournal(std::filesystem::path path, bool sync);
  ~LineJournal();
  LineJournal(const LineJournal&) = delete;
  LineJournal& operator=(const LineJournal&) = delete;

  // Calls `apply` for each line of the file (none when it does not exist yet);
  // `apply` returns false for a line it cannot read (a torn last line from a
  // crash), and the count of those is logged as a warning naming the file.
  void replay(const std::function<bool(const std::string&)>& apply) const;
  // The file now holds exactly `content` (whole lines); appends follow it.
  // Throws StorageError naming the file.
  void replace(const std::string& content);
  // Appends whole lines. Throws StorageError (the file then ends where it did).
  void append(const std::string& lines);

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  bool sync_;
  int fd_ = -1;
  uint64_t bytes_ = 0;      // the file's length in whole lines
  bool torn_tail_ = false;  // a failed append left bytes past bytes_ it could not cut
};

std::string hex_field(std::string_view bytes);
// Throws std::runtime_error when `field` is not a hex field.
std::string unhex_field(const std::string& field);

}  // namespace sluice::broker
