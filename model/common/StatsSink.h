// StatsSink: the one place every model writes its statistics. Each model owns a group (its
// name: "dram", "cache", "iotlb", a device's instance) and writes its figures into it with
// write_stats; the run's JSON, its summary, the sweep columns and the tests all read what the
// sink holds, so a new counter is one line in the model that counts it.
#pragma once

#include <cstdint>
#include <string>

#include <systemc>

struct json_t;

namespace staleline {

class StatsSink {
public:
    // A model's group of figures (or a group inside it).
    class Group {
    public:
        Group& count(const char* name, uint64_t value);
        // A simulated duration, in whole nanoseconds (the name says so: "..._ns").
        Group& duration_ns(const char* name, const sc_core::sc_time& t);
        Group& text(const char* name, const std::string& value);
        Group group(const char* name);  // nested, e.g. a device model's own counters

    private:
        friend class StatsSink;
        explicit Group(json_t* obj) : obj_(obj) {}
        json_t* obj_;
    };

    StatsSink();
    ~StatsSink();
    StatsSink(const StatsSink&) = delete;
    StatsSink& operator=(const StatsSink&) = delete;

    Group group(const std::string& model);
    void count(const char* name, uint64_t value);  // a figure of the whole platform

    // What was written, as one JSON object (the caller owns it). A model's group it left
    // empty is not there.
    json_t* take_json();

private:
    json_t* root_;
};

}  // namespace staleline
