#include "filter_diagram.hpp"

#include <QLocale>
#include <QPainter>
#include <QPainterPath>
#include <QPolygonF>

#include <algorithm>
#include <cmath>

#include "common/display_format.hpp"

namespace studio {

namespace {

// Channel axes longer than this are drawn kDrawnChannels long and cut with a zigzag: a
// 3x3x1024 box to scale would be a needle. Below kCutAbove every channel is drawn.
constexpr int kCutAbove = 20;
constexpr int kDrawnChannels = 16;
// A bank of many filters shows this many, stacked, and says how many there are.
constexpr int kMaxCopies = 4;
// Oblique projection of the channel axis: 30 degrees, full length (cavalier), so one
// channel is as long as one kernel cell and the proportions stay honest.
const double kDepthX = std::cos(M_PI / 6.0);
const double kDepthY = std::sin(M_PI / 6.0);

const QColor kStandardColor(214, 96, 77);
const QColor kDepthwiseColor(67, 147, 195);
const QColor kPointwiseColor(90, 174, 97);
const QColor kMutedColor(200, 200, 200);

int drawn_channels(int channels) { return channels > kCutAbove ? kDrawnChannels : channels; }

// One bank as it is drawn: box w x h x depth cells, `copies` of them stacked.
struct BankShape {
    int w = 1, h = 1, depth = 1;  // depth in channels, as drawn
    bool cut = false;             // the real depth is longer than drawn
    int copies = 1;               // drawn
};

BankShape bank_shape(int side, int channels, int filters) {
    BankShape b;
    b.w = b.h = side;
    b.depth = drawn_channels(channels);
    b.cut = channels > b.depth;
    b.copies = std::min(filters, kMaxCopies);
    return b;
}

double stack_step(double unit) { return std::clamp(unit * 0.7, 4.0, 9.0); }

// Zigzag from a to b with teeth across `across` (unit vector), ends exactly on a and b.
void append_zigzag(QPolygonF& poly, QPointF a, QPointF b, QPointF across, double amp) {
    const QPointF d = b - a;
    const double len = std::hypot(d.x(), d.y());
    const int teeth = std::max(2, static_cast<int>(len / 6.0));
    poly << a;
    for (int i = 1; i < teeth; ++i) {
        const double t = static_cast<double>(i) / teeth;
        poly << a + d * t + across * ((i % 2) ? amp : -amp);
    }
    poly << b;
}

// A box of w x h x depth weights, `origin` its front bottom-left corner, `unit` pixels per
// weight along every axis.
void draw_box(QPainter& p, QPointF origin, double unit, const BankShape& s, const QColor& color) {
    const QPointF dv1(kDepthX * unit, -kDepthY * unit);  // one channel back
    const QPointF dv = dv1 * s.depth;
    const QPointF fbl = origin;
    const QPointF fbr = origin + QPointF(s.w * unit, 0);
    const QPointF ftl = origin + QPointF(0, -s.h * unit);
    const QPointF ftr = origin + QPointF(s.w * unit, -s.h * unit);
    const double len_dv = std::hypot(dv1.x(), dv1.y());
    const QPointF across = dv1 / len_dv;
    const double amp = std::min(3.0, unit * 0.35);

    QPolygonF top;
    top << ftl << ftr;
    QPolygonF right;
    right << fbr << ftr;
    if (s.cut) {
        append_zigzag(top, ftr + dv, ftl + dv, across, amp);
        append_zigzag(right, ftr + dv, fbr + dv, across, amp);
    } else {
        top << ftr + dv << ftl + dv;
        right << ftr + dv << fbr + dv;
    }
    const QPen edge(color.darker(170), 1.0);
    p.setPen(edge);
    p.setBrush(color.lighter(125));
    p.drawPolygon(top);
    p.setBrush(color.darker(115));
    p.drawPolygon(right);
    p.setBrush(color);
    p.drawRect(QRectF(ftl, fbr));

    // One cell per weight where there is room for the lines.
    QColor grid_color = color.darker(140);
    grid_color.setAlpha(140);
    p.setPen(QPen(grid_color, 0.8));
    if (unit >= 5.0) {
        for (int i = 1; i < s.w; ++i) {
            const double x = i * unit;
            p.drawLine(fbl + QPointF(x, 0), ftl + QPointF(x, 0));
            p.drawLine(ftl + QPointF(x, 0), ftl + QPointF(x, 0) + dv);
        }
        for (int j = 1; j < s.h; ++j) {
            const double y = -j * unit;
            p.drawLine(fbl + QPointF(0, y), fbr + QPointF(0, y));
            p.drawLine(fbr + QPointF(0, y), fbr + QPointF(0, y) + dv);
        }
    }
    if (len_dv >= 3.5) {
        for (int c = 1; c < s.depth; ++c) {
            p.drawLine(ftl + dv1 * c, ftr + dv1 * c);
            p.drawLine(ftr + dv1 * c, fbr + dv1 * c);
        }
    }
}

// Extent in pixels of a bank drawn at `unit`.
QSizeF bank_extent(const BankShape& s, double unit) {
    const double step = stack_step(unit) * (s.copies - 1);
    return {s.w * unit + s.depth * kDepthX * unit + step, s.h * unit + s.depth * kDepthY * unit + step};
}

// Largest unit at which the bank fits `room`.
double fitting_unit(const BankShape& s, QSizeF room) {
    const double step = 9.0 * (s.copies - 1);  // the largest stack step: safe bound
    const double ux = (room.width() - step) / (s.w + s.depth * kDepthX);
    const double uy = (room.height() - step) / (s.h + s.depth * kDepthY);
    return std::min(ux, uy);
}

QString times() { return QStringLiteral("×"); }

QString shape_text(int a, int b, int c) {
    return QStringList{QString::number(a), QString::number(b), QString::number(c)}.join(times());
}

}  // namespace

FilterShapeDiagram::FilterShapeDiagram(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    costs_ = mnv1::compare_conv_costs(3, 32, 64, 112);
}

void FilterShapeDiagram::set_shapes(int dk, int m, int n, int df) {
    costs_ = mnv1::compare_conv_costs(std::max(dk, 1), std::max(m, 1), std::max(n, 1), std::max(df, 1));
    update();
}

void FilterShapeDiagram::set_highlight(Highlight highlight) {
    highlight_ = highlight;
    update();
}

QSize FilterShapeDiagram::sizeHint() const { return {680, 430}; }

QSize FilterShapeDiagram::minimumSizeHint() const { return {460, 340}; }

QStringList FilterShapeDiagram::caption(Highlight bank) const {
    const auto& c = costs_;
    const QLocale loc;
    auto filters = [&](int count, const QString& symbol) {
        return tr("%1 = %2 filters").arg(symbol, loc.toString(count));
    };
    auto weights = [&](std::int64_t w) { return tr("%1 weights").arg(loc.toString(static_cast<qlonglong>(w))); };
    auto macs = [&](std::int64_t m) { return tr("%1 mult-adds").arg(format_count(m)); };
    switch (bank) {
        case Highlight::Standard:
            return {filters(c.n, QStringLiteral("N")), tr("each %1").arg(shape_text(c.dk, c.dk, c.m)),
                    weights(c.standard_params), macs(c.standard_macs)};
        case Highlight::Depthwise:
            return {filters(c.m, QStringLiteral("M")), tr("one per channel, %1").arg(shape_text(c.dk, c.dk, 1)), weights(c.depthwise_params),
                    macs(c.depthwise_macs)};
        case Highlight::Pointwise:
            return {filters(c.n, QStringLiteral("N")), tr("each %1").arg(shape_text(1, 1, c.m)),
                    weights(c.pointwise_params), macs(c.pointwise_macs)};
        case Highlight::All: break;
    }
    QString note = tr("To scale: one small square is one weight, the same size in all three drawings.");
    if (c.m > kCutAbove) {
        note += tr(" The %1 channels are cut after %2 (zigzag edge).").arg(c.m).arg(kDrawnChannels);
    }
    const QString df = QString::number(c.df);
    note += tr(" Mult-adds are counted on a %1 output.").arg(df + times() + df);
    return {note};
}

void FilterShapeDiagram::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    const QColor text = pal.color(QPalette::WindowText);
    const QColor muted_text = pal.color(QPalette::Disabled, QPalette::WindowText);
    const QFontMetrics fm = fontMetrics();
    const int line = fm.height();
    const QRect area = rect().adjusted(8, 6, -8, -6);
    const auto& c = costs_;

