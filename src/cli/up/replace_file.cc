#include "cli/up/replace_file.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace sluice::cli {

void replace_file(const std::string& path, const std::string& text) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  if (target.has_parent_path()) fs::create_directories(target.parent_path());
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + tmp + " (disk full or no permission?)");
  }
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) throw std::runtime_error("cannot rename " + tmp + " to " + path + ": " + ec.message());
}

}  // namespace sluice::cli
