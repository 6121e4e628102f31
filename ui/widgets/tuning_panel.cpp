#include "tuning_panel.hpp"

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QSlider>
#include <QSpinBox>
#include <QThread>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#include "common/display_format.hpp"
#include "marked_slider.hpp"
#include "native_resolution_badge.hpp"

namespace studio {

using namespace tuning_grid;  // the slider ranges and steps

namespace {

int alpha_to_slider(double alpha) {
    return static_cast<int>(std::lround(std::clamp(alpha, kAlphaMin, kAlphaMax) / kAlphaStep));
}

// i * 5 / 100 rather than i * 0.05: gives the double closest to the decimal (0.35, not 0.35000000000000003).
double slider_to_alpha(int v) { return (v * 5) / 100.0; }

QLabel* value_label(QWidget* parent) {
    auto* l = new QLabel(parent);
    QFont f = l->font();
    f.setBold(true);
    l->setFont(f);
    l->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    l->setMinimumWidth(l->fontMetrics().horizontalAdvance(QStringLiteral("320 × 320")));
    return l;
}

}  // namespace

TuningPanel::TuningPanel(QWidget* parent) : QWidget(parent) {
    auto* outer = new QVBoxLayout(this);

    auto* net_box = new QGroupBox(tr("Network"), this);
    auto* net = new QVBoxLayout(net_box);

    auto* alpha_row = new QHBoxLayout;
    auto* alpha_title = new QLabel(tr("Width multiplier α"), net_box);
    alpha_value_ = value_label(net_box);
    alpha_row->addWidget(alpha_title);
    alpha_row->addStretch();
    alpha_row->addWidget(alpha_value_);
    net->addLayout(alpha_row);
    alpha_ = new MarkedSlider(alpha_to_slider(kAlphaMin), alpha_to_slider(kAlphaMax), net_box);
    alpha_->slider()->setObjectName(QStringLiteral("alphaSlider"));
    alpha_->slider()->setToolTip(tr("Width multiplier α: thins every layer's channels (0.05 steps).\n"
                                    "Marked: the published α values; highlighted when pretrained weights were found."));
    alpha_->slider()->setAccessibleName(tr("Width multiplier alpha"));
    alpha_title->setBuddy(alpha_->slider());
    net->addWidget(alpha_);
    pretrained_info_ = new QLabel(net_box);
    pretrained_info_->setWordWrap(true);
    pretrained_info_->setForegroundRole(QPalette::PlaceholderText);
    net->addWidget(pretrained_info_);

    auto* res_row = new QHBoxLayout;
    auto* res_title = new QLabel(tr("Input resolution ρ"), net_box);
    resolution_value_ = value_label(net_box);
    res_row->addWidget(res_title);
    res_row->addStretch();
    res_row->addWidget(resolution_value_);
    net->addSpacing(fontMetrics().height() / 2);
    net->addLayout(res_row);
    resolution_ = new MarkedSlider(kResolutionMin / kResolutionStep, kResolutionMax / kResolutionStep, net_box);
    resolution_->slider()->setObjectName(QStringLiteral("resolutionSlider"));
    resolution_->slider()->setToolTip(tr("Input image side in pixels (steps of 16). Marked: the published "
                                         "128/160/192/224; highlighted where weights for this α were released."));
    resolution_->slider()->setAccessibleName(tr("Input resolution"));
    res_title->setBuddy(resolution_->slider());
    net->addWidget(resolution_);
    native_badge_ = new NativeResolutionBadge(net_box);
    net->addWidget(native_badge_);

    auto* form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    threads_ = new QSpinBox(net_box);
    threads_->setObjectName(QStringLiteral("threadsBox"));
    const int ideal = std::max(1, QThread::idealThreadCount());
    // 0 = automatic: the threading policy picks per pass from the machine's load.
    threads_->setRange(0, std::max(4, ideal * 2));
    threads_->setSpecialValueText(tr("Auto"));
    threads_->setValue(0);
    threads_->setToolTip(tr("oneDNN/OpenMP threads for the forward pass (this machine has %1 in hardware). "
                            "Auto: all cores on a quiet machine, fewer while other programs keep cores busy, "
                            "chosen pass by pass.")
                             .arg(format_threads(ideal)));
    form->addRow(tr("&Threads"), threads_);
    crop_ = new QComboBox(net_box);
    crop_->setObjectName(QStringLiteral("cropBox"));
    crop_->addItem(tr("Whole image"), static_cast<int>(mnv1::CropMode::Whole));
    crop_->addItem(tr("Central 87.5 % crop"), static_cast<int>(mnv1::CropMode::Central));
    crop_->setToolTip(tr("Whole: the image is resized to the input size (as the TFLite reference does).\n"
                         "Central: the central 87.5 % of each side, then resized (TF-slim evaluation)."));
    form->addRow(tr("&Crop"), crop_);
    net->addLayout(form);
    outer->addWidget(net_box);

    auto* cost_box = new QGroupBox(tr("Cost of this configuration"), this);
    auto* cost = new QFormLayout(cost_box);
    cost->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    macs_ = value_label(cost_box);
    macs_->setObjectName(QStringLiteral("macsLabel"));
    macs_->setToolTip(tr("Multiply-adds per image, counted as in the paper, for the class count of the "
                         "network in use (the same totals as the Layers page)."));
    params_ = value_label(cost_box);
    params_->setObjectName(QStringLiteral("paramsLabel"));
    params_->setToolTip(tr("Weights, counted as in the paper (no biases or batch-norm)."));
    latency_ = value_label(cost_box);
    latency_->setObjectName(QStringLiteral("latencyLabel"));
    latency_->setToolTip(tr("Median forward pass (batch 1, no preprocessing), timed on a blank image when the "
                            "network was built. The Classify page times the passes on your images; its "
                            "Measure again takes a longer median and updates this figure too."));
    classes_ = new QLabel(cost_box);
    classes_->setObjectName(QStringLiteral("classCountNote"));
    classes_->setWordWrap(true);
    classes_->setForegroundRole(QPalette::PlaceholderText);
    build_ = new QLabel(cost_box);
    build_->setForegroundRole(QPalette::PlaceholderText);
    build_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    build_->setWordWrap(true);
    cost->addRow(tr("Mult-adds"), macs_);
    cost->addRow(tr("Parameters"), params_);
    cost->addRow(classes_);
    cost->addRow(tr("Latency"), latency_);
    cost->addRow(build_);
    outer->addWidget(cost_box);
    outer->addStretch();

    connect(alpha_->slider(), &QSlider::valueChanged, this, [this] {
        update_value_labels();
        update_resolution_marks();
        update_cost();
        emit configurationChanged();
    });
    connect(resolution_->slider(), &QSlider::valueChanged, this, [this] {
        update_value_labels();
        update_cost();
        emit configurationChanged();
    });
    connect(threads_, &QSpinBox::valueChanged, this, [this] { emit configurationChanged(); });
    connect(crop_, &QComboBox::currentIndexChanged, this, [this] { emit configurationChanged(); });

    set_available_models({}, {});
    QSignalBlocker b1(alpha_->slider()), b2(resolution_->slider());
    alpha_->slider()->setValue(alpha_to_slider(1.0));
    resolution_->slider()->setValue(224 / kResolutionStep);
    update_value_labels();
    update_resolution_marks();
    update_cost();
    set_latency_pending();
}

void TuningPanel::add_section(QWidget* section) {
    auto* outer = static_cast<QVBoxLayout*>(layout());
    outer->insertWidget(outer->count() - 2, section);  // before the cost box and the stretch
}

double TuningPanel::alpha() const { return slider_to_alpha(alpha_->slider()->value()); }
int TuningPanel::resolution() const { return resolution_->slider()->value() * kResolutionStep; }
int TuningPanel::threads() const { return threads_->value(); }
mnv1::CropMode TuningPanel::crop_mode() const { return static_cast<mnv1::CropMode>(crop_->currentData().toInt()); }

void TuningPanel::set_alpha(double alpha) {
    if (!std::isfinite(alpha)) return;  // not a position on the slider
    alpha_->slider()->setValue(alpha_to_slider(alpha));
}

void TuningPanel::set_resolution(int resolution) {
    const int r = std::clamp(resolution, kResolutionMin, kResolutionMax);
    resolution_->slider()->setValue(static_cast<int>(std::lround(static_cast<double>(r) / kResolutionStep)));
}

void TuningPanel::set_threads(int threads) { threads_->setValue(threads); }

void TuningPanel::set_crop_mode(mnv1::CropMode mode) {
    crop_->setCurrentIndex(std::max(0, crop_->findData(static_cast<int>(mode))));
}

QSlider* TuningPanel::alpha_slider() const { return alpha_->slider(); }
QSlider* TuningPanel::resolution_slider() const { return resolution_->slider(); }

void TuningPanel::set_available_models(const std::vector<mnv1::ModelEntry>& models, const QStringList& search_dirs) {
    QList<double> alphas;
    QStringList details;
    released_models_.clear();
    for (const mnv1::ModelEntry& m : models) {
        if (std::none_of(alphas.begin(), alphas.end(), [&](double a) { return std::fabs(a - m.alpha) < 1e-6; })) {
            alphas << m.alpha;
        }
        released_models_.push_back({m.alpha, m.native_resolution, QString::fromStdString(m.path)});
        details << QStringLiteral("%1 — %2").arg(QString::fromStdString(m.display_name), QString::fromStdString(m.path));
    }
    details << QString()
            << tr("Searched: %1").arg(search_dirs.isEmpty() ? tr("(no folder)") : search_dirs.join(QStringLiteral(", ")));
    set_pretrained_alphas(alphas, details.join('\n'));
}

QList<int> TuningPanel::native_resolutions_for(double alpha) const {
    const auto of_alpha = [&](const ReleasedModel& m) { return std::fabs(m.alpha - alpha) < kAlphaStep / 2; };
    const auto pinned = std::find_if(released_models_.begin(), released_models_.end(), [&](const ReleasedModel& m) {
        return !pinned_model_.isEmpty() && m.path == pinned_model_ && of_alpha(m);
    });
    if (pinned != released_models_.end()) {
        return pinned->resolution > 0 ? QList<int>{pinned->resolution} : QList<int>{};
    }
    QList<int> out;
    for (const ReleasedModel& m : released_models_) {
        if (of_alpha(m) && m.resolution > 0 && !out.contains(m.resolution)) out << m.resolution;
    }
    std::sort(out.begin(), out.end());
    return out;
}

void TuningPanel::set_pinned_model(const QString& path) {
    if (path == pinned_model_) return;
    pinned_model_ = path;
    update_resolution_marks();
}

void TuningPanel::set_model_in_use(bool pretrained, int native_resolution, int running_resolution) {
    native_badge_->show_for(pretrained, native_resolution, running_resolution);
    // The panel itself says when the network has no trained weights (not only the Classify banner).
    const bool none_at_all = pretrained_alphas_.isEmpty();
    pretrained_info_->setText(pretrained || none_at_all
                                  ? pretrained_text_
                                  : pretrained_text_ + QLatin1Char(' ') +
                                        tr("α %1 runs on random weights: cost and latency only.").arg(format_alpha(alpha())));
}

QString TuningPanel::pretrained_text() const { return pretrained_info_->text(); }

void TuningPanel::update_resolution_marks() {
    // The published resolutions, the slider's ends, and every resolution weights of this α
    // were released at (emphasized; a release off the published grid gets its own mark).
    const QList<int> native = native_resolutions_for(alpha());
    QList<MarkedSlider::Mark> marks;
    for (int r : native) marks.push_back({r / kResolutionStep, QString::number(r), true});
    for (int r : {128, 160, 192, 224, kResolutionMin, kResolutionMax}) {
        if (!native.contains(r)) marks.push_back({r / kResolutionStep, QString::number(r), false});
    }
    resolution_->set_marks(marks);
}

void TuningPanel::set_pretrained_alphas(const QList<double>& alphas, const QString& details) {
    pretrained_alphas_ = alphas;
    QList<MarkedSlider::Mark> marks;
    auto has = [&](double a) {
        return std::any_of(alphas.begin(), alphas.end(), [a](double x) { return std::fabs(x - a) < 1e-6; });
    };
    for (double a : {0.25, 0.5, 0.75, 1.0}) marks.push_back({alpha_to_slider(a), format_alpha(a), has(a)});
    // The slider's ends, so its range reads at a glance (plain: no weights are released there).
    for (double a : {kAlphaMin, kAlphaMax}) {
        if (!has(a)) marks.push_back({alpha_to_slider(a), format_alpha(a), false});
    }
    // Pretrained α values off the published grid get a mark too.
    for (double a : alphas) {
        if (!std::any_of(marks.begin(), marks.end(), [&](const MarkedSlider::Mark& m) { return m.value == alpha_to_slider(a); })) {
            marks.push_back({alpha_to_slider(a), format_alpha(a), true});
        }
    }
    alpha_->set_marks(marks);
    if (alphas.isEmpty()) {
        pretrained_text_ = tr("No pretrained weights found: every α runs on random weights.");
        pretrained_info_->setText(pretrained_text_);
    } else {
        QStringList names;
        for (double a : alphas) names << format_alpha(a);
        pretrained_text_ = tr("Pretrained weights for α %1 (highlighted).").arg(names.join(QStringLiteral(", ")));
        pretrained_info_->setText(pretrained_text_);
    }
    pretrained_info_->setToolTip(details);
    update_resolution_marks();
}

void TuningPanel::set_measured_latency(double ms, int passes, int threads, double build_ms, bool was_cached) {
    latency_->setText(format_ms(ms));
    // Says which passes: the Classify page's latency is of the passes on the user's images.
    const QString timed = tr("median of %1 passes when built, %2").arg(passes).arg(format_threads(threads));
    build_->setText(was_cached ? tr("%1; network was cached").arg(timed)
                               : tr("%1; built in %2").arg(timed, format_ms(build_ms)));
}

void TuningPanel::set_remeasured_latency(double median_ms, int passes, const QString& threads_used) {
    latency_->setText(format_ms(median_ms));
    build_->setText(tr("median of %1 passes (measured again), %2").arg(passes).arg(threads_used));
}

void TuningPanel::set_latency_unavailable() {
    latency_->setText(QStringLiteral("—"));
    build_->setText(tr("no network"));
}

void TuningPanel::set_latency_pending() {
    latency_->setText(QStringLiteral("…"));
    build_->setText(tr("measuring"));
}

void TuningPanel::set_num_classes(int num_classes) {
    if (num_classes == num_classes_) return;
    num_classes_ = num_classes;
    update_cost();
}

QString TuningPanel::class_count_text() const { return classes_->text(); }
QString TuningPanel::latency_text() const { return latency_->text(); }
QString TuningPanel::latency_note_text() const { return build_->text(); }
QString TuningPanel::macs_text() const { return macs_->text(); }
QString TuningPanel::params_text() const { return params_->text(); }

void TuningPanel::update_value_labels() {
    alpha_value_->setText(format_alpha(alpha()));
    resolution_value_->setText(QStringLiteral("%1 × %1").arg(resolution()));
}

void TuningPanel::update_cost() {
    const mnv1::ArchConfig cfg = cost_architecture(alpha(), resolution(), num_classes_);
    cost_ = mnv1::summarize(mnv1::layer_table(cfg));
    macs_->setText(format_count(cost_.macs));
    params_->setText(format_count(cost_.params));
    classes_->setText(class_count_note(cfg));
    classes_->setVisible(!classes_->text().isEmpty());
}

}  // namespace studio
