#include "layer_breakdown_model.hpp"

#include <QFont>

#include <algorithm>

#include "common/display_format.hpp"
#include "layer_table_model.hpp"

namespace studio {

namespace {

// Table 2's order: the type that holds the computation first.
constexpr mnv1::LayerKind kPaperOrder[] = {mnv1::LayerKind::Pointwise, mnv1::LayerKind::Depthwise,
                                           mnv1::LayerKind::ConvFull, mnv1::LayerKind::FullyConnected};

// The row whose time a layer counts in: pool and softmax have no row of their own in Table 2.
mnv1::LayerKind time_kind(mnv1::LayerKind kind) {
    return kind == mnv1::LayerKind::AvgPool || kind == mnv1::LayerKind::Softmax ? mnv1::LayerKind::FullyConnected : kind;
}

QString kind_label(mnv1::LayerKind kind) {
    switch (kind) {
    case mnv1::LayerKind::Pointwise: return LayerBreakdownModel::tr("Conv 1×1");
    case mnv1::LayerKind::Depthwise: return LayerBreakdownModel::tr("Conv DW 3×3");
    case mnv1::LayerKind::ConvFull: return LayerBreakdownModel::tr("Conv 3×3 (first layer)");
    case mnv1::LayerKind::FullyConnected: return LayerBreakdownModel::tr("Fully connected (time: + pool, softmax)");
    default: return {};
    }
}

QString percent_text(const std::optional<double>& pct) {
    return pct ? QStringLiteral("%1 %").arg(*pct, 0, 'f', 1) : QString();
}

}  // namespace

LayerBreakdownModel::LayerBreakdownModel(const LayerTableModel* layers, QObject* parent)
    : QAbstractTableModel(parent), layers_(layers) {
    connect(layers_, &QAbstractItemModel::modelReset, this, &LayerBreakdownModel::rebuild);
    connect(layers_, &QAbstractItemModel::dataChanged, this, &LayerBreakdownModel::rebuild);
    rebuild();
}

void LayerBreakdownModel::rebuild() {
    beginResetModel();
    rows_.clear();
    const mnv1::CostSummary& summary = layers_->summary();
    const bool timed = layers_->profiled() && layers_->layers_ms() > 0;
    Row total{std::nullopt, tr("Total (input reorder not included)"), summary.macs, summary.params, 0, 0, {}, {}};
    if (timed) total.ms = total.ms_pct = 0.0;
    for (mnv1::LayerKind kind : kPaperOrder) {
        const auto share = std::find_if(summary.by_kind.begin(), summary.by_kind.end(),
                                        [kind](const mnv1::KindShare& k) { return k.kind == kind; });
        if (share == summary.by_kind.end()) continue;
        Row row{kind, kind_label(kind), share->macs, share->params, share->macs_pct, share->params_pct, {}, {}};
        if (timed) {
            double ms = 0;
            for (std::size_t r = 0; r < layers_->layers().size(); ++r) {
                if (time_kind(layers_->layers()[r].kind) == kind) ms += layers_->layer_ms(static_cast<int>(r)).value_or(0.0);
            }
            row.ms = ms;
            row.ms_pct = 100.0 * ms / layers_->layers_ms();
            *total.ms += ms;
            *total.ms_pct += *row.ms_pct;
        }
        total.macs_pct += row.macs_pct;
        total.params_pct += row.params_pct;
        rows_.push_back(row);
    }
    if (!rows_.empty()) rows_.push_back(total);
    endResetModel();
}

int LayerBreakdownModel::row_of(mnv1::LayerKind kind) const {
    for (std::size_t r = 0; r < rows_.size(); ++r) {
        if (rows_[r].kind == kind) return static_cast<int>(r);
    }
    return -1;
}

QString LayerBreakdownModel::pointwise_answer() const {
    const int row = row_of(mnv1::LayerKind::Pointwise);
    if (row < 0) return {};
    const Row& pw = rows_[static_cast<std::size_t>(row)];
    const QString paper = tr("The paper puts %1 % of the mult-adds in 1×1 convolutions (%2 % in this configuration)")
                              .arg(kPaperPointwisePercent)
                              .arg(pw.macs_pct, 0, 'f', 1);
    if (!pw.ms_pct) return paper + tr("; measure to see how much of the time they take.");
    return paper + tr("; here they take %1 % of the time (median of %2 profiled passes).")
                       .arg(*pw.ms_pct, 0, 'f', 1)
                       .arg(layers_->profiled_passes());
}

int LayerBreakdownModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int LayerBreakdownModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant LayerBreakdownModel::value(const Row& row, int column) const {
    switch (column) {
    case Type: return row.label;
    case MultAdds: return QVariant::fromValue(static_cast<qint64>(row.macs));
    case MultAddShare: return row.macs_pct;
    case Params: return QVariant::fromValue(static_cast<qint64>(row.params));
    case ParamShare: return row.params_pct;
    case TimeMs: return row.ms ? QVariant(*row.ms) : QVariant();
    case TimeShare: return row.ms_pct ? QVariant(*row.ms_pct) : QVariant();
    default: return {};
    }
}

QVariant LayerBreakdownModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const Row& row = rows_[static_cast<std::size_t>(index.row())];
    switch (role) {
    case ValueRole: return value(row, index.column());
    case KindRole: return row.kind ? QVariant(static_cast<int>(*row.kind)) : QVariant();
    case Qt::DisplayRole:
        switch (index.column()) {
        case Type: return row.label;
        case MultAdds: return format_count(row.macs);
        case MultAddShare: return percent_text(row.macs_pct);
        case Params: return format_count(row.params);
        case ParamShare: return percent_text(row.params_pct);
        case TimeMs: return row.ms ? format_ms(*row.ms) : QString();
        case TimeShare: return percent_text(row.ms_pct);
        default: return {};
        }
    case Qt::TextAlignmentRole:
        return QVariant::fromValue((index.column() == Type ? Qt::AlignLeft : Qt::AlignRight) | Qt::AlignVCenter);
    case Qt::FontRole: {
        if (row.kind) return {};
        QFont bold;
        bold.setBold(true);
        return bold;
    }
    default: return {};
    }
}

QVariant LayerBreakdownModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::ToolTipRole && section == TimeShare)
        return tr("Share of the layers' measured time (median of %1 profiled passes per layer).").arg(kLayerProfilePasses);
    if (role != Qt::DisplayRole) return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Type: return tr("Layer type (Table 2)");
    case MultAdds: return tr("Mult-adds");
    case MultAddShare: return tr("% of mult-adds");
    case Params: return tr("Parameters");
    case ParamShare: return tr("% of parameters");
    case TimeMs: return tr("Time");
    case TimeShare: return tr("% of time");
    default: return {};
    }
}

}  // namespace studio
