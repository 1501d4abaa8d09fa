// The incident classifier: every row of the runbook's severity table, the band
// edges, several reasons at once, and the number spellings the reasons use.
#include <gtest/gtest.h>

#include "ops/incident_assessment.h"

namespace sluice::ops {
namespace {

IncidentFigures healthy() {
  IncidentFigures f;
  f.workers_up = 3;
  f.workers_total = 3;
  return f;
}

std::vector<std::string> signals(const IncidentAssessment& a) {
  std::vector<std::string> out;
  for (const auto& r : a.reasons) out.push_back(r.signal);
  return out;
}

TEST(IncidentAssess, AHealthyPipelineIsSev4WithNoReasons) {
  IncidentAssessment a = assess_incident(healthy());
  EXPECT_EQ(a.severity, Severity::kSev4);
  EXPECT_FALSE(a.incident());
  EXPECT_TRUE(a.reasons.empty());
  EXPECT_EQ(severity_name(a.severity), "SEV-4");
}

TEST(IncidentAssess, EveryWorkerDownIsSev1) {
  IncidentFigures f = healthy();
  f.workers_up = 0;
  IncidentAssessment a = assess_incident(f);
  EXPECT_EQ(a.severity, Severity::kSev1);
  ASSERT_EQ(a.reasons.size(), 1u);
  EXPECT_EQ(a.reasons[0].signal, "workers");
  EXPECT_EQ(a.reasons[0].text, "all 3 stage process(es) down (SEV-1)");
}

TEST(IncidentAssess, SomeWorkersDownIsSev3) {
  IncidentFigures f = healthy();
  f.workers_up = 2;
  IncidentAssessment a = assess_incident(f);
  EXPECT_EQ(a.severity, Severity::kSev3);
  EXPECT_EQ(a.reasons[0].text, "1 of 3 stage process(es) down (SEV-3)");
  EXPECT_EQ(a.reasons[0].figure, 1);
}

TEST(IncidentAssess, NoEndpointsAskedIsNotAnOutage) {
  IncidentFigures f;
  EXPECT_EQ(assess_incident(f).severity, Severity::kSev4);
}

TEST(IncidentAssess, AnUnreachableBrokerIsSev1) {
  IncidentFigures f = healthy();
  f.broker_reachable = false;
  IncidentAssessment a = assess_incident(f);
  EXPECT_EQ(a.severity, Severity::kSev1);
  EXPECT_EQ(signals(a), std::vector<std::string>{"broker"});
}

struct Band {
  double figure;
  Severity expected;
};

TEST(IncidentAssess, LagBandsAreStrictlyAboveTheirThresholds) {
  for (Band b :
       {Band{0, Severity::kSev4}, Band{10'000, Severity::kSev4}, Band{10'001, Severity::kSev3},
        Band{100'000, Severity::kSev3}, Band{100'001, Severity::kSev2},
        Band{1'000'000, Severity::kSev2}, Band{1'000'001, Severity::kSev1}}) {
    IncidentFigures f = healthy();
    f.lag = b.figure;
    EXPECT_EQ(assess_incident(f).severity, b.expected) << "lag " << b.figure;
  }
}

TEST(IncidentAssess, ErrorRateBandsAreStrictlyAboveTheirThresholds) {
  for (Band b :
       {Band{0, Severity::kSev4}, Band{0.01, Severity::kSev4}, Band{0.011, Severity::kSev3},
        Band{0.10, Severity::kSev3}, Band{0.15, Severity::kSev2}, Band{0.20, Severity::kSev2},
        Band{0.21, Severity::kSev1}, Band{1.0, Severity::kSev1}}) {
    IncidentFigures f = healthy();
    f.error_rate = b.figure;
    EXPECT_EQ(assess_incident(f).severity, b.expected) << "error rate " << b.figure;
  }
}

TEST(IncidentAssess, DlqGrowthBands) {
  for (Band b : {Band{0, Severity::kSev4}, Band{9.9, Severity::kSev4}, Band{10, Severity::kSev3},
                 Band{100, Severity::kSev3}, Band{100.1, Severity::kSev1}}) {
    IncidentFigures f = healthy();
    f.dlq_per_min = b.figure;
    EXPECT_EQ(assess_incident(f).severity, b.expected) << "DLQ/min " << b.figure;
  }
}

TEST(IncidentAssess, EachReasonCarriesItsFigureAndThreshold) {
  IncidentFigures f = healthy();
  f.error_rate = 0.153;
  IncidentAssessment a = assess_incident(f);
  ASSERT_EQ(a.reasons.size(), 1u);
  EXPECT_EQ(a.reasons[0].signal, "error_rate");
  EXPECT_DOUBLE_EQ(a.reasons[0].figure, 0.153);
  EXPECT_DOUBLE_EQ(a.reasons[0].threshold, 0.10);
  EXPECT_EQ(a.reasons[0].text, "error rate 15.3% > 10% (SEV-2)");
}

TEST(IncidentAssess, EveryApplicableReasonIsListedMostSevereFirst) {
  IncidentFigures f = healthy();
  f.workers_up = 2;     // SEV-3
  f.lag = 150'000;      // SEV-2
  f.error_rate = 0.5;   // SEV-1
  f.dlq_per_min = 42;   // SEV-3
  f.open_breakers = 1;  // informational
  IncidentAssessment a = assess_incident(f);
  EXPECT_EQ(a.severity, Severity::kSev1);
  EXPECT_EQ(signals(a),
            (std::vector<std::string>{"error_rate", "lag", "workers", "dlq_growth", "breakers"}));
  EXPECT_EQ(a.reasons[1].text, "consumer lag 150,000 messages > 100,000 (SEV-2)");
  EXPECT_EQ(a.reasons[3].text, "DLQ growth 42.0/min >= 10/min (SEV-3)");
}

TEST(IncidentAssess, AnOpenBreakerAloneIsInformational) {
  IncidentFigures f = healthy();
  f.open_breakers = 2;
  IncidentAssessment a = assess_incident(f);
  EXPECT_EQ(a.severity, Severity::kSev4);
  EXPECT_FALSE(a.incident());
  ASSERT_EQ(a.reasons.size(), 1u);
  EXPECT_EQ(a.reasons[0].signal, "breakers");
}

TEST(IncidentAssess, NumberSpellings) {
  EXPECT_EQ(format_count(0), "0");
  EXPECT_EQ(format_count(999), "999");
  EXPECT_EQ(format_count(1000), "1,000");
  EXPECT_EQ(format_count(1234567.4), "1,234,567");
  EXPECT_EQ(format_percent(0.2), "20.0%");
}

}  // namespace
}  // namespace sluice::ops
