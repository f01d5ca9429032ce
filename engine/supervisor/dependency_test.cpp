#include "dependency.hpp"

#include <doctest/doctest.h>

using namespace jailmgr::engine::supervisor;

namespace {

ServiceSpec svc(const std::string& name, std::map<std::string, Condition> deps = {}) {
    ServiceSpec s;
    s.name = name;
    s.argv = {"true"};
    s.depends_on = std::move(deps);
    return s;
}

}  // namespace

TEST_CASE("dependencies start first; independent services in name order") {
    auto order = start_order({svc("web", {{"db", Condition::service_healthy}, {"migrate", Condition::service_completed_successfully}}),
                              svc("migrate", {{"db", Condition::service_started}}), svc("db"), svc("cache")});
    CHECK(order == std::vector<std::string>{"cache", "db", "migrate", "web"});
}

TEST_CASE("a dependency cycle is named from where it closes") {
    CHECK_THROWS_WITH_AS(start_order({svc("a", {{"b", Condition::service_started}}),
                                      svc("b", {{"c", Condition::service_started}}),
                                      svc("c", {{"a", Condition::service_started}})}),
                         "dependency cycle: a -> b -> c -> a", SpecError);
    CHECK_THROWS_WITH_AS(start_order({svc("a", {{"a", Condition::service_started}})}), "dependency cycle: a -> a",
                         SpecError);
    CHECK_THROWS_WITH_AS(start_order({svc("a", {{"nope", Condition::service_started}})}),
                         "service 'a' depends on 'nope', which is not defined", SpecError);
}

TEST_CASE("conditions: started, healthy, completed successfully") {
    ServiceView running{Phase::running, Health::starting, true, true};
    ServiceView healthy{Phase::running, Health::healthy, true, true};
    ServiceView done{Phase::completed, Health::none, false, true};
    ServiceView crashed{Phase::exited, Health::none, false, true};
    ServiceView never{Phase::exited, Health::none, false, false};  // spawn failed, restart: no
    ServiceView waiting{Phase::waiting, Health::none, true, false};
    CHECK(condition_met(Condition::service_started, running));
    CHECK(condition_met(Condition::service_started, done));
    CHECK(condition_met(Condition::service_started, crashed));
    CHECK_FALSE(condition_met(Condition::service_started, never));
    CHECK_FALSE(condition_met(Condition::service_started, waiting));
    CHECK_FALSE(condition_met(Condition::service_healthy, running));
    CHECK(condition_met(Condition::service_healthy, healthy));
    // Without a health check, "healthy" means started.
    CHECK(condition_met(Condition::service_healthy, ServiceView{Phase::running, Health::none, false, true}));
    CHECK(condition_met(Condition::service_completed_successfully, done));
    CHECK_FALSE(condition_met(Condition::service_completed_successfully, crashed));
    CHECK_FALSE(condition_met(Condition::service_completed_successfully, running));
}

TEST_CASE("a service may start when every dependency's condition holds") {
    auto web = svc("web", {{"db", Condition::service_healthy}, {"migrate", Condition::service_completed_successfully}});
    std::map<std::string, ServiceView> views = {{"db", {Phase::running, Health::healthy, true, true}},
                                                {"migrate", {Phase::running, Health::none, false, true}}};
    ViewLookup lookup = [&](const std::string& n) -> const ServiceView* {
        auto it = views.find(n);
        return it == views.end() ? nullptr : &it->second;
    };
    CHECK_FALSE(dependencies_met(web, lookup));
    views["migrate"].phase = Phase::completed;
    CHECK(dependencies_met(web, lookup));
    views.erase("db");
    CHECK_FALSE(dependencies_met(web, lookup));
}

TEST_CASE("a service may stop only when everything depending on it is down") {
    auto db = svc("db");
    auto web = svc("web", {{"db", Condition::service_started}});
    std::vector<const ServiceSpec*> all = {&db, &web};
    std::map<std::string, ServiceView> views = {{"db", {Phase::running, Health::none, false, true}},
                                                {"web", {Phase::stopping, Health::none, false, true}}};
    ViewLookup lookup = [&](const std::string& n) -> const ServiceView* { return &views.at(n); };
    CHECK_FALSE(dependents_down("db", all, lookup));
    CHECK(dependents_down("web", all, lookup));
    views["web"].phase = Phase::backoff;  // could come back: not down
    CHECK_FALSE(dependents_down("db", all, lookup));
    views["web"].phase = Phase::stopped;
    CHECK(dependents_down("db", all, lookup));
}