    auto on = [&](Highlight bank) { return highlight_ == Highlight::All || highlight_ == bank; };

    // Scale note, wrapped.
    const QString note = caption(Highlight::All).front();
    const QRect note_rect = fm.boundingRect(area, Qt::TextWordWrap, note);
    p.setPen(text);
    p.drawText(area, Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop, note);

    // Headings: "Standard" over the first column, "Depthwise separable" over the other two.
    const int gap = 14;
    const int col_w = (area.width() - 2 * gap) / 3;
    const int x0 = area.left();
    const int x1 = x0 + col_w + gap;
    const int x2 = x1 + col_w + gap;
    int y = note_rect.bottom() + 8;
    QFont bold = font();
    bold.setBold(true);
    p.setFont(bold);
    const QFontMetrics bfm(bold);
    p.setPen(on(Highlight::Standard) ? text : muted_text);
    p.drawText(QRect(x0, y, col_w, line), Qt::AlignHCenter, bfm.elidedText(tr("Standard convolution"), Qt::ElideRight, col_w));
    const bool sep_on = on(Highlight::Depthwise) || on(Highlight::Pointwise);
    p.setPen(sep_on ? text : muted_text);
    const int span_w = x2 + col_w - x1;
    p.drawText(QRect(x1, y, span_w, line), Qt::AlignHCenter,
               bfm.elidedText(tr("Depthwise separable convolution"), Qt::ElideRight, span_w));
    y += line + 2;
    p.setFont(font());
    p.setPen(QPen(sep_on ? text : muted_text, 1));
    p.drawLine(x1 + 4, y, x2 + col_w - 4, y);  // bracket under the separable heading
    p.drawLine(x1 + 4, y, x1 + 4, y - 4);
    p.drawLine(x2 + col_w - 4, y, x2 + col_w - 4, y - 4);
    y += 3;
    p.setPen(on(Highlight::Standard) ? text : muted_text);
    p.drawText(QRect(x0, y, col_w, line), Qt::AlignHCenter,
               fm.elidedText(tr("one step"), Qt::ElideRight, col_w));
    p.setPen(on(Highlight::Depthwise) ? text : muted_text);
    p.drawText(QRect(x1, y, col_w, line), Qt::AlignHCenter,
               fm.elidedText(tr("step 1: depthwise"), Qt::ElideRight, col_w));
    p.setPen(on(Highlight::Pointwise) ? text : muted_text);
    p.drawText(QRect(x2, y, col_w, line), Qt::AlignHCenter,
               fm.elidedText(tr("step 2: pointwise"), Qt::ElideRight, col_w));
    y += line + 6;

