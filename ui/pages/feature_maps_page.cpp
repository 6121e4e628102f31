#include "pages/feature_maps_page.hpp"

#include <QButtonGroup>
#include <QComboBox>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QLabel>
#include <QRadioButton>
#include <QResizeEvent>
#include <QScrollArea>
#include <QSlider>
#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "common/display_format.hpp"
#include "controller/inference_controller.hpp"
#include "models/layer_table_model.hpp"
#include "widgets/channel_grid.hpp"
#include "widgets/flow_layout.hpp"
#include "widgets/page_scroll_area.hpp"

namespace studio {

namespace {

constexpr int kDefaultTile = 64;
constexpr int kFilterTile = 40;
constexpr int kStrongestInputs = 6;  // inputs listed for a pointwise channel

bool has_feature_maps(const mnv1::LayerSpec& l) {
    return l.kind == mnv1::LayerKind::ConvFull || l.kind == mnv1::LayerKind::Depthwise ||
           l.kind == mnv1::LayerKind::Pointwise;
}

QString shape_text(int h, int w, int c) { return QStringLiteral("%1×%2×%3").arg(h).arg(w).arg(c); }

QString layer_title(const mnv1::LayerSpec& l) {
    return QStringLiteral("%1 · %2").arg(QString::fromStdString(l.name), shape_text(l.out_h, l.out_w, l.out_c));
}

QString value_text(double v) { return QString::number(v, 'g', 3); }
QString signed_text(double v) {
    if (v == 0) return QStringLiteral("0");
    return (v > 0 ? QStringLiteral("+") : QStringLiteral("−")) + value_text(std::abs(v));
}

// The given channels of `map`, as a tensor of their own (same height and width).
std::vector<float> pick_channels(const mnv1::FeatureMap& map, const std::vector<int>& channels) {
    const std::size_t n = channels.size(), pixels = static_cast<std::size_t>(map.height) * static_cast<std::size_t>(map.width);
    std::vector<float> out(pixels * n);
    for (std::size_t p = 0; p < pixels; ++p)
        for (std::size_t i = 0; i < n; ++i)
            out[p * n + i] = map.hwc[p * static_cast<std::size_t>(map.channels) + static_cast<std::size_t>(channels[i])];
    return out;
}

// Filters c x k x k as a k x k x c tensor, so each filter is one tile of a ChannelGrid.
std::vector<float> filters_as_hwc(const mnv1::FilterBank& f, const std::vector<int>& which) {
    const std::size_t n = which.size();
    std::vector<float> out(static_cast<std::size_t>(f.rows) * static_cast<std::size_t>(f.cols) * n);
    for (int y = 0; y < f.rows; ++y)
        for (int x = 0; x < f.cols; ++x)
            for (std::size_t i = 0; i < n; ++i)
                out[(static_cast<std::size_t>(y) * static_cast<std::size_t>(f.cols) + static_cast<std::size_t>(x)) * n + i] =
                    f.at(which[i], y, x);
    return out;
}

// The input tensor as a picture: one linear stretch of its whole range to 0..255 (the
// network's scaling undone up to contrast), RGB.
QImage input_picture(const mnv1::FeatureMap& in) {
    QImage img(in.width, in.height, QImage::Format_RGB32);
    if (in.hwc.empty()) return img;
    const auto [lo, hi] = std::minmax_element(in.hwc.begin(), in.hwc.end());
    const float span = *hi > *lo ? *hi - *lo : 1.0f;
    for (int y = 0; y < in.height; ++y) {
        QRgb* line = reinterpret_cast<QRgb*>(img.scanLine(y));
        for (int x = 0; x < in.width; ++x) {
            auto px = [&](int c) { return static_cast<int>(std::lround(255.0f * (in.at(y, x, c) - *lo) / span)); };
            line[x] = qRgb(px(0), px(1), px(2));
        }
    }
    return img;
}

QLabel* title_label(QWidget* parent) {
    auto* l = new QLabel(parent);
    l->setWordWrap(true);
    QFont f = l->font();
    f.setBold(true);
    l->setFont(f);
    return l;
}

QLabel* note_label(QWidget* parent) {
    auto* l = new QLabel(parent);
    l->setWordWrap(true);
    l->setTextFormat(Qt::RichText);
    return l;
}

// The side panel's narrowest (its 224-pixel input and three channel pictures in a row),
// and the page width below which the channels would get too little room beside it.
constexpr int kSidePanelMinWidth = 420;
constexpr int kSidePanelWidth = 470;  // its comfortable width, side by side
constexpr int kSideBySideMinPageWidth = kSidePanelMinWidth + 380;
constexpr int kStackedMinHeight = 280;  // each part, when stacked: two rows of tiles

QScrollArea* scroll_for(QWidget* w, QWidget* parent) {
    auto* s = new QScrollArea(parent);
    s->setWidget(w);
    s->setWidgetResizable(true);
    s->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    return s;
}

}  // namespace

FeatureMapsPage::FeatureMapsPage(InferenceController* controller, LayerTableModel* layers,
                                 QItemSelectionModel* selection, QWidget* parent)
    : QWidget(parent), controller_(controller), layers_(layers), selection_(selection) {
    auto* outer = new QVBoxLayout(scrolling_content(this));  // its row of controls is wider than a small screen
    intro_ = note_label(this);
    intro_->setText(tr("Every layer turns its input into a stack of <b>channels</b>. Each small picture below is one "
                       "channel of the chosen layer for the image on the Classify tab: bright where that channel's "
                       "filter found its pattern, dark where it did not. Early layers respond to edges and colours, "
                       "late ones to larger parts of objects. <b>Click a channel</b> to see which filters made it."));
    outer->addWidget(intro_);

    // Layer, colour scale and zoom: three groups on one line, wrapping onto more on a
    // small screen rather than making the page scroll sideways.
    auto* controls = new FlowLayout(nullptr, 16, 4);
    QHBoxLayout* layer_row = controls->add_group(this);
    QHBoxLayout* scale_row = controls->add_group(this);
    QHBoxLayout* zoom_row = controls->add_group(this);
    layer_row->addWidget(new QLabel(tr("Layer:"), this));
    chooser_ = new QComboBox(this);
    chooser_->setObjectName(QStringLiteral("featureLayerChooser"));
    chooser_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    chooser_->setMinimumContentsLength(20);  // "pw13 · 7×7×1024" and the longest, whole
    chooser_->setToolTip(tr("The layer whose output is shown: name · height × width × channels"));
    layer_row->addWidget(chooser_);
    scale_row->addWidget(new QLabel(tr("Colour scale:"), this));
    per_channel_ = new QRadioButton(tr("each channel its own"), this);
    per_channel_->setToolTip(tr("Each picture stretched from its own lowest to highest value: shows every "
                                "channel's pattern, even a weak one"));
    per_layer_ = new QRadioButton(tr("one for the whole layer"), this);
    per_layer_->setToolTip(tr("One scale for all channels: shows which channels respond strongly to this image"));
    per_channel_->setChecked(true);
    scale_group_ = new QButtonGroup(this);
    scale_group_->addButton(per_channel_);
    scale_group_->addButton(per_layer_);
    scale_row->addWidget(per_channel_);
    scale_row->addWidget(per_layer_);
    zoom_row->addWidget(new QLabel(tr("Zoom:"), this));
    zoom_ = new QSlider(Qt::Horizontal, this);
    zoom_->setRange(ChannelGrid::kMinTile, ChannelGrid::kMaxTile);
    zoom_->setValue(kDefaultTile);
    zoom_->setFixedWidth(120);
    zoom_->setToolTip(tr("Size of each channel's picture (also Ctrl + mouse wheel over the pictures)"));
    zoom_row->addWidget(zoom_);
    outer->addLayout(controls);

    auto* status_row = new QHBoxLayout;
    status_ = note_label(this);
    status_->setObjectName(QStringLiteral("featureStatus"));
    status_row->addWidget(status_, 1);
    legend_ = new ColorLegend(this);
    legend_->setObjectName(QStringLiteral("featureLegend"));
    legend_->setFixedWidth(260);
    status_row->addWidget(legend_, 0, Qt::AlignTop);
    outer->addLayout(status_row);

    auto* splitter = splitter_ = new QSplitter(Qt::Horizontal, this);
    splitter->setChildrenCollapsible(false);
    outer->addWidget(splitter, 1);
    grid_ = new ChannelGrid;
    grid_->setObjectName(QStringLiteral("featureChannelGrid"));
    grid_->set_tile_size(kDefaultTile);
    splitter->addWidget(scroll_for(grid_, splitter));

    auto* panel = new QWidget;
    auto* side = new QVBoxLayout(panel);
    input_title_ = title_label(panel);
    side->addWidget(input_title_);
    input_rgb_ = new QLabel(panel);
    input_rgb_->setObjectName(QStringLiteral("featureInputPicture"));
    input_rgb_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    side->addWidget(input_rgb_);
    input_grid_ = new ChannelGrid(panel);
    input_grid_->setObjectName(QStringLiteral("featureInputChannels"));
    input_grid_->set_tile_names({tr("red"), tr("green"), tr("blue")});
    input_grid_->set_normalisation(ChannelGrid::Normalisation::PerLayer);
    input_grid_->set_tile_size(96);
    side->addWidget(input_grid_);
    input_note_ = note_label(panel);
    side->addWidget(input_note_);

    selection_title_ = title_label(panel);
    side->addSpacing(8);
    side->addWidget(selection_title_);
    about_selection_ = note_label(panel);
    about_selection_->setObjectName(QStringLiteral("featureSelectionText"));
    side->addWidget(about_selection_);
    auto* related_row = new QHBoxLayout;
    selected_filter_ = new ChannelGrid(panel);
    selected_filter_->set_color_map(ColorMap::Diverging);
    selected_filter_->set_symmetric(true);
    selected_filter_->set_tile_size(88);
    selected_filter_->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
    related_row->addWidget(selected_filter_);
    related_grid_ = new ChannelGrid(panel);
    related_grid_->setObjectName(QStringLiteral("featureRelatedChannels"));
    related_grid_->set_tile_size(88);
    related_row->addWidget(related_grid_, 1);
    side->addLayout(related_row);

    filters_title_ = title_label(panel);
    side->addSpacing(8);
    side->addWidget(filters_title_);
    filters_note_ = note_label(panel);
    side->addWidget(filters_note_);
    filter_grid_ = new ChannelGrid(panel);
    filter_grid_->setObjectName(QStringLiteral("featureFilterGrid"));
    filter_grid_->set_color_map(ColorMap::Diverging);
    filter_grid_->set_symmetric(true);
    filter_grid_->set_tile_size(kFilterTile);
    side->addWidget(filter_grid_);
    matrix_ = new MatrixHeatMap(panel);
    matrix_->setObjectName(QStringLiteral("featureWeightMatrix"));
    matrix_->setMinimumHeight(300);
    matrix_->set_scale(MatrixHeatMap::Scale::PerRow);  // follows the colour-scale choice
    side->addWidget(matrix_);
    filter_legend_ = new ColorLegend(panel);
    filter_legend_->set_map(ColorMap::Diverging);
    side->addWidget(filter_legend_);
    side->addStretch(1);
    auto* side_scroll = scroll_for(panel, splitter);
    side_scroll->setMinimumWidth(kSidePanelMinWidth);
    splitter->addWidget(side_scroll);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 0);
    splitter->setSizes({900, kSidePanelWidth});  // the channels get the room

