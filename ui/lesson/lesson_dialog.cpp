#include "lesson_dialog.hpp"

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QScrollArea>
#include <QStackedWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

#include "common/display_format.hpp"
#include "controller/inference_controller.hpp"
#include "models/layer_table_model.hpp"
#include "widgets/filter_diagram.hpp"
#include "widgets/image_view.hpp"
#include "worker/image_convert.hpp"

namespace studio {

namespace {

constexpr int kDefaultBlock = 7;
constexpr int kDisplaySide = 480;  // longest side of the pictures shown (pixels)


QString number(double v, int digits = 3) { return QString::number(v, 'g', digits); }

// For the texts: ordinary notation where it reads well, otherwise "7.15 × 10<sup>-7</sup>"
// (students read powers of ten more easily than "7.15e-07"). Rich text.
QString readable(double v) {
    const double a = std::fabs(v);
    if (a == 0) return QStringLiteral("0");
    if (a >= 1e-3 && a < 1e5) return number(v);
    const int exponent = static_cast<int>(std::floor(std::log10(a)));
    const double mantissa = v / std::pow(10.0, exponent);
    return QStringLiteral("%1 × 10<sup>%2</sup>").arg(number(mantissa), QString::number(exponent));
}

// A float picture as 8 bits: signed outputs with 0 at mid-grey (±max at black / white),
// non-negative ones from black (0) to white (max). `max_abs` is the scale.
cv::Mat to_grey8(const cv::Mat& f, bool signed_values, double max_abs) {
    cv::Mat out;
    if (max_abs <= 0) max_abs = 1;
    if (signed_values) {
        f.convertTo(out, CV_8U, 127.0 / max_abs, 128.0);
    } else {
        f.convertTo(out, CV_8U, 255.0 / max_abs);
    }
    return out;
}

// Longest side at most kDisplaySide; averaging (INTER_AREA) for pictures.
cv::Mat shrink_for_display(const cv::Mat& m) {
    const int side = std::max(m.cols, m.rows);
    if (side <= kDisplaySide) return m;
    const double s = static_cast<double>(kDisplaySide) / side;
    cv::Mat out;
    cv::resize(m, out, cv::Size(), s, s, cv::INTER_AREA);
    return out;
}

// The difference picture shrinks by taking the largest value of each block (averaging would
// hide isolated differences): each screen pixel shows the worst pixel under it.
cv::Mat shrink_by_max(const cv::Mat& m) {
    const int side = std::max(m.cols, m.rows);
    const int block = (side + kDisplaySide - 1) / kDisplaySide;
    if (block <= 1) return m;
    cv::Mat out((m.rows + block - 1) / block, (m.cols + block - 1) / block, m.type(), cv::Scalar(0));
    for (int y = 0; y < m.rows; ++y) {
        const float* in = m.ptr<float>(y);
        float* o = out.ptr<float>(y / block);
        for (int x = 0; x < m.cols; ++x) o[x / block] = std::max(o[x / block], in[x]);
    }
    return out;
}

// Runs on the thread pool: pure values in, pure values out (no oneDNN, no widgets).
LessonDialog::SpatialOutcome compute_outcome(const cv::Mat& bgr, const mnv1::NamedKernel& named) {
    LessonDialog::SpatialOutcome out;
    out.kernel_name = QString::fromStdString(named.name);
    cv::Mat grey;
    if (!bgr.empty()) {
        grey = mnv1::luminance01(bgr);
        out.from_image = true;
        out.original_width = grey.cols;
        out.original_height = grey.rows;
        const double pixels = static_cast<double>(grey.cols) * grey.rows;
        if (pixels > LessonDialog::kMaxDemoPixels) {
            const double s = std::sqrt(LessonDialog::kMaxDemoPixels / pixels);
            cv::Mat small;
            cv::resize(grey, small, cv::Size(), s, s, cv::INTER_AREA);
            grey = small;
        }
    } else {
        grey = mnv1::checkerboard(640, 480, 40);
        out.original_width = grey.cols;
        out.original_height = grey.rows;
    }
    out.factors = mnv1::factor_kernel(named.kernel);
    out.separable = named.column.has_value();
    out.column = named.column ? *named.column : out.factors.column;
    out.row = named.row ? *named.row : out.factors.row;
    out.result = mnv1::run_separable_demo(grey, named.kernel, out.column, out.row, LessonDialog::kDemoRepeats);

    const mnv1::SeparableDemoResult& r = out.result;
    double lo = 0, hi = 0;
    cv::minMaxLoc(r.full, &lo, &hi);
    const bool signed_values = lo < 0;
    out.input = mat_to_qimage(shrink_for_display(to_grey8(grey, false, 1.0)));
    out.full = mat_to_qimage(shrink_for_display(to_grey8(r.full, signed_values, r.max_abs_output)));
    out.two_pass = mat_to_qimage(shrink_for_display(to_grey8(r.two_pass, signed_values, r.max_abs_output)));
    cv::Mat diff;
    cv::absdiff(r.full, r.two_pass, diff);
    out.difference_gain = r.max_abs_difference > 0 ? 1.0 / r.max_abs_difference : 0.0;
    out.difference = mat_to_qimage(to_grey8(shrink_by_max(diff), false, r.max_abs_difference));
    // The result's images are no longer needed: only the figures travel on.
    out.result.full.release();
    out.result.two_pass.release();
    return out;
}

// "column ⊗ row = K" as a small table picture (HTML), or K alone with its closest factors.
QString kernel_html(const mnv1::NamedKernel& named, const mnv1::KernelFactors& f) {
    const auto cell = [](float v) { return QStringLiteral("<td align='right'>&nbsp;%1&nbsp;</td>").arg(number(v, 4)); };
    const auto grid = [&](const mnv1::Kernel3x3& k) {
        QString s = QStringLiteral("<table border='1' cellspacing='0' cellpadding='2'>");
        for (int r = 0; r < 3; ++r) {
            s += QStringLiteral("<tr>");
            for (int c = 0; c < 3; ++c) s += cell(k[static_cast<std::size_t>(3 * r + c)]);
            s += QStringLiteral("</tr>");
        }
        return s + QStringLiteral("</table>");
    };
    const auto column = [&](const mnv1::Taps3& t) {
        QString s = QStringLiteral("<table border='1' cellspacing='0' cellpadding='2'>");
        for (float v : t) s += QStringLiteral("<tr>") + cell(v) + QStringLiteral("</tr>");
        return s + QStringLiteral("</table>");
    };
    const auto row = [&](const mnv1::Taps3& t) {
        QString s = QStringLiteral("<table border='1' cellspacing='0' cellpadding='2'><tr>");
        for (float v : t) s += cell(v);
        return s + QStringLiteral("</tr></table>");
    };
    const QString big = QStringLiteral("<td valign='middle' style='font-size:large'>&nbsp;%1&nbsp;</td>");
    QString html = QStringLiteral("<table cellspacing='0'><tr>");
    if (named.column) {
        html += QStringLiteral("<td valign='middle'>%1</td>").arg(column(*named.column)) + big.arg(QStringLiteral("⊗")) +
                QStringLiteral("<td valign='middle'>%1</td>").arg(row(*named.row)) + big.arg(QStringLiteral("=")) +
                QStringLiteral("<td valign='middle'>%1</td>").arg(grid(named.kernel));
        html += QStringLiteral("</tr><tr><td align='center'><small>column<br>(vertical pass)</small></td><td></td>"
                               "<td align='center'><small>row (horizontal pass)</small></td><td></td>"
                               "<td align='center'><small>3×3 kernel</small></td>");
    } else {
        html += QStringLiteral("<td valign='middle'>%1</td>").arg(grid(named.kernel)) + big.arg(QStringLiteral("≈")) +
                QStringLiteral("<td valign='middle'>%1</td>").arg(column(f.column)) + big.arg(QStringLiteral("⊗")) +
                QStringLiteral("<td valign='middle'>%1</td>").arg(row(f.row));
        html += QStringLiteral("</tr><tr><td align='center'><small>3×3 kernel</small></td><td></td>"
                               "<td align='center' colspan='3'><small>closest separable kernel (off by up to %1)"
                               "</small></td>")
                    .arg(number(f.max_residual));
    }
    return html + QStringLiteral("</tr></table>");
}

}  // namespace

LessonDialog::LessonDialog(LayerTableModel* layers, QItemSelectionModel* selection, InferenceController* controller,
                           QWidget* parent)
    : QDialog(parent), layers_(layers), selection_(selection), controller_(controller) {
    setWindowTitle(tr("Depthwise Separable Convolutions — Lesson"));
    setModal(false);
    build_ui();
    watcher_ = new QFutureWatcher<SpatialOutcome>(this);
    connect(watcher_, &QFutureWatcher<SpatialOutcome>::finished, this, [this] {
        if (rerun_pending_) {  // the kernel or the image changed meanwhile: this result is old
            rerun_pending_ = false;
            run_spatial_demo();
            return;
        }
        outcome_ = watcher_->result();
        show_outcome();
        emit spatialDemoFinished();
    });
    if (layers_) {
        connect(layers_, &QAbstractItemModel::modelReset, this, &LessonDialog::refresh);
    }
    if (selection_) {
        connect(selection_, &QItemSelectionModel::selectionChanged, this, &LessonDialog::refresh);
        connect(selection_, &QItemSelectionModel::currentChanged, this, &LessonDialog::refresh);
    }
    if (controller_) {
        // A new still image: the demo follows it when its step is on screen.
        connect(controller_, &InferenceController::imageClassified, this, [this] {
            if (current_step() == SpatialStep && isVisible() && controller_->shown_image().data != demo_image_.data) {
                run_spatial_demo();
            }
        });
    }
    refresh();
    show_step(StandardStep);
}

LessonDialog::~LessonDialog() {
    // A demo still running finishes on the pool on its own copies; nothing here waits for it.
    if (watcher_) watcher_->disconnect(this);
}

// ---------------------------------------------------------------------------------------
// Layout

void LessonDialog::build_ui() {
    const int em = fontMetrics().height();
    auto* outer = new QHBoxLayout(this);
    steps_ = new QListWidget(this);
    steps_->setObjectName(QStringLiteral("lessonSteps"));
    for (int s = 0; s < StepCount; ++s) steps_->addItem(step_title(s));
    steps_->setFixedWidth(em * 14);
    steps_->setSpacing(em / 4);
    steps_->setWordWrap(true);
    outer->addWidget(steps_);

    auto* right = new QVBoxLayout;
    block_note_ = new QLabel(this);
    block_note_->setObjectName(QStringLiteral("lessonBlockNote"));
    block_note_->setWordWrap(true);
    block_note_->setStyleSheet(QStringLiteral("QLabel { background: palette(alternate-base); padding: 6px; }"));
    right->addWidget(block_note_);
    pages_ = new QStackedWidget(this);
    for (int s = 0; s < SpatialStep; ++s) pages_->addWidget(build_text_step(s));
    pages_->addWidget(build_spatial_step());
    right->addWidget(pages_, 1);

    auto* buttons = new QHBoxLayout;
    back_ = new QPushButton(tr("< &Back"), this);
    next_ = new QPushButton(tr("&Next >"), this);
    auto* close = new QPushButton(tr("&Close"), this);
    next_->setDefault(true);
    buttons->addStretch(1);
    buttons->addWidget(back_);
    buttons->addWidget(next_);
    buttons->addSpacing(em);
    buttons->addWidget(close);
    right->addLayout(buttons);
    outer->addLayout(right, 1);

    connect(back_, &QPushButton::clicked, this, [this] { show_step(current_step() - 1); });
    connect(next_, &QPushButton::clicked, this, [this] { show_step(current_step() + 1); });
    connect(close, &QPushButton::clicked, this, &QDialog::close);
    connect(steps_, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row >= 0 && row != pages_->currentIndex()) show_step(row);
    });
    resize(em * 88, em * 56);
}

