#include "cli/demo/tick_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "cli/demo/demo_plan.h"  // mix64
#include "cli/demo/iot_plan.h"   // iso8601
#include "common/json.h"
#include "stages/sequence_check/price_move.h"

namespace sluice::cli::demo {
namespace {

constexpr int64_t kHour = 3'600'000;
constexpr int64_t kDayMs = 24 * kHour;
constexpr int64_t kOpen = 10 * kHour, kClose = 16 * kHour;  // local time of day

// Seed 003's 20 critical symbols first (the GRACEFUL level keeps them), then
// other large ASX names.
constexpr const char* kSymbols[] = {"BHP", "CBA", "CSL", "NAB", "WBC", "ANZ", "WES", "MQG",
                                    "RIO", "TLS", "WOW", "FMG", "NCM", "STO", "WPL", "AMC",
                                    "GMG", "TCL", "COL", "ALL", "QBE", "SUN", "ORG", "IAG",
                                    "APA", "S32", "REA", "XRO", "JHX", "BXB", "CPU", "SHL",
                                    "ASX", "MIN", "PLS", "LYC", "TWE", "QAN", "RMD", "NST"};
constexpr int64_t kSymbolCount = int64_t(std::size(kSymbols));
constexpr uint64_t kBusiest = 10;  // BHP's weight; every other symbol weighs 1

double unit(uint64_t bits) {
  return double(bits >> 11) * 0x1.0p-53;
}

enum Stream : uint64_t { kCase = 1, kBadKind, kSymbol, kMove, kVolume, kVariant, kPrice };

struct Draws {
  uint64_t seed, n;
  uint64_t operator()(uint64_t stream) const { return mix64(seed ^ mix64(n * 64 + stream)); }
  double uniform(uint64_t stream) const { return unit((*this)(stream)); }
};

bool rejected(TickCase c) {
  return c == TickCase::kBadPrice || c == TickCase::kBadVolume || c == TickCase::kUndecodable;
}

int64_t local_days_ms(int32_t days) {
  return int64_t(days) * kDayMs;
}

}  // namespace

std::string_view tick_case_name(TickCase c) {
  switch (c) {
    case TickCase::kGood:
      return "good";
    case TickCase::kReset:
      return "reset";
    case TickCase::kDuplicate:
      return "duplicate";
    case TickCase::kOutOfOrder:
      return "out_of_order";
    case TickCase::kDisordered:
      return "overtaking";
    case TickCase::kSmallGap:
      return "small_gap";
    case TickCase::kLargeGap:
      return "large_gap";
    case TickCase::kPriceJump:
      return "price_jump";
    case TickCase::kOutsideHours:
      return "outside_hours";
    case TickCase::kBadPrice:
      return "bad_price";
    case TickCase::kBadVolume:
      return "bad_volume";
    case TickCase::kUndecodable:
      return "undecodable";
  }
  return "unknown";
}

int sydney_offset_minutes(int32_t local_days) {
  using namespace std::chrono;
  const year_month_day date{sys_days{days{local_days}}};
  // The first Sunday of a month of this year.
  auto first_sunday = [&](month m) {
    return sys_days{year_month_weekday{date.year(), m, Sunday[1]}}.time_since_epoch().count();
  };
  const bool summer = local_days >= first_sunday(October) || local_days < first_sunday(April);
  return summer ? 660 : 600;
}

TickPlan::TickPlan(TickOptions options) : o_(options) {
  if (o_.symbols < 1 || o_.symbols > kSymbolCount)
    throw std::invalid_argument(
        fmt::format("--symbols {} must be between 1 and {}", o_.symbols, kSymbolCount));
  if (o_.session_ticks < 1) throw std::invalid_argument("--session-ticks must be at least 1");
  const double shares = o_.bad_share + o_.duplicate_share + o_.disorder_share;
  if (o_.bad_share < 0 || o_.duplicate_share < 0 || o_.disorder_share < 0 || shares > 1)
    throw std::invalid_argument(fmt::format(
        "--bad-share, --duplicate-share and --disorder-share must each be at least 0 and add up "
        "to at most 1 (they add up to {})",
        shares));
  uint64_t total = 0;
  for (int64_t i = 0; i < o_.symbols; ++i) {
    Symbol s;
    s.name = kSymbols[i];
    s.price = 5 + unit(mix64(o_.seed ^ mix64(uint64_t(i) + 7919))) * 145;
    symbols_.push_back(std::move(s));
    total += i == 0 ? kBusiest : 1;
    cumulative_weight_.push_back(total);
  }
}

TickCase TickPlan::case_of(uint64_t n) const {
  const Draws draw{o_.seed, n};
  double u = draw.uniform(kCase);
  if (u < o_.bad_share)
    return TickCase(int(TickCase::kSmallGap) + int(draw(kBadKind) % kTickBadCaseCount));
  u -= o_.bad_share;
  if (u < o_.duplicate_share) return TickCase::kDuplicate;
  u -= o_.duplicate_share;
  if (u < o_.disorder_share) return TickCase::kOutOfOrder;
  return TickCase::kGood;
}

size_t TickPlan::pick_symbol(uint64_t n) const {
  const uint64_t w = Draws{o_.seed, n}(kSymbol) % cumulative_weight_.back();
  return size_t(std::upper_bound(cumulative_weight_.begin(), cumulative_weight_.end(), w) -
                cumulative_weight_.begin());
}

// UTC epoch ms of the i-th tick of a session: sessions run 10:00-16:00 Sydney
// time on consecutive days, ticks evenly spread.
int64_t TickPlan::session_time_ms(int64_t session, int64_t i) const {
  const int32_t day = o_.first_session_days + int32_t(session);
  const int64_t local = local_days_ms(day) + kOpen + (kClose - kOpen) * i / o_.session_ticks;
  return local - int64_t(sydney_offset_minutes(day)) * 60'000;
}

Tick TickPlan::make(Symbol& s, TickCase kind, int64_t sequence, int64_t time_ms, double price,
                    int64_t volume) {
  Tick t;
  t.number = n_;
  t.kind = kind;
  t.key = "ASX." + s.name;
  t.sequence = sequence;
  t.time_ms = time_ms;
  json::JsonWriter w;
  w.begin_object().field("exchange", std::string("ASX")).field("symbol", s.name);
  w.field("exchange_sequence_number", sequence);
  w.field("exchange_timestamp", iso8601(time_ms, sydney_offset_minutes(day_), false));
  const std::string written_price = fmt::format("{:.3f}", price);
  // The check judges the price as the pipeline reads it, not the unrounded one.
  t.price = std::stod(written_price);
  w.key("price").raw(written_price);
  w.field("volume", volume);
  w.field("message_id", fmt::format("ASX.{}.{}", s.name, s.next_message++));
  w.field("ingestion_timestamp", iso8601(time_ms + 5, 0));
  t.value = w.end_object().str();
  return t;
}

void TickPlan::settle(Symbol& s, Tick& t) {
  if (rejected(t.kind)) {
    t.expected = "quarantine";
    t.reason = "validation";
    t.severity = "ERROR";
    return;
  }
  if (s.tracker.halted) {
    t.expected = "parked";
    return;
  }
  if (t.kind == TickCase::kDuplicate) {
    t.expected = "duplicate";
    return;
  }
  stages::Classification c = stages::classify(s.tracker, t.sequence, t.time_ms, o_.thresholds);
  if (o_.max_price_move > 0)
    stages::apply_price_move(c, stages::check_price(s.tracker, t.price, o_.max_price_move));
  s.last_forwarded = t;
  if (c.severity != stages::Severity::kNone) {
    t.expected = "quarantine";
    t.reason = std::string(stages::kind_name(c.kind));
    t.severity = std::string(stages::severity_name(c.severity));
    return;
  }
  const int64_t local = t.time_ms + int64_t(sydney_offset_minutes(day_)) * 60'000;
  const int64_t of_day = ((local % kDayMs) + kDayMs) % kDayMs;
  if (of_day < kOpen || of_day >= kClose) {
    t.expected = "quarantine";
    t.reason = "outside_trading_hours";
    t.severity = "WARNING";
    return;
  }
  t.expected = "row";
}

Tick TickPlan::next() {
  const uint64_t n = uint64_t(n_);
  const Draws draw{o_.seed, n};
  const int64_t session = n_ / o_.session_ticks;
  const int64_t now = session_time_ms(session, n_ % o_.session_ticks);
  day_ = o_.first_session_days + int32_t(session);
  Symbol& s = symbols_[pick_symbol(n)];
  // A new session: the exchange numbers every symbol from 1 again; a tick held
  // back in the last session is never sent.
  const bool new_session = s.session != session;
  if (new_session) {
    s.session = session;
    s.next_sequence = 1;
    s.held.reset();
  }
  Tick t;
  TickCase kind = case_of(n);
  if (s.held) {
    t = *s.held;
    s.held.reset();
    t.number = n_;
  } else if (kind == TickCase::kDuplicate) {
    if (s.last_forwarded && now - s.last_forwarded->time_ms < 12 * kHour) {
      t = *s.last_forwarded;
      t.number = n_;
      t.kind = TickCase::kDuplicate;
    } else {
      kind = TickCase::kGood;
    }
  }
  if (t.key.empty()) {
    if (kind == TickCase::kGood && new_session && s.tracker.seen) kind = TickCase::kReset;
    s.price *= 1 + (draw.uniform(kMove) - 0.5) * 0.004;
    const int64_t volume = 1 + int64_t(draw(kVolume) % 5000);
    const uint64_t variant = draw(kVariant);
    switch (kind) {
      case TickCase::kOutOfOrder: {
        // This tick is held back; its successor goes first (a gap of one), and it
        // follows as the symbol's next tick (out of order).
        s.held = make(s, TickCase::kOutOfOrder, s.next_sequence, now, s.price, volume);
        t = make(s, TickCase::kDisordered, s.next_sequence + 1, now, s.price, volume);
        s.next_sequence += 2;
        break;
      }
      case TickCase::kSmallGap:
      case TickCase::kLargeGap: {
        const int64_t gap =
            kind == TickCase::kSmallGap ? 1 + int64_t(variant % 9) : 11 + int64_t(variant % 190);
        t = make(s, kind, s.next_sequence + gap, now, s.price, volume);
        s.next_sequence += gap + 1;
        break;
      }
      case TickCase::kPriceJump: {
        // 15 % up or down: half of them a re-pricing (the symbol stays at the new
        // level), half a lone bad print (the next tick is back at the old one), so
        // both ways out of a jump (price_move.h) occur.
        const double jumped = s.price * (variant % 2 ? 1.15 : 0.85);
        if (variant / 2 % 2) s.price = jumped;
        t = make(s, kind, s.next_sequence++, now, jumped, volume);
        break;
      }
      case TickCase::kOutsideHours: {
        // The same date, 07:00-10:00 or 16:00-19:00 Sydney time.
        const int64_t local_midnight = session_time_ms(session, 0) - kOpen;
        const int64_t at = (variant % 2 ? 7 * kHour : kClose) + int64_t(variant / 2 % (3 * kHour));
        t = make(s, kind, s.next_sequence++, local_midnight + at, s.price, volume);
        break;
      }
      case TickCase::kBadPrice:  // rejected: takes no sequence number
        t = make(s, kind, s.next_sequence, now, variant % 2 ? 0.0 : -s.price, volume);
        s.next_message--;
        break;
      case TickCase::kBadVolume:
        t = make(s, kind, s.next_sequence, now, s.price, -1 - int64_t(variant % 100));
        s.next_message--;
        break;
      case TickCase::kUndecodable:
        t = make(s, kind, s.next_sequence, now, s.price, volume);
        s.next_message--;
        t.value = std::string(
            "\0\x02\xff\xfe"
            "ASX tick\x80",
            13);
        break;
      default:
        t = make(s, kind, s.next_sequence++, now, s.price, volume);
        break;
    }
  }
  settle(s, t);
  ++n_;
  return t;
}

std::string tick_manifest_line(const Tick& t) {
  json::JsonWriter w;
  w.begin_object().field("n", t.number).field("key", t.key);
  w.field("case", std::string(tick_case_name(t.kind))).field("expected", t.expected);
  w.field("sequence", t.sequence).field("exchange_timestamp", iso8601(t.time_ms, 0));
  w.key("reason");
  t.reason.empty() ? w.null() : w.value(t.reason);
  w.key("severity");
  t.severity.empty() ? w.null() : w.value(t.severity);
  return w.end_object().str();
}

}  // namespace sluice::cli::demo
