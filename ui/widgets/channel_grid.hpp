// Widgets that show tensors as pictures (the Feature maps tab):
//  - ChannelGrid: the channels of an height x width x channels tensor (HWC floats) as a
//    grid of small images with their numbers; a colour map, per-channel or whole-tensor
//    normalisation, zoom (tile size; Ctrl+wheel), one selected channel and a few marked ones.
//  - MatrixHeatMap: a rows x cols matrix (a 1x1 convolution's weights) as one image with a
//    diverging colour map; one highlighted row; hover tells the value.
//  - ColorLegend: the colour map as a bar with the value range written at its ends.
// Each copies the numbers it is given. Threading: GUI thread.
#pragma once

#include <QColor>
#include <QImage>
#include <QWidget>

#include <vector>

namespace studio {

enum class ColorMap {
    Sequential,  // dark blue (low) -> green -> yellow (high), like viridis: activations
    Diverging,   // blue (negative) -> white (0) -> red (positive): weights
};
// Colour of t in [0, 1] (clamped); for Diverging, 0.5 is zero.
QRgb color_of(ColorMap map, double t);

class ColorLegend : public QWidget {
    Q_OBJECT
public:
    explicit ColorLegend(QWidget* parent = nullptr);
    void set_map(ColorMap map);
    // The values at the bar's left and right ends, and a caption written above it.
    void set_range(double low, double high);
    void set_caption(const QString& caption);
    double low() const { return low_; }
    double high() const { return high_; }
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

    int caption_lines() const;  // 1, or 2 when the caption is wider than the widget

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    ColorMap map_ = ColorMap::Sequential;
    double low_ = 0, high_ = 1;
    QString caption_;
    int laid_out_lines_ = 1;
};

class ChannelGrid : public QWidget {
    Q_OBJECT
public:
    enum class Normalisation {
        PerChannel,  // each channel from its own minimum (darkest) to its own maximum (brightest)
        PerLayer,    // one scale for the whole tensor: channels can be compared
    };

    explicit ChannelGrid(QWidget* parent = nullptr);

    // Shows `hwc` (height * width * channels floats, channel fastest). Clears the selection
    // when the channel count changes.
    void set_tensor(int height, int width, int channels, const std::vector<float>& hwc);
    void clear();
    int channel_count() const { return channels_; }
    int tensor_height() const { return height_; }
    int tensor_width() const { return width_; }

    void set_color_map(ColorMap map);
    ColorMap color_map() const { return map_; }
    void set_normalisation(Normalisation n);
    Normalisation normalisation() const { return normalisation_; }
    // Ranges symmetric around zero (max |v|), for signed values such as weights.
    void set_symmetric(bool symmetric);

    // Side of one tile in pixels (the tensor's longer side is drawn this long).
    void set_tile_size(int pixels);
    int tile_size() const { return tile_; }
    static constexpr int kMinTile = 16, kMaxTile = 320;
    // Text in front of each tile's number ("R", "filter "...); the numbers stay the channel indices.
    void set_label_prefix(const QString& prefix);
    // Names for the tiles instead of numbers (e.g. "R", "G", "B"); empty: numbers.
    void set_tile_names(const QStringList& names);

    void set_selected(int channel);  // -1: none
    int selected() const { return selected_; }
    // Channels drawn with a thinner outline (e.g. the strongest inputs of a selected output).
    void set_marked(const std::vector<int>& channels);
    const std::vector<int>& marked() const { return marked_; }

    // The value range that maps to the colour map's ends for channel c.
    std::pair<float, float> display_range(int channel) const;
    // Channel c drawn with the current colour map and normalisation, at tensor resolution.
    QImage channel_image(int channel) const;
    // Channel under a point of this widget, or -1.
    int channel_at(const QPoint& pos) const;
    // Where tile c is drawn (widget coordinates).
    QRect tile_rect(int channel) const;

    QSize sizeHint() const override;

signals:
    void channelClicked(int channel);
    // Ctrl+wheel: the tile size the user asks for (the owner decides; set_tile_size applies it).
    void tileSizeRequested(int pixels);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void rebuild_images();
    void relayout();
    QSize tile_pixels() const;  // the tile's drawn size (aspect kept)
    int columns() const;
    int cell_height() const;
    QString tile_label(int channel) const;

    int height_ = 0, width_ = 0, channels_ = 0;
    std::vector<float> hwc_;
    std::vector<std::pair<float, float>> channel_range_;
    float min_ = 0, max_ = 0;
    std::vector<QImage> images_;
    ColorMap map_ = ColorMap::Sequential;
    Normalisation normalisation_ = Normalisation::PerChannel;
    bool symmetric_ = false;
    int tile_ = 64;
    QString prefix_;
    QStringList names_;
    int selected_ = -1;
    std::vector<int> marked_;
};

class MatrixHeatMap : public QWidget {
    Q_OBJECT
public:
    enum class Scale {
        // One symmetric range for the whole matrix, +-the 99th percentile of |v|: a few
        // outliers would otherwise wash every other weight out to white (they saturate).
        WholeMatrix,
        PerRow,  // each row +-its own max |v|: every output's pattern visible
    };
    explicit MatrixHeatMap(QWidget* parent = nullptr);
    // rows x cols floats, row-major.
    void set_matrix(int rows, int cols, const std::vector<float>& values);
    void set_scale(Scale scale);
    Scale scale() const { return scale_; }
    void clear();
    int rows() const { return rows_; }
    int cols() const { return cols_; }
    float max_abs() const { return max_abs_; }
    // WholeMatrix: |v| at and beyond which the colour is full; PerRow: row `row`'s max |v|.
    float color_limit(int row = -1) const;
    void set_highlighted_row(int row);  // -1: none
    int highlighted_row() const { return row_; }
    const QImage& image() const { return image_; }
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void rowClicked(int row);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;

private:
    QRectF target() const;
    QPoint cell_at(const QPointF& pos) const;  // (col, row) or (-1, -1)

    int rows_ = 0, cols_ = 0;
    std::vector<float> values_;
    void rebuild_image();
    float max_abs_ = 0, percentile_ = 0;
    std::vector<float> row_max_;
    Scale scale_ = Scale::WholeMatrix;
    QImage image_;
    int row_ = -1;
};

}  // namespace studio
