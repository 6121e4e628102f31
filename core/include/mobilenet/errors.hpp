// The one error base type of mobilenet_core, and the two kinds callers tell apart.
//
// what() is a single line: "<path>: <problem>" when a file is involved, else
// "<problem>" (control characters such as newlines from parser messages become
// spaces). Error objects are immutable values: copy and share them freely between
// threads.
#pragma once

#include <stdexcept>
#include <string>

namespace mnv1 {

class Error : public std::runtime_error {
public:
    // `path` names the file (or directory, or in-memory buffer) the problem is about;
    // empty when there is none.
    Error(const std::string& path, const std::string& problem);
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// A model file, its weight shards or its labels cannot be used.
class ModelError : public Error {
public:
    using Error::Error;
};

// An image cannot be read or decoded.
class ImageError : public Error {
public:
    using Error::Error;
};

}  // namespace mnv1
