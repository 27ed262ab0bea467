#include "report/report_model.h"

#include "report/text_format.h"

namespace rn50::report {

Cell Cell::num(double v, int decimals, const std::string& suffix) {
  return Cell{fmt_fixed(v, decimals) + suffix, v, false};
}

Cell Cell::integer(long long v) { return Cell{fmt_int(v), static_cast<double>(v), false}; }

}  // namespace rn50::report
