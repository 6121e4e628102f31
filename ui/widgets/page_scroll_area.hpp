// Scrolling pages: a page whose controls need more room than a small screen leaves
// (1024 × 700, or 2× scale) scrolls inside its tab instead of making the window wider or
// taller than the screen, which cut off whatever lay past the screen's edge.
// Threading: GUI thread.
#pragma once

class QWidget;

namespace studio {

// Fills `page` with a frameless scroll area (no minimum size of its own beyond a scroll
// bar) and returns the widget inside it, on which the page lays out its contents:
// `new QVBoxLayout(scrolling_content(this))` instead of `new QVBoxLayout(this)`. With room
// to spare the contents stretch to the page as before.
QWidget* scrolling_content(QWidget* page);

}  // namespace studio
