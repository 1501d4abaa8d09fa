// Metric values, the registry's family table and text rendering.
//
// Every series lives in a unique_ptr owned by its family, so references handed
// out stay valid while families and series are added. One mutex guards the
// table; sample values are atomics (histograms have their own mutex), so the
// hot path never takes the registry lock.
#include "ops/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>
#include <variant>

#include "common/log.h"

namespace sluice::ops {

void Counter::inc(double v) {
  if (!(v >= 0))
    throw std::invalid_argument(fmt::format("counter increment must be >= 0, got {}", v));
  value_.fetch_add(v, std::memory_order_relaxed);
}

namespace {

void check_bounds(const std::vector<double>& bounds, const std::string& owner) {
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
      throw std::invalid_argument(fmt::format(
          "{}: histogram buckets must be finite and strictly increasing (+Inf is implicit)",
          owner));
    }
  }
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {
  check_bounds(bounds_, "Histogram");
}

void Histogram::observe(double v) {
  size_t bucket = std::isnan(v)
                      ? bounds_.size()
                      : std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  std::lock_guard lock(mu_);
  ++counts_[bucket];
  sum_ += v;
  ++count_;
}

Histogram::Snapshot Histogram::snapshot() const {
  std::lock_guard lock(mu_);
  Snapshot snap{.cumulative = counts_, .sum = sum_, .count = count_};
  for (size_t i = 1; i < snap.cumulative.size(); ++i) snap.cumulative[i] += snap.cumulative[i - 1];
  return snap;
}

std::vector<double> MetricsRegistry::default_latency_buckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

namespace {

enum class Kind { kCounter, kGauge, kHistogram };

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::kCounter:
      return "counter";
    case Kind::kGauge:
      return "gauge";
    case Kind::kHistogram:
      return "histogram";
  }
  return "untyped";
}

template <typename T>
constexpr Kind kKindOf = std::is_same_v<T, Counter> ? Kind::kCounter
                         : std::is_same_v<T, Gauge> ? Kind::kGauge
                                                    : Kind::kHistogram;

using Metric =
    std::variant<std::unique_ptr<Counter>, std::unique_ptr<Gauge>, std::unique_ptr<Histogram>>;

struct Series {
  Labels labels;  // as first given: the render order
  Metric metric;
};

struct Family {
  Kind kind;
  std::string help;
  std::vector<double> buckets;     // histograms only
  std::vector<Series> series;      // creation order
  std::map<Labels, size_t> index;  // sorted labels -> position in `series`
};

bool valid_identifier(std::string_view s, bool allow_colon) {
  auto allowed = [&](char c, bool first) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || (allow_colon && c == ':') ||
           (!first && std::isdigit(static_cast<unsigned char>(c)));
  };
  if (s.empty() || !allowed(s.front(), true)) return false;
  return std::all_of(s.begin() + 1, s.end(), [&](char c) { return allowed(c, false); });
}

void check_name(const std::string& name) {
  if (!valid_identifier(name, true)) {
    throw std::invalid_argument(
        fmt::format("metric name '{}' is invalid: it must match [a-zA-Z_:][a-zA-Z0-9_:]*", name));
  }
}

void check_label_name(const std::string& metric, const std::string& label, Kind kind) {
  std::string problem;
  if (!valid_identifier(label, false)) {
    problem = "it must match [a-zA-Z_][a-zA-Z0-9_]*";
  } else if (label.starts_with("__")) {
    problem = "names starting with __ are reserved by Prometheus";
  } else if (kind == Kind::kHistogram && label == "le") {
    problem = "histograms use 'le' for their buckets";
  }
  if (!problem.empty()) {
    throw std::invalid_argument(
        fmt::format("metric '{}': label name '{}' is invalid: {}", metric, label, problem));
  }
}

// Validates the label names and returns them sorted: the identity of a series.
Labels identity(const std::string& metric, const Labels& labels, Kind kind) {
  for (const auto& label : labels) check_label_name(metric, label.first, kind);
  Labels sorted = labels;
  std::sort(sorted.begin(), sorted.end());
  auto same_name = [](const auto& a, const auto& b) { return a.first == b.first; };
  if (auto dup = std::adjacent_find(sorted.begin(), sorted.end(), same_name); dup != sorted.end()) {
    throw std::invalid_argument(
        fmt::format("metric '{}': label '{}' is given twice", metric, dup->first));
  }
  return sorted;
}

Family& family_for(std::map<std::string, Family>& families, const std::string& name,
                   const std::string& help, Kind kind, const std::vector<double>& buckets) {
  auto it = families.find(name);
  if (it == families.end()) {
    if (kind == Kind::kHistogram) check_bounds(buckets, "metric '" + name + "'");
    return families.emplace(name, Family{.kind = kind, .help = help, .buckets = buckets})
        .first->second;
  }
  Family& family = it->second;
  if (family.kind != kind) {
    throw std::invalid_argument(
        fmt::format("metric '{}' is already registered as a {}; cannot register it as a {}", name,
                    kind_name(family.kind), kind_name(kind)));
  }
  if (kind == Kind::kHistogram && family.buckets != buckets) {
    throw std::invalid_argument(
        fmt::format("histogram '{}' is already registered with other buckets", name));
  }
  return family;
}

template <typename T>
std::unique_ptr<T> make_metric(const Family& family) {
  if constexpr (std::is_same_v<T, Histogram>) {
    return std::make_unique<Histogram>(family.buckets);
  } else {
    return std::make_unique<T>();
  }
}

void append_sample(std::string& out, const std::string& key, double value) {
  out += key;
  out += ' ';
  out += format_value(value);
  out += '\n';
}