QWidget* LessonDialog::build_text_step(int step) {
    auto* page = new QWidget(this);
    auto* lay = new QHBoxLayout(page);
    lay->setContentsMargins(0, 0, 0, 0);
    auto* text = new QLabel(page);
    text->setObjectName(QStringLiteral("lessonText%1").arg(step + 1));
    text->setWordWrap(true);
    text->setTextFormat(Qt::RichText);
    text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    text->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    texts_[step] = text;
    auto* scroll = new QScrollArea(page);
    scroll->setWidget(text);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    lay->addWidget(scroll, 2);
    // The filter banks of this block to scale, the step's own bank in colour.
    static constexpr FilterShapeDiagram::Highlight kHighlight[SpatialStep] = {
        FilterShapeDiagram::Highlight::Standard, FilterShapeDiagram::Highlight::Depthwise,
        FilterShapeDiagram::Highlight::Pointwise, FilterShapeDiagram::Highlight::All};
    auto* diagram = new FilterShapeDiagram(page);
    diagram->setObjectName(QStringLiteral("lessonDiagram%1").arg(step + 1));
    diagram->set_highlight(kHighlight[step]);
    diagrams_[step] = diagram;
    auto* diagram_column = new QVBoxLayout;
    diagram_column->addWidget(diagram);
    diagram_column->addStretch(1);
    lay->addLayout(diagram_column, 3);
    return page;
}