    // Bottom: the captions (4 lines) and the mult-add bars (3 rows).
    const int bars_h = 3 * (line + 4) + 4;
    const int captions_h = 4 * line + 6;
    const int draw_top = y;
    const int room_bottom = area.bottom() - bars_h - captions_h;
    const QSizeF room(col_w - 8, std::max(20, room_bottom - draw_top - line - 6));

    const BankShape standard = bank_shape(c.dk, c.m, c.n);
    const BankShape depthwise = bank_shape(c.dk, 1, c.m);
    const BankShape pointwise = bank_shape(1, c.m, c.n);
    double unit = std::min({fitting_unit(standard, room), fitting_unit(depthwise, room),
                            fitting_unit(pointwise, room), 22.0});
    unit = std::max(unit, 1.0);

    // One baseline for the three banks, right under the tallest one; the captions and bars
    // follow, and whatever height is left stays at the bottom.
    double tallest = 0;
    for (const BankShape* b : {&standard, &depthwise, &pointwise}) tallest = std::max(tallest, bank_extent(*b, unit).height());
    const double baseline = draw_top + tallest + 4;
    const int draw_bottom = static_cast<int>(std::ceil(baseline)) + line + 4;

    auto draw_bank = [&](const BankShape& s, int col_x, const QColor& base, Highlight bank, int count) {
        const QColor color = on(bank) ? base : kMutedColor;
        const QSizeF ext = bank_extent(s, unit);
        const double step = stack_step(unit);
        // Front copy's front-bottom-left corner, the bank centred in its column, resting on
        // the drawing area's bottom.
        const double left = col_x + (col_w - ext.width()) / 2.0;
        const double bottom = baseline;  // a line under the stack is left for "… × N"
        const QPointF front(left, bottom - (s.copies - 1) * step);
        // Back copies first, each one step further right and down.
        for (int i = s.copies - 1; i >= 0; --i) draw_box(p, front + QPointF(i * step, i * step), unit, s, color);
        if (count > s.copies) {
            p.setPen(on(bank) ? text : muted_text);
            const QString more = tr("%1 drawn … %2 in all").arg(s.copies).arg(count);
            p.drawText(QRectF(col_x, bottom + 2, col_w, line), Qt::AlignHCenter | Qt::AlignTop,
                       fm.elidedText(more, Qt::ElideRight, col_w));
        }
    };
    draw_bank(standard, x0, kStandardColor, Highlight::Standard, c.n);
    draw_bank(depthwise, x1, kDepthwiseColor, Highlight::Depthwise, c.m);
    draw_bank(pointwise, x2, kPointwiseColor, Highlight::Pointwise, c.n);

