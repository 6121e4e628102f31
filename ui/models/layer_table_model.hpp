// LayerTableModel: the layer table of the configuration in use (Table 1 of the paper for
// the current α and ρ), one row per mnv1::LayerSpec: type / stride, filter shape, input and
// output sizes, mult-adds and their share, parameters — and, after the worker profiled the
// network (per-step medians of LayerTiming::passes passes), per-layer milliseconds, their
// share of the layers' time beside the share of mult-adds, the achieved GFLOP/s (GOP/s at
// int8) and the oneDNN implementation. The input reorder (step -1) is in total_ms() but
// is no row.
//
// Views read text (Qt::DisplayRole); charts and cost cards read numbers (ValueRole) or
// the LayerSpec itself, so nothing ever parses a displayed string.
// Threading: GUI thread.
#pragma once

#include <QAbstractTableModel>
#include <QStringList>

#include <optional>
#include <vector>

#include "mobilenet/arch.hpp"
#include "worker/inference_types.hpp"

namespace studio {

// What the bracketed notes of an implementation name mean ("[2 row parts]", "[s8 w-zw, …]"),
// one line per note found; empty when it has none.
QStringList implementation_notes(const QString& implementation);

class LayerTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        Name, Type, Filter, Input, Output, MultAdds, MultAddShare, TimeShare, Params, TimeMs, Gflops, Implementation,
        ColumnCount
    };
    enum Role {
        // The cell as a number where it is one: qint64 for MultAdds / Params, double for
        // MultAddShare and TimeShare (percent of the rows' totals), TimeMs and Gflops
        // (invalid until profiled, and for rows without a time or mult-adds), the element
        // count for Input / Output; the text otherwise.
        ValueRole = Qt::UserRole,
        LayerIndexRole,  // int: the row's index in layers(), any column
    };

    explicit LayerTableModel(QObject* parent = nullptr);

    // Rebuilds the rows for `cfg` (pure arithmetic) and forgets the timings. `integer_ops`:
    // the network runs int8, so the rate column counts integer operations (GOP/s).
    void set_architecture(const mnv1::ArchConfig& cfg, quint64 generation, bool integer_ops = false);
    // Fills the time / implementation columns. Returns false (and changes nothing) unless
    // it matches the generation shown.
    bool set_timing(const LayerTiming& timing);

    quint64 generation() const { return generation_; }
    const mnv1::ArchConfig& architecture() const { return config_; }
    const std::vector<mnv1::LayerSpec>& layers() const { return layers_; }
    const mnv1::CostSummary& summary() const { return summary_; }
    bool profiled() const { return profiled_; }
    int profiled_passes() const { return timing_.passes; }
    // The last timing as the worker measured it (totals, coverage, plain pass).
    const LayerTiming& timing() const { return timing_; }
    double total_ms() const { return timing_.totalMs; }          // whole profiled pass (sum of step medians)
    double reorder_ms() const { return reorder_ms_; }      // steps that are no row (the input reorder)
    double layers_ms() const { return timing_.totalMs - reorder_ms_; }  // the rows' time: TimeShare's 100 %
    std::optional<double> layer_ms(int row) const { return ms_[static_cast<std::size_t>(row)]; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;

private:
    QVariant value(int row, int column) const;
    QString text(int row, int column) const;
    QVariant header_tooltip(int section) const;

    mnv1::ArchConfig config_;
    std::vector<mnv1::LayerSpec> layers_;
    mnv1::CostSummary summary_;
    // Parallel to layers_: measured time (nullopt until profiled) and implementation.
    std::vector<std::optional<double>> ms_;
    std::vector<QString> implementations_;
    quint64 generation_ = 0;
    bool profiled_ = false;
    bool integer_ops_ = false;
    LayerTiming timing_;  // the last one shown; empty before profiling
    double reorder_ms_ = 0;
};

}  // namespace studio
