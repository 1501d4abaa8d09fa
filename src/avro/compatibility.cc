#include "avro/compatibility.h"

#include <set>
#include <utility>

namespace sluice::avro {
namespace {

std::string unqualified(const std::string& fullname) {
  auto dot = fullname.rfind('.');
  return dot == std::string::npos ? fullname : fullname.substr(dot + 1);
}

std::string describe(const Schema& s, const Node& n) {
  const Node& d = s.resolve(n);
  if (!d.name.empty()) return std::string(kind_name(d.kind)) + " " + d.name;
  return kind_name(d.kind);
}

}  // namespace

bool promotes(Kind writer, Kind reader) {
  switch (writer) {
    case Kind::kInt:
      return reader == Kind::kLong || reader == Kind::kFloat || reader == Kind::kDouble;
    case Kind::kLong:
      return reader == Kind::kFloat || reader == Kind::kDouble;
    case Kind::kFloat:
      return reader == Kind::kDouble;
    case Kind::kString:
      return reader == Kind::kBytes;
    case Kind::kBytes:
      return reader == Kind::kString;
    default:
      return false;
  }
}

// A record, enum or fixed of the reader reads the writer's of the same
// unqualified name, or one the reader names as an alias.
bool names_match(const Node& rn, const Node& wn) {
  if (unqualified(rn.name) == unqualified(wn.name)) return true;
  for (const auto& alias : rn.aliases)
    if (alias == wn.name || unqualified(alias) == unqualified(wn.name)) return true;
  return false;
}

namespace {

class Resolver {
 public:
  Resolver(const Schema& reader, const Schema& writer) : r_(reader), w_(writer) {}

  // Appends why `rn` cannot read `wn`, under `path`.
  void check(const Node& rn_ref, const Node& wn_ref, const std::string& path) {
    const Node& rn = r_.resolve(rn_ref);
    const Node& wn = w_.resolve(wn_ref);
    if (wn.kind == Kind::kUnion) {
      // Each branch the writer may have written must be readable.
      for (size_t i = 0; i < wn.branches.size(); ++i) {
        if (rn.kind == Kind::kUnion) {
          if (!any_branch_reads(rn, *wn.branches[i]))
            fail(path, "the writer's union branch " + describe(w_, *wn.branches[i]) +
                           " matches no branch of the reader's union");
        } else {
          check(rn, *wn.branches[i], path);
        }
      }
      return;
    }
    if (rn.kind == Kind::kUnion) {
      if (!any_branch_reads(rn, wn))
        fail(path, "the writer's " + describe(w_, wn) + " matches no branch of the reader's union");
      return;
    }
    if (rn.kind != wn.kind) {
      if (!promotes(wn.kind, rn.kind))
        fail(path,
             "the reader's " + describe(r_, rn) + " cannot read the writer's " + describe(w_, wn));
      return;
    }
    switch (rn.kind) {
      case Kind::kRecord:
        return check_record(rn, wn, path);
      case Kind::kEnum:
        return check_enum(rn, wn, path);
      case Kind::kFixed:
        if (!names_match(rn, wn))
          return fail(path, "fixed " + rn.name + " is not the writer's fixed " + wn.name);
        if (rn.size != wn.size)
          fail(path, "fixed " + rn.name + " has size " + std::to_string(rn.size) +
                         " but the writer's has " + std::to_string(wn.size));
        return;
      case Kind::kArray:
        return check(*rn.items, *wn.items, path + "[]");
      case Kind::kMap:
        return check(*rn.values, *wn.values, path + "{}");
      default:
        return;  // the same primitive
    }
  }

  std::vector<std::string> take() { return std::move(reasons_); }

 private:
  void fail(const std::string& path, const std::string& why) {
    reasons_.push_back(path + ": " + why);
  }

  bool any_branch_reads(const Node& reader_union, const Node& writer_branch) {
    for (const auto& b : reader_union.branches) {
      Resolver trial(r_, w_);
      trial.in_progress_ = in_progress_;
      trial.check(*b, writer_branch, "");
      if (trial.reasons_.empty()) return true;
    }
    return false;
  }

