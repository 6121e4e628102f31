#include "network_cost.hpp"

#include <QLocale>

namespace studio {

mnv1::ArchConfig cost_architecture(double alpha, int resolution, int num_classes) {
    mnv1::ArchConfig cfg;
    cfg.alpha = alpha;
    cfg.resolution = resolution;
    cfg.num_classes = num_classes > 0 ? num_classes : kPaperClasses;
    return cfg;
}

QString class_count_note(const mnv1::ArchConfig& cfg) {
    if (cfg.num_classes == kPaperClasses) return {};
    mnv1::ArchConfig paper = cfg;
    paper.num_classes = kPaperClasses;
    const mnv1::CostSummary shown = mnv1::summarize(mnv1::layer_table(cfg));
    const mnv1::CostSummary published = mnv1::summarize(mnv1::layer_table(paper));
    // Exact counts with a sign: the difference is small (one classifier row), an SI suffix would hide it.
    const QLocale locale(QLocale::English);
    auto signed_count = [&locale](std::int64_t n) {
        return (n >= 0 ? QStringLiteral("+") : QStringLiteral("−")) + locale.toString(static_cast<qlonglong>(n >= 0 ? n : -n));
    };
    const QString why = cfg.num_classes == kPaperClasses + 1 ? QStringLiteral(" (TF-slim background class)") : QString();
    return QStringLiteral("%1 classes%2: %3 params, %4 mult-adds vs the paper's %5")
        .arg(cfg.num_classes)
        .arg(why, signed_count(shown.params - published.params), signed_count(shown.macs - published.macs))
        .arg(kPaperClasses);
}

}  // namespace studio
