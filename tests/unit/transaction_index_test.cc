// A partition's transactions as read_committed readers see them: the last
// stable offset stops at the earliest open transaction, and aborted ones are
// listed for the range a fetch returns.
#include "broker/storage/transaction_index.h"

#include <gtest/gtest.h>

#include "broker/storage/control_batch.h"
#include "broker/storage/record_batch.h"

namespace sluice::broker {
namespace {

TEST(TransactionIndex, TheLastStableOffsetIsTheFirstOffsetOfTheEarliestOpenTransaction) {
  TransactionIndex index;
  EXPECT_EQ(index.last_stable_offset(10), 10);
  index.on_data(7, 3);
  index.on_data(7, 5);  // the same transaction goes on: it still began at 3
  index.on_data(8, 6);
  EXPECT_EQ(index.last_stable_offset(10), 3);
  index.on_marker(7, MarkerType::kCommit, 8);
  EXPECT_EQ(index.last_stable_offset(10), 6);
  index.on_marker(8, MarkerType::kCommit, 9);
  EXPECT_EQ(index.last_stable_offset(10), 10);
  EXPECT_TRUE(index.aborted_between(0, 10).empty()) << "commits are not aborted transactions";
}

TEST(TransactionIndex, TheHighWatermarkBoundsTheLastStableOffset) {
  TransactionIndex index;
  index.on_data(7, 12);  // written, not yet visible
  EXPECT_EQ(index.last_stable_offset(10), 10);
}

TEST(TransactionIndex, AbortedTransactionsAreListedForTheRangeTheyTouch) {
  TransactionIndex index;
  index.on_data(1, 0);
  index.on_marker(1, MarkerType::kAbort, 2);  // [0, 2]
  index.on_data(2, 3);
  index.on_marker(2, MarkerType::kAbort, 5);  // [3, 5]
  auto all = index.aborted_between(0, 10);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].producer_id, 1);
  EXPECT_EQ(all[0].first_offset, 0);
  EXPECT_EQ(all[0].last_offset, 2);
  auto later = index.aborted_between(3, 10);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].producer_id, 2);
  EXPECT_TRUE(index.aborted_between(0, 0).empty());
}

TEST(TransactionIndex, AMarkerWithNoOpenTransactionChangesNothing) {
  TransactionIndex index;
  index.on_marker(1, MarkerType::kAbort, 0);  // written again after a crash, say
  EXPECT_TRUE(index.aborted_between(0, 10).empty());
  EXPECT_EQ(index.last_stable_offset(10), 10);
}

TEST(TransactionIndex, ObservesMarkersFromTheirBytes) {
  TransactionIndex index;
  Bytes data = build_batch(4, {{1, "k", "v", {}}});
  BatchHeader h = *parse_batch_header(data);
  h.producer_id = 9;
  h.attributes |= 0x10;
  index.observe(h, data);
  Bytes marker = build_marker_batch(9, 0, MarkerType::kAbort, 0, 1);
  assign_base_offset(marker.data(), 5);
  index.observe(*parse_batch_header(marker), marker);
  auto aborted = index.aborted_between(0, 10);
  ASSERT_EQ(aborted.size(), 1u);
  EXPECT_EQ(aborted[0].first_offset, 4);
  EXPECT_EQ(aborted[0].last_offset, 5);
  EXPECT_TRUE(validate_batch(marker).ok) << validate_batch(marker).reason;
  EXPECT_EQ(marker_type(marker), MarkerType::kAbort);
}

TEST(TransactionIndex, CutsAReadBeforeTheFirstBatchAtTheEnd) {
  Bytes a = build_batch(0, {{1, "k", "v", {}}, {1, "k", "v", {}}});
  Bytes b = build_batch(2, {{1, "k", "v", {}}});
  Bytes both = a;
  both.insert(both.end(), b.begin(), b.end());
  Bytes cut = both;
  cut_batches_at(cut, 2);
  EXPECT_EQ(cut.size(), a.size());
  cut = both;
  cut_batches_at(cut, 3);
  EXPECT_EQ(cut.size(), both.size());
  cut_batches_at(cut, 0);
  EXPECT_TRUE(cut.empty());
}

}  // namespace
}  // namespace sluice::broker