QWidget* LessonDialog::build_spatial_step() {
    const int em = fontMetrics().height();
    auto* content = new QWidget;
    auto* lay = new QVBoxLayout(content);
    auto* intro = new QLabel(content);
    intro->setObjectName(QStringLiteral("lessonText5"));
    intro->setWordWrap(true);
    intro->setTextFormat(Qt::RichText);
    texts_[SpatialStep] = intro;
    lay->addWidget(intro);

    // Kernel and its factors on the left, the measured figures on the right.
    auto* middle = new QHBoxLayout;
    auto* kernel_column = new QVBoxLayout;
    auto* chooser_row = new QHBoxLayout;
    chooser_row->addWidget(new QLabel(tr("Kernel:"), content));
    kernel_chooser_ = new QComboBox(content);
    kernel_chooser_->setObjectName(QStringLiteral("lessonKernelChooser"));
    for (const mnv1::NamedKernel& k : mnv1::example_kernels()) {
        kernel_chooser_->addItem(QString::fromStdString(k.name));
        kernel_chooser_->setItemData(kernel_chooser_->count() - 1, QString::fromStdString(k.description), Qt::ToolTipRole);
    }
    chooser_row->addWidget(kernel_chooser_);
    chooser_row->addStretch(1);
    kernel_column->addLayout(chooser_row);
    kernel_view_ = new QLabel(content);
    kernel_view_->setObjectName(QStringLiteral("lessonKernelView"));
    kernel_view_->setTextFormat(Qt::RichText);
    kernel_view_->setWordWrap(true);
    kernel_column->addWidget(kernel_view_);
    rerun_ = new QPushButton(tr("Run again on the image on screen"), content);
    rerun_->setToolTip(tr("Takes the image or video frame shown on the Classify page now and measures again"));
    kernel_column->addWidget(rerun_, 0, Qt::AlignLeft);
    kernel_column->addStretch(1);
    middle->addLayout(kernel_column, 1);
    spatial_figures_ = new QLabel(content);
    spatial_figures_->setObjectName(QStringLiteral("lessonSpatialFigures"));
    spatial_figures_->setWordWrap(true);
    spatial_figures_->setTextFormat(Qt::RichText);
    spatial_figures_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    spatial_figures_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    middle->addWidget(spatial_figures_, 1);
    lay->addLayout(middle);

    // The four pictures side by side, at one height.
    auto* grid = new QGridLayout;
    const auto add_view = [&](int col, const QString& caption, ImageView*& view) {
        auto* label = new QLabel(caption, content);
        label->setWordWrap(true);
        label->setAlignment(Qt::AlignBottom | Qt::AlignLeft);
        view = new ImageView(content);
        view->setMinimumSize(em * 12, em * 15);
        view->setMaximumHeight(em * 18);
        view->set_placeholder(tr("Measuring…"));
        grid->addWidget(label, 0, col);
        grid->addWidget(view, 1, col);
    };
    add_view(0, tr("<b>Input</b> (grey: the image's luminance)"), input_view_);
    add_view(1, tr("<b>One 3×3 pass</b>: 9 multiplications per pixel"), full_view_);
    add_view(2, tr("<b>Two 1-D passes</b>, vertical then horizontal: 3 + 3 = 6 per pixel"), two_pass_view_);
    add_view(3, tr("<b>Difference</b> |3×3 − two passes|, amplified (scale below)"), difference_view_);
    input_view_->setObjectName(QStringLiteral("lessonInputView"));
    full_view_->setObjectName(QStringLiteral("lessonFullView"));
    two_pass_view_->setObjectName(QStringLiteral("lessonTwoPassView"));
    difference_view_->setObjectName(QStringLiteral("lessonDifferenceView"));
    lay->addLayout(grid);

    spatial_result_ = new QLabel(content);
    spatial_result_->setMinimumWidth(em * 30);
    spatial_result_->setObjectName(QStringLiteral("lessonSpatialResult"));
    spatial_result_->setWordWrap(true);
    spatial_result_->setTextFormat(Qt::RichText);
    spatial_result_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    lay->addWidget(spatial_result_);
    lay->addStretch(1);

    connect(kernel_chooser_, &QComboBox::currentIndexChanged, this, [this] {
        update_kernel_view();
        run_spatial_demo();
    });
    connect(rerun_, &QPushButton::clicked, this, &LessonDialog::run_spatial_demo);
    update_kernel_view();

    auto* scroll = new QScrollArea(this);
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    return scroll;
}

