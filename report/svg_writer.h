// A minimal, deterministic SVG document builder: every coordinate is printed with two decimals
// through the locale-free formatter, every text goes through xml_escape.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rn50::report {

struct Stroke {
  std::string color = "#000000";
  double width = 1.0;
  std::string dash;  // SVG stroke-dasharray, empty = solid
  double opacity = 1.0;
};

enum class Anchor { kStart, kMiddle, kEnd };

class SvgWriter {
 public:
  SvgWriter(double width, double height);

  void line(double x1, double y1, double x2, double y2, const Stroke& s);
  void polyline(const std::vector<std::pair<double, double>>& pts, const Stroke& s);
  void rect(double x, double y, double w, double h, const std::string& fill, const Stroke* s);
  void circle(double cx, double cy, double r, const std::string& fill);
  // A ring: white inside, `color` outline (a second kind of marker beside filled circles).
  void ring(double cx, double cy, double r, const std::string& color);
  // `rotate` in degrees around (x, y); text is escaped here.
  void text(double x, double y, std::string_view content, double size, Anchor anchor,
            double rotate = 0, bool bold = false, const std::string& fill = "#000000");
  void comment(std::string_view c);

  std::string finish() const;

 private:
  double width_, height_;
  std::string body_;
};

std::string svg_num(double v);

}  // namespace rn50::report
