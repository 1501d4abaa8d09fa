#include "stages/chain/chain_processor.h"

#include <stdexcept>

#include "common/clock.h"
#include "pipeline/processor_options.h"
#include "pipeline/reroute.h"
#include "stages/passthrough/passthrough.h"

namespace sluice::stages {

using pipeline::OptionError;
using pipeline::Outcome;
using pipeline::OutputRecord;
using pipeline::Record;

namespace {

std::string step_name(size_t index, const std::string& processor) {
  return "step " + std::to_string(index + 1) + " (" + processor + ")";
}

// Where the step's options were written: each key's own line when the YAML
// node has one, else the `steps:` key's.
std::map<std::string, pipeline::ConfigSource> step_option_sources(
    const pipeline::ProcessorContext& chain, const YAML::Node& step, const YAML::Node& options) {
  std::map<std::string, pipeline::ConfigSource> sources;
  auto steps = chain.option_sources.find("steps");
  const pipeline::ConfigSource fallback =
      steps == chain.option_sources.end() ? pipeline::ConfigSource{} : steps->second;
  auto at = [&](const YAML::Node& node) {
    pipeline::ConfigSource s = fallback;
    if (!node.Mark().is_null() && s.env_var.empty()) s.line = node.Mark().line + 1;
    return s;
  };
  sources[""] = at(step);
  for (const auto& kv : options) sources[kv.first.Scalar()] = at(kv.first);
  return sources;
}

// A step's blocks are named apart from the other steps' in the chain's state.
std::string step_block_prefix(int step) {
  return "step" + std::to_string(step) + ".";
}

}  // namespace

Chain::Chain(const pipeline::ProcessorContext& context)
    : stage_(context.stage),
      dead_letter_topic_(context.dead_letter_topic),
      dead_letter_headers_(context.dead_letter_headers) {
  const YAML::Node steps = context.options["steps"];
  const std::string where = "stage '" + context.stage + "' (processor chain): ";
  if (!steps || !steps.IsSequence() || steps.size() < 2) {
    throw OptionError("steps", where + "option 'steps' must list two or more steps",
                      "each step is a map: { processor: NAME, options: {...} }");
  }
  for (size_t i = 0; i < steps.size(); ++i) {
    const YAML::Node step = steps[i];
    const bool last = i + 1 == steps.size();
    if (!step.IsMap() || !step["processor"] || !step["processor"].IsScalar()) {
      throw OptionError("steps",
                        where + "steps[" + std::to_string(i) + "] has no `processor: NAME`",
                        "each step is a map: { processor: NAME, options: {...} }");
    }
    for (const auto& kv : step) {
      const std::string key = kv.first.Scalar();
      if (key != "processor" && key != "options") {
        throw OptionError("steps",
                          where + "steps[" + std::to_string(i) + "] has unknown key '" + key + "'",
                          "a step has only `processor:` and `options:`; stage keys (retry, "
                          "state_store, outputs) belong to the stage");
      }
    }
    pipeline::ProcessorContext c = context;
    c.processor = step["processor"].Scalar();
    c.options = step["options"] ? step["options"] : YAML::Node(YAML::NodeType::Map);
    c.option_sources = step_option_sources(context, step, c.options);
    // Not a valid Kafka topic name, so no step can write to a real topic by this name.
    const std::string link = last ? "" : "(" + step_name(i, c.processor) + " link)";
    if (!last) c.outputs = {link};
    auto instance = pipeline::ProcessorRegistry::instance().create(c.processor, c);
    if (instance->durable_sink()) {
      throw OptionError(
          "steps",
          where + step_name(i, c.processor) + " is a durable sink, which cannot run inside a chain",
          "give it its own stage reading the chain's output topic");
    }
    if (instance->stateful()) stateful_steps_.push_back(i);
    pipeline::RecordFilter* filter = instance->filter();
    steps_.push_back({c.processor, link, std::move(instance), filter});
  }
}

Outcome Chain::process(const Record& record) {
  Outcome result = Outcome::success();
  size_t first = 0;
  for (size_t i = 1; i < steps_.size() && first == 0; ++i)
    if (steps_[i].instance->is_control(record)) first = i;
  run_from(first, record, result);
  return result;
}

bool Chain::run_from(size_t first, const Record& record, Outcome& result) const {
  const Step& step = steps_[first];
  // A filter inside the chain passes the record itself on: what its process()
  // would write to the link is this record, so the copy is skipped. Only when
  // the record has no sluice.* headers, which its copy would not carry.
  const bool pass_as_is =
      step.filter && !step.link.empty() && Passthrough::keeps_every_header(record);
  Outcome out = pass_as_is ? step.filter->check(record) : step.instance->process(record);
  if (!out.ok) {
    out.message = step_name(first, steps_[first].processor) + ": " + out.message;
    out.outputs.clear();
    result = std::move(out);
    return false;
  }
  if (pass_as_is) return run_from(first + 1, record, result);
  return forward(first, record, std::move(out.outputs), result);
}

bool Chain::forward(size_t from, const Record& consumed, std::vector<OutputRecord> outputs,
                    Outcome& result) const {
  for (OutputRecord& out : outputs) {
    if (steps_[from].link.empty() || out.topic != steps_[from].link) {
      result.outputs.push_back(std::move(out));
      continue;
    }
    Record next;
    static_cast<kafka::Record&>(next) = {
        consumed.topic,     consumed.partition,   consumed.offset, consumed.timestamp_ms,
        std::move(out.key), std::move(out.value), out.null_value,  std::move(out.headers)};
    next.trace_id = consumed.trace_id;
    next.degraded = consumed.degraded;
    // What a tick releases (offset -1) was made by time: no consumed record.
    next.consumed = consumed.consumed      ? consumed.consumed
                    : consumed.offset >= 0 ? &consumed
                                           : nullptr;
    if (!run_from(from + 1, next, result)) return false;
  }
  return true;
}

std::vector<ChainStepState> Chain::frame_layout() const {
  std::vector<ChainStepState> layout;
  for (size_t i : stateful_steps_) layout.push_back({int(i), steps_[i].processor, std::nullopt});
  return layout;
}

void Chain::restore(const std::string& topic, int32_t partition,
                    const std::optional<pipeline::ProcessorState>& state) {
  std::vector<ChainStepState> parts = frame_layout();
  if (state) {
    try {
      parts = decode_chain_state(state->head, parts);
    } catch (const std::runtime_error& e) {
      throw std::runtime_error("stage '" + stage_ + "': the checkpointed state of " + topic + "/" +
                               std::to_string(partition) +
                               " cannot be restored into this chain: " + e.what() +
                               ". If the chain's steps changed on purpose, start the stage "
                               "with a new state_store (its windows start empty)");
    }
  }
  for (const ChainStepState& part : parts) {
    std::optional<pipeline::ProcessorState> step_state;
    if (part.state) {
      step_state.emplace(*part.state);
      const std::string prefix = step_block_prefix(part.step);
      for (const pipeline::StateBlock& b : state->blocks) {
        if (b.name.starts_with(prefix))
          step_state->blocks.push_back({b.name.substr(prefix.size()), b.bytes});
      }
    }
    steps_[size_t(part.step)].instance->stateful()->restore(topic, partition, step_state);
  }
}

pipeline::ProcessorState Chain::snapshot(const std::string& topic, int32_t partition) {
  pipeline::ProcessorState chain_state;
  std::vector<ChainStepState> parts = frame_layout();
  for (ChainStepState& part : parts) {
    pipeline::ProcessorState step_state =
        steps_[size_t(part.step)].instance->stateful()->snapshot(topic, partition);
    part.state = std::move(step_state.head);
    for (pipeline::StateBlock& b : step_state.blocks) {
      chain_state.blocks.push_back({step_block_prefix(part.step) + b.name, std::move(b.bytes)});
    }
  }
  chain_state.head = encode_chain_state(parts);
  return chain_state;
}

void Chain::release(const std::string& topic, int32_t partition) {
  for (size_t i : stateful_steps_) steps_[i].instance->stateful()->release(topic, partition);
}

std::vector<OutputRecord> Chain::tick(const std::string& topic, int32_t partition) {
  // What time releases at a step continues through the steps after it, as a
  // consumed record's outputs would. There is no consumed record to fail, so
  // an output a later step refuses goes to the DLQ by itself (offset -1: made
  // by a tick) and the others go on.
  Record origin;
  origin.topic = topic;
  origin.partition = partition;
  origin.offset = -1;
  std::vector<OutputRecord> produced;
  for (size_t i : stateful_steps_) {
    for (OutputRecord& released : steps_[i].instance->stateful()->tick(topic, partition)) {
      OutputRecord kept = released;
      Outcome result = Outcome::success();
      if (forward(i, origin, {std::move(released)}, result)) {
        for (OutputRecord& o : result.outputs) produced.push_back(std::move(o));
        continue;
      }
      if (dead_letter_topic_.empty()) {
        throw std::runtime_error("stage '" + stage_ + "': " + result.message +
                                 " (released by a tick, and the stage's DLQ is disabled)");
      }
      Record refused = origin;
      refused.key = std::move(kept.key);
      refused.value = std::move(kept.value);
      refused.headers = std::move(kept.headers);
      produced.push_back(pipeline::to_dead_letter(
          refused, dead_letter_topic_, {stage_, result.category, result.message, 1, now_ms()},
          dead_letter_headers_));
    }
  }
  return produced;
}

}  // namespace sluice::stages
