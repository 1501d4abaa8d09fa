#include "stages/download/download_options.h"

#include <set>
#include <stdexcept>

#include "pipeline/config_text.h"
#include "pipeline/processor_options.h"

namespace sluice::stages {
namespace {}  // namespace

const std::set<std::string> kDownloadOptionNames = {"store",
                                                    "connect_timeout",
                                                    "total_timeout",
                                                    "max_bytes",
                                                    "allowed_content_types",
                                                    "allowed_domains",
                                                    "allow_private_networks",
                                                    "allowed_addresses",
                                                    "max_redirects",
                                                    "host_breaker",
                                                    "max_transfers",
                                                    "max_transfers_per_host"};
namespace {

const std::set<std::string> kKnownBreaker = {"failure_rate", "window", "min_calls", "open_for"};

struct Reader {
  const std::string& stage;

  [[noreturn]] void fail(const std::string& key, const std::string& why) const {
    // Errors are found by the option's top-level key (host_breaker.window -> host_breaker).
    throw pipeline::OptionError(key.substr(0, key.find('.')),
                                "stage '" + stage + "': option '" + key + "' " + why);
  }
  std::string text(const YAML::Node& n, const std::string& key) const {
    if (!n.IsScalar()) fail(key, "must be a single value");
    return n.Scalar();
  }
  int64_t duration(const YAML::Node& n, const std::string& key, int64_t fallback) const {
    if (!n) return fallback;
    const std::string t = text(n, key);
    auto v = pipeline::parse_duration_ms(t);
    if (!v || *v <= 0)
      fail(key, "must be a duration like 500ms, 5s or 1m, not " + pipeline::quote_value(t));
    return *v;
  }
  int64_t size(const YAML::Node& n, const std::string& key, int64_t fallback) const {
    if (!n) return fallback;
    const std::string t = text(n, key);
    auto v = pipeline::parse_size_bytes(t);
    if (!v || *v <= 0)
      fail(key, "must be a size like 65536, 512KiB or 50MiB, not " + pipeline::quote_value(t));
    return *v;
  }
  int64_t count(const YAML::Node& n, const std::string& key, int64_t fallback, int64_t lo,
                int64_t hi) const {
    if (!n) return fallback;
    const std::string t = text(n, key);
    try {
      size_t used = 0;
      int64_t v = std::stoll(t, &used);
      if (used == t.size() && v >= lo && v <= hi) return v;
    } catch (const std::exception&) {
    }
    fail(key, "must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) +
                  ", not " + pipeline::quote_value(t));
  }
  bool boolean(const YAML::Node& n, const std::string& key, bool fallback) const {
    if (!n) return fallback;
    const std::string t = text(n, key);
    if (t == "true") return true;
    if (t == "false") return false;
    fail(key, "must be true or false, not " + pipeline::quote_value(t));
  }
  std::vector<std::string> list(const YAML::Node& n, const std::string& key,
                                std::vector<std::string> fallback) const {
    if (!n || n.IsNull()) return fallback;
    if (!n.IsSequence()) fail(key, "must be a list, e.g. [a, b]");
    std::vector<std::string> out;
    for (const auto& item : n) {
      const std::string t = text(item, key);
      if (t.empty()) fail(key, "must not contain empty entries");
      out.push_back(t);
    }
    return out;
  }
  void only_known(const YAML::Node& n, const std::set<std::string>& known,
                  const std::string& where) const {
    for (const auto& kv : n) {
      const std::string k = kv.first.Scalar();
      if (known.count(k)) continue;
      std::vector<std::string> names(known.begin(), known.end());
      auto near = pipeline::closest_match(k, names);
      fail(where + k, "is not a download option" + (near ? "; did you mean '" + *near + "'?" : ""));
    }
  }
};

HostBreakerOptions read_breaker(const Reader& r, const YAML::Node& n) {
  HostBreakerOptions b;
  if (!n || n.IsNull()) return b;
  if (!n.IsMap())
    r.fail("host_breaker", "must be a mapping like {failure_rate: 0.5, min_calls: 5}");
  r.only_known(n, kKnownBreaker, "host_breaker.");
  if (const auto f = n["failure_rate"]) {
    const std::string t = r.text(f, "host_breaker.failure_rate");
    bool ok = false;
    try {
      size_t used = 0;
      b.failure_rate = std::stod(t, &used);
      ok = used == t.size() && b.failure_rate > 0 && b.failure_rate <= 1;
    } catch (const std::exception&) {
    }
    if (!ok)
      r.fail("host_breaker.failure_rate",
             "must be a fraction in (0, 1], e.g. 0.5, not " + pipeline::quote_value(t));
  }
  b.window_ms = r.duration(n["window"], "host_breaker.window", b.window_ms);
  // CircuitBreaker's window is time, not a call count: catch "window: 20" meant as calls.
  if (b.window_ms < 1000)
    r.fail("host_breaker.window",
           "is a sliding time window and must be at least 1s (e.g. 60s); a bare number means "
           "milliseconds");
  b.min_calls = int(r.count(n["min_calls"], "host_breaker.min_calls", b.min_calls, 1, 1000000));
  b.open_ms = r.duration(n["open_for"], "host_breaker.open_for", b.open_ms);
  return b;
}

}  // namespace

DownloadOptions read_download_options(const std::string& stage, const YAML::Node& options) {
  Reader r{stage};
  DownloadOptions o;
  if (options && !options.IsNull() && !options.IsMap())
    r.fail("options", "must be a mapping of option names to values");
  if (options && options.IsMap())
    r.only_known(options, kDownloadOptionNames, "");  // with did-you-mean
  if (const auto s = options["store"]) o.store = r.text(s, "store");
  if (o.store.empty())
    r.fail("store", "is required: the object store URL, e.g. /var/lib/sluice/lake or s3://bucket");
  o.connect_timeout_ms = r.duration(options["connect_timeout"], "connect_timeout", 5000);
  o.total_timeout_ms = r.duration(options["total_timeout"], "total_timeout", 30000);
  if (o.connect_timeout_ms > o.total_timeout_ms)
    r.fail("connect_timeout", "must not be longer than total_timeout");
  o.max_bytes = r.size(options["max_bytes"], "max_bytes", o.max_bytes);
  o.allowed_content_types =
      r.list(options["allowed_content_types"], "allowed_content_types", o.allowed_content_types);
  for (const auto& t : o.allowed_content_types)
    if (t.find('/') == std::string::npos)
      r.fail("allowed_content_types",
             "entries must be media types like application/pdf or image/*, not " +
                 pipeline::quote_value(t));
  o.allowed_domains = HostAllowlist(r.list(options["allowed_domains"], "allowed_domains", {}));
  o.addresses.allow_private_networks =
      r.boolean(options["allow_private_networks"], "allow_private_networks", false);
  for (const auto& c : r.list(options["allowed_addresses"], "allowed_addresses", {})) {
    auto cidr = parse_cidr(c);
    if (!cidr)
      r.fail("allowed_addresses",
             "entries must be addresses or CIDRs like 127.0.0.1/32 or fd00::/8, "
             "not " +
                 pipeline::quote_value(c));
    o.addresses.allowed.push_back(*cidr);
  }
  o.max_redirects = int(r.count(options["max_redirects"], "max_redirects", o.max_redirects, 0, 50));
  o.host_breaker = read_breaker(r, options["host_breaker"]);
  o.max_transfers =
      int(r.count(options["max_transfers"], "max_transfers", o.max_transfers, 1, 100000));
  o.max_transfers_per_host =
      int(r.count(options["max_transfers_per_host"], "max_transfers_per_host",
                  o.max_transfers_per_host, 1, 100000));
  return o;
}

}  // namespace sluice::stages
