// EvaluationModel: the per-image outcomes of an evaluation, one row per classified image:
// file, true class, top-1 class and its confidence, whether top-1 / top-5 were right, and
// the top-5 as text. Views sort it through a QSortFilterProxyModel on ValueRole (numbers
// sort as numbers). most_confused_pairs() is the "which classes get mixed up" summary.
// Threading: GUI thread (the free function: any thread).
#pragma once

#include <QAbstractTableModel>
#include <QByteArray>

#include <string>
#include <vector>

#include "mobilenet/evaluate.hpp"

namespace studio {

// How often images of class `truth` were predicted (top-1) as class `predicted`.
struct ConfusedPair {
    int truth = -1;
    int predicted = -1;
    int count = 0;
    double mean_confidence = 0;  // of those wrong top-1 predictions, 0..1
};

// The wrong top-1 predictions grouped by (truth, predicted), most frequent first (then
// the more confident mistakes first), at most `max_pairs` of them.
std::vector<ConfusedPair> most_confused_pairs(const std::vector<mnv1::ImageOutcome>& outcomes, std::size_t max_pairs);

class EvaluationModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { File, Truth, Top1, Confidence, Top1Correct, Top5Correct, Top5, ColumnCount };
    enum Role {
        // The cell as a sortable value: double for Confidence (0..1), bool for the two
        // correct columns, the text otherwise.
        ValueRole = Qt::UserRole,
        FileRole,  // QString: the image file, relative to the evaluated folder (any column)
        // int: the true class in ImageNet's 1000-class convention (any column); -1 when the
        // evaluated model's labels are neither the 1000 nor the 1001 ImageNet ones.
        Truth1000Role,
    };

    explicit EvaluationModel(QObject* parent = nullptr);

    // Forgets every row; `labels` name the classes of the model being evaluated.
    void reset(std::vector<std::string> labels);
    // Adds outcomes at the end (as an evaluation goes on).
    void append(const std::vector<mnv1::ImageOutcome>& outcomes);

    const std::vector<mnv1::ImageOutcome>& outcomes() const { return outcomes_; }
    // The model's label of class `index`, or "class N" when it has none.
    QString label(int index) const;
    // Its first name only ("tench" for "tench, Tinca tinca"): what the table shows.
    QString short_label(int index) const;
    // Every row as CSV (header first): file, truth and top-1 index and label, confidence,
    // top1_correct, top5_correct, top5 ("index:probability" separated by spaces).
    // With `network` (what was evaluated, e.g. "mobilenet_v1_1.0_224_quant.tflite · α 1.0 ·
    // 224 px · whole image · int8 · released uint8") a last column carries it on every row,
    // so the file says what it measured.
    QByteArray to_csv(const QString& network = {}) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QString text(const mnv1::ImageOutcome& o, int column) const;
    QString top5_text(const mnv1::ImageOutcome& o) const;

    std::vector<std::string> labels_;
    std::vector<mnv1::ImageOutcome> outcomes_;
};

}  // namespace studio