    connect(chooser_, &QComboBox::currentIndexChanged, this, [this] {
        if (syncing_) return;
        grid_->set_selected(-1);
        if (selection_ && layers_ && current_layer() >= 0) {
            syncing_ = true;
            selection_->setCurrentIndex(layers_->index(current_layer(), 0),
                                        QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
            syncing_ = false;
        }
        request();
    });
    connect(per_layer_, &QRadioButton::toggled, this, [this](bool on) {
        const auto n = on ? ChannelGrid::Normalisation::PerLayer : ChannelGrid::Normalisation::PerChannel;
        grid_->set_normalisation(n);
        filter_grid_->set_normalisation(n);
        selected_filter_->set_normalisation(n);
        matrix_->set_scale(on ? MatrixHeatMap::Scale::WholeMatrix : MatrixHeatMap::Scale::PerRow);
        show_filters();
        update_selection();
        update_legend();
    });
    connect(zoom_, &QSlider::valueChanged, grid_, &ChannelGrid::set_tile_size);
    connect(grid_, &ChannelGrid::tileSizeRequested, zoom_, &QSlider::setValue);
    connect(grid_, &ChannelGrid::channelClicked, this, &FeatureMapsPage::select_channel);
    connect(filter_grid_, &ChannelGrid::channelClicked, this, [this](int tile) {
        // conv0's grid holds in_c slices per filter; a depthwise grid one filter per channel.
        const bool slices = result_ && result_->full.count > 0 && result_->layer.in_c > 0;
        select_channel(slices ? tile / result_->layer.in_c : tile);
    });
    connect(matrix_, &MatrixHeatMap::rowClicked, this, &FeatureMapsPage::select_channel);

    if (layers_) connect(layers_, &QAbstractItemModel::modelReset, this, &FeatureMapsPage::rebuild_layer_list);
    if (selection_) {
        connect(selection_, &QItemSelectionModel::currentRowChanged, this, &FeatureMapsPage::follow_shared_selection);
        connect(selection_, &QItemSelectionModel::selectionChanged, this, &FeatureMapsPage::follow_shared_selection);
    }
    if (controller_) {
        connect(controller_, &InferenceController::featureMapsReady, this, &FeatureMapsPage::show_result);
        // A new image or configuration while visible: its feature maps replace the old ones.
        connect(controller_, &InferenceController::imageClassified, this, [this] { request(); });
        frame_refresh_ = new QTimer(this);
        frame_refresh_->setSingleShot(true);
        frame_refresh_->setInterval(kFrameRefreshMs);
        connect(frame_refresh_, &QTimer::timeout, this, [this] {
            if (!frame_pending_) return;
            frame_pending_ = false;
            request();
            frame_refresh_->start();
        });
        connect(controller_, &InferenceController::frameClassified, this, [this] {
            if (frame_refresh_->isActive()) {
                frame_pending_ = true;  // the newest frame is taken when the interval ends
                return;
            }
            request();
            frame_refresh_->start();
        });
    }
    rebuild_layer_list();
    show_filters();
    update_selection();
    update_legend();
}

int FeatureMapsPage::current_layer() const { return chooser_->currentIndex() < 0 ? -1 : chooser_->currentData().toInt(); }

void FeatureMapsPage::set_current_layer(int layer) {
    const int i = chooser_->findData(layer);
    if (i >= 0) chooser_->setCurrentIndex(i);
}

QString FeatureMapsPage::selection_text() const { return about_selection_->text(); }
QString FeatureMapsPage::status_text() const { return status_->text(); }

void FeatureMapsPage::rebuild_layer_list() {
    const QString previous = chooser_->currentIndex() >= 0 ? chooser_->currentText().section(QChar(0x00B7), 0, 0).trimmed()
                                                           : QString();
    syncing_ = true;
    chooser_->clear();
    int keep = 0;
    if (layers_) {
        for (const mnv1::LayerSpec& l : layers_->layers()) {
            if (!has_feature_maps(l)) continue;
            if (QString::fromStdString(l.name) == previous) keep = chooser_->count();
            chooser_->addItem(layer_title(l), l.index);
        }
    }
    if (chooser_->count() > 0) chooser_->setCurrentIndex(keep);  // conv0 unless the layer still exists
    syncing_ = false;
    request();
}

void FeatureMapsPage::follow_shared_selection() {
    if (syncing_ || !selection_ || !layers_) return;
    const QModelIndex current = selection_->currentIndex();
    if (!current.isValid() || !selection_->isRowSelected(current.row(), current.parent())) return;
    const int i = chooser_->findData(current.row());
    if (i < 0 || i == chooser_->currentIndex()) return;  // pool, fc, softmax: no feature maps to show
    syncing_ = true;
    chooser_->setCurrentIndex(i);
    syncing_ = false;
    grid_->set_selected(-1);
    request();
}

bool FeatureMapsPage::side_by_side() const { return splitter_->orientation() == Qt::Horizontal; }

void FeatureMapsPage::arrange_panels(int page_width) {
    // Stacked, both parts keep a usable height and the page scrolls down instead; the
    // channels take the larger share. Side by side, the panel keeps its comfortable width.
    const bool stacked = page_width < kSideBySideMinPageWidth;
    splitter_->setStretchFactor(1, stacked ? 1 : 0);
    stack_panels(splitter_, stacked, {kStackedMinHeight, kStackedMinHeight}, [](int total, bool vertical) {
        return vertical ? total * 2 / 5 : std::min(kSidePanelWidth, total / 2);
    });
}

void FeatureMapsPage::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    arrange_panels(event->size().width());
}

