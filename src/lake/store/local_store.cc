#include "lake/store/local_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>

#include "common/crash_point.h"
#include "lake/store/key_rules.h"

namespace sluice::lake {
namespace fs = std::filesystem;
namespace {

// Closes the descriptor on every path out, including exceptions.
struct Fd {
  int fd;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

std::string random_suffix() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

int64_t mtime_ms(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
}

// A rename or link is durable only once the directory holding the entry is synced.
int fsync_dir(const fs::path& dir) {
  Fd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d.fd < 0 || ::fsync(d.fd) != 0) return errno;
  return 0;
}

int write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return 0;
}

// Writes the temp file's bytes in two halves with the crash point
// "store.put.partial" between them, so a test can kill the process while the
// file holds part of the object (docs/reliability.md "Crash points").
int write_temp(int fd, std::string_view data) {
  const size_t half = data.size() / 2;
  if (int err = write_all(fd, data.substr(0, half)); err != 0) return err;
  crash_point("store.put.partial");
  return write_all(fd, data.substr(half));
}

}  // namespace

LocalStore::LocalStore(fs::path root) : root_(fs::absolute(std::move(root)).lexically_normal()) {
  std::string s = root_.string();
  if (s.size() > 1 && s.back() == '/') root_ = s.substr(0, s.size() - 1);
  std::error_code ec;
  fs::create_directories(root_, ec);
  if (ec || !fs::is_directory(root_)) {
    throw StoreError(url() + ": cannot create or open the store directory: " +
                     (ec ? ec.message() : "not a directory") +
                     "; check the path and that sluice may write there");
  }
}

fs::path LocalStore::path_of(const std::string& key) const {
  check_key(url(), key);
  return root_ / key;
}

void LocalStore::fail(const char* op, const std::string& key, int err,
                      const std::string& detail) const {
  throw StoreError(url() + ": " + op + " '" + key + "' failed: " + detail + ": " +
                   std::strerror(err) + "; check permissions and free space under " +
                   root_.string());
}

bool LocalStore::put(const std::string& key, std::string_view data, PutMode mode) {
  const fs::path target = path_of(key);
  const fs::path dir = target.parent_path();
  std::error_code ec;
  if (fs::create_directories(dir, ec)) {
    // New directories must reach the disk too, or a crash could lose the whole subtree.
    for (fs::path d = dir; d != root_ && d.has_relative_path(); d = d.parent_path())
      fsync_dir(d.parent_path());
  }
  if (ec) fail("put", key, ec.value(), "cannot create directory " + dir.string());

  const fs::path temp =
      dir / (std::string(kTempPrefix) + target.filename().string() + "-" + random_suffix());
  int err = 0;
  {
    Fd f(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (f.fd < 0) fail("put", key, errno, "cannot create temp file " + temp.string());
    err = write_temp(f.fd, data);
    if (err == 0 && ::fsync(f.fd) != 0) err = errno;
  }
  if (err != 0) {
    ::unlink(temp.c_str());
    fail("put", key, err, "cannot write temp file " + temp.string());
  }

  bool written = true;
  if (mode == PutMode::kOverwrite) {
    if (::rename(temp.c_str(), target.c_str()) != 0) {
      err = errno;
      ::unlink(temp.c_str());
      fail("put", key, err, "cannot rename the temp file into place");
    }
  } else {
    // link() refuses an existing target atomically: the filesystem arbitrates racing writers.
    if (::link(temp.c_str(), target.c_str()) != 0) {
      err = errno;
      ::unlink(temp.c_str());
      if (err != EEXIST) fail("put", key, err, "cannot link the temp file into place");
      written = false;
    } else {
      ::unlink(temp.c_str());
    }
  }
  if (written && (err = fsync_dir(dir)) != 0) fail("put", key, err, "cannot sync " + dir.string());
  return written;
}

std::optional<std::string> LocalStore::get(const std::string& key) {
  const fs::path p = path_of(key);
  Fd f(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
  if (f.fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
    fail("get", key, errno, "cannot open " + p.string());
  }
  struct stat st;
  if (::fstat(f.fd, &st) != 0) fail("get", key, errno, "cannot stat " + p.string());
  if (!S_ISREG(st.st_mode)) return std::nullopt;  // a directory is a prefix, not an object
  std::string out;
  out.reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(f.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("get", key, errno, "cannot read " + p.string());
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::optional<ObjectInfo> LocalStore::head(const std::string& key) {
  const fs::path p = path_of(key);
  struct stat st;
  if (::stat(p.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
    fail("head", key, errno, "cannot stat " + p.string());
  }
  if (!S_ISREG(st.st_mode)) return std::nullopt;
  return ObjectInfo{key, static_cast<int64_t>(st.st_size), mtime_ms(st)};
}

// Regular files under `prefix`: the objects, or (unfinished) the temp files
// of puts that never reached their rename. Temp directories are never entered.
std::vector<ObjectInfo> LocalStore::walk(const std::string& prefix, bool unfinished) {
  check_prefix(url(), prefix);
  // Walk only the deepest directory the prefix names; its last partial segment filters.
  const size_t slash = prefix.rfind('/');
  const fs::path start = slash == std::string::npos ? root_ : root_ / prefix.substr(0, slash);
  std::vector<ObjectInfo> out;
  std::error_code ec;
  if (!fs::is_directory(start, ec)) return out;
  const std::string root_str = root_.string();
  const size_t root_len = root_str.size() + (root_str.back() == '/' ? 0 : 1);
  fs::recursive_directory_iterator it(start, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const bool temp = name.compare(0, kTempPrefix.size(), kTempPrefix) == 0;
    if (temp && it->is_directory()) it.disable_recursion_pending();
    if (temp != unfinished) continue;
    std::string key = it->path().string().substr(root_len);
    if (key.compare(0, prefix.size(), prefix) != 0) continue;
    struct stat st;
    // A file removed between readdir and stat is simply no longer there.
    if (::stat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    out.push_back({std::move(key), static_cast<int64_t>(st.st_size), mtime_ms(st)});
  }
  if (ec) fail("list", prefix, ec.value(), "cannot walk " + start.string());
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  return out;
}

std::vector<ObjectInfo> LocalStore::list(const std::string& prefix) {
  return walk(prefix, false);
}

std::vector<ObjectInfo> LocalStore::list_unfinished(const std::string& prefix) {
  return walk(prefix, true);
}

void LocalStore::remove_unfinished(const std::string& key) {
  // Not path_of(): a temp file's name is exactly what check_key() refuses in a key.
  const fs::path p = (root_ / key).lexically_normal();
  const std::string name = p.filename().string();
  const std::string inside = root_.string() + "/";
  if (name.compare(0, kTempPrefix.size(), kTempPrefix) != 0 ||
      p.string().compare(0, inside.size(), inside) != 0) {
    throw StoreError(url() + ": remove_unfinished '" + key +
                     "': not a temp file of this store; only leftovers list_unfinished() "
                     "reported may be removed this way");
  }
  if (::unlink(p.c_str()) != 0 && errno != ENOENT) {
    fail("remove", key, errno, "cannot unlink " + p.string());
  }
}

void LocalStore::remove(const std::string& key) {
  const fs::path p = path_of(key);
  if (::unlink(p.c_str()) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return;
    fail("remove", key, errno, "cannot unlink " + p.string());
  }
  if (int err = fsync_dir(p.parent_path()); err != 0)
    fail("remove", key, err, "cannot sync " + p.parent_path().string());
}

}  // namespace sluice::lake
