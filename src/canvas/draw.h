// Paints noflo-canvas drawing commands on the run's canvas, as canvas/Draw's
// parser did with the HTML canvas API (node-canvas on Cairo).
//
// A command is an object with a "type", or an array of commands (nulls are
// skipped). Types understood:
//   fill       {items, fillstyle?}: for each item: begin a path, trace the item,
//              close it, fill it (non-zero rule, anti-aliased) with fillstyle
//              (a CSS colour) or the current fill style
//   fillStyle  {value}: sets the current fill style (initially black)
//   path       {items: [point | array of points, ...]}: first point moves, the others line to
//   rectangle  {point, width, height}: the rectangle's outline as a sub-path
// Other types are ignored, as the original ignored them. An invalid colour is
// an error (kInvalidArgument); the Stop is polled between commands.
#pragma once

#include "canvas/component.h"

namespace imgflo::canvas {

Status draw_commands(const Value& commands, DrawContext& ctx);

}  // namespace imgflo::canvas
