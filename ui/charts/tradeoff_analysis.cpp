#include "tradeoff_analysis.hpp"

#include <QObject>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "common/display_format.hpp"
#include "mobilenet/arch.hpp"
#include "mobilenet/evaluate.hpp"

namespace studio {

ChartAxes chart_axes(ChartKind kind) {
    const QString top1 = QObject::tr("Top-1 (%)");  // short: the small charts elide long axis titles
    // Short enough for a chart at a 1024-pixel screen's page width (the axes say "log" by their ticks too).
    const QString macs = QObject::tr("Mult-adds per image (M, log scale)");
    const QString latency = QObject::tr("Latency, median (ms)");
    switch (kind) {
    case ChartKind::AccuracyVsMacs:
        return {QObject::tr("Accuracy vs mult-adds"), macs, top1, "million_macs", "top1_pct", true};
    case ChartKind::AccuracyVsLatency:
        return {QObject::tr("Accuracy vs latency (measured here)"), latency, top1, "latency_ms", "top1_pct", false};
    case ChartKind::LatencyVsMacs:
        // Upright, the axis has the room of a short title only ("median" is in the tooltips).
        return {QObject::tr("Latency vs mult-adds (measured here)"), QObject::tr("Mult-adds per image (millions)"),
                QObject::tr("Latency (ms)"), "million_macs", "latency_ms", false};
    case ChartKind::AccuracyVsParams:
        return {QObject::tr("Accuracy vs parameters"), QObject::tr("Parameters (M, log scale)"), top1,
                "million_params", "top1_pct", true};
    }
    return {};
}

QString chart_slug(ChartKind kind) {
    switch (kind) {
    case ChartKind::AccuracyVsMacs: return QStringLiteral("accuracy-vs-macs");
    case ChartKind::AccuracyVsLatency: return QStringLiteral("accuracy-vs-latency");
    case ChartKind::LatencyVsMacs: return QStringLiteral("latency-vs-macs");
    case ChartKind::AccuracyVsParams: return QStringLiteral("accuracy-vs-params");
    }
    return {};
}

std::optional<QPointF> chart_position(const TradeoffPoint& p, ChartKind kind) {
    switch (kind) {
    case ChartKind::AccuracyVsMacs:
        if (p.top1) return QPointF(p.million_macs, *p.top1);
        break;
    case ChartKind::AccuracyVsLatency:
        if (p.top1 && p.latency_ms) return QPointF(*p.latency_ms, *p.top1);
        break;
    case ChartKind::LatencyVsMacs:
        if (p.latency_ms) return QPointF(p.million_macs, *p.latency_ms);
        break;
    case ChartKind::AccuracyVsParams:
        if (p.top1) return QPointF(p.million_params, *p.top1);
        break;
    }
    return std::nullopt;
}

std::optional<AccuracyInterval> accuracy_interval(const TradeoffPoint& p) {
    if (p.layer != PointLayer::Measured || !p.top1 || p.images <= 0) return std::nullopt;
    const mnv1::ProportionInterval i = mnv1::wilson_interval_95(*p.top1 / 100.0, p.images);
    return AccuracyInterval{100 * i.lower, 100 * i.upper};
}

std::vector<std::size_t> pareto_frontier(const std::vector<QPointF>& xy) {
    std::vector<std::size_t> order(xy.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    // Cheapest first; at equal cost the most accurate first, so it alone can qualify.
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return xy[a].x() != xy[b].x() ? xy[a].x() < xy[b].x() : xy[a].y() > xy[b].y();
    });
    std::vector<std::size_t> frontier;
    double best = -std::numeric_limits<double>::infinity();
    for (std::size_t i : order) {
        if (xy[i].y() > best) {
            frontier.push_back(i);
            best = xy[i].y();
        }
    }
    return frontier;
}

std::optional<LinearFit> fit_line(const std::vector<QPointF>& xy) {
    const double n = static_cast<double>(xy.size());
    if (xy.size() < 2) return std::nullopt;
    double mx = 0, my = 0;
    for (const QPointF& p : xy) mx += p.x() / n, my += p.y() / n;
    double sxx = 0, sxy = 0, syy = 0;
    for (const QPointF& p : xy) {
        sxx += (p.x() - mx) * (p.x() - mx);
        sxy += (p.x() - mx) * (p.y() - my);
        syy += (p.y() - my) * (p.y() - my);
    }
    if (sxx <= 0) return std::nullopt;
    LinearFit fit;
    fit.slope = sxy / sxx;
    fit.intercept = my - fit.slope * mx;
    fit.r2 = syy > 0 ? (sxy * sxy) / (sxx * syy) : 1.0;
    fit.points = static_cast<int>(xy.size());
    return fit;
}

