// report.html: one self-contained page (docs/report.md "HTML"): tables, run cards and the plots
// as inline SVG; no network, no external file. It reads completely without JavaScript; a small
// inline script only makes the tables sortable. Every value goes through xml_escape, like the SVGs.
#include <string_view>

#include "report/render.h"
#include "report/text_format.h"

namespace rn50::report {

namespace {

std::string h(std::string_view s) { return xml_escape(s); }

constexpr std::string_view kStyle = R"css(
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 0; color: #1d1d1f;
       background: #f6f7f9; line-height: 1.4; }
header { background: #24364b; color: #fff; padding: 14px 28px; }
header h1 { margin: 0; font-size: 22px; }
nav { background: #fff; border-bottom: 1px solid #dde1e6; padding: 8px 28px; font-size: 13px; }
nav a { color: #24548c; margin-right: 14px; text-decoration: none; }
main { padding: 8px 28px 28px; max-width: 1600px; }
section { margin-top: 22px; }
h2 { font-size: 18px; border-bottom: 2px solid #24364b; padding-bottom: 3px; }
h3 { font-size: 15px; margin: 0 0 8px; }
p.desc, p.note, figcaption, ul.notes, footer { font-size: 13px; color: #444; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 14px; }
.card { background: #fff; border: 1px solid #dde1e6; border-left: 4px solid #4e79a7;
        border-radius: 4px; padding: 12px 16px; }
.card dl { display: grid; grid-template-columns: max-content 1fr; gap: 3px 12px; margin: 0;
           font-size: 13px; }
.card dt { color: #555; font-weight: bold; }
.card dd { margin: 0; overflow-wrap: anywhere; }
.plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 14px; }
figure { margin: 0; background: #fff; border: 1px solid #dde1e6; border-radius: 4px;
         padding: 8px; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { padding: 4px 6px 0; }
ul.missing { font-size: 13px; color: #555; }
.scroll { overflow-x: auto; background: #fff; border: 1px solid #dde1e6; border-radius: 4px; }
table { border-collapse: collapse; font-size: 12px; }
th, td { border-bottom: 1px solid #e6e8eb; padding: 4px 8px; text-align: left;
         vertical-align: top; }
th { background: #eef1f5; position: sticky; top: 0; }
table.sortable th { cursor: pointer; }
th[aria-sort="ascending"]::after { content: " \25B2"; }
th[aria-sort="descending"]::after { content: " \25BC"; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.na { color: #8a5a00; }
table.kv td:first-child { font-weight: bold; color: #444; }
p.empty { font-style: italic; }
ul.warnings { font-size: 14px; }
ul.warnings li { margin-bottom: 4px; }
footer { padding: 12px 28px 24px; }
)css";

// Sortable tables: click (or Enter on) a header. Written for any browser of the last decade and
// with no network; the page is complete without it. Missing cells sort last either way.
constexpr std::string_view kScript = R"js(
(function () {
  function key(td) {
    var v = td.getAttribute("data-v");
    return v === null ? null : parseFloat(v);
  }
  var tables = document.querySelectorAll("table.sortable");
  Array.prototype.forEach.call(tables, function (table) {
    if (!table.tHead || !table.tBodies.length) return;
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      th.tabIndex = 0;
      th.title = "Sort by this column";
      function sort() {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (o) { o.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col], y = b.cells[col];
          if (!x || !y) return 0;
          var xm = x.className === "na", ym = y.className === "na";
          if (xm || ym) return xm === ym ? 0 : (xm ? 1 : -1);
          var kx = key(x), ky = key(y), r;
          if (kx !== null && ky !== null) r = kx - ky;
          else r = x.textContent.localeCompare(y.textContent);
          return asc ? r : -r;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); }
      });
    });
  });
  document.documentElement.setAttribute("data-report-script", "ok");
})();
)js";

void cell_html(std::string& out, const Cell& c) {
  if (c.missing) {
    append(out, {"<td class=\"na\">", h(c.text), "</td>"});
  } else if (c.number) {
    append(out,
           {"<td class=\"num\" data-v=\"", fmt_shortest(*c.number), "\">", h(c.text), "</td>"});
  } else {
    append(out, {"<td>", h(c.text), "</td>"});
  }
}

void table_html(std::string& out, const Table& t) {
  append(out, {"<section id=\"table-", h(t.id), "\">\n<h2>", h(t.title), "</h2>\n"});
  if (!t.description.empty()) append(out, {"<p class=\"desc\">", h(t.description), "</p>\n"});
  if (t.rows.empty()) {
    append(out, {"<p class=\"empty\">", h(t.empty_reason.empty() ? "No rows." : t.empty_reason),
                 "</p>\n"});
  } else {
    out += "<div class=\"scroll\"><table class=\"data sortable\">\n<thead><tr>";
    for (const auto& c : t.columns) append(out, {"<th scope=\"col\">", h(c), "</th>"});
    out += "</tr></thead>\n<tbody>\n";
    for (const auto& row : t.rows) {
      out += "<tr>";
      for (const auto& c : row) cell_html(out, c);
      out += "</tr>\n";
    }
    out += "</tbody></table></div>\n";
  }
  if (!t.notes.empty()) {
    out += "<ul class=\"notes\">\n";
    for (const auto& n : t.notes) append(out, {"<li>", h(n), "</li>\n"});
    out += "</ul>\n";
  }
  out += "</section>\n";
}

// The SVG as an element of the page: without its XML declaration.
std::string_view inline_svg(std::string_view svg) {
  if (svg.rfind("<?xml", 0) == 0) {
    const size_t end = svg.find("?>");
    if (end != std::string_view::npos) svg.remove_prefix(end + 2);
    while (!svg.empty() && (svg.front() == '\n' || svg.front() == '\r')) svg.remove_prefix(1);
  }
  return svg;
}

// Drawn plots as figures in a grid, then one list of the plots not drawn and why.
void plots_html(std::string& out, const std::vector<const Plot*>& plots) {
  out += "<div class=\"plots\">\n";
  for (const auto* p : plots) {
    if (p->svg.empty()) continue;
    append(out, {"<figure id=\"plot-", h(p->id), "\">\n", inline_svg(p->svg)});
    if (!p->caption.empty()) append(out, {"<figcaption>", h(p->caption), "</figcaption>\n"});
    out += "</figure>\n";
  }
  out += "</div>\n";
  const auto missing = missing_plots(plots);
  if (missing.empty()) return;
  out += "<ul class=\"missing\">\n";
  for (const auto& [titles, reason] : missing) {
    out += "<li>";
    for (size_t i = 0; i < titles.size(); ++i) append(out, {i ? ", " : "", h(titles[i])});
    append(out, {": not drawn (", h(reason), ").</li>\n"});
  }
  out += "</ul>\n";
}

void warning_html(std::string& out, const std::string& w) {
  // The first line is the warning; further lines ("  - ...") are its items.
  size_t start = 0;
  bool first = true, list = false;
  out += "<li>";
  while (start <= w.size()) {
    size_t end = w.find('\n', start);
    if (end == std::string::npos) end = w.size();
    std::string line = w.substr(start, end - start);
    if (first) {
      append(out, {"<strong>Warning:</strong> ", h(line)});
    } else {
      if (!list) out += "<ul>";
      list = true;
      const size_t dash = line.find("- ");
      append(out, {"<li>", h(dash == std::string::npos ? line : line.substr(dash + 2)), "</li>"});
    }
    first = false;
    start = end + 1;
  }
  if (list) out += "</ul>";
  out += "</li>\n";
}

}  // namespace

std::string render_html(const Report& r) {
  const bool curves_first = !r.cards.empty() || !r.cards_note.empty();
  std::vector<const Plot*> curves, others;
  for (const auto& p : r.plots)
    (curves_first && p.section == PlotSection::kCurves ? curves : others).push_back(&p);

  std::string out;
  append(out, {"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
               "<meta name=\"generator\" content=\"rn50-exp report\">\n<title>",
               h(r.title), "</title>\n<style>", kStyle, "</style>\n</head>\n<body>\n<header><h1>",
               h(r.title), "</h1></header>\n<nav>"});
  if (curves_first)
    out +=
        "<a href=\"#cards\">Runs of the built-in trainer</a><a href=\"#curves\">Training "
        "curves</a>";
  out += "<a href=\"#basis\">What the numbers rest on</a><a href=\"#warnings\">Warnings</a>";
  for (const auto& t : r.tables)
    append(out, {"<a href=\"#table-", h(t.id), "\">", h(t.title), "</a>"});
  out += "<a href=\"#plots\">Plots</a></nav>\n<main>\n";

  if (curves_first) {
    out += "<section id=\"cards\">\n<h2>Runs of the built-in trainer</h2>\n";
    if (!r.cards_note.empty()) append(out, {"<p class=\"note\">", h(r.cards_note), "</p>\n"});
    out += "<div class=\"cards\">\n";
    for (const auto& c : r.cards) {
      append(out, {"<article class=\"card\" id=\"run-", fmt_int(c.run_id), "\">\n<h3>", h(c.title),
                   "</h3>\n<dl>\n"});
      for (const auto& [k, v] : c.items) append(out, {"<dt>", h(k), "</dt><dd>", h(v), "</dd>\n"});
      out += "</dl>\n</article>\n";
    }
    out += "</div>\n</section>\n<section id=\"curves\">\n<h2>Training curves</h2>\n";
    plots_html(out, curves);
    out += "</section>\n";
  }

  out +=
      "<section id=\"basis\">\n<h2>What the numbers rest on</h2>\n"
      "<div class=\"scroll\"><table class=\"kv\">\n<tbody>\n";
  for (const auto& [k, v] : r.header)
    append(out, {"<tr><td>", h(k), "</td><td>", h(v), "</td></tr>\n"});
  out += "</tbody></table></div>\n</section>\n<section id=\"warnings\">\n<h2>Warnings</h2>\n";
  if (r.warnings.empty()) {
    out += "<p>None: the numbers below are comparable as shown.</p>\n";
  } else {
    out += "<ul class=\"warnings\">\n";
    for (const auto& w : r.warnings) warning_html(out, w);
    out += "</ul>\n";
  }
  out += "</section>\n";
  for (const auto& t : r.tables) table_html(out, t);
  out += "<section id=\"plots\">\n<h2>Plots</h2>\n";
  plots_html(out, others);
  append(out, {"</section>\n</main>\n<footer>Written by rn50-exp report; how every number is "
               "computed: docs/definitions.md and docs/report.md.</footer>\n<script>",
               kScript, "</script>\n</body>\n</html>\n"});
  return out;
}

}  // namespace rn50::report
