#include "stages/chain/chain_state.h"

#include <cstdint>
#include <stdexcept>

#include "common/bytes.h"

namespace sluice::stages {
namespace {

// "SLCHAIN" and a format version: a window state or anything else restored
// into a chain by mistake fails here, not deep inside a step's decoder.
constexpr std::string_view kMagic = "SLCHAIN1";

void put_u32(std::string& out, uint32_t v) {
  uint8_t b[4];
  store_be32(b, v);
  out.append(reinterpret_cast<const char*>(b), 4);
}

void put_text(std::string& out, const std::string& text) {
  put_u32(out, uint32_t(text.size()));
  out += text;
}

}  // namespace

std::string encode_chain_state(const std::vector<ChainStepState>& steps) {
  std::string out(kMagic);
  put_u32(out, uint32_t(steps.size()));
  for (const ChainStepState& s : steps) {
    put_u32(out, uint32_t(s.step));
    put_text(out, s.processor);
    out += s.state ? '\1' : '\0';
    if (s.state) put_text(out, *s.state);
  }
  return out;
}

std::vector<ChainStepState> decode_chain_state(const std::string& frame,
                                               const std::vector<ChainStepState>& expected) {
  ByteReader in(ByteSpan(reinterpret_cast<const uint8_t*>(frame.data()), frame.size()));
  try {
    if (in.view(kMagic.size(), "chain state magic") != kMagic) {
      throw std::runtime_error("it does not start with " + std::string(kMagic) +
                               " (it was not written by a chain)");
    }
    const uint32_t count = in.u32();
    if (count != expected.size()) {
      throw std::runtime_error("it holds " + std::to_string(count) +
                               " stateful steps, the chain has " + std::to_string(expected.size()));
    }
    std::vector<ChainStepState> out;
    for (const ChainStepState& want : expected) {
      ChainStepState s;
      s.step = int(in.u32());
      s.processor = std::string(in.view(in.u32(), "processor name"));
      if (s.step != want.step || s.processor != want.processor) {
        throw std::runtime_error("it has '" + s.processor + "' as step " +
                                 std::to_string(s.step + 1) + " where the chain has '" +
                                 want.processor + "' as step " + std::to_string(want.step + 1));
      }
      if (in.i8() != 0) s.state = std::string(in.view(in.u32(), "step state"));
      out.push_back(std::move(s));
    }
    if (!in.empty())
      throw std::runtime_error("it has " + std::to_string(in.remaining()) +
                               " bytes after the last step");
    return out;
  } catch (const DecodeError& e) {
    throw std::runtime_error(std::string("it is truncated: ") + e.what());
  }
}

}  // namespace sluice::stages
