#include "broker/transactions/transaction_log.h"

#include <cstring>
#include <fstream>
#include <sstream>

#include "broker/storage/storage_error.h"
#include "common/log.h"

namespace sluice::broker::transactions {
namespace {

// Names are hex fields (line_journal.h): any byte is safe and no field is empty.
constexpr auto hex = hex_field;
constexpr auto unhex = unhex_field;

}  // namespace

std::string TransactionLog::encode(const TransactionMetadata& t) {
  std::ostringstream l;
  l << "T1 " << hex(t.transactional_id) << ' ' << t.producer_id << ' ' << t.producer_epoch << ' '
    << t.timeout_ms << ' ' << state_name(t.state) << ' ' << t.start_time_ms << ' '
    << t.partitions.size();
  for (const auto& [topic, partition] : t.partitions) l << ' ' << hex(topic) << ' ' << partition;
  l << ' ' << t.groups.size();
  for (const auto& g : t.groups) l << ' ' << hex(g);
  l << ' ' << t.pending_offsets.size();
  for (const auto& [k, c] : t.pending_offsets) {
    l << ' ' << hex(k.group) << ' ' << hex(k.topic) << ' ' << k.partition << ' ' << c.offset << ' '
      << c.leader_epoch << ' ' << c.commit_time_ms << ' ' << hex(c.metadata);
  }
  l << " .\n";  // the end mark: a line cut anywhere before it is torn
  return l.str();
}

std::optional<TransactionMetadata> TransactionLog::decode(const std::string& line) {
  std::istringstream f(line);
  TransactionMetadata t;
  std::string kind, id, state, word;
  size_t n = 0;
  try {
    f >> kind >> id >> t.producer_id >> t.producer_epoch >> t.timeout_ms >> state >>
        t.start_time_ms >> n;
    auto s = state_from_name(state);
    if (!f || kind != "T1" || !s) return std::nullopt;
    t.transactional_id = unhex(id);
    t.state = *s;
    for (size_t i = 0; i < n && f; ++i) {
      int32_t p = 0;
      f >> word >> p;
      t.partitions.emplace(unhex(word), p);
    }
    f >> n;
    for (size_t i = 0; i < n && f; ++i) {
      f >> word;
      t.groups.insert(unhex(word));
    }
    f >> n;
    for (size_t i = 0; i < n && f; ++i) {
      OffsetKey k;
      CommittedOffset c;
      std::string group, topic, metadata;
      f >> group >> topic >> k.partition >> c.offset >> c.leader_epoch >> c.commit_time_ms >>
          metadata;
      k.group = unhex(group);
      k.topic = unhex(topic);
      c.metadata = unhex(metadata);
      t.pending_offsets[k] = c;
    }
    f >> word;
    if (!f || word != ".") return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return t;
}

TransactionLog::TransactionLog(const std::filesystem::path& dir, bool sync,
                               std::map<std::string, TransactionMetadata>& out)
    : path_(dir / "transaction_state.log"), journal_(path_, sync) {
  std::filesystem::create_directories(dir);
  journal_.replay([&](const std::string& line) {
    auto t = decode(line);  // a torn last line: its change was never answered
    if (t) out[t->transactional_id] = std::move(*t);
    return t.has_value();
  });
  rewrite(out);
}

TransactionLog::~TransactionLog() = default;

void TransactionLog::rewrite(const std::map<std::string, TransactionMetadata>& all) {
  std::string content;
  for (const auto& [id, t] : all) content += encode(t);
  journal_.replace(content);
}

void TransactionLog::write(const TransactionMetadata& txn) {
  std::string line = encode(txn);
  std::lock_guard lock(mu_);
  journal_.append(line);
}

}  // namespace sluice::broker::transactions
