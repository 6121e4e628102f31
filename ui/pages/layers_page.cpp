#include "layers_page.hpp"

#include <algorithm>
#include <cmath>

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QResizeEvent>
#include <QScrollBar>
#include <QScrollArea>
#include <QSplitter>
#include <QStringList>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include "common/display_format.hpp"
#include "common/network_cost.hpp"
#include "models/layer_breakdown_model.hpp"
#include "models/layer_table_model.hpp"
#include "widgets/page_scroll_area.hpp"

namespace studio {

namespace {

// The per-layer table shows all of its columns (the profiled ones included) in about
// 1000 px and a side view needs ~420 px to keep its text and chart readable: below that
// sum the side views go under the tables, at full width, and the page scrolls down.
constexpr int kTablesFullWidth = 1000;
constexpr int kSidePanelMinWidth = 420;
constexpr int kSideBySideMinPageWidth = kTablesFullWidth + kSidePanelMinWidth;
// Stacked: the tables keep about ten rows of layers over the breakdown, and a side view
// its chart and the first lines of its text.
constexpr int kStackedTablesMinHeight = 560;
constexpr int kStackedSideMinHeight = 560;

}  // namespace

LayersPage::LayersPage(QWidget* parent)
    : QWidget(parent),
      model_(new LayerTableModel(this)),
      selection_(new QItemSelectionModel(model_, this)),
      breakdown_(new LayerBreakdownModel(model_, this)) {
    // The summary and its buttons span the page; under them the tables (left) and the side
    // views (right) share the width through a splitter.
    auto* outer = new QVBoxLayout(scrolling_content(this));
    auto* top = new QHBoxLayout;
    summary_ = new QLabel(this);
    summary_->setObjectName(QStringLiteral("layersSummary"));
    summary_->setWordWrap(true);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    profile_ = new QPushButton(tr("&Measure per-layer time"), this);
    profile_->setToolTip(tr("Runs %1 profiled forward passes on the inference worker and fills the time, "
                            "share, rate (GFLOP/s, GOP/s at int8) and implementation columns with each layer's median.")
                             .arg(kLayerProfilePasses));
    // All of it shown: the page scrolls when a small screen has no room for it.
    top->addWidget(summary_, 1);
    top->addWidget(profile_, 0, Qt::AlignTop);
    lesson_ = new QPushButton(tr("Lesson…"), this);
    lesson_->setToolTip(tr("Standard, depthwise and pointwise convolutions explained step by step, with the numbers "
                           "of the selected layer's block (F1)"));
    top->addWidget(lesson_, 0, Qt::AlignTop);
    outer->addLayout(top);
    splitter_ = new QSplitter(Qt::Horizontal, this);
    splitter_->setChildrenCollapsible(false);
    outer->addWidget(splitter_, 1);
    auto* left = new QWidget(splitter_);
    auto* lay = new QVBoxLayout(left);
    lay->setContentsMargins(0, 0, 0, 0);

    table_ = new QTableView(left);
    table_->setObjectName(QStringLiteral("layersTable"));
    table_->setModel(model_);
    table_->setSelectionModel(selection_);
    table_->verticalHeader()->setVisible(false);
    table_->setAlternatingRowColors(true);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    // Every column as wide as its contents, the implementation last taking the rest: on a
    // narrow window the table scrolls sideways instead of eliding the implementation to "b…".
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setStretchLastSection(true);
    lay->addWidget(table_, 1);

    auto* breakdown_title = new QLabel(tr("<b>By layer type</b> (the paper's Table 2, with the measured time added)"), left);
    lay->addWidget(breakdown_title);
    breakdown_table_ = new QTableView(left);
    breakdown_table_->setObjectName(QStringLiteral("layerBreakdownTable"));
    breakdown_table_->setModel(breakdown_);
    breakdown_table_->verticalHeader()->setVisible(false);
    breakdown_table_->setSelectionMode(QAbstractItemView::NoSelection);
    breakdown_table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    breakdown_table_->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    // Columns as wide as their contents (a squeezed type column read "…"); a narrow page
    // scrolls the table sideways.
    breakdown_table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    breakdown_table_->horizontalHeader()->setStretchLastSection(true);
    lay->addWidget(breakdown_table_);
    answer_ = new QLabel(left);
    answer_->setObjectName(QStringLiteral("pointwiseAnswer"));
    answer_->setWordWrap(true);
    lay->addWidget(answer_);
    connect(breakdown_, &QAbstractItemModel::modelReset, this, &LayersPage::update_breakdown);
    update_breakdown();

    connect(profile_, &QPushButton::clicked, this, &LayersPage::profileRequested);
    connect(lesson_, &QPushButton::clicked, this, &LayersPage::lessonRequested);

    side_tabs_ = new QTabWidget(splitter_);
    side_tabs_->setObjectName(QStringLiteral("layerSideViews"));
    side_tabs_->setDocumentMode(true);
    side_tabs_->setMinimumWidth(kSidePanelMinWidth);
    pass_tab_wheel_to_page(side_tabs_);
    side_tabs_->hide();
    splitter_->addWidget(left);
    splitter_->addWidget(side_tabs_);
    splitter_->setStretchFactor(0, 3);
    splitter_->setStretchFactor(1, 2);
}

bool LayersPage::side_by_side() const { return splitter_->orientation() == Qt::Horizontal; }

void LayersPage::arrange_panels(int page_width) {
    stack_panels(splitter_, page_width < kSideBySideMinPageWidth, {kStackedTablesMinHeight, kStackedSideMinHeight},
                 [](int total, bool stacked) {
                     return stacked ? std::max(kStackedSideMinHeight, total / 2)
                                    : std::max(kSidePanelMinWidth, std::min(total * 2 / 5, total - kTablesFullWidth));
                 });
}

void LayersPage::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    arrange_panels(event->size().width());
}

