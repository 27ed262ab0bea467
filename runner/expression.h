// A tiny, safe arithmetic language for derived values in experiment files, e.g.
// `lr: "0.256 * global_batch / 256"`. Numbers, + - * / (also × and ÷), unary minus,
// parentheses and a fixed set of variables; nothing else (no functions, no side effects).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace rn50::runner {

class Expression {
 public:
  // Throws std::invalid_argument with a message like "unknown variable 'gb' at column 1
  // (known: global_batch, ...)" or "expected ')' at column 9".
  static Expression parse(const std::string& text, const std::vector<std::string>& variables);

  // Throws std::domain_error on division by zero or a non-finite result.
  double evaluate(const std::map<std::string, double>& values) const;

  const std::string& text() const { return text_; }

  struct Node;

 private:
  std::string text_;
  std::shared_ptr<const Node> root_;
};

// The variables every derived expression may use.
const std::vector<std::string>& derived_variables();

}  // namespace rn50::runner
