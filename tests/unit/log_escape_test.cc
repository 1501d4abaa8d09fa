// The text log escapes whatever it is handed, so a client-supplied name can
// never start a line of its own or hide in terminal control sequences.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "common/log.h"

namespace sluice::log {
namespace {

TEST(LogEscape, PrintableTextIsUnchanged) {
  EXPECT_EQ(escape_for_text("orders-v2.eu_west"), "orders-v2.eu_west");
  EXPECT_EQ(escape_for_text("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x9a\x80"),
            "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x9a\x80");
}

TEST(LogEscape, LineBreaksAndControlsAreEscaped) {
  EXPECT_EQ(escape_for_text("a\nb\rc\td"), "a\\nb\\rc\\td");
  EXPECT_EQ(escape_for_text(std::string("x\0y", 3)), "x\\x00y");
  EXPECT_EQ(escape_for_text("\x1b[31mred\x7f"), "\\x1b[31mred\\x7f");
}

TEST(LogEscape, UnicodeLineSeparatorsAndC1ControlsAreEscaped) {
  EXPECT_EQ(escape_for_text("a\xc2\x85z"), "a\\u0085z");      // NEL
  EXPECT_EQ(escape_for_text("a\xe2\x80\xa8z"), "a\\u2028z");  // LINE SEPARATOR
  EXPECT_EQ(escape_for_text("a\xe2\x80\xa9z"), "a\\u2029z");  // PARAGRAPH SEPARATOR
}

TEST(LogEscape, InvalidUtf8BytesAreEscapedOneByOne) {
  EXPECT_EQ(escape_for_text("\xff\xfe"), "\\xff\\xfe");
  EXPECT_EQ(escape_for_text("\xc3"), "\\xc3");                    // truncated sequence
  EXPECT_EQ(escape_for_text("\xc0\x8a"), "\\xc0\\x8a");           // overlong '\n'
  EXPECT_EQ(escape_for_text("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // a surrogate
}

// Runs `fn` with stderr captured into a file and returns what it printed.
template <typename Fn>
std::string captured_stderr(Fn&& fn) {
  std::fflush(stderr);
  int saved = ::dup(2);
  std::FILE* tmp = std::tmpfile();
  ::dup2(::fileno(tmp), 2);
  fn();
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  std::string out;
  std::rewind(tmp);
  for (int c; (c = std::fgetc(tmp)) != EOF;) out += char(c);
  std::fclose(tmp);
  return out;
}

TEST(LogEscape, EveryTextLineStaysOneLineWhateverTheArguments) {
  set_format(Format::kText);
  std::string out = captured_stderr([] {
    warn("broker", "rejected produce to {}-{}: {}", "evil\n2026-12-06T00:00:00.000Z ERROR forged",
         0, "why\r");
    event(Level::kWarn, "broker", "client\nsaid", {{"client\nid", "a\nb"}});
  });
  size_t lines = 0;
  for (char c : out) lines += c == '\n';
  EXPECT_EQ(lines, 2u) << out;
  EXPECT_NE(out.find("evil\\n2026"), std::string::npos) << out;
  EXPECT_NE(out.find("client\\nid=a\\nb"), std::string::npos) << out;
}

TEST(LogEscape, JsonLinesStayOneLineToo) {
  std::string line = json_line(Level::kInfo, "broker", "topic a\nb\xe2\x80\xa8", {{"k", "v\n"}});
  EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
}

}  // namespace
}  // namespace sluice::log