// ---------------------------------------------------------------------------------------
// Navigation

QString LessonDialog::step_title(int step) const {
    switch (step) {
    case StandardStep: return tr("1. A standard convolution");
    case DepthwiseStep: return tr("2. Depthwise: one filter per channel");
    case PointwiseStep: return tr("3. Pointwise: 1×1 filters mix channels");
    case TogetherStep: return tr("4. Together: what it saves");
    case SpatialStep: return tr("5. Another factorisation: spatially separable kernels");
    default: return {};
    }
}

void LessonDialog::show_step(int step) {
    step = std::clamp(step, 0, StepCount - 1);
    pages_->setCurrentIndex(step);
    {
        QSignalBlocker block(steps_);
        steps_->setCurrentRow(step);
    }
    update_navigation();
    if (step == SpatialStep) {
        const cv::Mat shown = controller_ ? controller_->shown_image() : cv::Mat();
        if (!outcome_ || shown.data != demo_image_.data) run_spatial_demo();
    }
}

void LessonDialog::show_step_of_selection() {
    const QString name = block_.selected_layer;
    if (block_.from_selection && name.startsWith(QLatin1String("dw"))) {
        show_step(DepthwiseStep);
    } else if (block_.from_selection && name.startsWith(QLatin1String("pw"))) {
        show_step(PointwiseStep);
    } else {
        show_step(StandardStep);
    }
}

int LessonDialog::current_step() const { return pages_->currentIndex(); }

QString LessonDialog::step_text(int step) const {
    if (step < 0 || step >= StepCount) return {};
    return texts_[step]->text();
}

void LessonDialog::update_navigation() {
    const int step = current_step();
    back_->setEnabled(step > 0);
    next_->setEnabled(step + 1 < StepCount);
}

// ---------------------------------------------------------------------------------------
// Steps 1–4: the block's numbers

LessonDialog::Block LessonDialog::find_block() const {
    std::vector<mnv1::LayerSpec> table = layers_ ? layers_->layers() : std::vector<mnv1::LayerSpec>{};
    if (table.empty()) table = mnv1::layer_table(layers_ ? layers_->architecture() : mnv1::ArchConfig{});
    Block b;
    b.number = kDefaultBlock;
    int row = -1;
    if (selection_) {
        const QModelIndexList picked = selection_->selectedIndexes();
        if (!picked.isEmpty()) {
            row = picked.first().row();
        } else if (selection_->currentIndex().isValid()) {
            row = selection_->currentIndex().row();
        }
    }
    if (row >= 0 && row < static_cast<int>(table.size())) {
        const mnv1::LayerSpec& l = table[static_cast<std::size_t>(row)];
        b.selected_layer = QString::fromStdString(l.name);
        if (l.kind == mnv1::LayerKind::Depthwise || l.kind == mnv1::LayerKind::Pointwise) {
            b.number = b.selected_layer.mid(2).toInt();
            b.from_selection = b.number >= 1;
            if (!b.from_selection) b.number = kDefaultBlock;
        }
    }
    const std::string dw_name = "dw" + std::to_string(b.number), pw_name = "pw" + std::to_string(b.number);
    for (const mnv1::LayerSpec& l : table) {
        if (l.name == dw_name) {
            b.dk = l.kernel;
            b.m = l.in_c;
            b.df = l.out_h;
            b.in_side = l.in_h;
            b.stride = l.stride;
            b.depthwise_macs = l.macs;
        } else if (l.name == pw_name) {
            b.n = l.out_c;
            b.pointwise_macs = l.macs;
        }
    }
    b.costs = mnv1::compare_conv_costs(b.dk, b.m, b.n, b.df);
    return b;
}

