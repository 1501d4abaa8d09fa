#include "stages/window_aggregate/window_options.h"

#include <algorithm>
#include <regex>

#include "pipeline/config_text.h"

namespace sluice::stages {
namespace {

class Reader {
 public:
  explicit Reader(const pipeline::ProcessorContext& c) : c_(c) {}

  [[noreturn]] void fail(const std::string& key, const std::string& why,
                         const std::string& hint = "") const {
    throw pipeline::OptionError(key, "stage '" + c_.stage + "': option '" + key + "' " + why, hint);
  }
  YAML::Node node(const std::string& key) const { return c_.options[key]; }
  std::string text(const std::string& key, const std::string& fallback) const {
    const YAML::Node n = node(key);
    if (!n || n.IsNull()) return fallback;
    if (!n.IsScalar()) fail(key, "must be a single value");
    return n.Scalar();
  }
  int64_t duration(const std::string& key, int64_t fallback, int64_t lo) const {
    const std::string t = text(key, "");
    if (t.empty()) return fallback;
    const auto v = pipeline::parse_duration_ms(t);
    if (!v || *v < lo)
      fail(key, "must be a duration like 500ms, 30s, 1m or 1h" +
                    std::string(lo > 0 ? "" : " (0 allowed)") + ", not " +
                    pipeline::quote_value(t));
    return *v;
  }

 private:
  const pipeline::ProcessorContext& c_;
};

std::vector<std::string> read_group_by(const Reader& r) {
  const YAML::Node n = r.node("group_by");
  std::vector<std::string> fields;
  if (!n || n.IsNull()) return fields;
  if (n.IsScalar()) {
    fields.push_back(n.Scalar());
  } else if (n.IsSequence()) {
    for (const auto& item : n) fields.push_back(item.IsScalar() ? item.Scalar() : "");
  } else {
    r.fail("group_by", "must be a list of field names, e.g. [device_id, location]");
  }
  for (const auto& f : fields)
    if (f.empty()) r.fail("group_by", "must not contain empty or nested entries");
  return fields;
}

// `name: fn` or `name: fn(field)` or `name: count_if(field OP number)`.
AggregateSpec read_aggregate(const Reader& r, const std::string& name, const std::string& text) {
  static const std::regex form(R"(^\s*([a-z_]+)\s*(?:\((.*)\))?\s*$)");
  const std::string usage =
      "write count, sum(F), min(F), max(F), avg(F), stddev(F), count_if(F < N), first(F) or "
      "last(F)";
  std::smatch m;
  if (!std::regex_match(text, m, form))
    r.fail("aggregates", "has '" + name + ": " + text + "', which is not an aggregate", usage);
  AggregateSpec spec;
  spec.name = name;
  const auto fn = aggregate_fn_named(m[1]);
  if (!fn)
    r.fail("aggregates", "has '" + name + "' with unknown function '" + std::string(m[1]) + "'",
           usage);
  spec.fn = *fn;
  const std::string arg = m[2].matched ? std::string(m[2]) : "";
  if (spec.fn == AggregateFn::kCount) {
    if (!arg.empty())
      r.fail("aggregates", "has '" + name + ": " + text + "'; count takes no field", usage);
    return spec;
  }
  if (spec.fn == AggregateFn::kCountIf) {
    const auto c = Condition::parse(arg);
    if (!c)
      r.fail("aggregates",
             "has '" + name + ": " + text + "', whose condition is not FIELD OP NUMBER",
             "e.g. count_if(battery_level < 20); OP is one of < <= > >= == !=");
    spec.when = *c;
    spec.field = c->field;
    return spec;
  }
  static const std::regex field(R"(^\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*$)");
  std::smatch f;
  if (!std::regex_match(arg, f, field))
    r.fail("aggregates", "has '" + name + ": " + text + "', which needs one field name", usage);
  spec.field = f[1];
  return spec;
}

std::vector<AggregateSpec> read_aggregates(const Reader& r,
                                           const std::vector<std::string>& group_by) {
  const YAML::Node n = r.node("aggregates");
  if (!n || !n.IsMap() || n.size() == 0)
    r.fail("aggregates",
           "must map output names to aggregates, e.g. {events: count, avg_value: avg(value)}");
  std::vector<AggregateSpec> specs;
  for (const auto& item : n) {
    const std::string name = item.first.Scalar();
    if (!item.second.IsScalar())
      r.fail("aggregates", "has '" + name + "' whose aggregate is not text");
    if (name == "window_start" || name == "window_end" ||
        std::find(group_by.begin(), group_by.end(), name) != group_by.end())
      r.fail("aggregates", "uses the name '" + name + "', which the output row already has");
    specs.push_back(read_aggregate(r, name, item.second.Scalar()));
  }
  return specs;
}

}  // namespace

std::string WindowOptions::fingerprint() const {
  std::string f = "size=" + std::to_string(layout.size) + ";slide=" + std::to_string(layout.slide) +
                  ";group_by=";
  for (const auto& g : group_by) f += g + ",";
  f += ";aggregates=";
  for (const auto& a : aggregates) f += std::string(aggregate_fn_name(a.fn)) + "(" + a.field + "),";
  return f;
}

WindowOptions read_window_options(const pipeline::ProcessorContext& context) {
  const Reader r(context);
  WindowOptions o;
  if (context.outputs.empty())
    throw pipeline::OptionError("", "stage '" + context.stage +
                                        "': window-aggregate needs an output topic for its rows "
                                        "(outputs: [TOPIC])");
  o.output = context.outputs.front();
  o.time_field = r.text("time_field", "");
  if (o.time_field.empty())
    r.fail("time_field", "is required: the JSON field holding each record's event time",
           "e.g. time_field: timestamp");
  const int64_t size = r.duration("size", 0, 1);
  if (size == 0) r.fail("size", "is required: the window length, e.g. size: 1m");
  const int64_t slide = r.duration("slide", size, 1);
  if (slide > size)
    r.fail("slide", "must not be longer than size (" + pipeline::format_duration_ms(size) +
                        "): windows would leave gaps between them");
  o.layout = WindowLayout::of(size, slide);
  o.allowed_lateness_ms = r.duration("allowed_lateness", 0, 0);
  o.idle_timeout_ms = r.duration("idle_timeout", o.idle_timeout_ms, 1);
  o.group_by = read_group_by(r);
  o.aggregates = read_aggregates(r, o.group_by);
  const std::string mode = r.text("mode", "append");
  if (mode == "append") {
    o.mode = EmitMode::kAppend;
  } else if (mode == "update") {
    o.mode = EmitMode::kUpdate;
  } else {
    r.fail("mode", "must be append or update, not " + pipeline::quote_value(mode));
  }
  o.late_topic = r.text("late_topic", "");
  o.id_field = r.text("id_field", "");
  const bool taken =
      o.id_field == "window_start" || o.id_field == "window_end" ||
      std::find(o.group_by.begin(), o.group_by.end(), o.id_field) != o.group_by.end() ||
      std::any_of(o.aggregates.begin(), o.aggregates.end(),
                  [&](const AggregateSpec& a) { return a.name == o.id_field; });
  if (taken)
    r.fail("id_field", "is '" + o.id_field + "', a name the output row already has",
           "pick another, e.g. id_field: window_id");
  return o;
}

}  // namespace sluice::stages
