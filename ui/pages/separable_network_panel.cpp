#include "separable_network_panel.hpp"

#include <QGridLayout>
#include <QLabel>
#include <QPushButton>
#include <QTextDocument>
#include <QVBoxLayout>

#include <cmath>

#include "common/display_format.hpp"
#include "controller/inference_controller.hpp"
#include "mobilenet/roofline.hpp"
#include "models/layer_table_model.hpp"

namespace studio {

namespace {

// The paper's Table 4 (Howard et al. 2017), quoted as published: 1.0 MobileNet-224.
constexpr double kPaperConvMacsM = 4866, kPaperConvParamsM = 29.3, kPaperConvTop1 = 71.7;
constexpr double kPaperSepMacsM = 569, kPaperSepParamsM = 4.2, kPaperSepTop1 = 70.6;

enum Row { Heading, MacsRow, ParamsRow, PublishedRow, LatencyRow, GflopsRow, RowCount };
enum Column { LabelCol, StandardCol, SeparableCol, RatioCol, ColumnCount };

// FLOPs per byte of all the layers of one kind together (compulsory traffic, batch 1).
double kind_intensity(const std::vector<mnv1::LayerSpec>& layers, mnv1::LayerKind kind, bool skip_first) {
    double flops = 0, bytes = 0;
    for (const mnv1::LayerSpec& l : layers) {
        if (l.kind != kind || (skip_first && l.index == 0)) continue;
        flops += mnv1::kFlopsPerMac * static_cast<double>(l.macs);
        bytes += static_cast<double>(mnv1::layer_bytes(l, 1));
    }
    return bytes > 0 ? flops / bytes : 0;
}

QString ratio_text(double r) { return QStringLiteral("%1×").arg(r, 0, 'f', 1); }

QString latency_text(const mnv1::LatencyStats& s) {
    return QStringLiteral("%1\n%2 to %3").arg(format_ms(s.median_ms), format_ms(s.p10_ms), format_ms(s.p90_ms));
}

}  // namespace

SeparableNetworkPanel::SeparableNetworkPanel(InferenceController* controller, LayerTableModel* layers, QWidget* parent)
    : QWidget(parent), controller_(controller), layers_(layers) {
    heading_ = new QLabel;
    heading_->setWordWrap(true);

    grid_ = new QGridLayout;
    grid_->setHorizontalSpacing(14);
    grid_->setVerticalSpacing(6);
    for (int r = 0; r < RowCount; ++r) {
        for (int c = 0; c < ColumnCount; ++c) {
            auto* label = new QLabel;
            label->setWordWrap(r == Heading);
            label->setTextInteractionFlags(Qt::TextSelectableByMouse);
            if (r == Heading || c == LabelCol) {
                QFont f = label->font();
                f.setBold(true);
                label->setFont(f);
            }
            const Qt::Alignment align = c == LabelCol ? Qt::AlignLeft | Qt::AlignVCenter : Qt::AlignRight | Qt::AlignVCenter;
            label->setAlignment(align);  // the lines of a two-line cell too, not only the cell
            grid_->addWidget(label, r, c, align);
        }
    }
    grid_->setColumnStretch(LabelCol, 3);
    for (int c = StandardCol; c < ColumnCount; ++c) grid_->setColumnStretch(c, 2);
    cell(Heading, StandardCol)->setText(tr("Full 3×3 convs"));
    cell(Heading, SeparableCol)->setText(tr("Separable"));
    cell(Heading, RatioCol)->setText(tr("Full ÷ separable"));
    cell(MacsRow, LabelCol)->setText(tr("Mult-adds"));
    cell(ParamsRow, LabelCol)->setText(tr("Parameters"));
    cell(PublishedRow, LabelCol)->setText(tr("Published (1.0-224)"));
    cell(LatencyRow, LabelCol)->setText(tr("Latency here"));
    cell(GflopsRow, LabelCol)->setText(tr("GFLOP/s reached"));
    cell(PublishedRow, StandardCol)
        ->setText(tr("%1 M, %2 M\n%3 % top-1").arg(kPaperConvMacsM).arg(kPaperConvParamsM).arg(kPaperConvTop1));
    cell(PublishedRow, SeparableCol)
        ->setText(tr("%1 M, %2 M\n%3 % top-1").arg(kPaperSepMacsM).arg(kPaperSepParamsM).arg(kPaperSepTop1));
    cell(PublishedRow, RatioCol)->setText(ratio_text(kPaperConvMacsM / kPaperSepMacsM));

    auto* notes = new QLabel(tr("Mult-adds and parameters are computed from the two layer tables for this "
                                "configuration. Published: the paper's Table 4 for 1.0-224 (mult-adds, parameters, "
                                "ImageNet top-1), quoted for reference. Latency: median of the timed passes, and "
                                "under it the 10th to 90th percentile. GFLOP/s: 2 × mult-adds ÷ median time."));
    notes->setWordWrap(true);
    QFont small = notes->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    notes->setFont(small);

    measure_ = new QPushButton(tr("Measure both"));
    measure_->setToolTip(tr("Time both networks on this machine, in alternating rounds (a few seconds; "
                            "live classification waits meanwhile)"));
    connect(measure_, &QPushButton::clicked, this, &SeparableNetworkPanel::measure);
    status_ = new QLabel;
    status_->setWordWrap(true);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(measure_);
    buttons->addWidget(status_, 1);

    explanation_ = new QLabel;
    explanation_->setWordWrap(true);
    explanation_->setTextFormat(Qt::RichText);
    explanation_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(heading_);
    layout->addLayout(grid_);
    layout->addWidget(notes);
    layout->addLayout(buttons);
    layout->addWidget(explanation_);
    layout->addStretch(1);

    connect(layers_, &QAbstractItemModel::modelReset, this, &SeparableNetworkPanel::on_configuration);
    connect(controller_, &InferenceController::standardConvMeasured, this, &SeparableNetworkPanel::on_measured);
    connect(controller_, &InferenceController::standardConvFailed, this, [this](const QString& message) {
        if (!measuring_) return;
        measuring_ = false;
        status_->setText(tr("The measurement failed: %1").arg(message));
        update_view();
    });
    on_configuration();
}

QLabel* SeparableNetworkPanel::cell(int row, int column) {
    return qobject_cast<QLabel*>(grid_->itemAtPosition(row, column)->widget());
}

QString SeparableNetworkPanel::cell_text(int row, int column) const {
    return qobject_cast<QLabel*>(grid_->itemAtPosition(row, column)->widget())->text();
}

QString SeparableNetworkPanel::explanation_text() const {
    QTextDocument doc;
    doc.setHtml(explanation_->text());
    return doc.toPlainText();
}

void SeparableNetworkPanel::on_configuration() {
    arch_ = layers_->architecture();
    costs_ = mnv1::compare_network_costs(arch_);
    if (measurement_ && measurement_->generation != layers_->generation()) measurement_.reset();
    measuring_ = false;  // a measurement of the old configuration is dropped by the controller
    status_->clear();
    update_view();
    if (isVisible()) maybe_measure_automatically();
}

void SeparableNetworkPanel::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    maybe_measure_automatically();
}

