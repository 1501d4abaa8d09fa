#include "pipeline/runtime/batch_runner.h"

#include <chrono>
#include <exception>
#include <string>

namespace sluice::pipeline {

void BatchRunner::run(const TopicPartition& tp, const Batch& batch) {
  Completion c{tp, batch.empty() ? 0 : batch.front()->generation, spare_results(), {}};
  c.results.reserve(batch.size());
  // A record's time is from the end of the previous one's (or the batch's
  // start) to the end of its own: building it, processing it and handing its
  // outputs to the producer. One clock read per record.
  auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < batch.size(); ++i) {
    batch[i]->materialize();
    Outcome outcome;
    try {
      outcome = processor_.process(batch[i]->record);
    } catch (const std::exception& e) {
      // A processor bug must not take the stage down: the record goes the failure path.
      outcome =
          Outcome::failure(ErrorCategory::kPermanent, std::string("processor threw: ") + e.what());
    }
    bool failed = !outcome.ok;
    bool sent = false;
    if (outcome.ok && !(outcome.deferred && sink_) && !outcome.outputs.empty()) {
      // Produced here, not on the poll thread: the outputs are built, sent and
      // freed by the thread that allocated them, and the poll thread keeps only
      // the bookkeeping.
      delivery_.produce_outputs(batch[i], outcome.outputs);
      outcome.outputs.clear();
      sent = true;
    }
    const auto end = std::chrono::steady_clock::now();
    c.results.push_back(
        {batch[i], std::move(outcome), std::chrono::duration<double>(end - start).count(), sent});
    start = end;
    if (failed) {
      c.returned.assign(batch.begin() + long(i) + 1, batch.end());
      break;
    }
  }
  {
    std::lock_guard lock(mu_);
    done_.push_back(std::move(c));
  }
  wakeup_.notify();
}

std::vector<Completion> BatchRunner::take() {
  std::vector<Completion> done;
  std::lock_guard lock(mu_);
  done.swap(done_);
  return done;
}

void BatchRunner::recycle(std::vector<Completion::Result> results) {
  results.clear();
  std::lock_guard lock(mu_);
  if (spare_.size() < kMaxSpareResults) spare_.push_back(std::move(results));
}

std::vector<Completion::Result> BatchRunner::spare_results() {
  std::lock_guard lock(mu_);
  if (spare_.empty()) return {};
  std::vector<Completion::Result> results = std::move(spare_.back());
  spare_.pop_back();
  return results;
}

}  // namespace sluice::pipeline
