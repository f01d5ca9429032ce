#include "line_splitter.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using jailmgr::engine::supervisor::LineSplitter;

namespace {

struct Collect {
    std::vector<std::string> lines;
    void operator()(std::string_view l) { lines.emplace_back(l); }
};

}  // namespace

TEST_CASE("complete lines come out as they are fed, empty lines included") {
    LineSplitter s(16);
    Collect c;
    s.feed("one\ntwo\n\nthree\n", std::ref(c));
    CHECK(c.lines == std::vector<std::string>{"one", "two", "", "three"});
    CHECK(s.pending() == 0);
}

TEST_CASE("a partial line waits for the rest, and is flushed at the end of the stream") {
    LineSplitter s(16);
    Collect c;
    s.feed("hel", std::ref(c));
    s.feed("lo\nwor", std::ref(c));
    CHECK(c.lines == std::vector<std::string>{"hello"});
    CHECK(s.pending() == 3);
    s.flush(std::ref(c));
    CHECK(c.lines == std::vector<std::string>{"hello", "wor"});
    s.flush(std::ref(c));  // nothing more
    CHECK(c.lines.size() == 2);
}

TEST_CASE("long lines are cut at max_line, without an empty line after an exact cut") {
    LineSplitter s(4);
    Collect c;
    s.feed("abcdefghij\nabcd\nabcdefgh\nxy\n", std::ref(c));
    CHECK(c.lines == std::vector<std::string>{"abcd", "efgh", "ij", "abcd", "abcd", "efgh", "xy"});
}

TEST_CASE("a long line fed in small pieces is cut the same way") {
    LineSplitter s(4);
    Collect c;
    for (char ch : std::string("abcdefghij\n")) s.feed(std::string_view(&ch, 1), std::ref(c));
    CHECK(c.lines == std::vector<std::string>{"abcd", "efgh", "ij"});
    s.feed("abcd", std::ref(c));
    s.feed("\n\n", std::ref(c));
    CHECK(c.lines == std::vector<std::string>{"abcd", "efgh", "ij", "abcd", ""});
}
