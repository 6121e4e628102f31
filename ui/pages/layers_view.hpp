// LayersView: the live layer table of the configuration in use (Table 1 of the paper for
// the current α and ρ): type / stride, filter shape, input and output sizes, mult-adds,
// parameters — and, after a profiled run on the worker, per-layer milliseconds and the
// oneDNN implementation of each layer.
// Threading: GUI thread.
#pragma once

#include <QWidget>

#include "worker/inference_types.hpp"
#include "mobilenet/arch.hpp"

class QLabel;
class QPushButton;
class QTableWidget;

namespace studio {

class LayersView : public QWidget {
    Q_OBJECT
public:
    explicit LayersView(QWidget* parent = nullptr);

    // Rebuilds the table for `cfg` (pure arithmetic) and clears the timings.
    void set_architecture(const mnv1::ArchConfig& cfg, quint64 generation);
    // Fills the ms / implementation columns; ignored unless it matches the generation shown.
    void set_timing(const LayerTiming& timing);
    quint64 generation() const { return generation_; }
    QTableWidget* table() const { return table_; }

signals:
    void profileRequested();

private:
    QTableWidget* table_ = nullptr;
    QLabel* summary_ = nullptr;
    QPushButton* profile_ = nullptr;
    std::vector<mnv1::LayerSpec> layers_;
    quint64 generation_ = 0;
};

}  // namespace studio
