#include "stages/builtin.h"

#include "pipeline/processor.h"
#include "stages/avro_decode/avro_decode_processor.h"
#include "stages/avro_encode/avro_encode_processor.h"
#include "stages/chain/chain_processor.h"
#include "stages/count_by_key/count_by_key.h"
#include "stages/download/download_options.h"
#include "stages/download/download_processor.h"
#include "stages/fault_injector/fault_injector.h"
#include "stages/ingest/ingest_processor.h"
#include "stages/passthrough/passthrough.h"
#include "stages/quarantine_route/quarantine_route.h"
#include "stages/sequence_check/sequence_check.h"
#include "stages/table_sink/table_sink.h"
#include "stages/table_sink/table_sink_options.h"
#include "stages/validate/validate_processor.h"
#include "stages/window_aggregate/window_aggregate.h"
#include "stages/window_aggregate/window_options.h"

namespace sluice::stages {
namespace {

template <typename P>
std::unique_ptr<pipeline::Processor> make(const pipeline::ProcessorContext& context) {
  return std::make_unique<P>(context);
}

}  // namespace

// One line per processor: its name, the option keys it understands, its class.
void register_builtin_processors() {
  auto& registry = pipeline::ProcessorRegistry::instance();
  registry.add("passthrough", {}, make<Passthrough>);
  registry.add("ingest", {"schema", "dedupe_window"}, make<Ingest>);
  registry.add("fault-injector", {"dependency_down_file", "dependency"}, make<FaultInjector>);
  registry.add("download", kDownloadOptionNames, make<DownloadProcessor>);
  registry.add("table-sink", kTableSinkOptionNames, make<TableSink>);
  registry.add("count-by-key", {}, make<CountByKey>);
  registry.add("validate", kValidateOptionNames, make<Validate>);
  registry.add("window-aggregate", kWindowAggregateOptionNames, make<WindowAggregate>);
  registry.add("chain", {"steps"}, make<Chain>);
  registry.add("avro-decode", kAvroDecodeOptionNames, make<AvroDecode>);
  registry.add("sequence-check", kSequenceCheckOptionNames, make<SequenceCheck>);
  registry.add("avro-encode", kAvroEncodeOptionNames, make<AvroEncode>);
  registry.add("quarantine-route", kQuarantineRouteOptionNames, make<QuarantineRoute>);
}

}  // namespace sluice::stages
