// suggest.hpp -- "did you mean ...?" for misspelled keys and names.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jailmgr::schema {

// Edit distance with adjacent transpositions (optimal string alignment),
// comparing ASCII letters case-insensitively.
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, if it is close enough to be a plausible
// typo: none for words of 1-2 characters (except case), 1 edit up to 4 characters, 2 up to 8, else 3.
// Ties go to the earliest candidate, so results are stable.
std::optional<std::string> suggest(std::string_view word, const std::vector<std::string_view>& candidates);

// "; did you mean 'hostname'?" or "" -- ready to append to a message.
std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace jailmgr::schema
