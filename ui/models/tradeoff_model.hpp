// TradeoffModel: every point of the trade-off page, one row each — the paper's figures
// (Tables 6-9, with the comparison models), the TF-slim release table (float and uint8),
// and this machine's measurements (sweep points and evaluations). Published rows are
// kept as published; measured rows carry only what was measured here. The charts and
// any table read the same rows: numbers through ValueRole, the whole point through
// point().
//
// Threading: GUI thread.
#pragma once

#include <QAbstractTableModel>
#include <QJsonArray>
#include <QString>

#include <optional>
#include <vector>

#include "mobilenet/published.hpp"

namespace studio {

// Where a point comes from: the three layers of the charts (paper includes the
// comparison models).
enum class PointLayer { Paper, Slim, Measured };

struct TradeoffPoint {
    PointLayer layer = PointLayer::Measured;
    QString model;                    // "MobileNet v1", or a comparison model ("VGG16")
    double alpha = 0;                 // 0 for comparison models
    int resolution = 0;               // 0 for comparison models
    QString precision;                // "float" / "uint8" (published), "f32" (measured)
    double million_macs = 0, million_params = 0;
    std::optional<double> top1, top5;  // percent
    // Measured only: latency of one forward pass (median, p10, p90 over `runs`).
    std::optional<double> latency_ms;
    double latency_p10_ms = 0, latency_p90_ms = 0;  // 0: a median without its spread (an evaluation's)
    int runs = 0, threads = 0, batch = 1;
    QString weights;                  // weights file the accuracy came from; empty: random weights
    int native_resolution = 0;        // the weights' own resolution (0: none)
    int images = 0;                   // images behind top1/top5 (measured)
    bool from_cache = false;
    bool earlier_session = false;     // restored from the settings, not measured in this run
    QString origin;                   // "sweep", "evaluation", or the published table's name

    bool is_mobilenet() const { return alpha > 0; }
    // Measured with weights at a resolution other than theirs (accuracy is then not the
    // released model's: the charts draw it hollow).
    bool off_native_resolution() const {
        return layer == PointLayer::Measured && !weights.isEmpty() && native_resolution != resolution;
    }
    // "0.5-160", or the comparison model's name.
    QString label() const;
};

class TradeoffModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        Layer, Model, Alpha, Resolution, Precision, MultAdds, Params, Top1, Top5, LatencyMs, LatencyP10Ms,
        LatencyP90Ms, Threads, Images, Weights, NativeResolution, ColumnCount
    };
    enum Role {
        ValueRole = Qt::UserRole,  // the cell as a number where it is one (invalid when absent)
        LayerRole,                 // int(PointLayer), any column
    };

    explicit TradeoffModel(QObject* parent = nullptr);

    // Replaces the published rows (paper, slim and comparison models).
    void set_published(const std::vector<mnv1::PublishedPoint>& mobilenet,
                       const std::vector<mnv1::PublishedModel>& others);
    // Adds a measured point, or replaces the one with the same α, resolution, precision,
    // threads and origin (a rerun). Returns its row.
    int add_measured(const TradeoffPoint& point);
    void clear_measured();
    // The measured rows as JSON (kept across sessions), and back: restore_measured adds
    // the rows of such an array and returns how many; entries it cannot read are skipped.
    QJsonArray measured_json() const;
    int restore_measured(const QJsonArray& rows);

    const std::vector<TradeoffPoint>& points() const { return points_; }
    const TradeoffPoint& point(int row) const { return points_.at(static_cast<std::size_t>(row)); }

    // The shipped tables (Qt resources :/reference/...), parsed. Throws mnv1::Error.
    static std::vector<mnv1::PublishedPoint> shipped_mobilenet();
    static std::vector<mnv1::PublishedModel> shipped_models();

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVariant value(const TradeoffPoint& p, int column) const;
    std::vector<TradeoffPoint> points_;
};

QString layer_name(PointLayer layer);  // "paper", "TF-slim", "measured"

}  // namespace studio
