#include "args.hpp"

#include <cmath>
#include <cstdlib>

namespace cli {

Args::Args(const std::vector<std::string>& argv, const std::set<std::string>& value_flags,
           const std::set<std::string>& bool_flags) {
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (a.size() < 2 || a.rfind("--", 0) != 0) {
            if (!a.empty() && a[0] == '-' && a.size() > 1) throw UsageError("unknown option '" + a + "'");
            positional_.push_back(a);
            continue;
        }
        std::string name = a, value;
        bool inline_value = false;
        if (const auto eq = a.find('='); eq != std::string::npos) {
            name = a.substr(0, eq);
            value = a.substr(eq + 1);
            inline_value = true;
        }
        if (bool_flags.count(name)) {
            if (inline_value) throw UsageError("option '" + name + "' takes no value");
            bools_.insert(name);
        } else if (value_flags.count(name)) {
            if (!inline_value) {
                if (i + 1 >= argv.size() || argv[i + 1].rfind("--", 0) == 0) {
                    throw UsageError("option '" + name + "' needs a value");
                }
                value = argv[++i];
            }
            values_[name] = value;
        } else {
            throw UsageError("unknown option '" + name + "'");
        }
    }
}

void Args::reject_positionals() const {
    if (!positional_.empty()) throw UsageError("unexpected argument '" + positional_.front() + "'");
}

std::string Args::str(const std::string& flag, const std::string& def) const {
    const auto it = values_.find(flag);
    return it == values_.end() ? def : it->second;
}

double Args::number(const std::string& flag, double def) const {
    const auto it = values_.find(flag);
    if (it == values_.end()) return def;
    char* end = nullptr;
    const double v = std::strtod(it->second.c_str(), &end);
    if (it->second.empty() || *end != '\0' || !std::isfinite(v)) {
        throw UsageError("option '" + flag + "' expects a number, got '" + it->second + "'");
    }
    return v;
}

int Args::integer(const std::string& flag, int def, int min, int max) const {
    const auto it = values_.find(flag);
    if (it == values_.end()) return def;
    char* end = nullptr;
    const long v = std::strtol(it->second.c_str(), &end, 10);
    if (it->second.empty() || *end != '\0') {
        throw UsageError("option '" + flag + "' expects an integer, got '" + it->second + "'");
    }
    if (v < min || v > max) {
        throw UsageError("option '" + flag + "' must be in [" + std::to_string(min) + ", " +
                         std::to_string(max) + "], got " + it->second);
    }
    return static_cast<int>(v);
}

}  // namespace cli
