#include "cli/incident/incident_snapshot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>

#include "cli/incident/incident_assess.h"
#include "cli/support/group_lag.h"
#include "cli/support/table.h"
#include "common/json.h"
#include "kafka/admin_client.h"
#include "kafka/record_reader.h"

namespace sluice::cli {
namespace fs = std::filesystem;
namespace {

class Writer {
 public:
  Writer(const SnapshotOptions& options, SnapshotReport& report)
      : dir_(options.dir), report_(report) {}

  void write(const fs::path& relative, const std::string& content) {
    const fs::path path = dir_ / relative;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out) {
      problem("cannot write " + path.string() + " (disk full or no permission?)");
      return;
    }
    report_.written.push_back(fmt::format("{} ({} bytes)", path.string(), content.size()));
  }
  void problem(std::string text) { report_.problems.push_back(std::move(text)); }

 private:
  fs::path dir_;
  SnapshotReport& report_;
};

std::string file_part(const AdminEndpoint& e) {
  std::string out = e.host + "_" + std::to_string(e.port);
  for (char& c : out) {
    if (c == '/' || c == ':' || c == '[' || c == ']') c = '_';
  }
  return out;
}

void capture_endpoints(const SnapshotOptions& o, Writer& w) {
  json::JsonWriter status;
  status.begin_object();
  for (const auto& t : o.observe.targets) {
    if (!t.running()) {
      w.problem(t.name + " (stage " + t.stage + ") is not running: no metrics or /status");
      status.key(t.name).begin_object().field("error", "not running").end_object();
      continue;
    }
    const AdminEndpoint& e = t.endpoint;
    HttpAnswer metrics = http_get(e, "/metrics");
    if (metrics.reachable && metrics.status == 200) {
      w.write("metrics-" + file_part(e) + ".prom", metrics.body);
    } else {
      w.problem("no metrics from " + e.address() + ": " +
                (metrics.reachable ? fmt::format("HTTP {}", metrics.status) : metrics.error));
    }
    HttpAnswer s = http_get(e, "/status");
    status.key(e.address());
    if (s.reachable && s.status == 200) {
      std::string body = s.body;
      body.erase(body.find_last_not_of(" \r\n\t") + 1);
      status.raw(body);
    } else {
      std::string why = s.reachable ? fmt::format("HTTP {}", s.status) : s.error;
      status.begin_object().field("error", why).end_object();
      w.problem("no /status from " + e.address() + ": " + why);
    }
  }
  status.end_object();
  w.write("status.json", status.str() + "\n");
}

std::string joined(const std::vector<int32_t>& ids) {
  std::string out;
  for (int32_t id : ids) out += (out.empty() ? "" : ",") + std::to_string(id);
  return out;
}

// Runs `print` with a FILE* into memory, so Table output lands in a snapshot file.
template <typename Print>
std::string printed(Print print) {
  char* buf = nullptr;
  size_t size = 0;
  std::FILE* f = open_memstream(&buf, &size);
  if (!f) throw std::runtime_error("out of memory formatting a snapshot table");
  print(f);
  std::fclose(f);
  std::string out(buf, size);
  std::free(buf);
  return out;
}

std::string topics_text(const kafka::ClusterInfo& info) {
  return printed([&](std::FILE* f) {
    std::fprintf(f, "%zu topic(s); broker(s):", info.topics.size());
    for (const auto& b : info.brokers) std::fprintf(f, " %d=%s", b.id, b.address.c_str());
    std::fprintf(f, "\n\n");
    Table t({"TOPIC", "PARTITION", "LEADER", "REPLICAS", "ISR", "STATUS"});
    for (const auto& topic : info.topics) {
      if (!topic.error.empty()) t.add({topic.name, "-", "-", "-", "-", "ERROR " + topic.error});
      for (const auto& p : topic.partitions) {
        const bool down = p.leader < 0 || !p.error.empty();
        t.add({topic.name, std::to_string(p.id), std::to_string(p.leader), joined(p.replicas),
               joined(p.isr), down ? "OFFLINE " + p.error : "online"});
      }
    }
    t.print(f);
  });
}

std::string group_text(const GroupLag& g) {
  return printed([&](std::FILE* f) {
    std::fprintf(f, "GROUP %s (%s, %zu member(s))\n", g.group.c_str(), g.state.c_str(), g.members);
    Table t({"TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "LAG-SECONDS",
             "CONSUMER-ID", "HOST", "CLIENT-ID"});
    for (const auto& p : g.partitions) {
      t.add({p.topic, std::to_string(p.partition), cell(p.committed), std::to_string(p.log_end),
             std::to_string(p.lag),
             p.lag_seconds ? fmt::format("{:.1f}", *p.lag_seconds) : std::string("-"),
             cell(p.consumer_id), cell(p.host), cell(p.client_id)});
    }
    t.print(f);
    std::fprintf(f, "total lag: %lld message(s)\n\n", static_cast<long long>(g.total_lag()));
  });
}

void capture_cluster(const SnapshotOptions& o, Writer& w) {
  const std::string& bootstrap = o.observe.kafka.bootstrap;
  try {
    kafka::AdminClient admin(o.observe.kafka.endpoint());
    w.write("topics.txt", topics_text(admin.cluster()));
    kafka::RecordReader reader(admin.endpoint());
    std::string groups;
    for (const auto& g : admin.list_groups()) {
      try {
        groups += group_text(measure_group_lag(admin, reader, g.group_id));
      } catch (const std::exception& e) {
        groups += "GROUP " + g.group_id + ": cannot describe: " + e.what() + "\n\n";
      }
    }
    w.write("groups.txt", groups.empty() ? "no consumer groups at " + bootstrap + "\n" : groups);
  } catch (const std::exception& e) {
    w.problem("no topics or groups from the broker at " + bootstrap + ": " + e.what());
  }
}

void capture_logs(const SnapshotOptions& o, Writer& w) {
  std::vector<fs::path> files;
  for (const auto& given : o.logs) {
    std::error_code ec;
    if (fs::is_directory(given, ec)) {
      std::vector<fs::path> in_dir;
      for (const auto& entry : fs::directory_iterator(given, ec)) {
        if (entry.is_regular_file()) in_dir.push_back(entry.path());
      }
      std::sort(in_dir.begin(), in_dir.end());
      files.insert(files.end(), in_dir.begin(), in_dir.end());
    } else if (fs::is_regular_file(given, ec)) {
      files.emplace_back(given);
    } else {
      w.problem("--logs " + given + ": no such file or directory");
    }
  }
  if (files.empty()) return;
  fs::create_directories(fs::path(o.dir) / "logs");
  std::set<std::string> used;
  for (const auto& file : files) {
    std::string name = file.filename().string();
    for (int i = 2; used.count(name); ++i) {
      name = file.stem().string() + "-" + std::to_string(i) + file.extension().string();
    }
    used.insert(name);
    try {
      w.write(fs::path("logs") / name, tail_lines(file.string(), o.log_lines));
    } catch (const std::exception& e) {
      w.problem(e.what());
    }
  }
}

}  // namespace

