#include "stages/builtin.h"

#include "pipeline/processor.h"
#include "stages/download_processor.h"
#include "stages/fault_injector.h"
#include "stages/ingest_processor.h"
#include "stages/passthrough.h"
#include "stages/table_sink.h"

namespace sluice::stages {

void register_builtin_processors() {
  auto& registry = pipeline::ProcessorRegistry::instance();
  registry.add("passthrough", [](const pipeline::ProcessorContext& c) {
    return std::make_unique<Passthrough>(c);
  });
  registry.add("ingest",
               [](const pipeline::ProcessorContext& c) { return std::make_unique<Ingest>(c); });
  registry.add("fault-injector", [](const pipeline::ProcessorContext& c) {
    return std::make_unique<FaultInjector>(c);
  });
  registry.add("download", [](const pipeline::ProcessorContext& c) {
    return std::make_unique<DownloadProcessor>(c);
  });
  registry.add("table-sink",
               [](const pipeline::ProcessorContext& c) { return std::make_unique<TableSink>(c); });
}

}  // namespace sluice::stages
