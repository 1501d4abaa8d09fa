// Reconciliation's accounting, without Kafka or a table: every expected task is
// one table row or a DLQ record, else LOST (or DUPLICATE with more rows); an
// event dead-lettered by ingest calls for nothing, even when its DLQ record
// arrives after the event was counted; compaction (rows retired and written
// again) changes nothing; and feeding the facts in two passes gives the report
// of one pass over all of them.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "cli/up/claim_tasks.h"
#include "cli/up/reconcile_ledger.h"

namespace sluice::cli {
namespace {

const std::string kCategory = "validation";

TEST(CliClaimTasks, AnEventCallsForOneTaskPerAttachment) {
  EXPECT_EQ(tasks_called_for(R"({"claim_id":"C-1","attachments":[{"url":"a"},{"url":"b"}]})"),
            (std::vector<std::string>{"C-1/0", "C-1/1"}));
  EXPECT_EQ(tasks_called_for(R"({"claim_id":"C-2","attachments":[]})"), std::vector<std::string>{});
}

TEST(CliClaimTasks, APayloadThatIsNotAClaimEventCallsForNothing) {
  EXPECT_TRUE(tasks_called_for("not json").empty());
  EXPECT_TRUE(tasks_called_for(R"({"attachments":[{"url":"a"}]})").empty());
  EXPECT_TRUE(tasks_called_for(R"({"claim_id":7,"attachments":[{"url":"a"}]})").empty());
  EXPECT_TRUE(tasks_called_for("").empty());
}

TEST(CliClaimTasks, TaskIdIsReadFromAnyRecordThatCarriesOne) {
  EXPECT_EQ(task_id_of(R"({"task_id":"C-1/0","url":"x"})"), "C-1/0");
  EXPECT_EQ(task_id_of(R"({"url":"x"})"), "");
  EXPECT_EQ(task_id_of("[1,2]"), "");
}

TEST(CliReconcileLedger, EveryExpectedTaskIsARowOrADeadLetterOrLost) {
  ReconcileLedger l;
  l.input_event({0, 0}, {"C-1/0", "C-1/1", "C-1/2"});
  for (const char* t : {"C-1/0", "C-1/1", "C-1/2"}) l.task_produced(t);
  l.row_added("C-1/0", "files/C-1/0.pdf", true);
  l.task_dead_lettered("C-1/1");
  ReconcileReport r = l.report("file:///lake");
  EXPECT_EQ(r.events, 1);
  EXPECT_EQ(r.tasks_expected, 3);
  EXPECT_EQ(r.tasks_produced, 3);
  EXPECT_EQ(r.rows, 1);
  EXPECT_EQ(r.tasks_dead_lettered, 1);
  ASSERT_EQ(r.lost.size(), 1u);
  EXPECT_EQ(r.lost[0], "C-1/2: a download task exists but no row and no DLQ record");
  EXPECT_FALSE(r.ok());
}

TEST(CliReconcileLedger, ALostTaskSaysWhetherItsDownloadTaskWasEverProduced) {
  ReconcileLedger l;
  l.input_event({0, 0}, {"C-1/0"});
  EXPECT_EQ(l.report("").lost.at(0), "C-1/0: the event was accepted but no download task exists");
}

TEST(CliReconcileLedger, ARowWinsOverADeadLetterForTheSameTask) {
  // Dead-lettered, then replayed after a fix: it is a row now, counted once.
  ReconcileLedger l;
  l.input_event({0, 0}, {"C-1/0"});
  l.task_dead_lettered("C-1/0");
  l.row_added("C-1/0", "k", true);
  ReconcileReport r = l.report("");
  EXPECT_EQ(r.rows, 1);
  EXPECT_EQ(r.tasks_dead_lettered, 0);
  EXPECT_TRUE(r.ok());
}

TEST(CliReconcileLedger, TwoRowsForOneTaskAreADuplicate) {
  ReconcileLedger l;
  l.input_event({0, 0}, {"C-1/0"});
  l.row_added("C-1/0", "k", true);
  l.row_added("C-1/0", "k", true);
  ReconcileReport r = l.report("");
  ASSERT_EQ(r.duplicated.size(), 1u);
  EXPECT_EQ(r.duplicated[0], "C-1/0: 2 rows");
  EXPECT_EQ(r.objects_checked, 2);
}

TEST(CliReconcileLedger, AnEventResentUpstreamIsNotALossNorADuplicateTask) {
  ReconcileLedger l;
  l.input_event({0, 0}, {"C-1/0"});
  l.input_event({1, 4}, {"C-1/0"});  // at-least-once: the same event twice
  l.row_added("C-1/0", "k", true);
  ReconcileReport r = l.report("");
  EXPECT_EQ(r.events, 2);
  EXPECT_EQ(r.tasks_expected, 1);
  EXPECT_TRUE(r.ok());
}

TEST(CliReconcileLedger, AnEventDeadLetteredBeforeItIsReadCallsForNothing) {
  ReconcileLedger l;
  l.dead_letter_record("claims.events.dlq", &kCategory);
  l.event_dead_lettered({2, 9}, {"C-9/0"}, /*counted=*/false);
  l.input_event({2, 9}, {"C-9/0"});
  ReconcileReport r = l.report("");
  EXPECT_EQ(r.events, 1);
  EXPECT_EQ(r.events_dead_lettered, 1);
  EXPECT_EQ(r.tasks_expected, 0);
  EXPECT_EQ(r.dlq_categories.at("claims.events.dlq validation"), 1);
  EXPECT_TRUE(r.ok());
}

TEST(CliReconcileLedger, AnEventDeadLetteredAfterItWasCountedIsTakenBack) {
  // Pass 1 read the event while ingest was still retrying it; pass 2 finds its DLQ record.
  ReconcileLedger l;
  l.input_event({2, 9}, {"C-9/0", "C-9/1"});
  EXPECT_EQ(l.report("").lost.size(), 2u);
  l.event_dead_lettered({2, 9}, {"C-9/0", "C-9/1"}, /*counted=*/true);
  ReconcileReport r = l.report("");
  EXPECT_EQ(r.events_dead_lettered, 1);
  EXPECT_EQ(r.tasks_expected, 0);
  EXPECT_TRUE(r.ok());
}

TEST(CliReconcileLedger, AnEventDeadLetteredTwiceCountsOnce) {
  ReconcileLedger l;
  l.input_event({0, 1}, {"C-1/0"});
  l.input_event({0, 2}, {"C-1/0"});  // the same claim sent again, at another offset
  l.event_dead_lettered({0, 1}, {"C-1/0"}, true);
  l.event_dead_lettered({0, 1}, {"C-1/0"}, true);  // a redelivered DLQ record
  ReconcileReport r = l.report("");
  EXPECT_EQ(r.events_dead_lettered, 1);
  EXPECT_EQ(r.tasks_expected, 1) << "the event at offset 2 still calls for C-1/0";
}

TEST(CliReconcileLedger, CompactionRetiringAndRewritingRowsChangesNothing) {
  ReconcileLedger l;
  l.input_event({0, 0}, {"C-1/0", "C-1/1"});
  l.row_added("C-1/0", "a", true);
  l.row_added("C-1/1", "b", true);
  l.row_removed("C-1/0", "a");  // two small files retired ...
  l.row_removed("C-1/1", "b");
  l.row_added("C-1/0", "a", true);  // ... and their rows written as one
  l.row_added("C-1/1", "b", true);
  ReconcileReport r = l.report("");
  EXPECT_EQ(r.rows, 2);
  EXPECT_EQ(r.objects_checked, 2);
  EXPECT_TRUE(r.duplicated.empty());
}

TEST(CliReconcileLedger, AMissingObjectIsReportedUntilItExists) {
  ReconcileLedger l;
  l.input_event({0, 0}, {"C-1/0"});
  l.row_added("C-1/0", "files/C-1/0.pdf", false);
  ReconcileReport r = l.report("file:///lake");
  ASSERT_EQ(r.missing_objects.size(), 1u);
  EXPECT_EQ(r.missing_objects[0], "C-1/0: object files/C-1/0.pdf is not in file:///lake");
  l.recheck_missing([](const std::string&) { return false; });
  EXPECT_EQ(l.report("").missing_objects.size(), 1u);
  l.recheck_missing([](const std::string& key) { return key == "files/C-1/0.pdf"; });
  EXPECT_TRUE(l.report("").missing_objects.empty());
  EXPECT_TRUE(l.report("").ok());
}

TEST(CliReconcileLedger, ListsAreSortedByTaskWhateverTheOrderOfTheFacts) {
  ReconcileLedger l;
  l.input_event({0, 0}, {"C-3/0"});
  l.input_event({0, 1}, {"C-1/0"});
  l.input_event({0, 2}, {"C-2/0"});
  ReconcileReport r = l.report("");
  ASSERT_EQ(r.lost.size(), 3u);
  EXPECT_EQ(r.lost[0].substr(0, 5), "C-1/0");
  EXPECT_EQ(r.lost[1].substr(0, 5), "C-2/0");
  EXPECT_EQ(r.lost[2].substr(0, 5), "C-3/0");
}

// The facts of a small run, split at `cut`: the first part as pass 1, the rest as pass 2.
struct Fact {
  enum Kind { kEvent, kEventDlq, kTask, kTaskDlq, kRow } kind;
  InputPosition at;
  std::vector<std::string> tasks;
};

ReconcileReport feed(ReconcileLedger& l, const std::vector<Fact>& facts, size_t from, size_t to,
                     std::set<InputPosition>& counted) {
  for (size_t i = from; i < to; ++i) {
    const Fact& f = facts[i];
    switch (f.kind) {
      case Fact::kEvent:
        l.input_event(f.at, f.tasks);
        counted.insert(f.at);
        break;
      case Fact::kEventDlq:
        l.event_dead_lettered(f.at, f.tasks, counted.count(f.at) > 0);
        break;
      case Fact::kTask:
        l.task_produced(f.tasks[0]);
        break;
      case Fact::kTaskDlq:
        l.task_dead_lettered(f.tasks[0]);
        break;
      case Fact::kRow:
        l.row_added(f.tasks[0], "obj/" + f.tasks[0], true);
        break;
    }
  }
  return l.report("store");
}

TEST(CliReconcileLedger, TwoPassesGiveTheReportOfOnePassOverEverything) {
  const std::vector<Fact> facts = {
      {Fact::kEvent, {0, 0}, {"A/0", "A/1"}},
      {Fact::kTask, {}, {"A/0"}},
      {Fact::kEvent, {1, 0}, {"B/0"}},
      {Fact::kRow, {}, {"A/0"}},
      {Fact::kTask, {}, {"A/1"}},
      {Fact::kEvent, {0, 1}, {"C/0"}},
      {Fact::kEventDlq, {1, 0}, {"B/0"}},
      {Fact::kTaskDlq, {}, {"A/1"}},
      {Fact::kTask, {}, {"C/0"}},
      {Fact::kRow, {}, {"C/0"}},
      {Fact::kRow, {}, {"C/0"}},
      {Fact::kEvent, {1, 1}, {"D/0"}},
  };
  std::set<InputPosition> counted_once;
  ReconcileLedger once;
  const ReconcileReport all = feed(once, facts, 0, facts.size(), counted_once);
  EXPECT_EQ(all.events, 4);
  EXPECT_EQ(all.events_dead_lettered, 1);
  EXPECT_EQ(all.tasks_expected, 4);  // A/0 A/1 C/0 D/0
  EXPECT_EQ(all.duplicated.size(), 1u);
  EXPECT_EQ(all.lost.size(), 1u);
  for (size_t cut = 0; cut <= facts.size(); ++cut) {
    std::set<InputPosition> counted;
    ReconcileLedger first;
    feed(first, facts, 0, cut, counted);
    ReconcileLedger second(LedgerFigures(first.figures()));  // as if read back from a checkpoint
    const ReconcileReport r = feed(second, facts, cut, facts.size(), counted);
    EXPECT_EQ(r.events, all.events) << "cut " << cut;
    EXPECT_EQ(r.events_dead_lettered, all.events_dead_lettered) << "cut " << cut;
    EXPECT_EQ(r.tasks_expected, all.tasks_expected) << "cut " << cut;
    EXPECT_EQ(r.tasks_produced, all.tasks_produced) << "cut " << cut;
    EXPECT_EQ(r.rows, all.rows) << "cut " << cut;
    EXPECT_EQ(r.tasks_dead_lettered, all.tasks_dead_lettered) << "cut " << cut;
    EXPECT_EQ(r.lost, all.lost) << "cut " << cut;
    EXPECT_EQ(r.duplicated, all.duplicated) << "cut " << cut;
  }
}

}  // namespace
}  // namespace sluice::cli
