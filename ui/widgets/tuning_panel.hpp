// TuningPanel: the width multiplier α, the input resolution ρ, the thread count and the
// crop mode, with the cost of that configuration beside them: mult-adds and parameters
// (common/network_cost.hpp, the same source as the Layers page, pure arithmetic) for the
// class count of the network in use, and the latency the worker measured (both pushed in
// by the main window).
//
// It only reports changes (configurationChanged, immediately on every move); debouncing
// and talking to the worker is the main window's job.
// Threading: GUI thread.
#pragma once

#include <QList>
#include <QWidget>

#include <cstdint>
#include <vector>

#include "common/network_cost.hpp"
#include "common/tuning_grid.hpp"
#include "mobilenet/arch.hpp"
#include "mobilenet/classify.hpp"
#include "mobilenet/model_io.hpp"

class QComboBox;
class QLabel;
class QSlider;
class QSpinBox;

namespace studio {

class MarkedSlider;
class NativeResolutionBadge;

class TuningPanel : public QWidget {
    Q_OBJECT
public:
    // Slider ranges and steps: common/tuning_grid.hpp.

    explicit TuningPanel(QWidget* parent = nullptr);

    double alpha() const;
    int resolution() const;
    int threads() const;
    mnv1::CropMode crop_mode() const;

    // Setters snap to the slider steps and clamp to the ranges.
    void set_alpha(double alpha);
    void set_resolution(int resolution);
    void set_threads(int threads);
    void set_crop_mode(mnv1::CropMode mode);

    // Adds a group of further controls (e.g. the precision) under the network's, above the cost.
    void add_section(QWidget* section);

    // α values with pretrained weights on disk: their marks are emphasized.
    void set_pretrained_alphas(const QList<double>& alphas, const QString& details);
    // The discovered models (and the folders searched, for the tooltip): the α marks of
    // their α values are emphasized, and the resolution marks of the current α are those
    // its weights were released at (emphasized), so the slider shows where real weights
    // run as trained. Replaces set_pretrained_alphas().
    void set_available_models(const std::vector<mnv1::ModelEntry>& models, const QStringList& search_dirs);
    // Resolutions with weights released for `alpha` (sorted, each once; empty: none). While
    // a model of that α is pinned (set_pinned_model), only the pinned model's: the others
    // do not run until the pin is let go.
    QList<int> native_resolutions_for(double alpha) const;
    // The model pinned in the Model menu (its catalog path; empty: automatic choice).
    void set_pinned_model(const QString& path);
    // What runs now: a badge under the resolution slider when pretrained weights run away
    // from the resolution they were released at.
    void set_model_in_use(bool pretrained, int native_resolution, int running_resolution);
    // The line under the α slider: which α have weights, and whether this one runs on random ones.
    QString pretrained_text() const;
    NativeResolutionBadge* native_resolution_badge() const { return native_badge_; }
    const MarkedSlider* alpha_marks() const { return alpha_; }
    const MarkedSlider* resolution_marks() const { return resolution_; }
    // Latency measured by the worker for the configuration now in effect.
    void set_measured_latency(double ms, int passes, int threads, double build_ms, bool was_cached);
    // A "Measure again" of the network in use: its median over `passes` passes.
    void set_remeasured_latency(double median_ms, int passes, const QString& threads_used);
    // The configuration could not be set up: no latency to show.
    void set_latency_unavailable();
    void set_latency_pending();  // a new configuration is on its way

    // Class count of the network in use (1001 for the TF-slim release); until the worker
    // reports one, the paper's 1000.
    void set_num_classes(int num_classes);

    // The cost now shown (multiply-adds per image, weights as the paper counts them).
    const mnv1::CostSummary& cost() const { return cost_; }
    QString latency_text() const;
    QString latency_note_text() const;  // the line under it: which passes, threads, build time
    QString macs_text() const;
    QString params_text() const;
    QString class_count_text() const;  // "" for 1000 classes, else the difference from the paper

    QSlider* alpha_slider() const;
    QSlider* resolution_slider() const;
    QSpinBox* threads_box() const { return threads_; }
    QComboBox* crop_box() const { return crop_; }

signals:
    void configurationChanged();

private:
    void update_cost();
    void update_value_labels();
    void update_resolution_marks();

    MarkedSlider* alpha_ = nullptr;
    MarkedSlider* resolution_ = nullptr;
    QLabel* alpha_value_ = nullptr;
    QLabel* resolution_value_ = nullptr;
    QSpinBox* threads_ = nullptr;
    QComboBox* crop_ = nullptr;
    QLabel* macs_ = nullptr;
    QLabel* params_ = nullptr;
    QLabel* classes_ = nullptr;
    QLabel* latency_ = nullptr;
    QLabel* build_ = nullptr;
    QLabel* pretrained_info_ = nullptr;
    QString pretrained_text_;  // which α have weights; set_model_in_use adds a random-weights note
    mnv1::CostSummary cost_;
    int num_classes_ = kPaperClasses;
    QList<double> pretrained_alphas_;
    struct ReleasedModel {
        double alpha = 0;
        int resolution = 0;  // the resolution it was released at (0: not known)
        QString path;
    };
    std::vector<ReleasedModel> released_models_;  // each discovered model
    QString pinned_model_;
    NativeResolutionBadge* native_badge_ = nullptr;
};

}  // namespace studio
