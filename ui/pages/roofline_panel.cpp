#include "pages/roofline_panel.hpp"

#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTextDocument>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <vector>

#include "charts/roofline_chart.hpp"
#include "common/display_format.hpp"
#include "controller/inference_controller.hpp"
#include "mobilenet/benchmark.hpp"
#include "models/layer_table_model.hpp"

namespace studio {

namespace {

// Where one group of layers lands under the roofs.
struct GroupStats {
    int count = 0, memory_bound = 0;
    double min_intensity = 0, max_intensity = 0, min_gflops = 0, max_gflops = 0;
    double min_peak_pct = 0, max_peak_pct = 0, median_peak_pct = 0, min_roof_pct = 0, max_roof_pct = 0;
    std::int64_t macs = 0;
    double ms = 0;
};

GroupStats group_stats(const RooflineData& data, RooflineGroup group) {
    GroupStats s;
    std::vector<double> peak_pct;
    for (const mnv1::RooflinePoint& p : data.points) {
        if (p.macs <= 0 || roofline_group(p.kind) != group) continue;
        const double pct = data.peaks.peak_gflops > 0 ? 100.0 * p.gflops / data.peaks.peak_gflops : 0.0;
        if (s.count == 0) {
            s.min_intensity = s.max_intensity = p.intensity;
            s.min_gflops = s.max_gflops = p.gflops;
            s.min_roof_pct = s.max_roof_pct = p.roof_pct();
        }
        ++s.count;
        s.memory_bound += p.bound == mnv1::RoofBound::Memory ? 1 : 0;
        s.min_intensity = std::min(s.min_intensity, p.intensity);
        s.max_intensity = std::max(s.max_intensity, p.intensity);
        s.min_gflops = std::min(s.min_gflops, p.gflops);
        s.max_gflops = std::max(s.max_gflops, p.gflops);
        s.min_roof_pct = std::min(s.min_roof_pct, p.roof_pct());
        s.max_roof_pct = std::max(s.max_roof_pct, p.roof_pct());
        s.macs += p.macs;
        s.ms += p.ms;
        peak_pct.push_back(pct);
    }
    if (!peak_pct.empty()) {
        s.min_peak_pct = *std::min_element(peak_pct.begin(), peak_pct.end());
        s.max_peak_pct = *std::max_element(peak_pct.begin(), peak_pct.end());
        s.median_peak_pct = mnv1::percentile(peak_pct, 0.5);
    }
    return s;
}

// Two significant figures at least, never scientific notation: 0.043, 1.1, 12, 230.
QString figures(double v) {
    if (v <= 0) return QStringLiteral("0");
    const int decimals = std::clamp(1 - static_cast<int>(std::floor(std::log10(v))), 0, 3);
    return QString::number(v, 'f', decimals);
}
QString range(double lo, double hi) {
    const QString a = figures(lo), b = figures(hi);
    return a == b ? a : QStringLiteral("%1–%2").arg(a, b);
}
QString percent(double v) { return QString::number(v, 'f', v < 10 ? 1 : 0); }
QString percent_range(double lo, double hi) {
    const QString a = percent(lo), b = percent(hi);
    return a == b ? a : QStringLiteral("%1–%2").arg(a, b);
}

// Which side of the ridge a group sits on, in words.
QString sides(const GroupStats& s) {
    if (s.memory_bound == s.count) {
        return QObject::tr("all left of the ridge, under the memory slope: <b>memory-bound</b>");
    }
    if (s.memory_bound == 0) {
        return QObject::tr("all right of the ridge, under the flat compute roof: <b>compute-bound</b>");
    }
    return QObject::tr("%1 left of the ridge (memory-bound), %2 right of it (compute-bound)")
        .arg(s.memory_bound)
        .arg(s.count - s.memory_bound);
}

QString one_decimal(double v) { return QString::number(v, 'f', 1); }
QString threads_text(int n) { return format_threads(n); }

QString colour_name(RooflineGroup g) {
    return QStringLiteral("<span style=\"color:%1\">&#9679;</span>").arg(roofline_group_color(g).name());
}

}  // namespace

RooflinePanel::RooflinePanel(InferenceController* controller, LayerTableModel* layers, QItemSelectionModel* selection,
                             QWidget* parent)
    : QWidget(parent), controller_(controller), layers_(layers), selection_(selection) {
    setObjectName(QStringLiteral("rooflinePanel"));
    auto* lay = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    state_ = new QLabel(this);
    state_->setObjectName(QStringLiteral("rooflineState"));
    state_->setWordWrap(true);
    measure_ = new QPushButton(tr("Measure &again"), this);
    measure_->setToolTip(tr("Measures this machine's peak compute and memory bandwidth again (do so if the machine "
                            "was busy), then times every layer of the current network (%1 profiled passes).")
                             .arg(kLayerProfilePasses));
    top->addWidget(state_, 1);
    top->addWidget(measure_, 0, Qt::AlignTop);
    lay->addLayout(top);

    auto* split = new QSplitter(Qt::Vertical, this);
    split->setChildrenCollapsible(false);
    chart_ = new RooflineChart(split);
    explanation_ = new QLabel(split);
    explanation_->setObjectName(QStringLiteral("rooflineExplanation"));
    explanation_->setWordWrap(true);
    explanation_->setTextFormat(Qt::RichText);
    explanation_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    explanation_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    explanation_->setContentsMargins(4, 4, 4, 4);
    auto* scroll = new QScrollArea(split);
    scroll->setWidget(explanation_);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    split->addWidget(chart_);
    split->addWidget(scroll);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    lay->addWidget(split, 1);

    connect(measure_, &QPushButton::clicked, this, [this] { request(true); });
    connect(controller_, &InferenceController::modelConfigured, this, &RooflinePanel::on_configured);
    connect(controller_, &InferenceController::rooflineMeasured, this, &RooflinePanel::set_data);
    connect(controller_, &InferenceController::configurationRequested, this, &RooflinePanel::update_state);
    connect(controller_, &InferenceController::rooflineFailed, this, &RooflinePanel::on_failed);
    connect(chart_, &RooflineChart::layerClicked, this, &RooflinePanel::select_layer);
    connect(selection_, &QItemSelectionModel::selectionChanged, this, &RooflinePanel::sync_highlight);
    connect(selection_, &QItemSelectionModel::currentChanged, this, &RooflinePanel::sync_highlight);
    connect(layers_, &QAbstractItemModel::modelReset, this, &RooflinePanel::sync_highlight);
    update_state();
    update_explanation();
}

quint64 RooflinePanel::configured_generation() const {
    const std::optional<ModelStatus>& s = controller_->model_status();
    return s && s->ok && s->request.generation == controller_->generation() ? s->request.generation : 0;
}

void RooflinePanel::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    measure_if_needed();
}

