#include "report/svg_writer.h"

#include "report/text_format.h"

namespace rn50::report {

std::string svg_num(double v) {
  std::string s = fmt_fixed(v, 2);
  // Trim trailing zeros: shorter files, still deterministic.
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

namespace {

std::string stroke_attrs(const Stroke& s) {
  std::string a =
      " stroke=\"" + xml_escape(s.color) + "\" stroke-width=\"" + svg_num(s.width) + "\"";
  if (!s.dash.empty()) a += " stroke-dasharray=\"" + xml_escape(s.dash) + "\"";
  if (s.opacity < 1.0) a += " stroke-opacity=\"" + svg_num(s.opacity) + "\"";
  return a;
}

}  // namespace

SvgWriter::SvgWriter(double width, double height) : width_(width), height_(height) {}

void SvgWriter::line(double x1, double y1, double x2, double y2, const Stroke& s) {
  body_ += "<line x1=\"" + svg_num(x1) + "\" y1=\"" + svg_num(y1) + "\" x2=\"" + svg_num(x2) +
           "\" y2=\"" + svg_num(y2) + "\"" + stroke_attrs(s) + "/>\n";
}

void SvgWriter::polyline(const std::vector<std::pair<double, double>>& pts, const Stroke& s) {
  if (pts.empty()) return;
  body_ += "<polyline fill=\"none\"" + stroke_attrs(s) + " points=\"";
  for (size_t i = 0; i < pts.size(); ++i) {
    if (i) body_ += ' ';
    body_ += svg_num(pts[i].first) + "," + svg_num(pts[i].second);
  }
  body_ += "\"/>\n";
}

void SvgWriter::rect(double x, double y, double w, double h, const std::string& fill,
                     const Stroke* s) {
  body_ += "<rect x=\"" + svg_num(x) + "\" y=\"" + svg_num(y) + "\" width=\"" + svg_num(w) +
           "\" height=\"" + svg_num(h) + "\" fill=\"" + xml_escape(fill) + "\"" +
           (s ? stroke_attrs(*s) : std::string()) + "/>\n";
}

void SvgWriter::circle(double cx, double cy, double r, const std::string& fill) {
  body_ += "<circle cx=\"" + svg_num(cx) + "\" cy=\"" + svg_num(cy) + "\" r=\"" + svg_num(r) +
           "\" fill=\"" + xml_escape(fill) + "\"/>\n";
}

void SvgWriter::ring(double cx, double cy, double r, const std::string& color) {
  body_ += "<circle cx=\"" + svg_num(cx) + "\" cy=\"" + svg_num(cy) + "\" r=\"" + svg_num(r) +
           "\" fill=\"#ffffff\" stroke=\"" + xml_escape(color) + "\" stroke-width=\"1.5\"/>\n";
}

void SvgWriter::text(double x, double y, std::string_view content, double size, Anchor anchor,
                     double rotate, bool bold, const std::string& fill) {
  const char* a = anchor == Anchor::kStart ? "start" : anchor == Anchor::kMiddle ? "middle" : "end";
  body_ += "<text x=\"" + svg_num(x) + "\" y=\"" + svg_num(y) + "\" font-size=\"" + svg_num(size) +
           "\" text-anchor=\"" + a + "\" fill=\"" + xml_escape(fill) + "\"";
  if (bold) body_ += " font-weight=\"bold\"";
  if (rotate != 0)
    body_ += " transform=\"rotate(" + svg_num(rotate) + " " + svg_num(x) + " " + svg_num(y) + ")\"";
  body_ += '>';  // appended, not ">" + ...: GCC 12's false -Wrestrict (PR 105329)
  body_ += xml_escape(content);
  body_ += "</text>\n";
}

void SvgWriter::comment(std::string_view c) {
  std::string clean = sanitize_text(c);
  // "--" is not allowed inside an XML comment.
  for (size_t p; (p = clean.find("--")) != std::string::npos;) clean.replace(p, 2, "- ");
  body_ += "<!-- " + clean + " -->\n";
}

std::string SvgWriter::finish() const {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
         svg_num(width_) + "\" height=\"" + svg_num(height_) + "\" viewBox=\"0 0 " +
         svg_num(width_) + " " + svg_num(height_) +
         "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
         "<rect x=\"0\" y=\"0\" width=\"" +
         svg_num(width_) + "\" height=\"" + svg_num(height_) + "\" fill=\"#ffffff\"/>\n" + body_ +
         "</svg>\n";
}

}  // namespace rn50::report
