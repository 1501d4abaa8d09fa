#include "pipeline/spill/stage_spill.h"

#include "common/log.h"

namespace sluice::pipeline::spill {

std::unique_ptr<StageSpill> make_stage_spill(const PipelineConfig& pipeline,
                                             const StageConfig& stage, Processor& processor,
                                             const kafka::ClientOptions& producer,
                                             const DegradationController& degradation,
                                             ops::MetricsRegistry& metrics) {
  const std::string& spill_dir = stage.degradation.spill_dir;
  if (spill_dir.empty()) return nullptr;
  DurableSink* sink = processor.durable_sink();
  if (!sink) {
    // Only a sink's input can be committed before it is done; other stages
    // produce outputs, which a spill cannot hold back.
    log::warn("stage",
              "stage '{}': degradation.spill_dir is set, but processor '{}' is not a "
              "durable sink, so AGGRESSIVE does not spill (remove spill_dir to silence this)",
              stage.name, stage.processor);
    return nullptr;
  }
  SpillingSinkOptions options;
  std::filesystem::path dir(spill_dir);
  if (dir.is_relative() && !pipeline.base_dir.empty()) dir = pipeline.base_dir / dir;
  options.dir = dir / stage.name;
  options.max_bytes = uint64_t(stage.degradation.spill_max_bytes);
  auto spill = std::make_unique<StageSpill>();
  spill->dead_letters = std::make_unique<SpillDeadLetters>(producer, stage);
  SpillDeadLetters& dead_letters = *spill->dead_letters;
  spill->sink = std::make_unique<SpillingSink>(
      processor, *sink, stage.name, options,
      [&degradation] { return degradation.level() >= DegradationLevel::kAggressive; },
      [&dead_letters](const Record& record, const Outcome& outcome) {
        dead_letters.send(record, outcome);
      },
      metrics);
  log::info("stage", "stage '{}': at AGGRESSIVE its sink's input spills to {} (at most {} bytes)",
            stage.name, options.dir.string(), options.max_bytes);
  return spill;
}

}  // namespace sluice::pipeline::spill
