#include "layers_page.hpp"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

#include "common/display_format.hpp"
#include "models/layer_table_model.hpp"

namespace studio {

LayersPage::LayersPage(QWidget* parent)
    : QWidget(parent), model_(new LayerTableModel(this)), selection_(new QItemSelectionModel(model_, this)) {
    auto* lay = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    summary_ = new QLabel(this);
    summary_->setWordWrap(true);
    profile_ = new QPushButton(tr("&Measure per-layer time"), this);
    profile_->setToolTip(tr("Runs one profiled forward pass on the inference worker and fills the ms and "
                            "implementation columns."));
    top->addWidget(summary_, 1);
    top->addWidget(profile_);
    lay->addLayout(top);

    table_ = new QTableView(this);
    table_->setObjectName(QStringLiteral("layersTable"));
    table_->setModel(model_);
    table_->setSelectionModel(selection_);
    table_->verticalHeader()->setVisible(false);
    table_->setAlternatingRowColors(true);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setSectionResizeMode(LayerTableModel::Implementation, QHeaderView::Stretch);
    lay->addWidget(table_, 1);

    connect(profile_, &QPushButton::clicked, this, &LayersPage::profileRequested);
}

void LayersPage::show_configuration(const ModelStatus& status) {
    if (!status.ok) return;
    mnv1::ArchConfig arch;
    arch.alpha = status.request.alpha;
    arch.resolution = status.request.resolution;
    arch.num_classes = status.numClasses > 0 ? status.numClasses : 1001;
    model_->set_architecture(arch, status.request.generation);
    update_summary();
}

void LayersPage::set_timing(const LayerTiming& timing) {
    if (model_->set_timing(timing)) update_summary();
}

QString LayersPage::summary_text() const { return summary_->text(); }

void LayersPage::update_summary() {
    const mnv1::ArchConfig& cfg = model_->architecture();
    const mnv1::CostSummary& sum = model_->summary();
    QString text = tr("MobileNet v1 %1: %2 mult-adds, %3 parameters, %4 classes.")
                       .arg(config_name(cfg.alpha, cfg.resolution), format_count(sum.macs), format_count(sum.params))
                       .arg(cfg.num_classes);
    text += model_->profiled() ? tr(" Profiled forward pass: %1 in total (%2 in reorders between layers).")
                                     .arg(format_ms(model_->total_ms()), format_ms(model_->reorder_ms()))
                               : tr(" Times appear after a profiled run.");
    summary_->setText(text);
}

}  // namespace studio
