#include "checker/FindingJson.h"

#include <jansson.h>

namespace staleline {

namespace {
json_t* u64(uint64_t v) { return json_integer((json_int_t)v); }
}  // namespace

json_t* location_json(const SourceLocation& loc) {
    json_t* o = json_object();
    json_object_set_new(o, "file", json_string(loc.file.c_str()));
    json_object_set_new(o, "line", json_integer(loc.line));
    json_object_set_new(o, "function", json_string(loc.function.c_str()));
    return o;
}

json_t* finding_json(const Finding& f) {
    json_t* o = json_object();
    json_object_set_new(o, "kind", json_string(to_string(f.kind)));
    json_object_set_new(o, "message", json_string(f.message.c_str()));
    // coherency kinds: "data", "order" or "both" (docs/findings.md, Evidence)
    if (!f.evidence.empty()) json_object_set_new(o, "evidence", json_string(f.evidence.c_str()));
    json_object_set_new(o, "address", u64(f.address));
    json_object_set_new(o, "size", u64(f.size));
    if (f.has_device_address) json_object_set_new(o, "device_address", u64(f.device_address));
    if (f.requester >= 0) json_object_set_new(o, "requester", json_integer(f.requester));
    if (f.vmo) {
        json_t* v = json_object();
        json_object_set_new(v, "koid", u64(f.vmo));
        json_object_set_new(v, "offset", u64(f.vmo_offset));
        json_object_set_new(o, "vmo", v);
    }
    json_object_set_new(o, "time_ns", u64(time_ns(f.when)));
    json_object_set_new(o, "count", u64(f.count));
    json_object_set_new(o, "location", location_json(f.where));
    json_t* stack = json_array();
    for (const SourceLocation& frame : f.stack) json_array_append_new(stack, location_json(frame));
    json_object_set_new(o, "stack", stack);
    if (f.related.present()) {
        json_t* r = json_object();
        json_object_set_new(r, "what", json_string(f.related.what.c_str()));
        json_object_set_new(r, "time_ns", u64(time_ns(f.related.when)));
        json_object_set_new(r, "location", location_json(f.related.where));
        json_object_set_new(r, "message", json_string(f.related.message.c_str()));
        json_object_set_new(o, "related", r);
    }
    return o;
}

json_t* findings_json(const FindingLog& log) {
    json_t* a = json_array();
    for (const Finding& f : log.all()) json_array_append_new(a, finding_json(f));
    return a;
}

}  // namespace staleline