void RooflinePanel::on_configured(const ModelStatus& status) {
    if (status.request.generation == requested_generation_ && !status.ok) measuring_ = false;
    if (measuring_ && requested_generation_ != configured_generation()) {
        measuring_ = false;  // the worker skips a request of an older configuration
    }
    if (status.ok && status.runs_int8() && data_) {
        // No fp32 chart greyed under "Not drawn for int8", nor its explanation left live.
        data_.reset();
        chart_->clear_data();
        update_explanation();
    }
    measure_if_needed();
    update_state();
}

void RooflinePanel::on_failed(const QString& message) {
    if (!measuring_) return;
    measuring_ = false;
    failure_ = message;
    update_state();
}

void RooflinePanel::measure_if_needed() {
    if (!isVisible()) return;
    const quint64 gen = configured_generation();
    if (gen == 0 || (data_ && data_->generation == gen) || (measuring_ && requested_generation_ == gen)) return;
    request(false);
}

void RooflinePanel::request(bool remeasure_peaks) {
    const quint64 gen = configured_generation();
    if (gen == 0) return;  // nothing configured yet: modelConfigured brings us back
    requested_generation_ = gen;
    measuring_ = true;
    failure_.clear();
    controller_->request_roofline(remeasure_peaks);
    update_state();
}

void RooflinePanel::set_data(const RooflineData& data) {
    data_ = data;
    failure_.clear();
    if (data.generation == requested_generation_) measuring_ = false;
    chart_->set_data(data);
    sync_highlight();
    update_state();
    update_explanation();
}

void RooflinePanel::sync_highlight() {
    int layer = -1;
    const QModelIndexList rows = selection_->selectedRows();
    const QModelIndex index = !rows.isEmpty() ? rows.first() : selection_->currentIndex();
    if (index.isValid()) {
        layer = index.siblingAtColumn(0).data(LayerTableModel::LayerIndexRole).toInt();
        // The table may show another configuration than the chart: same index, other layer.
        const auto& specs = layers_->layers();
        if (data_ && layer >= 0 && layer < static_cast<int>(specs.size())) {
            const auto it = std::find_if(data_->points.begin(), data_->points.end(),
                                         [&](const mnv1::RooflinePoint& p) { return p.layer == layer; });
            if (it == data_->points.end() || it->name != specs[static_cast<std::size_t>(layer)].name) layer = -1;
        }
    }
    chart_->set_selected_layer(layer);
}

void RooflinePanel::select_layer(int layer) {
    for (int r = 0; r < layers_->rowCount(); ++r) {
        const QModelIndex index = layers_->index(r, 0);
        if (index.data(LayerTableModel::LayerIndexRole).toInt() == layer) {
            selection_->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
            return;
        }
    }
}

