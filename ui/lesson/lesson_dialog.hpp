// LessonDialog: a short guided lesson on depthwise separable convolutions, in five steps
// with Back / Next, on the live numbers of the configuration in use:
//   1. a standard convolution (N filters of Dk×Dk×M: Dk·Dk·M·N·Df·Df mult-adds),
//   2. depthwise (one Dk×Dk filter per input channel: Dk·Dk·M·Df·Df),
//   3. pointwise (N filters of 1×1×M: M·N·Df·Df),
//   4. together (the sum, the ratio against 1/N + 1/Dk², and the whole network both ways:
//      mnv1::summarize of the layer table with and without ArchConfig::standard_conv),
//   5. the other factorisation, spatially separable kernels (K = column ⊗ row: 6 instead of
//      9 multiplications per pixel), run on the image on screen with the measured times and
//      difference (mnv1::run_separable_demo), and why MobileNet factorises across channels.
// Steps 1–4 use the block (dwK + pwK) of the layer selected in the shared selection model
// of the Layers page (a default block when none is selected: the text says which) and
// follow the selection and the configuration live.
//
// Step 5 runs on the thread pool (QtConcurrent + QFutureWatcher; it uses no oneDNN), on a
// copy of InferenceController::shown_image(), or a built-in checkerboard without one.
// Non-modal. Threading: GUI thread.
#pragma once

#include <QDialog>
#include <QFutureWatcher>
#include <QImage>

#include <optional>

#include "mobilenet/arch.hpp"
#include "mobilenet/separable_demo.hpp"

class QComboBox;
class QItemSelectionModel;
class QLabel;
class QListWidget;
class QPushButton;
class QStackedWidget;

namespace studio {

class FilterShapeDiagram;
class ImageView;
class InferenceController;
class LayerTableModel;

class LessonDialog : public QDialog {
    Q_OBJECT
public:
    enum Step { StandardStep, DepthwiseStep, PointwiseStep, TogetherStep, SpatialStep, StepCount };

    // The block whose numbers steps 1–4 use.
    struct Block {
        int number = 7;         // 1..13: layers dw<number> and pw<number>
        int dk = 3;             // kernel side
        int m = 0, n = 0;       // input and output channels
        int df = 0;             // output feature-map side (the paper's D_F)
        int in_side = 0;        // input feature-map side (== df unless stride 2)
        int stride = 1;
        std::int64_t depthwise_macs = 0, pointwise_macs = 0;  // from the layer table's rows
        mnv1::ConvCostComparison costs;  // the core's cost model for (Dk, M, N, Df)
        QString selected_layer;  // the selected row's name; empty when nothing is selected
        bool from_selection = false;  // false: the default block (nothing or no block selected)
    };

    // What the last finished spatial demo ran and measured, with the pictures to show.
    struct SpatialOutcome {
        mnv1::SeparableDemoResult result;  // the measured figures (images kept for the pictures)
        QString kernel_name;
        bool separable = true;             // the kernel's own factors; false: best rank-one approximation
        mnv1::KernelFactors factors;       // the SVD view of the kernel
        mnv1::Taps3 column{}, row{};       // what the two passes used
        QString source;                    // "the image on screen (W×H)" or "a checkerboard"
        bool from_image = false;
        int original_width = 0, original_height = 0;  // before any downscaling
        QImage input, full, two_pass, difference;     // 8-bit pictures, display size
        double difference_gain = 0;        // difference picture = |full − two-pass| × gain (255 = white)
    };

    // `layers` and `selection` are the Layers page's (shared); `controller` provides the
    // image on screen. None is owned; all must outlive the dialog or be its ancestors' children.
    LessonDialog(LayerTableModel* layers, QItemSelectionModel* selection, InferenceController* controller,
                 QWidget* parent = nullptr);
    ~LessonDialog() override;

    void show_step(int step);
    // The step that fits the selected layer: depthwise for dwK, pointwise for pwK, else the first.
    void show_step_of_selection();
    int current_step() const;
    // The explanation of a step as shown (HTML), with the current numbers.
    QString step_text(int step) const;
    QString step_title(int step) const;
    const Block& block() const { return block_; }
    FilterShapeDiagram* diagram(int step) const { return step >= 0 && step < SpatialStep ? diagrams_[step] : nullptr; }

    // Step 5: runs the demo for the chosen kernel on the current image (in the background).
    void run_spatial_demo();
    bool spatial_demo_running() const;
    const std::optional<SpatialOutcome>& spatial_outcome() const { return outcome_; }
    // Both texts of step 5: the figures (image, counts, times) and what they mean.
    QString spatial_result_text() const;
    QString spatial_figures_text() const;
    QString spatial_explanation_text() const;
    QComboBox* kernel_chooser() const { return kernel_chooser_; }
    QPushButton* next_button() const { return next_; }
    QPushButton* back_button() const { return back_; }

    // Images larger than this (pixels) are downscaled before the demo, to keep it under a second.
    static constexpr int kMaxDemoPixels = 4'000'000;
    static constexpr int kDemoRepeats = 9;  // timed runs of each pass; the median is shown

signals:
    void spatialDemoFinished();

private:
    void build_ui();
    QWidget* build_text_step(int step);
    QWidget* build_spatial_step();
    void refresh();          // block and texts from the model and the selection
    void update_navigation();
    void update_kernel_view();
    void show_outcome();
    Block find_block() const;
    QString standard_text() const;
    QString depthwise_text() const;
    QString pointwise_text() const;
    QString together_text() const;
    QString spatial_intro_text() const;

    LayerTableModel* layers_ = nullptr;
    QItemSelectionModel* selection_ = nullptr;
    InferenceController* controller_ = nullptr;
    Block block_;

    QListWidget* steps_ = nullptr;
    QStackedWidget* pages_ = nullptr;
    QLabel* texts_[StepCount] = {};
    FilterShapeDiagram* diagrams_[SpatialStep] = {};  // steps 1–4
    QLabel* block_note_ = nullptr;
    QPushButton* back_ = nullptr;
    QPushButton* next_ = nullptr;

    QComboBox* kernel_chooser_ = nullptr;
    QLabel* kernel_view_ = nullptr;
    QPushButton* rerun_ = nullptr;
    ImageView* input_view_ = nullptr;
    ImageView* full_view_ = nullptr;
    ImageView* two_pass_view_ = nullptr;
    ImageView* difference_view_ = nullptr;
    QLabel* spatial_figures_ = nullptr;
    QLabel* spatial_result_ = nullptr;
    QFutureWatcher<SpatialOutcome>* watcher_ = nullptr;
    bool rerun_pending_ = false;
    // The image the last demo ran on, held (a reference, not a copy) so its pixels cannot be
    // freed and another image land at the same address: comparing .data tells a new image.
    cv::Mat demo_image_;
    std::optional<SpatialOutcome> outcome_;
};

}  // namespace studio
