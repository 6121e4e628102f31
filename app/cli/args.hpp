// Minimal strict command-line parsing for mobilenet-cli: every flag must be known,
// every value must parse completely. Errors throw UsageError (exit status 2).
#pragma once

#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace cli {

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Args {
public:
    // value_flags take one value ("--alpha 0.5" or "--alpha=0.5"); bool_flags take none.
    Args(const std::vector<std::string>& argv, const std::set<std::string>& value_flags,
         const std::set<std::string>& bool_flags);

    bool has(const std::string& flag) const { return values_.count(flag) || bools_.count(flag); }
    std::string str(const std::string& flag, const std::string& def = {}) const;
    double number(const std::string& flag, double def) const;
    int integer(const std::string& flag, int def, int min, int max) const;
    bool flag(const std::string& f) const { return bools_.count(f) != 0; }
    const std::vector<std::string>& positional() const { return positional_; }
    // For commands that take no positional argument: UsageError naming the first one.
    void reject_positionals() const;

private:
    std::map<std::string, std::string> values_;
    std::set<std::string> bools_;
    std::vector<std::string> positional_;
};

}  // namespace cli
