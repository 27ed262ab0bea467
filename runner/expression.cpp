#include "runner/expression.h"

#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace rn50::runner {

struct Expression::Node {
  char op = 0;  // 0 number, 'v' variable, 'n' negate, + - * /
  double number = 0;
  std::string variable;
  std::shared_ptr<const Node> lhs, rhs;
};

namespace {

using NodePtr = std::shared_ptr<const Expression::Node>;

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// Recursive descent over: expr := term (('+'|'-') term)*; term := unary (('*'|'/') unary)*;
// unary := ('-'|'+') unary | primary; primary := number | name | '(' expr ')'.
class Parser {
 public:
  Parser(const std::string& text, const std::vector<std::string>& vars) : s_(text), vars_(vars) {}

  NodePtr parse_all() {
    NodePtr n = expr();
    skip_space();
    if (pos_ != s_.size()) fail("unexpected '" + s_.substr(pos_, 1) + "'");
    return n;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::invalid_argument(what + " at column " + std::to_string(pos_ + 1));
  }

  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_;
  }

  // Accepts the ASCII operator or its UTF-8 typographic twin (× ÷ −).
  bool take(char ascii, const char* utf8) {
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == ascii) {
      ++pos_;
      return true;
    }
    const std::string u = utf8 ? utf8 : "";
    if (!u.empty() && s_.compare(pos_, u.size(), u) == 0) {
      pos_ += u.size();
      return true;
    }
    return false;
  }

  static NodePtr make(char op, NodePtr l, NodePtr r) {
    auto n = std::make_shared<Expression::Node>();
    n->op = op;
    n->lhs = std::move(l);
    n->rhs = std::move(r);
    return n;
  }

  NodePtr expr() {
    NodePtr n = term();
    for (;;) {
      if (take('+', nullptr))
        n = make('+', n, term());
      else if (take('-', "\xE2\x88\x92"))
        n = make('-', n, term());
      else
        return n;
    }
  }

  NodePtr term() {
    NodePtr n = unary();
    for (;;) {
      if (take('*', "\xC3\x97"))
        n = make('*', n, unary());
      else if (take('/', "\xC3\xB7"))
        n = make('/', n, unary());
      else
        return n;
    }
  }

  NodePtr unary() {
    if (take('-', "\xE2\x88\x92")) return make('n', unary(), nullptr);
    if (take('+', nullptr)) return unary();
    return primary();
  }

  NodePtr primary() {
    skip_space();
    if (pos_ >= s_.size()) fail("expected a number, a variable or '('");
    const char c = s_[pos_];
    if (c == '(') {
      ++pos_;
      NodePtr n = expr();
      if (!take(')', nullptr)) fail("expected ')'");
      return n;
    }
    if ((c >= '0' && c <= '9') || c == '.') {
      const char* begin = s_.c_str() + pos_;
      char* end = nullptr;
      const double v = std::strtod(begin, &end);
      if (end == begin) fail("bad number");
      pos_ += static_cast<size_t>(end - begin);
      auto n = std::make_shared<Expression::Node>();
      n->number = v;
      return n;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      const size_t start = pos_;
      while (pos_ < s_.size() &&
             (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_'))
        ++pos_;
      const std::string name = s_.substr(start, pos_ - start);
      bool known = false;
      for (const auto& v : vars_) known = known || v == name;
      if (!known) {
        pos_ = start;
        fail("unknown variable '" + name + "' (known: " + join(vars_) + ")");
      }
      auto n = std::make_shared<Expression::Node>();
      n->op = 'v';
      n->variable = name;
      return n;
    }
    fail("unexpected '" + s_.substr(pos_, 1) + "'");
  }

  const std::string& s_;
  const std::vector<std::string>& vars_;
  size_t pos_ = 0;
};

double eval(const Expression::Node& n, const std::map<std::string, double>& values) {
  switch (n.op) {
    case 0:
      return n.number;
    case 'v': {
      auto it = values.find(n.variable);
      if (it == values.end()) throw std::domain_error("variable '" + n.variable + "' has no value");
      return it->second;
    }
    case 'n':
      return -eval(*n.lhs, values);
    case '+':
      return eval(*n.lhs, values) + eval(*n.rhs, values);
    case '-':
      return eval(*n.lhs, values) - eval(*n.rhs, values);
    case '*':
      return eval(*n.lhs, values) * eval(*n.rhs, values);
    case '/': {
      const double d = eval(*n.rhs, values);
      if (d == 0) throw std::domain_error("division by zero");
      return eval(*n.lhs, values) / d;
    }
  }
  throw std::domain_error("bad expression node");
}

}  // namespace

Expression Expression::parse(const std::string& text, const std::vector<std::string>& variables) {
  Expression e;
  e.text_ = text;
  e.root_ = Parser(text, variables).parse_all();
  return e;
}

double Expression::evaluate(const std::map<std::string, double>& values) const {
  const double v = eval(*root_, values);
  if (!std::isfinite(v)) throw std::domain_error("result is not finite");
  return v;
}

const std::vector<std::string>& derived_variables() {
  static const std::vector<std::string> kVars = {"global_batch", "batch_per_device", "devices",
                                                 "nodes", "devices_per_node"};
  return kVars;
}

}  // namespace rn50::runner
