// Pure arithmetic behind the trade-off charts: which point sits where on which chart,
// the Pareto frontier (best accuracy for cost), the least-squares latency fit and its
// outliers, and "best accuracy under a budget". No widgets, no Qt Charts: any thread.
#pragma once

#include <QPointF>
#include <QString>

#include <optional>
#include <vector>

#include "models/tradeoff_model.hpp"

namespace studio {

enum class ChartKind { AccuracyVsMacs, AccuracyVsLatency, LatencyVsMacs, AccuracyVsParams };
constexpr ChartKind kAllCharts[] = {ChartKind::AccuracyVsMacs, ChartKind::AccuracyVsLatency, ChartKind::LatencyVsMacs,
                                    ChartKind::AccuracyVsParams};

struct ChartAxes {
    QString title, x_title, y_title;
    QString x_csv, y_csv;  // CSV column names with units
    bool log_x = false;
};
ChartAxes chart_axes(ChartKind kind);
// Where `p` is drawn on a chart of `kind`; nullopt when it has no place there (no
// accuracy, no latency: published points have no latency measured here).
std::optional<QPointF> chart_position(const TradeoffPoint& p, ChartKind kind);
// The 95 % interval of a measured point's top-1 in percent (mnv1::wilson_interval_95 on
// its images); nullopt for published points and without a count of images. The charts
// draw it so a 30-image evaluation does not pass for a precise figure.
struct AccuracyInterval {
    double lower = 0, upper = 0;
};
std::optional<AccuracyInterval> accuracy_interval(const TradeoffPoint& p);
// Short name for files and object names: "accuracy-vs-macs", ...
QString chart_slug(ChartKind kind);

// Indices into `xy` of the Pareto frontier: no other point has lower-or-equal cost (x)
// and higher accuracy (y). Sorted by cost.
std::vector<std::size_t> pareto_frontier(const std::vector<QPointF>& xy);

// y = intercept + slope * x by least squares; nullopt for fewer than two distinct x.
struct LinearFit {
    double intercept = 0, slope = 0, r2 = 0;
    int points = 0;
    double at(double x) const { return intercept + slope * x; }
};
std::optional<LinearFit> fit_line(const std::vector<QPointF>& xy);

// A measured point far from the latency-vs-mult-adds fit, and a hypothesis for it that
// only uses figures we have (the fit, the point's costs, its layer mix).
struct FitOutlier {
    int row = 0;
    double measured_ms = 0, predicted_ms = 0;
    double relative = 0;  // (measured - predicted) / predicted
    QString explanation;
};
// Rows of measured points with latency whose relative residual exceeds `threshold`.
std::vector<FitOutlier> fit_outliers(const TradeoffModel& model, const LinearFit& fit, double threshold);
// The precision the latency fit is drawn for: "f32" when any measured point with latency
// is fp32, else the first measured precision ("" when none). One line never mixes int8
// and fp32: they are different machines, in effect.
QString fitted_precision(const TradeoffModel& model);
// Latency-vs-mult-adds points of the measured layer at fitted_precision(): (million
// mult-adds, median ms), and their rows.
std::vector<QPointF> measured_latency_points(const TradeoffModel& model, std::vector<int>* rows = nullptr);

enum class BudgetKind { LatencyMs, MillionMacs };
// The row with the best top-1 among `layer`'s points (MobileNet, with accuracy, and a
// latency for a latency budget) whose cost is at most `limit`; ties go to the cheaper.
std::optional<int> best_under_budget(const TradeoffModel& model, PointLayer layer, BudgetKind kind, double limit);

// Mult-adds of a configuration (the paper's count, 1000 classes), in millions.
double million_macs(double alpha, int resolution);

}  // namespace studio
