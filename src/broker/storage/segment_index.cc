#include "broker/storage/segment_index.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "common/log.h"

namespace sluice::broker {

void OffsetEntry::encode(uint8_t* p) const {
  store_be32(p, relative_offset);
  store_be32(p + 4, position);
}
OffsetEntry OffsetEntry::decode(const uint8_t* p) {
  return {load_be32(p), load_be32(p + 4)};
}

void TimeEntry::encode(uint8_t* p) const {
  store_be64(p, uint64_t(timestamp));
  store_be32(p + 8, relative_offset);
}
TimeEntry TimeEntry::decode(const uint8_t* p) {
  return {int64_t(load_be64(p)), load_be32(p + 8)};
}

template <typename Entry>
bool IndexFile<Entry>::load(const std::function<bool(const Entry&)>& sane) {
  std::ifstream in(path_, std::ios::binary);
  if (!in) return false;
  Bytes b((std::istreambuf_iterator<char>(in)), {});
  if (b.size() % Entry::kSize != 0) return false;
  std::vector<Entry> loaded;
  for (size_t i = 0; i < b.size(); i += Entry::kSize) {
    Entry e = Entry::decode(&b[i]);
    if ((!loaded.empty() && !loaded.back().precedes(e)) || !sane(e)) return false;
    loaded.push_back(e);
  }
  std::lock_guard lock(mu_);
  entries_ = std::move(loaded);
  return true;
}

template <typename Entry>
void IndexFile<Entry>::write_out(const Bytes& b) {
  // A cache: a failed open or write only costs a rebuild at the next start.
  try {
    auto file = file_.lease();
    size_t done = 0;
    while (file && done < b.size()) {
      ssize_t n = ::write(file.fd(), b.data() + done, b.size() - done);
      if (n <= 0) {
        // A missing entry only makes lookups scan further, but half an entry would
        // shift every later one, so cut it off (a full disk can still shrink).
        struct stat st {};
        if (done > 0 && ::fstat(file.fd(), &st) == 0)
          (void)!::ftruncate(file.fd(), st.st_size - off_t(done));
        return;
      }
      done += size_t(n);
    }
  } catch (const std::runtime_error&) {
  }
}

template <typename Entry>
void IndexFile<Entry>::append(const Entry& e) {
  std::lock_guard lock(mu_);
  if (!entries_.empty() && !entries_.back().precedes(e)) return;
  entries_.push_back(e);
  Bytes b(Entry::kSize);
  e.encode(b.data());
  write_out(b);
}

template <typename Entry>
void IndexFile<Entry>::reset() {
  std::lock_guard lock(mu_);
  entries_.clear();
  // Later appends go straight to the emptied file, so a rebuild needs no final rewrite.
  try {
    auto file = file_.lease();
    if (file && ::ftruncate(file.fd(), 0) != 0) {
      log::warn("storage", "cannot empty {} before rebuilding it: {} (the next start rebuilds it)",
                path_.string(), std::strerror(errno));
    }
  } catch (const std::runtime_error&) {
  }
}

template <typename Entry>
void IndexFile<Entry>::remove() {
  std::lock_guard lock(mu_);
  file_.remove();
}

template <typename Entry>
std::optional<Entry> IndexFile<Entry>::back() const {
  std::lock_guard lock(mu_);
  if (entries_.empty()) return std::nullopt;
  return entries_.back();
}

template class IndexFile<OffsetEntry>;
template class IndexFile<TimeEntry>;

std::optional<OffsetEntry> OffsetIndex::floor(uint32_t relative_offset) const {
  return last_where([&](const OffsetEntry& x) { return x.relative_offset <= relative_offset; });
}

uint32_t OffsetIndex::lookup(uint32_t relative_offset) const {
  auto e = floor(relative_offset);
  return e ? e->position : 0;
}

uint32_t TimeIndex::lookup_before(int64_t timestamp) const {
  auto e = last_where([&](const TimeEntry& x) { return x.timestamp < timestamp; });
  return e ? e->relative_offset : 0;
}

int64_t TimeIndex::last_timestamp() const {
  auto e = back();
  return e ? e->timestamp : -1;
}

}  // namespace sluice::broker
