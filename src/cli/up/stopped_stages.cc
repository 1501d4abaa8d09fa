#include "cli/up/stopped_stages.h"

#include <fcntl.h>
#include <simdjson.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "cli/up/replace_file.h"
#include "common/json.h"

namespace sluice::cli {
namespace {

std::string control_dir(const std::string& data_dir) {
  return data_dir + "/control";
}

// Held for the read-change-replace of set_stage_stopped; released when closed.
class FileLock {
 public:
  explicit FileLock(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0) {
      throw std::runtime_error("cannot lock " + path + ": " + std::strerror(errno));
    }
  }
  ~FileLock() { ::close(fd_); }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace

std::set<std::string> read_stopped_stages(const std::string& data_dir) {
  std::set<std::string> out;
  simdjson::padded_string text;
  simdjson::dom::parser parser;
  simdjson::dom::array names;
  if (simdjson::padded_string::load(control_dir(data_dir) + "/stopped-stages.json").get(text) ||
      parser.parse(text).get(names)) {
    return out;
  }
  for (auto name : names) {
    std::string_view s;
    if (!name.get(s)) out.insert(std::string(s));
  }
  return out;
}

bool set_stage_stopped(const std::string& data_dir, const std::string& stage, bool stopped) {
  std::filesystem::create_directories(control_dir(data_dir));
  FileLock lock(control_dir(data_dir) + "/stopped-stages.lock");
  std::set<std::string> names = read_stopped_stages(data_dir);
  const bool changed = stopped ? names.insert(stage).second : names.erase(stage) > 0;
  if (!changed) return false;
  json::JsonWriter w;
  w.begin_array();
  for (const auto& n : names) w.value(n);
  w.end_array();
  replace_file(control_dir(data_dir) + "/stopped-stages.json", w.str() + "\n");
  return true;
}

}  // namespace sluice::cli