void FeatureMapsPage::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    shown_ = true;
    request();
}

void FeatureMapsPage::hideEvent(QHideEvent* event) {
    QWidget::hideEvent(event);
    if (!shown_) return;
    shown_ = false;
    // Closed: the worker drops its extractor and the page its copies; nothing stays.
    if (controller_) controller_->release_feature_maps();
    result_.reset();
    grid_->clear();
    input_grid_->clear();
    related_grid_->clear();
    selected_filter_->clear();
    filter_grid_->clear();
    matrix_->clear();
    input_rgb_->clear();
}

void FeatureMapsPage::request() {
    if (!shown_ || !controller_ || current_layer() < 0) return;
    if (!controller_->request_feature_maps(current_layer(), true)) {
        status_->setText(tr("No image yet: open a photo on the Classify tab (File → Open, or drop it on the "
                            "window) or start the camera, and its feature maps appear here."));
    }
}

void FeatureMapsPage::select_channel(int channel) {
    grid_->set_selected(channel);
    show_filters();  // the filters' legend follows the selected channel
    update_selection();
    update_legend();
}

void FeatureMapsPage::show_result(const FeatureMapResult& r) {
    if (!shown_ || r.layer.index != current_layer()) return;
    const int keep_selected = (result_ && result_->layer.index == r.layer.index) ? grid_->selected() : -1;
    result_ = r;
    const mnv1::FeatureMap& a = r.activation;
    grid_->set_tensor(a.height, a.width, a.channels, a.hwc);
    grid_->set_selected(keep_selected);

    if (!r.input.hwc.empty()) {
        const mnv1::FeatureMap& in = r.input;
        input_grid_->set_tensor(in.height, in.width, in.channels, in.hwc);
        const int side = std::min(in.width, 224) < 160 ? 160 : std::min(in.width, 224);
        input_rgb_->setPixmap(QPixmap::fromImage(input_picture(in).scaled(side, side, Qt::KeepAspectRatio,
                                                                             Qt::FastTransformation)));
        const mnv1::ValueRange range = mnv1::value_range(in.hwc);
        input_title_->setText(tr("What the network sees: %1").arg(shape_text(in.height, in.width, in.channels)));
        input_note_->setText(tr("The photo after cropping and resizing to %1 × %1 pixels, each colour value "
                                "scaled to numbers from %2 to %3 (one colour scale for all three). conv0's "
                                "filters read these red, green and blue channels.")
                                 .arg(in.width)
                                 .arg(value_text(range.min), value_text(range.max)));
    }

    const mnv1::LayerSpec& l = r.layer;
    int flat = 0, zero = 0;
    for (const mnv1::ValueRange& cr : r.channelRanges) {
        flat += cr.max == cr.min ? 1 : 0;
        zero += (cr.max == 0 && cr.min == 0) ? 1 : 0;
    }
    QString text = tr("<b>%1</b>: %2 channels, each a %3 × %4 picture. Values from %5 to %6")
                       .arg(QString::fromStdString(l.name))
                       .arg(l.out_c)
                       .arg(l.out_h)
                       .arg(l.out_w)
                       .arg(value_text(r.layerRange.min), value_text(r.layerRange.max));
    text += l.kind == mnv1::LayerKind::FullyConnected ? QStringLiteral(".") : tr(" (ReLU keeps no negatives).");
    if (zero == 1) text += tr(" 1 of them is 0 everywhere for this image (its filter found nothing; drawn dark).");
    if (zero > 1) text += tr(" %1 of them are 0 everywhere for this image (their filters found nothing; drawn dark).").arg(zero);
    if (flat - zero == 1) text += tr(" 1 has the same non-zero value everywhere (drawn dark).");
    if (flat - zero > 1) text += tr(" %1 have the same non-zero value everywhere (drawn dark).").arg(flat - zero);
    if (!r.top.empty()) {
        text += tr(" The network's top guess: <i>%1</i> (%2).")
                    .arg(QString::fromStdString(r.top.front().label).toHtmlEscaped(), format_percent(r.top.front().probability));
    } else if (!r.pretrained) {
        text += tr(" <b>Random weights</b> (no released model for this α): the shapes are real, the patterns mean nothing.");
    }
    text += r.ranForward ? tr(" Extracted in %1 in all: the forward pass of this image took %2 (preprocessing included, on "
                              "the view's own context), copying this layer out and preparing it the rest.")
                               .arg(format_ms(r.extractMs), format_ms(r.forwardMs))
                         : tr(" This layer copied out in %1 from the activations kept from this image's forward pass (%2, "
                              "on the view's own context).")
                               .arg(format_ms(r.extractMs), format_ms(r.forwardMs));
    status_->setText(text);
    show_filters();
    update_selection();
    update_legend();
}

