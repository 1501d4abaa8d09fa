// The `ingest` processor: validation failures, the download-task fan-out, and
// dedupe of re-sent events (but never of the same record processed again).
#include "stages/ingest/ingest_processor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "source_tree.h"

namespace sluice::stages {
namespace {

using pipeline::ErrorCategory;

std::string shipped_schema() {
  return sluice::testing::source_path("examples/claims-attachments/claim-event.schema.json")
      .string();
}

pipeline::ProcessorContext context(const std::string& options_yaml = "") {
  pipeline::ProcessorContext c;
  c.stage = "ingest";
  c.outputs = {"claims.downloads", "ignored.second"};
  c.options = YAML::Load("{schema: '" + shipped_schema() + "'" + options_yaml + "}");
  return c;
}

std::string event(const std::string& claim_id, const std::vector<std::string>& urls) {
  std::string attachments;
  for (const auto& u : urls) {
    attachments += std::string(attachments.empty() ? "" : ",") + R"({"url":")" + u +
                   R"(","content_type":"application/pdf"})";
  }
  return R"({"claim_id":")" + claim_id +
         R"(","event_type":"claim.submitted","submitted_at":"2026-11-27T12:00:00Z","attachments":[)" +
         attachments + "]}";
}

pipeline::Record record(const std::string& value, int64_t offset = 0,
                        const std::string& trace = "t1") {
  pipeline::Record r;
  r.topic = "claims.events";
  r.partition = 0;
  r.offset = offset;
  r.value = value;
  r.trace_id = trace;
  return r;
}

TEST(IngestFanOut, OneDownloadTaskPerAttachment) {
  Ingest ingest(context());
  auto out = ingest.process(record(event("C-000123", {"http://127.0.0.1:1/files/C-000123/0.pdf",
                                                      "http://127.0.0.1:1/files/C-000123/1.pdf"}),
                                   5, "abc123"));
  ASSERT_TRUE(out.ok) << out.message;
  ASSERT_EQ(out.outputs.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const auto& task = out.outputs[i];
    EXPECT_EQ(task.topic, "claims.downloads");
    EXPECT_EQ(task.key, "C-000123");
    EXPECT_EQ(task.value, R"({"trace_id":"abc123","claim_id":"C-000123","task_id":"C-000123/)" +
                              std::to_string(i) + R"(","url":"http://127.0.0.1:1/files/C-000123/)" +
                              std::to_string(i) + R"(.pdf","expected_type":"application/pdf"})");
    ASSERT_EQ(task.headers.size(), 1u);
    EXPECT_EQ(task.headers[0],
              std::make_pair(std::string("sluice.trace_id"), std::string("abc123")));
  }
}

TEST(IngestValidation, MalformedJsonIsAValidationFailure) {
  Ingest ingest(context());
  auto out = ingest.process(record(R"({"claim_id": "C-1", "attachments": [)"));
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.category, ErrorCategory::kValidation);
  EXPECT_EQ(out.message.rfind("the event is not valid JSON: ", 0), 0u) << out.message;
}

TEST(IngestValidation, SchemaViolationsNamePathAndRule) {
  Ingest ingest(context());
  auto out = ingest.process(record(event("C-1", {"http://a/x", "http://b/y", "not a url"})));
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.category, ErrorCategory::kValidation);
  EXPECT_NE(out.message.find("does not match schema " + shipped_schema()), std::string::npos)
      << out.message;
  EXPECT_NE(out.message.find("$.attachments[2].url: does not match format uri"), std::string::npos)
      << out.message;

  auto missing = ingest.process(
      record(R"({"event_type":"claim.submitted","submitted_at":"2026-11-27T12:00:00Z",
      "attachments":[{"url":"http://a/x","content_type":"application/pdf"}]})"));
  EXPECT_FALSE(missing.ok);
  EXPECT_NE(missing.message.find("$.claim_id: required property is missing"), std::string::npos)
      << missing.message;
}