void SeparableNetworkPanel::maybe_measure_automatically() {
    if (measurement_ || measuring_ || auto_measured_generation_ == layers_->generation()) return;
    const auto& status = controller_->model_status();
    if (!status || !status->ok || status->request.generation != layers_->generation()) return;
    auto_measured_generation_ = layers_->generation();
    measure();
}

void SeparableNetworkPanel::measure() {
    const auto& status = controller_->model_status();
    // Only the configuration the worker has applied and the controller still wants: with a
    // newer one pending, the worker would time that one and this panel would time it again.
    if (measuring_ || !status || !status->ok || status->request.generation != layers_->generation() ||
        status->request.generation != controller_->generation())
        return;
    measuring_ = true;
    status_->setText(tr("Timing both networks in alternating rounds (about 5 s on an idle machine, longer on a busy one; the full-convolution network "
                        "is built first with random weights)…"));
    update_view();
    controller_->request_standard_conv_measurement();
}

void SeparableNetworkPanel::on_measured(const SeparableSpeedup& result) {
    if (result.generation != layers_->generation()) return;
    measuring_ = false;
    measurement_ = result;
    QString text = tr("Measured on %1: %2 rounds of %3 separable and %4 full passes, %5 s in all. "
                      "The full network runs on random weights: the time of a pass does not depend on the "
                      "weights' values.")
                       .arg(format_threads(result.threads))
                       .arg(result.rounds)
                       .arg(result.separablePasses)
                       .arg(result.standardPasses)
                       .arg(result.seconds, 0, 'f', 1);
    if (result.liveInt8) {
        text += QLatin1Char(' ') + tr("Both at fp32, while the app runs int8: the full-convolution network "
                                      "has no int8 form, so the comparison stays like for like.");
    }
    status_->setText(text);
    update_view();
    emit measured(result);
}