QSize RooflinePanel::sizeHint() const {
    const int em = fontMetrics().height();
    return {27 * em, 40 * em};
}

QString RooflinePanel::state_text() const { return state_->text(); }

QString RooflinePanel::explanation_text() const {
    QTextDocument doc;
    doc.setHtml(explanation_->text());
    return doc.toPlainText();
}

void RooflinePanel::update_state() {
    const std::optional<ModelRequest>& req = controller_->requested();
    const QString wanted = req ? config_name(req->alpha, req->resolution) : QString();
    const quint64 current = configured_generation();
    // Outdated as soon as another configuration is asked for, not only once it is built.
    const bool outdated = data_ && req && data_->generation != controller_->generation();
    chart_->set_stale(data_ && (measuring_ || outdated));
    // An int8 network is not measured at all (the worker says why): nothing to measure
    // again, and the empty chart says the same as the text.
    const std::optional<ModelStatus>& status = controller_->model_status();
    const bool int8 = status && status->runs_int8();
    measure_->setEnabled(current != 0 && !measuring_ && !int8);
    chart_->set_empty_note(int8 ? tr("Not drawn for int8: choose fp32 to see the roofline.")
                                : tr("The roofline appears here once it is measured."));
    QString text;
    if (measuring_ && data_) {
        text = tr("<b>Measuring %1…</b> The greyed chart still shows %2 until the new points arrive.")
                   .arg(wanted, config_name(data_->alpha, data_->resolution));
    } else if (measuring_) {
        text = tr("<b>Measuring %1…</b> This machine's peak compute and memory bandwidth (a second or two, the "
                  "first time on this thread count; then they are cached), then %2 profiled passes of every layer.")
                   .arg(wanted)
                   .arg(kLayerProfilePasses);
    } else if (!failure_.isEmpty()) {
        // Not measured at int8: not a failure.
        text = (int8 ? tr("<b>Not drawn for int8.</b> %1") : tr("<b>The measurement failed:</b> %1"))
                   .arg(failure_.toHtmlEscaped());
    } else if (outdated && isVisible()) {
        text = tr("The greyed chart shows %1; %2 is measured as soon as its network is ready.")
                   .arg(config_name(data_->alpha, data_->resolution), wanted);
    } else if (outdated) {
        text = tr("The chart shows %1 (greyed); it is measured again for %2 when this view is shown.")
                   .arg(config_name(data_->alpha, data_->resolution), wanted);
    } else if (data_) {
        const mnv1::MachinePeaks& p = data_->peaks;
        text = tr("<b>MobileNet v1 %1</b> on %4 (FLOP = 2 × mult-adds): layer times are medians of %2 profiled "
                  "passes; the roofs were %3.")
                   .arg(config_name(data_->alpha, data_->resolution))
                   .arg(data_->passes)
                   .arg(p.from_cache ? tr("measured earlier on this machine (cached; “Measure again” redoes them)")
                                     : tr("measured just now in %1 s").arg(p.seconds, 0, 'f', 1),
                        threads_text(data_->threads));
    } else {
        text = tr("Waiting for the network…");
    }
    state_->setText(text);
}

