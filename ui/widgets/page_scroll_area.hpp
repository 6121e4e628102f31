// Scrolling pages: a page whose controls need more room than a small screen leaves
// (1024 × 700, or 2× scale) scrolls inside its tab instead of making the window wider or
// taller than the screen, which cut off whatever lay past the screen's edge.
// Threading: GUI thread.
#pragma once

#include <array>
#include <functional>

class QSplitter;
class QTabWidget;
class QWidget;

namespace studio {

// Fills `page` with a frameless scroll area (no minimum size of its own beyond a scroll
// bar) and returns the widget inside it, on which the page lays out its contents:
// `new QVBoxLayout(scrolling_content(this))` instead of `new QVBoxLayout(this)`. With room
// to spare the contents stretch to the page as before.
QWidget* scrolling_content(QWidget* page);

// A page's two panels in `splitter`: side by side, or (`stacked`) one above the other with
// each at least `stacked_min_heights` tall, so a scrolling page grows downwards instead of
// squeezing them. Once the splitter has its new size, the second panel gets
// `second_size(total, stacked)` pixels of the splitter's width (side by side) or height
// (stacked). Does nothing when the splitter already has that orientation.
void stack_panels(QSplitter* splitter, bool stacked, std::array<int, 2> stacked_min_heights,
                  std::function<int(int total, bool stacked)> second_size);

// The wheel over `tabs`' tab bar scrolls the page around it instead of switching tabs: a
// reader scrolling down the page must not land on a tab that starts a measurement.
void pass_tab_wheel_to_page(QTabWidget* tabs);

}  // namespace studio