void FeatureMapsPage::update_legend() {
    if (!result_) {
        legend_->set_caption(tr("colour = value (dark low, bright high)"));
        legend_->set_range(0, 1);
        return;
    }
    const int c = grid_->selected();
    if (per_layer_->isChecked()) {
        legend_->set_caption(tr("one scale for all channels"));
        legend_->set_range(result_->layerRange.min, result_->layerRange.max);
    } else if (c >= 0) {
        const auto [lo, hi] = grid_->display_range(c);
        legend_->set_caption(lo == hi ? tr("channel %1: %2 everywhere (nothing to scale)").arg(c).arg(lo)
                                      : tr("channel %1: its own range").arg(c));
        legend_->set_range(lo, hi);
    } else {
        legend_->set_caption(tr("layer's values (tiles: own range)"));
        legend_->set_range(result_->layerRange.min, result_->layerRange.max);
    }
}

void FeatureMapsPage::show_filters() {
    const bool dw = result_ && result_->depthwise.count > 0;
    const bool pw = result_ && result_->pointwise.count > 0;
    const bool full = result_ && result_->full.count > 0 && result_->layer.in_c > 0;
    filter_grid_->setVisible(dw || full);
    matrix_->setVisible(pw);
    filter_legend_->setVisible(dw || pw || full);
    if (!result_) {
        filters_title_->setText(tr("Filters"));
        filters_note_->setText(tr("The weights of the chosen layer appear here."));
        return;
    }
    const mnv1::LayerSpec& l = result_->layer;
    const QString name = QString::fromStdString(l.name);
    if (full) {
        const mnv1::FilterBank& f = result_->full;
        const int in_c = l.in_c;
        std::vector<int> all(static_cast<std::size_t>(f.count));
        std::iota(all.begin(), all.end(), 0);
        const QStringList colours{tr("R"), tr("G"), tr("B")};
        QStringList names;
        for (int t = 0; t < f.count; ++t)
            names << QStringLiteral("%1 %2").arg(t / in_c).arg(in_c == 3 ? colours[t % in_c] : QString::number(t % in_c));
        filter_grid_->set_tile_names(names);
        filter_grid_->set_tensor(f.rows, f.cols, f.count, filters_as_hwc(f, all));
        const mnv1::ValueRange range = mnv1::value_range(f.values);
        const double m = std::max(std::abs(range.min), std::abs(range.max));
        filters_title_->setText(tr("The %1 filters of %2, each 3×3 × %3 input channels").arg(l.out_c).arg(name).arg(in_c));
        filters_note_->setText(tr("Filter <i>n</i> has one 3×3 slice per input channel (R, G, B: three tiles in a row, "
                                  "numbered <i>n</i>). Each slice is multiplied with its colour channel and the three "
                                  "results are added: this first layer mixes colours. Blue weights subtract, red add."));
        filter_legend_->set_caption(per_layer_->isChecked() ? tr("weight (whole layer)") : tr("weight (each slice its own scale)"));
        filter_legend_->set_range(-m, m);
    } else if (dw) {
        const mnv1::FilterBank& f = result_->depthwise;
        filter_grid_->set_tile_names({});
        std::vector<int> all(static_cast<std::size_t>(f.count));
        std::iota(all.begin(), all.end(), 0);
        filter_grid_->set_tensor(f.rows, f.cols, f.count, filters_as_hwc(f, all));
        const mnv1::ValueRange range = mnv1::value_range(f.values);
        const double m = std::max(std::abs(range.min), std::abs(range.max));
        filters_title_->setText(tr("The %1 depthwise filters of %2, %3 × %4 each").arg(f.count).arg(name).arg(f.rows).arg(f.cols));
        filters_note_->setText(tr("Filter <i>c</i> slides over input channel <i>c</i> only and makes output channel "
                                  "<i>c</i>: a depthwise layer never mixes channels. Blue weights subtract, red add "
                                  "(batch normalisation folded in).")
                              + (per_layer_->isChecked() ? QString()
                                                         : tr(" Each filter is drawn on its own scale (its largest "
                                                              "weight darkest); choose \u201cone for the whole layer\u201d "
                                                              "to compare filters.")));
        const int c = grid_->selected();
        if (per_layer_->isChecked() || c < 0 || c >= f.count) {
            filter_legend_->set_caption(per_layer_->isChecked() ? tr("weight (whole layer)")
                                                                : tr("weight (each filter its own scale)"));
            filter_legend_->set_range(-m, m);
        } else {
            const auto [lo, hi] = filter_grid_->display_range(c);
            filter_legend_->set_caption(tr("weight (filter %1)").arg(c));
            filter_legend_->set_range(lo, hi);
        }
    } else if (pw) {
        const mnv1::FilterBank& f = result_->pointwise;
        matrix_->set_matrix(f.rows, f.cols, f.values);
        filters_title_->setText(tr("The 1×1 weights of %1: %2 outputs × %3 inputs").arg(name).arg(f.rows).arg(f.cols));
        const bool per_row = matrix_->scale() == MatrixHeatMap::Scale::PerRow;
        filters_note_->setText(tr("Row <i>n</i> (top to bottom) says how much each input channel (left to right) adds "
                                  "to output channel <i>n</i>: this is where channels mix. Blue subtracts, red adds. "
                                  "Click a row to pick that output channel. ") +
                               (per_row ? tr("Each row is drawn on its own scale (its largest weight darkest).")
                                        : tr("One scale for the whole matrix; the largest 1 % of weights (up to "
                                             "±%1) saturate.")
                                              .arg(value_text(matrix_->max_abs()))));
        const int row = grid_->selected();
        const float limit = matrix_->color_limit(row);
        filter_legend_->set_caption(per_row ? (row >= 0 ? tr("weight (row %1)").arg(row) : tr("weight (each row its own scale)"))
                                            : tr("weight (whole matrix)"));
        filter_legend_->set_range(-limit, limit);
    } else {
        filters_title_->setText(tr("The filters of %1").arg(name));
        filters_note_->setText(tr("%1 is a full 3×3 convolution: each of its %2 filters covers 3 × 3 pixels of all %3 "
                                  "input channels at once. Choose a <b>dw</b> layer to see 3×3 depthwise filters, or a "
                                  "<b>pw</b> layer to see a 1×1 weight matrix.")
                                   .arg(name)
                                   .arg(l.out_c)
                                   .arg(l.in_c));
    }
}

