// What every processor needs to read its `options:` block the same way: errors
// that point at the line an operator has to edit, unknown keys refused with a
// "did you mean", and relative paths that mean the same thing from any
// working directory.
//
// Invariant: a processor reports a bad option by throwing OptionError (never a
// bare exception); ProcessorRegistry::create turns it into a ConfigError that
// starts with "FILE:LINE" of that option (or the environment variable that set
// it). Relative paths in options resolve against the pipeline file's
// directory, never the process's working directory.
#pragma once

#include <set>
#include <stdexcept>
#include <string>

namespace sluice::pipeline {

struct ProcessorContext;

// A problem with one option of a processor. `what()` names the stage and the
// option; the registry adds where the option was written.
class OptionError : public std::invalid_argument {
 public:
  OptionError(std::string key, const std::string& message, std::string hint = "")
      : std::invalid_argument(message), key_(std::move(key)), hint_(std::move(hint)) {}
  const std::string& key() const { return key_; }
  const std::string& hint() const { return hint_; }

 private:
  std::string key_;
  std::string hint_;
};

// Throws OptionError for the first option not in `known` (with the closest
// known name as a hint), or when `options:` holds something else than a mapping.
void reject_unknown_options(const ProcessorContext& context, const std::set<std::string>& known);

// `path_or_url` as the processor should open it: URLs (`s3://...`) and
// absolute paths unchanged, relative paths joined to the pipeline file's
// directory (the working directory when the context has none, as in tests).
std::string resolve_option_path(const ProcessorContext& context, const std::string& path_or_url);

}  // namespace sluice::pipeline
