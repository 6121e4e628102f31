// Shared helpers for the Qt Test suites: where ../shared is, and the CI rule that a
// missing real model or image is a failure (CI=true), a skip elsewhere.
#pragma once

#include <QtTest>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace mnv1::test {

inline std::string shared_dir() {
    if (const char* env = std::getenv("MOBILENET_SHARED_DIR"); env && *env) return env;
    return MOBILENET_SHARED_DIR_DEFAULT;
}

inline std::string shared_path(const std::string& rel) { return shared_dir() + "/" + rel; }

inline bool in_ci() {
    const char* ci = std::getenv("CI");
    return ci && (std::string(ci) == "true" || std::string(ci) == "1");
}

}  // namespace mnv1::test

// Use inside a test function: fails in CI, skips elsewhere, when `path` is missing.
#define MOBILENET_REQUIRE_FILE(path)                                                         \
    do {                                                                                     \
        const std::string required_path_ = (path);                                           \
        if (!std::filesystem::exists(required_path_)) {                                      \
            const QByteArray msg_ = QByteArray("missing real data: ") + required_path_.c_str(); \
            if (mnv1::test::in_ci()) QFAIL(msg_.constData());                                 \
            QSKIP(msg_.constData());                                                          \
        }                                                                                    \
    } while (0)