void LayersPage::add_side_view(QWidget* view, const QString& title) {
    // In a scroll area, so a view's minimum width never squeezes the tables: a narrow side
    // panel scrolls instead.
    auto* scroll = new QScrollArea;
    scroll->setWidget(view);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    side_tabs_->addTab(scroll, title);
    side_tabs_->show();
}

void LayersPage::show_configuration(const ModelStatus& status) {
    if (!status.ok) return;
    model_->set_architecture(cost_architecture(status.request.alpha, status.request.resolution, status.numClasses),
                             status.request.generation, status.runs_int8());
    update_summary();
}

void LayersPage::set_timing(const LayerTiming& timing) {
    if (model_->set_timing(timing)) update_summary();
}

QString LayersPage::summary_text() const { return summary_->text(); }
QString LayersPage::pointwise_answer_text() const { return answer_->text(); }

namespace {

// The five identical 14×14×512 blocks (dw7–dw11, pw7–pw11) are a built-in control: on a
// quiet machine their times agree within a few %. "" when every run of identical layers
// agrees within 1.5×, else a sentence naming the worst run.
QString identical_layers_note(const LayerTableModel& model) {
    const auto& layers = model.layers();
    const auto same_shape = [](const mnv1::LayerSpec& a, const mnv1::LayerSpec& b) {
        return a.kind == b.kind && a.stride == b.stride && a.kernel == b.kernel && a.in_c == b.in_c && a.in_h == b.in_h &&
               a.in_w == b.in_w && a.out_c == b.out_c;
    };
    double worst = 1.5;
    QString note;
    std::vector<bool> grouped(layers.size(), false);
    for (std::size_t i = 0; i < layers.size(); ++i) {
        if (grouped[i]) continue;  // already in the run of an earlier layer of its shape
        std::vector<std::size_t> run{i};
        for (std::size_t j = i + 1; j < layers.size(); ++j) {
            if (same_shape(layers[i], layers[j])) run.push_back(j), grouped[j] = true;
        }
        if (run.size() < 3) continue;
        double lo = 0, hi = 0;
        for (std::size_t k : run) {
            const std::optional<double> ms = model.layer_ms(static_cast<int>(k));
            if (!ms || *ms <= 0) return {};
            lo = lo > 0 ? std::min(lo, *ms) : *ms;
            hi = std::max(hi, *ms);
        }
        if (hi / lo > worst) {
            worst = hi / lo;
            note = QObject::tr("The %1 identical layers %2–%3 took %4 to %5 (%6× apart; on a quiet machine they "
                               "agree within a few %): these times are noisy, measure again when the machine is quiet.")
                       .arg(run.size())
                       .arg(QString::fromStdString(layers[run.front()].name), QString::fromStdString(layers[run.back()].name),
                            format_ms(lo), format_ms(hi))
                       .arg(hi / lo, 0, 'f', 1);
        }
    }
    return note;
}

}  // namespace

