// RateMeter: events per second over a sliding window (classified frames -> FPS).
// Threading: one thread at a time (the GUI thread uses it).
#pragma once

#include <chrono>
#include <deque>

namespace studio {

class RateMeter {
public:
    using Clock = std::chrono::steady_clock;

    explicit RateMeter(std::chrono::milliseconds window = std::chrono::milliseconds(1500)) : window_(window) {}

    void tick(Clock::time_point now = Clock::now()) {
        times_.push_back(now);
        ++total_;
        trim(now);
    }
    // Events per second over the window ending at `now` (0 with fewer than two events).
    double rate(Clock::time_point now = Clock::now()) {
        trim(now);
        if (times_.size() < 2) return 0.0;
        const double span = std::chrono::duration<double>(times_.back() - times_.front()).count();
        return span > 0 ? static_cast<double>(times_.size() - 1) / span : 0.0;
    }
    long long total() const { return total_; }
    void reset() {
        times_.clear();
        total_ = 0;
    }

private:
    void trim(Clock::time_point now) {
        while (!times_.empty() && now - times_.front() > window_) times_.pop_front();
    }
    std::chrono::milliseconds window_;
    std::deque<Clock::time_point> times_;
    long long total_ = 0;
};

}  // namespace studio
