#include "common/StatsSink.h"

#include <jansson.h>

#include <string>
#include <vector>

namespace staleline {

namespace {
json_t* integer(uint64_t v) { return json_integer((json_int_t)v); }
}  // namespace

StatsSink::Group& StatsSink::Group::count(const char* name, uint64_t value) {
    json_object_set_new(obj_, name, integer(value));
    return *this;
}

StatsSink::Group& StatsSink::Group::duration_ns(const char* name, const sc_core::sc_time& t) {
    return count(name, (uint64_t)(t / sc_core::sc_time(1, sc_core::SC_NS)));
}

StatsSink::Group& StatsSink::Group::text(const char* name, const std::string& value) {
    json_object_set_new(obj_, name, json_string(value.c_str()));
    return *this;
}

StatsSink::Group StatsSink::Group::group(const char* name) {
    json_t* g = json_object_get(obj_, name);
    if (!json_is_object(g)) {
        g = json_object();
        json_object_set_new(obj_, name, g);
    }
    return Group(g);
}

StatsSink::StatsSink() : root_(json_object()) {}

StatsSink::~StatsSink() { json_decref(root_); }

StatsSink::Group StatsSink::group(const std::string& model) { return Group(root_).group(model.c_str()); }

void StatsSink::count(const char* name, uint64_t value) { Group(root_).count(name, value); }

json_t* StatsSink::take_json() {
    std::vector<std::string> empty;
    const char* key;
    json_t* v;
    json_object_foreach(root_, key, v) {
        if (json_is_object(v) && json_object_size(v) == 0) empty.push_back(key);
    }
    for (const std::string& k : empty) json_object_del(root_, k.c_str());
    json_t* out = root_;
    root_ = json_object();
    return out;
}

}  // namespace staleline