void render_histogram(std::string& out, const std::string& name, const Labels& labels,
                      const Histogram& h) {
  Histogram::Snapshot snap = h.snapshot();
  Labels with_le = labels;
  with_le.emplace_back("le", "");
  for (size_t i = 0; i < snap.cumulative.size(); ++i) {
    with_le.back().second = format_value(i < h.bounds().size() ? h.bounds()[i] : INFINITY);
    append_sample(out, series_key(name + "_bucket", with_le), double(snap.cumulative[i]));
  }
  append_sample(out, series_key(name + "_sum", labels), snap.sum);
  append_sample(out, series_key(name + "_count", labels), double(snap.count));
}

void render_family(std::string& out, const std::string& name, const Family& family) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, escape_help(family.help), name,
                     kind_name(family.kind));
  for (const Series& s : family.series) {
    std::visit(
        [&](const auto& metric) {
          if constexpr (std::is_same_v<std::decay_t<decltype(*metric)>, Histogram>) {
            render_histogram(out, name, s.labels, *metric);
          } else {
            append_sample(out, series_key(name, s.labels), metric->value());
          }
        },
        s.metric);
  }
}

// One collected family as text, or "" (with a warning) when it cannot be rendered.
std::string render_collected(const CollectedFamily& family) {
  const Kind kind = family.type == CollectedFamily::Type::kCounter ? Kind::kCounter : Kind::kGauge;
  check_name(family.name);
  std::string out = fmt::format("# HELP {} {}\n# TYPE {} {}\n", family.name,
                                escape_help(family.help), family.name, kind_name(kind));
  std::set<Labels> seen;
  for (const auto& [labels, value] : family.samples) {
    if (!seen.insert(identity(family.name, labels, kind)).second) {
      throw std::invalid_argument(
          fmt::format("metric '{}': two samples with the same labels", family.name));
    }
    append_sample(out, series_key(family.name, labels), value);
  }
  return out;
}

}  // namespace

struct MetricsRegistry::State {
  std::mutex mu;  // guards families
  std::map<std::string, Family> families;
  std::mutex collectors_mu;  // guards collectors
  std::vector<std::function<void()>> collectors;
  std::vector<std::function<std::vector<CollectedFamily>()>> sources;  // guarded by collectors_mu
};

MetricsRegistry::MetricsRegistry() : state_(std::make_unique<State>()) {}
MetricsRegistry::~MetricsRegistry() = default;

template <typename T>
T& MetricsRegistry::series(const std::string& name, const std::string& help, const Labels& labels,
                           const std::vector<double>& buckets) {
  check_name(name);
  Labels key = identity(name, labels, kKindOf<T>);
  std::lock_guard lock(state_->mu);
  Family& family = family_for(state_->families, name, help, kKindOf<T>, buckets);
  auto [it, inserted] = family.index.try_emplace(std::move(key), family.series.size());
  if (inserted) family.series.push_back(Series{.labels = labels, .metric = make_metric<T>(family)});
  return *std::get<std::unique_ptr<T>>(family.series[it->second].metric);
}

Counter& MetricsRegistry::counter(const std::string& name, const std::string& help,
                                  const Labels& labels) {
  return series<Counter>(name, help, labels, {});
}

Gauge& MetricsRegistry::gauge(const std::string& name, const std::string& help,
                              const Labels& labels) {
  return series<Gauge>(name, help, labels, {});
}

Histogram& MetricsRegistry::histogram(const std::string& name, const std::string& help,
                                      const Labels& labels, std::vector<double> buckets) {
  return series<Histogram>(name, help, labels, buckets);
}

void MetricsRegistry::on_collect(std::function<void()> fn) {
  std::lock_guard lock(state_->collectors_mu);
  state_->collectors.push_back(std::move(fn));
}

void MetricsRegistry::add_source(std::function<std::vector<CollectedFamily>()> source) {
  std::lock_guard lock(state_->collectors_mu);
  state_->sources.push_back(std::move(source));
}

std::string MetricsRegistry::render() {
  std::vector<std::function<void()>> collectors;
  std::vector<std::function<std::vector<CollectedFamily>()>> sources;
  {
    std::lock_guard lock(state_->collectors_mu);
    collectors = state_->collectors;
    sources = state_->sources;
  }
  for (const auto& collect : collectors) {
    try {
      collect();
    } catch (const std::exception& e) {
      log::warn("metrics", "a collect callback failed, rendering the last values: {}", e.what());
    }
  }
  std::map<std::string, std::string> collected;  // name -> rendered family
  for (const auto& source : sources) {
    std::vector<std::pair<std::string, std::string>> rendered;
    try {
      for (const CollectedFamily& family : source()) {
        rendered.emplace_back(family.name, render_collected(family));
      }
    } catch (const std::exception& e) {
      log::warn("metrics", "a metrics source failed, rendering without it: {}", e.what());
      continue;
    }
    for (auto& [name, text] : rendered) {
      if (!collected.emplace(name, std::move(text)).second) {
        log::warn("metrics", "two collected families are named {}; rendering the first", name);
      }
    }
  }
  std::string out;
  std::lock_guard lock(state_->mu);
  auto next = collected.begin();
  for (const auto& [name, family] : state_->families) {
    for (; next != collected.end() && next->first < name; ++next) out += next->second;
    if (next != collected.end() && next->first == name) {
      log::warn("metrics", "collected family {} is also registered; rendering the registered one",
                name);
      ++next;
    }
    render_family(out, name, family);
  }
  for (; next != collected.end(); ++next) out += next->second;
  return out;
}

}  // namespace sluice::ops
