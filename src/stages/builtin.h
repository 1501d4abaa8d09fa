// Registers the processors that ship with sluice in the ProcessorRegistry.
// Called once by the CLI before a pipeline is loaded (explicit, because
// self-registering statics are dropped by the linker from static libraries).
#pragma once

namespace sluice::stages {

void register_builtin_processors();

}  // namespace sluice::stages