  void check_record(const Node& rn, const Node& wn, const std::string& path) {
    if (!names_match(rn, wn))
      return fail(path, "record " + rn.name + " is not the writer's record " + wn.name +
                            " (add the writer's name to the reader's aliases to read it)");
    // A recursive pair already being compared is readable unless proven otherwise there.
    if (!in_progress_.insert({rn.name, wn.name}).second) return;
    const std::string here = path + "." + unqualified(rn.name);
    for (const Field& rf : rn.fields) {
      const Field* match = nullptr;
      for (const Field& wf : wn.fields) {
        bool aliased = false;
        for (const auto& a : rf.aliases) aliased = aliased || a == wf.name;
        if (wf.name == rf.name || aliased) {
          match = &wf;
          break;
        }
      }
      if (match) {
        check(*rf.type, *match->type, here + "." + rf.name);
      } else if (!rf.default_json) {
        fail(here + "." + rf.name,
             "the reader's field has no default and the writer's record has no such field "
             "(give it a default)");
      }
    }
    in_progress_.erase({rn.name, wn.name});
  }

  void check_enum(const Node& rn, const Node& wn, const std::string& path) {
    if (!names_match(rn, wn))
      return fail(path, "enum " + rn.name + " is not the writer's enum " + wn.name);
    if (rn.enum_default) return;
    std::set<std::string> known(rn.symbols.begin(), rn.symbols.end());
    for (const auto& s : wn.symbols)
      if (!known.contains(s))
        fail(path, "the writer's enum symbol " + s + " is not in the reader's enum " + rn.name +
                       ", which has no default");
  }

  const Schema& r_;
  const Schema& w_;
  std::set<std::pair<std::string, std::string>> in_progress_;
  std::vector<std::string> reasons_;
};

constexpr std::pair<Compatibility, const char*> kNames[] = {
    {Compatibility::kNone, "NONE"},
    {Compatibility::kBackward, "BACKWARD"},
    {Compatibility::kBackwardTransitive, "BACKWARD_TRANSITIVE"},
    {Compatibility::kForward, "FORWARD"},
    {Compatibility::kForwardTransitive, "FORWARD_TRANSITIVE"},
    {Compatibility::kFull, "FULL"},
    {Compatibility::kFullTransitive, "FULL_TRANSITIVE"},
};

}  // namespace

std::vector<std::string> can_read(const Schema& reader, const Schema& writer) {
  Resolver r(reader, writer);
  r.check(reader.root(), writer.root(), "$");
  return r.take();
}

const char* compatibility_name(Compatibility c) {
  for (const auto& [level, name] : kNames)
    if (level == c) return name;
  return "?";
}

std::optional<Compatibility> parse_compatibility(std::string_view name) {
  for (const auto& [level, n] : kNames)
    if (name == n) return level;
  return std::nullopt;
}

std::vector<std::string> check_compatibility(Compatibility level, const Schema& candidate,
                                             const std::vector<const Schema*>& existing) {
  if (level == Compatibility::kNone || existing.empty()) return {};
  const bool transitive = level == Compatibility::kBackwardTransitive ||
                          level == Compatibility::kForwardTransitive ||
                          level == Compatibility::kFullTransitive;
  const bool backward =
      level != Compatibility::kForward && level != Compatibility::kForwardTransitive;
  const bool forward =
      level != Compatibility::kBackward && level != Compatibility::kBackwardTransitive;
  std::vector<std::string> reasons;
  const size_t first = transitive ? 0 : existing.size() - 1;
  for (size_t i = first; i < existing.size(); ++i) {
    const std::string which =
        "version " + std::to_string(i + 1) + " of " + std::to_string(existing.size());
    if (backward) {
      for (auto& why : can_read(candidate, *existing[i]))
        reasons.push_back("the new schema cannot read data written with " + which + ": " + why);
    }
    if (forward) {
      for (auto& why : can_read(*existing[i], candidate))
        reasons.push_back(which + " cannot read data written with the new schema: " + why);
    }
  }
  return reasons;
}

}  // namespace sluice::avro
