// Shared helpers for the Qt Test suites: where ../shared is, and the CI rule that a
// missing real model or image is a failure (CI=true), a skip elsewhere.
#pragma once

#include <QtTest>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include "mobilenet/network.hpp"

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

// QSignalSpy appends on the emitting thread (a direct connection), so spying on an object
// that lives on a worker thread races with the test thread reading the spy. A QueuedSpy
// records through a queued connection instead: its list is only touched on the thread that
// created it, while QTest::qWaitFor spins that thread's event loop.
template <typename... Args>
class QueuedSpy {
public:
    template <typename Sender, typename Signal>
    QueuedSpy(const Sender* sender, Signal signal) {
        QObject::connect(sender, signal, &receiver_, [this](const Args&... args) { calls_.emplace_back(args...); },
                         Qt::QueuedConnection);
    }
    int count() const { return static_cast<int>(calls_.size()); }
    bool isEmpty() const { return calls_.empty(); }
    // Waits until at least `n` calls were recorded.
    bool wait_for(int n, int timeout_ms) { return QTest::qWaitFor([&] { return count() >= n; }, timeout_ms); }
    const std::tuple<Args...>& at(int i) const { return calls_.at(static_cast<std::size_t>(i)); }
    const std::tuple<Args...>& first() const { return calls_.front(); }

private:
    QObject receiver_;
    std::vector<std::tuple<Args...>> calls_;
};

// Calls check(layer, a's output, b's output) for every layer whose output context `a`
// kept, with b's output of the same layer (contexts of two builds of one network).
template <class Check>
void for_each_kept_layer(const ExecutionContext& a, const ExecutionContext& b, Check check) {
    std::vector<float> x, y;
    for (std::size_t li = 0; li < a.network().layers().size(); ++li) {
        const int layer = static_cast<int>(li);
        if (!a.has_activation(layer)) continue;
        a.copy_activation(layer, 0, x);
        b.copy_activation(layer, 0, y);
        check(a.network().layers()[li], x, y);
    }
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