void LessonDialog::refresh() {
    block_ = find_block();
    const mnv1::ArchConfig cfg = layers_ ? layers_->architecture() : mnv1::ArchConfig{};
    const QString config = config_name(cfg.alpha, cfg.resolution);
    const QString layers = QStringLiteral("dw%1 + pw%1").arg(block_.number);
    if (block_.from_selection) {
        block_note_->setText(tr("Numbers for <b>block %1</b> (layers %2), the layer %3 selected on the Layers page, "
                                "in MobileNet %4.")
                                 .arg(block_.number)
                                 .arg(layers, block_.selected_layer, config));
    } else if (!block_.selected_layer.isEmpty()) {
        block_note_->setText(tr("You selected <b>%1</b>, which is not part of a depthwise separable block; the numbers "
                                "are those of <b>block %2</b> (layers %3) of MobileNet %4. Select a dw or pw row on "
                                "the Layers page to see its block.")
                                 .arg(block_.selected_layer)
                                 .arg(block_.number)
                                 .arg(layers, config));
    } else {
        block_note_->setText(tr("Numbers for <b>block %1</b> (layers %2) of MobileNet %3, a block from the middle of the "
                                "network. Select a dw or pw row on the Layers page to follow another block.")
                                 .arg(block_.number)
                                 .arg(layers, config));
    }
    for (FilterShapeDiagram* d : diagrams_) d->set_shapes(block_.dk, block_.m, block_.n, block_.df);
    texts_[StandardStep]->setText(standard_text());
    texts_[DepthwiseStep]->setText(depthwise_text());
    texts_[PointwiseStep]->setText(pointwise_text());
    texts_[TogetherStep]->setText(together_text());
    texts_[SpatialStep]->setText(spatial_intro_text());
    if (outcome_) spatial_result_->setText(spatial_explanation_text());
}

QString LessonDialog::standard_text() const {
    const Block& b = block_;
    const std::int64_t per_filter = std::int64_t{b.dk} * b.dk * b.m;
    const std::int64_t positions = std::int64_t{b.df} * b.df;
    const std::int64_t macs = b.costs.standard_macs;
    QString stride_note;
    if (b.stride > 1) {
        stride_note = tr(" (This block has stride %1: the filters move %1 pixels at a time, so the %2×%2 input gives a "
                         "%3×%3 output. D<sub>F</sub> is the output's side.)")
                          .arg(b.stride)
                          .arg(b.in_side)
                          .arg(b.df);
    }
    return tr("<h3>1. A standard convolution</h3>"
              "<p>This block takes a feature map of %1×%1 pixels with <b>M = %2 channels</b> and must produce "
              "<b>N = %3 channels</b> of D<sub>F</sub>×D<sub>F</sub> = %4×%4 pixels.%5</p>"
              "<p>A standard convolution does that with N = %3 <b>filters</b>. One filter is a block of "
              "D<sub>K</sub>×D<sub>K</sub>×M = %6×%6×%2 = <b>%7 weights</b>: it looks at a %6×%6 patch of "
              "<i>every</i> input channel at once, multiplies each of the %7 numbers under it by its weight and adds "
              "them up into one output number.</p>"
              "<p>It does that at each of the D<sub>F</sub>×D<sub>F</sub> = %8 output positions, for each of the "
              "N = %3 filters:</p>"
              "<p style='margin-left:2em'>D<sub>K</sub>·D<sub>K</sub>·M·N·D<sub>F</sub>·D<sub>F</sub> = "
              "%6·%6·%2·%3·%4·%4 = <b>%9 mult-adds</b> (%10), with D<sub>K</sub>·D<sub>K</sub>·M·N = %11 weights.</p>"
              "<p>Each filter does two jobs at once: it <b>filters in space</b> (the %6×%6 patch) and it <b>combines "
              "channels</b> (all %2 of them into one). A depthwise separable convolution does the two jobs one after "
              "the other — next step.</p>")
        .arg(b.in_side)
        .arg(b.m)
        .arg(b.n)
        .arg(b.df)
        .arg(stride_note)
        .arg(b.dk)
        .arg(format_exact_count(per_filter))
        .arg(format_exact_count(positions))
        .arg(format_exact_count(macs))
        .arg(format_count(macs))
        .arg(format_exact_count(b.costs.standard_params));
}

