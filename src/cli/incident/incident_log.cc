#include "cli/incident/incident_log.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <simdjson.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "cli/incident/incident_assess.h"
#include "cli/incident/incident_templates.h"
#include "cli/support/datetime.h"
#include "common/json.h"

namespace sluice::cli {
namespace {

constexpr int kFormatVersion = 1;

const char* kind_name(IncidentEvent::Kind k) {
  switch (k) {
    case IncidentEvent::Kind::kOpened:
      return "opened";
    case IncidentEvent::Kind::kUpdated:
      return "updated";
    case IncidentEvent::Kind::kResolved:
      return "resolved";
  }
  return "?";
}

std::optional<IncidentEvent::Kind> kind_from(std::string_view s) {
  if (s == "opened") return IncidentEvent::Kind::kOpened;
  if (s == "updated") return IncidentEvent::Kind::kUpdated;
  if (s == "resolved") return IncidentEvent::Kind::kResolved;
  return std::nullopt;
}

void add_alerts(std::vector<std::string>& to, const std::vector<std::string>& more) {
  to.insert(to.end(), more.begin(), more.end());
  std::sort(to.begin(), to.end());
  to.erase(std::unique(to.begin(), to.end()), to.end());
}

// Reads a time field written by format_utc_ms; false when present but malformed.
bool read_time(simdjson::dom::object obj, const char* key, std::optional<int64_t>& out) {
  std::string_view s;
  if (obj[key].get(s) != simdjson::SUCCESS) return true;  // absent
  try {
    out = parse_datetime_ms(std::string(s));
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

std::string text_at(simdjson::dom::object obj, const char* key) {
  std::string_view s;
  return obj[key].get(s) == simdjson::SUCCESS ? std::string(s) : std::string();
}

bool flag_at(simdjson::dom::object obj, const char* key) {
  bool b = false;
  return obj[key].get(b) == simdjson::SUCCESS && b;
}

// Writes all of `text` at the end of `fd` (opened O_APPEND).
void write_all(int fd, const std::string& text, const std::string& path) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      throw std::runtime_error("cannot append to " + path + ": " + std::strerror(errno) +
                               " (disk full or no permission?)");
    done += size_t(n);
  }
}

// Closes the descriptor (and so releases its flock) however the append ends.
struct FileHandle {
  int fd = -1;
  ~FileHandle() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::string Incident::fingerprint() const {
  std::string what;
  for (const auto& a : alerts) what += (what.empty() ? "" : "+") + a;
  if (what.empty()) {
    for (char c : title) what += char(std::tolower(static_cast<unsigned char>(c)));
  }
  return what + "@" + (stage.empty() ? "-" : stage);
}

const Incident* IncidentLog::find(const std::string& id) const {
  for (const auto& i : incidents) {
    if (i.id == id) return &i;
  }
  return nullptr;
}

std::string IncidentLog::next_id() const {
  return "INC-" + std::to_string(incidents.size() + 1);
}

void IncidentLog::apply(const IncidentEvent& e) {
  if (e.kind == IncidentEvent::Kind::kOpened) {
    if (find(e.id)) throw std::invalid_argument("incident " + e.id + " is already open");
    if (!e.severity) throw std::invalid_argument("incident " + e.id + " has no severity");
    Incident i;
    i.id = e.id;
    i.title = e.title;
    i.stage = e.stage;
    i.snapshot = e.snapshot;
    i.severity = *e.severity;
    add_alerts(i.alerts, e.alerts);
    i.fired_ms = e.fired_ms;
    i.opened_ms = e.at_ms;
    if (!e.note.empty()) i.notes.push_back({e.at_ms, e.note});
    incidents.push_back(std::move(i));
    return;
  }
  auto it = std::find_if(incidents.begin(), incidents.end(),
                         [&](const Incident& i) { return i.id == e.id; });
  if (it == incidents.end())
    throw std::invalid_argument("no incident " + e.id + " in the log (see `sluice incident list`)");
  Incident& i = *it;
  if (!i.open())
    throw std::invalid_argument("incident " + e.id + " was resolved at " +
                                format_utc_ms(*i.resolved_ms) + "; open a new one instead");
  if (e.at_ms < i.opened_ms)
    throw std::invalid_argument("incident " + e.id + " was opened at " +
                                format_utc_ms(i.opened_ms) + ", after " + format_utc_ms(e.at_ms));
  if (e.kind == IncidentEvent::Kind::kResolved) {
    i.resolved_ms = e.at_ms;
  } else {
    if (e.acknowledged && i.acked_ms)
      throw std::invalid_argument("incident " + e.id + " was already acknowledged at " +
                                  format_utc_ms(*i.acked_ms));
    if (e.mitigated && i.mitigated_ms)
      throw std::invalid_argument("incident " + e.id + " was already mitigated at " +
                                  format_utc_ms(*i.mitigated_ms));
    if (e.acknowledged) i.acked_ms = e.at_ms;
    if (e.mitigated) i.mitigated_ms = e.at_ms;
    if (e.severity) i.severity = *e.severity;
    add_alerts(i.alerts, e.alerts);
    if (!e.snapshot.empty()) i.snapshot = e.snapshot;
  }
  if (!e.note.empty()) i.notes.push_back({e.at_ms, e.note});
}

std::string incident_log_path(const std::string& data_dir) {
  return (std::filesystem::path(data_dir) / "incidents.jsonl").string();
}

std::string format_utc_ms(int64_t epoch_ms) {
  std::string out = format_utc(epoch_ms);  // "...T04:25:16Z"
  out.insert(out.size() - 1, fmt::format(".{:03d}", int(epoch_ms % 1000)));
  return out;
}

std::string encode_incident_event(const IncidentEvent& e) {
  json::JsonWriter w;
  w.begin_object().field("v", kFormatVersion).field("event", kind_name(e.kind));
  w.field("id", e.id).field("at", format_utc_ms(e.at_ms));
  if (e.severity) w.field("severity", ops::severity_name(*e.severity));
  if (!e.title.empty()) w.field("title", e.title);
  if (!e.stage.empty()) w.field("stage", e.stage);
  if (!e.alerts.empty()) {
    w.key("alerts").begin_array();
    for (const auto& a : e.alerts) w.value(a);
    w.end_array();
  }
  if (e.fired_ms) w.field("fired", format_utc_ms(*e.fired_ms));
  if (!e.snapshot.empty()) w.field("snapshot", e.snapshot);
  if (e.acknowledged) w.field("acknowledged", true);
  if (e.mitigated) w.field("mitigated", true);
  if (!e.note.empty()) w.field("note", e.note);
  w.end_object();
  return w.str();
}

std::optional<IncidentEvent> decode_incident_event(std::string_view line) {
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(line.data(), line.size()).get_object().get(obj) != simdjson::SUCCESS)
    return std::nullopt;
  int64_t version = 0;
  std::string_view kind;
  if (obj["v"].get(version) != simdjson::SUCCESS || version != kFormatVersion ||
      obj["event"].get(kind) != simdjson::SUCCESS)
    return std::nullopt;
  IncidentEvent e;
  const auto k = kind_from(kind);
  if (!k) return std::nullopt;
  e.kind = *k;
  e.id = text_at(obj, "id");
  std::optional<int64_t> at;
  if (e.id.empty() || !read_time(obj, "at", at) || !at || !read_time(obj, "fired", e.fired_ms))
    return std::nullopt;
  e.at_ms = *at;
  if (const std::string s = text_at(obj, "severity"); !s.empty()) {
    try {
      e.severity = parse_severity(s);
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  e.title = text_at(obj, "title");
  e.stage = text_at(obj, "stage");
  e.snapshot = text_at(obj, "snapshot");
  e.note = text_at(obj, "note");
  e.acknowledged = flag_at(obj, "acknowledged");
  e.mitigated = flag_at(obj, "mitigated");
  simdjson::dom::array alerts;
  if (obj["alerts"].get(alerts) == simdjson::SUCCESS) {
    for (auto a : alerts) {
      std::string_view s;
      if (a.get(s) != simdjson::SUCCESS) return std::nullopt;
      e.alerts.emplace_back(s);
    }
  }
  return e;
}

IncidentLog read_incident_log(const std::string& path) {
  IncidentLog log;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return log;
  simdjson::padded_string text;
  if (simdjson::padded_string::load(path).get(text) != simdjson::SUCCESS)
    throw std::runtime_error("cannot read the incident log " + path);
  const std::string_view all(text.data(), text.size());
  size_t start = 0;
  while (start < all.size()) {
    const size_t end = all.find('\n', start);
    if (end == std::string_view::npos) {
      log.damaged_lines += 1;  // a torn last line: the crash came before its '\n'
      break;
    }
    const std::string_view line = all.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    const auto event = decode_incident_event(line);
    if (!event) {
      log.damaged_lines += 1;
      continue;
    }
    try {
      log.apply(*event);
    } catch (const std::invalid_argument&) {
      log.damaged_lines += 1;  // only a hand-edited log gets here: appends are checked
    }
  }
  return log;
}

IncidentEvent append_incident_event(const std::string& path,
                                    const std::function<IncidentEvent(const IncidentLog&)>& make) {
  const std::filesystem::path file(path);
  std::error_code ec;
  const bool created = !std::filesystem::exists(file, ec);
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  FileHandle h{::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644)};
  if (h.fd < 0)
    throw std::runtime_error("cannot open the incident log " + path + ": " + std::strerror(errno));
  if (::flock(h.fd, LOCK_EX) != 0)
    throw std::runtime_error("cannot lock the incident log " + path + ": " + std::strerror(errno));
  IncidentLog log = read_incident_log(path);
  IncidentEvent e = make(log);
  log.apply(e);  // throws before anything is written when the event does not fit

  std::string line = encode_incident_event(e) + "\n";
  const off_t size = ::lseek(h.fd, 0, SEEK_END);
  char last = '\n';
  if (size > 0 && ::pread(h.fd, &last, 1, size - 1) == 1 && last != '\n') line.insert(0, "\n");
  write_all(h.fd, line, path);
  if (::fsync(h.fd) != 0)
    throw std::runtime_error("cannot fsync the incident log " + path + ": " + std::strerror(errno));
  if (created) {
    // A new file's name is durable only once its folder is.
    const std::string dir = file.has_parent_path() ? file.parent_path().string() : ".";
    FileHandle d{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    if (d.fd >= 0) ::fsync(d.fd);
  }
  return e;
}

}  // namespace sluice::cli
