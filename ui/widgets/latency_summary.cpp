#include "latency_summary.hpp"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStringList>
#include <QVBoxLayout>

#include <vector>

#include "mobilenet/benchmark.hpp"
#include "mobilenet/threading.hpp"

namespace studio {

namespace {

// Two decimals below 10 ms: the p10–p90 spread of a quiet machine is a few hundredths.
QString number(double ms) { return QString::number(ms, 'f', ms < 10 ? 2 : ms < 100 ? 1 : 0); }

QString spread_text(double median, double p10, double p90) {
    return LatencySummary::tr("median %1 ms · p10–p90 %2–%3 ms").arg(number(median), number(p10), number(p90));
}

QString wait_text() { return QString::fromStdString(mnv1::wait_policy().describe()); }

}  // namespace

LatencySummary::LatencySummary(QWidget* parent) : QWidget(parent) {
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(0, 0, 0, 0);
    recent_ = new QLabel(this);
    recent_->setObjectName(QStringLiteral("latencyRecent"));
    recent_->setWordWrap(true);
    recent_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    detail_ = new QLabel(this);
    detail_->setObjectName(QStringLiteral("latencyThreads"));
    detail_->setWordWrap(true);
    QFont small = detail_->font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    detail_->setFont(small);
    measured_ = new QLabel(this);
    measured_->setObjectName(QStringLiteral("latencyMeasured"));
    measured_->setWordWrap(true);
    measured_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    measure_ = new QPushButton(tr("Measure again"), this);
    measure_->setObjectName(QStringLiteral("measureLatencyButton"));
    measure_->setToolTip(tr("Time the current network again: a fresh set of forward passes on the worker, each at "
                            "the thread count the threading policy picks, then median and p10–p90"));
    auto* row = new QHBoxLayout;
    row->addWidget(measured_, 1);
    row->addWidget(measure_, 0, Qt::AlignTop);
    lay->addWidget(recent_);
    lay->addWidget(detail_);
    lay->addLayout(row);
    connect(measure_, &QPushButton::clicked, this, &LatencySummary::measureAgainRequested);
    clear();
}

void LatencySummary::add_pass(double ms, int threads, const QString& thread_reason) {
    recent_ms_.push_back(ms);
    while (static_cast<int>(recent_ms_.size()) > kRecentPasses) recent_ms_.pop_front();
    threads_ = threads;
    thread_reason_ = thread_reason;
    update_recent();
}

void LatencySummary::clear() {
    available_ = true;
    recent_ms_.clear();
    threads_ = 0;
    thread_reason_.clear();
    measured_->clear();
    set_measuring(false);
    update_recent();
}

QString LatencySummary::recent_text() const { return recent_->text(); }
QString LatencySummary::measured_text() const { return measured_->text(); }

void LatencySummary::update_recent() {
    if (recent_ms_.empty()) {
        recent_->setText(tr("Latency: no pass yet"));
        detail_->clear();
        setToolTip(tr("OpenMP wait policy: %1.").arg(wait_text()));
        return;
    }
    const mnv1::LatencyStats s = mnv1::latency_stats(std::vector<double>(recent_ms_.begin(), recent_ms_.end()));
    if (s.runs < kSpreadPasses) {
        // One or two passes make no median worth the name, and the first pass after a
        // start or a new network often ran beside the window drawing itself: show the
        // times as they are and say where a median comes from.
        QStringList times;
        for (const double ms : recent_ms_) times << tr("%1 ms").arg(number(ms));
        const QString count = s.runs == 1 ? tr("1 pass") : tr("%1 passes").arg(s.runs);
        recent_->setText(measured_->text().isEmpty()
                             ? tr("Latency %1 (%2 so far · Measure again for a median)").arg(times.join(QStringLiteral(", ")), count)
                             : tr("Latency %1 (%2 so far)").arg(times.join(QStringLiteral(", ")), count));
    } else {
        recent_->setText(tr("Latency %1 (last %2 passes)").arg(spread_text(s.median_ms, s.p10_ms, s.p90_ms)).arg(s.runs));
    }
    // The OpenMP wait policy is in the tooltip: a setting for the curious, not a reading.
    detail_->setText(thread_reason_);
    setToolTip(tr("Forward pass only (preprocessing excluded), over the last %1 passes shown.\n"
                  "Threads: %2 (%3).\nOpenMP wait policy: %4.\n"
                  "Automatic threads follow the machine's load pass by pass: all cores when it is quiet, "
                  "fewer when other programs keep some busy.")
                   .arg(s.runs)
                   .arg(threads_)
                   .arg(thread_reason_, wait_text()));
}

void LatencySummary::show_measurement(int passes, double median_ms, double p10_ms, double p90_ms,
                                      const QString& threads_used, const QString& policy) {
    set_measuring(false);
    measured_->setText(tr("Measured again: %1 over %2 passes (%3)")
                           .arg(spread_text(median_ms, p10_ms, p90_ms))
                           .arg(passes)
                           .arg(threads_used));
    measured_->setToolTip(policy);
    update_recent();  // the recent line stops pointing at "Measure again"
}

void LatencySummary::set_available(bool available) {
    available_ = available;
    measure_->setEnabled(available);
    if (!available) {
        recent_ms_.clear();
        recent_->setText(tr("Latency: no network"));
        measured_->clear();
    }
}

void LatencySummary::set_measuring(bool measuring) {
    measure_->setEnabled(!measuring && available_);
    if (measuring) measured_->setText(tr("Measuring…"));
}

}  // namespace studio
