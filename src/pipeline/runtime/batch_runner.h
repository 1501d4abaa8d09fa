// The hand-off between the poll thread and the workers: a worker processes one
// batch of one partition, produces the outputs, and hands the outcome back.
//
// Invariant: every batch comes back exactly once, whole — a result for each
// record processed, in offset order, and, after the first failure, the rest of
// the batch untouched (`returned`), so the failed record's retry can go back
// ahead of them and the partition keeps its order. A processor that throws
// fails its record (permanent) instead of taking the stage down.
//
// Threads: run() on workers; take() on the poll thread.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "pipeline/processor.h"
#include "pipeline/runtime/delivery.h"
#include "pipeline/runtime/in_flight.h"
#include "pipeline/wakeup.h"

namespace sluice::pipeline {

using Batch = std::vector<std::shared_ptr<InFlight>>;

struct Completion {
  struct Result {
    std::shared_ptr<InFlight> job;
    Outcome outcome;
    double seconds = 0;
    bool sent = false;  // the worker produced the outputs (outcome.outputs is then empty)
  };
  TopicPartition tp;
  uint64_t generation = 0;  // the ownership of `tp` the batch was taken under
  std::vector<Result> results;
  std::vector<std::shared_ptr<InFlight>> returned;
};

class BatchRunner {
 public:
  // `sink`: the processor's, or nullptr. `delivery` produces a success's outputs;
  // `wakeup` is notified when a batch comes back.
  BatchRunner(Processor& processor, DurableSink* sink, Delivery& delivery, Wakeup& wakeup)
      : processor_(processor), sink_(sink), delivery_(delivery), wakeup_(wakeup) {}

  void run(const TopicPartition& tp, const Batch& batch);
  // The batches that came back since the last call, in the order they finished.
  std::vector<Completion> take();
  // A handled completion's results, emptied, for a later batch to fill: a
  // vector per batch, allocated by a worker and freed by the poll thread, is
  // what glibc's allocator handles worst.
  void recycle(std::vector<Completion::Result> results);

 private:
  Processor& processor_;
  DurableSink* sink_;
  Delivery& delivery_;
  Wakeup& wakeup_;
  std::vector<Completion::Result> spare_results();

  static constexpr size_t kMaxSpareResults = 64;  // more than the workers ever hold
  std::mutex mu_;
  std::vector<Completion> done_;
  std::vector<std::vector<Completion::Result>> spare_;
};

}  // namespace sluice::pipeline
