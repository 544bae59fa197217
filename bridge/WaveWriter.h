// WaveWriter: the file behind `staleline run --wave FILE`. It receives the VCD text Verilator's
// tracer produces for an RTL device (RtlModel::start_wave) and writes it as VCD (FILE.vcd, the
// text itself) or FST (FILE.fst, through GTKWave's fstapi: signal by signal, value change by
// value change, the hierarchy and names as Verilator's FST tracer would declare them). A model
// is verilated with one trace format (Verilator 5.006), so FST is converted from the VCD
// stream in memory, without an intermediate file (docs/waveforms.md).
//
// It also keeps the hierarchical name of every signal (top.m_axi_awaddr[63:0]) for the GTKWave
// save file. No SystemC, no Verilator headers.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <unordered_map>
#include <vector>

#include "bridge/RtlModel.h"

namespace staleline {

class WaveWriter final : public WaveSink {
public:
    enum class Format { Vcd, Fst };
    // FST for a name ending in .fst (any case), VCD otherwise.
    static Format format_of(const std::string& path);

    // Creates the file. Throws std::runtime_error naming it when it cannot be written.
    explicit WaveWriter(const std::string& path);
    ~WaveWriter() override;
    WaveWriter(const WaveWriter&) = delete;
    WaveWriter& operator=(const WaveWriter&) = delete;

    void write(const char* data, size_t len) override;
    // Completes the file. Throws std::runtime_error if something could not be written.
    void close();

    Format format() const { return format_; }
    const std::vector<std::string>& signals() const { return signals_; }

private:
    struct Var {
        uint32_t handle = 0;
        uint32_t width = 1;
        bool real = false;
    };
    void line(const char* s, size_t n);
    void header_line(const char* s, size_t n);
    void value_line(const char* s, size_t n);
    static uint64_t code_key(const char* s, size_t n);
    static int64_t code_number(const char* s, size_t n);
    const Var* find_var(const char* s, size_t n) const;
    static constexpr uint64_t kMaxDirectCodes = 1u << 22;

    std::string path_;
    Format format_;
    FILE* vcd_ = nullptr;    // VCD: the text as it comes
    void* fst_ = nullptr;    // FST: fstapi's writer context
    bool in_header_ = true;
    std::string pending_;    // a line cut between two write() calls
    std::string header_;     // declarations collected until $enddefinitions
    std::vector<std::string> scope_;
    std::vector<Var> by_code_;                 // by Verilator's signal number (handle 0: none)
    std::unordered_map<uint64_t, Var> vars_;   // codes of another form
    std::vector<std::string> signals_;
    std::string bits_;       // scratch: a vector value padded to its width
    std::string error_;      // the first write error
};

}  // namespace staleline