QString LessonDialog::depthwise_text() const {
    const Block& b = block_;
    const std::int64_t macs = b.costs.depthwise_macs;
    return tr("<h3>2. Depthwise: one small filter per channel</h3>"
              "<p>The first job, <b>filtering in space</b>, is done by a <b>depthwise convolution</b>: one "
              "D<sub>K</sub>×D<sub>K</sub> = %1×%1 filter for each input channel, so M = %2 filters of %3 weights. "
              "Each filter sees <i>only its own channel</i>: channel 5's filter never looks at channel 6.</p>"
              "<p>At each of the %4×%4 output positions each filter does %3 multiplications:</p>"
              "<p style='margin-left:2em'>D<sub>K</sub>·D<sub>K</sub>·M·D<sub>F</sub>·D<sub>F</sub> = %1·%1·%2·%4·%4 = "
              "<b>%5 mult-adds</b>, with D<sub>K</sub>·D<sub>K</sub>·M = %6 weights.</p>"
              "<p>The output still has M = %2 channels, each a filtered version of one input channel: nothing has "
              "been mixed yet. This is layer <b>dw%7</b> in the Layers table, which counts %8 mult-adds for it.</p>")
        .arg(b.dk)
        .arg(b.m)
        .arg(b.dk * b.dk)
        .arg(b.df)
        .arg(format_exact_count(macs))
        .arg(format_exact_count(b.costs.depthwise_params))
        .arg(b.number)
        .arg(format_exact_count(b.depthwise_macs));
}

QString LessonDialog::pointwise_text() const {
    const Block& b = block_;
    const std::int64_t macs = b.costs.pointwise_macs;
    return tr("<h3>3. Pointwise: 1×1 filters mix the channels</h3>"
              "<p>The second job, <b>combining channels</b>, is done by a <b>pointwise (1×1) convolution</b>: "
              "N = %1 filters of 1×1×M = 1×1×%2 weights. Each looks at one single pixel, through all %2 channels the "
              "depthwise step made, and adds them up with its own weights into one new channel.</p>"
              "<p>At each of the %3×%3 positions each of the N filters does M = %2 multiplications:</p>"
              "<p style='margin-left:2em'>M·N·D<sub>F</sub>·D<sub>F</sub> = %2·%1·%3·%3 = <b>%4 mult-adds</b>, with "
              "M·N = %5 weights.</p>"
              "<p>This is layer <b>pw%6</b> in the Layers table, which counts %7 mult-adds for it. The output has the "
              "N = %1 channels the standard convolution would have made, from the same %8×%8 input patches.</p>")
        .arg(b.n)
        .arg(b.m)
        .arg(b.df)
        .arg(format_exact_count(macs))
        .arg(format_exact_count(b.costs.pointwise_params))
        .arg(b.number)
        .arg(format_exact_count(b.pointwise_macs))
        .arg(b.dk);
}

QString LessonDialog::together_text() const {
    const Block& b = block_;
    const std::int64_t standard = b.costs.standard_macs;
    const std::int64_t dw = b.costs.depthwise_macs;
    const std::int64_t pw = b.costs.pointwise_macs;
    const double ratio = b.costs.ratio;
    const double inv_n = 1.0 / b.n, inv_dk2 = 1.0 / (b.dk * b.dk);

    // The whole network both ways: summarize(layer_table(cfg)) with and without standard_conv.
    const mnv1::ArchConfig cfg = layers_ ? layers_->architecture() : mnv1::ArchConfig{};
    const mnv1::NetworkCostComparison network = mnv1::compare_network_costs(cfg);
    const mnv1::CostSummary& separable = network.separable;
    const mnv1::CostSummary& full = network.standard;
    const double mac_factor = network.macs_ratio;
    const double param_factor = network.params_ratio;

    return tr("<h3>4. Together: what the factorisation saves</h3>"
              "<p>Depthwise + pointwise = %1 + %2 = <b>%3 mult-adds</b>, where the standard convolution needs "
              "<b>%4</b>: %5 % of the cost, <b>%6× fewer</b>.</p>"
              "<p>The paper writes the ratio as</p>"
              "<p style='margin-left:2em'>(D<sub>K</sub>·D<sub>K</sub>·M·D<sub>F</sub>·D<sub>F</sub> + "
              "M·N·D<sub>F</sub>·D<sub>F</sub>) / (D<sub>K</sub>·D<sub>K</sub>·M·N·D<sub>F</sub>·D<sub>F</sub>) = "
              "1/N + 1/D<sub>K</sub>² = 1/%7 + 1/%8 = %9 + %10 = <b>%11</b></p>"
              "<p>The 1/N part is the depthwise step, the 1/D<sub>K</sub>² part the pointwise one. With %12×%12 "
              "filters the saving approaches %8× when N is large; it is smaller in early blocks with few "
              "channels.</p>"
              "<h4>The whole network, MobileNet %13 (%14 classes)</h4>"
              "<table cellpadding='3'>"
              "<tr><th></th><th align='right'>mult-adds</th><th align='right'>parameters</th></tr>"
              "<tr><td>depthwise separable (MobileNet)</td><td align='right'>%15</td><td align='right'>%16</td></tr>"
              "<tr><td>standard 3×3 convolutions instead</td><td align='right'>%17</td><td align='right'>%18</td></tr>"
              "<tr><td>factor</td><td align='right'><b>%19×</b></td><td align='right'><b>%20×</b></td></tr>"
              "</table>"
              "<p>%21 The paper's Table 4 makes this comparison on ImageNet: the separable network loses only about "
              "one point of accuracy.</p>")
        .arg(format_exact_count(dw), format_exact_count(pw), format_exact_count(dw + pw), format_exact_count(standard))
        .arg(100.0 * ratio, 0, 'f', 1)
        .arg(b.costs.speedup(), 0, 'f', 1)
        .arg(b.n)
        .arg(b.dk * b.dk)
        .arg(inv_n, 0, 'f', 4)
        .arg(inv_dk2, 0, 'f', 4)
        .arg(b.costs.formula_ratio, 0, 'f', 4)
        .arg(b.dk)
        .arg(config_name(cfg.alpha, cfg.resolution))
        .arg(cfg.num_classes)
        .arg(format_count(separable.macs), format_count(separable.params), format_count(full.macs),
             format_count(full.params))
        .arg(mac_factor, 0, 'f', 1)
        .arg(param_factor, 0, 'f', 1)
        .arg(mac_factor < b.costs.speedup()
                 ? tr("Over the whole network the factor is below this block's: the first layer and the classifier are "
                      "the same in both, and the early blocks, with few channels, save less.")
                 : tr("Over the whole network the factor is above this block's: with only N = %1 output channels, "
                      "this block saves less than the later, wider ones.")
                       .arg(b.n));
}

