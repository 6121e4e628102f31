#include "cost_card.hpp"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QTextDocument>
#include <QVBoxLayout>

#include "common/display_format.hpp"
#include "models/layer_table_model.hpp"
#include "widgets/filter_diagram.hpp"

namespace studio {

namespace {

QString dot() { return QStringLiteral("·"); }

// "a·b·c" of the numbers.
QString product(std::initializer_list<int> factors) {
    QStringList parts;
    for (int f : factors) parts << QString::number(f);
    return parts.join(dot());
}

QSpinBox* make_box(int max, const QString& tip) {
    auto* box = new QSpinBox;
    box->setRange(1, max);
    box->setToolTip(tip);
    box->setKeyboardTracking(false);  // one update per typed number, not per digit
    return box;
}

}  // namespace

CostCardPanel::CostCardPanel(LayerTableModel* layers, QItemSelectionModel* selection, QWidget* parent)
    : QWidget(parent), layers_(layers), selection_(selection) {
    source_ = new QLabel;
    source_->setWordWrap(true);
    // Room for four lines whatever it says, so the boxes under it do not jump while typing.
    source_->setMinimumHeight(source_->fontMetrics().lineSpacing() * 4);
    source_->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    source_->setTextFormat(Qt::PlainText);

    dk_ = make_box(11, tr("Dk: side of the square kernel (3 in MobileNet)"));
    m_ = make_box(4096, tr("M: input channels"));
    n_ = make_box(4096, tr("N: output channels (number of filters of the standard convolution)"));
    df_ = make_box(1024, tr("Df: side of the output feature map"));
    use_selection_ = new QPushButton(tr("Use selected layer"));
    use_selection_->setToolTip(tr("Show the block of the layer selected in the table again"));

    auto* boxes = new QHBoxLayout;
    const std::pair<const char*, QSpinBox*> fields[] = {{"Dk", dk_}, {"M", m_}, {"N", n_}, {"Df", df_}};
    for (const auto& [name, box] : fields) {
        auto* label = new QLabel(QString::fromLatin1(name));
        label->setBuddy(box);
        boxes->addWidget(label);
        boxes->addWidget(box);
        connect(box, &QSpinBox::valueChanged, this, [this] { show_typed_values(); });
    }
    boxes->addStretch(1);
    boxes->addWidget(use_selection_);
    connect(use_selection_, &QPushButton::clicked, this, &CostCardPanel::follow_selection);

    formulas_ = new QLabel;
    formulas_->setWordWrap(true);
    formulas_->setTextFormat(Qt::RichText);
    formulas_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    diagram_ = new FilterShapeDiagram;

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(source_);
    layout->addLayout(boxes);
    layout->addWidget(formulas_);
    layout->addWidget(diagram_, 1);

    connect(selection_, &QItemSelectionModel::currentChanged, this, [this] {
        if (following_) show_selected_layer();
    });
    connect(selection_, &QItemSelectionModel::selectionChanged, this, [this] {
        if (following_) show_selected_layer();
    });
    connect(layers_, &QAbstractItemModel::modelReset, this, [this] {
        if (following_) show_selected_layer();
    });
    show_selected_layer();
}

void CostCardPanel::follow_selection() {
    following_ = true;
    show_selected_layer();
}

QString CostCardPanel::source_text() const { return source_->text(); }

QString CostCardPanel::formula_text() const {
    QTextDocument doc;
    doc.setHtml(formulas_->text());
    return doc.toPlainText();
}

void CostCardPanel::set_boxes(const mnv1::ConvCostComparison& c) {
    const QSignalBlocker b1(dk_), b2(m_), b3(n_), b4(df_);
    dk_->setValue(c.dk);
    m_->setValue(c.m);
    n_->setValue(c.n);
    df_->setValue(c.df);
}

void CostCardPanel::show_typed_values() {
    following_ = false;
    use_selection_->setEnabled(true);
    const mnv1::ConvCostComparison c = mnv1::compare_conv_costs(dk_->value(), m_->value(), n_->value(), df_->value());
    source_->setText(tr("Your values: a %1×%1 convolution from M = %2 to N = %3 channels on a %4×%4 output. "
                        "\"Use selected layer\" returns to the table's selection.")
                         .arg(c.dk)
                         .arg(c.m)
                         .arg(c.n)
                         .arg(c.df));
    diagram_->set_highlight(FilterShapeDiagram::Highlight::All);
    show_comparison(c);
}

void CostCardPanel::show_selected_layer() {
    use_selection_->setEnabled(false);
    const std::vector<mnv1::LayerSpec>& layers = layers_->layers();
    if (layers.size() < 3) {
        source_->setText(tr("No network configured yet."));
        return;
    }
    int row = selection_->currentIndex().isValid() ? selection_->currentIndex().row() : -1;
    if (row < 0 && selection_->hasSelection()) row = selection_->selectedIndexes().front().row();
    const QString config = config_name(layers_->architecture().alpha, layers_->architecture().resolution);

    auto block_of = [&](std::size_t dw_row, FilterShapeDiagram::Highlight highlight, const QString& intro) {
        const mnv1::LayerSpec& dw = layers[dw_row];
        const mnv1::LayerSpec& pw = layers[dw_row + 1];
        const mnv1::ConvCostComparison c = mnv1::compare_conv_costs(dw, pw);
        QString text = intro + tr("Block %1 of %2: %3 (3×3 depthwise, stride %4) then %5 (1×1 pointwise), "
                                  "M = %6 channels in, N = %7 out, Df = %8.")
                                   .arg(QString::fromStdString(dw.name).mid(2), config,
                                        QString::fromStdString(dw.name))
                                   .arg(dw.stride)
                                   .arg(QString::fromStdString(pw.name))
                                   .arg(c.m)
                                   .arg(c.n)
                                   .arg(c.df);
        if (dw.stride > 1) {
            text += tr(" This block has stride 2: its input is %1×%1 and its output %2×%2. The paper's "
                       "formulas assume stride 1; Df here is the output side, the positions where both the "
                       "depthwise filters and a standard convolution would be evaluated.")
                        .arg(dw.in_h)
                        .arg(dw.out_h);
        }
        source_->setText(text);
        diagram_->set_highlight(highlight);
        show_comparison(c);
    };

    if (row < 0 || row >= static_cast<int>(layers.size())) {
        block_of(1, FilterShapeDiagram::Highlight::All,
                 tr("Select a dw or pw row in the table to see its block. Showing the first one. "));
        return;
    }
    const mnv1::LayerSpec& l = layers[static_cast<std::size_t>(row)];
    switch (l.kind) {
        case mnv1::LayerKind::Depthwise:
            block_of(static_cast<std::size_t>(row), FilterShapeDiagram::Highlight::Depthwise, QString());
            return;
        case mnv1::LayerKind::Pointwise:
            block_of(static_cast<std::size_t>(row - 1), FilterShapeDiagram::Highlight::Pointwise, QString());
            return;
        case mnv1::LayerKind::ConvFull: {
            // conv0 (or any full conv): already standard. Show what separating it would cost.
            const mnv1::ConvCostComparison c = mnv1::compare_conv_costs(l.kernel, l.in_c, l.out_c, l.out_h);
            const double total = static_cast<double>(layers_->summary().macs);
            const std::int64_t saved = c.standard_macs - c.separable_macs;
            source_->setText(tr("%1 is already a standard convolution (%2, on the %3-channel input image): "
                                "MobileNet keeps its first layer full. Separating it, as computed below, would "
                                "save %4 mult-adds: only %5 % of the whole network's %6.")
                                 .arg(QString::fromStdString(l.name), QString::fromStdString(l.filter_label()))
                                 .arg(l.in_c)
                                 .arg(format_count(saved))
                                 .arg(total > 0 ? 100.0 * static_cast<double>(saved) / total : 0.0, 0, 'f', 1)
                                 .arg(format_count(layers_->summary().macs)));
            diagram_->set_highlight(FilterShapeDiagram::Highlight::Standard);
            show_comparison(c);
            return;
        }
        case mnv1::LayerKind::AvgPool:
        case mnv1::LayerKind::FullyConnected:
        case mnv1::LayerKind::Softmax: break;
    }
    QString why;
    if (l.kind == mnv1::LayerKind::AvgPool) why = tr("the average pool has no weights");
    if (l.kind == mnv1::LayerKind::FullyConnected) {
        why = tr("the classifier is a 1×1 convolution already (Dk = 1: a depthwise step would add work, not save it)");
    }
    if (l.kind == mnv1::LayerKind::Softmax) why = tr("the softmax has no weights and no mult-adds");
    source_->setText(tr("%1: nothing to separate, %2. The numbers below are those shown before; select a dw "
                        "or pw row to see a block.")
                         .arg(QString::fromStdString(l.name), why));
}

void CostCardPanel::show_comparison(const mnv1::ConvCostComparison& c) {
    shown_ = c;
    set_boxes(c);
    diagram_->set_shapes(c.dk, c.m, c.n, c.df);
    const QString sub_k = QStringLiteral("D<sub>K</sub>");
    const QString sub_f = QStringLiteral("D<sub>F</sub>");
    const QString std_formula = QStringList{sub_k, sub_k, QStringLiteral("M"), QStringLiteral("N"), sub_f, sub_f}.join(dot());
    const QString dw_formula = QStringList{sub_k, sub_k, QStringLiteral("M"), sub_f, sub_f}.join(dot());
    const QString pw_formula = QStringList{QStringLiteral("M"), QStringLiteral("N"), sub_f, sub_f}.join(dot());
    const double inv_n = 1.0 / c.n;
    const double inv_k2 = 1.0 / (static_cast<double>(c.dk) * c.dk);

    QString html;
    html += tr("<p><b>Standard:</b> %1 = %2 = <b>%3</b> mult-adds (%4)<br>")
                .arg(std_formula, product({c.dk, c.dk, c.m, c.n, c.df, c.df}), format_exact_count(c.standard_macs),
                     format_count(c.standard_macs));
    html += tr("<b>Depthwise separable:</b> %1 + %2<br>&nbsp;&nbsp;= %3 + %4 = %5 + %6 = <b>%7</b> mult-adds (%8)</p>")
                .arg(dw_formula, pw_formula, product({c.dk, c.dk, c.m, c.df, c.df}), product({c.m, c.n, c.df, c.df}),
                     format_exact_count(c.depthwise_macs), format_exact_count(c.pointwise_macs), format_exact_count(c.separable_macs),
                     format_count(c.separable_macs));
    html += tr("<p><b>Ratio:</b> separable / standard = %1 / %2 = <b>%3</b><br>"
               "&nbsp;&nbsp;= 1/N + 1/%4² = 1/%5 + 1/%6 = %7 + %8 = %9")
                .arg(format_exact_count(c.separable_macs), format_exact_count(c.standard_macs), QString::number(c.ratio, 'f', 4),
                     sub_k, QString::number(c.n), QString::number(c.dk * c.dk), QString::number(inv_n, 'f', 4),
                     QString::number(inv_k2, 'f', 4), QString::number(c.formula_ratio, 'f', 4));
    if (c.ratio >= 1.0) {
        html += tr("<br>&nbsp;&nbsp;→ <b>%1 mult-adds.</b> With a %2 kernel there is no spatial filtering to "
                   "share: the depthwise step only adds work.</p>")
                    .arg(separable_saving_text(c), QStringLiteral("%1×%1").arg(c.dk));
    } else {
        html += tr("<br>&nbsp;&nbsp;→ <b>%1 mult-adds.</b> In a standard convolution each of the N·%2² output "
                   "values costs %3·M = %4 mult-adds. Separated, the %6 filtering is done once per input channel "
                   "(shared by all N outputs), and each output value only mixes M = %5 channels.</p>")
                    .arg(separable_saving_text(c), sub_f, sub_k + QStringLiteral("²"),
                         format_exact_count(static_cast<std::int64_t>(c.dk) * c.dk * c.m), QString::number(c.m),
                         QStringLiteral("%1×%1").arg(c.dk));
    }
    html += tr("<p><b>Parameters:</b> standard %1 = %2; separable %3 + M·N = %4 + %5 = %6 "
               "(%7: the same ratio, since both costs are the weights × %8 positions).</p>")
                .arg(QStringList{sub_k, sub_k, QStringLiteral("M"), QStringLiteral("N")}.join(dot()),
                     format_exact_count(c.standard_params), QStringList{sub_k, sub_k, QStringLiteral("M")}.join(dot()),
                     format_exact_count(c.depthwise_params), format_exact_count(c.pointwise_params), format_exact_count(c.separable_params))
                .arg(separable_saving_text(c))
                .arg(QStringLiteral("%1×%1").arg(c.df));
    formulas_->setText(html);
}

}  // namespace studio