    // Dashed line between the standard column and the separable pair.
    p.setPen(QPen(muted_text, 1, Qt::DashLine));
    p.drawLine(x1 - gap / 2, draw_top, x1 - gap / 2, draw_bottom + captions_h);

    // Captions.
    int cy = draw_bottom + 6;
    auto draw_caption = [&](int col_x, Highlight bank) {
        p.setPen(on(bank) ? text : muted_text);
        int ly = cy;
        for (const QString& s : caption(bank)) {
            p.drawText(QRect(col_x, ly, col_w, line), Qt::AlignHCenter, fm.elidedText(s, Qt::ElideRight, col_w));
            ly += line;
        }
    };
    draw_caption(x0, Highlight::Standard);
    draw_caption(x1, Highlight::Depthwise);
    draw_caption(x2, Highlight::Pointwise);

    // Mult-add bars to scale.
    int by = draw_bottom + captions_h + 4;
    p.setPen(text);
    p.drawText(QRect(area.left(), by, area.width(), line), Qt::AlignLeft,
               fm.elidedText(tr("Mult-adds per image, to scale (the weights are in the same proportion):"),
                             Qt::ElideRight, area.width()));
    by += line + 4;
    const QString std_label = tr("Standard");
    const QString sep_label = tr("Separable");
    const int label_w = std::max(fm.horizontalAdvance(std_label), fm.horizontalAdvance(sep_label)) + 8;
    const QString std_value = format_count(c.standard_macs);
    const QString sep_value = tr("%1 = %2 + %3, %4")
                                  .arg(format_count(c.separable_macs), format_count(c.depthwise_macs),
                                       format_count(c.pointwise_macs), separable_saving_text(c));
    const int value_w = std::min(fm.horizontalAdvance(sep_value) + 8, area.width() / 2);
    const int bar_x = area.left() + label_w;
    const double bar_full = std::max(10, area.width() - label_w - value_w);
    const int bar_h = line - 4;
    auto bar_len = [&](std::int64_t v) {
        return std::max(1.0, bar_full * static_cast<double>(v) / static_cast<double>(c.standard_macs));
    };
    p.drawText(QRect(area.left(), by, label_w, line), Qt::AlignLeft, std_label);
    p.fillRect(QRectF(bar_x, by + 2, bar_len(c.standard_macs), bar_h), on(Highlight::Standard) ? kStandardColor : kMutedColor);
    p.drawText(QRect(bar_x + static_cast<int>(bar_full) + 6, by, value_w, line), Qt::AlignLeft, std_value);
    by += line + 4;
    p.drawText(QRect(area.left(), by, label_w, line), Qt::AlignLeft, sep_label);
    const double dw_len = bar_len(c.depthwise_macs);
    p.fillRect(QRectF(bar_x, by + 2, dw_len, bar_h), on(Highlight::Depthwise) ? kDepthwiseColor : kMutedColor);
    p.fillRect(QRectF(bar_x + dw_len, by + 2, bar_len(c.pointwise_macs), bar_h),
               on(Highlight::Pointwise) ? kPointwiseColor : kMutedColor);
    const double sep_end = bar_x + dw_len + bar_len(c.pointwise_macs) + 6;
    p.drawText(QRect(static_cast<int>(sep_end), by, area.right() - static_cast<int>(sep_end), line), Qt::AlignLeft,
               fm.elidedText(sep_value, Qt::ElideRight, area.right() - static_cast<int>(sep_end)));
}

QString separable_saving_text(const mnv1::ConvCostComparison& c) {
    if (c.ratio < 1.0) return FilterShapeDiagram::tr("%1× fewer").arg(c.speedup(), 0, 'f', 1);
    return FilterShapeDiagram::tr("%1 % more").arg(100.0 * (c.ratio - 1.0), 0, 'f', 1);
}

}  // namespace studio