QString LessonDialog::spatial_intro_text() const {
    return tr("<h3>5. Another factorisation: spatially separable kernels</h3>"
              "<p>Some 3×3 kernels are the <b>outer product</b> of a vertical and a horizontal 3-tap kernel: "
              "K[r][c] = column[r] × row[c]. Then filtering with K in one pass (9 multiplications per pixel) gives "
              "the same result as filtering the columns first and the rows second (3 + 3 = 6 per pixel). Below, both "
              "run on the image on screen, as plain loops that count every multiplication, with the same border rule "
              "(edge pixels repeated).</p>");
}

// ---------------------------------------------------------------------------------------
// Step 5: the spatially separable demo

void LessonDialog::update_kernel_view() {
    const int k = std::max(kernel_chooser_->currentIndex(), 0);
    const mnv1::NamedKernel& named = mnv1::example_kernels()[static_cast<std::size_t>(k)];
    kernel_view_->setText(QStringLiteral("<p>%1</p>").arg(QString::fromStdString(named.description).toHtmlEscaped()) +
                          kernel_html(named, mnv1::factor_kernel(named.kernel)));
}

void LessonDialog::run_spatial_demo() {
    if (watcher_->isRunning()) {
        rerun_pending_ = true;
        return;
    }
    const int k = std::max(kernel_chooser_->currentIndex(), 0);
    const mnv1::NamedKernel named = mnv1::example_kernels()[static_cast<std::size_t>(k)];
    cv::Mat shown = controller_ ? controller_->shown_image() : cv::Mat();
    demo_image_ = shown;
    // The controller replaces its image rather than writing into it, but a copy costs little
    // and keeps the pool's task independent of it.
    const cv::Mat image = shown.clone();
    for (ImageView* v : {input_view_, full_view_, two_pass_view_, difference_view_}) {
        if (v->image().isNull()) v->set_placeholder(tr("Measuring…"));
    }
    spatial_figures_->setText(tr("<p><i>Measuring %1 runs of each…</i></p>").arg(kDemoRepeats));
    spatial_result_->clear();
    watcher_->setFuture(QtConcurrent::run([image, named] { return compute_outcome(image, named); }));
}

bool LessonDialog::spatial_demo_running() const { return watcher_->isRunning(); }

void LessonDialog::show_outcome() {
    if (!outcome_) return;
    input_view_->set_image(outcome_->input);
    full_view_->set_image(outcome_->full);
    two_pass_view_->set_image(outcome_->two_pass);
    difference_view_->set_image(outcome_->difference);
    spatial_figures_->setText(spatial_figures_text());
    spatial_result_->setText(spatial_explanation_text());
}

QString LessonDialog::spatial_result_text() const { return spatial_figures_text() + spatial_explanation_text(); }

QString LessonDialog::spatial_figures_text() const {
    if (!outcome_) return {};
    const SpatialOutcome& o = *outcome_;
    const mnv1::SeparableDemoResult& r = o.result;
    const std::int64_t pixels = std::int64_t{r.width} * r.height;
    const auto per_pixel = [pixels](std::int64_t n) { return pixels > 0 ? static_cast<double>(n) / pixels : 0.0; };
    QString html;
    if (o.from_image) {
        html += tr("<p><b>On the image on screen</b>, in grey: %1 × %2 = %3 pixels%4.</p>")
                    .arg(r.width)
                    .arg(r.height)
                    .arg(format_exact_count(pixels))
                    .arg(r.width != o.original_width
                             ? tr(" (shrunk from %1 × %2 to stay under %3 pixels)")
                                   .arg(o.original_width)
                                   .arg(o.original_height)
                                   .arg(format_exact_count(kMaxDemoPixels))
                             : QString());
    } else {
        html += tr("<p><b>No image is shown yet</b>, so this runs on a built-in checkerboard of %1 × %2 pixels. Open a "
                   "photo on the Classify page (File → Open Images…, or drop one on the window), then press "
                   "<i>Run again on the image on screen</i>.</p>")
                    .arg(r.width)
                    .arg(r.height);
    }
    html += tr("<table cellpadding='3'>"
               "<tr><th></th><th align='right'>one 3×3 pass</th><th align='right'>two 1-D passes</th></tr>"
               "<tr><td>multiplications (counted)</td><td align='right'>%1</td><td align='right'>%2</td></tr>"
               "<tr><td>per pixel</td><td align='right'><b>%3</b></td><td align='right'><b>%4</b></td></tr>"
               "<tr><td>median time of %5 runs</td><td align='right'>%6</td><td align='right'>%7</td></tr>"
               "<tr><td>largest difference</td><td colspan='2' align='center'><b>%8</b> (mean %9)</td></tr>"
               "</table>")
                .arg(format_exact_count(r.full_multiplications), format_exact_count(r.two_pass_multiplications))
                .arg(per_pixel(r.full_multiplications), 0, 'g', 4)
                .arg(per_pixel(r.two_pass_multiplications), 0, 'g', 4)
                .arg(r.repeats)
                .arg(format_ms(r.full_ms), format_ms(r.two_pass_ms), readable(r.max_abs_difference),
                     readable(r.mean_abs_difference));
    return html;
}