void FeatureMapsPage::update_selection() {
    const int c = grid_->selected();
    filter_grid_->set_selected(-1);
    filter_grid_->set_marked({});
    matrix_->set_highlighted_row(-1);
    if (!result_ || c < 0) {
        selection_title_->setText(tr("Selected channel"));
        about_selection_->setText(result_ ? tr("Click a channel on the left to see which filters and input channels "
                                               "produced it.")
                                          : QString());
        related_grid_->clear();
        related_grid_->hide();
        selected_filter_->hide();
        return;
    }
    const FeatureMapResult& r = *result_;
    const mnv1::LayerSpec& l = r.layer;
    const QString name = QString::fromStdString(l.name);
    const auto [lo, hi] = std::pair<float, float>{r.channelRanges[static_cast<std::size_t>(c)].min,
                                                  r.channelRanges[static_cast<std::size_t>(c)].max};
    // Where the input of this layer came from, in words.
    const QString source = l.index == 0 ? tr("the input")
                                        : (layers_ && l.index - 1 < static_cast<int>(layers_->layers().size())
                                               ? QString::fromStdString(layers_->layers()[static_cast<std::size_t>(l.index - 1)].name)
                                               : tr("the previous layer"));
    selection_title_->setText(tr("Channel %1 of %2 (values %3 to %4)").arg(c).arg(name, value_text(lo), value_text(hi)));
    const mnv1::FeatureMap& prev = r.previous;
    related_grid_->show();
    if (l.kind == mnv1::LayerKind::Depthwise && r.depthwise.count > c && prev.channels > c) {
        const mnv1::FilterBank& f = r.depthwise;
        // One number format for every cell, so the 3×3 reads as a grid.
        const auto cell = [](double v) {
            return (v < 0 ? QStringLiteral("−") : QString()) + QString::number(std::abs(v), 'f', 3);
        };
        QString table = QStringLiteral("<table cellspacing='0' cellpadding='3' style='margin-top:4px'>");
        for (int y = 0; y < f.rows; ++y) {
            table += QStringLiteral("<tr>");
            for (int x = 0; x < f.cols; ++x) table += QStringLiteral("<td align='right'>%1</td>").arg(cell(f.at(c, y, x)));
            table += QStringLiteral("</tr>");
        }
        table += QStringLiteral("</table>");
        about_selection_->setText(tr("Made from one input channel only: channel %1 of %2 (below, right), filtered by "
                                     "%3's own 3×3 filter %1 (below, left, outlined among the filters), plus its bias "
                                     "%4 (the batch normalisation, folded in), then ReLU6 (clipped to 0–6). Its "
                                     "weights:")
                                      .arg(c)
                                      .arg(source, name, cell(f.bias_of(c))) +
                                  table);
        related_grid_->set_tile_names({tr("%1 channel %2").arg(source).arg(c)});
        related_grid_->set_tensor(prev.height, prev.width, 1, pick_channels(prev, {c}));
        selected_filter_->set_tile_names({tr("filter %1").arg(c)});
        selected_filter_->set_tensor(f.rows, f.cols, 1, filters_as_hwc(f, {c}));
        selected_filter_->show();
        filter_grid_->set_selected(c);
    } else if (l.kind == mnv1::LayerKind::Pointwise && r.pointwise.rows > c && prev.channels == r.pointwise.cols) {
        const mnv1::FilterBank& f = r.pointwise;
        std::vector<int> order(static_cast<std::size_t>(f.cols));
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(),
                  [&](int a, int b) { return std::abs(f.at(0, c, a)) > std::abs(f.at(0, c, b)); });
        order.resize(std::min<std::size_t>(order.size(), kStrongestInputs));
        QStringList names, items;
        for (int m : order) {
            names << tr("#%1 × %2").arg(m).arg(signed_text(f.at(0, c, m)));
            items << tr("channel %1 × %2").arg(m).arg(signed_text(f.at(0, c, m)));
        }
        about_selection_->setText(tr("A weighted sum of all %1 channels of %2 (row %3 of the weight matrix below, "
                                     "outlined), plus its bias %5 (the batch normalisation, folded in), then ReLU6. "
                                     "Its strongest inputs: %4. They are shown below with their weights; a negative "
                                     "weight means the output is <i>low</i> where that input is bright.")
                                      .arg(f.cols)
                                      .arg(source)
                                      .arg(c)
                                      .arg(items.join(QStringLiteral(", ")), signed_text(f.bias_of(c))));
        related_grid_->set_tile_names(names);
        related_grid_->set_tensor(prev.height, prev.width, static_cast<int>(order.size()), pick_channels(prev, order));
        selected_filter_->hide();
        matrix_->set_highlighted_row(c);
    } else if (r.full.count > 0 && prev.channels > 0 && r.full.count == l.out_c * prev.channels) {
        const mnv1::FilterBank& f = r.full;
        std::vector<int> slices;
        QStringList names;
        const QStringList colours{tr("red"), tr("green"), tr("blue")};
        for (int i = 0; i < prev.channels; ++i) {
            slices.push_back(c * prev.channels + i);
            names << (prev.channels == 3 ? tr("filter %1 · %2").arg(c).arg(colours[i]) : tr("filter %1 · %2").arg(c).arg(i));
        }
        about_selection_->setText(tr("Made by filter %1 (below, and marked among the filters): one 3×3 slice per colour, "
                                     "each multiplied with its channel of the input above, the three added, then "
                                     "ReLU6. The input values run from -1 to 1, so a red (positive) weight raises the "
                                     "output where its colour is strong and a blue (negative) one where it is weak.")
                                      .arg(c));
        selected_filter_->set_tile_names(names);
        selected_filter_->set_tensor(f.rows, f.cols, static_cast<int>(slices.size()), filters_as_hwc(f, slices));
        selected_filter_->show();
        related_grid_->hide();
        filter_grid_->set_marked(slices);
    } else if (prev.channels > 0) {
        about_selection_->setText(tr("Made by one 3×3×%1 filter slid over all %1 channels of %2 (below: red, green and "
                                     "blue), its products summed, then ReLU6. Every output channel of %3 reads all of them.")
                                      .arg(prev.channels)
                                      .arg(source, name));
        std::vector<int> all(static_cast<std::size_t>(prev.channels));
        std::iota(all.begin(), all.end(), 0);
        related_grid_->set_tile_names(prev.channels == 3 ? QStringList{tr("red"), tr("green"), tr("blue")} : QStringList{});
        related_grid_->set_tensor(prev.height, prev.width, prev.channels, pick_channels(prev, all));
        selected_filter_->hide();
    }
}

}  // namespace studio
