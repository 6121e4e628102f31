#include "evaluation_model.hpp"

#include <QBrush>
#include <QColor>

#include <algorithm>
#include <map>
#include <utility>

#include "common/display_format.hpp"
#include "mobilenet/labeled_folder.hpp"

namespace studio {

namespace {

bool top1_correct(const mnv1::ImageOutcome& o) { return !o.top.empty() && o.top.front().index == o.truth; }

bool top5_correct(const mnv1::ImageOutcome& o) {
    return std::any_of(o.top.begin(), o.top.end(), [&](const mnv1::Prediction& p) { return p.index == o.truth; });
}

// One CSV field, quoted when it holds a separator, a quote or a line break (RFC 4180).
QString csv_field(const QString& s) {
    if (!s.contains(QLatin1Char(',')) && !s.contains(QLatin1Char('"')) && !s.contains(QLatin1Char('\n'))) return s;
    QString quoted = s;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

}  // namespace

std::vector<ConfusedPair> most_confused_pairs(const std::vector<mnv1::ImageOutcome>& outcomes, std::size_t max_pairs) {
    std::map<std::pair<int, int>, ConfusedPair> by_pair;
    for (const mnv1::ImageOutcome& o : outcomes) {
        if (o.top.empty() || top1_correct(o)) continue;
        ConfusedPair& pair = by_pair[{o.truth, o.top.front().index}];
        pair.truth = o.truth;
        pair.predicted = o.top.front().index;
        ++pair.count;
        pair.mean_confidence += o.top.front().probability;  // a sum until divided below
    }
    std::vector<ConfusedPair> pairs;
    for (auto& entry : by_pair) {
        ConfusedPair& pair = entry.second;
        pair.mean_confidence /= pair.count;
        pairs.push_back(pair);
    }
    std::stable_sort(pairs.begin(), pairs.end(), [](const ConfusedPair& a, const ConfusedPair& b) {
        return a.count != b.count ? a.count > b.count : a.mean_confidence > b.mean_confidence;
    });
    if (pairs.size() > max_pairs) pairs.resize(max_pairs);
    return pairs;
}

EvaluationModel::EvaluationModel(QObject* parent) : QAbstractTableModel(parent) {}

void EvaluationModel::reset(std::vector<std::string> labels) {
    beginResetModel();
    labels_ = std::move(labels);
    outcomes_.clear();
    endResetModel();
}

void EvaluationModel::append(const std::vector<mnv1::ImageOutcome>& outcomes) {
    if (outcomes.empty()) return;
    const int first = static_cast<int>(outcomes_.size());
    beginInsertRows({}, first, first + static_cast<int>(outcomes.size()) - 1);
    outcomes_.insert(outcomes_.end(), outcomes.begin(), outcomes.end());
    endInsertRows();
}

QString EvaluationModel::label(int index) const {
    if (index >= 0 && static_cast<std::size_t>(index) < labels_.size()) return QString::fromStdString(labels_[index]);
    return tr("class %1").arg(index);
}

QString EvaluationModel::short_label(int index) const { return label(index).section(QLatin1Char(','), 0, 0); }

int EvaluationModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(outcomes_.size());
}

int EvaluationModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QString EvaluationModel::top5_text(const mnv1::ImageOutcome& o) const {
    QStringList parts;
    for (const mnv1::Prediction& p : o.top) parts << QStringLiteral("%1 %2").arg(short_label(p.index), format_percent(p.probability));
    return parts.join(QStringLiteral(" · "));
}

QString EvaluationModel::text(const mnv1::ImageOutcome& o, int column) const {
    const bool has_top = !o.top.empty();
    switch (column) {
    case File: return QString::fromStdString(o.file);
    case Truth: return short_label(o.truth);
    case Top1: return has_top ? short_label(o.top.front().index) : QString();
    case Confidence: return has_top ? format_percent(o.top.front().probability) : QString();
    case Top1Correct: return top1_correct(o) ? QStringLiteral("✓") : QStringLiteral("✗");
    case Top5Correct: return top5_correct(o) ? QStringLiteral("✓") : QStringLiteral("✗");
    case Top5: return top5_text(o);
    default: return {};
    }
}

QVariant EvaluationModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const mnv1::ImageOutcome& o = outcomes_[static_cast<std::size_t>(index.row())];
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole: return text(o, column);
    case Qt::ToolTipRole:  // the full labels, which the cells shorten
        if (column == Truth) return label(o.truth);
        if (column == Top1 && !o.top.empty()) return label(o.top.front().index);
        return column == Top5 ? text(o, column) : QVariant();
    case Qt::TextAlignmentRole:
        if (column == Confidence) return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        if (column == Top1Correct || column == Top5Correct) return Qt::AlignCenter;
        return {};
    case Qt::ForegroundRole:
        if (column == Top1Correct || column == Top5Correct) {
            const bool right = column == Top1Correct ? top1_correct(o) : top5_correct(o);
            return QBrush(right ? QColor(0x1b, 0x7f, 0x3b) : QColor(0xc0, 0x32, 0x2b));
        }
        return {};
    case Truth1000Role: return mnv1::imagenet_class_1000(o.truth, static_cast<int>(labels_.size()));
    case ValueRole:
        if (column == Confidence) return o.top.empty() ? 0.0 : static_cast<double>(o.top.front().probability);
        if (column == Top1Correct) return top1_correct(o);
        if (column == Top5Correct) return top5_correct(o);
        return text(o, column);
    case FileRole: return QString::fromStdString(o.file);
    default: return {};
    }
}

QVariant EvaluationModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case File: return tr("File");
    case Truth: return tr("Truth");
    case Top1: return tr("Top-1");
    case Confidence: return tr("Confidence");
    case Top1Correct: return tr("Top-1 ✓");
    case Top5Correct: return tr("Top-5 ✓");
    case Top5: return tr("Top-5");
    default: return {};
    }
}

QByteArray EvaluationModel::to_csv(const QString& network) const {
    QStringList lines{QStringLiteral(
        "file,truth_index,truth_label,top1_index,top1_label,confidence,top1_correct,top5_correct,top5")};
    if (!network.isEmpty()) lines.front() += QStringLiteral(",network");
    for (const mnv1::ImageOutcome& o : outcomes_) {
        QStringList top5;
        for (const mnv1::Prediction& p : o.top) top5 << QStringLiteral("%1:%2").arg(p.index).arg(p.probability, 0, 'f', 4);
        const int top1 = o.top.empty() ? -1 : o.top.front().index;
        lines << QStringList{csv_field(QString::fromStdString(o.file)),
                             QString::number(o.truth),
                             csv_field(label(o.truth)),
                             QString::number(top1),
                             csv_field(o.top.empty() ? QString() : label(top1)),
                             o.top.empty() ? QString() : QString::number(o.top.front().probability, 'f', 4),
                             top1_correct(o) ? QStringLiteral("1") : QStringLiteral("0"),
                             top5_correct(o) ? QStringLiteral("1") : QStringLiteral("0"),
                             top5.join(QLatin1Char(' '))}
                         .join(QLatin1Char(',')) +
                     (network.isEmpty() ? QString() : QLatin1Char(',') + csv_field(network));
    }
    return (lines.join(QLatin1Char('\n')) + QLatin1Char('\n')).toUtf8();
}

}  // namespace studio