QString LessonDialog::spatial_explanation_text() const {
    if (!outcome_) return {};
    const SpatialOutcome& o = *outcome_;
    const mnv1::SeparableDemoResult& r = o.result;
    QString html;
    const QString scale =
        r.max_abs_difference > 0
            ? tr("In the difference picture black is 0 and white is %1: it is amplified %2 times compared with the "
                 "outputs%3.")
                  .arg(readable(r.max_abs_difference))
                  .arg(readable(r.max_abs_output / r.max_abs_difference))
                  .arg(r.max_abs_output > 100 * r.max_abs_difference ? tr(", or it would look all black") : QString())
            : tr("The difference picture is black: not a single pixel differs.");
    if (o.separable && r.max_abs_difference == 0) {
        html += tr("<p>The two outputs are <b>identical, to the last bit</b>, on outputs as large as %1: with these "
                   "pixel values every product and sum is exact in float, so not even rounding differs. <b>The same "
                   "picture with a third fewer multiplications</b>. %2</p>")
                    .arg(number(r.max_abs_output), scale);
    }
    if (o.separable) {
        if (r.max_abs_difference > 0) {
            html += tr("<p>The two outputs differ by at most <b>%1</b> (mean %2), on outputs as large as %3. That is "
                       "float rounding — the same products added in another order — and below the %4 that rounding can "
                       "explain for this kernel: <b>the same picture with a third fewer multiplications</b>. %5</p>")
                        .arg(readable(r.max_abs_difference), readable(r.mean_abs_difference), number(r.max_abs_output),
                             readable(r.difference_bound), scale);
        }
        const double speedup = r.two_pass_ms > 0 ? r.full_ms / r.two_pass_ms : 0;
        if (speedup > 1.65) {
            html += tr("<p>Time: the two passes are %1× faster here, more than the 9/6 = 1.5× the count promises: "
                       "the loops differ in more than their multiplications (memory access, vector instructions), "
                       "and the clock sees all of it.</p>")
                        .arg(speedup, 0, 'f', 2);
        } else if (speedup >= 1.35) {
            html += tr("<p>Time: the two passes are %1× faster here, close to the 9/6 = 1.5× the count promises.</p>")
                        .arg(speedup, 0, 'f', 2);
        } else if (speedup >= 1.0) {
            html += tr("<p>Time: the two passes are only %1× faster here, less than the 9/6 = 1.5× the count promises: "
                       "they also write and read an intermediate image, and time goes to memory traffic and loop "
                       "overhead as well as to multiplications.</p>")
                        .arg(speedup, 0, 'f', 2);
        } else {
            html += tr("<p>Time: here the two passes are <i>slower</i> (%1×), although they multiply less: they write "
                       "and read an intermediate image, and on this machine that memory traffic costs more than the "
                       "three multiplications saved. Counting operations is not the same as measuring time.</p>")
                        .arg(speedup, 0, 'f', 2);
        }
    } else {
        html += tr("<p>This kernel is <b>not</b> an outer product: its singular values are %1, %2 and %3, and a "
                   "separable kernel has only one that is not zero. The two passes therefore use its closest separable "
                   "kernel (shown above), which is another filter: the outputs differ by up to <b>%4</b> (mean %5) on "
                   "outputs as large as %6. The 6-multiplication trick only works for kernels that factor. %7</p>")
                    .arg(number(o.factors.singular[0]), number(o.factors.singular[1]), number(o.factors.singular[2]),
                         readable(r.max_abs_difference), readable(r.mean_abs_difference), number(r.max_abs_output), scale);
    }

    const Block& b = block_;
    const std::int64_t standard = b.costs.standard_macs;
    const std::int64_t separable = b.costs.separable_macs;
    html += tr("<p><b>Why MobileNet factorises across channels instead.</b> Splitting a 3×3 kernel in space saves at most "
               "9 → 6 multiplications (1.5×), and only for kernels that are outer products — the filters a network "
               "learns usually are not. It also leaves the expensive part alone: in block %1, a standard convolution "
               "combines all M = %2 input channels for each of the N = %3 outputs. The depthwise + pointwise split "
               "attacks exactly that: %4 instead of %5 mult-adds, <b>%6× fewer</b> (steps 2–4).</p>")
                .arg(b.number)
                .arg(b.m)
                .arg(b.n)
                .arg(format_exact_count(separable), format_exact_count(standard))
                .arg(separable > 0 ? static_cast<double>(standard) / separable : 0.0, 0, 'f', 1);
    return html;
}

}  // namespace studio
