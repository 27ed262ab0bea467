// Typed exceptions. Libraries throw; app/main.cpp holds the only catch that maps them to exit
// codes.
#pragma once

#include <stdexcept>
#include <string>

namespace rn50::core {

// Bad input from the user (config, experiment file, command line): exit code 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Anything else that stops a command (I/O, database, parse failure of a whole file): exit code 1.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace rn50::core
