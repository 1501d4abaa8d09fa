#include "cli/up/prometheus_targets.h"

#include "cli/up/replace_file.h"
#include "common/json.h"

namespace sluice::cli {

std::string prometheus_targets_path(const std::string& data_dir) {
  return data_dir + "/prometheus/targets.json";
}

std::string render_prometheus_targets(const std::string& pipeline,
                                      const std::vector<MetricsTarget>& targets) {
  json::JsonWriter w;
  w.begin_array();
  for (const auto& t : targets) {
    w.begin_object().key("targets").begin_array().value(t.address).end_array();
    w.key("labels").begin_object().field("role", t.role).field("pipeline", pipeline);
    w.field("process", t.process);
    // Prometheus treats an empty label as absent; leave them out for the broker.
    if (!t.stage.empty()) w.field("stage", t.stage);
    if (t.replica > 0) w.field("replica", std::to_string(t.replica));
    w.end_object().end_object();
  }
  w.end_array();
  return w.str() + "\n";
}

void write_prometheus_targets(const std::string& data_dir, const std::string& pipeline,
                              const std::vector<MetricsTarget>& targets) {
  replace_file(prometheus_targets_path(data_dir), render_prometheus_targets(pipeline, targets));
}

}  // namespace sluice::cli
