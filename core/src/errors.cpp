#include "mobilenet/errors.hpp"

namespace mnv1 {

namespace {

// Messages carry text from files (layer names, parser diagnostics): keep them one line.
std::string one_line(std::string text) {
    for (char& ch : text)
        if (static_cast<unsigned char>(ch) < 0x20) ch = ' ';
    return text;
}

}  // namespace

Error::Error(const std::string& path, const std::string& problem)
    : std::runtime_error(one_line(path.empty() ? problem : path + ": " + problem)), path_(path) {}

}  // namespace mnv1
