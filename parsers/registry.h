// The table of known formats and content sniffing.
#pragma once

#include <string_view>
#include <vector>

#include "parsers/parser.h"

namespace rn50::parsers {

// All parsers, in a fixed order (ties in sniffing go to the earlier one).
const std::vector<const Parser*>& all_parsers();

// nullptr when no parser has that name.
const Parser* find_parser(std::string_view name);

// The parser with the highest sniff score (> 0) for the first bytes of `content`; nullptr if none.
const Parser* sniff_format(std::string_view content);

}  // namespace rn50::parsers