TEST(IngestValidation, LooseSchemaStillNeedsWhatIngestReads) {
  auto path = std::filesystem::temp_directory_path() / "sluice-ingest-any.schema.json";
  { std::ofstream(path) << "{}"; }
  pipeline::ProcessorContext c = context();
  c.options["schema"] = path.string();
  Ingest ingest(c);
  auto out = ingest.process(record(R"({"claim_id":"C-1","attachments":[{"url":"http://a/x"}]})"));
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.category, ErrorCategory::kValidation);
  EXPECT_EQ(out.message,
            "the event cannot be fanned out: $.attachments[0].content_type: required by ingest as "
            "a string");
  std::filesystem::remove(path);
}

TEST(IngestDedupe, ResentEventYieldsNoNewTasks) {
  Ingest ingest(context());
  std::string e = event("C-7", {"http://a/0.pdf", "http://a/1.pdf"});
  EXPECT_EQ(ingest.process(record(e, 1)).outputs.size(), 2u);
  auto again = ingest.process(record(e, 2, "t2"));  // the producer re-sent it
  EXPECT_TRUE(again.ok);
  EXPECT_TRUE(again.outputs.empty());
  // Other attachments or another claim are new content.
  EXPECT_EQ(ingest.process(record(event("C-7", {"http://a/0.pdf"}), 3)).outputs.size(), 1u);
  EXPECT_EQ(
      ingest.process(record(event("C-8", {"http://a/0.pdf", "http://a/1.pdf"}), 4)).outputs.size(),
      2u);
}

TEST(IngestDedupe, TheSameRecordProcessedAgainEmitsAgain) {
  // A redelivery after a failed produce or a rebalance: skipping it would lose the tasks.
  Ingest ingest(context());
  std::string e = event("C-7", {"http://a/0.pdf"});
  EXPECT_EQ(ingest.process(record(e, 9)).outputs.size(), 1u);
  EXPECT_EQ(ingest.process(record(e, 9)).outputs.size(), 1u);
}

TEST(IngestDedupe, WindowForgetsTheOldestFirst) {
  Ingest ingest(context(", dedupe_window: 2"));
  int64_t offset = 0;
  auto emit = [&](const std::string& claim) {
    return ingest.process(record(event(claim, {"http://a/0.pdf"}), offset++)).outputs.size();
  };
  EXPECT_EQ(emit("C-1"), 1u);
  EXPECT_EQ(emit("C-2"), 1u);
  EXPECT_EQ(emit("C-1"), 0u);  // still remembered
  EXPECT_EQ(emit("C-3"), 1u);  // C-1 drops out of the window
  EXPECT_EQ(emit("C-1"), 1u);
}

TEST(IngestDedupe, WindowZeroTurnsDedupeOff) {
  Ingest ingest(context(", dedupe_window: 0"));
  std::string e = event("C-1", {"http://a/0.pdf"});
  EXPECT_EQ(ingest.process(record(e, 1)).outputs.size(), 1u);
  EXPECT_EQ(ingest.process(record(e, 2)).outputs.size(), 1u);
}

TEST(IngestDedupe, ConcurrentDuplicatesFanOutOnce) {
  Ingest ingest(context());
  std::atomic<int> emitted{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < 4; ++t) {
    workers.emplace_back([&, t] {
      for (int claim = 0; claim < 200; ++claim) {
        auto out = ingest.process(
            record(event("C-" + std::to_string(claim), {"http://a/0.pdf"}), t * 1000 + claim));
        EXPECT_TRUE(out.ok);
        emitted += int(out.outputs.size());
      }
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_EQ(emitted.load(), 200);
}

TEST(IngestDedupe, KeysSeparateUrlBoundaries) {
  EXPECT_FALSE(RecentFanouts::key_of("C-1", {"ab", "c"}) ==
               RecentFanouts::key_of("C-1", {"a", "bc"}));
  EXPECT_FALSE(RecentFanouts::key_of("C-1", {"x"}) == RecentFanouts::key_of("C-1x", {}));
  EXPECT_TRUE(RecentFanouts::key_of("C-1", {"x"}) == RecentFanouts::key_of("C-1", {"x"}));
}

TEST(IngestOptions, ProblemsNameTheStageAndOption) {
  auto message = [](pipeline::ProcessorContext c) {
    try {
      Ingest ingest(c);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  pipeline::ProcessorContext no_schema = context();
  no_schema.options = YAML::Load("{}");
  EXPECT_EQ(
      message(no_schema).rfind("stage 'ingest' (processor ingest): option 'schema' is required", 0),
      0u);
  pipeline::ProcessorContext missing = context();
  missing.options["schema"] = "/nonexistent.json";
  EXPECT_EQ(message(missing).rfind(
                "stage 'ingest' (processor ingest): option 'schema': cannot read JSON schema file "
                "/nonexistent.json",
                0),
            0u);
  EXPECT_NE(message(context(", dedupe_window: -5"))
                .find("option 'dedupe_window' must be a whole number >= 0"),
            std::string::npos);
  pipeline::ProcessorContext no_outputs = context();
  no_outputs.outputs.clear();
  EXPECT_NE(message(no_outputs).find("needs an output topic"), std::string::npos);
}

}  // namespace
}  // namespace sluice::stages
