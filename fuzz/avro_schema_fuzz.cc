// libFuzzer target: Avro schema JSON through Schema::parse, then the canonical
// form and a compatibility check of the schema against itself.
//
// Expected outcome for bad input: SchemaError naming the place. Any other
// exception escapes and libFuzzer reports it as a crash. For a schema that
// parses, two properties must hold: its canonical form parses again to the same
// canonical form (the form is a fixed point), and a schema can always read its
// own data.
#include <cstddef>
#include <cstdint>
#include <string>

#include "avro/compatibility.h"
#include "avro/schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice::avro;
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    Schema s = Schema::parse(text);
    const std::string form = s.canonical_form();
    if (Schema::parse(form).canonical_form() != form) __builtin_trap();
    if (!can_read(s, s).empty()) __builtin_trap();
  } catch (const SchemaError&) {
  }
  return 0;
}