std::string tail_lines(const std::string& path, size_t n) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read log file " + path);
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  std::string tail;
  std::streamoff pos = size;
  constexpr std::streamoff kBlock = 64 * 1024;
  // Collect blocks from the end until they hold n full lines (n+1 newlines,
  // not counting a final newline) or the whole file.
  auto enough = [&] {
    size_t newlines = std::count(tail.begin(), tail.end(), '\n');
    if (!tail.empty() && tail.back() == '\n') newlines -= 1;
    return newlines >= n;
  };
  while (pos > 0 && !enough()) {
    const std::streamoff len = std::min(kBlock, pos);
    pos -= len;
    std::string block(static_cast<size_t>(len), '\0');
    in.seekg(pos);
    in.read(block.data(), len);
    if (!in) throw std::runtime_error("cannot read log file " + path);
    tail.insert(0, block);
  }
  // Drop everything before the n-th newline from the end (ignoring a trailing one).
  size_t end = tail.size();
  if (end > 0 && tail[end - 1] == '\n') end -= 1;
  size_t cut = end;
  for (size_t lines = 0; lines < n; ++lines) {
    cut = cut == 0 ? std::string::npos : tail.rfind('\n', cut - 1);
    if (cut == std::string::npos) return tail;
  }
  return tail.substr(cut + 1);
}

SnapshotReport take_snapshot(const SnapshotOptions& options) {
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec || !fs::is_directory(options.dir)) {
    throw std::runtime_error("cannot create snapshot directory " + options.dir + ": " +
                             ec.message());
  }
  SnapshotReport report;
  Writer w(options, report);
  capture_endpoints(options, w);
  capture_cluster(options, w);
  w.write("assessment.json", assessment_json(assess_pipeline(options.observe)) + "\n");
  capture_logs(options, w);
  if (!report.problems.empty()) {
    std::string text;
    for (const auto& p : report.problems) text += p + "\n";
    w.write("not-captured.txt", text);
  }
  return report;
}

}  // namespace sluice::cli
