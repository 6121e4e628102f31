// LatencySummary: the Classify page's latency figure. The median of the recent forward
// passes with their p10–p90 spread, the thread count and why (small print, details in the
// tooltip), and a "Measure again" button whose answer (a fresh timing from the worker)
// is shown under it. A plain widget: it is given passes and measurements, it asks for a
// measurement through measureAgainRequested(), and knows nothing of the worker.
//
// Threading: GUI thread.
#pragma once

#include <QWidget>

#include <deque>

class QLabel;
class QPushButton;

namespace studio {

class LatencySummary : public QWidget {
    Q_OBJECT
public:
    // How many recent passes the median and p10–p90 are taken over.
    static constexpr int kRecentPasses = 30;
    // Passes before the recent line shows a median and p10–p90 instead of the times.
    static constexpr int kSpreadPasses = 3;

    explicit LatencySummary(QWidget* parent = nullptr);

    // One forward pass that was shown (ms), the threads it ran with and why.
    void add_pass(double ms, int threads, const QString& thread_reason);
    // The network changed: recent passes and the last measurement no longer apply.
    void clear();
    // A "Measure again" answer: `passes` passes, their median/p10/p90 in ms.
    void show_measurement(int passes, double median_ms, double p10_ms, double p90_ms, const QString& threads_used,
                          const QString& policy);
    // A measurement was asked for (the button waits) or could not be (it is enabled again).
    void set_measuring(bool measuring);
    // No network to time (its set-up failed): says so and disables "Measure again" until
    // clear() (a network is set up).
    void set_available(bool available);

    int recent_passes() const { return static_cast<int>(recent_ms_.size()); }
    QPushButton* measure_button() const { return measure_; }
    QString recent_text() const;
    QString measured_text() const;

signals:
    void measureAgainRequested();

private:
    void update_recent();

    std::deque<double> recent_ms_;
    int threads_ = 0;
    QString thread_reason_;
    QLabel* recent_ = nullptr;
    QLabel* detail_ = nullptr;
    QLabel* measured_ = nullptr;
    QPushButton* measure_ = nullptr;
    bool available_ = true;
};

}  // namespace studio