// Built whole from the model every time (never appended to), so repeated profiles leave the
// same text.
void LayersPage::update_summary() {
    const mnv1::ArchConfig& cfg = model_->architecture();
    const mnv1::CostSummary& sum = model_->summary();
    const QString note = class_count_note(cfg);
    QStringList lines;
    lines << tr("MobileNet v1 %1: %2 mult-adds, %3 parameters, %4")
                 .arg(config_name(cfg.alpha, cfg.resolution), format_count(sum.macs), format_count(sum.params),
                      note.isEmpty() ? tr("%1 classes as in the paper.").arg(cfg.num_classes) : note + QLatin1Char('.'));
    if (model_->profiled()) {
        const LayerTiming& t = model_->timing();
        // The input reorder is in the total but is no row; said only when there is one.
        const QString reorder = model_->reorder_ms() >= 0.005
                                    ? tr(", %1 of it the input reorder (no row)").arg(format_ms(model_->reorder_ms()))
                                    : QString();
        QString line = tr("Times are medians of %1 profiled passes: %2 a pass%3.")
                           .arg(model_->profiled_passes())
                           .arg(format_ms(model_->total_ms()), reorder);
        if (t.forwardMs > 0) {
            // Says whether the rows can be trusted as a picture of a real pass: they cover the
            // profiled passes' wall time, and a plain pass run alongside is of the same size.
            line += tr(" The steps cover %1 % of a profiled pass's wall time; a plain pass run alongside took %2, "
                       "so the profiled total is %3 % of it%4.")
                        .arg(100 * t.coverage, 0, 'f', 1)
                        .arg(format_ms(t.forwardMs))
                        .arg(100 * model_->total_ms() / t.forwardMs, 0, 'f', 0)
                        .arg(std::abs(model_->total_ms() / t.forwardMs - 1) > 0.1
                                 ? tr(" \u2014 more than 10 % apart: the machine was busy (the per-layer medians "
                                      "leave out interruptions a whole pass cannot); measure again when it is quiet")
                                 : QString());
        }
        if (const QString noisy = identical_layers_note(*model_); !noisy.isEmpty()) line += QLatin1Char(' ') + noisy;
        lines << line;
    } else {
        lines << tr("Times appear after profiling (median of %1 profiled passes).").arg(kLayerProfilePasses);
    }
    summary_->setText(lines.join(QLatin1Char('\n')));
}

void LayersPage::update_breakdown() {
    answer_->setText(breakdown_->pointwise_answer());
    // Tall enough for every row: a table of four types and a total needs no scrolling.
    // Room for the sideways scroll bar too, so it never covers the total row.
    int height = breakdown_table_->horizontalHeader()->sizeHint().height() + 2 * breakdown_table_->frameWidth() +
                 breakdown_table_->horizontalScrollBar()->sizeHint().height();
    for (int r = 0; r < breakdown_->rowCount(); ++r) height += breakdown_table_->rowHeight(r);
    breakdown_table_->setFixedHeight(height);
}

}  // namespace studio
