// DATA/prometheus/targets.json: every process `sluice up` runs that serves
// /metrics, in Prometheus's file-based service discovery format
// (file_sd_configs), so a Prometheus pointed at the file finds the broker and
// each stage process with labels that say what it is:
//
//   [{"targets": ["127.0.0.1:9465"],
//     "labels": {"role": "stage", "pipeline": "claims", "stage": "download",
//                "replica": "2", "process": "download#2"}},
//    {"targets": ["127.0.0.1:9464"],
//     "labels": {"role": "broker", "pipeline": "claims", "process": "broker"}}, ...]
//
// One target group per process. The addresses are the fixed admin ports of
// admin_ports.h, so the file names the same targets for the whole life of a
// `sluice up`; it is rewritten (atomically, replace_file.h) whenever a process
// starts or restarts, and a stage stopped with `sluice stop` stays listed: its
// failing scrape (up == 0) is what tells Prometheus it is down.
#pragma once

#include <string>
#include <vector>

namespace sluice::cli {

struct MetricsTarget {
  std::string address;  // HOST:PORT serving /metrics
  std::string role;     // "broker" | "stage" | "exporter"
  std::string process;  // "broker", "download#2"
  std::string stage;    // empty for the broker
  int replica = 0;      // 1-based; 0 for the broker
};

std::string prometheus_targets_path(const std::string& data_dir);
std::string render_prometheus_targets(const std::string& pipeline,
                                      const std::vector<MetricsTarget>& targets);
void write_prometheus_targets(const std::string& data_dir, const std::string& pipeline,
                              const std::vector<MetricsTarget>& targets);

}  // namespace sluice::cli