void RooflinePanel::update_explanation() {
    if (!data_) {
        explanation_->setText(
            tr("<p>A <b>roofline</b> shows how fast each layer could possibly run on this machine. A layer cannot "
               "compute faster than the processor's peak (the flat <i>compute roof</i>), nor faster than memory can "
               "deliver its data (the sloped <i>memory roof</i>: bandwidth × the FLOPs it does per byte it moves). "
               "Every layer becomes a point: how many FLOPs per byte it does, and how many GFLOP/s it reached.</p>"));
        return;
    }
    const RooflineData& d = *data_;
    const mnv1::MachinePeaks& p = d.peaks;
    QStringList html;
    const GroupStats dw = group_stats(d, RooflineGroup::Depthwise);
    const GroupStats pw = group_stats(d, RooflineGroup::Pointwise);
    std::int64_t total_macs = 0;
    double total_ms = 0;
    for (const mnv1::RooflinePoint& pt : d.points) {
        total_macs += pt.macs;
        total_ms += pt.ms;
    }
    const auto macs_pct = [&](const GroupStats& s) {
        return total_macs > 0 ? 100.0 * static_cast<double>(s.macs) / static_cast<double>(total_macs) : 0.0;
    };
    const auto time_pct = [&](const GroupStats& s) { return total_ms > 0 ? 100.0 * s.ms / total_ms : 0.0; };
    if (dw.count > 0 && pw.count > 0 && dw.macs > 0 && pw.macs > 0 && pw.ms > 0) {
        // What one mult-add costs in each kind of layer, measured.
        const double dw_ns = 1e6 * dw.ms / static_cast<double>(dw.macs), pw_ns = 1e6 * pw.ms / static_cast<double>(pw.macs);
        const bool dw_memory = 2 * dw.memory_bound > dw.count;
        html << tr("<p><b>Why depthwise layers are slow for their mult-adds.</b> Here the depthwise layers do <b>%1 % "
                   "of the mult-adds but take %2 % of the time</b>; the pointwise layers do %3 % of the mult-adds in %4 % "
                   "of the time. A depthwise mult-add costs %5× a pointwise one. %6</p>")
                    .arg(percent(macs_pct(dw)), percent(time_pct(dw)), percent(macs_pct(pw)), percent(time_pct(pw)),
                         figures(dw_ns / pw_ns),
                         dw_memory ? tr("A depthwise layer does only 9 mult-adds for each value it writes, and uses "
                                        "each value it reads 9 times at most: too few FLOPs per byte, so memory, not "
                                        "arithmetic, sets its speed (left of the ridge on the chart). A 1×1 layer "
                                        "does as many mult-adds per value as it has input channels and runs near "
                                        "the compute roof.")
                                   : tr("On this machine most depthwise layers are right of the ridge, yet they reach "
                                        "only %1 % of the peak (median): oneDNN cannot keep the arithmetic units busy on "
                                        "them.")
                                         .arg(percent(dw.median_peak_pct)));
    }
    html << tr("<p><b>This machine's roofs.</b> Peak compute <b>%1 GFLOP/s</b> on %10 (%2 per core): %3, with "
               "the <b>%4</b> instructions oneDNN uses here; an f32 oneDNN matmul (%5) reaches %6 GFLOP/s. Memory "
               "bandwidth <b>%7 GB/s</b> (STREAM triad over %8 MiB). The two roofs meet at the <b>ridge point, %9 FLOP "
               "per byte</b>: a layer doing fewer FLOPs for each byte it moves cannot reach the peak, because memory "
               "cannot feed it fast enough.</p>")
                .arg(one_decimal(p.peak_gflops), one_decimal(p.peak_gflops_per_core))
                .arg(QString::fromStdString(p.peak_kernel).toHtmlEscaped(), QString::fromStdString(p.isa).toHtmlEscaped())
                .arg(QStringLiteral("%1 × %2 × %3").arg(p.matmul_m).arg(p.matmul_n).arg(p.matmul_k),
                     one_decimal(p.matmul_gflops), one_decimal(p.bandwidth_gbs))
                .arg(static_cast<qulonglong>(p.stream_bytes >> 20))
                .arg(figures(d.ridge_intensity()), threads_text(d.threads));

    if (dw.count > 0) {
        html << tr("<p>%1 <b>Depthwise layers</b> (%2): %3 FLOP/byte, %4. They reach %5 GFLOP/s: %6 % of the peak "
                   "(median %7 %), %8 % of the roof at their intensity.</p>")
                    .arg(colour_name(RooflineGroup::Depthwise))
                    .arg(dw.count)
                    .arg(range(dw.min_intensity, dw.max_intensity), sides(dw), range(dw.min_gflops, dw.max_gflops),
                         percent_range(dw.min_peak_pct, dw.max_peak_pct), percent(dw.median_peak_pct),
                         percent_range(dw.min_roof_pct, dw.max_roof_pct));
        if (dw.max_roof_pct > 100) {
            html << tr("<p>Points above the memory roof are not an error: those layers' few MB stay in the L2/L3 "
                       "caches, which deliver more than the main-memory bandwidth measured for the roof. They are "
                       "still bound by data movement, only by the caches' bandwidth instead.</p>");
        }
    }
    if (pw.count > 0) {
        html << tr("<p>%1 <b>Pointwise (1×1) layers</b> (%2): %3 FLOP/byte, %4. They reach %5 GFLOP/s: %6 % of the "
                   "peak (median %7 %).</p>")
                    .arg(colour_name(RooflineGroup::Pointwise))
                    .arg(pw.count)
                    .arg(range(pw.min_intensity, pw.max_intensity), sides(pw), range(pw.min_gflops, pw.max_gflops),
                         percent_range(pw.min_peak_pct, pw.max_peak_pct), percent(pw.median_peak_pct));
    }
    html << tr("<p><small>FLOPs = 2 × mult-adds. Bytes are the compulsory f32 traffic (input + output + weights + "
               "bias, each once), a lower bound of the real traffic, so intensities are upper bounds. Hover a point for its figures; click it to select the layer in the table.</small></p>");
    explanation_->setText(html.join(QString()));
}

}  // namespace studio
