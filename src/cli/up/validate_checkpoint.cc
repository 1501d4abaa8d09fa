// Format: docs/formats/validate-checkpoint.md.
#include "cli/up/validate_checkpoint.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>
#include <vector>

#include "common/crc32c.h"

namespace sluice::cli {
namespace {

constexpr std::string_view kMagic = "sluice-validate-checkpoint\t1";

// Fields are separated by tabs and records by newlines, so those (and '%') are escaped.
std::string escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '%')
      out += "%25";
    else if (c == '\t')
      out += "%09";
    else if (c == '\n')
      out += "%0A";
    else if (c == '\r')
      out += "%0D";
    else
      out += c;
  }
  return out;
}

std::string unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    unsigned v = 0;
    const char* hex = s.data() + i + 1;
    if (i + 2 >= s.size() || std::from_chars(hex, hex + 2, v, 16).ptr != hex + 2)
      throw CheckpointCorrupt("bad escape in '" + std::string(s) + "'");
    out += char(v);
    i += 2;
  }
  return out;
}

std::vector<std::string_view> split_tabs(std::string_view line) {
  std::vector<std::string_view> out;
  for (size_t at = 0;;) {
    size_t tab = line.find('\t', at);
    out.push_back(line.substr(at, tab == std::string_view::npos ? tab : tab - at));
    if (tab == std::string_view::npos) return out;
    at = tab + 1;
  }
}

int64_t number(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size())
    throw CheckpointCorrupt("'" + std::string(s) + "' is not a number");
  return v;
}

std::string crc_hex(std::string_view bytes) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", crc32c(bytes.data(), bytes.size()));
  return buf;
}

std::string flags_of(const TaskTally& t) {
  std::string f = std::string(t.produced ? "p" : "") + (t.dead_lettered ? "d" : "");
  return f.empty() ? "-" : f;
}

void write_body(std::ostringstream& o, const ValidateCheckpoint& c) {
  o << kMagic << "\nscope\t" << escape(c.scope) << "\n";
  for (const auto& [reader, spans] : c.scans) {
    for (const auto& [p, s] : spans)
      o << "scan\t" << escape(reader) << "\t" << p << "\t" << s.start << "\t" << s.end << "\n";
  }
  o << "table\t" << c.table_version << "\n";
  for (const auto& f : c.table_files) o << "file\t" << escape(f) << "\n";
  const LedgerFigures& f = c.figures;
  o << "count\tevents\t" << f.events << "\ncount\tevents_dead_lettered\t" << f.events_dead_lettered
    << "\ncount\tobjects_checked\t" << f.objects_checked << "\n";
  for (const auto& [k, n] : f.dlq_categories) o << "category\t" << escape(k) << "\t" << n << "\n";
  for (const auto& [p, off] : f.dead_events) o << "dead\t" << p << "\t" << off << "\n";
  for (const auto& [id, t] : f.tasks) {
    o << "task\t" << escape(id) << "\t" << t.calls << "\t" << t.rows << "\t" << flags_of(t) << "\n";
  }
  for (const auto& [at, n] : f.missing_objects)
    o << "missing\t" << escape(at.first) << "\t" << escape(at.second) << "\t" << n << "\n";
}

// One record of the body into `c`; throws CheckpointCorrupt on anything unexpected.
void read_record(const std::vector<std::string_view>& f, ValidateCheckpoint& c) {
  auto need = [&](size_t n) {
    if (f.size() != n)
      throw CheckpointCorrupt("record '" + std::string(f[0]) + "' has " + std::to_string(f.size()) +
                              " fields, not " + std::to_string(n));
  };
  const std::string_view kind = f[0];
  LedgerFigures& fig = c.figures;
  if (kind == "scope") {
    need(2);
    c.scope = unescape(f[1]);
  } else if (kind == "scan") {
    need(5);
    const int64_t start = number(f[3]), end = number(f[4]);
    if (start > end) throw CheckpointCorrupt("a scan span ends before it starts");
    c.scans[unescape(f[1])][int32_t(number(f[2]))] = {start, end, end};
  } else if (kind == "table") {
    need(2);
    c.table_version = number(f[1]);
  } else if (kind == "file") {
    need(2);
    c.table_files.insert(unescape(f[1]));
  } else if (kind == "count") {
    need(3);
    const int64_t n = number(f[2]);
    if (f[1] == "events")
      fig.events = n;
    else if (f[1] == "events_dead_lettered")
      fig.events_dead_lettered = n;
    else if (f[1] == "objects_checked")
      fig.objects_checked = n;
    else
      throw CheckpointCorrupt("unknown count '" + std::string(f[1]) + "'");
  } else if (kind == "category") {
    need(3);
    fig.dlq_categories[unescape(f[1])] = number(f[2]);
  } else if (kind == "dead") {
    need(3);
    fig.dead_events.insert({int32_t(number(f[1])), number(f[2])});
  } else if (kind == "task") {
    need(5);
    TaskTally& t = fig.tasks[unescape(f[1])];
    t.calls = int32_t(number(f[2]));
    t.rows = int32_t(number(f[3]));
    t.produced = f[4].find('p') != std::string_view::npos;
    t.dead_lettered = f[4].find('d') != std::string_view::npos;
  } else if (kind == "missing") {
    need(4);
    fig.missing_objects[{unescape(f[1]), unescape(f[2])}] = number(f[3]);
  } else {
    throw CheckpointCorrupt("unknown record '" + std::string(kind) + "'");
  }
}

}  // namespace

void save_checkpoint(const std::string& path, const ValidateCheckpoint& c) {
  std::ostringstream o;
  write_body(o, c);
  std::string body = o.str();
  const size_t records = size_t(std::count(body.begin(), body.end(), '\n'));
  body += "end\t" + std::to_string(records) + "\t" + crc_hex(body) + "\n";
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(body.data(), std::streamsize(body.size()));
    if (!out.flush()) throw std::runtime_error("cannot write " + tmp);
  }
  std::filesystem::rename(tmp, path);
}

std::optional<ValidateCheckpoint> load_checkpoint(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The trailer: "end\t<records before it>\t<crc32c of every byte before it>\n".
  const size_t trailer =
      text.size() < 2 ? std::string::npos : text.rfind("\nend\t", text.size() - 2);
  if (text.empty() || text.back() != '\n' || trailer == std::string::npos)
    throw CheckpointCorrupt("no end record (a truncated file?)");
  const std::string_view body(text.data(), trailer + 1);
  const auto end =
      split_tabs(std::string_view(text).substr(trailer + 1, text.size() - trailer - 2));
  if (end.size() != 3 || end[2] != crc_hex(body) ||
      number(end[1]) != int64_t(std::count(body.begin(), body.end(), '\n')))
    throw CheckpointCorrupt("the end record does not match the contents");
  if (body.substr(0, kMagic.size() + 1) != std::string(kMagic) + "\n")
    throw CheckpointCorrupt("not a version-1 validate checkpoint");
  ValidateCheckpoint c;
  size_t at = kMagic.size() + 1;
  while (at < body.size()) {
    const size_t nl = body.find('\n', at);
    read_record(split_tabs(body.substr(at, nl - at)), c);
    at = nl + 1;
  }
  return c;
}

}  // namespace sluice::cli
