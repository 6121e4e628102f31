#include "layer_table_model.hpp"

#include "common/display_format.hpp"

namespace studio {

LayerTableModel::LayerTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void LayerTableModel::set_architecture(const mnv1::ArchConfig& cfg, quint64 generation, bool integer_ops) {
    beginResetModel();
    generation_ = generation;
    integer_ops_ = integer_ops;
    config_ = cfg;
    layers_ = mnv1::layer_table(cfg);
    summary_ = mnv1::summarize(layers_);
    ms_.assign(layers_.size(), std::nullopt);
    implementations_.assign(layers_.size(), QString());
    profiled_ = false;
    timing_ = {};
    reorder_ms_ = 0;
    endResetModel();
}

bool LayerTableModel::set_timing(const LayerTiming& timing) {
    if (timing.generation != generation_) return false;  // a profile of a configuration no longer shown
    double reorder_ms = 0;
    for (const mnv1::LayerProfile& s : timing.steps) {
        if (s.layer < 0 || s.layer >= rowCount()) {
            reorder_ms += s.ms;
            continue;
        }
        ms_[static_cast<std::size_t>(s.layer)] = s.ms;
        implementations_[static_cast<std::size_t>(s.layer)] = QString::fromStdString(s.impl);
    }
    // Layers the profile did not name (fused, or not a primitive) keep the build-time name.
    for (std::size_t r = 0; r < implementations_.size() && r < timing.implementations.size(); ++r) {
        if (implementations_[r].isEmpty()) implementations_[r] = QString::fromStdString(timing.implementations[r]);
    }
    profiled_ = true;
    timing_ = timing;
    reorder_ms_ = reorder_ms;
    if (rowCount() > 0) emit dataChanged(index(0, MultAddShare), index(rowCount() - 1, Implementation));
    return true;
}

int LayerTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(layers_.size());
}

int LayerTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant LayerTableModel::value(int row, int column) const {
    const auto r = static_cast<std::size_t>(row);
    const mnv1::LayerSpec& l = layers_[r];
    switch (column) {
    case Input: return QVariant::fromValue(static_cast<qint64>(l.in_h) * l.in_w * l.in_c);
    case Output: return QVariant::fromValue(static_cast<qint64>(l.out_h) * l.out_w * l.out_c);
    case MultAdds: return QVariant::fromValue(static_cast<qint64>(l.macs));
    case MultAddShare: return summary_.macs ? 100.0 * static_cast<double>(l.macs) / static_cast<double>(summary_.macs) : 0.0;
    case Params: return QVariant::fromValue(static_cast<qint64>(l.params));
    case TimeShare: return ms_[r] && layers_ms() > 0 ? QVariant(100.0 * *ms_[r] / layers_ms()) : QVariant();
    case TimeMs: return ms_[r] ? QVariant(*ms_[r]) : QVariant();
    // 2 FLOPs (a multiply and an add) per mult-add, over the measured time: ms * 1e6 = ns, FLOP/ns = GFLOP/s.
    case Gflops: return ms_[r] && *ms_[r] > 0 && l.macs > 0 ? QVariant(2.0 * static_cast<double>(l.macs) / (*ms_[r] * 1e6)) : QVariant();
    default: return text(row, column);
    }
}

QString LayerTableModel::text(int row, int column) const {
    const auto r = static_cast<std::size_t>(row);
    const mnv1::LayerSpec& l = layers_[r];
    switch (column) {
    case Name: return QString::fromStdString(l.name);
    case Type: return QString::fromStdString(l.type_label());
    case Filter: return QString::fromStdString(l.filter_label());
    case Input: return QStringLiteral("%1 × %2 × %3").arg(l.in_h).arg(l.in_w).arg(l.in_c);
    case Output: return QStringLiteral("%1 × %2 × %3").arg(l.out_h).arg(l.out_w).arg(l.out_c);
    case MultAdds: return l.macs ? format_count(l.macs) : QStringLiteral("–");
    case MultAddShare:
    case TimeShare: {
        const QVariant percent = value(row, column);
        return percent.isValid() && (column == TimeShare || summary_.macs)
                   ? QStringLiteral("%1 %").arg(percent.toDouble(), 0, 'f', 1) : QString();
    }
    case Gflops: {
        const QVariant gflops = value(row, column);
        return gflops.isValid() ? QString::number(gflops.toDouble(), 'f', 1) : QString();
    }
    case Params: return l.params ? format_count(l.params) : QStringLiteral("–");
    case TimeMs: return ms_[r] ? format_ms(*ms_[r]) : QString();
    case Implementation: return implementations_[r];
    default: return {};
    }
}

