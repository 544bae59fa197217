#include "checker/SarifWriter.h"

#include <cctype>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include <jansson.h>

namespace staleline {

namespace {

constexpr const char* kSchema = "https://json.schemastore.org/sarif-2.1.0.json";

json_t* text(const std::string& s) {
    json_t* o = json_object();
    json_object_set_new(o, "text", json_string(s.c_str()));
    return o;
}

// "stale-device-read" -> "StaleDeviceRead" (SARIF rule names are identifiers).
std::string camel(const char* kind) {
    std::string out;
    bool up = true;
    for (const char* c = kind; *c; ++c) {
        if (*c == '-') {
            up = true;
            continue;
        }
        out += up ? (char)std::toupper((unsigned char)*c) : *c;
        up = false;
    }
    return out;
}

std::string hex(uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%" PRIx64, v);
    return b;
}

// A SARIF location for a source location: physical when the file is known, logical (the
// function) when known. An unknown location becomes a logical location named so.
json_t* location(const SourceLocation& loc) {
    json_t* l = json_object();
    if (!loc.file.empty()) {
        json_t* art = json_object();
        if (loc.file[0] == '/') {
            json_object_set_new(art, "uri", json_string(SarifWriter::absolute_file_uri(loc.file).c_str()));
        } else {
            json_object_set_new(art, "uri", json_string(SarifWriter::file_uri(loc.file).c_str()));
            json_object_set_new(art, "uriBaseId", json_string("SRCROOT"));
        }
        json_t* phys = json_object();
        json_object_set_new(phys, "artifactLocation", art);
        if (loc.line > 0) {
            json_t* region = json_object();
            json_object_set_new(region, "startLine", json_integer(loc.line));
            json_object_set_new(phys, "region", region);
        }
        json_object_set_new(l, "physicalLocation", phys);
    }
    if (!loc.function.empty() || loc.file.empty()) {
        json_t* logical = json_object();
        json_object_set_new(logical, "name", json_string(loc.function.empty() ? "unknown location" : loc.function.c_str()));
        if (!loc.function.empty()) json_object_set_new(logical, "kind", json_string("function"));
        json_t* arr = json_array();
        json_array_append_new(arr, logical);
        json_object_set_new(l, "logicalLocations", arr);
    }
    return l;
}

// A message as SARIF wants it: one or more sentences ending with a period.
json_t* sentence(std::string s) {
    while (!s.empty() && s.back() == ' ') s.pop_back();
    if (s.empty() || (s.back() != '.' && s.back() != '!' && s.back() != '?')) s += '.';
    return text(s);
}

bool has_scheme(const std::string& uri) {
    if (uri.empty() || !std::isalpha((unsigned char)uri[0])) return false;
    for (char c : uri) {
        if (c == ':') return true;
        if (!std::isalnum((unsigned char)c) && c != '+' && c != '-' && c != '.') return false;
    }
    return false;
}

// The call stack of a finding as a SARIF stack, innermost frame first.
json_t* stack_json(const std::vector<SourceLocation>& frames) {
    json_t* arr = json_array();
    for (const SourceLocation& f : frames) {
        json_t* frame = json_object();
        json_object_set_new(frame, "location", location(f));
        json_array_append_new(arr, frame);
    }
    json_t* st = json_object();
    json_object_set_new(st, "message", text("The driver's call stack at the finding's location, innermost frame first."));
    json_object_set_new(st, "frames", arr);
    return st;
}

}  // namespace

#ifndef STALELINE_VERSION
#define STALELINE_VERSION "0.1.0"
#endif

const char* SarifWriter::version() { return STALELINE_VERSION; }
const char* SarifWriter::information_uri() { return "https://staleline.dev/"; }

SarifWriter::SarifWriter(std::string help_uri, std::string source_root)
    : help_uri_(std::move(help_uri)), source_root_(std::move(source_root)) {}

std::string SarifWriter::absolute_file_uri(const std::string& path) { return "file://" + file_uri(path); }

std::string SarifWriter::help_base() const {
    if (has_scheme(help_uri_)) return help_uri_;
    if (!help_uri_.empty() && help_uri_[0] == '/') return absolute_file_uri(help_uri_);
    std::string root = source_root_;
    if (!root.empty() && root.back() != '/') root += '/';
    return absolute_file_uri((root.empty() ? std::string("/") : root) + help_uri_);
}

std::string SarifWriter::file_uri(const std::string& file) {
    static const char* kHex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : file) {
        if (std::isalnum(c) || std::strchr("-._~/!$&'()*+,;=:@", c)) {
            out += (char)c;
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

json_t* SarifWriter::document(const FindingLog& log) const {
    const std::string help = help_base();
    json_t* rules = json_array();
    for (size_t i = 0; i < kFindingKindCount; ++i) {
        const FindingKind k = (FindingKind)i;
        json_t* r = json_object();
        json_object_set_new(r, "id", json_string(to_string(k)));
        json_object_set_new(r, "name", json_string(camel(to_string(k)).c_str()));
        json_object_set_new(r, "shortDescription", text(summary(k)));
        json_object_set_new(r, "fullDescription", text(remedy(k)));
        json_object_set_new(r, "helpUri", json_string((help + "#" + to_string(k)).c_str()));
        json_object_set_new(r, "help", text(std::string(summary(k)) + " " + remedy(k) + " See " + help + "#" +
                                            to_string(k) + "."));
        json_t* conf = json_object();
        json_object_set_new(conf, "level", json_string("error"));
        json_object_set_new(r, "defaultConfiguration", conf);
        json_array_append_new(rules, r);
    }
    json_t* driver = json_object();
    json_object_set_new(driver, "name", json_string("staleline"));
    json_object_set_new(driver, "version", json_string(version()));
    json_object_set_new(driver, "informationUri", json_string(information_uri()));
    json_object_set_new(driver, "rules", rules);
    json_t* tool = json_object();
    json_object_set_new(tool, "driver", driver);

    json_t* results = json_array();
    for (const Finding& f : log.all()) {
        json_t* res = json_object();
        json_object_set_new(res, "ruleId", json_string(to_string(f.kind)));
        json_object_set_new(res, "ruleIndex", json_integer((json_int_t)f.kind));
        json_object_set_new(res, "level", json_string("error"));
        json_object_set_new(res, "message", sentence(f.message));
        json_t* locs = json_array();
        json_array_append_new(locs, location(f.where));
        json_object_set_new(res, "locations", locs);
        if (f.related.present()) {
            json_t* rel = location(f.related.where);
            json_object_set_new(rel, "id", json_integer(1));
            json_object_set_new(rel, "message", sentence(f.related.what + ": " + f.related.message));
            json_t* rels = json_array();
            json_array_append_new(rels, rel);
            json_object_set_new(res, "relatedLocations", rels);
        }
        if (!f.stack.empty()) {
            json_t* stacks = json_array();
            json_array_append_new(stacks, stack_json(f.stack));
            json_object_set_new(res, "stacks", stacks);
        }
        json_t* props = json_object();
        json_object_set_new(props, "count", json_integer((json_int_t)f.count));
        json_object_set_new(props, "timeNs", json_integer((json_int_t)time_ns(f.when)));
        if (!f.evidence.empty()) json_object_set_new(props, "evidence", json_string(f.evidence.c_str()));
        json_object_set_new(props, "physicalAddress", json_string(hex(f.address).c_str()));
        json_object_set_new(props, "size", json_integer((json_int_t)f.size));
        if (f.has_device_address) json_object_set_new(props, "deviceAddress", json_string(hex(f.device_address).c_str()));
        if (f.requester >= 0) json_object_set_new(props, "requester", json_integer(f.requester));
        if (f.vmo) {
            json_object_set_new(props, "vmo", json_integer((json_int_t)f.vmo));
            json_object_set_new(props, "vmoOffset", json_integer((json_int_t)f.vmo_offset));
        }
        json_object_set_new(res, "properties", props);
        json_array_append_new(results, res);
    }

    json_t* run = json_object();
    json_object_set_new(run, "tool", tool);
    json_t* base = json_object();
    if (!source_root_.empty() && source_root_[0] == '/') {
        std::string root = source_root_;
        if (root.back() != '/') root += '/';
        json_object_set_new(base, "uri", json_string(absolute_file_uri(root).c_str()));
    }
    json_object_set_new(base, "description", text("The root of the source tree the driver was built from."));
    json_t* bases = json_object();
    json_object_set_new(bases, "SRCROOT", base);
    json_object_set_new(run, "originalUriBaseIds", bases);
    json_t* inv = json_object();
    if (invocation_.has_exit_code) json_object_set_new(inv, "exitCode", json_integer(invocation_.exit_code));
    json_object_set_new(inv, "executionSuccessful", json_boolean(invocation_.execution_successful));
    if (!invocation_.notifications.empty()) {
        json_t* notes = json_array();
        for (const SarifInvocation::Notification& n : invocation_.notifications) {
            json_t* o = json_object();
            json_t* desc = json_object();
            json_object_set_new(desc, "id", json_string(n.id.c_str()));
            json_object_set_new(o, "descriptor", desc);
            json_object_set_new(o, "level", json_string(n.level.c_str()));
            json_object_set_new(o, "message", sentence(n.text));
            json_array_append_new(notes, o);
        }
        json_object_set_new(inv, "toolExecutionNotifications", notes);
    }
    json_t* invs = json_array();
    json_array_append_new(invs, inv);
    json_object_set_new(run, "invocations", invs);
    json_object_set_new(run, "results", results);
    json_t* props = json_object();
    json_object_set_new(props, "suppressedFindings", json_integer((json_int_t)log.suppressed()));
    json_object_set_new(run, "properties", props);

    json_t* doc = json_object();
    json_object_set_new(doc, "$schema", json_string(kSchema));
    json_object_set_new(doc, "version", json_string("2.1.0"));
    json_t* runs = json_array();
    json_array_append_new(runs, run);
    json_object_set_new(doc, "runs", runs);
    return doc;
}

bool SarifWriter::write(const FindingLog& log, const std::string& path, std::string* error) const {
    json_t* doc = document(log);
    const int rc = json_dump_file(doc, path.c_str(), JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (rc != 0) {
        if (error) *error = "cannot write SARIF to '" + path + "': " + std::strerror(errno ? errno : EIO);
        return false;
    }
    return true;
}

}  // namespace staleline
