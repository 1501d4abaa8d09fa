// Keeps a child's log file JSON lines when `sluice up` runs it with
// SLUICE_LOG_FORMAT=json: what the child logs through common/log.h is already
// one JSON object per line and passes through unchanged; anything else it
// prints (an fprintf, a library's message, a crash report) is wrapped, line by
// line, into the same shape:
//
//   {"ts":"<when the supervisor read it>","level":"INFO","component":"<process>",
//    "msg":"<the line>","process":"<process>","stage":"<stage>"}
//
// so every line of the file parses. A line counts as JSON when it parses as an
// object with a string "ts". Output comes in chunks from two pipes (stdout,
// stderr), each with its own partial-line buffer; a last line without '\n'
// (a process killed mid-write) is written by finish().
#pragma once

#include <string>
#include <string_view>

namespace sluice::cli {

class JsonLogLines {
 public:
  JsonLogLines(int log_fd, std::string process, std::string stage)
      : fd_(log_fd), process_(std::move(process)), stage_(std::move(stage)) {}

  // `stream` 0 or 1: which pipe the bytes came from.
  void feed(int stream, std::string_view bytes);
  void finish();
  // The line as it goes into the file ('\n' included); `line` has no '\n'.
  std::string normalize(std::string_view line) const;

 private:
  void emit(std::string_view line);
  int fd_;
  std::string process_, stage_;
  std::string pending_[2];
};

}  // namespace sluice::cli
