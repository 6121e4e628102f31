// ResultsView: the top-5 classes as labelled horizontal bars with percentages. Clicking
// a row (or Up/Down with focus) selects that class for the activation map. When the image
// is labelled with a class (its file or folder says which), that row carries a check
// mark, or, when the class ranks lower, it follows the five as a row of its own.
// Threading: GUI thread.
#pragma once

#include <QWidget>

#include <vector>

#include "mobilenet/classify.hpp"

class QFontMetrics;

namespace studio {

// A prediction's line "2. red fox, Vulpes vulpes" fitted to `width` pixels: whole if it
// fits, else the first of the ImageNet synonyms whole ("2. red fox"), and only then elided.
QString fit_prediction_label(const QFontMetrics& fm, int rank, const QString& label, int width);

// The class an image is labelled with, among the predictions shown.
struct LabelledClass {
    int row = -1;    // its row in the predictions; -1: the image is not labelled
    int rank = 0;    // among all classes, 1 = most probable
    QString source;  // where the label comes from: "ground_truth.csv", "wnid in the file name"
    // The class ranks below the top rows: `row` is an extra last entry of the predictions,
    // drawn apart from them.
    bool below = false;
};

class ResultsView : public QWidget {
    Q_OBJECT
public:
    explicit ResultsView(QWidget* parent = nullptr);

    // Shows `top` (most probable first) with row `selected` highlighted, and which class the
    // image is labelled with (when `labelled.row` >= 0).
    void set_predictions(const std::vector<mnv1::Prediction>& top, int selected = 0, const LabelledClass& labelled = {});
    // Removes the bars and shows `message` instead (e.g. "Classifying…").
    void clear_predictions(const QString& message);
    const std::vector<mnv1::Prediction>& predictions() const { return top_; }
    // Rows drawn: the predictions up to the first one whose probability is exactly 0 (a
    // uint8 output's), which are summed up in one line (zero_rows_text()) instead.
    int shown_rows() const { return shown_; }
    int zero_rows() const;
    QString zero_rows_text() const;
    QString message() const { return message_; }
    const LabelledClass& labelled() const { return labelled_; }
    // The line under the rows that says where the image's label comes from ("✓ marks the
    // labelled class (ground_truth.csv)"); empty when unlabelled.
    QString labelled_text() const;

    int selected_row() const { return selected_; }
    void set_selected_row(int row);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    // The user picked another row.
    void rowSelected(int row);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    bool event(QEvent* event) override;  // tooltips with the class index

private:
    int row_height() const;
    int row_at(QPoint pos) const;
    // The labelled class has a row of its own after the top rows (it ranks lower).
    bool has_extra_row() const;
    int extra_row_top() const;  // y of that row, below the caption line
    int caption_height() const;
    void paint_row(QPainter& p, const QRect& row, int index, int number) const;

    std::vector<mnv1::Prediction> top_;
    LabelledClass labelled_;
    int shown_ = 0;
    int selected_ = 0;
    QString message_;
};

}  // namespace studio
