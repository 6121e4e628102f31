#include "layers_view.hpp"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include "common/display_format.hpp"

namespace studio {

namespace {

enum Column { kName, kType, kFilter, kInput, kOutput, kMacs, kMacsShare, kParams, kMs, kImpl, kColumns };

QTableWidgetItem* cell(const QString& text, Qt::Alignment align = Qt::AlignLeft | Qt::AlignVCenter) {
    auto* it = new QTableWidgetItem(text);
    it->setTextAlignment(align);
    it->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    return it;
}

QTableWidgetItem* number(const QString& text) { return cell(text, Qt::AlignRight | Qt::AlignVCenter); }

}  // namespace

LayersView::LayersView(QWidget* parent) : QWidget(parent) {
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

    table_ = new QTableWidget(0, kColumns, this);
    table_->setObjectName(QStringLiteral("layersTable"));
    table_->setHorizontalHeaderLabels({tr("Layer"), tr("Type / stride"), tr("Filter shape"), tr("Input"),
                                       tr("Output"), tr("Mult-adds"), tr("% of mult-adds"), tr("Parameters"),
                                       tr("Time"), tr("oneDNN implementation")});
    table_->verticalHeader()->setVisible(false);
    table_->setAlternatingRowColors(true);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setSectionResizeMode(kImpl, QHeaderView::Stretch);
    lay->addWidget(table_, 1);

    connect(profile_, &QPushButton::clicked, this, &LayersView::profileRequested);
}

void LayersView::set_architecture(const mnv1::ArchConfig& cfg, quint64 generation) {
    generation_ = generation;
    layers_ = mnv1::layer_table(cfg);
    const mnv1::CostSummary sum = mnv1::summarize(layers_);
    table_->setRowCount(static_cast<int>(layers_.size()));
    for (int r = 0; r < static_cast<int>(layers_.size()); ++r) {
        const mnv1::LayerSpec& l = layers_[static_cast<std::size_t>(r)];
        table_->setItem(r, kName, cell(QString::fromStdString(l.name)));
        table_->setItem(r, kType, cell(QString::fromStdString(l.type_label())));
        table_->setItem(r, kFilter, cell(QString::fromStdString(l.filter_label())));
        table_->setItem(r, kInput, cell(QStringLiteral("%1 × %2 × %3").arg(l.in_h).arg(l.in_w).arg(l.in_c)));
        table_->setItem(r, kOutput, cell(QStringLiteral("%1 × %2 × %3").arg(l.out_h).arg(l.out_w).arg(l.out_c)));
        table_->setItem(r, kMacs, number(l.macs ? format_count(l.macs) : QStringLiteral("–")));
        table_->setItem(r, kMacsShare,
                        number(sum.macs ? QStringLiteral("%1 %").arg(100.0 * l.macs / sum.macs, 0, 'f', 1)
                                        : QString()));
        table_->setItem(r, kParams, number(l.params ? format_count(l.params) : QStringLiteral("–")));
        table_->setItem(r, kMs, number(QString()));
        table_->setItem(r, kImpl, cell(QString()));
    }
    summary_->setText(tr("MobileNet v1 %1: %2 mult-adds, %3 parameters, %4 classes. Times appear after a "
                         "profiled run.")
                          .arg(config_name(cfg.alpha, cfg.resolution), format_count(sum.macs),
                               format_count(sum.params))
                          .arg(cfg.num_classes));
}

void LayersView::set_timing(const LayerTiming& timing) {
    if (timing.generation != generation_) return;  // a profile of a configuration no longer shown
    double reorder_ms = 0;
    for (const mnv1::LayerProfile& s : timing.steps) {
        if (s.layer < 0 || s.layer >= table_->rowCount()) {
            reorder_ms += s.ms;
            continue;
        }
        table_->item(s.layer, kMs)->setText(format_ms(s.ms));
        table_->item(s.layer, kImpl)->setText(QString::fromStdString(s.impl));
    }
    for (int r = 0; r < table_->rowCount() && r < static_cast<int>(timing.implementations.size()); ++r) {
        if (table_->item(r, kImpl)->text().isEmpty()) {
            table_->item(r, kImpl)->setText(QString::fromStdString(timing.implementations[static_cast<std::size_t>(r)]));
        }
    }
    const QString base = summary_->text().section(QStringLiteral(" Times"), 0, 0);
    summary_->setText(base + tr(" Profiled forward pass: %1 in total (%2 in reorders between layers).")
                                 .arg(format_ms(timing.totalMs), format_ms(reorder_ms)));
}

}  // namespace studio
