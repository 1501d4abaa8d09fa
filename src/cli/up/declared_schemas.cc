#include "cli/up/declared_schemas.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "stages/confluent/registry_schemas.h"

namespace sluice::cli {

void register_declared_schemas(const std::string& registry_url,
                               const pipeline::PipelineConfig& config) {
  stages::RegistrySchemas registry(registry_url);
  for (const pipeline::DeclaredSchema& d : config.schemas) {
    const std::filesystem::path file = config.base_dir / d.file;
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    if (!in)
      throw std::runtime_error("schemas." + d.subject + ": cannot read " + file.string() +
                               "; the path is relative to the pipeline file");
    try {
      registry.set_compatibility(d.subject, d.compatibility);
      const stages::RegisteredSchema r = registry.register_schema(d.subject, text.str());
      std::fprintf(stderr, "schema registry: %s is schema id %d (%s), compatibility %s\n",
                   d.subject.c_str(), r.id, file.filename().c_str(), d.compatibility.c_str());
    } catch (const stages::RegistryLookupError& e) {
      throw std::runtime_error("schemas." + d.subject + " (" + file.string() + "): " + e.what());
    }
  }
}

}  // namespace sluice::cli
