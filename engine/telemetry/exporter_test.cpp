#include "exporter.hpp"

#include <curl/curl.h>
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <mutex>

using namespace jailmgr::engine::telemetry;

namespace {

size_t append(char* data, size_t size, size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
}

// A real HTTP client, as Prometheus would scrape.
std::string http_get(const std::string& url, long* status) {
    std::string body;
    CURL* c = curl_easy_init();
    REQUIRE(c);
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");  // loopback, even where http_proxy is set
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_easy_cleanup(c);
    REQUIRE(rc == CURLE_OK);
    return body;
}

}  // namespace

TEST_CASE("the exporter serves freshly collected metrics on every scrape") {
    std::atomic<int> scrapes{0};
    Exporter exporter("127.0.0.1:0", [&] {
        ++scrapes;
        Snapshot s;
        s.reconciler.drift_jails = static_cast<std::size_t>(scrapes.load());
        return s;
    });
    REQUIRE(exporter.port() > 0);
    std::string url = "http://127.0.0.1:" + std::to_string(exporter.port()) + "/metrics";
    long status = 0;
    auto first = http_get(url, &status);
    CHECK(status == 200);
    CHECK(first.find("jailmgr_drift_jails 1\n") != std::string::npos);
    auto second = http_get(url, &status);
    CHECK(second.find("jailmgr_drift_jails 2\n") != std::string::npos);
    CHECK(second.find("# TYPE jailmgr_build_info gauge") != std::string::npos);
}

TEST_CASE("a failing collection still answers the scrape") {
    Exporter exporter("127.0.0.1:0", []() -> Snapshot { throw std::runtime_error("driver exploded"); });
    long status = 0;
    auto body = http_get("http://127.0.0.1:" + std::to_string(exporter.port()) + "/metrics", &status);
    CHECK(status == 200);
    CHECK(body.find("jailmgr_build_info") != std::string::npos);
}

TEST_CASE("non-loopback listen addresses are refused unless asked for") {
    CHECK_NOTHROW(check_listen_address("127.0.0.1:9452", false));
    CHECK_NOTHROW(check_listen_address("127.8.9.1:1", false));
    CHECK_NOTHROW(check_listen_address("localhost:9452", false));
    CHECK_NOTHROW(check_listen_address("[::1]:9452", false));
    CHECK_THROWS_WITH_AS(check_listen_address("0.0.0.0:9452", false),
                         "--listen 0.0.0.0:9452: not a loopback address; metrics reveal what runs on this host, "
                         "so pass --allow-remote to serve them beyond 127.0.0.1",
                         std::invalid_argument);
    CHECK_NOTHROW(check_listen_address("0.0.0.0:9452", true));
    CHECK_THROWS_AS(check_listen_address("9452", false), std::invalid_argument);
    CHECK_THROWS_AS(check_listen_address("127.0.0.1:x", false), std::invalid_argument);
}

TEST_CASE("a scrape is not held up by a slow collection: it gets the previous one, marked stale") {
    std::mutex gate;
    std::unique_lock hold(gate, std::defer_lock);
    std::atomic<int> collections{0};
    Exporter exporter(
        "127.0.0.1:0",
        [&] {
            std::lock_guard wait(gate);  // blocks while the test holds the gate
            Snapshot s;
            s.reconciler.drift_jails = static_cast<std::size_t>(++collections);
            return s;
        },
        std::chrono::milliseconds(200));
    std::string url = "http://127.0.0.1:" + std::to_string(exporter.port()) + "/metrics";
    long status = 0;
    auto fresh = http_get(url, &status);
    CHECK(fresh.find("jailmgr_drift_jails 1\n") != std::string::npos);
    CHECK(fresh.find("jailmgr_exporter_stale 0\n") != std::string::npos);

    hold.lock();  // the next collection hangs, like a wedged jail
    auto start = std::chrono::steady_clock::now();
    auto stale = http_get(url, &status);
    auto waited = std::chrono::steady_clock::now() - start;
    CHECK(status == 200);
    CHECK(waited < std::chrono::seconds(2));
    CHECK(stale.find("jailmgr_drift_jails 1\n") != std::string::npos);
    CHECK(stale.find("jailmgr_exporter_stale 1\n") != std::string::npos);
    // A second scrape joins the hung collection instead of starting another.
    auto again = http_get(url, &status);
    CHECK(again.find("jailmgr_exporter_stale 1\n") != std::string::npos);
    CHECK(collections.load() == 1);

    hold.unlock();
    std::string after;
    for (int i = 0; i < 100 && after.find("jailmgr_exporter_stale 0\n") == std::string::npos; ++i)
        after = http_get(url, &status);
    CHECK(after.find("jailmgr_exporter_stale 0\n") != std::string::npos);
    // Fresh again: the hung collection's result or a newer one.
    CHECK(after.find("jailmgr_drift_jails 1\n") == std::string::npos);
    CHECK(collections.load() >= 2);
}