QString fitted_precision(const TradeoffModel& model) {
    QString found;
    for (const TradeoffPoint& p : model.points()) {
        if (p.layer != PointLayer::Measured || !chart_position(p, ChartKind::LatencyVsMacs)) continue;
        if (p.precision == QLatin1String("f32")) return p.precision;
        if (found.isEmpty()) found = p.precision;
    }
    return found;
}

std::vector<QPointF> measured_latency_points(const TradeoffModel& model, std::vector<int>* rows) {
    std::vector<QPointF> xy;
    const QString precision = fitted_precision(model);
    for (int r = 0; r < model.rowCount(); ++r) {
        const TradeoffPoint& p = model.point(r);
        if (p.layer != PointLayer::Measured || p.precision != precision) continue;
        if (const auto pos = chart_position(p, ChartKind::LatencyVsMacs)) {
            xy.push_back(*pos);
            if (rows) rows->push_back(r);
        }
    }
    return xy;
}

double million_macs(double alpha, int resolution) {
    mnv1::ArchConfig cfg;
    cfg.alpha = alpha;
    cfg.resolution = resolution;
    return static_cast<double>(mnv1::summarize(mnv1::layer_table(cfg)).macs) / 1e6;
}

namespace {

double depthwise_share_pct(double alpha, int resolution) {
    mnv1::ArchConfig cfg;
    cfg.alpha = alpha;
    cfg.resolution = resolution;
    for (const mnv1::KindShare& k : mnv1::summarize(mnv1::layer_table(cfg)).by_kind) {
        if (k.kind == mnv1::LayerKind::Depthwise) return k.macs_pct;
    }
    return 0;
}

// A hypothesis in words from the numbers at hand: the fit's fixed part (time not
// explained by mult-adds) and the share of mult-adds in depthwise layers, which do
// little arithmetic per byte they move.
QString explain(const TradeoffPoint& p, const LinearFit& fit, double relative) {
    const double dw = depthwise_share_pct(p.alpha, p.resolution);
    const double dw_full = depthwise_share_pct(1.0, p.resolution);
    if (relative > 0) {
        QString why = QObject::tr("slower than its mult-adds predict. Hypothesis: the same 28 layers run at any width, "
                                  "so per-layer overhead weighs more on a small network");
        if (fit.intercept > 0) {
            why += QObject::tr(" (the fit's fixed part, %1, is %2 % of this point's time)")
                       .arg(format_ms(fit.intercept))
                       .arg(100.0 * fit.intercept / *p.latency_ms, 0, 'f', 0);
        }
        if (dw > dw_full + 0.5) {
            why += QObject::tr("; depthwise layers, which do little arithmetic per byte moved, are %1 % of its "
                               "mult-adds against %2 % at α 1.0")
                       .arg(dw, 0, 'f', 1)
                       .arg(dw_full, 0, 'f', 1);
        }
        return why + QLatin1Char('.');
    }
    return QObject::tr("faster than its mult-adds predict. Hypothesis: its wide pointwise layers (%1 % of mult-adds "
                       "are depthwise) keep the cores busier than the average point of the fit.")
        .arg(dw, 0, 'f', 1);
}

}  // namespace

std::vector<FitOutlier> fit_outliers(const TradeoffModel& model, const LinearFit& fit, double threshold) {
    std::vector<int> rows;
    const std::vector<QPointF> xy = measured_latency_points(model, &rows);
    std::vector<FitOutlier> out;
    for (std::size_t i = 0; i < xy.size(); ++i) {
        const double predicted = fit.at(xy[i].x());
        if (predicted <= 0) continue;
        const double relative = (xy[i].y() - predicted) / predicted;
        if (std::fabs(relative) <= threshold) continue;
        const TradeoffPoint& p = model.point(rows[i]);
        out.push_back({rows[i], xy[i].y(), predicted, relative, explain(p, fit, relative)});
    }
    std::sort(out.begin(), out.end(),
              [](const FitOutlier& a, const FitOutlier& b) { return std::fabs(a.relative) > std::fabs(b.relative); });
    return out;
}

std::optional<int> best_under_budget(const TradeoffModel& model, PointLayer layer, BudgetKind kind, double limit) {
    std::optional<int> best;
    double best_top1 = 0, best_cost = 0;
    for (int r = 0; r < model.rowCount(); ++r) {
        const TradeoffPoint& p = model.point(r);
        if (p.layer != layer || !p.is_mobilenet() || !p.top1) continue;
        if (kind == BudgetKind::LatencyMs && !p.latency_ms) continue;
        const double cost = kind == BudgetKind::LatencyMs ? *p.latency_ms : p.million_macs;
        if (cost > limit) continue;
        if (!best || *p.top1 > best_top1 || (*p.top1 == best_top1 && cost < best_cost)) {
            best = r;
            best_top1 = *p.top1;
            best_cost = cost;
        }
    }
    return best;
}

}  // namespace studio
