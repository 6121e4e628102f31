// LayersPage: the Layers tab. The live layer table of the configuration in use (a
// LayerTableModel in a QTableView), a summary of the totals (and of the class count where
// it is not the paper's), a button that asks for per-layer times (median of
// kLayerProfilePasses profiled passes, with the oneDNN implementations), and under the
// table the breakdown by layer type (LayerBreakdownModel, the paper's Table 2 with the
// measured time) with the paper's 1×1 question answered in one sentence.
//
// The table's QItemSelectionModel is shared: views added for the same layers (cost cards,
// charts) take selection_model() so selecting a layer anywhere selects it everywhere.
// Such views go beside the table, one tab each (add_side_view); on a page too narrow for
// both they go under the tables and the page scrolls (side_by_side).
// Threading: GUI thread.
#pragma once

#include <QWidget>

#include "worker/inference_types.hpp"

class QItemSelectionModel;
class QLabel;
class QPushButton;
class QSplitter;
class QTabWidget;
class QTableView;

namespace studio {

class LayerBreakdownModel;
class LayerTableModel;

class LayersPage : public QWidget {
    Q_OBJECT
public:
    explicit LayersPage(QWidget* parent = nullptr);

    // The network the worker configured: rebuilds the table (pure arithmetic), clears the
    // timings. Failed configurations change nothing.
    void show_configuration(const ModelStatus& status);
    // Fills the time / implementation columns; ignored unless it is the configuration shown.
    void set_timing(const LayerTiming& timing);

    LayerTableModel* model() const { return model_; }
    QItemSelectionModel* selection_model() const { return selection_; }
    QTableView* table() const { return table_; }
    QString summary_text() const;
    QString pointwise_answer_text() const;
    LayerBreakdownModel* breakdown_model() const { return breakdown_; }
    QPushButton* profile_button() const { return profile_; }
    QPushButton* lesson_button() const { return lesson_; }

    // Adds `view` (reparented to the page) as a tab beside the table; the side panel is
    // hidden while it has no tab.
    void add_side_view(QWidget* view, const QString& title);
    QTabWidget* side_views() const { return side_tabs_; }
    // Side views beside the tables on a wide page; under them, at full width, on a narrower
    // one (the page then scrolls down).
    bool side_by_side() const;

signals:
    void profileRequested();
    // "Lesson…": the depthwise separable lesson, at the selected layer's block.
    void lessonRequested();

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void arrange_panels(int page_width);
    void update_summary();
    void update_breakdown();

    LayerTableModel* model_ = nullptr;
    QItemSelectionModel* selection_ = nullptr;
    QTableView* table_ = nullptr;
    LayerBreakdownModel* breakdown_ = nullptr;
    QTableView* breakdown_table_ = nullptr;
    QLabel* answer_ = nullptr;
    QLabel* summary_ = nullptr;
    QPushButton* profile_ = nullptr;
    QPushButton* lesson_ = nullptr;
    QSplitter* splitter_ = nullptr;
    QTabWidget* side_tabs_ = nullptr;
};

}  // namespace studio
