// LayersPage: the Layers tab. The live layer table of the configuration in use (a
// LayerTableModel in a QTableView), a one-line summary, and a button that asks for one
// profiled forward pass (per-layer milliseconds and oneDNN implementations).
//
// The table's QItemSelectionModel is shared: views added for the same layers (cost cards,
// charts) take selection_model() so selecting a layer anywhere selects it everywhere.
// Threading: GUI thread.
#pragma once

#include <QWidget>

#include "worker/inference_types.hpp"

class QItemSelectionModel;
class QLabel;
class QPushButton;
class QTableView;

namespace studio {

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

signals:
    void profileRequested();

private:
    void update_summary();

    LayerTableModel* model_ = nullptr;
    QItemSelectionModel* selection_ = nullptr;
    QTableView* table_ = nullptr;
    QLabel* summary_ = nullptr;
    QPushButton* profile_ = nullptr;
};

}  // namespace studio
