// FeatureMapsPage: the "Feature maps" tab. For the image on screen (the Classify tab's
// still image or live frame): the input tensor as the network sees it (RGB at the
// network's resolution and its three channels), any convolution layer's output as a grid
// of channels (zoom, per-channel or per-layer colour scale, legend), that layer's filters
// (3×3 depthwise filters as tiny images, the 1×1 pointwise weights as an output × input
// heat map) and, for a selected channel, which filters and input channels produced it.
//
// It asks the controller for feature maps only while it is visible and releases them when
// hidden, so the worker keeps no extractor, context or activations while the view is
// closed. Refreshes on a new classified image or configuration while visible. The layer
// follows the shared layer selection (LayersPage::selection_model()) both ways.
// Threading: GUI thread.
#pragma once

#include <QPointer>
#include <QStringList>
#include <QWidget>

#include <optional>
#include <vector>

#include "worker/feature_map_types.hpp"
#include "worker/inference_types.hpp"

class QButtonGroup;
class QComboBox;
class QItemSelectionModel;
class QLabel;
class QTimer;
class QRadioButton;
class QResizeEvent;
class QSlider;
class QSplitter;

namespace studio {

class ChannelGrid;
class ColorLegend;
class InferenceController;
class LayerTableModel;
class MatrixHeatMap;

class FeatureMapsPage : public QWidget {
    Q_OBJECT
public:
    // `layers` (the Layers page's model) names the layers of the configuration in use;
    // `selection` (may be null) is the shared selection over it. Neither is owned.
    FeatureMapsPage(InferenceController* controller, LayerTableModel* layers, QItemSelectionModel* selection,
                    QWidget* parent = nullptr);

    // The layer shown (index into the layer table), -1 before the layers are known.
    int current_layer() const;
    void set_current_layer(int layer);
    // The channel selected in the layer's grid (-1: none).
    void select_channel(int channel);

    // For tests and the window: the parts, read-only use.
    ChannelGrid* layer_grid() const { return grid_; }
    ChannelGrid* input_grid() const { return input_grid_; }
    ChannelGrid* filter_grid() const { return filter_grid_; }
    ChannelGrid* related_grid() const { return related_grid_; }
    MatrixHeatMap* weight_matrix() const { return matrix_; }
    QComboBox* layer_chooser() const { return chooser_; }
    QRadioButton* per_layer_button() const { return per_layer_; }
    QRadioButton* per_channel_button() const { return per_channel_; }
    QSlider* zoom_slider() const { return zoom_; }
    QString selection_text() const;
    QString status_text() const;
    const std::optional<FeatureMapResult>& result() const { return result_; }
    // Channels and the side panel side by side (true), or the panel below them on a page
    // too narrow for both (a 1024-pixel screen with the Tune panel docked).
    bool side_by_side() const;

protected:
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void rebuild_layer_list();
    void request();
    void show_result(const FeatureMapResult& r);
    void update_legend();
    void update_selection();
    void show_filters();
    void follow_shared_selection();
    void arrange_panels(int page_width);

    QPointer<InferenceController> controller_;
    LayerTableModel* layers_ = nullptr;
    QItemSelectionModel* selection_ = nullptr;
    bool shown_ = false;
    // Live frames refresh the maps at most every kFrameRefreshMs (one extra forward pass per
    // refresh on the inference worker: every frame would halve the video's rate).
    static constexpr int kFrameRefreshMs = 250;
    QTimer* frame_refresh_ = nullptr;
    bool frame_pending_ = false;
    bool syncing_ = false;
    std::optional<FeatureMapResult> result_;

    QLabel* intro_ = nullptr;
    QComboBox* chooser_ = nullptr;
    QRadioButton* per_channel_ = nullptr;
    QRadioButton* per_layer_ = nullptr;
    QButtonGroup* scale_group_ = nullptr;
    QSlider* zoom_ = nullptr;
    QSplitter* splitter_ = nullptr;
    ColorLegend* legend_ = nullptr;
    QLabel* status_ = nullptr;
    ChannelGrid* grid_ = nullptr;

    QLabel* input_title_ = nullptr;
    QLabel* input_rgb_ = nullptr;
    ChannelGrid* input_grid_ = nullptr;
    QLabel* input_note_ = nullptr;

    QLabel* selection_title_ = nullptr;
    QLabel* about_selection_ = nullptr;
    ChannelGrid* related_grid_ = nullptr;
    ChannelGrid* selected_filter_ = nullptr;

    QLabel* filters_title_ = nullptr;
    QLabel* filters_note_ = nullptr;
    ChannelGrid* filter_grid_ = nullptr;
    MatrixHeatMap* matrix_ = nullptr;
    ColorLegend* filter_legend_ = nullptr;
};

}  // namespace studio
