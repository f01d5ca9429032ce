// line_splitter.hpp -- turns a byte stream into lines of at most `max_line`
// bytes, with a fixed buffer: a longer line is cut into pieces, a partial
// line waits for more input (or for flush() when the stream ends).
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace jailmgr::engine::supervisor {

class LineSplitter {
public:
    explicit LineSplitter(std::size_t max_line) : max_(max_line) {}

    // Calls emit(std::string_view line) for every complete line in `data`
    // (without its '\n') and for every full `max_line` piece of a long one.
    template <class Emit>
    void feed(std::string_view data, Emit&& emit) {
        while (!data.empty()) {
            std::size_t nl = data.find('\n');
            std::string_view chunk = data.substr(0, nl);
            if (len_ == 0 && nl != std::string_view::npos && chunk.size() <= max_) {
                // The common case: a whole line, straight from the input.
                if (!(chunk.empty() && just_cut_)) emit(chunk);
                just_cut_ = false;
                data.remove_prefix(nl + 1);
                continue;
            }
            // Accumulate, cutting at max_line.
            std::size_t take = std::min(chunk.size(), max_ - len_);
            if (take > 0) {
                if (!buf_) buf_ = std::make_unique<char[]>(max_);
                std::memcpy(buf_.get() + len_, chunk.data(), take);
                len_ += take;
                just_cut_ = false;
            }
            data.remove_prefix(take);
            if (len_ == max_) {
                emit(std::string_view(buf_.get(), len_));
                len_ = 0;
                just_cut_ = true;  // a '\n' right after the cut ends nothing new
            } else if (!data.empty() && data.front() == '\n') {
                if (!(len_ == 0 && just_cut_)) emit(std::string_view(buf_ ? buf_.get() : "", len_));
                len_ = 0;
                just_cut_ = false;
                data.remove_prefix(1);
            }
        }
    }

    // End of stream: emits a pending partial line.
    template <class Emit>
    void flush(Emit&& emit) {
        if (len_ > 0) emit(std::string_view(buf_.get(), len_));
        len_ = 0;
        just_cut_ = false;
    }

    std::size_t pending() const { return len_; }

private:
    std::size_t max_;
    std::unique_ptr<char[]> buf_;  // allocated on the first partial line
    std::size_t len_ = 0;
    bool just_cut_ = false;
};

}  // namespace jailmgr::engine::supervisor
