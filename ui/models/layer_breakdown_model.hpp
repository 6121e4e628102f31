// LayerBreakdownModel: the paper's Table 2 for the configuration in a LayerTableModel —
// mult-adds and parameters by layer type (Conv 1×1, Conv DW 3×3, the first Conv 3×3, Fully
// connected), with the measured share of time added, and a total row. The mult-add and
// parameter shares are the core's (mnv1::summarize via LayerTableModel::summary()), never
// recomputed here; the time of a type is the sum of its rows' median times, the global
// pool and the softmax counted with the fully connected layer.
//
// It follows its source: every reset or timing of the layer table resets this model.
// Threading: GUI thread.
#pragma once

#include <QAbstractTableModel>

#include <optional>
#include <vector>

#include "mobilenet/arch.hpp"

namespace studio {

class LayerTableModel;

// The paper (Howard et al. 2017, Sec. 3.2): "MobileNet spends 95% of it's computation time
// in 1 × 1 convolutions" — its Table 2 counts 94.86 % of the mult-adds there.
inline constexpr int kPaperPointwisePercent = 95;

class LayerBreakdownModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Type, MultAdds, MultAddShare, Params, ParamShare, TimeMs, TimeShare, ColumnCount };
    enum Role {
        // The cell as a number: qint64 for MultAdds / Params, double for the shares
        // (percent) and TimeMs (invalid until profiled); the text in the Type column.
        ValueRole = Qt::UserRole,
        KindRole,  // int (mnv1::LayerKind) of the row; invalid on the total row
    };

    explicit LayerBreakdownModel(const LayerTableModel* layers, QObject* parent = nullptr);

    // The row of `kind` (-1 when the configuration has none); the total row is the last.
    int row_of(mnv1::LayerKind kind) const;
    // The paper's question answered with this configuration's numbers: how much of the
    // measured time the 1×1 convolutions take (or that a measurement is still to come).
    QString pointwise_answer() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row {
        std::optional<mnv1::LayerKind> kind;  // nullopt: the total row
        QString label;
        std::int64_t macs = 0, params = 0;
        double macs_pct = 0, params_pct = 0;
        std::optional<double> ms, ms_pct;     // nullopt until profiled
    };
    void rebuild();
    QVariant value(const Row& row, int column) const;

    const LayerTableModel* layers_;
    std::vector<Row> rows_;
};

}  // namespace studio
