// The spill a stage puts in front of its durable sink when
// `degradation.spill_dir` is set (docs/degradation.md): a SpillingSink that
// spills while the stage's degradation level is AGGRESSIVE or higher, with
// its own producer for the dead letters of drained records.
//
// Invariant: the SpillingSink is destroyed before the dead letters it sends
// through and, being owned by the StageRuntime after its DegradationController
// and processor, before those too: its drain thread never outlives what it uses.
#pragma once

#include <memory>

#include "kafka/types.h"
#include "ops/metrics.h"
#include "pipeline/pipeline_config.h"
#include "pipeline/processor.h"
#include "pipeline/runtime/degradation.h"
#include "pipeline/spill/spill_dead_letters.h"
#include "pipeline/spill/spilling_sink.h"

namespace sluice::pipeline::spill {

struct StageSpill {
  std::unique_ptr<SpillDeadLetters> dead_letters;
  std::unique_ptr<SpillingSink> sink;  // after dead_letters: destroyed first
};

// nullptr unless the stage sets degradation.spill_dir and its processor is a
// durable sink. A relative spill_dir is under the pipeline file's directory;
// the stage's spill is <spill_dir>/<stage>.
std::unique_ptr<StageSpill> make_stage_spill(const PipelineConfig& pipeline,
                                             const StageConfig& stage, Processor& processor,
                                             const kafka::ClientOptions& producer,
                                             const DegradationController& degradation,
                                             ops::MetricsRegistry& metrics);

}  // namespace sluice::pipeline::spill