void SeparableNetworkPanel::update_view() {
    const QString config = config_name(arch_.alpha, arch_.resolution);
    QString classes;
    if (arch_.num_classes != 1000) classes = tr(" (%1 classes, the paper counts 1000)").arg(arch_.num_classes);
    heading_->setText(tr("<b>The whole network both ways</b>, %1%2: every depthwise + pointwise pair replaced by "
                         "one full 3×3 convolution, as in the paper's Table 4. Costs are computed from the layer "
                         "table; latencies are measured on this machine.")
                          .arg(config, classes));
    cell(MacsRow, StandardCol)->setText(format_count(costs_.standard.macs));
    cell(MacsRow, SeparableCol)->setText(format_count(costs_.separable.macs));
    cell(MacsRow, RatioCol)->setText(tr("%1 predicted").arg(ratio_text(costs_.macs_ratio)));
    cell(ParamsRow, StandardCol)->setText(format_count(costs_.standard.params));
    cell(ParamsRow, SeparableCol)->setText(format_count(costs_.separable.params));
    cell(ParamsRow, RatioCol)->setText(ratio_text(costs_.params_ratio));
    measure_->setEnabled(!measuring_);

    const std::optional<SeparableSpeedup>& m = measurement_;
    const QString dash = QStringLiteral("—");
    cell(LatencyRow, StandardCol)->setText(m ? latency_text(m->standard) : dash);
    cell(LatencyRow, SeparableCol)->setText(m ? latency_text(m->separable) : dash);
    cell(LatencyRow, RatioCol)->setText(m ? tr("%1 measured").arg(ratio_text(m->measuredSpeedup)) : dash);
    cell(GflopsRow, StandardCol)->setText(m ? QString::number(m->standardGflops, 'f', 0) : dash);
    cell(GflopsRow, SeparableCol)->setText(m ? QString::number(m->separableGflops, 'f', 0) : dash);
    cell(GflopsRow, RatioCol)
        ->setText(m && m->peakGflops > 0 ? tr("machine peak %1").arg(m->peakGflops, 0, 'f', 0) : dash);

    mnv1::ArchConfig full = arch_;
    full.standard_conv = true;
    const double dw_intensity = kind_intensity(mnv1::layer_table(arch_), mnv1::LayerKind::Depthwise, false);
    const double full_intensity = kind_intensity(mnv1::layer_table(full), mnv1::LayerKind::ConvFull, true);

    QString text;
    if (!m) {
        text = tr("<p>Predicted speed-up from the mult-adds: <b>%1</b>. %2</p>")
                   .arg(ratio_text(costs_.macs_ratio),
                        measuring_ ? tr("Measuring the real one…")
                                   : tr("Press <i>Measure both</i> to see the real one on this machine."));
    } else {
        text = tr("<p style='font-size:large'>Predicted speed-up <b>%1</b> (mult-adds) · measured <b>%2</b> (time)</p>")
                   .arg(ratio_text(costs_.macs_ratio), ratio_text(m->measuredSpeedup));
        const QString peak = m->peakGflops > 0
                                 ? tr(" This machine's peak is about %1 GFLOP/s (a matrix multiply that stays in "
                                      "cache, %2): the full network reaches %3 % of it, the separable "
                                      "one %4 %.")
                                       .arg(m->peakGflops, 0, 'f', 0)
                                       .arg(format_threads(m->threads))
                                       .arg(100.0 * m->standardGflops / m->peakGflops, 0, 'f', 0)
                                       .arg(100.0 * m->separableGflops / m->peakGflops, 0, 'f', 0)
                                 : QString();
        const bool close = std::abs(m->measuredSpeedup / costs_.macs_ratio - 1.0) <= 0.1;
        const QString why_memory =
            (close ? tr("What difference remains comes from the depthwise layers. ") : tr("Why? ")) +
            tr("A depthwise layer does only %1 FLOPs per byte it moves, against about %2 for a full 3×3 "
               "convolution. With so little arithmetic per byte it is <i>memory-bound</i>: it waits for data and "
               "runs far below the peak. A full 3×3 convolution is <i>compute-bound</i>: only the arithmetic "
               "limits it, so it can get much closer to the peak (see the Roofline tab).")
                .arg(dw_intensity, 0, 'f', 1)
                .arg(full_intensity, 0, 'f', 0);
        auto spread = [](const mnv1::LatencyStats& st) { return st.p10_ms > 0 ? st.p90_ms / st.p10_ms : 0.0; };
        const QString noisy =
            std::max(spread(m->standard), spread(m->separable)) > 1.5
                ? tr("<p><i>The times spread widely (the 90th percentile is more than 1.5× the 10th): other "
                     "programs were using the processor. Press Measure both again when the machine is idle for "
                     "a cleaner ratio.</i></p>")
                : QString();
        if (!close && m->measuredSpeedup < costs_.macs_ratio) {
            text += tr("<p>The real gain is smaller than the mult-adds promise because the two networks do not "
                       "use the processor equally well: the full network computes at %1 GFLOP/s, the separable "
                       "one at %2 GFLOP/s.%3</p><p>%4</p>")
                        .arg(m->standardGflops, 0, 'f', 0)
                        .arg(m->separableGflops, 0, 'f', 0)
                        .arg(peak, why_memory) + noisy;
        } else if (!close) {
            text += tr("<p>The real gain is even larger than the mult-adds promise: here the full network "
                       "computes at only %1 GFLOP/s against %2 for the separable one. Its %3 weights (%4 MB) "
                       "do not stay in the caches, so it waits for memory too.%5</p>")
                        .arg(m->standardGflops, 0, 'f', 0)
                        .arg(m->separableGflops, 0, 'f', 0)
                        .arg(format_count(costs_.standard.params))
                        .arg(4.0 * static_cast<double>(costs_.standard.params) / 1e6, 0, 'f', 0)
                        .arg(peak) + noisy;
        } else {
            // Within 10 %: only a gain a little below the prediction is the depthwise layers'
            // doing; one a little above it is not (they cannot make the separable net faster).
            text += tr("<p>The real gain is close to the mult-adds' prediction: both networks compute at similar "
                       "speeds (%1 and %2 GFLOP/s).%3</p>")
                        .arg(m->standardGflops, 0, 'f', 0)
                        .arg(m->separableGflops, 0, 'f', 0)
                        .arg(peak) +
                    (m->measuredSpeedup < costs_.macs_ratio ? tr("<p>%1</p>").arg(why_memory) : QString()) + noisy;
        }
    }
    explanation_->setText(text);
}

}  // namespace studio
