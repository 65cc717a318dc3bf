// Errors raised on bad user input (files, CLI values, specs). The message is one line that names
// the offending item and field and says what is allowed; callers show it as is.
#pragma once

#include <stdexcept>
#include <string>

namespace poq {

class InputError : public std::runtime_error {
public:
    explicit InputError(const std::string& message) : std::runtime_error(message) {}
};

} // namespace poq