QVariant LayerTableModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    switch (role) {
    case Qt::DisplayRole: return text(index.row(), index.column());
    case ValueRole: return value(index.row(), index.column());
    case LayerIndexRole: return index.row();
    case Qt::ToolTipRole: {  // implementation names are long (the column may elide them), and their notes terse
        if (index.column() != Implementation) return {};
        const QString& impl = implementations_[static_cast<std::size_t>(index.row())];
        const QStringList notes = implementation_notes(impl);
        return notes.isEmpty() ? impl : impl + QStringLiteral("\n\n") + notes.join(QLatin1Char('\n'));
    }
    case Qt::TextAlignmentRole: {
        const bool numeric = index.column() >= MultAdds && index.column() <= Gflops;
        return QVariant::fromValue((numeric ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter);
    }
    default: return {};
    }
}

QStringList implementation_notes(const QString& impl) {
    QStringList out;
    const auto has = [&](const char* token) { return impl.contains(QLatin1String(token)); };
    if (has("row parts") || has("pixel parts")) {
        out << QObject::tr("row / pixel parts: the engine split this layer by output rows (or pixels) into one piece "
                           "per thread, run at the same time, where that beat oneDNN's own threading.");
    }
    if (has("s8 w-zw")) {
        out << QObject::tr("s8 w-zw: the released uint8 weights minus their zero point, as signed 8-bit integers "
                           "(oneDNN's int8 convolutions take no weight zero point).");
    }
    if (has("outside s8")) {
        out << QObject::tr("weights outside s8: the few weights whose difference from the zero point does not fit in "
                           "-128…127; extra small steps add their part exactly.");
    }
    if (has("exact")) {
        out << QObject::tr("exact …: extra steps that keep the result identical to TFLite's integer arithmetic.");
    }
    if (has("no VNNI")) {
        out << QObject::tr("no VNNI: this processor lacks the instruction that sums products of 8-bit integers in "
                           "one step; channels are summed in pairs instead.");
    }
    if (has(" f32") || has("f32 form")) {
        out << QObject::tr("f32: this part computes in floating point on the integer values (exact at these sizes), "
                           "where that is faster.");
    }
    if (has(", then ")) out << QObject::tr("then …: a second primitive that converts the result's layout or type.");
    return out;
}

QVariant LayerTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation == Qt::Horizontal && role == Qt::ToolTipRole) return header_tooltip(section);
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Name: return tr("Layer");
    case Type: return tr("Type / stride");
    case Filter: return tr("Filter shape");
    case Input: return tr("Input");
    case Output: return tr("Output");
    case MultAdds: return tr("Mult-adds");
    case MultAddShare: return tr("% of mult-adds");
    case TimeShare: return tr("% of time");
    case Params: return tr("Parameters");
    case TimeMs: return tr("Time");
    case Gflops: return integer_ops_ ? tr("GOP/s") : tr("GFLOP/s");
    case Implementation: return tr("oneDNN implementation");
    default: return {};
    }
}

QVariant LayerTableModel::header_tooltip(int section) const {
    switch (section) {
    case MultAddShare: return tr("This layer's share of the mult-adds of all layers (the paper's count).");
    case TimeShare:
        return tr("This layer's share of the measured time of all layers (median of %1 profiled passes); "
                  "the input reorder is in the total above but is no row.")
            .arg(kLayerProfilePasses);
    case TimeMs: return tr("Median wall time of this layer over %1 profiled passes.").arg(kLayerProfilePasses);
    case Gflops:
        return integer_ops_ ? tr("Achieved GOP/s: 2 operations (a multiply and an add) per mult-add, divided by the "
                                 "measured time. The int8 network multiplies and adds integers, so these are not "
                                 "floating-point operations and not comparable with the fp32 peak.")
                            : tr("Achieved GFLOP/s: 2 FLOPs (a multiply and an add) per mult-add, divided by the "
                                 "measured time.");
    case Implementation:
        return tr("The oneDNN kernel that ran this layer, named kind:instruction set. brgconv / brgconv_1x1: the "
                  "convolution done as batches of small matrix multiplies (oneDNN's fastest path); brdgmm_dw: the "
                  "depthwise convolution as batches of diagonal multiplies; jit_dw, jit_int8: direct kernels "
                  "generated at run time for this shape; x64:gemm:jit: a general matrix multiply; ref: a slow "
                  "reference kernel. avx512_core, avx2: the vector instructions it uses. Where oneDNN offers two "
                  "depthwise kernels for the same instructions, the engine times both when it builds the network "
                  "and keeps the faster (by at least 5%; else oneDNN's first choice).");
    default: return {};
    }
}

Qt::ItemFlags LayerTableModel::flags(const QModelIndex& index) const {
    return index.isValid() ? Qt::ItemIsEnabled | Qt::ItemIsSelectable : Qt::NoItemFlags;
}

}  // namespace studio
